/**
 * Zone adjacency benchmark (contiguity weights from a zone raster): seeded block-and-jitter
 * zones (about 1000 units) on a size x size int32 raster, queen rule. Implementations: TS
 * reference (src/kernels/adjacency.ref.ts), WASM over row strips on 1 and N threads.
 * The WASM path still builds the dense zone index in TS (a look-up-table pass), which is most
 * of its time; the pair detection itself runs in assembly/adjacency.ts.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/adjacency.js [size] [threads]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Engine } from '../src/tiling/engine.js';
import { zoneAdjacencyKernel } from '../src/kernels/adjacency.js';
import { zoneAdjacencyRef } from '../src/kernels/adjacency.ref.js';
import { RngKey, rngU32 } from '../src/kernels/rng.ref.js';

export interface AdjacencyBenchResult {
  kernel: 'zone_adjacency';
  impl: 'ref' | 'wasm';
  size: number;
  cells: number;
  threads: number;
  seconds: number;
  mcells_per_s: number;
  runs: number;
}

export function adjacencyBenchData(size: number, seed = 1): Int32Array {
  const data = new Int32Array(size * size);
  const bs = Math.max(1, Math.ceil(size / 32));
  const key = new RngKey(seed, 0x7a6f6e6573);
  for (let r = 0; r < size; r++) {
    const jitter = rngU32(key, r) % bs;
    for (let c = 0; c < size; c++) data[r * size + c] = 1 + Math.floor(r / bs) * 1000 + Math.floor((c + jitter) / bs);
  }
  return data;
}

export async function benchAdjacency(opts: { size?: number; threads?: number; impl?: 'ref' | 'wasm'; runs?: number } = {}): Promise<AdjacencyBenchResult> {
  const size = opts.size ?? 4096;
  const impl = opts.impl ?? 'wasm';
  const threads = impl === 'ref' ? 1 : opts.threads ?? 1;
  const runs = opts.runs ?? 3;
  const data = adjacencyBenchData(size);
  const engine = new Engine({ threads });
  try {
    await engine.warmUp();
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      if (impl === 'ref') zoneAdjacencyRef(data, size, size, null, 'queen');
      else await zoneAdjacencyKernel(engine, data, size, size, null, 'queen');
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return { kernel: 'zone_adjacency', impl, size, cells: size * size, threads, seconds: best, mcells_per_s: (size * size) / best / 1e6, runs };
  } finally {
    await engine.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const size = Number(process.argv[2] ?? 4096);
  const threads = Number(process.argv[3] ?? 2);
  const results = [];
  for (const [impl, t] of [['ref', 1], ['wasm', 1], ['wasm', threads]] as const) {
    const r = await benchAdjacency({ size, impl, threads: t });
    results.push(r);
    console.log(JSON.stringify(r));
  }
  const { machine } = await import('./machine.js');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const dir = new URL('../../bench/results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('adjacency.json', dir), JSON.stringify({ machine: machine(), case: 'queen contiguity of a zone raster', results }, null, 2) + '\n');
}
