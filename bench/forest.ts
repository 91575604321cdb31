/**
 * Random-forest prediction benchmark (assembly/forest.ts) against scikit-learn's predict_proba
 * (RandomForestClassifier, n_jobs=1, bench/sklearn_forest.py) on the same training sample.
 * Training sample: n = 20000 rows of D = 8 drivers from a multiplicative hash (values in
 * [0, 100)), label 1 where x0 + 0.5 x1 + 0.25 x2 > 90, flipped for ~10 % of rows (a noisy rule,
 * so fully grown trees are deep: what LEAS grows). Both sides train their own forest on it with
 * the same trees, mtry = floor(sqrt(D)) = 2 and min leaf 1; prediction cells: size^2 cells of the
 * same hash (drivers ~1 % NoData in driver 0 on our side, none on scikit-learn's, which rejects
 * NaN). Timed: prediction only (training, data generation, module instantiation and worker
 * start-up excluded), best of repeats; per-core figures from process CPU time for 1 thread.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/forest.js [--size 4096] [--trees 20] [--rounds 3] [--sklearn]
 * Results: bench/results/forest.json. One case: `benchForest({ size: 1024, trees: 20, threads: 1 })`
 * (also `landcarbon bench forest --size N --trees T --threads T --json`). --results F writes bench/results/F
 * instead of forest.json (e.g. a threads-only run without --sklearn).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forestPredict } from '../src/kernels/forest.js';
import { forestPredictRef } from '../src/kernels/forest.ref.js';
import { flattenForest, trainForest, type ForestData } from '../src/models/forest.js';
import { Engine } from '../src/tiling/engine.js';
import { PACKAGE_ROOT } from '../src/wasm/module.js';
import { ConfigError } from '../src/errors.js';
import { writeResults } from './machine.js';
import { flags, median, medianRatio, pairedRounds, runMain } from './common.js';

export const BENCH_D = 8;
export const BENCH_N = 20000;

function hashValue(i: number, d: number): number {
  const h = (Math.imul(i, 2654435761) + d * 40503) >>> 0;
  return (h >>> 8) * (100 / 16777216);
}

/** The training sample (rule in the header). */
export function benchSample(seedOffset = 7_000_000): ForestData {
  const D = BENCH_D, n = BENCH_N;
  const X = new Float32Array(n * D), y = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < D; d++) X[r * D + d] = hashValue(seedOffset + r, d);
    const s = X[r * D] + 0.5 * X[r * D + 1] + 0.25 * X[r * D + 2];
    const flip = (Math.imul(seedOffset + r, 0x9e3779b1) >>> 0) % 10 === 0;
    y[r] = (s > 90 ? 1 : 0) ^ (flip ? 1 : 0);
  }
  return { n, D, K: 2, X, y };
}

export interface ForestBenchOptions {
  size: number;
  trees?: number;
  threads?: number;
  impl?: 'ref' | 'wasm';
  repeats?: number;
  seed?: number;
}

export async function benchForest(o: ForestBenchOptions): Promise<Record<string, unknown>> {
  const size = o.size, trees = o.trees ?? 20, impl = o.impl ?? 'wasm';
  if (impl !== 'ref' && impl !== 'wasm') throw new ConfigError(`forest benchmark: --impl expected "ref" or "wasm", got ${JSON.stringify(impl)}`);
  const threads = impl === 'ref' ? 1 : o.threads ?? 1;
  const repeats = o.repeats ?? 3;
  const data = benchSample();
  const f = await trainForest(null, data, { trees, seed: o.seed ?? 1 });
  const flat = flattenForest(f);
  const n = size * size;
  const planes = Array.from({ length: BENCH_D }, (_, d) => {
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) p[i] = d === 0 && ((Math.imul(i, 2654435761) >>> 0) % 100) === 0 ? -9999 : hashValue(i, d);
    return p;
  });
  const nodata = new Float32Array(BENCH_D).fill(-9999);
  let best = Infinity, bestCpu = Infinity;
  let depth = 0;
  for (const t of f.trees) depth += treeDepth(t.feature, t.child);
  const time = async (fn: () => Promise<unknown> | unknown) => {
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await fn();
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      const c = process.cpuUsage(c0);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
    }
  };
  if (impl === 'ref') {
    await time(() => forestPredictRef({ forest: flat, planes, nodata, kFirst: 1, kOut: 1 }));
  } else {
    const engine = new Engine({ threads });
    try {
      await engine.warmUp();
      await time(() => forestPredict(engine, [{ forest: flat, kFirst: 1, kOut: 1 }], planes, nodata, size, size));
    } finally {
      await engine.close();
    }
  }
  return {
    suite: 'forest', size, trees, D: BENCH_D, train_rows: BENCH_N, nodes: flat.info.length, mean_depth: depth / f.trees.length,
    threads, impl, mcells_per_s: n / best / 1e6, seconds: best, cpu_mcells_per_s: threads === 1 ? n / bestCpu / 1e6 : null, repeats,
  };
}

function treeDepth(feature: Uint8Array, child: Int32Array): number {
  let max = 0;
  const st: number[] = [0, 0];
  while (st.length) {
    const d = st.pop()!, j = st.pop()!;
    if (d > max) max = d;
    if (feature[j] !== 255) st.push(child[j], d + 1, child[j] + 1, d + 1);
  }
  return max;
}

/** scikit-learn predict_proba (n_jobs=1) on the same sample; null when python3-sklearn is missing. */
export function benchSklearn(size: number, trees: number, repeats = 1): Record<string, unknown> | null {
  const dir = mkdtempSync(join(tmpdir(), 'lc-forest-bench-'));
  try {
    const data = benchSample();
    writeFileSync(join(dir, 'X.f32'), Buffer.from(data.X.buffer));
    writeFileSync(join(dir, 'y.u8'), Buffer.from(data.y.buffer));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
    const out = execFileSync('/usr/bin/python3', [join(PACKAGE_ROOT, 'bench', 'sklearn_forest.py'), '--dir', dir, '--size', String(size), '--trees', String(trees), '--D', String(BENCH_D), '--repeats', String(repeats)], { encoding: 'utf8', env, maxBuffer: 1 << 20 });
    return JSON.parse(out);
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const get = flags();
  const size = Number(get('--size') ?? 4096);
  const trees = Number(get('--trees') ?? 20);
  const rounds = Number(get('--rounds') ?? 3);
  const withSk = process.argv.includes('--sklearn');
  const mc = (x: Record<string, unknown> | null) => (x ? (x.cpu_mcells_per_s as number ?? x.mcells_per_s as number) : null);
  const runs = await pairedRounds(rounds, {
    wasm1: async () => mc(await benchForest({ size, trees, threads: 1, repeats: 2 })),
    wasm2: async () => (await benchForest({ size, trees, threads: 2, repeats: 2 })).mcells_per_s as number,
    wasm1wall: async () => (await benchForest({ size, trees, threads: 1, repeats: 2 })).mcells_per_s as number,
    ...(withSk ? { sklearn: () => mc(benchSklearn(size, trees)) } : {}),
  });
  const out = {
    suite: 'forest', size, trees, D: BENCH_D, train_rows: BENCH_N, rounds,
    wasm_1thread_cpu_mcells_per_s: runs.wasm1, wasm_1thread_wall_mcells_per_s: runs.wasm1wall, wasm_2threads_wall_mcells_per_s: runs.wasm2,
    sklearn_cpu_mcells_per_s: runs.sklearn ?? [],
    wasm_over_sklearn_per_core_median_of_pairs: runs.sklearn ? medianRatio(runs.wasm1, runs.sklearn) : null,
    two_over_one_thread_median_of_pairs: medianRatio(runs.wasm2, runs.wasm1wall),
    wasm1_median: median(runs.wasm1),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  writeResults(get('--results') ?? 'forest.json', {
    suite: 'forest',
    description: 'Random-forest prediction (binary, mtry 2, min leaf 1, fully grown, 20000 training rows of 8 drivers): WASM kernel on 1 and 2 threads vs scikit-learn predict_proba n_jobs=1, same sample, paired rounds; per-core figures from process CPU time',
    results: [out],
  });
}

runMain(import.meta, main);
