/**
 * One figure of any output with the report's cartography (`landcarbon map`): a raster (class
 * map or continuous ramp) or a vector layer (GeoJSON polygons filled by a field, points,
 * lines), as SVG, or as PNG rasterised from that SVG by resvg (@resvg/resvg-js, a Rust SVG
 * renderer shipped as prebuilt npm binaries; text uses the system fonts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ConfigError, InputError } from '../../errors.js';
import { readRasterInfo } from '../../io/geotiff.js';
import { isIntegerDType, type Grid } from '../../io/grid.js';
import { classesToRgba, encodePng, LANDUSE_PALETTE, rampToRgba, type Rgba } from '../../io/png.js';
import { parseCsv } from '../../io/table.js';
import { classify, fmt, quantileBreaks, renderMapSvg, type Legend, type MapSpec } from './cartography.js';
import type { Ring, ZonePolygons } from './polygonize.js';
import { sampleRaster } from './rasters.js';

export interface FigureOptions {
  /** Attribute of a vector layer to colour by. */
  field?: string;
  /** Class names: "1=cropland,2=forest" or a CSV file with columns code,name[,color]. */
  classes?: string;
  title?: string;
}

const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#8c564b'];
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const YLORRD = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
const hex = (h: string): Rgba => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), 255];
const css = (c: Rgba) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Parses --classes: inline "code=name,..." or a CSV file (code,name[,color as #rrggbb]). */
export function parseClasses(spec: string): Array<{ code: number; name: string; color?: string }> {
  const out: Array<{ code: number; name: string; color?: string }> = [];
  if (existsSync(spec) && !spec.includes('=')) {
    const t = parseCsv(readFileSync(spec, 'utf8'), spec);
    const ci = t.columns.indexOf('code'), ni = t.columns.indexOf('name'), ki = t.columns.indexOf('color');
    if (ci < 0 || ni < 0) throw new InputError(`${spec}: expected columns code and name (has: ${t.columns.join(', ')})`);
    for (const r of t.rows) {
      const code = Number(r[ci]);
      if (!Number.isInteger(code)) throw new InputError(`${spec}: class code ${JSON.stringify(r[ci])} is not an integer`);
      const color = ki >= 0 && r[ki] ? r[ki] : undefined;
      if (color !== undefined && !/^#[0-9a-fA-F]{6}$/.test(color)) throw new InputError(`${spec}: colour ${JSON.stringify(color)} of class ${code} is not #rrggbb`);
      out.push({ code, name: r[ni], color });
    }
  } else {
    for (const part of spec.split(',')) {
      const m = /^\s*(-?\d+)\s*=\s*(.+?)\s*$/.exec(part);
      if (!m) throw new ConfigError(`--classes: expected code=name pairs separated by commas or a CSV file, got ${JSON.stringify(part)}`);
      out.push({ code: Number(m[1]), name: m[2] });
    }
  }
  if (out.length === 0) throw new ConfigError(`--classes: no classes in ${JSON.stringify(spec)}`);
  return out;
}

async function rasterFigure(path: string, o: FigureOptions): Promise<MapSpec> {
  const info = await readRasterInfo(path);
  const s = await sampleRaster(path);
  const title = o.title ?? basename(path);
  const integer = isIntegerDType(info.dtype);
  let distinct: number[] = [];
  if (integer) {
    const set = new Set<number>();
    for (const v of s.data) if (v !== s.nodata) { set.add(v); if (set.size > 64) break; }
    distinct = [...set].sort((a, b) => a - b);
  }
  if (o.classes || (integer && distinct.length <= 32)) {
    const cls = o.classes ? parseClasses(o.classes) : distinct.map((c) => ({ code: c, name: `class ${c}` as string, color: undefined as string | undefined }));
    const landuse = cls.every((c) => c.code >= 1 && c.code <= 7);
    const palette: Record<number, Rgba> = {};
    cls.forEach((c, i) => (palette[c.code] = c.color ? hex(c.color) : landuse ? LANDUSE_PALETTE[c.code] : hex(CATEGORICAL[i % CATEGORICAL.length])));
    const missing = distinct.filter((d) => !(d in palette));
    if (o.classes && missing.length) throw new InputError(`${path}: class code${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')} ha${missing.length > 1 ? 've' : 's'} no name in --classes`);
    const png = encodePng(s.w, s.h, classesToRgba(s.data, s.nodata, palette));
    const legend: Legend = { kind: 'classes', title: 'Class', items: cls.filter((c) => distinct.length === 0 || distinct.includes(c.code)).map((c) => ({ label: c.name, color: css(palette[c.code]) })) };
    return { title, grid: s.grid, png, legend };
  }
  const v = Array.from(s.data).filter((x) => Number.isFinite(x) && x !== s.nodata).sort((a, b) => a - b);
  if (v.length === 0) throw new InputError(`${path}: no valid cells to draw`);
  const lo = v[Math.floor(0.02 * (v.length - 1))];
  let hi = v[Math.floor(0.98 * (v.length - 1))];
  if (!(hi > lo)) hi = lo + 1;
  const png = encodePng(s.w, s.h, rampToRgba(s.data, s.nodata, lo, hi, VIRIDIS.map(hex)));
  return { title, grid: s.grid, png, legend: { kind: 'ramp', title: 'value', lo, hi, stops: VIRIDIS }, note: `colour ramp between the 2nd and 98th percentiles (${fmt(lo)} to ${fmt(hi)})` };
}

type Pos = [number, number];
interface Feature { type: string; properties: Record<string, unknown> | null; geometry: { type: string; coordinates: unknown } | null }

function layerFigure(path: string, o: FigureOptions): MapSpec {
  let gj: { type?: string; features?: Feature[]; crs?: { properties?: { name?: string } } };
  try {
    gj = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: not a readable GeoJSON file (${(e as Error).message})`);
  }
  if (gj.type !== 'FeatureCollection' || !Array.isArray(gj.features)) throw new InputError(`${path}: expected a GeoJSON FeatureCollection`);
  const feats = gj.features.filter((f) => f.geometry);
  if (feats.length === 0) throw new InputError(`${path}: no features with a geometry`);
  if (o.field && !feats.some((f) => f.properties && o.field! in f.properties)) {
    const has = Object.keys(feats[0].properties ?? {}).join(', ');
    throw new InputError(`${path}: field ${JSON.stringify(o.field)} not found (has: ${has})`);
  }
  const epsgM = /EPSG::?(\d+)/i.exec(gj.crs?.properties?.name ?? '');
  const epsg = epsgM ? Number(epsgM[1]) : 4326; // RFC 7946: WGS 84 when no crs member
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as Pos;
      if (x < minx) minx = x; if (x > maxx) maxx = x; if (y < miny) miny = y; if (y > maxy) maxy = y;
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  feats.forEach((f) => visit(f.geometry!.coordinates));
  if (!(maxx > minx) && !(maxy > miny)) { maxx = minx + 1; maxy = miny + 1; }
  const pad = 0.02 * Math.max(maxx - minx, maxy - miny);
  minx -= pad; miny -= pad; maxx += pad; maxy += pad;
  const side = 1000;
  const cell = Math.max(maxx - minx, maxy - miny) / side;
  const grid: Grid = { width: Math.ceil((maxx - minx) / cell), height: Math.ceil((maxy - miny) / cell), transform: [minx, cell, 0, maxy, 0, -cell], crs: { epsg, geoKeys: epsg === 4326 || epsg === 4490 ? { 1024: 2 } : undefined, name: epsg === 4326 ? 'WGS 84' : undefined }, nodata: null };
  const px = (p: Pos): Pos => [(p[0] - minx) / cell, (maxy - p[1]) / cell];
  const ring = (r: Pos[]): Ring => r.map(px);
  const units: ZonePolygons[] = [];
  const lines: NonNullable<MapSpec['lines']> = [];
  const points: NonNullable<MapSpec['points']> = [];
  const values = new Map<number, unknown>();
  feats.forEach((f, i) => {
    const g = f.geometry!;
    const v = o.field ? f.properties?.[o.field] : undefined;
    values.set(i, v);
    if (g.type === 'Polygon') units.push({ code: i, polygons: [(g.coordinates as Pos[][]).map(ring)], cells: 0, centroid: [0, 0] });
    else if (g.type === 'MultiPolygon') units.push({ code: i, polygons: (g.coordinates as Pos[][][]).map((p) => p.map(ring)), cells: 0, centroid: [0, 0] });
    else if (g.type === 'LineString') {
      const c = (g.coordinates as Pos[]).map(px);
      for (let k = 1; k < c.length; k++) lines.push({ from: c[k - 1], to: c[k], width: 1.2 });
    } else if (g.type === 'Point') points.push({ at: px(g.coordinates as Pos), r: 3, color: '#333' });
    else throw new InputError(`${path}: feature ${i} has geometry type ${g.type}; expected Polygon, MultiPolygon, LineString or Point`);
  });
  const title = o.title ?? `${basename(path)}${o.field ? `: ${o.field}` : ''}`;
  let legend: Legend = { kind: 'classes', title: 'Layer', items: [{ label: basename(path, extname(path)), color: '#333', outline: true }] };
  const fill = new Map<number, string>();
  if (o.field) {
    const vals = [...values.values()];
    const numeric = vals.every((v) => v === null || v === undefined || typeof v === 'number');
    if (numeric) {
      const nums = vals.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const br = quantileBreaks(nums, 5);
      const colors = YLORRD.slice(YLORRD.length - (br.length - 1));
      values.forEach((v, i) => fill.set(i, typeof v === 'number' && Number.isFinite(v) ? colors[classify(v, br)] : '#d9d9d9'));
      legend = { kind: 'classes', title: o.field, items: colors.map((c, i) => ({ label: `${fmt(br[i])} – ${fmt(br[i + 1])}`, color: c })) };
      if (vals.some((v) => typeof v !== 'number' || !Number.isFinite(v))) legend.items.push({ label: 'no value', color: '#d9d9d9' });
      for (const p of points) p.color = '#333';
    } else {
      const cats = [...new Set(vals.map((v) => String(v ?? '')))];
      const col = new Map(cats.map((c, i) => [c, CATEGORICAL[i % CATEGORICAL.length]]));
      values.forEach((v, i) => fill.set(i, col.get(String(v ?? ''))!));
      legend = { kind: 'classes', title: o.field, items: cats.map((c) => ({ label: c || '(empty)', color: col.get(c)! })) };
    }
  }
  // points and lines take the colour of their feature when filled by a field
  let pi = 0;
  feats.forEach((f, i) => { if (f.geometry!.type === 'Point') { if (fill.has(i)) points[pi].color = fill.get(i)!; pi++; } });
  return { title, grid, units, fill, lines, points, legend };
}

/** The figure of a raster (.tif) or a GeoJSON layer, as an SVG string. */
export async function drawFigure(input: string, o: FigureOptions = {}): Promise<string> {
  if (!existsSync(input)) throw new InputError(`${input}: no such file`);
  const ext = extname(input).toLowerCase();
  let spec: MapSpec;
  if (ext === '.tif' || ext === '.tiff') {
    if (o.field) throw new ConfigError(`--field applies to vector layers; ${input} is a raster`);
    spec = await rasterFigure(input, o);
  } else if (ext === '.geojson' || ext === '.json') {
    if (o.classes) throw new ConfigError(`--classes applies to rasters; ${input} is a vector layer`);
    spec = layerFigure(input, o);
  } else if (ext === '.svg') {
    // a figure of a report (figures/*.svg): as it is, for a PNG of it
    if (o.field || o.classes || o.title) throw new ConfigError(`--field, --classes and --title apply to rasters and layers; ${input} is a finished figure`);
    const svg = readFileSync(input, 'utf8');
    if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(svg)) throw new InputError(`${input}: not an SVG file (expected it to start with <svg)`);
    return svg;
  } else throw new InputError(`${input}: expected a GeoTIFF (.tif), a GeoJSON layer (.geojson) or a report figure (.svg), got ${ext || 'no extension'}`);
  return renderMapSvg(spec).svg;
}

/** DejaVu Sans (Debian's fonts-dejavu-core) when present: loading two font files is faster than scanning the system's. */
const DEJAVU = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
function fontOptions(): { loadSystemFonts: boolean; fontFiles?: string[]; defaultFontFamily: string } {
  return DEJAVU.every((f) => existsSync(f)) ? { loadSystemFonts: false, fontFiles: DEJAVU, defaultFontFamily: 'DejaVu Sans' } : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
}

/**
 * Rasterises an SVG to PNG bytes at `scale` pixels per SVG unit, with resvg (a Rust SVG
 * renderer, no browser); renderAsync runs on libuv's thread pool, so several figures render
 * at once.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { renderAsync } = await import('@resvg/resvg-js');
  const r = await renderAsync(svg, { fitTo: { mode: 'zoom', value: scale }, font: fontOptions(), background: '#ffffff' });
  return r.asPng();
}
