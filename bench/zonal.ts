/**
 * Zonal sums benchmark: u16 zones (2000 units), u8 classes (7 codes), one f32 value raster,
 * seeded. Sampling through Benchmark.js (bench/sampling.ts): mean, RME and samples per case;
 * `seconds` is the fastest sample. Implementations: TS reference, WASM on 1 thread, WASM across N threads.
 * The scatter-add (bins[zone, class] += value) has no SIMD form in WebAssembly (no gather/
 * scatter), so there is no separate SIMD variant of this kernel.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine } from './machine.js';
import { sample } from './sampling.js';
import { Engine } from '../src/tiling/engine.js';
import { zonalSums } from '../src/kernels/zonal.js';
import { zonalSumsRef } from '../src/kernels/zonal.ref.js';
import { zonalBenchData } from './data.js';
import { Grid } from '../src/io/grid.js';

export interface BenchResult {
  kernel: string;
  impl: string;
  size: number;
  cells: number;
  threads: number;
  seconds: number;
  /** Fastest sample (Benchmark.js), and the Mcells/s it gives. */
  mcells_per_s: number;
  runs: number;
  /** Benchmark.js sampling statistics: mean seconds per run, its relative margin of error (%), samples. */
  mean_seconds?: number;
  rme_pct?: number;
  samples?: number;
  mean_mcells_per_s?: number;
}

export interface ZonalBenchOptions {
  size?: number;
  threads?: number;
  impl?: 'ref' | 'wasm' | 'simd';
  runs?: number;
  seed?: number;
}

export async function benchZonal(opts: ZonalBenchOptions = {}): Promise<BenchResult> {
  const size = opts.size ?? 8192;
  const impl = opts.impl ?? 'wasm';
  const threads = impl === 'ref' ? 1 : opts.threads ?? 1;
  const runs = opts.runs ?? (impl === 'ref' ? 1 : 5);
  const engine = new Engine({ threads, initialPages: Math.ceil((size * size * 7 * 1.1) / 65536) + 64 });
  try {
    const d = zonalBenchData(engine, size, opts.seed ?? 1);
    await engine.warmUp();
    const g: Grid = { width: size, height: size, transform: [0, 30, 0, 0, 0, -30], crs: null, nodata: 0 };
    const input = {
      width: size,
      height: size,
      zones: { dtype: 'uint16' as const, data: d.zones.view(), nodata: 0, name: 'zones' },
      classes: { dtype: 'uint8' as const, data: d.classes.view(), nodata: 255, name: 'classes' },
      values: [{ dtype: 'float32' as const, data: d.value.view(), nodata: null, name: 'value' }],
    };
    const once = async (): Promise<void> => {
      if (impl === 'ref') {
        zonalSumsRef(
          {
            zones: { grid: g, dtype: 'uint16', data: d.zones.view() },
            classes: { grid: { ...g, nodata: 255 }, dtype: 'uint8', data: d.classes.view() },
            values: [{ grid: { ...g, nodata: null }, dtype: 'float32', data: d.value.view() }],
          },
          Infinity,
        );
      } else {
        await zonalSums(engine, input);
      }
    };
    await once(); // warm-up (JIT, first-touch of the memory)
    const s = await sample(once, { minSamples: runs, maxTime: 0.5 });
    const cells = size * size;
    return {
      kernel: 'zonal', impl: impl === 'ref' ? 'ts-ref' : 'wasm', size, cells, threads, seconds: s.min_s, mcells_per_s: cells / s.min_s / 1e6, runs: s.samples * s.runs_per_sample,
      mean_seconds: s.mean_s, rme_pct: +s.rme_pct.toFixed(2), samples: s.samples, mean_mcells_per_s: cells / s.mean_s / 1e6,
    };
  } finally {
    await engine.close();
  }
}

/** The suite: 1k^2, 4k^2, 8k^2 x {TS reference, WASM 1 thread, WASM 2 threads} -> bench/results/zonal.json */
export async function zonalSuite(sizes = [1024, 4096, 8192]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const size of sizes) {
    out.push(await benchZonal({ size, impl: 'ref', runs: size > 4096 ? 1 : 2 }));
    out.push(await benchZonal({ size, impl: 'wasm', threads: 1 }));
    out.push(await benchZonal({ size, impl: 'wasm', threads: 2 }));
    for (const r of out.slice(-3)) process.stderr.write(JSON.stringify(r) + '\n');
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const results = await zonalSuite(sizes.length ? sizes : undefined);
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'zonal.json'), JSON.stringify({ machine: machine(), case: 'u16 zones (2000 units), u8 classes (7 codes), one f32 value raster, ~1 % NoData, seed 1', results }, null, 2) + '\n');
}
