/**
 * Zonal sums of GeoTIFF files: validate the grids, scan codes strip by strip, accumulate
 * strips in the shared memory, and turn the result into table rows. Strips keep memory
 * bounded, so rasters larger than one 4 GiB WebAssembly memory stream through.
 */
import { exactProduct } from '../io/numbers.js';
import { basename, extname } from 'node:path';
import { ConfigError, InputError } from '../errors.js';
import { openRaster, readRasterInfo, requireSingleBand, type RasterInfo, type RasterReader } from '../io/geotiff.js';
import { cellArea, checkSameGrid, DTYPE_BYTES, isIntegerDType } from '../io/grid.js';
import { Engine } from '../tiling/engine.js';
import { planBlocks, READER_BYTES } from '../tiling/blocks.js';
import { Block, viewOf } from '../wasm/arena.js';
import { CodeScan, Layer, mergeScans, NeedPresence, scanCodes, ZonalAccumulator, ZonalPlan, ZonalResult } from '../kernels/zonal.js';

export interface ZonalFilesOptions {
  zones: string;
  classes: string;
  values?: string[];
  /** Hectares per cell; default from the grid (map units taken as metres). */
  pixelAreaHa?: number;
  tileRows?: number;
  /** Bytes of raster data read per strip (default 1 GiB); `memory` (the --memory budget) wins when given. */
  stripBytes?: number;
  /** Memory budget (bytes) of the block plan. */
  memory?: number;
  /** At most this many rows per block (tests). */
  maxRows?: number;
  /** Known zone ids (e.g. from a unit table). */
  zoneIds?: number[];
  /** Lower bound of the canonical accumulation block (tests; see ZonalOptions.minBlockCells). */
  minBlockCells?: number;
  /** Notes for the user (assumptions made explicit). */
  note?: (msg: string) => void;
}

export interface ZonalTable {
  columns: string[];
  rows: number[][];
  result: ZonalResult;
  pixelAreaHa: number;
  valueNames: string[];
}

function isGeographic(info: RasterInfo): boolean {
  const crs = info.grid.crs;
  if (!crs) return false;
  if (crs.epsg !== undefined) return crs.epsg >= 4000 && crs.epsg < 5000;
  return crs.geoKeys?.[1024] === 2; // GTModelTypeGeoKey = ModelTypeGeographic
}

/** Hectares per cell from the grid, or an error when the grid cannot tell. */
export function pixelAreaHa(info: RasterInfo, path: string, given: number | undefined, note?: (m: string) => void): number {
  if (given !== undefined) {
    if (!(given > 0) || !Number.isFinite(given)) throw new ConfigError(`--pixel-area-ha: expected a positive number, got ${given}`);
    return given;
  }
  if (isGeographic(info)) {
    throw new InputError(`${path}: geographic CRS (degrees): cells differ in area; reproject to an equal-area CRS or pass --pixel-area-ha`);
  }
  const ha = cellArea(info.grid) / 1e4;
  if (!info.grid.crs) note?.(`${path}: no CRS recorded; taking map units as metres (${ha} ha per cell); pass --pixel-area-ha to override`);
  return ha;
}

function valueNames(paths: string[]): string[] {
  const names = paths.map((p) => basename(p, extname(p)));
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}_${k}`;
  });
}

export async function zonalFiles(engine: Engine, o: ZonalFilesOptions): Promise<ZonalTable> {
  const values = o.values ?? [];
  const zi = requireSingleBand(await readRasterInfo(o.zones));
  const ci = requireSingleBand(await readRasterInfo(o.classes));
  if (!isIntegerDType(zi.dtype)) throw new InputError(`${o.zones}: zone raster must hold integer unit ids, found ${zi.dtype}`);
  if (!isIntegerDType(ci.dtype)) throw new InputError(`${o.classes}: class raster must hold integer class codes, found ${ci.dtype}`);
  checkSameGrid(zi.grid, o.zones, ci.grid, o.classes);
  const vis: RasterInfo[] = [];
  for (const v of values) {
    const vi = requireSingleBand(await readRasterInfo(v));
    checkSameGrid(zi.grid, o.zones, vi.grid, v);
    vis.push(vi);
  }
  const area = pixelAreaHa(zi, o.zones, o.pixelAreaHa, o.note);
  const { width, height } = zi.grid;
  const rowBytes = width * (DTYPE_BYTES[zi.dtype] + DTYPE_BYTES[ci.dtype] + vis.reduce((s, v) => s + Math.max(DTYPE_BYTES[v.dtype], 8 * Number(isIntegerDType(v.dtype))), 0));
  const memory = o.memory ?? Number.MAX_SAFE_INTEGER;
  const fixedBytes = o.memory !== undefined ? READER_BYTES : 0;
  // Rows the budget allows for the two buffer sets (reading one strip while the other is
  // processed); planBlocks names the budget when not even `multipleOf` rows fit.
  const budgetRows = (multipleOf: number) =>
    planBlocks({ width, height, memory, bytesPerCell: (2 * rowBytes) / width, fixedBytes, multipleOf, what: 'zonal' }).rows;
  // Strips are read in whole tile rows of every file (no tile decoded twice), about STRIP_BYTES
  // of raster data each; --block-rows (maxRows) and stripBytes cap them (tests force tiny strips).
  const tileRows = lcmCapped([zi, ci, ...vis].map((i) => i.tileHeight), 4096);
  const stripRows = (avail: number): number => {
    let r = Math.min(avail, Math.max(1, Math.floor(STRIP_BYTES / rowBytes)));
    if (r >= tileRows) r = Math.floor(r / tileRows) * tileRows;
    else if (avail >= tileRows) r = tileRows;
    if (o.maxRows !== undefined) r = Math.min(r, o.maxRows);
    if (o.stripBytes !== undefined) r = Math.min(r, Math.max(1, Math.floor(o.stripBytes / rowBytes)));
    return Math.max(1, Math.min(r, height));
  };

  const readers: RasterReader[] = [];
  const arena = engine.arena;
  const base = arena.mark();
  try {
    for (const p of [o.zones, o.classes, ...values]) readers.push(await openRaster(p));
    const [zr, cr, ...vr] = readers;
    const metas = (rs: RasterReader[]) => rs.map((r) => ({ dtype: r.info.dtype, nodata: r.info.grid.nodata, name: r.info.path }));

    // pass 1: code scans, strip by strip. When the raster is one strip, its zones and classes
    // stay (in the memory, below the accumulator's tables) for pass 2 instead of being decoded twice.
    const R1 = stripRows(budgetRows(1));
    const single = R1 >= height;
    // multi-strip: the scan buffers are freed after each scan, so the accumulator's buffers reuse their pages
    let set1: StripBuffers | null = null;
    const scanAll = async (presence: boolean): Promise<[CodeScan, CodeScan]> => {
      let zs: CodeScan = { minmax: null };
      let cs: CodeScan = { minmax: null };
      const scan = async (layers: Layer[], rows: number) => {
        zs = mergeScans(zs, await scanCodes(engine, layers[0], width, rows, presence));
        cs = mergeScans(cs, await scanCodes(engine, layers[1], width, rows, presence));
      };
      if (set1) await scan(set1.layers(0, height), height); // single strip, kept
      else {
        const mark = arena.mark();
        const set = new StripBuffers(engine, [zr, cr], width, R1, single ? 1 : 2);
        await set.stream(height, R1, (have) => have, scan);
        if (single) set1 = set;
        else arena.release(mark);
      }
      return [zs, cs];
    };
    let [zs, cs] = await scanAll(false);
    const plan = (): ZonalPlan => {
      const [zm, cm] = metas([zr, cr]);
      return { width, zones: zm, classes: cm, values: metas(vr), zoneScan: zs, classScan: cs };
    };
    let acc: ZonalAccumulator;
    try {
      acc = new ZonalAccumulator(engine, plan(), { tileRows: o.tileRows, zoneIds: o.zoneIds, minBlockCells: o.minBlockCells });
    } catch (e) {
      if (!(e instanceof NeedPresence)) throw e;
      [zs, cs] = await scanAll(true);
      acc = new ZonalAccumulator(engine, plan(), { tileRows: o.tileRows, zoneIds: o.zoneIds, minBlockCells: o.minBlockCells });
    }
    // pass 2: strips read in tile rows, accumulated in whole canonical blocks; the rows of a
    // block not yet complete move to the front of the next buffer (results never depend on strips)
    try {
      const B = acc.blockRows;
      if (single) {
        const set2 = new StripBuffers(engine, vr, width, height, 1);
        await set2.stream(height, height, (have) => have, async (vl) => {
          const [zl, cl] = set1!.layers(0, height);
          await acc.addRows(height, { zones: zl, classes: cl, values: vl });
        });
      } else {
        const R2 = stripRows(Math.max(1, budgetRows(B) - (B - 1)));
        const set2 = new StripBuffers(engine, [zr, cr, ...vr], width, Math.min(height, R2 + B - 1), 2);
        await set2.stream(height, R2, (have, last) => (last ? have : Math.floor(have / B) * B), async (layers, k) => {
          await acc.addRows(k, { zones: layers[0], classes: layers[1], values: layers.slice(2) });
        });
      }
    } catch (e) {
      acc.dispose();
      throw e;
    }
    const result = acc.finish();
    return toTable(result, area, valueNames(values));
  } finally {
    arena.release(base);
    for (const r of readers) await r.close();
  }
}

/** Raster data per read strip (all layers): large enough to keep every I/O worker busy, small enough that its pages are touched once and reused. */
const STRIP_BYTES = 48 * 2 ** 20;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Least common multiple of the block heights, or their maximum when that passes `cap`. */
function lcmCapped(xs: number[], cap: number): number {
  let l = 1;
  for (const x of xs) l = (l / gcd(l, x)) * x;
  return l <= cap ? l : Math.max(...xs);
}

/**
 * One or two sets of buffers in the engine's memory, one buffer per layer, `cap` rows each:
 * strips are read straight into them (the I/O workers write the decoded rows there). With two
 * sets the next strip is read while `work` runs on the current one. Of the `have` rows
 * buffered, `take(have, last)` says how many `work` consumes; the rest move to the front of
 * the next buffer and the next strip lands after them.
 */
class StripBuffers {
  private readonly blocks: Block[][];

  constructor(private readonly engine: Engine, private readonly readers: RasterReader[], private readonly width: number, cap: number, sets: number) {
    this.blocks = Array.from({ length: sets }, () => readers.map((r) => engine.arena.alloc(r.info.dtype, width * cap, r.info.path)));
  }

  /** Layers over the first `rows` rows of set `k`. */
  layers(k: number, rows: number): Layer[] {
    return this.blocks[k].map((b, i) => {
      const info = this.readers[i].info;
      const n = rows * this.width;
      const sub: Block = { ptr: b.ptr, length: n, dtype: b.dtype, view: () => viewOf(this.engine.memory, b.dtype, b.ptr, n) };
      return { dtype: info.dtype, data: sub.view(), nodata: info.grid.nodata, name: info.path, block: sub };
    });
  }

  private read(k: number, at: number, row0: number, rows: number): Promise<unknown> {
    const w = this.width;
    const p = Promise.all(this.blocks[k].map((b, i) =>
      this.readers[i].read({ window: { col0: 0, row0, width: w, height: rows }, into: viewOf(this.engine.memory, b.dtype, b.ptr + at * w * DTYPE_BYTES[b.dtype], rows * w) }),
    ));
    p.catch(() => {}); // awaited in order below
    return p;
  }

  /** Rows [row, row + rows) of set `from` to the front of set `to`. */
  private moveRows(from: number, to: number, row: number, rows: number): void {
    if (rows === 0) return;
    const u8 = new Uint8Array(this.engine.memory.buffer);
    this.blocks[from].forEach((b, i) => {
      const rowBytes = DTYPE_BYTES[b.dtype] * this.width;
      u8.copyWithin(this.blocks[to][i].ptr, b.ptr + row * rowBytes, b.ptr + (row + rows) * rowBytes);
    });
  }

  async stream(height: number, strip: number, take: (have: number, last: boolean) => number, work: (layers: Layer[], rows: number) => Promise<void>): Promise<void> {
    const two = this.blocks.length === 2;
    let cur = 0, have = 0;
    let pending = this.read(0, 0, 0, Math.min(strip, height));
    try {
      for (let row0 = 0; row0 < height; row0 += strip) {
        const n = Math.min(strip, height - row0);
        await pending;
        have += n;
        const last = row0 + n >= height;
        const k = take(have, last);
        const left = have - k;
        const nextRows = Math.min(strip, height - row0 - n);
        if (two && !last) {
          this.moveRows(cur, 1 - cur, k, left);
          pending = this.read(1 - cur, left, row0 + n, nextRows);
        }
        if (k > 0) await work(this.layers(cur, k), k);
        if (!two && !last) {
          this.moveRows(0, 0, k, left);
          pending = this.read(0, left, row0 + n, nextRows);
        }
        if (two) cur = 1 - cur;
        have = left;
      }
    } finally {
      await pending.catch(() => {});
    }
  }
}

/** Rows (zone, class, cells, area_ha, one sum per value raster [, its NoData cells]) for bins with cells. */
export function toTable(result: ZonalResult, pixelAreaHa: number, names: string[]): ZonalTable {
  const withMissing = result.missing.map((m) => m.some((x) => x > 0));
  const columns = ['zone', 'class', 'cells', 'area_ha'];
  names.forEach((n, v) => {
    columns.push(n);
    if (withMissing[v]) columns.push(`${n}_nodata_cells`);
  });
  const nc = result.classCodes.length;
  const rows: number[][] = [];
  result.zoneIds.forEach((z, zi) => {
    result.classCodes.forEach((c, ci) => {
      const b = zi * nc + ci;
      const cells = result.counts[b];
      if (cells === 0) return;
      const row = [z, c, cells, exactProduct(cells, pixelAreaHa)];
      names.forEach((_, v) => {
        row.push(result.sums[v][b]);
        if (withMissing[v]) row.push(result.missing[v][b]);
      });
      rows.push(row);
    });
  });
  return { columns, rows, result, pixelAreaHa, valueNames: names };
}
