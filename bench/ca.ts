/**
 * CA iteration benchmark (assembly/ca.ts): K = 6 classes, 3 x 3 window, one iteration, ~1 %
 * NoData, seeded synthetic data (patchy classes so neighbourhoods are realistic), at
 * 1024^2, 4096^2, 8192^2 x {TS reference, WASM scalar, WASM SIMD, WASM SIMD x 2 threads}.
 * Module instantiation, worker start-up and the first (compiling) call are excluded: one
 * untimed iteration runs first; then each case is run several times and the best is kept
 * (2 shared cores here). Results: bench/results/ca.json.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/ca.js [--sizes 1024,4096] [--repeats 5] [--patterns patchy,random]
 *   node dist/bench/ca.js --sizes 4096 --paired 5    (WASM 1/2 threads vs C and numpy, alternating: ca-paired.json)
 *
 * Outside reference points on the same inputs (same seed => same "changes" and outputs):
 *   gcc -O3 -march=native -o /tmp/ca_baseline bench/ca_baseline.c && /tmp/ca_baseline 4096 random
 *   python3 bench/numpy_ca.py --size 4096 --pattern random
 */
import { Engine } from '../src/tiling/engine.js';
import { CaKernel, caCoef, caStepRef } from '../src/kernels/ca.js';
import { RngKey, rngU32 } from '../src/kernels/rng.ref.js';
import { writeResults } from './machine.js';
import { flags, median, medianRatio, pairedRounds, runC, runMain, runNumpyScript } from './common.js';

export type CaImpl = 'ref' | 'scalar' | 'simd';
export type CaPattern = 'patchy' | 'random';

export interface CaBenchOptions {
  size: number;
  threads?: number;
  impl?: CaImpl;
  classes?: number;
  n?: number;
  repeats?: number;
  seed?: number;
  pattern?: CaPattern;
  /** Alias of repeats (the CLI's --runs). */
  runs?: number;
}

export interface CaBenchResult {
  size: number;
  threads: number;
  impl: CaImpl;
  pattern: CaPattern;
  mcells_per_s: number;
  seconds: number;
  /** Cells per second of process CPU time (all threads), best repeat: per-core throughput, less sensitive to other load. */
  cpu_mcells_per_s_per_core: number;
  /** Proposed conversions of iteration 0 (equal to bench/ca_baseline.c's and bench/numpy_ca.py's for the same seed). */
  changes: number;
}

/**
 * Seeded synthetic inputs. pattern 'patchy' (default): 32 x 32 blocks of one class with 3 % of
 * cells of a random class (like a real land-use map: most windows hold one class); 'random':
 * every cell an independent random class (worst case: every window is mixed). ~1 % NoData.
 */
function fillInputs(cur: Uint8Array, sp: Float32Array, size: number, K: number, seed: number, pattern: CaPattern): void {
  const key = new RngKey(seed, 12345);
  const cells = size * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const r = rngU32(key, i);
      if (r % 100 === 0) {
        cur[i] = 255;
        continue;
      }
      const noise = pattern === 'random' || (r >>> 8) % 100 < 3;
      cur[i] = noise ? (r >>> 16) % K : rngU32(key, 2 ** 40 + ((y >> 5) * 65536 + (x >> 5))) % K;
    }
  }
  // probabilities: cheap deterministic pattern in (0.05, 0.95)
  for (let k = 0; k < K; k++) {
    const off = k * cells;
    for (let i = 0; i < cells; i++) sp[off + i] = ((i * 2654435761 + k * 40503) >>> 0) / 4294967296 * 0.9 + 0.05;
  }
}

/** One iteration of the CA at size^2; returns the best of `repeats` runs. */
export async function benchCa(o: CaBenchOptions): Promise<CaBenchResult> {
  const size = o.size, K = o.classes ?? 6, n = o.n ?? 3, impl = o.impl ?? 'simd';
  const threads = o.threads ?? 1, repeats = o.repeats ?? o.runs ?? 3, seed = o.seed ?? 20261122, pattern = o.pattern ?? 'patchy';
  const coef = caCoef(K, n, Array.from({ length: K }, (_, k) => 1 - k / (2 * K)), Array(K).fill(1), Array(K * K).fill(1));
  const engine = new Engine({ threads: impl === 'ref' ? 1 : threads });
  try {
    const ca = new CaKernel(engine, { width: size, height: size, classes: K, n, simd: impl !== 'scalar' });
    fillInputs(ca.cur.view(), ca.sp.view() as Float32Array, size, K, seed, pattern);
    await engine.warmUp();
    // untimed first iteration of the WASM kernel: compiles it (lazily, per function) on every thread
    const refInput = { width: size, height: size, classes: K, n, cur: ca.cur.view().subarray(0, size * size), sp: ca.sp.view(), restricted: null, coef, seed, iteration: 0 };
    let changes = impl === 'ref' ? -1 : await ca.step(seed, 0, coef);
    let best = Infinity, bestCpu = Infinity;
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      if (impl === 'ref') {
        const c = caStepRef({ ...refInput, cur: ca.cur.view().subarray(0, size * size), sp: ca.sp.view(), iteration: r }, ca.prop.view(), ca.key.view());
        if (r === 0) changes = c;
      } else {
        await ca.step(seed, r, coef);
      }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const cu = process.cpuUsage(c0);
      const cpu = (cu.user + cu.system) / 1e6;
      if (s < best) best = s;
      if (cpu < bestCpu) bestCpu = cpu;
    }
    ca.release();
    return { size, threads: impl === 'ref' ? 1 : threads, impl, pattern, mcells_per_s: (size * size) / best / 1e6, seconds: best, cpu_mcells_per_s_per_core: (size * size) / bestCpu / 1e6, changes };
  } finally {
    await engine.close();
  }
}

/**
 * Paired rounds (see pairedRounds) of WASM SIMD on 1 and 2 threads, the C loop
 * (bench/ca_baseline.c) and numpy (bench/numpy_ca.py): values, medians and medians of per-round ratios.
 */
async function paired(size: number, pattern: CaPattern, rounds: number): Promise<Record<string, unknown>> {
  const mc = (x: Record<string, unknown> | null) => (x ? (x.mcells_per_s as number) : null);
  const { w1, w2, c, np } = await pairedRounds(rounds, {
    w1: async () => (await benchCa({ size, pattern, impl: 'simd', threads: 1, repeats: 3 })).mcells_per_s,
    w2: async () => (await benchCa({ size, pattern, impl: 'simd', threads: 2, repeats: 3 })).mcells_per_s,
    c: () => mc(runC('ca_baseline.c', ['-O3', '-march=native'], [String(size), pattern])),
    np: () => mc(runNumpyScript('numpy_ca.py', ['--size', String(size), '--pattern', pattern])),
  });
  const out = {
    size, pattern, rounds,
    simd_1t: w1, simd_2t: w2, c, numpy: np,
    simd_1t_median: median(w1), simd_2t_median: median(w2), c_median: c.length ? median(c) : null, numpy_median: np.length ? median(np) : null,
    simd_1t_over_c: medianRatio(w1, c), simd_1t_over_numpy: medianRatio(w1, np), simd_2t_over_1t: medianRatio(w2, w1),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  return out;
}

async function main(): Promise<void> {
  const get = flags();
  const sizes = (get('--sizes') ?? '1024,4096,8192').split(',').map(Number);
  const repeats = Number(get('--repeats') ?? 5);
  const patterns = (get('--patterns') ?? 'patchy,random').split(',') as CaPattern[];
  const rounds = Number(get('--paired') ?? 0);
  if (rounds > 0) {
    const res: Array<Record<string, unknown>> = [];
    for (const pattern of patterns) for (const size of sizes) res.push(await paired(size, pattern, rounds));
    writeResults('ca-paired.json', {
      suite: 'ca-paired',
      description: 'one synchronous FLUS CA iteration, K = 6, 3x3: WASM SIMD 1 and 2 threads (best of 3), bench/ca_baseline.c (gcc -O3 -march=native, best of 3) and bench/numpy_ca.py (best of 3) one after the other, alternating, per round; medians and medians of per-round ratios',
      results: res,
    });
    return;
  }
  const results: CaBenchResult[] = [];
  for (const pattern of patterns) {
    for (const size of sizes) {
      const cases: Array<{ impl: CaImpl; threads: number }> = [
        { impl: 'ref', threads: 1 },
        { impl: 'scalar', threads: 1 },
        { impl: 'simd', threads: 1 },
        { impl: 'simd', threads: 2 },
      ];
      for (const c of cases) {
        const r = await benchCa({ size, impl: c.impl, threads: c.threads, pattern, repeats: c.impl === 'ref' && size > 1024 ? 1 : repeats });
        results.push(r);
        process.stdout.write(JSON.stringify(r) + '\n');
      }
    }
  }
  writeResults('ca.json', {
    suite: 'ca',
    description: 'one synchronous FLUS CA iteration, K = 6, 3x3, ~1 % NoData, best of repeats (wall clock); patchy = 32x32 blocks + 3 % random cells, random = independent random classes',
    results,
  });
}

runMain(import.meta, main);
