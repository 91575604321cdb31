/**
 * Helpers shared by the carbon models: pixel area in hectares, integer land-use checks and
 * dense code look-up tables.
 */
import { ConfigError, InputError } from '../../errors.js';
import { cellArea, Grid, isIntegerDType, isNoData, Raster } from '../../io/grid.js';

/** Float64 NoData written in the carbon rasters (the most negative float32, an impossible value). */
export const CARBON_NODATA = -3.4028234663852886e38;

export interface PixelArea {
  ha: number;
  /** How it was obtained (reported in outputs). */
  source: string;
}

/**
 * Pixel area in hectares: the override when given, else |det(transform)| / 10^4 for a
 * projected grid in metres. Geographic (degree) grids need the override: cells are not equal
 * in area and the engine does not guess.
 */
export function pixelAreaHa(grid: Grid, name: string, override?: number): PixelArea {
  if (override !== undefined) {
    if (!Number.isFinite(override) || override <= 0) throw new ConfigError(`--pixel-area-ha: expected a positive number, got ${override}`);
    return { ha: override, source: '--pixel-area-ha' };
  }
  const crs = grid.crs;
  const modelType = crs?.geoKeys?.[1024];
  const epsg = crs?.epsg;
  if (modelType === 2 || epsg === 4326 || epsg === 4490 || epsg === 4269) {
    throw new ConfigError(`${name}: geographic CRS (degrees): cell areas differ by latitude; reproject to a projected CRS or give --pixel-area-ha`);
  }
  const a = cellArea(grid);
  if (!(a > 0)) throw new InputError(`${name}: cell area ${a} from the geotransform, expected > 0`);
  return { ha: a / 1e4, source: crs ? `geotransform (${a} m2 per cell)` : `geotransform (${a} map units^2 per cell, no CRS: taken as metres)` };
}

export function checkIntegerRaster(r: Pick<Raster, 'dtype'>, name: string, role: string): void {
  if (!isIntegerDType(r.dtype)) throw new InputError(`${name}: ${role} raster must hold integer codes, found ${r.dtype}`);
}

/** Distinct valid codes of an integer raster (NoData skipped), ascending. */
export function codesIn(r: Raster): number[] {
  const d = r.data;
  const nd = r.grid.nodata;
  const seen = new Set<number>();
  let last = NaN;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v === last) continue;
    last = v;
    if (!isNoData(v, nd)) seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Lists like "200, 201, ... (12 codes)" for messages. */
export function listCodes(codes: number[], max = 8): string {
  return codes.length <= max ? codes.join(', ') : `${codes.slice(0, max).join(', ')}, ... (${codes.length} codes)`;
}

/** Widest code range a dense look-up table may span (as the zonal kernel: 64 Mi entries). */
export const MAX_LUT_RANGE = 1 << 26;

/** Checks that sorted codes fit a dense look-up table; returns {min, size}. */
export function lutRange(codes: number[], name: string): { min: number; size: number } {
  if (codes.length === 0) return { min: 0, size: 1 };
  const min = codes[0];
  const size = codes[codes.length - 1] - min + 1;
  if (size > MAX_LUT_RANGE) {
    throw new InputError(`${name}: integer codes span ${min}..${codes[codes.length - 1]}, wider than the ${MAX_LUT_RANGE} codes a look-up table may hold; renumber the codes (e.g. 1..n)`);
  }
  return { min, size };
}
