/**
 * Zone raster -> polygons, one (multi)polygon per zone code, cell edges exactly (what
 * gdal_polygonize gives with 4-connectedness, merged per code). Written by hand because no npm
 * library polygonises a raster: each cell edge between two different codes is a directed edge
 * with its zone on the right (in pixel space, y down), so outer rings run clockwise on screen
 * and holes counter-clockwise (the GeoJSON writer orients them for map space). An edge is identified by its start vertex and direction, and that
 * pair belongs to exactly one cell, so one byte of direction bits per vertex holds all of them.
 * Edges are chained into rings turning right first at pinch vertices (so rings touching at a
 * corner stay separate), collinear vertices dropped. Cost linear in cells; memory one byte per
 * vertex plus the rings.
 */
import { InternalError } from '../../errors.js';
import type { RasterArray } from '../../io/grid.js';
import { zoneIndex } from '../../models/stats/weights.js';

/** A ring in pixel coordinates (vertex x = column, y = row), closed (first point repeated). */
export type Ring = Array<[number, number]>;

export interface ZonePolygons {
  code: number;
  /** Polygons, each outer ring then its holes (pixel coordinates). */
  polygons: Ring[][];
  cells: number;
  /** Mean cell-centre position in pixel coordinates (x, y). */
  centroid: [number, number];
}

const E = 1, S = 2, W = 4, N = 8;
// vertex offsets per direction
const DX: Record<number, number> = { [E]: 1, [S]: 0, [W]: -1, [N]: 0 };
const DY: Record<number, number> = { [E]: 0, [S]: 1, [W]: 0, [N]: -1 };
// turning right from a direction (screen, y down): E -> S -> W -> N -> E
const RIGHT: Record<number, number> = { [E]: S, [S]: W, [W]: N, [N]: E };
const LEFT: Record<number, number> = { [E]: N, [N]: W, [W]: S, [S]: E };

/** Signed area of a closed ring by the shoelace formula (pixel space: outer rings > 0). */
export function ringArea(r: Ring): number {
  let a = 0;
  for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return a / 2;
}

function inside(r: Ring, x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = r.length - 2; i < r.length - 1; j = i++) {
    const [xi, yi] = r[i], [xj, yj] = r[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/**
 * Polygons of every zone of a raster (row-major, width x height). Cells equal to `nodata` or NaN
 * belong to no zone. Zones are returned by ascending code.
 */
export function polygonize(data: RasterArray, width: number, height: number, nodata: number | null): ZonePolygons[] {
  const W1 = width + 1;
  const bits = new Uint8Array(W1 * (height + 1));
  // dense zone indices (-1 for NoData), so the passes below compare integers
  const { codes, zi, cells } = zoneIndex(data, width, height, nodata);
  const nz = codes.length;
  const sx = new Float64Array(nz), sy = new Float64Array(nz);
  const at = (c: number, r: number): number => (c < 0 || r < 0 || c >= width || r >= height ? -1 : zi[r * width + c]);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    for (let c = 0; c < width; c++) {
      const v = zi[row + c];
      if (v < 0) continue;
      sx[v] += c + 0.5;
      sy[v] += r + 0.5;
      if (r === 0 || zi[row - width + c] !== v) bits[r * W1 + c] |= E; // top edge, from (c, r) east
      if (c === width - 1 || zi[row + c + 1] !== v) bits[r * W1 + c + 1] |= S; // right edge, from (c+1, r) south
      if (r === height - 1 || zi[row + width + c] !== v) bits[(r + 1) * W1 + c + 1] |= W; // bottom edge, from (c+1, r+1) west
      if (c === 0 || zi[row + c - 1] !== v) bits[(r + 1) * W1 + c] |= N; // left edge, from (c, r+1) north
    }
  }
  // the zone of the cell an edge (vertex x, y, direction) bounds
  const owner = (x: number, y: number, d: number): number =>
    d === E ? at(x, y) : d === S ? at(x - 1, y) : d === W ? at(x - 1, y - 1) : at(x, y - 1);
  const rings: Ring[][] = Array.from({ length: nz }, () => []);
  for (let y = 0; y <= height; y++) {
    for (let x = 0; x <= width; x++) {
      while (bits[y * W1 + x]) {
        const b = bits[y * W1 + x];
        const d0 = b & E ? E : b & S ? S : b & W ? W : N;
        const code = owner(x, y, d0);
        const ring: Ring = [[x, y]];
        let cx = x, cy = y, d = d0;
        for (;;) {
          bits[cy * W1 + cx] &= ~d;
          cx += DX[d];
          cy += DY[d];
          const vb = bits[cy * W1 + cx];
          const home = cx === x && cy === y;
          let next = 0;
          for (const t of [RIGHT[d], d, LEFT[d]]) {
            if (home && t === d0) { next = -1; break; } // the ring closes here
            if (vb & t && owner(cx, cy, t) === code) { next = t; break; }
          }
          if (next === 0) throw new InternalError(`polygonize: ring of zone ${codes[code]} broken at vertex (${cx}, ${cy})`);
          if (next < 0) break;
          if (next !== d) ring.push([cx, cy]);
          d = next;
        }
        ring.push([ring[0][0], ring[0][1]]);
        // the start vertex may be a corner kept only because we started there: drop if collinear
        if (ring.length > 4) {
          const [a, s, b2] = [ring[ring.length - 2], ring[0], ring[1]];
          if ((a[0] === s[0] && s[0] === b2[0]) || (a[1] === s[1] && s[1] === b2[1])) {
            ring.shift();
            ring[ring.length - 1] = [ring[0][0], ring[0][1]];
          }
        }
        rings[code].push(ring);
      }
    }
  }
  const out: ZonePolygons[] = [];
  for (let k = 0; k < nz; k++) {
    const all = rings[k];
    const outers = all.filter((r) => ringArea(r) > 0);
    const holes = all.filter((r) => ringArea(r) < 0);
    const polys: Ring[][] = outers.map((o) => [o]);
    const areas = outers.map((o) => ringArea(o));
    for (const h of holes) {
      // a point inside the hole: the centre of the cell on the left of its first edge
      const [x0, y0] = h[0], [x1, y1] = h[1];
      const dx = Math.sign(x1 - x0), dy = Math.sign(y1 - y0);
      // left of direction (dx, dy) on screen is (dy, -dx)
      const px = x0 + dx * 0.5 + dy * 0.5, py = y0 + dy * 0.5 - dx * 0.5;
      let best = -1;
      for (let i = 0; i < outers.length; i++) {
        if ((best < 0 || areas[i] < areas[best]) && inside(outers[i], px, py)) best = i;
      }
      (polys[best >= 0 ? best : 0] ?? polys[0]).push(h);
    }
    out.push({ code: codes[k], polygons: polys, cells: cells[k], centroid: [sx[k] / cells[k], sy[k] / cells[k]] });
  }
  return out;
}

/** Pixel (x, y) -> map coordinates by a GDAL geotransform. */
export function toMap(t: readonly number[], x: number, y: number): [number, number] {
  return [t[0] + x * t[1] + y * t[2], t[3] + x * t[4] + y * t[5]];
}
