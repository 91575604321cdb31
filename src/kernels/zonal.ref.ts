/**
 * Plain TypeScript reference of the zonal-sums kernel (assembly/zonal.ts): same rule, same
 * canonical block accumulation, one straightforward loop with Maps. Used by tests (as the
 * independent computation) and by benchmarks (the "TS reference" implementation).
 */
import { isNoData, Raster } from '../io/grid.js';
import type { ZonalResult } from './zonal.js';

export interface ZonalRefInput {
  zones: Raster;
  classes: Raster;
  values?: Raster[];
}

/**
 * Counts and sums per (zone, class). Sums are accumulated per canonical block of
 * `blockCells` cells and block partials added in order, exactly as the kernel does, so
 * results are bit-identical; pass blockCells = Infinity for one plain sequential sum.
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
  const block = Number.isFinite(blockCells) ? blockCells : n;
  const part = new Float64Array(nb);
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    for (let v = 0; v < values.length; v++) {
      // the kernel's order: runs of consecutive equal bins (cells without a bin skipped) are
      // summed first, each run total is added to the bin's block partial, block partials in order
      part.fill(0);
      const d = values[v].data;
      let cur = -1;
      let acc = 0;
      for (let i = s; i < e; i++) {
        const b = bins[i];
        if (b < 0) continue;
        if (b !== cur) {
          if (cur >= 0) part[cur] += acc;
          cur = b;
          acc = 0;
        }
        const x = d[i];
        if (isNoData(x, vNd[v])) missing[v][b]++;
        else acc += x;
      }
      if (cur >= 0) part[cur] += acc;
      for (let b = 0; b < nb; b++) sums[v][b] += part[b];
    }
  }
  return { zoneIds, classCodes, counts, sums, missing, blockCells: block };
}
