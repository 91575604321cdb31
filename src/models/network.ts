/**
 * Carbon emission network (seed 000 eq. 3, Table 3, Table 9; methods.md section 9).
 *
 * 1. Units: a table `id, [name,] gdp, population, emissions[, lon, lat]` (lon/lat in degrees,
 *    WGS84) or centroids from a zone raster whose cell values are the unit ids (integers):
 *    the centroid is the mean of the cell centres of a zone in the raster's CRS, converted to
 *    lon/lat with proj4 from the raster's EPSG code.
 * 2. Gravity R_ij = k_ij cbrt(G_i P_i C_i) cbrt(G_j P_j C_j) / d_ij^2, k_ij = C_i / (C_i + C_j),
 *    d = haversine great-circle distance, R = 6371.0088 km; thresholded by top:p% | value:X |
 *    row-mean (src/kernels/gravity.ts), streamed in worker threads (no n^2 matrix).
 * 3. Linkage areas: weakly connected components of the thresholded graph with >= 2 units,
 *    numbered 1, 2, ... in the order of their first unit in the table (union-find).
 * 4. Centrality on the binary directed graph (hop counts; --weighted: distance_km weights):
 *    out/in degree / (n - 1), out/in closeness (Wasserman–Faust, networkx), betweenness / ((n-1)(n-2))
 *    (src/kernels/paths.ts).
 * 5. Key units (Table 9): the top fraction (default 10 %) by in-degree = core, in-closeness =
 *    promotion, betweenness = bridge, out-degree = improvement; several roles per unit allowed.
 *    q = ceil(fraction * n); every unit whose value is >= the q-th largest value AND > 0 holds
 *    the role (ties at the cut all get it, so a role can have more than q units; a zero
 *    centrality never makes a key unit).
 *
 * Stated behaviours for awkward data (each tested):
 *   - negative or non-numeric gdp/population/emissions: InputError naming the row and column;
 *   - zero emissions (or zero GDP/population): the unit's mass is 0, so every R involving it is
 *     0 (also when C_i + C_j = 0, where k is undefined: the product is 0 whatever k is); such
 *     units never get edges;
 *   - duplicate ids, missing coordinates, lon/lat out of range, two units at the same
 *     centroid (d = 0): InputError;
 *   - with --zones: units missing from the raster, or zones with no row in the table: InputError.
 */
import proj4 from 'proj4';
import { gridCrsDef } from '../io/vector/crs.js';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, InputError } from '../errors.js';
import { Crs, isNoData, Raster } from '../io/grid.js';
import { columnIndex, csvBom, hasColumn, numberColumn, readCsv, stringColumn, Table, writeCsv } from '../io/table.js';
import { asWriteError, commitTemp, discardTemp, tempPathFor } from '../io/atomic.js';
import { Engine } from '../tiling/engine.js';
import { buildCsr, centrality, Centrality } from '../kernels/paths.js';
import { gravityEdges, GravityEdges, Threshold } from '../kernels/gravity.js';
import { distanceKm, gravityMasses, unitVectors } from '../kernels/gravity.ref.js';

export interface Units {
  source: string;
  ids: string[];
  names: string[];
  gdp: Float64Array;
  population: Float64Array;
  emissions: Float64Array;
  /** degrees; NaN where the table has no coordinates */
  lon: Float64Array;
  lat: Float64Array;
}

/** Parses a unit table (see the module comment for the columns). */
export function unitsFromTable(t: Table): Units {
  const ids = stringColumn(t, 'id');
  const seen = new Map<string, number>();
  ids.forEach((id, r) => {
    if (id === '') throw new InputError(`${t.source}: row ${r + 1}, column "id": empty unit id`);
    const prev = seen.get(id);
    if (prev !== undefined) throw new InputError(`${t.source}: duplicate unit id "${id}" in rows ${prev + 1} and ${r + 1}`);
    seen.set(id, r);
  });
  const names = hasColumn(t, 'name') ? stringColumn(t, 'name') : ids.slice();
  const gdp = numberColumn(t, 'gdp', { min: 0 });
  const population = numberColumn(t, 'population', { min: 0 });
  const emissions = numberColumn(t, 'emissions', { min: 0 });
  const n = ids.length;
  let lon: Float64Array = new Float64Array(n).fill(NaN);
  let lat: Float64Array = new Float64Array(n).fill(NaN);
  if (hasColumn(t, 'lon') !== hasColumn(t, 'lat')) throw new InputError(`${t.source}: has only one of the columns "lon" and "lat"; give both or neither`);
  if (hasColumn(t, 'lon')) {
    lon = numberColumn(t, 'lon', { allowEmpty: true });
    lat = numberColumn(t, 'lat', { allowEmpty: true });
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(lon[i]) !== Number.isNaN(lat[i])) throw new InputError(`${t.source}: unit "${ids[i]}" (row ${i + 1}) has only one of lon/lat`);
      if (!Number.isNaN(lon[i]) && (lon[i] < -180 || lon[i] > 180)) throw new InputError(`${t.source}: unit "${ids[i]}" (row ${i + 1}): lon ${lon[i]} outside [-180, 180]`);
      if (!Number.isNaN(lat[i]) && (lat[i] < -90 || lat[i] > 90)) throw new InputError(`${t.source}: unit "${ids[i]}" (row ${i + 1}): lat ${lat[i]} outside [-90, 90]`);
    }
  }
  return { source: t.source, ids, names, gdp, population, emissions, lon, lat };
}

export function readUnits(path: string): Units {
  const t = readCsv(path);
  columnIndex(t, 'id');
  return unitsFromTable(t);
}

/** proj4 definition of a raster CRS (EPSG codes proj4 knows, UTM WGS84, CGCS2000 3-degree GK). */
export function proj4Def(crs: Crs | null, source: string): string | null {
  if (crs && crs.epsg === undefined) {
    // a user-defined projection (GeoKeys: Transverse Mercator, Lambert Conformal Conic, Albers)
    try {
      return gridCrsDef(crs, source).def;
    } catch {
      /* not one proj4 can build: the message below */
    }
  }
  if (!crs || crs.epsg === undefined) throw new InputError(`${source}: the raster records no EPSG code; give lon/lat columns in the unit table instead`);
  const e = crs.epsg;
  if (e === 4326 || e === 4490 || e === 4269 || e === 4258) return null; // geographic lon/lat already
  if (e >= 32601 && e <= 32660) return `+proj=utm +zone=${e - 32600} +datum=WGS84 +units=m +no_defs`;
  if (e >= 32701 && e <= 32760) return `+proj=utm +zone=${e - 32700} +south +datum=WGS84 +units=m +no_defs`;
  // CGCS2000 / 3-degree Gauss-Kruger CM 75E..135E (no false easting prefix)
  if (e >= 4534 && e <= 4554) return `+proj=tmerc +lat_0=0 +lon_0=${75 + 3 * (e - 4534)} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  if (proj4.defs(`EPSG:${e}`)) return `EPSG:${e}`;
  throw new InputError(`${source}: EPSG:${e} is not a CRS landcarbon can convert to lon/lat (supported: 4326, 4490, 3857, UTM 326xx/327xx, CGCS2000 GK 4534-4554); give lon/lat columns in the unit table instead`);
}

/**
 * Zone centroids: the mean of the cell centres of each zone value (integers = unit ids),
 * in lon/lat degrees. Units missing from the raster and zone values without a unit are errors.
 */
export function zoneCentroids(zones: Raster, source: string, units: Units): { lon: Float64Array; lat: Float64Array } {
  const { width, height, transform: t, nodata } = zones.grid;
  const index = new Map<number, number>();
  units.ids.forEach((id, i) => {
    const v = Number(id);
    if (!Number.isInteger(v)) throw new InputError(`${units.source}: unit id "${id}" is not an integer, so it cannot match the zone values of ${source}`);
    index.set(v, i);
  });
  const n = units.ids.length;
  const sc = new Float64Array(n);
  const sr = new Float64Array(n);
  const cnt = new Float64Array(n);
  const unknown = new Set<number>();
  const data = zones.data;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = data[r * width + c];
      if (isNoData(v, nodata)) continue;
      const i = index.get(v);
      if (i === undefined) {
        if (unknown.size < 10) unknown.add(v);
        continue;
      }
      sc[i] += c;
      sr[i] += r;
      cnt[i]++;
    }
  }
  if (unknown.size > 0) throw new InputError(`${source}: zone values [${[...unknown].join(', ')}] have no row in ${units.source}`);
  const missing = units.ids.filter((_, i) => cnt[i] === 0);
  if (missing.length > 0) throw new InputError(`${units.source}: units [${missing.slice(0, 10).join(', ')}] have no cells in ${source}`);
  const def = proj4Def(zones.grid.crs, source);
  const conv = def ? proj4(def, 'EPSG:4326') : null;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // affine map of the mean cell centre (the transform is linear, so this is the mean of centres)
    const col = sc[i] / cnt[i] + 0.5;
    const row = sr[i] / cnt[i] + 0.5;
    const x = t[0] + col * t[1] + row * t[2];
    const y = t[3] + col * t[4] + row * t[5];
    const [lo, la] = conv ? conv.forward([x, y]) : [x, y];
    lon[i] = lo;
    lat[i] = la;
  }
  return { lon, lat };
}

/** Every unit must have coordinates, and no two units may share a centroid (d = 0). */
export function checkCentroids(units: Units, lon: Float64Array, lat: Float64Array): void {
  const n = units.ids.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(lon[i]) || !Number.isFinite(lat[i])) {
      throw new InputError(`${units.source}: unit "${units.ids[i]}" (row ${i + 1}) has no coordinates: fill lon/lat or pass --zones`);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lon[a] - lon[b] || lat[a] - lat[b] || a - b);
  for (let k = 1; k < n; k++) {
    const a = order[k - 1];
    const b = order[k];
    if (lon[a] === lon[b] && lat[a] === lat[b]) {
      throw new InputError(`${units.source}: units "${units.ids[Math.min(a, b)]}" and "${units.ids[Math.max(a, b)]}" share the centroid (${lon[a]}, ${lat[a]}): their distance is 0 and the gravity undefined`);
    }
  }
}

/** Weakly connected components with >= 2 units, numbered 1.. by their first unit; 0 = none. */
export function linkageAreas(n: number, from: ArrayLike<number>, to: ArrayLike<number>): Int32Array {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let e = 0; e < from.length; e++) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) size[find(i)]++;
  const label = new Int32Array(n).fill(-1);
  const out = new Int32Array(n);
  let next = 1;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (size[r] < 2) continue;
    if (label[r] < 0) label[r] = next++;
    out[i] = label[r];
  }
  return out;
}

export const ROLES = [
  ['core', 'inDegree'],
  ['promotion', 'inCloseness'],
  ['bridge', 'betweenness'],
  ['improvement', 'outDegree'],
] as const;

/** Units in the top `fraction` of `values` (ties at the cut included; values must be > 0). */
export function topFraction(values: Float64Array, fraction: number): boolean[] {
  const n = values.length;
  const out = new Array<boolean>(n).fill(false);
  if (n === 0) return out;
  const q = Math.max(1, Math.ceil(fraction * n - 1e-9));
  const finite = Array.from(values).filter((v) => Number.isFinite(v)).sort((a, b) => b - a);
  if (finite.length === 0) return out;
  const cut = finite[Math.min(q, finite.length) - 1];
  for (let i = 0; i < n; i++) out[i] = Number.isFinite(values[i]) && values[i] >= cut && values[i] > 0;
  return out;
}

export function keyRoles(c: Centrality, fraction: number): string[][] {
  if (!(fraction > 0 && fraction <= 1)) throw new ConfigError(`key fraction: expected a number in (0, 1], got ${fraction}`);
  const roles: string[][] = Array.from({ length: c.n }, () => []);
  for (const [role, key] of ROLES) {
    const sel = topFraction(c[key], fraction);
    sel.forEach((s, i) => s && roles[i].push(role));
  }
  return roles;
}

export interface NetworkOptions {
  threshold: Threshold;
  engine: Engine;
  /** Shortest paths weighted by distance_km (default: hop counts). */
  weighted?: boolean;
  /** Key-unit fraction (default 0.1). */
  keyFraction?: number;
  /** 'exact' (default), 'degree' (degree only: no betweenness/closeness), or a source sample size. */
  paths?: 'exact' | 'degree' | { sample: number; seed: number };
}

export interface NetworkResult {
  n: number;
  lon: Float64Array;
  lat: Float64Array;
  edges: GravityEdges & { distanceKm: Float64Array };
  linkage: Int32Array;
  centrality: Centrality;
  roles: string[][];
  timings: Record<string, number>;
}

export async function buildNetwork(units: Units, lon: Float64Array, lat: Float64Array, opts: NetworkOptions): Promise<NetworkResult> {
  const n = units.ids.length;
  if (n < 2) throw new InputError(`${units.source}: a network needs at least 2 units, got ${n}`);
  checkCentroids(units, lon, lat);
  const timings: Record<string, number> = {};
  const tick = () => performance.now();
  let t0 = tick();
  const xyz = unitVectors(lon, lat);
  const mass = gravityMasses(units.gdp, units.population, units.emissions);
  const ge = await gravityEdges({ n, xyz, mass, emis: units.emissions }, opts.threshold, { engine: opts.engine });
  timings.gravity = (tick() - t0) / 1000;
  const m = ge.from.length;
  const dist = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    dist[e] = distanceKm(xyz, ge.from[e], ge.to[e]);
    if (!Number.isFinite(ge.gravity[e]) || !(dist[e] > 0)) {
      throw new InputError(`${units.source}: units "${units.ids[ge.from[e]]}" and "${units.ids[ge.to[e]]}" are ${dist[e]} km apart: the gravity is undefined`);
    }
  }
  t0 = tick();
  const linkage = linkageAreas(n, ge.from, ge.to);
  timings.linkage = (tick() - t0) / 1000;
  t0 = tick();
  const g = buildCsr(n, ge.from, ge.to, opts.weighted ? dist : null, { source: units.source, labels: units.ids });
  const mode = opts.paths ?? 'exact';
  const c =
    mode === 'exact'
      ? await centrality(g, { engine: opts.engine })
      : mode === 'degree'
        ? await centrality(g, { engine: opts.engine, betweenness: false, closeness: false })
        : await centrality(g, { engine: opts.engine, sample: Math.min(mode.sample, n), seed: mode.seed, closeness: false });
  timings.centrality = (tick() - t0) / 1000;
  const roles = keyRoles(c, opts.keyFraction ?? 0.1);
  return { n, lon, lat, edges: { ...ge, distanceKm: dist }, linkage, centrality: c, roles, timings };
}

// ---------------------------------------------------------------- outputs

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Streams lines to `path` atomically (large edge lists never become one string). */
export async function writeLinesAtomic(path: string, lines: (emit: (s: string) => void) => void): Promise<void> {
  const tmp = tempPathFor(path);
  const ws = createWriteStream(tmp);
  let buf: string[] = [];
  let size = 0;
  const flush = () => {
    if (buf.length) ws.write(buf.join(''));
    buf = [];
    size = 0;
  };
  try {
    lines((s) => {
      buf.push(s);
      size += s.length;
      if (size > 1 << 20) flush();
    });
    flush();
    await new Promise<void>((res, rej) => {
      ws.on('error', rej);
      ws.end(() => res());
    });
    commitTemp(tmp, path);
  } catch (e) {
    ws.destroy();
    discardTemp(tmp);
    throw asWriteError(path, e);
  }
}

const num = (v: number): string => (Number.isNaN(v) ? '' : String(v));

export async function writeNetwork(dir: string, units: Units, r: NetworkResult): Promise<string[]> {
  const ids = units.ids.map(csvField);
  const { from, to, gravity, distanceKm: dist } = r.edges;
  await writeLinesAtomic(join(dir, 'edges.csv'), (emit) => {
    emit(`${csvBom()}from,to,gravity,distance_km\n`);
    for (let e = 0; e < from.length; e++) emit(`${ids[from[e]]},${ids[to[e]]},${gravity[e]},${dist[e]}\n`);
  });
  await writeLinesAtomic(join(dir, 'edges.geojson'), (emit) => {
    emit('{"type":"FeatureCollection","features":[\n');
    for (let e = 0; e < from.length; e++) {
      const i = from[e];
      const j = to[e];
      const props = JSON.stringify({ from: units.ids[i], to: units.ids[j], gravity: gravity[e], distance_km: dist[e] });
      emit(`${e ? ',\n' : ''}{"type":"Feature","geometry":{"type":"LineString","coordinates":[[${r.lon[i]},${r.lat[i]}],[${r.lon[j]},${r.lat[j]}]]},"properties":${props}}`);
    }
    emit('\n]}\n');
  });
  writeCentralityCsv(join(dir, 'centrality.csv'), units.ids, r.centrality, r.roles);
  writeCsv(join(dir, 'linkage.csv'), ['unit', 'linkage_area'], units.ids.map((id, i) => [id, r.linkage[i] > 0 ? r.linkage[i] : '']));
  return ['edges.csv', 'centrality.csv', 'linkage.csv', 'edges.geojson'].map((f) => join(dir, f));
}

export function writeCentralityCsv(path: string, ids: string[], c: Centrality, roles: string[][] | null): void {
  const cols = ['unit', 'out_degree', 'in_degree', 'out_closeness', 'in_closeness', 'betweenness'];
  if (roles) cols.push('roles');
  const rows = ids.map((id, i) => {
    const row: (string | number)[] = [id, c.outDegree[i], c.inDegree[i], num(c.outCloseness[i]), num(c.inCloseness[i]), num(c.betweenness[i])];
    if (roles) row.push(roles[i].join(';'));
    return row;
  });
  writeCsv(path, cols, rows);
}
