/**
 * `landcarbon centrality --edges E.csv [--weight COLUMN] [--directed|--undirected] --out C.csv`
 * Degree, closeness (Wasserman–Faust) and betweenness of any edge list (columns from, to and
 * optionally a weight column), as networkx computes them (methods.md section 9).
 */
import { Command, Option } from 'commander';
import { ConfigError, InputError, checkInt } from '../errors.js';
import { hasColumn, numberColumn, readCsv, stringColumn } from '../io/table.js';
import { buildCsr, centrality } from '../kernels/paths.js';
import { writeCentralityCsv } from '../models/network.js';
import { Engine } from '../tiling/engine.js';
import { parseThreads, run, threadsOption } from './common.js';

interface Opts {
  edges: string;
  weight?: string;
  directed?: boolean;
  undirected?: boolean;
  out: string;
  threads?: string;
  sample?: string;
  seed: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('centrality')
    .description('degree, closeness and betweenness centrality of an edge list (networkx definitions)')
    .requiredOption('--edges <csv>', 'edge list with columns from,to[,weight]; nodes are the ids found in from/to')
    .option('--weight <column>', 'column of positive path lengths (default: hop counts)')
    .addOption(new Option('--directed', 'directed graph (default)').conflicts('undirected'))
    .option('--undirected', 'undirected graph (each row is one edge in both directions)')
    .requiredOption('--out <csv>', 'output table: unit,out_degree,in_degree,out_closeness,in_closeness,betweenness')
    .addOption(threadsOption())
    .option('--sample <k>', 'Brandes–Pich: betweenness from k seeded sources (closeness then not computed)')
    .option('--seed <n>', 'seed of the source sample', '0')
    .option('--json', 'print the summary as JSON')
    .action(
      run('centrality', (o: Opts) => ({ inputs: { '--edges': o.edges }, outputs: { '--out': o.out } }), async (opts: Opts) => {
        const threads = parseThreads(opts.threads);
        const seed = checkInt('--seed', opts.seed, 0);
        const t = readCsv(opts.edges);
        const from = stringColumn(t, 'from');
        const to = stringColumn(t, 'to');
        if (opts.weight && !hasColumn(t, opts.weight)) throw new ConfigError(`--weight: ${opts.edges} has no column "${opts.weight}" (columns: ${t.columns.join(', ')})`);
        const w = opts.weight ? numberColumn(t, opts.weight) : null;
        const ids: string[] = [];
        const index = new Map<string, number>();
        const idOf = (s: string, r: number, col: string): number => {
          if (s === '') throw new InputError(`${opts.edges}: row ${r + 1}, column "${col}": empty node id`);
          let i = index.get(s);
          if (i === undefined) {
            i = ids.length;
            ids.push(s);
            index.set(s, i);
          }
          return i;
        };
        const a = new Int32Array(from.length);
        const b = new Int32Array(from.length);
        for (let r = 0; r < from.length; r++) {
          a[r] = idOf(from[r], r, 'from');
          b[r] = idOf(to[r], r, 'to');
        }
        const g = buildCsr(ids.length, a, b, w, { source: opts.edges, labels: ids, undirected: !!opts.undirected });
        const sample = opts.sample !== undefined ? checkInt('--sample', opts.sample, 1, Math.max(1, ids.length)) : undefined;
        const engine = new Engine({ threads });
        try {
          const t0 = performance.now();
          const c = await centrality(g, { engine, sample, seed, closeness: sample === undefined ? undefined : false });
          writeCentralityCsv(opts.out, ids, c, null);
          const summary = {
            nodes: ids.length,
            edges: from.length,
            directed: !opts.undirected,
            weighted: !!w,
            sampling: c.sampling ? { sources: c.sampling.k, seed: c.sampling.seed, max_std_err: c.sampling.maxStdErr, mean_std_err: c.sampling.meanStdErr } : null,
            seconds: (performance.now() - t0) / 1000,
            out: opts.out,
          };
          if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
          else process.stdout.write(`centrality: ${summary.nodes} nodes, ${summary.edges} edges (${summary.directed ? 'directed' : 'undirected'}, ${summary.weighted ? `weights "${opts.weight}"` : 'hop counts'}); wrote ${opts.out}\n`);
        } finally {
          await engine.close();
        }
      }),
    );
}
