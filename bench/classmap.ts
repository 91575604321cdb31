/**
 * Class-map benchmark: the carbon coefficient map (emission per cell = coefficient[class] x
 * pixel area) on u8 classes (7 codes, ~1 % NoData), f32 output, seeded.
 * Implementations: TS reference, WASM on 1 thread, WASM on 2 threads. Mcells/s, best of 5.
 * WASM reads the classes from and writes the map into engine.memory (zero-copy, as the
 * models would); the reference writes a new Float32Array.
 * No SIMD variant: a table look-up per cell needs a gather, which WebAssembly SIMD lacks.
 * Run: npx tsc -p tsconfig.json && node dist/bench/classmap.js [sizes...]
 */
import { performance } from 'node:perf_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine } from './machine.js';
import { Engine } from '../src/tiling/engine.js';
import { classMap, ClassMapInput } from '../src/kernels/classmap.js';
import { classMapRef } from '../src/kernels/classmap.ref.js';
import type { BenchResult } from './zonal.js';

/** t CO2/ha/yr of 7 classes (cropland, forest, grassland, water, built-up, unused, wetland) x 0.09 ha. */
const COEF = [0.42, -0.58, -0.02, -0.25, 47.8, 0.0, -0.57].map((k) => k * 0.09);

export async function benchClassMap(size: number, impl: 'ref' | 'wasm', threads = 1, runs = 5, seed = 1): Promise<BenchResult> {
  const cells = size * size;
  const engine = new Engine({ threads: impl === 'ref' ? 1 : threads, initialPages: Math.ceil((cells * 5 * 1.05) / 65536) + 64 });
  try {
    const cb = engine.arena.alloc<Uint8Array>('uint8', cells, 'classes');
    const c = cb.view();
    let s = seed >>> 0 || 1;
    for (let i = 0; i < cells; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      // patches of 64 cells of one class (landscape-like runs), ~1 % NoData
      c[i] = i % 64 === 0 || c[i - 1] === undefined ? (s % 100 === 0 ? 255 : 1 + (s % 7)) : c[i - 1];
    }
    const out = engine.arena.alloc<Float32Array>('float32', cells, 'map').view();
    const input: ClassMapInput = { width: size, height: size, classes: { dtype: 'uint8', data: c, nodata: 255, name: 'landuse' }, lut: COEF, lutMin: 1, outType: 'float32', nodata: -3.4028234663852886e38 };
    await engine.warmUp();
    let best = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      if (impl === 'ref') classMapRef(input);
      else await classMap(engine, input, { out });
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return { kernel: 'classmap', impl: impl === 'ref' ? 'ts-ref' : 'wasm', size, cells, threads: impl === 'ref' ? 1 : threads, seconds: best, mcells_per_s: cells / best / 1e6, runs };
  } finally {
    await engine.close();
  }
}

/** 4k^2, 8k^2 x {TS reference, WASM 1 thread, WASM 2 threads} -> bench/results/classmap.json */
export async function classMapSuite(sizes = [4096, 8192]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const size of sizes) {
    out.push(await benchClassMap(size, 'ref'));
    out.push(await benchClassMap(size, 'wasm', 1));
    out.push(await benchClassMap(size, 'wasm', 2));
    for (const r of out.slice(-3)) process.stderr.write(JSON.stringify(r) + '\n');
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const results = await classMapSuite(sizes.length ? sizes : undefined);
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'classmap.json'), JSON.stringify({ machine: machine(), case: 'coefficient map: u8 classes (7 codes, runs of 64 cells, ~1 % NoData), f32 output, seed 1, best of 5', results }, null, 2) + '\n');
}
