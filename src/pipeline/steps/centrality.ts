/**
 * Centrality step (methods.md section 9): degree, closeness (Wasserman–Faust) and betweenness
 * of an edge list, as networkx computes them. Called by `landcarbon centrality`.
 */
import { ConfigError, InputError } from '../../errors.js';
import { hasColumn, numberColumn, readCsv, stringColumn } from '../../io/table.js';
import { buildCsr, centrality, Centrality } from '../../kernels/paths.js';
import { writeCentralityCsv } from '../../models/network.js';
import { Engine } from '../../tiling/engine.js';

export interface CentralityStepInput {
  /** Edge list with columns from,to[,weight]. */
  edges: string;
  weight?: string;
  undirected?: boolean;
  out: string;
  threads: number;
  /** Brandes–Pich: betweenness from this many seeded sources (no closeness). */
  sample?: number;
  seed: number;
}

export interface CentralityStepResult {
  ids: string[];
  edges: number;
  weighted: boolean;
  centrality: Centrality;
  seconds: number;
}

export async function centralityStep(i: CentralityStepInput): Promise<CentralityStepResult> {
  const t = readCsv(i.edges);
  const from = stringColumn(t, 'from');
  const to = stringColumn(t, 'to');
  if (i.weight && !hasColumn(t, i.weight)) throw new ConfigError(`--weight: ${i.edges} has no column "${i.weight}" (columns: ${t.columns.join(', ')})`);
  const w = i.weight ? numberColumn(t, i.weight) : null;
  const ids: string[] = [];
  const index = new Map<string, number>();
  const idOf = (s: string, r: number, col: string): number => {
    if (s === '') throw new InputError(`${i.edges}: row ${r + 1}, column "${col}": empty node id`);
    let k = index.get(s);
    if (k === undefined) {
      k = ids.length;
      ids.push(s);
      index.set(s, k);
    }
    return k;
  };
  const a = new Int32Array(from.length);
  const b = new Int32Array(from.length);
  for (let r = 0; r < from.length; r++) {
    a[r] = idOf(from[r], r, 'from');
    b[r] = idOf(to[r], r, 'to');
  }
  const g = buildCsr(ids.length, a, b, w, { source: i.edges, labels: ids, undirected: !!i.undirected });
  if (i.sample !== undefined && (i.sample < 1 || i.sample > Math.max(1, ids.length))) {
    throw new ConfigError(`--sample: expected an integer in [1, ${Math.max(1, ids.length)}], got ${i.sample}`);
  }
  const engine = new Engine({ threads: i.threads });
  try {
    const t0 = performance.now();
    const c = await centrality(g, { engine, sample: i.sample, seed: i.seed, closeness: i.sample === undefined ? undefined : false });
    writeCentralityCsv(i.out, ids, c, null);
    return { ids, edges: from.length, weighted: !!w, centrality: c, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await engine.close();
  }
}
