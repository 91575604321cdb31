/**
 * GeoKey directory (GeoTIFF 1.1, OGC 19-008r4 §7): parse the three GeoTIFF tags into a flat
 * `key id -> value` record and build them back.
 *
 * Value representation in `Crs.geoKeys` (so a CRS read from one file is written unchanged):
 *   number    -> SHORT stored in the directory (TIFFTagLocation 0), unless the key is a known
 *                DOUBLE key (then a one-element GeoDoubleParams entry)
 *   number[]  -> DOUBLE values in GeoDoubleParams (34736)
 *   string    -> ASCII in GeoAsciiParams (34737); the '|' terminator is added on write
 */
import type { Crs } from '../grid.js';

export const TAG_GEO_KEY_DIRECTORY = 34735;
export const TAG_GEO_DOUBLE_PARAMS = 34736;
export const TAG_GEO_ASCII_PARAMS = 34737;

export const GT_MODEL_TYPE = 1024;
export const GT_RASTER_TYPE = 1025;
export const GT_CITATION = 1026;
export const GEOGRAPHIC_TYPE = 2048;
export const GEOG_CITATION = 2049;
export const PROJECTED_CS_TYPE = 3072;
export const PCS_CITATION = 3073;
export const PROJ_COORD_TRANS = 3075;

/** Keys whose values are DOUBLE by the GeoTIFF spec (used when a plain number is given). */
const DOUBLE_KEYS = new Set<number>([
  2055, 2057, 2058, 2059, 2061, 2062, 3077,
  3078, 3079, 3080, 3081, 3082, 3083, 3084, 3085, 3086, 3087, 3088, 3089, 3090, 3091, 3092, 3093,
  3094, 3095, 3096, 4099,
]);

export type GeoKeys = Record<number, number | string | number[]>;

/** Parses GeoKeyDirectory (+ double/ascii params). Returns null when there is no directory. */
export function parseGeoKeys(
  dir: ArrayLike<number> | undefined | null,
  doubles: ArrayLike<number> | undefined | null,
  ascii: string | undefined | null,
): GeoKeys | null {
  if (!dir || dir.length < 4) return null;
  const n = dir[3];
  const keys: GeoKeys = {};
  for (let i = 0; i < n; i++) {
    const o = 4 + i * 4;
    if (o + 3 >= dir.length) break;
    const id = dir[o], loc = dir[o + 1], count = dir[o + 2], off = dir[o + 3];
    if (loc === 0) {
      keys[id] = off;
    } else if (loc === TAG_GEO_DOUBLE_PARAMS && doubles) {
      keys[id] = Array.from({ length: count }, (_, k) => Number(doubles[off + k]));
    } else if (loc === TAG_GEO_ASCII_PARAMS && typeof ascii === 'string') {
      let s = ascii.substring(off, off + count);
      if (s.endsWith('|')) s = s.slice(0, -1);
      keys[id] = s.replace(/\0+$/, '');
    } else if (loc === TAG_GEO_KEY_DIRECTORY && count === 1) {
      keys[id] = dir[off];
    }
  }
  return keys;
}

const COORD_TRANS_NAMES: Record<number, string> = {
  1: 'Transverse Mercator', 7: 'Mercator', 8: 'Lambert Conformal Conic (2SP)', 9: 'Lambert Conformal Conic (1SP)',
  10: 'Lambert Azimuthal Equal Area', 11: 'Albers Equal Area', 17: 'Equirectangular', 24: 'Sinusoidal',
};

function userDefined(v: unknown): boolean {
  return typeof v !== 'number' || v < 1 || v >= 32767;
}

/** Crs from parsed GeoKeys: EPSG when a registered code is recorded, name from the citations. */
export function crsFromGeoKeys(keys: GeoKeys): Crs {
  const crs: Crs = { geoKeys: keys };
  const model = keys[GT_MODEL_TYPE];
  const pcs = keys[PROJECTED_CS_TYPE];
  const gcs = keys[GEOGRAPHIC_TYPE];
  if (model !== 2 && !userDefined(pcs)) crs.epsg = pcs as number;
  else if (model !== 1 && !userDefined(gcs)) crs.epsg = gcs as number;
  const cites = [keys[PCS_CITATION], keys[GT_CITATION]].filter(
    (s): s is string => typeof s === 'string' && s.trim() !== '' && s.trim().toLowerCase() !== 'unknown',
  );
  if (cites.length) crs.name = cites[0].trim();
  else if (crs.epsg === undefined) {
    const ct = keys[PROJ_COORD_TRANS];
    if (model === 1 && typeof ct === 'number') crs.name = `${COORD_TRANS_NAMES[ct] ?? `projection method ${ct}`} (user-defined)`;
    else if (model === 2) crs.name = 'geographic (user-defined)';
  }
  return crs;
}

/** GeoKeys for a CRS: the recorded keys when present, else built from the EPSG code. */
export function geoKeysForCrs(crs: Crs): GeoKeys {
  let keys: GeoKeys;
  if (crs.geoKeys && Object.keys(crs.geoKeys).length > 0) {
    keys = { ...crs.geoKeys };
  } else if (crs.epsg !== undefined) {
    const geographic = crs.epsg >= 4000 && crs.epsg < 5000;
    keys = geographic
      ? { [GT_MODEL_TYPE]: 2, [GEOGRAPHIC_TYPE]: crs.epsg }
      : { [GT_MODEL_TYPE]: 1, [PROJECTED_CS_TYPE]: crs.epsg };
    if (crs.name) keys[GT_CITATION] = crs.name;
  } else {
    keys = {};
  }
  // The engine's transforms are corner-based: always PixelIsArea.
  keys[GT_RASTER_TYPE] = 1;
  return keys;
}

/** Encodes GeoKeys into the three tag values (doubles/ascii omitted when empty). */
export function encodeGeoKeys(keys: GeoKeys): { directory: number[]; doubles: number[]; ascii: string } {
  const ids = Object.keys(keys).map(Number).filter((k) => Number.isInteger(k)).sort((a, b) => a - b);
  const entries: number[] = [];
  const doubles: number[] = [];
  let ascii = '';
  for (const id of ids) {
    const v = keys[id];
    if (typeof v === 'string') {
      const s = v + '|';
      entries.push(id, TAG_GEO_ASCII_PARAMS, s.length, ascii.length);
      ascii += s;
    } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const arr = Array.from(v as ArrayLike<number>);
      entries.push(id, TAG_GEO_DOUBLE_PARAMS, arr.length, doubles.length);
      doubles.push(...arr);
    } else if (typeof v === 'number') {
      if (DOUBLE_KEYS.has(id) || !Number.isInteger(v) || v < 0 || v > 65535) {
        entries.push(id, TAG_GEO_DOUBLE_PARAMS, 1, doubles.length);
        doubles.push(v);
      } else {
        entries.push(id, 0, 1, v);
      }
    }
  }
  return { directory: [1, 1, 0, entries.length / 4, ...entries], doubles, ascii };
}
