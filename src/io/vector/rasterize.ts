/**
 * Polygon rasterisation with gdal_rasterize's default rule (GDAL 3.6, alg/llrasterize.cpp
 * GDALdllImageFilledPolygon), reproduced operation for operation so zones come out equal to
 * gdal_rasterize cell for cell:
 *   - coordinates go to pixel space with the inverse geotransform as GDALInvGeoTransform
 *     computes it (no rotation: x' = -x0/px + x * (1/px));
 *   - row y is sampled on its centre line dy = y + 0.5; a non-horizontal edge with lower end
 *     (x1, y1) and upper end (x2, y2) crosses it when y1 <= dy < y2, at
 *     x = (dy - y1) * (x2 - x1) / (y2 - y1) + x1, rounded to floor(x + 0.5);
 *   - the sorted crossings pair up (even-odd over every ring of the feature, holes and
 *     multipolygon parts alike) and cells [a, b - 1] are burned: a cell is in when its centre
 *     lies in (left crossing, right crossing];
 *   - a horizontal edge lying exactly on a centre line burns [floor(x_end + 0.5), floor(x_start + 0.5) - 1]
 *     when it runs right to left (GDAL's "bottom horizontal segment" rule);
 *   - every ring (outer or hole) is first made clockwise in map coordinates, as
 *     GDALCollectRingsFromGeometry does with OGRLinearRing::isClockwise (the lowest-rightmost
 *     vertex test, the shoelace sum when that vertex is degenerate), which decides which
 *     horizontal edges count as bottom edges;
 *   - features burn in layer order, later ones over earlier ones (gdal_rasterize's replace).
 * Written by hand because no npm package follows GDAL's rule (turf and the canvas-style
 * rasterisers test point-in-polygon with their own edge rules); the GDAL source is MIT.
 *
 * Cost is linear: each feature keeps an active edge list (edges sorted by lower y), so a row
 * costs its crossings plus the cells it burns. Rows are burned block by block, in row order
 * (src/tiling/blocks.ts), so memory is the vector's edges plus one block, never the raster.
 */
import type { Grid } from '../grid.js';

/** GDALInvGeoTransform: the pixel/line transform of a grid. */
export function invGeoTransform(t: Grid['transform']): [number, number, number, number, number, number] {
  if (t[2] === 0 && t[4] === 0 && t[1] !== 0 && t[5] !== 0) {
    return [-t[0] / t[1], 1 / t[1], 0, -t[3] / t[5], 0, 1 / t[5]];
  }
  const det = t[1] * t[5] - t[2] * t[4];
  const inv = 1 / det;
  return [(t[2] * t[3] - t[0] * t[5]) * inv, t[5] * inv, -t[2] * inv, (-t[1] * t[3] + t[0] * t[4]) * inv, -t[4] * inv, t[1] * inv];
}

/**
 * OGRLinearRing::isClockwise on a closed ring of map coordinates (y up): the turn at the
 * lowest-rightmost vertex; the shoelace sum when that vertex is repeated or its neighbours
 * coincide with it (GDAL's fallback).
 */
export function isClockwise(r: number[][]): boolean {
  const n = r.length;
  if (n < 2) return true;
  const EPS = 1e-14;
  const eq = (a: number, b: number) => Math.abs(a - b) < EPS;
  let fallback = false;
  let v = 0;
  for (let i = 1; i < n - 1; i++) {
    if (r[i][1] < r[v][1] || (r[i][1] === r[v][1] && r[i][0] > r[v][0])) {
      v = i;
      fallback = false;
    } else if (r[i][1] === r[v][1] && r[i][0] === r[v][0]) fallback = true;
  }
  let next = v - 1;
  if (next < 0) next = n - 2;
  if (eq(r[next][0], r[v][0]) && eq(r[next][1], r[v][1])) fallback = true;
  const dx0 = r[next][0] - r[v][0], dy0 = r[next][1] - r[v][1];
  next = v + 1;
  if (next >= n - 1) next = 0;
  if (eq(r[next][0], r[v][0]) && eq(r[next][1], r[v][1])) fallback = true;
  const dx1 = r[next][0] - r[v][0], dy1 = r[next][1] - r[v][1];
  const cross = dx1 * dy0 - dx0 * dy1;
  if (!fallback) {
    if (cross > 0) return false;
    if (cross < 0) return true;
  }
  let sum = r[0][0] * (r[1][1] - r[n - 1][1]);
  for (let i = 1; i < n - 1; i++) sum += r[i][0] * (r[i + 1][1] - r[i - 1][1]);
  sum += r[n - 1][0] * (r[0][1] - r[n - 2][1]);
  return sum < 0;
}

/** A ring of map coordinates oriented as GDAL burns it: clockwise (a reversed copy when it is not). */
export function clockwise(r: number[][]): number[][] {
  return isClockwise(r) ? r : r.slice().reverse();
}

/**
 * ALL_TOUCHED outline (GDALdllImageLineAllTouched, GDAL 3.6): every cell a segment of the
 * polyline passes through, walked cell by cell from left to right, clipped to the grid. Cells
 * go to `out` as [x, y]; gdal_rasterize -at burns them before the cell-centre fill.
 */
export function allTouchedCells(part: number[][], W: number, H: number, out: Array<[number, number]>): void {
  const F = Math.floor;
  for (let j = 1; j < part.length; j++) {
    let x = part[j - 1][0], y = part[j - 1][1], xe = part[j][0], ye = part[j][1];
    if ((y < 0 && ye < 0) || (y > H && ye > H) || (x < 0 && xe < 0) || (x > W && xe > W)) continue;
    if (x > xe) { [x, xe] = [xe, x]; [y, ye] = [ye, y]; }
    // a polygon edge lying on a cell boundary touches the cells beside it without entering them:
    // GDAL burns only the cells an outline passes through (its "intersect only" mode for polygons)
    const onGrid = (v: number) => Math.abs(v - Math.round(v)) < 1e-4;
    if (F(x) === F(xe)) {
      // vertical
      if (onGrid(x) && onGrid(xe)) continue;
      if (ye < y) [y, ye] = [ye, y];
      const ix = F(x);
      let iy = F(y), iye = F(ye);
      if (ix >= W) continue;
      if (iy < 0) iy = 0;
      if (iye >= H) iye = H - 1;
      for (; iy <= iye; iy++) out.push([ix, iy]);
      continue;
    }
    if (F(y) === F(ye)) {
      // horizontal
      if (onGrid(y) && onGrid(ye)) continue;
      const iy = F(y);
      let ix = F(x), ixe = F(xe);
      if (iy >= H) continue;
      if (ix < 0) ix = 0;
      if (ixe >= W) ixe = W - 1;
      for (; ix <= ixe; ix++) out.push([ix, iy]);
      continue;
    }
    const slope = (ye - y) / (xe - x);
    if (xe > W) { ye -= (xe - W) * slope; xe = W; }
    if (x < 0) { y += (0 - x) * slope; x = 0; }
    if (ye > y) {
      if (y < 0) { x += (0 - y) / slope; y = 0; }
      if (ye >= H) { xe += (ye - H) / slope; ye = W; }
    } else {
      if (y >= H) { x += (H - y) / slope; y = H; }
      if (ye < 0) { xe -= (ye - 0) / slope; ye = 0; }
    }
    while (x < xe) {
      const ix = F(x), iy = F(y);
      if (iy >= 0 && iy < H) out.push([ix, iy]);
      let sx = F(x + 1) - x, sy = sx * slope;
      if (F(y + sy) === iy) { x += sx; y += sy; }
      else if (slope < 0) {
        sy = iy - y;
        if (sy > -0.000000001) sy = -0.000000001;
        sx = sy / slope; x += sx; y += sy;
      } else {
        sy = iy + 1 - y;
        if (sy < 0.000000001) sy = 0.000000001;
        sx = sy / slope; x += sx; y += sy;
      }
    }
  }
}

/** One feature ready to burn: its edges in pixel space, sorted by lower y. */
export interface Burnable {
  value: number;
  /** 4 numbers per non-horizontal edge: y1 (lower), y2, x1 (at y1), x2; sorted by y1. */
  edges: Float64Array;
  /** 3 numbers per right-to-left horizontal edge: y, x_end, x_start; sorted by y. */
  horiz: Float64Array;
  minY: number;
  maxY: number;
  /** ALL_TOUCHED: outline cells, 2 numbers (x, y) per cell, sorted by row; burned with the fill. */
  cells?: Int32Array;
}

/** Outline cells of rings (pixel space) for ALL_TOUCHED, sorted by row then column. */
export function outlineCells(rings: number[][][], W: number, H: number): Int32Array {
  const c: Array<[number, number]> = [];
  for (const r of rings) allTouchedCells(r, W, H, c);
  c.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return Int32Array.from(c.flat());
}

/** Rings in pixel coordinates ([x, y] pairs) -> a Burnable (null when it has no edge). */
export function burnable(rings: number[][][], value: number): Burnable | null {
  const e: number[][] = [];
  const h: number[][] = [];
  let minY = Infinity, maxY = -Infinity;
  for (const ring of rings) {
    const n = ring.length;
    if (n === 0) continue;
    for (let i = 0; i < n; i++) {
      // GDAL's edge i runs from vertex i-1 (the ring's last for i = 0) to vertex i
      const p = ring[i === 0 ? n - 1 : i - 1], q = ring[i];
      const ya = p[1], yb = q[1];
      if (ya < minY) minY = ya;
      if (ya > maxY) maxY = ya;
      if (ya < yb) e.push([ya, yb, p[0], q[0]]);
      else if (ya > yb) e.push([yb, ya, q[0], p[0]]);
      else if (p[0] > q[0]) h.push([ya, q[0], p[0]]);
    }
  }
  if (e.length === 0 && h.length === 0) return null;
  e.sort((a, b) => a[0] - b[0]);
  h.sort((a, b) => a[0] - b[0]);
  return { value, edges: Float64Array.from(e.flat()), horiz: Float64Array.from(h.flat()), minY, maxY };
}

interface State {
  b: Burnable;
  next: number;
  nextH: number;
  active: number[];
  /** First and last rows that can burn (GDAL's loop bounds, clamped to the grid). */
  row0: number;
  row1: number;
  /** Next outline cell (ALL_TOUCHED). */
  nextCell: number;
}

/** Burns features onto row bands of a grid, in row order; the state of each feature carries over between bands. */
export class Burner {
  private states: State[];
  private xs: Int32Array = new Int32Array(16);
  constructor(items: Burnable[], readonly width: number, readonly height: number) {
    this.states = items.map((b) => ({
      b,
      next: 0,
      nextH: 0,
      active: [],
      // GDAL: miny = (int)dminy, maxy = (int)dmaxy, clamped to the raster
      row0: Math.max(0, Math.trunc(b.minY)),
      row1: Math.min(height - 1, Math.trunc(b.maxY)),
      nextCell: 0,
    }));
  }

  /** Burns rows [row0, row0 + rows) into `out` (rows x width, row-major); cells no feature covers are left as they are. */
  burnRows(row0: number, rows: number, out: { [i: number]: number; length: number }): void {
    const end = row0 + rows - 1;
    for (const s of this.states) {
      const cells = s.b.cells;
      if (cells) {
        // outline first, as gdal_rasterize -at (same value: the order within a feature does not matter)
        const v = s.b.value;
        while (s.nextCell * 2 < cells.length && cells[s.nextCell * 2 + 1] < row0) s.nextCell++;
        for (; s.nextCell * 2 < cells.length && cells[s.nextCell * 2 + 1] <= end; s.nextCell++) {
          out[(cells[s.nextCell * 2 + 1] - row0) * this.width + cells[s.nextCell * 2]] = v;
        }
      }
      if (s.row1 < row0 || s.row0 > end) continue;
      const r1 = Math.min(end, s.row1);
      for (let y = Math.max(row0, s.row0); y <= r1; y++) this.row(s, y, out, (y - row0) * this.width);
    }
  }

  private fill(out: { [i: number]: number }, base: number, x0: number, x1: number, v: number): void {
    // gvBurnScanline: clipped to the raster's columns
    if (x0 > x1) return;
    if (x0 < 0) x0 = 0;
    if (x1 >= this.width) x1 = this.width - 1;
    for (let x = x0; x <= x1; x++) out[base + x] = v;
  }

  private row(s: State, y: number, out: { [i: number]: number }, base: number): void {
    const dy = y + 0.5;
    const { edges, horiz, value } = s.b;
    const ne = edges.length / 4;
    while (s.next < ne && edges[s.next * 4] <= dy) s.active.push(s.next++);
    let n = 0;
    let w = 0;
    const act = s.active;
    for (let k = 0; k < act.length; k++) {
      const o = act[k] * 4;
      const y1 = edges[o], y2 = edges[o + 1];
      if (!(dy < y2)) continue; // finished: dropped from the active list
      act[w++] = act[k];
      const x1 = edges[o + 2], x2 = edges[o + 3];
      const x = (dy - y1) * (x2 - x1) / (y2 - y1) + x1;
      if (n === this.xs.length) { const g = new Int32Array(n * 2); g.set(this.xs); this.xs = g; }
      this.xs[n++] = clampInt(Math.floor(x + 0.5));
    }
    act.length = w;
    const maxx = this.width - 1;
    // horizontal edges on this centre line (GDAL fills them before sorting the crossings; order is irrelevant for one value)
    const nh = horiz.length / 3;
    while (s.nextH < nh && horiz[s.nextH * 3] < dy) s.nextH++;
    while (s.nextH < nh && horiz[s.nextH * 3] === dy) {
      const o = s.nextH * 3;
      const a = clampInt(Math.floor(horiz[o + 1] + 0.5)), b = clampInt(Math.floor(horiz[o + 2] + 0.5));
      if (!(a > maxx || b <= 0)) this.fill(out, base, a, b - 1, value);
      s.nextH++;
    }
    if (n < 2) return;
    const xs = this.xs.subarray(0, n).sort();
    for (let i = 0; i + 1 < n; i += 2) {
      if (xs[i] <= maxx && xs[i + 1] > 0) this.fill(out, base, xs[i], xs[i + 1] - 1, value);
    }
  }
}

function clampInt(v: number): number {
  return v < -2147483648 ? -2147483648 : v > 2147483647 ? 2147483647 : v;
}
