/**
 * MLP forward-pass benchmark (assembly/mlp.ts): a 12-16-6 network (12 drivers, 16 sigmoid
 * hidden, 6 softmax outputs, float32), ~1 % NoData in driver 0, seeded synthetic data and
 * weights generated straight into the shared memory, at 1024^2, 4096^2, 8192^2 x {TS reference,
 * WASM scalar, WASM SIMD, WASM SIMD x 2 threads}. Timed: the kernel over row tiles only (data
 * generation, module instantiation and worker start-up excluded). 8192^2 does not fit one 4 GiB
 * memory with its 18 planes, so it runs as strips of 2048 rows (time = sum over strips). Each
 * case is run `repeats` times and the best is kept (2 shared cores here). Besides wall-clock
 * Mcells/s, single-thread cases report Mcells per CPU second of the process (less sensitive to
 * other load on the machine). With --c, bench/c/mlp.c is compiled and run at the same sizes for a
 * same-moment comparison: its one-cell-at-a-time loop ("c", gcc -O3 -march=native, libm expf) and
 * its 256-cell blocked loop ("c-blocked", gcc -O3 -march=native -ffast-math: auto-vectorised with
 * glibc's vector expf and FMA, the vector width gcc picks for the CPU), and bench/numpy_mlp.py
 * ("numpy", one BLAS thread, 4096-cell chunks).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/mlp.js [--sizes 1024,4096,8192] [--repeats 5] [--c]
 *   node dist/bench/mlp.js --sizes 4096 --paired 9     (WASM SIMD vs the blocked C loop and numpy, alternating: mlp-paired.json)
 * Results: bench/results/mlp.json. One case: `benchMlp({ size: 4096, threads: 1, impl: 'simd' })`.
 */
import { mlpForwardRef, MlpNet, MlpNorm } from '../src/kernels/mlp.ref.js';
import { mlpRunPlaced, placeMlp } from '../src/kernels/mlp.js';
import { Engine } from '../src/tiling/engine.js';
import { writeResults } from './machine.js';
import { flags, median, medianRatio, pairedRounds, runC, runMain, runNumpyScript } from './common.js';

export type MlpBenchImpl = 'ref' | 'wasm' | 'simd';

export interface MlpBenchOptions {
  size: number;
  threads?: number;
  impl?: MlpBenchImpl;
  repeats?: number;
  seed?: number;
  /** Network shape, default 12-16-6. */
  D?: number;
  H?: number;
  K?: number;
}

export interface MlpBenchResult {
  suite: 'mlp';
  net: string;
  size: number;
  threads: number;
  impl: MlpBenchImpl;
  mcells_per_s: number;
  seconds: number;
  /** Mcells per second of process CPU time (single-thread cases only, else null). */
  cpu_mcells_per_s: number | null;
  strips: number;
  repeats: number;
}

/** Seeded weights in [-1, 1) (LCG) and a normalisation mapping [0, 100) to [0, 1). */
export function benchNet(D: number, H: number, K: number, seed: number): { net: MlpNet; norm: MlpNorm } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const r = (n: number, a: number) => Float32Array.from({ length: n }, () => a * (2 * u() - 1));
  return {
    net: { D, H, K, w1: r(H * D, 1), b1: r(H, 0.2), w2: r(K * H, 1), b2: r(K, 0.2) },
    norm: { min: new Float32Array(D), scale: new Float32Array(D).fill(0.01), nodata: new Float32Array(D).fill(-9999) },
  };
}

/** Driver values in [0, 100) from a multiplicative hash of (cell, driver); ~1 % NoData in driver 0. */
function fillPlane(x: Float32Array, o: number, cells: number, d: number, cell0: number): void {
  for (let i = 0; i < cells; i++) {
    const h = (Math.imul(cell0 + i, 2654435761) + d * 40503) >>> 0;
    x[o + i] = d === 0 && h % 100 === 0 ? -9999 : (h >>> 8) * (100 / 16777216);
  }
}

const MAX_STRIP_CELLS = 2048 * 8192;

export async function benchMlp(o: MlpBenchOptions): Promise<MlpBenchResult> {
  const size = o.size, impl = o.impl ?? 'simd';
  const D = o.D ?? 12, H = o.H ?? 16, K = o.K ?? 6;
  const threads = impl === 'ref' ? 1 : o.threads ?? 1;
  const repeats = o.repeats ?? 3;
  const { net, norm } = benchNet(D, H, K, o.seed ?? 20261122);
  const stripRows = Math.max(1, Math.min(size, Math.floor(MAX_STRIP_CELLS / size)));
  const strips = Math.ceil(size / stripRows);
  const sc = stripRows * size;
  let best = Infinity, bestCpu = Infinity;
  if (impl === 'ref') {
    const planes = Array.from({ length: D }, () => new Float32Array(sc));
    for (let r = 0; r < repeats; r++) {
      let wall = 0, cpu = 0;
      for (let r0 = 0; r0 < size; r0 += stripRows) {
        const rows = Math.min(stripRows, size - r0);
        planes.forEach((p, d) => fillPlane(p, 0, rows * size, d, r0 * size));
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        mlpForwardRef(net, norm, planes.map((p) => p.subarray(0, rows * size)), size, rows);
        wall += Number(process.hrtime.bigint() - t0) / 1e9;
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1e6;
      }
      best = Math.min(best, wall);
      bestCpu = Math.min(bestCpu, cpu);
    }
  } else {
    const engine = new Engine({ threads });
    try {
      const placed = placeMlp(engine, net, norm);
      const xb = engine.arena.alloc<Float32Array>('float32', D * sc, 'bench drivers');
      const ob = engine.arena.alloc<Float32Array>('float32', K * sc, 'bench output');
      await engine.warmUp();
      const opts = { impl: impl === 'simd' ? ('simd' as const) : ('scalar' as const) };
      for (let r = 0; r < repeats; r++) {
        let wall = 0, cpu = 0;
        for (let r0 = 0; r0 < size; r0 += stripRows) {
          const rows = Math.min(stripRows, size - r0);
          // data for this strip (once when the raster is a single strip)
          if (strips > 1 || r === 0) for (let d = 0; d < D; d++) fillPlane(xb.view(), d * sc, rows * size, d, r0 * size);
          const c0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          await mlpRunPlaced(engine, placed, xb.ptr, sc, ob.ptr, sc, size, rows, opts);
          wall += Number(process.hrtime.bigint() - t0) / 1e9;
          const c = process.cpuUsage(c0);
          cpu += (c.user + c.system) / 1e6;
        }
        best = Math.min(best, wall);
        bestCpu = Math.min(bestCpu, cpu);
      }
    } finally {
      await engine.close();
    }
  }
  const cells = size * size;
  return {
    suite: 'mlp',
    net: `${D}-${H}-${K}`,
    size,
    threads,
    impl,
    mcells_per_s: cells / best / 1e6,
    seconds: best,
    cpu_mcells_per_s: threads === 1 ? cells / bestCpu / 1e6 : null,
    strips,
    repeats,
  };
}

/** One loop of bench/c/mlp.c ("scalar": -O3 -march=native, "blocked": also -ffast-math), with its flags; null when gcc is missing. */
function runMlpC(size: number, variant: 'scalar' | 'blocked'): Record<string, unknown> | null {
  const f = variant === 'blocked' ? ['-O3', '-march=native', '-ffast-math'] : ['-O3', '-march=native'];
  const r = runC('c/mlp.c', f, [String(size), variant]);
  return r && { ...r, flags: f.join(' ') };
}

/**
 * Paired rounds (see pairedRounds) of WASM SIMD (1 thread), the blocked C loop (the fast one)
 * and numpy (bench/numpy_mlp.py, one BLAS thread): values, medians and medians of per-round ratios.
 */
async function paired(size: number, rounds: number): Promise<Record<string, unknown>> {
  const mc = (x: Record<string, unknown> | null) => (x ? (x.mcells_per_s as number) : null);
  const { wasm, cb, np } = await pairedRounds(rounds, {
    wasm: async () => (await benchMlp({ size, impl: 'simd', threads: 1, repeats: 3 })).mcells_per_s,
    cb: () => mc(runMlpC(size, 'blocked')),
    np: () => mc(runNumpyScript('numpy_mlp.py', ['--size', String(size)])),
  });
  const out = {
    suite: 'mlp', kind: 'paired', net: '12-16-6', size, rounds,
    simd_mcells_per_s: wasm, c_blocked_mcells_per_s: cb, numpy_mcells_per_s: np,
    simd_median: median(wasm), c_blocked_median: cb.length ? median(cb) : null, numpy_median: np.length ? median(np) : null,
    simd_over_c_blocked_median_of_pairs: medianRatio(wasm, cb),
    simd_over_numpy_median_of_pairs: medianRatio(wasm, np),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = flags(args);
  const sizes = (get('--sizes') ?? '1024,4096,8192').split(',').map(Number);
  const repeats = Number(get('--repeats') ?? 5);
  const withC = args.includes('--c');
  const rounds = Number(get('--paired') ?? 0);
  const results: Array<MlpBenchResult | Record<string, unknown>> = [];
  if (rounds > 0) {
    for (const size of sizes) results.push(await paired(size, rounds));
    writeResults('mlp-paired.json', {
      suite: 'mlp-paired',
      description: 'MLP forward pass 12-16-6 float32: WASM SIMD (1 thread, best of 3), the blocked loop of bench/c/mlp.c (-O3 -march=native -ffast-math, best of 5) and bench/numpy_mlp.py (one thread, best of 3) run one after the other, alternating, per round; medians and the median of per-round ratios',
      results,
    });
    return;
  }
  for (const size of sizes) {
    const cases: Array<{ impl: MlpBenchImpl; threads: number }> = [
      { impl: 'ref', threads: 1 },
      { impl: 'wasm', threads: 1 },
      { impl: 'simd', threads: 1 },
      { impl: 'simd', threads: 2 },
    ];
    for (const c of cases) {
      if (c.impl === 'ref' && size > 4096) continue; // minutes; the 1024^2/4096^2 figures show its rate
      const r = await benchMlp({ size, impl: c.impl, threads: c.threads, repeats: c.impl === 'ref' && size > 1024 ? 1 : repeats });
      results.push(r);
      process.stdout.write(JSON.stringify(r) + '\n');
    }
    if (withC && size <= 4096) {
      for (const variant of ['scalar', 'blocked', 'numpy'] as const) {
        const r = variant === 'numpy' ? runNumpyScript('numpy_mlp.py', ['--size', String(size)]) : runMlpC(size, variant);
        if (r) {
          results.push({ suite: 'mlp', net: '12-16-6', ...r });
          process.stdout.write(JSON.stringify(r) + '\n');
        }
      }
    }
  }
  writeResults('mlp.json', {
    suite: 'mlp',
    description: 'MLP forward pass 12-16-6 float32 (sigmoid hidden, softmax), ~1 % NoData, kernel time only, best of repeats',
    results,
  });
}

runMain(import.meta, main);
