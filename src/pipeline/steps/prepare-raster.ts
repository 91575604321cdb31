/**
 * `prepare distance` and `prepare slope`: rasters derived on the land-use grid.
 *
 * Distance (gdal_proximity's definition, DISTUNITS=GEO): for every cell, the Euclidean distance
 * in map units from its centre to the centre of the nearest target cell; target cells are 0.
 * Targets are the non-zero cells of a raster (or those equal to --values), NoData cells never;
 * vector features are rasterised first as gdal_rasterize does by default (polygons by cell
 * centre, lines by Bresenham's walk between the cells of their vertices, points to the cell
 * that holds them). Computed exactly by the separable distance transform of
 * Felzenszwalb & Huttenlocher (2012, Theory of Computing 8: 415-428): per row the distance to
 * the nearest target in the row, then per column the lower envelope of parabolas; linear in
 * cells. Memory is bounded by the block plan: pass 1 streams row blocks into a scratch file
 * beside the output (4 bytes per cell), pass 2 reads column strips of it into a second scratch
 * file (4 bytes per cell), pass 3 streams the result rows into the GeoTIFF.
 * Rounding follows GDAL's for square pixels (float32 distance in pixels, times the pixel width,
 * to float32), so outputs equal gdal_proximity's. For non-square pixels GDAL multiplies pixel
 * distances by the pixel width only ("Pixels not square, distances will be inaccurate"); here
 * both axes are scaled, so the distance stays Euclidean in map units.
 *
 * Slope (gdaldem slope, Horn 1981, Proc. IEEE 69: 14-47): degrees from the 3 x 3 window,
 *   dx = ((z1 + 2 z4 + z7) - (z3 + 2 z6 + z9)) / ew, dy = ((z7 + 2 z8 + z9) - (z1 + 2 z2 + z3)) / ns,
 *   slope = atan(sqrt(dx^2 + dy^2) / 8) in degrees, window sums in float32 as gdaldem adds them.
 * As gdaldem without -compute_edges: the first and last rows and columns, and every cell whose
 * window holds NoData, are NoData (-9999), so no slope is invented where the DEM says nothing.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, InputError } from '../../errors.js';
import { readRaster, readRasterInfo, requireSingleBand } from '../../io/geotiff.js';
import { checkSameGrid, DTYPE_BYTES, isNoData, pixelSize, type Grid } from '../../io/grid.js';
import { registerTemp, releaseTemp } from '../../io/session.js';
import { readVector, isVectorPath } from '../../io/vector/read.js';
import { Burner, burnable, clockwise, type Burnable } from '../../io/vector/rasterize.js';
import { openBlockOutput, planBlocks, readBlock, runBlocks, writerBytes, READER_BYTES } from '../../tiling/blocks.js';
import { pixelMapper, polygonRings, type BlockOpts } from './prepare.js';

export interface DistanceStepInput extends BlockOpts {
  /** Target features: a vector layer (GeoJSON / shapefile) or a raster. */
  to: string;
  /** Grid of the output (required for a vector; a raster target must be on it when given). */
  like?: string;
  /** Raster targets: cell values that are targets (default: every non-zero, non-NoData cell). */
  values?: number[];
  out: string;
}

export interface DistanceStepResult {
  targets: number;
  max: number;
  grid: Grid;
}

/** The target cells of one block of rows, as 0/1. */
type TargetSource = { grid: Grid; rows: (row0: number, rows: number) => Promise<Uint8Array>; bytesPerCell: number };

async function vectorTargets(path: string, gridPath: string): Promise<TargetSource> {
  const grid = requireSingleBand(await readRasterInfo(gridPath)).grid;
  const layer = await readVector(path);
  if (layer.features.length === 0) throw new InputError(`${path}: the layer has no features (expected features to measure distance to)`);
  const m = pixelMapper(layer, grid, gridPath);
  const items: Burnable[] = [];
  const points: Array<[number, number]> = [];
  for (const f of layer.features) {
    const where = `${path}: feature ${f.index}`;
    const g = f.geometry;
    if (g && (g.type === 'Point' || g.type === 'MultiPoint')) {
      const list = (g.type === 'Point' ? [g.coordinates] : (g.coordinates as unknown[])) as unknown[];
      for (const p of list) {
        if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new InputError(`${where}: point ${JSON.stringify(p)} (expected [x, y] finite numbers)`);
        const q = m.pixel(m.map(p as number[]));
        points.push([Math.floor(q[0]), Math.floor(q[1])]);
      }
      continue;
    }
    if (g && (g.type === 'LineString' || g.type === 'MultiLineString')) {
      const parts = (g.type === 'LineString' ? [g.coordinates] : (g.coordinates as unknown[])) as unknown[];
      for (const part of parts) {
        if (!Array.isArray(part) || part.length < 2) throw new InputError(`${where}: a line has ${Array.isArray(part) ? part.length : 0} positions (expected at least 2)`);
        const px = part.map((p) => {
          if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new InputError(`${where}: position ${JSON.stringify(p)} (expected [x, y] finite numbers)`);
          return m.pixel(m.map(p as number[]));
        });
        for (let k = 1; k < px.length; k++) lineCells(px[k - 1], px[k], grid.width, grid.height, points);
      }
      continue;
    }
    const rings = polygonRings(g, where).map((r) => clockwise(r.map(m.map)).map(m.pixel));
    const b = burnable(rings, 1);
    if (b) items.push(b);
  }
  points.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const burner = new Burner(items, grid.width, grid.height);
  let pi = 0;
  return {
    grid,
    bytesPerCell: 1,
    rows: async (row0, rows) => {
      const a = new Uint8Array(rows * grid.width);
      burner.burnRows(row0, rows, a);
      while (pi < points.length && points[pi][1] < row0) pi++;
      for (; pi < points.length && points[pi][1] < row0 + rows; pi++) {
        const [x, y] = points[pi];
        if (x >= 0 && x < grid.width && y >= 0) a[(y - row0) * grid.width + x] = 1;
      }
      return a;
    },
  };
}

async function rasterTargets(path: string, values: number[] | undefined, like: string | undefined): Promise<TargetSource> {
  const info = requireSingleBand(await readRasterInfo(path));
  if (like) checkSameGrid(requireSingleBand(await readRasterInfo(like)).grid, like, info.grid, path);
  const grid = info.grid;
  const set = values ? new Set(values) : null;
  return {
    grid,
    bytesPerCell: DTYPE_BYTES[info.dtype] + 1,
    rows: async (row0, rows) => {
      const r = await readRaster(path, { window: { col0: 0, row0, width: grid.width, height: rows } });
      const a = new Uint8Array(rows * grid.width);
      const nd = grid.nodata !== null && r.dtype === 'float32' ? Math.fround(grid.nodata) : grid.nodata;
      for (let k = 0; k < a.length; k++) {
        const v = r.data[k];
        if (isNoData(v, nd)) continue;
        a[k] = set ? (set.has(v) ? 1 : 0) : v !== 0 ? 1 : 0;
      }
      return a;
    },
  };
}

/**
 * The cells gdal_rasterize burns for a line segment without ALL_TOUCHED (GDALdllImageLine):
 * Bresenham's walk between the cells holding the two ends (floor of the pixel coordinates),
 * both ends included, cells off the grid skipped; on a tie (error exactly 0) the minor axis
 * steps, which is what GDAL 3.6 burns (tested on random lines against gdal_rasterize).
 */
export function lineCells(a: number[], b: number[], width: number, height: number, out: Array<[number, number]>): void {
  let x = Math.floor(a[0]), y = Math.floor(a[1]);
  const x1 = Math.floor(b[0]), y1 = Math.floor(b[1]);
  let dx = Math.abs(x1 - x), dy = Math.abs(y1 - y);
  const sx = x > x1 ? -1 : 1, sy = y > y1 ? -1 : 1;
  const plot = () => {
    if (x >= 0 && x < width && y >= 0 && y < height) out.push([x, y]);
  };
  if (dx >= dy) {
    const xErr = 2 * dy, yErr = xErr - 2 * dx;
    let err = xErr - dx;
    while (dx-- >= 0) {
      plot();
      x += sx;
      if (err >= 0) { y += sy; err += yErr; } else err += xErr;
    }
  } else {
    const xErr = 2 * dx, yErr = xErr - 2 * dy;
    let err = xErr - dy;
    while (dy-- >= 0) {
      plot();
      y += sy;
      if (err >= 0) { x += sx; err += yErr; } else err += xErr;
    }
  }
}

/** pread/pwrite helpers on a raw scratch file. */
function readAt(fd: number, buf: Uint8Array, pos: number): void {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos + off);
    if (n <= 0) throw new InputError(`distance scratch file: short read at byte ${pos + off}`);
    off += n;
  }
}
function writeAt(fd: number, buf: Uint8Array, pos: number): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, pos + off);
}

/**
 * Felzenszwalb-Huttenlocher 1D squared distance transform: d[p] = min_q f[q] + ((p - q) s)^2
 * over the finite f[q] (f = Infinity elsewhere). v, z are scratch of n and n + 1.
 */
export function edt1d(f: Float64Array, n: number, s2: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let sIntersect: number;
    for (;;) {
      const r = v[k];
      // intersection of the parabolas from r and q (in index units)
      sIntersect = ((f[q] + s2 * q * q) - (f[r] + s2 * r * r)) / (2 * s2 * (q - r));
      if (sIntersect <= z[k] && k > 0) k--;
      else break;
    }
    if (sIntersect <= z[k]) {
      // k = 0 and q dominates r everywhere
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    k++;
    v[k] = q;
    z[k] = sIntersect;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  let j = 0;
  for (let p = 0; p < n; p++) {
    while (z[j + 1] < p) j++;
    const dq = p - v[j];
    d[p] = s2 * dq * dq + f[v[j]];
  }
}

export async function distanceStep(i: DistanceStepInput): Promise<DistanceStepResult> {
  const vector = isVectorPath(i.to);
  if (vector && !i.like) throw new ConfigError(`${i.to}: a vector target needs a grid to rasterise onto (give the land-use raster as like)`);
  if (vector && i.values) throw new ConfigError(`${i.to}: values select cells of a raster target; a vector's features are all targets`);
  const src = vector ? await vectorTargets(i.to, i.like!) : await rasterTargets(i.to, i.values, i.like);
  const grid = src.grid;
  const { width: W, height: H } = grid;
  const px = pixelSize(grid);
  const square = Math.abs(px.x - px.y) <= 1e-9 * px.x;
  // square pixels: work in pixels (integers, exact) and scale as GDAL does; else scale both axes
  const sx = square ? 1 : px.x, sy = square ? 1 : px.y;
  // scratch beside the output (its filesystem holds the output: 4 bytes per cell; the scratch is 8)
  mkdirSync(dirname(resolve(i.out)), { recursive: true });
  const dir = mkdtempSync(join(dirname(resolve(i.out)), `.${basename(i.out)}.distance-`));
  const fileG = join(dir, 'rows.i32'), fileD = join(dir, 'dist.f32');
  registerTemp(fileG);
  registerTemp(fileD);
  const fdG = openSync(fileG, 'w+'), fdD = openSync(fileD, 'w+');
  let targets = 0;
  let max = 0;
  try {
    // pass 1: per row, the distance in cells to the nearest target in the row (-1: none in the row)
    const p1 = planBlocks({ width: W, height: H, memory: i.memory, maxRows: i.maxRows, bytesPerCell: src.bytesPerCell + 4, fixedBytes: READER_BYTES, what: 'prepare distance' });
    for (const b of p1.blocks) {
      const t = await src.rows(b.row0, b.rows);
      const g = new Int32Array(b.rows * W);
      for (let r = 0; r < b.rows; r++) {
        const o = r * W;
        let last = -1;
        for (let x = 0; x < W; x++) {
          if (t[o + x]) { last = x; targets++; }
          g[o + x] = last < 0 ? -1 : x - last;
        }
        last = -1;
        for (let x = W - 1; x >= 0; x--) {
          if (t[o + x]) last = x;
          if (last >= 0 && (g[o + x] < 0 || last - x < g[o + x])) g[o + x] = last - x;
        }
      }
      writeAt(fdG, new Uint8Array(g.buffer), b.row0 * W * 4);
    }
    if (targets === 0) throw new InputError(`${i.to}: no target cell on the grid (${vector ? 'no feature covers a cell centre' : i.values ? `no cell equals ${i.values.join(', ')}` : 'every cell is 0 or NoData'}); expected at least one`);
    // pass 2: column strips, lower envelope of parabolas down each column
    // per column of a strip: its row distances (4) and output (4); per strip: f, d, v, z of one column (8 + 8 + 4 + 8)
    const p2 = planBlocks({ width: H, height: W, memory: i.memory, maxRows: i.maxRows, bytesPerCell: 4 + 4, fixedBytes: 28 * (H + 1), what: 'prepare distance' });
    const f = new Float64Array(H), d = new Float64Array(H), v = new Int32Array(H), z = new Float64Array(H + 1);
    const s2 = sy * sy;
    for (const strip of p2.blocks) {
      const c0 = strip.row0, nc = strip.rows;
      const colsIn = new Int32Array(nc * H); // column-major
      const rowBuf = new Int32Array(nc);
      const rowBytes = new Uint8Array(rowBuf.buffer);
      for (let y = 0; y < H; y++) {
        readAt(fdG, rowBytes, (y * W + c0) * 4);
        for (let c = 0; c < nc; c++) colsIn[c * H + y] = rowBuf[c];
      }
      const out = new Float32Array(nc * H); // column-major
      for (let c = 0; c < nc; c++) {
        for (let y = 0; y < H; y++) {
          const gx = colsIn[c * H + y];
          f[y] = gx < 0 ? Infinity : (gx * sx) * (gx * sx);
        }
        edt1d(f, H, s2, d, v, z);
        for (let y = 0; y < H; y++) {
          // GDAL: sqrt in double to float32 (pixels), then times the pixel width, to float32
          const dist = square ? Math.fround(Math.fround(Math.sqrt(d[y])) * px.x) : Math.fround(Math.sqrt(d[y]));
          out[c * H + y] = dist;
          if (dist > max) max = dist;
        }
      }
      const row = new Float32Array(nc);
      const rb = new Uint8Array(row.buffer);
      for (let y = 0; y < H; y++) {
        for (let c = 0; c < nc; c++) row[c] = out[c * H + y];
        writeAt(fdD, rb, (y * W + c0) * 4);
      }
    }
    // pass 3: rows into the GeoTIFF
    const outGrid: Grid = { ...grid, nodata: null };
    const p3 = planBlocks({ width: W, height: H, memory: i.memory, maxRows: i.maxRows, bytesPerCell: 4, fixedBytes: writerBytes(W, 1, 'float32'), what: 'prepare distance' });
    const o = openBlockOutput(i.out, { grid: outGrid, dtype: 'float32' });
    await runBlocks(p3, [o], async (b) => {
      const a = new Float32Array(b.rows * W);
      readAt(fdD, new Uint8Array(a.buffer), b.row0 * W * 4);
      await o.write(b, [a]);
    });
  } finally {
    closeSync(fdG);
    closeSync(fdD);
    rmSync(dir, { recursive: true, force: true });
    releaseTemp(fileG);
    releaseTemp(fileD);
  }
  return { targets, max, grid };
}

export interface SlopeStepInput extends BlockOpts {
  dem: string;
  out: string;
}

export const SLOPE_NODATA = -9999;

export async function slopeStep(i: SlopeStepInput): Promise<{ valid: number; max: number; grid: Grid }> {
  const info = requireSingleBand(await readRasterInfo(i.dem));
  const grid = info.grid;
  const { width: W, height: H } = grid;
  const ew = grid.transform[1], ns = grid.transform[5];
  if (grid.transform[2] !== 0 || grid.transform[4] !== 0) throw new InputError(`${i.dem}: the grid is rotated (row/column rotation ${grid.transform[2]}, ${grid.transform[4]}); expected a north-up DEM`);
  const nd = grid.nodata === null ? null : info.dtype === 'float32' ? Math.fround(grid.nodata) : grid.nodata;
  const plan = planBlocks({ width: W, height: H, memory: i.memory, maxRows: i.maxRows, halo: 1, bytesPerCell: DTYPE_BYTES[info.dtype] + 4, fixedBytes: READER_BYTES + writerBytes(W, 1, 'float32'), what: 'prepare slope' });
  const out = openBlockOutput(i.out, { grid: { ...grid, nodata: SLOPE_NODATA }, dtype: 'float32' });
  const DEG = 180 / Math.PI;
  const F = Math.fround;
  let valid = 0, max = 0;
  await runBlocks(plan, [out], async (b) => {
    const r = await readBlock(i.dem, b, W);
    const z = r.data;
    const a = new Float32Array(b.rows * W).fill(SLOPE_NODATA);
    for (let yy = 0; yy < b.rows; yy++) {
      const y = b.row0 + yy;
      if (y === 0 || y === H - 1) continue;
      const c = (yy + b.haloTop) * W; // centre row in the block with halo
      const u = c - W, dn = c + W;
      for (let x = 1; x < W - 1; x++) {
        const z1 = z[u + x - 1], z2 = z[u + x], z3 = z[u + x + 1];
        const z4 = z[c + x - 1], z5 = z[c + x], z6 = z[c + x + 1];
        const z7 = z[dn + x - 1], z8 = z[dn + x], z9 = z[dn + x + 1];
        if (isNoData(z1, nd) || isNoData(z2, nd) || isNoData(z3, nd) || isNoData(z4, nd) || isNoData(z5, nd) || isNoData(z6, nd) || isNoData(z7, nd) || isNoData(z8, nd) || isNoData(z9, nd)) continue;
        const dx = F(F(F(F(z1 + z4) + z4) + z7) - F(F(F(z3 + z6) + z6) + z9)) / ew;
        const dy = F(F(F(F(z7 + z8) + z8) + z9) - F(F(F(z1 + z2) + z2) + z3)) / ns;
        const s = F(Math.atan(Math.sqrt(dx * dx + dy * dy) / 8) * DEG);
        a[yy * W + x] = s;
        valid++;
        if (s > max) max = s;
      }
    }
    await out.write(b, [a]);
  });
  return { valid, max, grid };
}
