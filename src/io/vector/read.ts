/**
 * Vector layers in: GeoJSON (RFC 7946; a FeatureCollection, a Feature or a bare geometry) and
 * ESRI shapefiles (.shp + .dbf, read with the `shapefile` package; the .dbf's encoding from its
 * .cpg, windows-1252 by the dBASE default when there is none; the CRS from the .prj).
 * Coordinates are returned as read, with the layer's CRS; src/io/vector/crs.ts reprojects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import * as shapefile from 'shapefile';
import { InputError } from '../../errors.js';
import { geojsonCrsDef, prjCrsDef, type CrsDef } from './crs.js';
import { noteRead } from '../session.js';

export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

export interface VectorFeature {
  /** 0-based position in the layer (messages say "feature 3"). */
  index: number;
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

export interface VectorLayer {
  source: string;
  features: VectorFeature[];
  /** Attribute names, in the order of the first feature that has them. */
  fields: string[];
  /** null: a shapefile without .prj (coordinates are taken to be in the grid's CRS only when the grid has none). */
  crs: CrsDef | null;
}

/** Is this path a vector layer landcarbon reads (by extension)? */
export function isVectorPath(path: string): boolean {
  return ['.geojson', '.json', '.shp'].includes(extname(path).toLowerCase());
}

export async function readVector(path: string): Promise<VectorLayer> {
  if (!existsSync(path)) throw new InputError(`${path}: no such file (expected a GeoJSON or a shapefile)`);
  noteRead(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.shp') return readShapefile(path);
  if (ext === '.geojson' || ext === '.json') return readGeoJSON(path);
  throw new InputError(`${path}: extension "${ext}" is not a vector format landcarbon reads (expected .geojson, .json or .shp)`);
}

function fieldsOf(features: VectorFeature[]): string[] {
  const seen = new Set<string>();
  for (const f of features) for (const k of Object.keys(f.properties)) seen.add(k);
  return [...seen];
}

export function readGeoJSON(path: string): VectorLayer {
  let text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message}); expected a GeoJSON FeatureCollection`);
  }
  if (!doc || typeof doc !== 'object') throw new InputError(`${path}: expected a GeoJSON object, got ${JSON.stringify(doc)}`);
  const crs = geojsonCrsDef(doc.crs, path);
  let raw: any[];
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw new InputError(`${path}: FeatureCollection has no "features" array`);
    raw = doc.features;
  } else if (doc.type === 'Feature') raw = [doc];
  else if (typeof doc.type === 'string' && (doc.coordinates !== undefined || doc.geometries !== undefined)) raw = [{ type: 'Feature', geometry: doc, properties: {} }];
  else throw new InputError(`${path}: GeoJSON type ${JSON.stringify(doc.type)} (expected FeatureCollection, Feature or a geometry)`);
  const features = raw.map((f, index): VectorFeature => {
    if (!f || f.type !== 'Feature') throw new InputError(`${path}: feature ${index} has type ${JSON.stringify(f?.type)} (expected "Feature")`);
    return { index, geometry: f.geometry ?? null, properties: f.properties && typeof f.properties === 'object' ? f.properties : {} };
  });
  return { source: path, features, fields: fieldsOf(features), crs };
}

/** The files a vector layer is read from: the file, and for a shapefile its .shx, .dbf, .prj, .cpg when present. */
export function vectorFiles(path: string): string[] {
  if (extname(path).toLowerCase() !== '.shp') return [path];
  return [path, ...['.shx', '.dbf', '.prj', '.cpg'].map((e) => sidecar(path, e)).filter((x): x is string => x !== null)];
}

function sidecar(path: string, ext: string): string | null {
  const base = path.slice(0, -extname(path).length);
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(base + e)) return base + e;
  return null;
}

/** dBASE code page of a .cpg ("UTF-8", "GBK", "936", "1252" ...) as a TextDecoder label. */
function cpgEncoding(cpg: string): string {
  const s = readFileSync(cpg, 'latin1').trim().toLowerCase();
  const map: Record<string, string> = { '936': 'gbk', '950': 'big5', '1252': 'windows-1252', '65001': 'utf-8', 'cp936': 'gbk', 'ansi 1252': 'windows-1252', 'utf8': 'utf-8' };
  const label = map[s] ?? s;
  try {
    new TextDecoder(label);
  } catch {
    throw new InputError(`${cpg}: code page ${JSON.stringify(s)} is not an encoding landcarbon knows (expected UTF-8, GBK, GB18030, BIG5, 1252 ...)`);
  }
  return label;
}

export async function readShapefile(path: string): Promise<VectorLayer> {
  const dbf = sidecar(path, '.dbf');
  const prj = sidecar(path, '.prj');
  const cpg = sidecar(path, '.cpg');
  const encoding = cpg ? cpgEncoding(cpg) : 'windows-1252';
  const crs = prj ? prjCrsDef(readFileSync(prj, 'utf8'), prj) : null;
  const features: VectorFeature[] = [];
  try {
    const src = await shapefile.open(path, dbf ?? undefined, { encoding });
    for (;;) {
      const r = await src.read();
      if (r.done) break;
      features.push({ index: features.length, geometry: (r.value.geometry as Geometry | null) ?? null, properties: r.value.properties ?? {} });
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: not a readable shapefile (${(e as Error).message})`);
  }
  return { source: path, features, fields: fieldsOf(features), crs };
}
