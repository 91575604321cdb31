/**
 * Tile plans: horizontal strips of whole rows, with the halo (rows above and below) a
 * neighbourhood kernel needs. Kernels declare their halo beside their loop; results never
 * depend on the plan (tested property), only speed and memory do.
 */
import { checkInt } from '../errors.js';

export interface Tile {
  index: number;
  /** First row this tile computes, and how many. */
  row0: number;
  rows: number;
  /** Rows of context read above/below (clipped to the raster). */
  haloTop: number;
  haloBottom: number;
}

export interface PlanOptions {
  /** Rows per tile; default chosen from the thread count (about 4 tiles per thread, >= 16 rows). */
  tileRows?: number;
  /** Halo rows a neighbourhood kernel needs (N x N window: (N - 1) / 2). */
  halo?: number;
  /** Tile rows are rounded up to a multiple of this (e.g. a kernel's canonical block). */
  multipleOf?: number;
  threads?: number;
}

export function planStrips(height: number, opts: PlanOptions = {}): Tile[] {
  const halo = opts.halo ?? 0;
  const mult = opts.multipleOf ?? 1;
  const threads = opts.threads ?? 1;
  let rows =
    opts.tileRows !== undefined
      ? checkInt('tile rows', opts.tileRows, 1)
      : Math.max(16, Math.ceil(height / Math.max(1, threads * 4)));
  rows = Math.ceil(rows / mult) * mult;
  const tiles: Tile[] = [];
  for (let r = 0, i = 0; r < height; r += rows, i++) {
    const n = Math.min(rows, height - r);
    tiles.push({
      index: i,
      row0: r,
      rows: n,
      haloTop: Math.min(halo, r),
      haloBottom: Math.min(halo, height - (r + n)),
    });
  }
  return tiles;
}
