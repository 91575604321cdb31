/**
 * Zonal sums of GeoTIFF files: validate the grids, scan codes strip by strip, accumulate
 * strips in the shared memory, and turn the result into table rows. Strips keep memory
 * bounded, so rasters larger than one 4 GiB WebAssembly memory stream through.
 */
import { basename, extname } from 'node:path';
import { ConfigError, InputError } from '../errors.js';
import { readRaster, readRasterInfo, requireSingleBand, RasterInfo } from '../io/geotiff.js';
import { cellArea, checkSameGrid, DTYPE_BYTES, isIntegerDType } from '../io/grid.js';
import { Engine } from '../tiling/engine.js';
import { planBlocks, READER_BYTES } from '../tiling/blocks.js';
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
  // --memory bounds the blocks; without it, stripBytes caps rows per block (at least one accumulation block)
  const stripRows = o.memory === undefined ? Math.max(1, Math.floor((o.stripBytes ?? 2 ** 30) / rowBytes)) : undefined;
  const blocks = (multipleOf = 1) =>
    planBlocks({
      width, height, memory: o.memory ?? Number.MAX_SAFE_INTEGER, maxRows: o.maxRows ?? stripRows, bytesPerCell: rowBytes / width,
      fixedBytes: o.memory !== undefined ? READER_BYTES : 0, multipleOf, what: 'zonal',
    }).blocks;

  const readLayer = async (path: string, info: RasterInfo, row0: number, rows: number): Promise<Layer> => {
    const r = await readRaster(path, { window: { col0: 0, row0, width, height: rows } });
    return { dtype: r.dtype, data: r.data, nodata: info.grid.nodata, name: path };
  };

  // pass 1: code scans, strip by strip. When the raster is one block, its zones and classes are
  // kept for pass 2 instead of being decoded twice (they are within the budget either way).
  type Kept = { zones: Layer; classes: Layer };
  let whole: Kept | null = null;
  const scanAll = async (presence: boolean): Promise<[CodeScan, CodeScan]> => {
    let zs: CodeScan = { minmax: null };
    let cs: CodeScan = { minmax: null };
    const bs = blocks();
    for (const { row0: r, rows } of bs) {
      const [zl, cl] = whole && bs.length === 1
        ? [whole.zones, whole.classes]
        : await Promise.all([readLayer(o.zones, zi, r, rows), readLayer(o.classes, ci, r, rows)]);
      if (bs.length === 1) whole = { zones: zl, classes: cl };
      zs = mergeScans(zs, await scanCodes(engine, zl, width, rows, presence));
      cs = mergeScans(cs, await scanCodes(engine, cl, width, rows, presence));
    }
    return [zs, cs];
  };
  let [zs, cs] = await scanAll(false);
  const plan = (): ZonalPlan => ({
    width,
    zones: { dtype: zi.dtype, nodata: zi.grid.nodata, name: o.zones },
    classes: { dtype: ci.dtype, nodata: ci.grid.nodata, name: o.classes },
    values: vis.map((v, i) => ({ dtype: v.dtype, nodata: v.grid.nodata, name: values[i] })),
    zoneScan: zs,
    classScan: cs,
  });
  let acc: ZonalAccumulator;
  try {
    acc = new ZonalAccumulator(engine, plan(), { tileRows: o.tileRows, zoneIds: o.zoneIds });
  } catch (e) {
    if (!(e instanceof NeedPresence)) throw e;
    [zs, cs] = await scanAll(true);
    acc = new ZonalAccumulator(engine, plan(), { tileRows: o.tileRows, zoneIds: o.zoneIds });
  }
  // pass 2: strips of whole canonical blocks
  try {
    const bs = blocks(acc.blockRows);
    const kept = bs.length === 1 ? (whole as Kept | null) : null;
    whole = null;
    for (const { row0: r, rows } of bs) {
      const [zl, cl, ...vl] = await Promise.all([
        kept ? kept.zones : readLayer(o.zones, zi, r, rows),
        kept ? kept.classes : readLayer(o.classes, ci, r, rows),
        ...values.map((v, i) => readLayer(v, vis[i], r, rows)),
      ]);
      await acc.addRows(rows, { zones: zl, classes: cl, values: vl });
    }
  } catch (e) {
    acc.dispose();
    throw e;
  }
  const result = acc.finish();
  return toTable(result, area, valueNames(values));
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
      const row = [z, c, cells, cells * pixelAreaHa];
      names.forEach((_, v) => {
        row.push(result.sums[v][b]);
        if (withMissing[v]) row.push(result.missing[v][b]);
      });
      rows.push(row);
    });
  });
  return { columns, rows, result, pixelAreaHa, valueNames: names };
}
