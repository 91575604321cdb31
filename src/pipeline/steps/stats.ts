/**
 * Spatial statistics steps (methods.md section 10) on per-unit tables: weights from a zone
 * raster, GAL/GWT, k nearest neighbours or a distance band; Moran's I, Getis-Ord Gi*, Ward
 * clustering, geographical detector. Called by `landcarbon stats ...` and the study runner.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InputError, checkInt, checkNumber } from '../../errors.js';
import { readCsv, numberColumn, stringColumn, writeCsv, type Table } from '../../io/table.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Raster } from '../../io/grid.js';
import { readRaster } from '../../io/geotiff.js';
import { Engine } from '../../tiling/engine.js';
import { zoneAdjacencyKernel } from '../../kernels/adjacency.js';
import {
  contiguityFromZones, distanceBandWeights, includeSelf, islands, knnWeights, readGal, readGwt,
  transformWeights, writeGal, writeGwt, type Contiguity, type SpatialWeights, type Transform,
} from '../../models/stats/weights.js';
import { moran, type MoranResult } from '../../models/stats/moran.js';
import { localG, type LocalGResult } from '../../models/stats/getis.js';
import { cutTree, dendrogramSvg, wardLinkage, zscoreColumns, type Merge } from '../../models/stats/ward.js';
import { discretize, geodetector, parseDiscretize, type DiscretizeSpec, type GeodetectorResult } from '../../models/stats/geodetector.js';

// ---- weights and columns ---------------------------------------------------------------------

export interface WeightsOpts {
  table: string;
  id?: string;
  gal?: string;
  gwt?: string;
  zones?: string;
  contiguity?: string;
  knn?: string;
  distance?: string;
  coords?: string;
  transform: string;
  writeWeights?: string;
  threads?: string;
}

export function loadTable(path: string | undefined): Table {
  if (!path) throw new ConfigError('--table: required');
  const t = readCsv(path);
  if (t.rows.length === 0) throw new InputError(`${path}: no data rows`);
  return t;
}

export function unitIds(t: Table, id: string | undefined): string[] {
  if (!id) return t.rows.map((_, i) => String(i + 1));
  const ids = stringColumn(t, id);
  const seen = new Set<string>();
  ids.forEach((s, r) => {
    if (s === '') throw new InputError(`${t.source}: row ${r + 1}, column "${id}": empty id`);
    if (seen.has(s)) throw new InputError(`${t.source}: row ${r + 1}, column "${id}": id ${JSON.stringify(s)} appears twice`);
    seen.add(s);
  });
  return ids;
}

export function coordCols(t: Table, coords: string | undefined, need: string): [Float64Array, Float64Array] {
  if (!coords) throw new ConfigError(`${need} needs --coords X,Y`);
  const parts = coords.split(',').map((s) => s.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new ConfigError(`--coords: expected two column names "X,Y", got ${JSON.stringify(coords)}`);
  const x = numberColumn(t, parts[0]), y = numberColumn(t, parts[1]);
  const geo = looksGeographic(parts, x, y);
  if (geo) {
    process.stderr.write(
      `warning: ${need}: --coords ${parts.join(',')} in ${t.source} look like longitude/latitude in degrees (${geo}); ` +
        `distances here are planar (Euclidean), so project the coordinates (e.g. to UTM) first\n`,
    );
  }
  return [x, y];
}

/**
 * Coordinates that look geographic: every x in [-180, 180] and y in [-90, 90], and either the
 * columns are named like lon/lat or the values have fractional degrees. Planar distances on
 * degrees are wrong by cos(latitude) in x (a degree of longitude is 111 km x cos(lat)).
 */
function looksGeographic(names: string[], x: Float64Array, y: Float64Array): string | null {
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) > 180 || Math.abs(y[i]) > 90) return null;
  const named = /^(lon|lng|long|longitude|x_?lon)$/i.test(names[0]) || /^(lat|latitude|y_?lat)$/i.test(names[1]);
  let fractional = false;
  for (let i = 0; i < x.length && !fractional; i++) fractional = !Number.isInteger(x[i]) || !Number.isInteger(y[i]);
  if (!named && !fractional) return null;
  return named ? 'named like lon/lat, values within +-180 and +-90' : 'every value within +-180 and +-90';
}

/** Zone raster (any dtype; codes are matched to the --id values as numbers). */
export async function readZoneRaster(path: string): Promise<Raster> {
  return readRaster(path);
}

export async function buildWeights(t: Table, o: WeightsOpts & { allowIslands?: boolean }): Promise<SpatialWeights> {
  const ids = unitIds(t, o.id);
  const given = ['gal', 'gwt', 'zones', 'knn', 'distance'].filter((k) => (o as unknown as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(`weights: give exactly one of --gal, --gwt, --zones, --knn, --distance (got ${given.length ? given.map((g) => '--' + g).join(', ') : 'none'})`);
  }
  let w: SpatialWeights;
  if (o.gal) {
    let text: string;
    try { text = readFileSync(o.gal, 'utf8'); } catch (e) { throw new InputError(`${o.gal}: cannot read (${(e as NodeJS.ErrnoException).code})`); }
    w = readGal(text, o.gal, ids);
  } else if (o.gwt) {
    let text: string;
    try { text = readFileSync(o.gwt, 'utf8'); } catch (e) { throw new InputError(`${o.gwt}: cannot read (${(e as NodeJS.ErrnoException).code})`); }
    w = readGwt(text, o.gwt, ids);
  } else if (o.zones) {
    if (!o.id) throw new ConfigError('--zones needs --id naming the column of zone codes');
    const r = await readZoneRaster(o.zones);
    const engine = new Engine({ threads: o.threads === undefined ? availableParallelism() : checkInt('--threads', o.threads, 1, 256) });
    let adj;
    try {
      adj = await zoneAdjacencyKernel(engine, r.data, r.grid.width, r.grid.height, r.grid.nodata, o.contiguity as Contiguity);
    } finally {
      await engine.close();
    }
    w = contiguityFromZones(ids, adj, o.contiguity as Contiguity, o.zones, t.source);
  } else if (o.knn !== undefined) {
    const k = checkInt('--knn', o.knn, 1);
    const [x, y] = coordCols(t, o.coords, '--knn');
    w = knnWeights(ids, x, y, k);
  } else {
    const d = checkNumber('--distance', o.distance, Number.MIN_VALUE);
    const [x, y] = coordCols(t, o.coords, '--distance');
    w = distanceBandWeights(ids, x, y, d);
  }
  const isl = islands(w);
  if (isl.length && !o.allowIslands) {
    const names = isl.slice(0, 10).map((i) => ids[i]).join(', ');
    throw new InputError(`${w.source}: ${isl.length} unit${isl.length > 1 ? 's have' : ' has'} no neighbours (${names}${isl.length > 10 ? ', ...' : ''}); pass --allow-islands to keep them with zero weights`);
  }
  return w;
}

export function writeWeightsFile(path: string | undefined, w: SpatialWeights): void {
  if (!path) return;
  if (path.toLowerCase().endsWith('.gwt')) writeFileAtomic(path, writeGwt(w));
  else writeFileAtomic(path, writeGal(w));
}

export function fieldColumn(t: Table, field: string | undefined, opt = '--field'): Float64Array {
  if (!field) throw new ConfigError(`${opt}: required`);
  return numberColumn(t, field);
}

export function listOpt(v: string | undefined, opt: string): string[] {
  if (!v) throw new ConfigError(`${opt}: required`);
  const l = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (l.length === 0) throw new ConfigError(`${opt}: expected a comma-separated list of columns, got ${JSON.stringify(v)}`);
  return l;
}


// ---- steps ------------------------------------------------------------------------------------

export interface MoranStepInput extends WeightsOpts {
  field?: string;
  permutations: number;
  seed: number;
  allowIslands?: boolean;
}

export interface MoranStepResult {
  table: Table;
  weights: SpatialWeights;
  result: MoranResult;
}

export async function moranStep(o: MoranStepInput): Promise<MoranStepResult> {
  const t = loadTable(o.table);
  const y = fieldColumn(t, o.field);
  const w0 = await buildWeights(t, o);
  const w = transformWeights(w0, o.transform as Transform);
  writeWeightsFile(o.writeWeights, w);
  const result = moran(y, w, { permutations: o.permutations, seed: o.seed, what: `${t.source} "${o.field}"` });
  return { table: t, weights: w, result };
}

export interface GistarStepInput extends WeightsOpts {
  field?: string;
  /** Gi without the unit itself instead of Gi*. */
  gi?: boolean;
  /** Per-unit table id,gi,z,p,class. */
  out?: string;
  allowIslands?: boolean;
}

export interface GistarStepResult {
  table: Table;
  /** Weights before the self link of Gi* and the transform. */
  weights0: SpatialWeights;
  weights: SpatialWeights;
  star: boolean;
  result: LocalGResult;
  counts: Record<string, number>;
}

export async function gistarStep(o: GistarStepInput): Promise<GistarStepResult> {
  const t = loadTable(o.table);
  const x = fieldColumn(t, o.field);
  const w0 = await buildWeights(t, o);
  const star = !o.gi;
  const w = transformWeights(star ? includeSelf(w0) : w0, o.transform as Transform);
  writeWeightsFile(o.writeWeights, w);
  const r = localG(x, w, star, `${t.source} "${o.field}"`);
  if (o.out) writeCsv(o.out, ['id', 'gi', 'z', 'p', 'class'], w.ids.map((id, i) => [id, r.g[i], r.z[i], r.p[i], r.cls[i]] as (string | number | null)[]));
  const counts: Record<string, number> = {};
  for (const c of r.cls) counts[c] = (counts[c] ?? 0) + 1;
  return { table: t, weights0: w0, weights: w, star, result: r, counts };
}

export interface ClusterStepInput {
  table?: string;
  fields?: string;
  id?: string;
  standardize?: boolean;
  k?: string | number;
  /** Directory: linkage.csv, clusters.csv, dendrogram.svg. */
  out?: string;
}

export interface ClusterStepResult {
  table: Table;
  fields: string[];
  ids: string[];
  k: number;
  linkage: Merge[];
  labels: number[];
  sizes: number[];
}

export function clusterStep(o: ClusterStepInput): ClusterStepResult {
  const t = loadTable(o.table);
  const fields = listOpt(o.fields, '--fields');
  const ids = unitIds(t, o.id);
  if (o.k === undefined) throw new ConfigError('--k: required');
  const k = checkInt('--k', o.k, 1, ids.length);
  let cols = fields.map((f) => numberColumn(t, f));
  if (o.standardize) cols = zscoreColumns(cols, fields, t.source);
  const Z = wardLinkage(cols, t.source);
  const labels = cutTree(Z, ids.length, k);
  if (o.out) {
    writeCsv(join(o.out, 'linkage.csv'), ['a', 'b', 'height', 'size'], Z.map((r) => [r.a, r.b, r.height, r.size]));
    writeCsv(join(o.out, 'clusters.csv'), ['id', 'cluster'], ids.map((id, i) => [id, labels[i]]));
    writeFileAtomic(join(o.out, 'dendrogram.svg'), dendrogramSvg(Z, ids, labels, { title: `Ward linkage of ${fields.join(', ')}${o.standardize ? ' (z-scored)' : ''}` }));
  }
  const sizes = new Array(k).fill(0);
  for (const l of labels) sizes[l - 1]++;
  return { table: t, fields, ids, k, linkage: Z, labels: [...labels], sizes };
}

export interface GeodetectorStepInput {
  table?: string;
  y?: string;
  factors?: string;
  discretize?: string;
  alpha: number;
  /** Directory: factor.csv, interaction.csv, risk.csv, ecological.csv. */
  out?: string;
}

export interface GeodetectorStepResult {
  table: Table;
  n: number;
  result: GeodetectorResult;
  discretization: { factor: string; method?: string; classes?: number; breaks?: number[] }[];
}

export function geodetectorStep(o: GeodetectorStepInput): GeodetectorStepResult {
  const t = loadTable(o.table);
  if (!o.y) throw new ConfigError('--y: required');
  const y = numberColumn(t, o.y);
  const factors = listOpt(o.factors, '--factors');
  const specs: Map<string, DiscretizeSpec> = o.discretize ? parseDiscretize(o.discretize, factors) : new Map();
  const strata: { name: string; labels: string[]; method?: string; classes?: number; breaks?: number[] }[] = [];
  for (const f of factors) {
    const spec = specs.get(f);
    if (spec) {
      const d = discretize(numberColumn(t, f), y, spec, `${t.source} "${f}"`);
      strata.push({ name: f, labels: d.labels, method: spec.method, classes: d.k, breaks: d.breaks });
    } else {
      const col = stringColumn(t, f);
      col.forEach((s, r) => { if (s === '') throw new InputError(`${t.source}: row ${r + 1}, column "${f}": empty class label`); });
      strata.push({ name: f, labels: col });
    }
  }
  const res = geodetector(y, strata, { alpha: o.alpha, what: t.source });
  const disc = strata.filter((s) => s.method).map((s) => ({ factor: s.name, method: s.method, classes: s.classes, breaks: s.breaks }));
  if (o.out) {
    writeCsv(join(o.out, 'factor.csv'), ['factor', 'q', 'F', 'p', 'lambda', 'strata'], res.factor.map((f) => [f.factor, f.q, f.F, f.p, f.lambda, f.strata]));
    writeCsv(join(o.out, 'interaction.csv'), ['factor_a', 'factor_b', 'q_a', 'q_b', 'q_ab', 'type'], res.interaction.map((r) => [r.a, r.b, r.qa, r.qb, r.qab, r.type]));
    writeCsv(join(o.out, 'risk.csv'), ['factor', 'stratum_a', 'stratum_b', 'mean_a', 'mean_b', 't', 'df', 'p', 'significant'],
      res.risk.flatMap((r) => r.pairs.map((p) => [r.factor, p.a, p.b, p.meanA, p.meanB, p.t, p.df, p.p, p.significant === null ? '' : p.significant ? 'Y' : 'N'])));
    writeCsv(join(o.out, 'ecological.csv'), ['factor_a', 'factor_b', 'F', 'p', 'significant'], res.ecological.map((r) => [r.a, r.b, r.F, r.p, r.significant ? 'Y' : 'N']));
  }
  return { table: t, n: y.length, result: res, discretization: disc };
}
