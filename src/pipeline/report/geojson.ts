/**
 * GIS layers: unit polygons with their per-unit results, network nodes (unit centroids) and
 * edges, as GeoJSON in the grid's CRS. RFC 7946 GeoJSON is WGS 84 only; these layers keep the
 * grid's projected coordinates (exact areas, no reprojection) and say their CRS with the
 * GeoJSON 2008 "crs" member, which GDAL/OGR and QGIS read
 * (urn:ogc:def:crs:EPSG::<code>). Rings are counter-clockwise outside, clockwise for holes.
 */
import type { Grid } from '../../io/grid.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { toMap, type ZonePolygons } from './polygonize.js';

export type Props = Record<string, string | number | boolean | null>;

function crsMember(g: Grid): Record<string, unknown> | undefined {
  return g.crs?.epsg ? { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${g.crs.epsg}` } } : undefined;
}

function collection(g: Grid, name: string, features: unknown[]): string {
  const crs = crsMember(g);
  // one feature per line: small diffs, streams well
  return `{"type":"FeatureCollection","name":${JSON.stringify(name)},${crs ? `"crs":${JSON.stringify(crs)},` : ''}"features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}

const clean = (p: Props): Props => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v]));

/** Unit polygons (MultiPolygon in map coordinates) with one property record per zone code. */
export function unitsGeoJson(g: Grid, zones: ZonePolygons[], props: (code: number) => Props): string {
  const t = g.transform;
  // pixel-space outer rings are clockwise on screen (y down); a north-up geotransform flips y
  // (determinant < 0), which makes them clockwise in map space too: reverse them then
  const flip = t[1] * t[5] - t[2] * t[4] < 0;
  const feats = zones.map((z) => ({
    type: 'Feature',
    properties: clean(props(z.code)),
    geometry: { type: 'MultiPolygon', coordinates: z.polygons.map((poly) => poly.map((ring) => { const m = ring.map(([x, y]) => toMap(t, x, y)); return flip ? m.reverse() : m; })) },
  }));
  return collection(g, 'units', feats);
}

export function pointsGeoJson(g: Grid, name: string, pts: Array<{ at: [number, number]; props: Props }>): string {
  const t = g.transform;
  return collection(g, name, pts.map((p) => ({ type: 'Feature', properties: clean(p.props), geometry: { type: 'Point', coordinates: toMap(t, p.at[0], p.at[1]) } })));
}

export function linesGeoJson(g: Grid, name: string, lines: Array<{ from: [number, number]; to: [number, number]; props: Props }>): string {
  const t = g.transform;
  return collection(g, name, lines.map((l) => ({ type: 'Feature', properties: clean(l.props), geometry: { type: 'LineString', coordinates: [toMap(t, l.from[0], l.from[1]), toMap(t, l.to[0], l.to[1])] } })));
}

export function writeGeoJson(path: string, text: string): void {
  writeFileAtomic(path, text);
}
