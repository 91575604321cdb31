/**
 * Raster reading for figures: whole (zone rasters, for polygons), sampled to a display size
 * (nearest cell, every step-th row and column), and cross-tabulated (class transitions,
 * every cell), all in windows of rows so memory stays bounded by the window.
 */
import { readRaster, readRasterInfo } from '../../io/geotiff.js';
import type { Grid, RasterArray } from '../../io/grid.js';

/** Cells per window read (rows x width). */
const WINDOW_CELLS = 4_000_000;

export interface Sampled {
  grid: Grid;
  w: number;
  h: number;
  step: number;
  data: Float64Array;
  nodata: number | null;
}

function nodataOf(grid: Grid, dtype: string): number | null {
  const nd = grid.nodata;
  return nd === null ? null : dtype === 'float32' ? Math.fround(nd) : nd;
}

export async function readWhole(tif: string): Promise<{ grid: Grid; data: RasterArray; nodata: number | null }> {
  const info = await readRasterInfo(tif);
  const { data } = await readRaster(tif);
  return { grid: info.grid, data, nodata: nodataOf(info.grid, info.dtype) };
}

/** Rows r0.. of width `width`, `n` of them, for each file, in windows. */
async function scan(files: string[], width: number, height: number, rowsPer: number, visit: (bands: RasterArray[], r0: number, n: number) => void): Promise<void> {
  for (let r0 = 0; r0 < height; r0 += rowsPer) {
    const n = Math.min(rowsPer, height - r0);
    const bands = await Promise.all(files.map(async (f) => (await readRaster(f, { window: { col0: 0, row0: r0, width, height: n } })).data));
    visit(bands, r0, n);
  }
}

const sampleCache = new Map<string, Promise<Sampled>>();

/** Forgets the samples kept by sampleRaster (a report calls it when done). */
export function clearSamples(): void {
  sampleCache.clear();
}

/** Nearest-cell sample with the longest side at most maxSide (kept until clearSamples: a map drawn twice is read once). */
export function sampleRaster(tif: string, maxSide = 800): Promise<Sampled> {
  const key = `${maxSide} ${tif}`;
  let p = sampleCache.get(key);
  if (!p) sampleCache.set(key, (p = sampleOnce(tif, maxSide)));
  return p;
}

async function sampleOnce(tif: string, maxSide: number): Promise<Sampled> {
  const info = await readRasterInfo(tif);
  const { width, height } = info.grid;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
  const w = Math.ceil(width / step), h = Math.ceil(height / step);
  const out = new Float64Array(w * h);
  const rows = Math.max(step, Math.floor(WINDOW_CELLS / width / step) * step);
  await scan([tif], width, height, rows, ([d], r0, n) => {
    for (let r = 0; r < n; r += step) {
      const y = (r0 + r) / step;
      for (let x = 0; x < w; x++) out[y * w + x] = d[r * width + x * step];
    }
  });
  return { grid: info.grid, w, h, step, data: out, nodata: nodataOf(info.grid, info.dtype) };
}

/**
 * Cells per (from class, to class) of each pair of maps, over every cell valid in both; codes
 * index rows and columns. Each file is read once, window by window, whatever the pairs.
 */
export async function crossTabs(pairs: Array<[string, string]>, codes: number[]): Promise<number[][][]> {
  const files = [...new Set(pairs.flat())];
  if (files.length === 0) return [];
  const infos = await Promise.all(files.map((f) => readRasterInfo(f)));
  const { width, height } = infos[0].grid;
  const nd = infos.map((i) => nodataOf(i.grid, i.dtype));
  const at = new Map(files.map((f, i) => [f, i]));
  const k = codes.length;
  // class codes are small integers: a look-up table (code -> row) instead of a Map
  const lo = Math.min(...codes), hi = Math.max(...codes);
  const lut = new Int32Array(hi - lo + 1).fill(-1);
  codes.forEach((c, i) => (lut[c - lo] = i));
  const ms = pairs.map(() => new Float64Array(k * k));
  await scan(files, width, height, Math.max(1, Math.floor(WINDOW_CELLS / width / files.length)), (bands, _r0, n) => {
    pairs.forEach(([a, b], p) => {
      const ia = at.get(a)!, ib = at.get(b)!;
      const da = bands[ia], db = bands[ib], ndA = nd[ia], ndB = nd[ib], m = ms[p];
      for (let i = 0; i < n * width; i++) {
        const va = da[i], vb = db[i];
        if (va === ndA || vb === ndB || va < lo || va > hi || vb < lo || vb > hi) continue;
        const x = lut[va - lo], y = lut[vb - lo];
        if (x >= 0 && y >= 0) m[x * k + y]++;
      }
    });
  });
  return ms.map((m) => codes.map((_, i) => Array.from(m.subarray(i * k, (i + 1) * k))));
}
