/**
 * GeoTIFF I/O throughput: write (engine writer, DEFLATE level 6, 256x256 tiles) and read
 * (readRaster: geotiff.js parsing + node:zlib inflate + row copies; and geotiff.js's own
 * readRasters for comparison) of an NxN float32 and uint8 raster (default N = 8192).
 * Seeded synthetic data: a smooth float field with noise (float32), and a class map of
 * 6 classes in patches (uint8). One warm-up, then `reps` timed runs; median reported.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/geotiff.js [N] [reps]
 * Writes bench/results/geotiff.json.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateSync, inflateSync } from 'node:zlib';
import { fromFile } from 'geotiff';
import { writeFileAtomic } from '../src/io/atomic.js';
import type { DType, Grid, Raster } from '../src/io/grid.js';
import { readRaster, registerZlibDecoder, writeGeoTIFF } from '../src/io/geotiff.js';

const N = Number(process.argv[2] ?? 8192);
const REPS = Number(process.argv[3] ?? 3);

function hash(i: number): number {
  let x = Math.imul(i + 0x9e3779b9, 0x85ebca6b) >>> 0;
  x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d) >>> 0;
  x ^= x >>> 12; x = Math.imul(x, 0x297a2d39) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

function makeRaster(dtype: DType): Raster {
  const grid: Grid = { width: N, height: N, transform: [436000, 30, 0, 1383000, 0, -30], crs: { epsg: 32650 }, nodata: dtype === 'uint8' ? 255 : -3.4e38 };
  if (dtype === 'uint8') {
    const data = new Uint8Array(N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
      const patch = hash(((r >> 5) * 100003) ^ (c >> 5)); // 32x32 patches
      data[r * N + c] = hash(r * N + c) % 50 === 0 ? 1 + (hash(r * N + c + 7) % 6) : 1 + (patch % 6);
    }
    return { grid, dtype, data };
  }
  const data = new Float32Array(N * N);
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
    data[r * N + c] = 100 * Math.sin(r / 300) * Math.cos(c / 200) + (hash(r * N + c) % 1000) / 100;
  }
  return { grid, dtype, data };
}

async function time(fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'lc-bench-geotiff-'));
const results: Record<string, unknown>[] = [];
const cells = N * N;
const mc = (s: number) => +(cells / s / 1e6).toFixed(1);
try {
  registerZlibDecoder();
  for (const dtype of ['float32', 'uint8'] as DType[]) {
    const r = makeRaster(dtype);
    const path = join(dir, `${dtype}.tif`);
    const write = await time(() => writeGeoTIFF(path, r, { compress: 'deflate', level: 6, tileSize: 256 }));
    const bytes = statSync(path).size;
    const read = await time(async () => { await readRaster(path); });
    const readGeotiffJs = await time(async () => {
      const t = await fromFile(path);
      try { await (await t.getImage()).readRasters({ interleave: false }); } finally { await t.close(); }
    });
    const readWindow = await time(async () => { await readRaster(path, { window: { col0: Math.floor(N / 8), row0: Math.floor(N / 8), width: Math.floor(N / 8), height: Math.floor(N / 8) } }); });
    // reference on this machine at this moment: node:zlib on one 256x256 tile of the same data, one thread
    const tile = new Uint8Array(r.data.buffer, 0, 256 * 256 * (dtype === 'uint8' ? 1 : 4)).slice();
    const z = deflateSync(tile, { level: 6 });
    const zt0 = performance.now();
    for (let k = 0; k < 10; k++) deflateSync(tile, { level: 6 });
    const deflateMBs = tile.length * 10 / 1e6 / ((performance.now() - zt0) / 1000);
    const it0 = performance.now();
    for (let k = 0; k < 20; k++) inflateSync(z);
    const inflateMBs = tile.length * 20 / 1e6 / ((performance.now() - it0) / 1000);
    const row = {
      dtype, width: N, height: N, cells, compress: 'deflate', level: 6, tileSize: 256, fileBytes: bytes,
      ratio: +((cells * (dtype === 'uint8' ? 1 : 4)) / bytes).toFixed(2),
      writeSeconds: +write.toFixed(3), writeMcellsPerSec: mc(write),
      readSeconds: +read.toFixed(3), readMcellsPerSec: mc(read),
      geotiffJsReadRastersSeconds: +readGeotiffJs.toFixed(3), geotiffJsReadRastersMcellsPerSec: mc(readGeotiffJs),
      zlibDeflate6MBperSecOneThread: +deflateMBs.toFixed(1), zlibInflateMBperSecOneThread: +inflateMBs.toFixed(1),
      windowEighthSeconds: +readWindow.toFixed(4),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileAtomic(
  join(import.meta.dirname, '../../bench/results/geotiff.json'),
  JSON.stringify({
    suite: 'geotiff', date: new Date().toISOString(), node: process.version, cores: availableParallelism(),
    uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', loadavgAtEnd: loadavg(), reps: REPS, statistic: 'median', results,
  }, null, 2) + '\n',
);
