/**
 * Maps as self-contained SVG: the raster (if any) as an embedded PNG, unit polygons, network
 * edges and points as vectors, and the cartography every map carries: title, legend, scale bar,
 * north arrow and CRS. Written by hand (a few SVG elements); charts use ECharts instead.
 *
 * Scale bar: ground metres per grid cell are |pixel width| for a projected CRS (metres assumed)
 * and, for a geographic CRS (degrees), the length of one degree of longitude at the map's
 * centre latitude on the WGS 84 ellipsoid, pi a cos(phi) / (180 sqrt(1 - e^2 sin^2 phi)),
 * times the pixel width. The bar is a "nice" length (1, 2 or 5 x 10^k m) near a quarter of
 * the map width, drawn at exactly length x pixels-per-metre. The north arrow points to grid
 * north (up), which is what the map shows.
 */
import type { Grid } from '../../io/grid.js';
import { simplifyRing } from './simplify.js';
import type { Ring, ZonePolygons } from './polygonize.js';

export type Color = string;

export type Legend =
  | { kind: 'classes'; title?: string; items: Array<{ label: string; color: Color; outline?: boolean }> }
  | { kind: 'ramp'; title: string; lo: number; hi: number; stops: Color[]; ticks?: number[] };

export interface MapSpec {
  title: string;
  grid: Grid;
  /** An encoded PNG covering the grid extent. */
  png?: Uint8Array;
  /** Unit polygons in the grid's pixel coordinates, with an optional fill per code. */
  units?: ZonePolygons[];
  fill?: Map<number, Color>;
  /** Outline colour of units (default dark grey). */
  stroke?: Color;
  /** Lines in pixel coordinates, width in display px. */
  lines?: Array<{ from: [number, number]; to: [number, number]; width: number; color?: Color }>;
  /** Points in pixel coordinates. */
  points?: Array<{ at: [number, number]; r: number; color: Color; label?: string }>;
  legend: Legend;
  /** Line under the map (source, class breaks ...). */
  note?: string;
}

export interface ScaleBar {
  metres: number;
  /** Drawn length in SVG px. */
  px: number;
  /** Map image width in SVG px and the grid's ground width in metres. */
  mapPx: number;
  groundMetres: number;
}

const WGS84_A = 6378137, WGS84_E2 = 0.00669437999014;

export function isGeographic(g: Grid): boolean {
  const k = g.crs?.geoKeys?.[1024];
  if (k === 2) return true;
  const e = g.crs?.epsg;
  return e === 4326 || e === 4490 || e === 4214 || e === 4610;
}

/** Ground metres per grid cell along x at the grid's centre row. */
export function metresPerCell(g: Grid): number {
  const t = g.transform;
  const w = Math.hypot(t[1], t[4]);
  if (!isGeographic(g)) return w;
  const lat = ((t[3] + (g.height / 2) * t[5]) * Math.PI) / 180;
  const s = Math.sin(lat);
  return w * (Math.PI * WGS84_A * Math.cos(lat)) / (180 * Math.sqrt(1 - WGS84_E2 * s * s));
}

/** The longest 1, 2 or 5 x 10^k not above x. */
export function niceBelow(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [5, 2, 1]) if (m * p <= x) return m * p;
  return p;
}

export function crsLabel(g: Grid): string {
  if (!g.crs) return 'CRS: not recorded in the file';
  const e = g.crs.epsg ? `EPSG:${g.crs.epsg}` : 'user-defined';
  return `CRS: ${e}${g.crs.name ? ` (${g.crs.name})` : ''}`;
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An integer with thousands separators (12,345,678); faster than toLocaleString. */
export function thousands(v: number): string {
  const s = String(Math.round(Math.abs(v)));
  let out = '';
  for (let i = 0; i < s.length; i++) out += (i > 0 && (s.length - i) % 3 === 0 ? ',' : '') + s[i];
  return (v < 0 && Math.round(Math.abs(v)) > 0 ? '−' : '') + out;
}

/** A number for people: integers with separators from 100 up, 3 significant digits below, exponent for tiny. */
export const fmt = (v: number, digits = 3): string => {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a > 0 && a < 1e-3) return v.toExponential(2);
  if (a >= 100) return thousands(v);
  return Number(v.toPrecision(digits)).toString().replace('-', '−');
};

function lengthLabel(m: number): string {
  return m >= 1000 ? `${m / 1000} km` : `${m} m`;
}

function ringPath(r: Ring, k: number, tol: number): string {
  const s = tol > 0 ? simplifyRing(r, tol / k) : r;
  let d = '';
  for (let i = 0; i < s.length - 1; i++) d += `${i ? 'L' : 'M'}${+(s[i][0] * k).toFixed(1)} ${+(s[i][1] * k).toFixed(1)}`;
  return d + 'Z';
}

const pathCache = new WeakMap<ZonePolygons, Map<string, string>>();

/** SVG path data of a zone's polygons, scaled by k (display px per cell), simplified to `tol` display px (cached). */
export function zonePath(z: ZonePolygons, k: number, tol = 0.4): string {
  let m = pathCache.get(z);
  if (!m) pathCache.set(z, (m = new Map()));
  const key = `${k} ${tol}`;
  let d = m.get(key);
  if (d === undefined) m.set(key, (d = z.polygons.map((p) => p.map((r) => ringPath(r, k, tol)).join('')).join('')));
  return d;
}

/** Map width and height in display px for a grid, within a box. */
export function mapSize(g: Grid, maxW = 460, maxH = 460): { w: number; h: number } {
  const t = g.transform;
  const gw = g.width * Math.hypot(t[1], t[4]), gh = g.height * Math.hypot(t[2], t[5]);
  const s = Math.min(maxW / gw, maxH / gh);
  return { w: +(gw * s).toFixed(2), h: +(gh * s).toFixed(2) };
}

export function renderMapSvg(m: MapSpec): { svg: string; scale: ScaleBar } {
  const { w: mw, h: mh } = mapSize(m.grid);
  const k = mw / m.grid.width; // display px per cell (square cells assumed for vectors)
  const ky = mh / m.grid.height;
  const x0 = 16, y0 = 44, legendX = x0 + mw + 28;
  const out: string[] = [];
  out.push(`<rect x="0" y="0" width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${x0}" y="26" font-size="17" font-weight="600">${esc(m.title)}</text>`);
  out.push(`<g transform="translate(${x0} ${y0})">`);
  out.push(`<rect class="frame" x="0" y="0" width="${mw}" height="${mh}" fill="#fafafa" stroke="#999" stroke-width="0.8"/>`);
  if (m.png) {
    out.push(`<image class="raster" x="0" y="0" width="${mw}" height="${mh}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${Buffer.from(m.png).toString('base64')}"/>`);
  }
  if (m.units) {
    const stroke = m.stroke ?? '#333';
    out.push(`<g class="units" stroke="${stroke}" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">`);
    for (const z of m.units) {
      const f = m.fill?.get(z.code) ?? 'none';
      out.push(`<path data-unit="${z.code}" fill="${f}" d="${zonePath(z, k)}"/>`);
    }
    out.push(`</g>`);
  }
  if (m.lines?.length) {
    out.push(`<g class="edges" stroke-linecap="round" opacity="0.75">`);
    for (const l of m.lines) out.push(`<line x1="${+(l.from[0] * k).toFixed(1)}" y1="${+(l.from[1] * ky).toFixed(1)}" x2="${+(l.to[0] * k).toFixed(1)}" y2="${+(l.to[1] * ky).toFixed(1)}" stroke="${l.color ?? '#1f4e9c'}" stroke-width="${+l.width.toFixed(2)}"/>`);
    out.push(`</g>`);
  }
  if (m.points?.length) {
    out.push(`<g class="points">`);
    for (const p of m.points) {
      const cx = +(p.at[0] * k).toFixed(1), cy = +(p.at[1] * ky).toFixed(1);
      out.push(`<circle cx="${cx}" cy="${cy}" r="${p.r}" fill="${p.color}" stroke="#fff" stroke-width="1"/>`);
      if (p.label) out.push(`<text x="${cx + p.r + 2}" y="${cy + 4}" font-size="11" paint-order="stroke" stroke="#fff" stroke-width="3" fill="#111">${esc(p.label)}</text>`);
    }
    out.push(`</g>`);
  }
  // north arrow (grid north), top right inside the frame
  const nx = mw - 22, ny = 12;
  out.push(`<g class="north" transform="translate(${nx} ${ny})"><path d="M0 0 L8 24 L0 18 L-8 24 Z" fill="#111" stroke="#fff" stroke-width="0.8"/><text x="0" y="37" font-size="12" font-weight="700" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="3">N</text></g>`);
  out.push(`</g>`);
  // scale bar under the map
  const mpc = metresPerCell(m.grid);
  const groundMetres = mpc * m.grid.width;
  const pxPerM = mw / groundMetres;
  const metres = niceBelow((0.3 * mw) / pxPerM);
  const px = metres * pxPerM;
  const sy = y0 + mh + 14;
  out.push(`<g class="scalebar" data-metres="${metres}" transform="translate(${x0} ${sy})">`);
  out.push(`<rect class="bar" x="0" y="0" width="${+(px / 2).toFixed(3)}" height="6" fill="#111"/><rect class="bar" x="${+(px / 2).toFixed(3)}" y="0" width="${+(px / 2).toFixed(3)}" height="6" fill="#fff" stroke="#111" stroke-width="0.8"/>`);
  out.push(`<text x="0" y="20" font-size="11" text-anchor="start">0</text><text x="${+(px / 2).toFixed(1)}" y="20" font-size="11" text-anchor="middle">${lengthLabel(metres / 2)}</text><text x="${+px.toFixed(1)}" y="20" font-size="11" text-anchor="middle">${lengthLabel(metres)}</text>`);
  out.push(`</g>`);
  out.push(`<text class="crs" x="${x0 + mw}" y="${sy + 20}" font-size="11" text-anchor="end" fill="#444">${esc(crsLabel(m.grid))}${isGeographic(m.grid) ? '; scale at the centre latitude' : ''}</text>`);
  let bottom = sy + 28;
  if (m.note) {
    out.push(`<text x="${x0}" y="${bottom + 14}" font-size="11" fill="#555">${esc(m.note)}</text>`);
    bottom += 18;
  }
  // legend
  const lg: string[] = [];
  let ly = y0 + 4;
  const lt = m.legend.title ?? '';
  if (lt) {
    lg.push(`<text x="${legendX}" y="${ly + 10}" font-size="12" font-weight="600">${esc(lt)}</text>`);
    ly += 20;
  }
  if (m.legend.kind === 'classes') {
    for (const it of m.legend.items) {
      lg.push(`<rect x="${legendX}" y="${ly}" width="14" height="12" fill="${it.outline ? 'none' : it.color}" stroke="${it.outline ? it.color : '#777'}" stroke-width="${it.outline ? 2 : 0.6}"/><text x="${legendX + 20}" y="${ly + 10}" font-size="12">${esc(it.label)}</text>`);
      ly += 18;
    }
  } else {
    const L = m.legend;
    const bh = Math.min(220, mh - 40), bw = 16;
    const gid = `g${Math.abs(hashString(m.title))}`;
    lg.push(`<defs><linearGradient id="${gid}" x1="0" y1="1" x2="0" y2="0">${L.stops.map((c, i) => `<stop offset="${(i / (L.stops.length - 1)).toFixed(3)}" stop-color="${c}"/>`).join('')}</linearGradient></defs>`);
    lg.push(`<rect x="${legendX}" y="${ly}" width="${bw}" height="${bh}" fill="url(#${gid})" stroke="#777" stroke-width="0.6"/>`);
    const ticks = L.ticks ?? [L.lo, (L.lo + L.hi) / 2, L.hi];
    for (const t of ticks) {
      const yy = ly + bh - ((t - L.lo) / (L.hi - L.lo)) * bh;
      lg.push(`<line x1="${legendX + bw}" x2="${legendX + bw + 4}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#333"/><text x="${legendX + bw + 7}" y="${(yy + 4).toFixed(1)}" font-size="11">${esc(fmt(t))}</text>`);
    }
    ly += bh + 8;
  }
  const width = Math.ceil(legendX + 215);
  const height = Math.ceil(Math.max(bottom + 8, ly + 8));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">\n${out.join('\n')}\n<g class="legend">${lg.join('')}</g>\n</svg>\n`;
  return { svg, scale: { metres, px, mapPx: mw, groundMetres } };
}

function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Quantile class breaks of finite values (k classes, distinct breaks). */
export function quantileBreaks(v: number[], k: number): number[] {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return [0, 1];
  const b: number[] = [s[0]];
  for (let i = 1; i < k; i++) {
    const q = s[Math.min(s.length - 1, Math.floor((i * s.length) / k))];
    if (q > b[b.length - 1]) b.push(q);
  }
  if (s[s.length - 1] > b[b.length - 1] || b.length === 1) b.push(s[s.length - 1]);
  return b;
}

export function classify(v: number, breaks: number[]): number {
  for (let i = 1; i < breaks.length - 1; i++) if (v < breaks[i]) return i - 1;
  return breaks.length - 2;
}

