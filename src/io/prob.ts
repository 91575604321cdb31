/**
 * Probability rasters stored as UInt16 or Float32.
 *
 * UInt16 rule: v = round(p x 65535), capped at 65534; 65535 is NoData; p is read back as
 * v / 65535. Resolution 1.5e-5, absolute error at most 0.5 / 65535 = 7.6e-6 (1 / 65535 for
 * p above 65534.5 / 65535, which the cap stores as 65534). Float32 keeps p as computed,
 * NoData NaN. Readers accept both: probabilityScale(dtype) is the factor to apply.
 */
import { ConfigError, InputError } from '../errors.js';
import type { DType, Grid } from './grid.js';
import { createGeoTIFFWriter, type WriteOptions } from './geotiff.js';

export type ProbType = 'uint16' | 'float32';
export const PROB_U16_SCALE = 65535;
export const PROB_U16_NODATA = 65535;
/** Above this many cells `suitability` writes UInt16 unless told otherwise (4096 x 4096). */
export const PROB_U16_DEFAULT_ABOVE = 4096 * 4096;

/** p -> stored UInt16 (NaN -> NoData). */
export function encodeProbU16(p: number): number {
  if (p !== p) return PROB_U16_NODATA;
  const v = Math.round(p * PROB_U16_SCALE);
  return v < 0 ? 0 : v > PROB_U16_NODATA - 1 ? PROB_U16_NODATA - 1 : v;
}

/** Factor turning a stored probability of `dtype` into p: 1/65535 for uint16, 1 for float types. */
export function probabilityScale(dtype: DType, path: string): number {
  if (dtype === 'uint16') return 1 / PROB_U16_SCALE;
  if (dtype === 'float32' || dtype === 'float64') return 1;
  throw new InputError(`${path}: probabilities must be float32, float64 or uint16 (p x 65535), found ${dtype}`);
}

/** The --prob-type to use: the given one, or uint16 above PROB_U16_DEFAULT_ABOVE cells. */
export function resolveProbType(given: string | undefined, cells: number): ProbType {
  if (given === undefined || given === 'auto') return cells > PROB_U16_DEFAULT_ABOVE ? 'uint16' : 'float32';
  if (given !== 'uint16' && given !== 'float32') throw new ConfigError(`--prob-type: expected uint16, float32 or auto, got ${JSON.stringify(given)}`);
  return given;
}

/** Planes of p as stored for `type` (float32: the planes themselves; uint16: encodeProbU16 of each value). */
export function storedProbabilities(planes: Float32Array[], type: ProbType): Array<Float32Array | Uint16Array> {
  if (type === 'float32') return planes;
  return planes.map((p) => {
    const out = new Uint16Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = encodeProbU16(p[i]);
    return out;
  });
}

/** dtype, NoData and predictor of a probability file of `type`. */
export function probFileOptions(type: ProbType): { dtype: ProbType; nodata: number; predictor: 1 | 2; strategy: 'default' | 'rle' } {
  // UInt16: predictor 2 leaves small differences; zlib's RLE strategy packs them as tightly as the
  // default at about 3x the speed (src/io/tiff/writer.ts)
  return type === 'uint16' ? { dtype: 'uint16', nodata: PROB_U16_NODATA, predictor: 2, strategy: 'rle' } : { dtype: 'float32', nodata: NaN, predictor: 1, strategy: 'default' };
}

const CHUNK_ROWS = 256;

/**
 * Writes K probability planes (p in [0, 1], NaN = NoData) as a K-band GeoTIFF of `type`,
 * converting a few rows at a time (no second full copy). UInt16 files use predictor 2.
 */
export async function writeProbabilities(path: string, grid: Grid, planes: Float32Array[], type: ProbType, opts: WriteOptions = {}): Promise<void> {
  const { width, height } = grid;
  const u16 = type === 'uint16';
  const w = createGeoTIFFWriter(path, {
    ...opts,
    grid: { ...grid, nodata: u16 ? PROB_U16_NODATA : NaN },
    dtype: type,
    bands: planes.length,
    predictor: opts.predictor ?? (u16 ? 2 : 1),
    strategy: opts.strategy ?? (u16 ? 'rle' : 'default'),
  });
  try {
    for (let r = 0; r < height; r += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, height - r);
      const rows = planes.map((p) => {
        const src = p.subarray(r * width, (r + n) * width);
        if (!u16) return src;
        const out = new Uint16Array(src.length);
        for (let i = 0; i < src.length; i++) out[i] = encodeProbU16(src[i]);
        return out;
      });
      await w.writeRows(r, rows);
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
