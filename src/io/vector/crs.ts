/**
 * CRS definitions for proj4 (proj4js 2.x): a grid's CRS from its EPSG code or its user-defined
 * GeoKeys (GeoTIFF 1.1, OGC 19-008r4 §7.5: projection method and parameters), a vector layer's
 * CRS from a GeoJSON `crs` member (RFC 7946 §4: WGS 84 lon/lat when absent) or a .prj (WKT,
 * parsed by proj4's wkt-parser). Anything else is an InputError naming the file: coordinates are
 * never reprojected on a guess.
 */
import proj4 from 'proj4';
import { InputError } from '../../errors.js';
import type { Crs } from '../grid.js';

/** A CRS proj4 can use: `def` is a proj string, an EPSG alias proj4 knows, or WKT. */
export interface CrsDef {
  def: string;
  /** For messages: "EPSG:32650", "WGS 84 (GeoJSON default)", "user-defined Lambert Conformal Conic". */
  label: string;
  /** EPSG code when known (same code -> no reprojection). */
  epsg?: number;
}

export const WGS84: CrsDef = { def: '+proj=longlat +datum=WGS84 +no_defs', label: 'WGS 84 lon/lat (EPSG:4326)', epsg: 4326 };

/** proj4 definition of an EPSG code: the codes proj4 ships, UTM on WGS 84, CGCS2000 3-degree Gauss-Kruger, geographic CGCS2000/NAD83/ETRS89. */
export function epsgDef(code: number): string | null {
  if (code === 4326) return WGS84.def;
  if (code === 4490 || code === 4269 || code === 4258) return '+proj=longlat +ellps=GRS80 +towgs84=0,0,0 +no_defs';
  if (code >= 32601 && code <= 32660) return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760) return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`;
  // CGCS2000 / 3-degree Gauss-Kruger CM 75E..135E (EPSG 4534-4554, no zone prefix on the easting)
  if (code >= 4534 && code <= 4554) return `+proj=tmerc +lat_0=0 +lon_0=${75 + 3 * (code - 4534)} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  if (proj4.defs(`EPSG:${code}`)) return `EPSG:${code}`;
  return null;
}

// GeoKey ids (OGC 19-008r4 Annex B)
const K = {
  model: 1024, gcs: 2048, datum: 2050, ellipsoid: 2056, semiMajor: 2057, invFlattening: 2059, pcs: 3072, method: 3075, linearUnits: 3076,
  stdPar1: 3078, stdPar2: 3079, natLon: 3080, natLat: 3081, falseE: 3082, falseN: 3083, foLon: 3084, foLat: 3085, foE: 3086, foN: 3087,
  centerLon: 3088, centerLat: 3089, scaleNat: 3092, scaleCenter: 3093,
};

function num(keys: Record<number, unknown>, ...ids: number[]): number | undefined {
  for (const id of ids) {
    const v = keys[id];
    if (typeof v === 'number') return v;
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  }
  return undefined;
}

/** Ellipsoid of user-defined GeoKeys as proj parameters. */
function ellipsoidParams(keys: Record<number, unknown>): string | null {
  const gcs = num(keys, K.gcs);
  if (gcs === 4326) return '+datum=WGS84';
  if (gcs === 4490 || gcs === 4269 || gcs === 4258) return '+ellps=GRS80 +towgs84=0,0,0';
  const ell = num(keys, K.ellipsoid);
  if (ell === 7030) return '+datum=WGS84';
  if (ell === 7019 || ell === 1024) return '+ellps=GRS80 +towgs84=0,0,0';
  if (ell === 7024) return '+ellps=krass';
  const a = num(keys, K.semiMajor);
  const rf = num(keys, K.invFlattening);
  if (a !== undefined && rf !== undefined) return `+a=${a} +rf=${rf}${rf === 298.257223563 || rf === 298.257222101 ? ' +towgs84=0,0,0' : ''}`;
  return null;
}

/** proj4 definition of a grid's CRS, or an InputError naming the file when there is none landcarbon can use. */
export function gridCrsDef(crs: Crs | null, source: string): CrsDef {
  if (!crs) throw new InputError(`${source}: the grid records no CRS, so vector coordinates cannot be placed on it (expected a GeoTIFF with a CRS)`);
  if (crs.epsg !== undefined) {
    const def = epsgDef(crs.epsg);
    if (def) return { def, label: `EPSG:${crs.epsg}`, epsg: crs.epsg };
    throw new InputError(`${source}: EPSG:${crs.epsg} is not a CRS landcarbon knows how to reproject to (known: 4326, 4490, 3857, UTM 326xx/327xx, CGCS2000 GK 4534-4554)`);
  }
  const keys = (crs.geoKeys ?? {}) as Record<number, unknown>;
  const model = num(keys, K.model);
  const ell = ellipsoidParams(keys);
  const unit = num(keys, K.linearUnits);
  if (model === 1 && ell && (unit === undefined || unit === 9001)) {
    const m = num(keys, K.method);
    const p = (name: string, v: number | undefined) => (v === undefined ? null : `+${name}=${v}`);
    let parts: Array<string | null> | null = null;
    let label = '';
    if (m === 8) {
      label = 'Lambert Conformal Conic (2SP)';
      parts = ['+proj=lcc', p('lat_1', num(keys, K.stdPar1)), p('lat_2', num(keys, K.stdPar2)), p('lat_0', num(keys, K.foLat, K.natLat)), p('lon_0', num(keys, K.foLon, K.natLon)), p('x_0', num(keys, K.foE, K.falseE) ?? 0), p('y_0', num(keys, K.foN, K.falseN) ?? 0)];
    } else if (m === 9) {
      label = 'Lambert Conformal Conic (1SP)';
      const lat = num(keys, K.natLat);
      parts = ['+proj=lcc', p('lat_1', lat), p('lat_0', lat), p('lon_0', num(keys, K.natLon)), p('k_0', num(keys, K.scaleNat) ?? 1), p('x_0', num(keys, K.falseE) ?? 0), p('y_0', num(keys, K.falseN) ?? 0)];
    } else if (m === 1) {
      label = 'Transverse Mercator';
      parts = ['+proj=tmerc', p('lat_0', num(keys, K.natLat) ?? 0), p('lon_0', num(keys, K.natLon, K.centerLon)), p('k', num(keys, K.scaleNat) ?? 1), p('x_0', num(keys, K.falseE) ?? 0), p('y_0', num(keys, K.falseN) ?? 0)];
    } else if (m === 11) {
      label = 'Albers Equal Area';
      parts = ['+proj=aea', p('lat_1', num(keys, K.stdPar1)), p('lat_2', num(keys, K.stdPar2)), p('lat_0', num(keys, K.natLat, K.foLat, K.centerLat)), p('lon_0', num(keys, K.natLon, K.foLon, K.centerLon)), p('x_0', num(keys, K.falseE, K.foE) ?? 0), p('y_0', num(keys, K.falseN, K.foN) ?? 0)];
    }
    if (parts && parts.every((x) => x !== null)) return { def: `${parts.join(' ')} ${ell} +units=m +no_defs`, label: `user-defined ${label}` };
  }
  throw new InputError(`${source}: its CRS (${crs.name ?? 'user-defined'}) is not one landcarbon can reproject to (expected an EPSG code, or a user-defined Transverse Mercator, Lambert Conformal Conic or Albers projection in metres)`);
}

/** CRS of a GeoJSON object: its `crs` member (GeoJSON 2008 named CRS) or WGS 84 (RFC 7946). */
export function geojsonCrsDef(crsMember: unknown, source: string): CrsDef {
  if (crsMember === undefined || crsMember === null) return { ...WGS84, label: 'WGS 84 lon/lat (GeoJSON, RFC 7946)' };
  const name = (crsMember as { properties?: { name?: unknown } }).properties?.name;
  if (typeof name === 'string') {
    if (/CRS84$/i.test(name)) return { ...WGS84, label: name };
    const m = /EPSG:{1,2}(?:[\d.]*:)?(\d+)$/i.exec(name);
    if (m) {
      const code = Number(m[1]);
      const def = epsgDef(code);
      if (def) return { def, label: `EPSG:${code}`, epsg: code };
      throw new InputError(`${source}: crs ${JSON.stringify(name)}: EPSG:${code} is not a CRS landcarbon knows (known: 4326, 4490, 3857, UTM 326xx/327xx, CGCS2000 GK 4534-4554)`);
    }
  }
  throw new InputError(`${source}: crs member ${JSON.stringify(crsMember)} is not a CRS landcarbon knows (expected {"type": "name", "properties": {"name": "EPSG:<code>"}} or none for WGS 84)`);
}

/** CRS of a shapefile's .prj (WKT 1, ESRI or OGC flavour), checked by building a proj4 converter. */
export function prjCrsDef(wkt: string, source: string): CrsDef {
  const text = wkt.trim();
  try {
    proj4(text, WGS84.def);
  } catch (e) {
    throw new InputError(`${source}: the WKT is not a CRS proj4 can read (${(e as Error).message}); expected a .prj as written by GDAL, QGIS or ArcGIS`);
  }
  const name = /^\w+\["([^"]*)"/.exec(text)?.[1] ?? 'WKT';
  if (/^GEOGCS\[/i.test(text) && /WGS[ _]?(19)?84/i.test(name)) return { ...WGS84, label: name };
  return { def: text, label: name };
}

/** A function mapping [x, y] from one CRS to another (identity when both name the same EPSG code). */
export function converter(from: CrsDef, to: CrsDef): ((xy: number[]) => number[]) | null {
  if (from.def === to.def || (from.epsg !== undefined && from.epsg === to.epsg)) return null;
  const c = proj4(from.def, to.def);
  return (xy) => c.forward([xy[0], xy[1]]);
}
