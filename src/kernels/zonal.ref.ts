/**
 * Plain TypeScript reference of the zonal-sums kernel (assembly/zonal.ts): same rule, same
 * canonical block accumulation, one straightforward loop with Maps. Used by tests (as the
 * independent computation) and by benchmarks (the "TS reference" implementation).
 */
import { isNoData, Raster } from '../io/grid.js';
import type { ZonalResult } from './zonal.js';

/** Cells per chunk of the kernel's addition order (assembly/zonal.ts, CHUNK). */
const CHUNK = 16;

const chunkX = new Float64Array(16);

/**
 * The kernel's chunk tree over d[i .. i+15]: holes (zd[i + j] === zn, the zone NoData) and
 * NaN/NoData values count as 0; NaN/NoData values of cells that are not holes are added to miss[b].
 */
function chunkSum(d: ArrayLike<number>, i: number, nd: number | null, zd: ArrayLike<number>, zn: number, miss: Float64Array, b: number): number {
  const x = chunkX;
  for (let j = 0; j < 16; j++) {
    const y = d[i + j];
    if (zd[i + j] === zn) x[j] = 0;
    else if (isNoData(y, nd)) {
      miss[b]++;
      x[j] = 0;
    } else x[j] = y;
  }
  const l0 = ((x[0] + x[2]) + (x[4] + x[6])) + ((x[8] + x[10]) + (x[12] + x[14]));
  const l1 = ((x[1] + x[3]) + (x[5] + x[7])) + ((x[9] + x[11]) + (x[13] + x[15]));
  return l0 + l1;
}

export interface ZonalRefInput {
  zones: Raster;
  classes: Raster;
  values?: Raster[];
}

/**
 * Counts and sums per (zone, class). Sums are accumulated per canonical block of
 * `blockCells` cells and block partials added in order, with the kernel's 16-cell chunks,
 * exactly as the kernel does, so results are bit-identical; pass blockCells = Infinity for one
 * plain sequential sum (cell by cell, the plain-TS baseline of the benchmarks).
 */
export function zonalSumsRef(input: ZonalRefInput, blockCells: number): ZonalResult {
  const { zones, classes } = input;
  const values = input.values ?? [];
  const n = zones.data.length;
  const zNd = zones.grid.nodata;
  const cNd = classes.grid.nodata;
  const zoneSet = new Set<number>();
  const classSet = new Set<number>();
  // zones and classes listed: those with at least one cell where both are valid
  for (let i = 0; i < n; i++) {
    const z = zones.data[i];
    const c = classes.data[i];
    if (!isNoData(z, zNd) && !isNoData(c, cNd)) {
      zoneSet.add(z);
      classSet.add(c);
    }
  }
  const zoneIds = [...zoneSet].sort((a, b) => a - b);
  const classCodes = [...classSet].sort((a, b) => a - b);
  const nc = classCodes.length;
  const nb = zoneIds.length * nc;
  const counts = new Float64Array(nb);
  const sums = values.map(() => new Float64Array(nb));
  const missing = values.map(() => new Float64Array(nb));
  const vNd = values.map((v) => (v.grid.nodata === null ? null : v.dtype === 'float32' ? Math.fround(v.grid.nodata) : v.grid.nodata));
  // code -> index look-ups as typed arrays over [min, max] (what a careful plain-TS version does)
  const lutOf = (codes: number[], stride: number) => {
    const lo = codes.length ? codes[0] : 0;
    const t = new Int32Array(codes.length ? codes[codes.length - 1] - lo + 1 : 1).fill(-1);
    codes.forEach((c, i) => (t[c - lo] = i * stride));
    return { lo, t };
  };
  const zl = lutOf(zoneIds, nc);
  const cl = lutOf(classCodes, 1);
  const bins = new Int32Array(n);
  const zd = zones.data, cd = classes.data;
  const zn = zNd ?? NaN, cn = cNd ?? NaN;
  for (let i = 0; i < n; i++) {
    const z = zd[i], c = cd[i];
    if (z === zn || c === cn) {
      bins[i] = -1;
      continue;
    }
    const zi = zl.t[z - zl.lo], ci = cl.t[c - cl.lo];
    const b = zi === undefined || ci === undefined || zi < 0 || ci < 0 ? -1 : zi + ci;
    bins[i] = b;
    if (b >= 0) counts[b]++;
  }
  // a hole: a cell of the zone raster's NoData (an unrepresentable NoData matches no cell)
  const block = Number.isFinite(blockCells) ? blockCells : n;
  // Infinity: one plain sequential sum (no blocks, no chunks), an independent order
  const chunked = Number.isFinite(blockCells);
  const part = new Float64Array(nb);
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    for (let v = 0; v < values.length; v++) {
      // the kernel's order: runs of consecutive equal bins (cells without a bin skipped) are
      // summed first, each run total is added to the bin's block partial, block partials in
      // order; chunks of 16 cells (from the block's first cell) whose cells are all of one
      // valid bin or holes join their run as one step, their values summed by the kernel's
      // fixed tree (holes and NaN/NoData as 0; see assembly/zonal.ts, the chunk rule)
      part.fill(0);
      const d = values[v].data;
      const nd = vNd[v];
      let cur = -1;
      let acc = 0;
      let i = s;
      while (i < e) {
        let end = e;
        if (chunked && i + CHUNK <= e) {
          // uniform chunk: every cell that is not a hole (zone NoData) has the same bin b >= 0
          let b = -1;
          let uniform = true;
          for (let j = 0; j < CHUNK && uniform; j++) {
            if (zd[i + j] === zn) continue;
            if (bins[i + j] < 0 || (b >= 0 && bins[i + j] !== b)) uniform = false;
            else b = bins[i + j];
          }
          if (uniform && b >= 0) {
            if (b !== cur) {
              if (cur >= 0) part[cur] += acc;
              cur = b;
              acc = 0;
            }
            acc += chunkSum(d, i, nd, zd, zn, missing[v], b);
            i += CHUNK;
            continue;
          }
          end = i + CHUNK;
        }
        for (; i < end; i++) {
          const b = bins[i];
          if (b < 0) continue;
          if (b !== cur) {
            if (cur >= 0) part[cur] += acc;
            cur = b;
            acc = 0;
          }
          const x = d[i];
          if (isNoData(x, nd)) missing[v][b]++;
          else acc += x;
        }
      }
      if (cur >= 0) part[cur] += acc;
      for (let b = 0; b < nb; b++) sums[v][b] += part[b];
    }
  }
  return { zoneIds, classCodes, counts, sums, missing, blockCells: block };
}
