import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './machine.js';
/**
 * Carbon kernels benchmark: one CASA month (assembly/casa.ts) over size x size cells, seeded
 * synthetic inputs written straight into the runner's shared-memory buffers (instantiation,
 * data generation and percentile work excluded). Implementations: TS reference
 * (src/kernels/casa.ref.ts), WASM scalar (Math.exp/log) on 1 thread, WASM SIMD (f64x2 with a
 * polynomial exp; log per lane) on 1 and N threads.
 *
 *   node dist/bench/carbon.js [sizes=1024,2048,4096] [threads=1,2]   -> JSON lines
 *   benchCasa({ size: 4096, threads: 2, impl: 'simd' })              -> one CasaBenchResult
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Engine } from '../src/tiling/engine.js';
import { CasaRunner } from '../src/kernels/casa.js';
import { CASA_DEFAULTS, casaMonthRef, CasaTypeParams } from '../src/kernels/casa.ref.js';
import { RngKey, rngF64 } from '../src/kernels/rng.ref.js';

export interface CasaBenchOptions {
  size?: number;
  threads?: number;
  /** 'ref' TS reference, 'wasm' scalar kernel, 'simd' f64x2 kernel (default). */
  impl?: 'ref' | 'wasm' | 'simd';
  runs?: number;
  seed?: number;
}

export interface CasaBenchResult {
  kernel: 'casa';
  impl: 'ts-ref' | 'wasm' | 'wasm-simd';
  size: number;
  cells: number;
  threads: number;
  seconds: number;
  mcells_per_s: number;
  runs: number;
}

const sr = (x: number) => (1 + x) / (1 - x);
const TYPES: CasaTypeParams[] = [
  { epsMax: 0.389, ndviMin: 0.05, ndviMax: 0.85, srMin: sr(0.05), srMax: sr(0.85) },
  { epsMax: 0.542, ndviMin: 0.02, ndviMax: 0.7, srMin: sr(0.02), srMax: sr(0.7) },
  { epsMax: 0.985, ndviMin: 0.2, ndviMax: 0.9, srMin: sr(0.2), srMax: sr(0.9) },
  { epsMax: 0.692, ndviMin: 0.1, ndviMax: 0.88, srMin: sr(0.1), srMax: sr(0.88) },
];

/** One CASA month over size^2 cells; best of `runs` (default 5 for wasm, 1 for the TS reference). */
export async function benchCasa(opts: CasaBenchOptions = {}): Promise<CasaBenchResult> {
  const size = opts.size ?? 4096;
  const impl = opts.impl ?? 'simd';
  if (!['ref', 'wasm', 'simd'].includes(impl)) throw new RangeError(`benchCasa: impl must be 'ref', 'wasm' or 'simd', got ${JSON.stringify(impl)}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`benchCasa: size must be a positive integer, got ${size}`);
  const threads = impl === 'ref' ? 1 : opts.threads ?? 1;
  const runs = opts.runs ?? (impl === 'ref' ? 1 : 5);
  const n = size * size;
  const engine = new Engine({ threads, initialPages: Math.ceil((n * 50) / 65536) + 64 });
  try {
    const key = new RngKey(opts.seed ?? 1, 11);
    const topt = new Float32Array(n);
    const typeIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      topt[i] = 18 + 10 * rngF64(key, 8 * i);
      typeIndex[i] = rngF64(key, 8 * i + 1) < 0.01 ? -1 : (i >> 4) % TYPES.length;
    }
    const runner = new CasaRunner(engine, { width: size, height: size, topt, typeIndex, types: TYPES, water: 'w', impl: impl === 'wasm' ? 'scalar' : 'simd' });
    try {
      const v = runner.inputs();
      for (let i = 0; i < n; i++) {
        v.ndvi[i] = -0.1 + 0.95 * rngF64(key, 8 * i + 2);
        v.temp[i] = -15 + 45 * rngF64(key, 8 * i + 3);
        v.prec[i] = 300 * rngF64(key, 8 * i + 4);
        v.sol[i] = 150 + 550 * rngF64(key, 8 * i + 5);
        v.w[i] = 0.5 + 0.5 * rngF64(key, 8 * i + 6);
      }
      await engine.warmUp();
      let best = Infinity;
      const nppR = impl === 'ref' ? new Float64Array(n) : null;
      const rhR = impl === 'ref' ? new Float64Array(n) : null;
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        if (impl === 'ref') {
          casaMonthRef({ ndvi: v.ndvi, temp: v.temp, prec: v.prec, sol: v.sol, w: v.w }, topt, typeIndex, TYPES, CASA_DEFAULTS, nppR!, rhR!);
        } else {
          await runner.runMonth();
        }
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      return { kernel: 'casa', impl: impl === 'ref' ? 'ts-ref' : impl === 'wasm' ? 'wasm' : 'wasm-simd', size, cells: n, threads, seconds: best, mcells_per_s: n / best / 1e6, runs };
    } finally {
      runner.close();
    }
  } finally {
    await engine.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const sizes = (argv[0] ?? '1024,2048,4096').split(',').map(Number);
  const threads = (argv[1] ?? '1,2').split(',').map(Number);
  const results: unknown[] = [];
  const emit = (r: unknown) => {
    results.push(r);
    process.stdout.write(JSON.stringify(r) + '\n');
  };
  for (const size of sizes) {
    emit(await benchCasa({ size, impl: 'ref' }));
    emit(await benchCasa({ size, impl: 'wasm', threads: 1 }));
    for (const t of threads) emit(await benchCasa({ size, impl: 'simd', threads: t }));
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'casa.json'), JSON.stringify({ machine: machine(), case: 'one CASA month', results }, null, 2) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
}
