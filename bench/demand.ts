/**
 * Demand enforcement benchmark (step 2 of the sync FLUS update, src/models/flus.ts): the TS
 * reference enforceDemand (scan + sort of every candidate) against enforceDemandWasm
 * (assembly/demand.ts: histogram, then sort only the leading bins) on 1 and 2 threads.
 * Synthetic inputs at size^2: K = 6, cur[i] = (i >> 10) % 6, a share of the cells proposing
 * another random class with a random float32 priority in [0, 4), gap = [500000, -300000,
 * 200000, -400000, 100000, -100000], fraction 0.1. The map is restored before every call
 * (untimed); one untimed call first; best of `repeats` (wall clock). Results:
 * bench/results/demand.json.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/demand.js [--size 4096] [--shares 0.1,0.3] [--repeats 5]
 */
import { Engine } from '../src/tiling/engine.js';
import { enforceDemand, enforceDemandWasm } from '../src/models/flus.js';
import { writeResults } from './machine.js';
import { flags, runMain } from './common.js';
import { ConfigError } from '../src/errors.js';

const GAP = [500000, -300000, 200000, -400000, 100000, -100000];
const K = GAP.length;

export interface DemandBenchResult {
  size: number;
  share: number;
  impl: 'ref' | 'wasm';
  threads: number;
  ms: number;
  proposed: number;
  accepted: number;
  /** WASM: collect rounds (each a pass over the cells). */
  rounds?: number;
}

/** Seeded synthetic cur / prop / key (xorshift32; bench data only). */
function fill(cur: Uint8Array, prop: Uint8Array, key: Uint32Array, n: number, share: number, seed: number): void {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const c = (i >> 10) % K;
    cur[i] = c;
    if (next() < share) {
      prop[i] = (c + 1 + Math.floor(next() * (K - 1))) % K;
      f[0] = next() * 4;
      key[i] = u[0];
    } else {
      prop[i] = c;
      key[i] = 0;
    }
  }
}

let last: { id: string; cur0: Uint8Array; prop: Uint8Array; key: Uint32Array } | null = null;

/** The synthetic inputs of one size, share and seed (the last set is kept: the cases of one size share it). */
function inputs(size: number, share: number, seed: number): { cur0: Uint8Array; prop: Uint8Array; key: Uint32Array } {
  const id = `${size} ${share} ${seed}`;
  if (last?.id !== id) {
    const n = size * size;
    last = { id, cur0: new Uint8Array(n), prop: new Uint8Array(n), key: new Uint32Array(n) };
    fill(last.cur0, last.prop, last.key, n, share, seed);
  }
  return last;
}

export interface DemandCaseOptions {
  size: number;
  /** Share of cells proposing a conversion (default 0.1). */
  share?: number;
  impl?: 'ref' | 'wasm';
  threads?: number;
  /** Timed runs after one untimed (default 5); `runs` is the CLI's name for it. */
  repeats?: number;
  runs?: number;
  seed?: number;
}

/** One case: enforcement of one iteration on seeded synthetic proposals; the best of `repeats` runs. */
export async function benchDemandCase(o: DemandCaseOptions): Promise<DemandBenchResult & { mcells_per_s: number; seconds: number }> {
  const size = o.size, share = o.share ?? 0.1, impl = o.impl ?? 'wasm';
  if (impl !== 'ref' && impl !== 'wasm') throw new ConfigError(`demand benchmark: --impl expected "ref" or "wasm", got ${JSON.stringify(impl)}`);
  const threads = impl === 'ref' ? 1 : o.threads ?? 1;
  const repeats = o.repeats ?? o.runs ?? 5;
  const n = size * size;
  const { cur0, prop, key } = inputs(size, share, o.seed ?? 20260517);
  const opts = { fraction: 0.1, seed: 7, iteration: 3 };
  let best = Infinity;
  let r: { accepted: number; proposed: number; rounds?: number } = { accepted: 0, proposed: 0 };
  if (impl === 'ref') {
    const cur = cur0.slice();
    for (let j = 0; j <= repeats; j++) {
      cur.set(cur0);
      const t0 = process.hrtime.bigint();
      r = enforceDemand(cur, prop, key, GAP, [], opts);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (j > 0) best = Math.min(best, ms);
    }
  } else {
    const engine = new Engine({ threads });
    try {
      const a = engine.arena;
      const buf = {
        cur: a.alloc<Uint8Array>('uint8', n + 16, 'cur'),
        prop: a.alloc<Uint8Array>('uint8', n, 'prop'),
        key: a.alloc<Uint32Array>('uint32', n, 'key'),
        width: size,
        height: size,
      };
      buf.prop.view().set(prop);
      buf.key.view().set(key);
      await engine.warmUp();
      for (let j = 0; j <= repeats; j++) {
        buf.cur.view().set(cur0);
        const t0 = process.hrtime.bigint();
        r = await enforceDemandWasm(engine, buf, GAP, [], opts);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (j > 0) best = Math.min(best, ms);
      }
    } finally {
      await engine.close();
    }
  }
  return { size, share, impl, threads, ms: best, ...r, seconds: best / 1e3, mcells_per_s: n / best / 1e3 };
}

/** The TS reference and WASM on 1 and 2 threads at one size and share. */
export async function benchDemand(size: number, share: number, repeats: number): Promise<DemandBenchResult[]> {
  const out: DemandBenchResult[] = [];
  for (const [impl, threads] of [['ref', 1], ['wasm', 1], ['wasm', 2]] as const) out.push(await benchDemandCase({ size, share, impl, threads, repeats }));
  return out;
}

async function main(): Promise<void> {
  const get = flags();
  const size = Number(get('--size') ?? 4096);
  const shares = (get('--shares') ?? '0.1,0.3').split(',').map(Number);
  const repeats = Number(get('--repeats') ?? 5);
  const results: DemandBenchResult[] = [];
  for (const share of shares) {
    for (const r of await benchDemand(size, share, repeats)) {
      results.push(r);
      process.stdout.write(JSON.stringify(r) + '\n');
    }
  }
  writeResults('demand.json', {
    suite: 'demand',
    description: 'demand enforcement of one sync FLUS iteration (enforceDemand TS reference vs enforceDemandWasm), K = 6, fraction 0.1, best of repeats (wall clock, ms per call)',
    results,
  });
}

runMain(import.meta, main);
