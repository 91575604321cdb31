/**
 * PLUS land expansion analysis strategy, LEAS (Liang et al. 2021; methods.md section 4): from
 * two land-use maps, the cells each class expanded into, one random forest per class (expanded
 * to k vs not, src/models/forest.ts), and the development probability P_k of every cell.
 *
 * Rule, exactly:
 * - Classes: the codes present on valid cells of either map, ascending (band k = k-th code).
 *   Valid cells: both maps have a class and every driver has data.
 * - Expansion map E (as PLUS): E_i = k + 1 where from_i != to_i and to_i = class k, 0 where the
 *   class did not change, 255 on invalid cells.
 * - Sample (seeded, counter RNG, independent of the thread count): cell i is drawn when
 *   rngF64(key(seed, 1), i) < rate_s for its stratum s = E_i (no change, expanded to class 1, ...).
 *   Strata use the sample rate (default 0.01, the PLUS manual's default) except that a stratum
 *   smaller than minPerStratum / rate cells uses rate minPerStratum / size (at least 300 cells, or all
 *   of them: expansions are often rare, and a forest needs positives). If the sample exceeds
 *   maxSamples every rate is scaled down to fit.
 *   Choice (the paper does not say how negatives are drawn): class k's forest is trained on
 *   the sampled cells whose start class is not k: positives = expanded to k, negatives = every
 *   other sampled cell (unchanged, or expanded to another class). Cells already of class k at
 *   the start are left out: they cannot expand to k, and counting them as either would teach
 *   the forest that k-land is (un)suitable for k.
 * - P_k(i) = the forest's probability of "expanded to k" at cell i (mean over trees of leaf
 *   shares), predicted on every valid cell, whatever its class; NaN on invalid cells. A class
 *   that never expanded has P_k = 0 on valid cells (no forest).
 * - Hold-out (to compare with other learners): the sampled cells with
 *   rngF64(key(seed, 2), i) < holdout are held out of training.
 * - Contributions per class and driver: mean decrease in impurity (sum 1 per class) and OOB
 *   permutation importance (see forest.ts).
 * - Any raster size: the same rule runs in passes over row blocks (the block plan; `plus leas`):
 *   scanLeasBlock (codes, stratum sizes), LeasSampler.addBlock (the draws above, with the sampled
 *   cells' driver values), trainLeasSample, then predictLeas per block. trainLeas is those passes
 *   on one block, so both give the same model bit for bit.
 * - Defaults: 50 trees (Breiman 2001 and scikit-learn use more; the PLUS manual's 20 is
 *   noisier), mtry = floor(sqrt(D)) (Breiman's classification default; the PLUS manual lets
 *   the user set mTry), minLeaf 1 and unlimited depth (fully grown trees, Breiman 2001).
 */
import { ConfigError, InputError, checkInt, checkNumber } from '../errors.js';
import type { RasterArray } from '../io/grid.js';
import { RngKey, rngF64 } from '../kernels/rng.ref.js';
import { forestPredict, type FlatForest } from '../kernels/forest.js';
import type { Engine } from '../tiling/engine.js';
import type { DriverPlane } from './ann.js';
import { flattenForest, resolveForestOptions, trainForest, type ForestOptions, type ResolvedForestOptions } from './forest.js';

export interface LeasMap {
  name: string;
  data: RasterArray;
  nodata: number | null;
}

export interface LeasOptions extends ForestOptions {
  /** Share of each stratum's cells sampled (default 0.01). */
  sampleRate?: number;
  /** Lower bound on a stratum's sample (capped by its size; default 300). */
  minPerStratum?: number;
  /** Upper bound on the whole sample (default 200000). */
  maxSamples?: number;
  /** Share of the sampled cells held out of training (default 0). */
  holdout?: number;
}

export interface LeasClass {
  code: number;
  /** Cells that expanded to this class; training positives / negatives. */
  expanded: number;
  positives: number;
  negatives: number;
  /** Null when the class never expanded (P = 0). */
  oobAccuracy: number | null;
  mdi: number[];
  permutation: number[];
  forest: FlatForest | null;
}

export interface LeasModel {
  format: 'landcarbon-leas';
  version: 1;
  codes: number[];
  drivers: string[];
  seed: number;
  sampleRate: number;
  minPerStratum: number;
  maxSamples: number;
  forest: ResolvedForestOptions;
  validCells: number;
  classes: LeasClass[];
}

export const LEAS_NO_CHANGE = 0;

function isValid(v: number, nd: number | null): boolean {
  return v === v && v !== nd;
}

/**
 * First pass of LEAS over a raster, block by block (the block plan, src/tiling/blocks.ts): the
 * codes of either map and the size of every stratum. `scanLeasBlock` adds one block (cells
 * `cellOffset ..`); the whole raster is one block.
 */
export interface LeasScan {
  codes: Set<number>;
  /** Valid cells (both maps and every driver have data) that did not change. */
  unchanged: number;
  /** Valid cells that changed, by the code they changed to. */
  changedTo: Map<number, number>;
  valid: number;
}

export function newLeasScan(): LeasScan {
  return { codes: new Set(), unchanged: 0, changedTo: new Map(), valid: 0 };
}

function driverValid(drivers: DriverPlane[], i: number): boolean {
  for (const d of drivers) {
    const x = d.data[i];
    if (x !== x || x === d.nodata) return false;
  }
  return true;
}

function checkCells(from: LeasMap, to: LeasMap, drivers: DriverPlane[]): number {
  const n = from.data.length;
  if (to.data.length !== n) throw new InputError(`${to.name}: ${to.data.length} cells, ${from.name} has ${n}`);
  for (const d of drivers) if (d.data.length !== n) throw new InputError(`${d.name}: ${d.data.length} cells, ${from.name} has ${n}`);
  return n;
}

export function scanLeasBlock(scan: LeasScan, from: LeasMap, to: LeasMap, drivers: DriverPlane[], cellOffset = 0): void {
  const n = checkCells(from, to, drivers);
  for (const m of [from, to]) {
    let last = NaN;
    for (let i = 0; i < n; i++) {
      const v = m.data[i];
      if (v === last || !isValid(v, m.nodata)) continue;
      if (!Number.isInteger(v)) throw new InputError(`${m.name}: class code ${v} at cell ${cellOffset + i} is not an integer`);
      scan.codes.add(v);
      last = v;
    }
  }
  for (let i = 0; i < n; i++) {
    const u = from.data[i], v = to.data[i];
    if (!isValid(u, from.nodata) || !isValid(v, to.nodata) || !driverValid(drivers, i)) continue;
    scan.valid++;
    if (u === v) scan.unchanged++;
    else scan.changedTo.set(v, (scan.changedTo.get(v) ?? 0) + 1);
  }
}

/** Codes of a finished scan, ascending (band k = k-th code). */
export function leasScanCodes(scan: LeasScan, fromName: string, toName: string): number[] {
  const codes = [...scan.codes].sort((a, b) => a - b);
  if (codes.length === 0) throw new InputError(`${fromName}, ${toName}: no valid cells`);
  if (codes.length > 254) throw new InputError(`${fromName}, ${toName}: ${codes.length} classes, at most 254 supported`);
  if (scan.valid === 0) throw new InputError(`${fromName}, ${toName}, drivers: no cell where both maps and every driver have data`);
  return codes;
}

/** Stratum sizes: [no change, expanded to class 0, ..., class K-1]. */
export function leasStrata(scan: LeasScan, codes: number[]): number[] {
  return [scan.unchanged, ...codes.map((c) => scan.changedTo.get(c) ?? 0)];
}

/** Codes present on cells valid in either map, ascending. */
export function leasCodes(from: LeasMap, to: LeasMap): number[] {
  const scan = newLeasScan();
  scanLeasBlock(scan, from, to, [], 0);
  const codes = [...scan.codes].sort((a, b) => a - b);
  if (codes.length === 0) throw new InputError(`${from.name}, ${to.name}: no valid cells`);
  if (codes.length > 254) throw new InputError(`${from.name}, ${to.name}: ${codes.length} classes, at most 254 supported`);
  return codes;
}

/** Class indices and expansion map of one block (see expansionMap); valid may be 0. */
export function expansionBlock(from: LeasMap, to: LeasMap, drivers: DriverPlane[], codes: number[]): { a: Uint8Array; b: Uint8Array; e: Uint8Array; valid: number } {
  const n = checkCells(from, to, drivers);
  const lut = new Map(codes.map((c, k) => [c, k]));
  const a = new Uint8Array(n), b = new Uint8Array(n), e = new Uint8Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const u = from.data[i], v = to.data[i];
    if (!(isValid(u, from.nodata) && isValid(v, to.nodata) && driverValid(drivers, i))) {
      a[i] = b[i] = e[i] = 255;
      continue;
    }
    valid++;
    const ka = lut.get(u)!, kb = lut.get(v)!;
    a[i] = ka;
    b[i] = kb;
    e[i] = ka === kb ? LEAS_NO_CHANGE : kb + 1;
  }
  return { a, b, e, valid };
}

/**
 * Class indices of both maps (255 = invalid: either map or a driver has no data) and the
 * expansion map (0 no change, k + 1 expanded to class k, 255 invalid).
 */
export function expansionMap(from: LeasMap, to: LeasMap, drivers: DriverPlane[], codes: number[]): { a: Uint8Array; b: Uint8Array; e: Uint8Array; valid: number } {
  const r = expansionBlock(from, to, drivers, codes);
  if (r.valid === 0) throw new InputError(`${from.name}, ${to.name}, drivers: no cell where both maps and every driver have data`);
  return r;
}

export interface LeasSample {
  /** Sampled cell indices (ascending), the training ones and the held-out ones. */
  train: Int32Array;
  holdout: Int32Array;
  rates: number[];
}

/** Sampling rate per stratum from the stratum sizes (rule in the header). */
export function leasRates(size: ArrayLike<number>, o: { sampleRate: number; minPerStratum: number; maxSamples: number }): number[] {
  let rates = Array.from(size, (s) => (s === 0 ? 0 : Math.min(1, Math.max(o.sampleRate, o.minPerStratum / s))));
  const expected = rates.reduce((a, r, s) => a + r * size[s], 0);
  if (expected > o.maxSamples) rates = rates.map((r) => (r * o.maxSamples) / expected);
  return rates;
}

/** The seeded stratified sample (rule in the header). */
export function leasSample(e: Uint8Array, K: number, o: { seed: number; sampleRate: number; minPerStratum: number; maxSamples: number; holdout: number }): LeasSample {
  const size = new Float64Array(K + 1);
  for (let i = 0; i < e.length; i++) if (e[i] !== 255) size[e[i]]++;
  const rates = leasRates(size, o);
  const ks = new RngKey(o.seed, 1), kh = new RngKey(o.seed, 2);
  const train: number[] = [], hold: number[] = [];
  for (let i = 0; i < e.length; i++) {
    const s = e[i];
    if (s === 255 || !(rngF64(ks, i) < rates[s])) continue;
    if (o.holdout > 0 && rngF64(kh, i) < o.holdout) hold.push(i);
    else train.push(i);
  }
  return { train: Int32Array.from(train), holdout: Int32Array.from(hold), rates };
}

/** Sampled cells with their driver values, start class and stratum (ascending cell order). */
export interface LeasRowsSet {
  cells: Int32Array;
  /** cells.length x D, row-major. */
  X: Float32Array;
  a: Uint8Array;
  e: Uint8Array;
}

/**
 * Second pass of LEAS, block by block: draws the sample of leasSample (the same cells: each
 * draw is keyed by the global cell index) and keeps each sampled cell's driver values, so the
 * rasters need not stay in memory. Memory: (4 D + 6) bytes per sampled cell.
 */
export class LeasSampler {
  private readonly ks: RngKey;
  private readonly kh: RngKey;
  private readonly parts = { train: [] as LeasRowsSet[], holdout: [] as LeasRowsSet[] };
  constructor(readonly codes: number[], readonly D: number, readonly rates: number[], seed: number, readonly holdout: number) {
    this.ks = new RngKey(seed, 1);
    this.kh = new RngKey(seed, 2);
  }

  addBlock(from: LeasMap, to: LeasMap, drivers: DriverPlane[], cellOffset: number): void {
    if (drivers.length !== this.D) throw new InputError(`drivers: ${drivers.length} given, expected ${this.D}`);
    const { a, e } = expansionBlock(from, to, drivers, this.codes);
    const pick = { train: [] as number[], holdout: [] as number[] };
    for (let j = 0; j < e.length; j++) {
      const s = e[j], i = cellOffset + j;
      if (s === 255 || !(rngF64(this.ks, i) < this.rates[s])) continue;
      if (this.holdout > 0 && rngF64(this.kh, i) < this.holdout) pick.holdout.push(j);
      else pick.train.push(j);
    }
    for (const w of ['train', 'holdout'] as const) {
      const js = pick[w], m = js.length, D = this.D;
      if (m === 0) continue;
      const X = new Float32Array(m * D), aa = new Uint8Array(m), ee = new Uint8Array(m), cells = new Int32Array(m);
      js.forEach((j, r) => {
        for (let d = 0; d < D; d++) X[r * D + d] = drivers[d].data[j];
        aa[r] = a[j];
        ee[r] = e[j];
        cells[r] = cellOffset + j;
      });
      this.parts[w].push({ cells, X, a: aa, e: ee });
    }
  }

  finish(): { train: LeasRowsSet; holdout: LeasRowsSet } {
    return { train: concatRows(this.parts.train, this.D), holdout: concatRows(this.parts.holdout, this.D) };
  }
}

function concatRows(parts: LeasRowsSet[], D: number): LeasRowsSet {
  const n = parts.reduce((s, p) => s + p.cells.length, 0);
  const out: LeasRowsSet = { cells: new Int32Array(n), X: new Float32Array(n * D), a: new Uint8Array(n), e: new Uint8Array(n) };
  let o = 0;
  for (const p of parts) {
    out.cells.set(p.cells, o);
    out.X.set(p.X, o * D);
    out.a.set(p.a, o);
    out.e.set(p.e, o);
    o += p.cells.length;
  }
  return out;
}

/** Rows of class k's binary problem from sampled cells: start class != k; label 1 = expanded to k. */
export function leasRows(cells: Int32Array, a: Uint8Array, e: Uint8Array, drivers: DriverPlane[], k: number): { X: Float32Array; y: Uint8Array; cells: Int32Array } {
  const D = drivers.length;
  const X = new Float32Array(cells.length * D);
  cells.forEach((i, r) => { for (let d = 0; d < D; d++) X[r * D + d] = drivers[d].data[i]; });
  return leasRowsOf({ cells, X, a: Uint8Array.from(cells, (i) => a[i]), e: Uint8Array.from(cells, (i) => e[i]) }, D, k);
}

/** leasRows on a sample that carries its driver values (LeasSampler). */
export function leasRowsOf(s: LeasRowsSet, D: number, k: number): { X: Float32Array; y: Uint8Array; cells: Int32Array } {
  const keep: number[] = [];
  for (let r = 0; r < s.cells.length; r++) if (s.a[r] !== k) keep.push(r);
  const X = new Float32Array(keep.length * D), y = new Uint8Array(keep.length);
  keep.forEach((r, q) => {
    X.set(s.X.subarray(r * D, r * D + D), q * D);
    y[q] = s.e[r] === k + 1 ? 1 : 0;
  });
  return { X, y, cells: Int32Array.from(keep, (r) => s.cells[r]) };
}

export function resolveLeasOptions(o: LeasOptions, D: number) {
  return {
    forest: resolveForestOptions(o, D),
    sampleRate: checkNumber('sample rate', o.sampleRate ?? 0.01, Number.MIN_VALUE, 1),
    minPerStratum: checkInt('min per stratum', o.minPerStratum ?? 300, 0),
    maxSamples: checkInt('max samples', o.maxSamples ?? 200_000, 1, 2 ** 23),
    holdout: checkNumber('holdout', o.holdout ?? 0, 0, 0.9),
  };
}

/** Bytes the sampler holds at most: maxSamples rows of (4 D + 6) bytes, twice (parts, then their concatenation). */
export function leasSampleBytes(maxSamples: number, D: number): number {
  return 2 * maxSamples * (4 * D + 6);
}

/**
 * Trains the K class forests from a drawn sample (the third step: after scanLeasBlock over
 * every block and LeasSampler.addBlock over every block).
 */
export async function trainLeasSample(
  engine: Engine | null,
  codes: number[],
  driverNames: string[],
  strata: number[],
  valid: number,
  train: LeasRowsSet,
  options: LeasOptions = {},
): Promise<LeasModel> {
  const D = driverNames.length;
  const o = resolveLeasOptions(options, D);
  const K = codes.length;
  const classes: LeasClass[] = [];
  for (let k = 0; k < K; k++) {
    const rows = leasRowsOf(train, D, k);
    let pos = 0;
    for (let r = 0; r < rows.y.length; r++) pos += rows.y[r];
    const base = { code: codes[k], expanded: strata[k + 1], positives: pos, negatives: rows.y.length - pos };
    if (pos === 0 || rows.y.length === pos) {
      classes.push({ ...base, oobAccuracy: null, mdi: new Array(D).fill(0), permutation: new Array(D).fill(0), forest: null });
      continue;
    }
    // per class a different forest seed stream: seed + k * 2^20 keeps the classes' trees independent
    const f = await trainForest(engine, { n: rows.y.length, D, K: 2, X: rows.X, y: rows.y }, { ...o.forest, seed: forestSeed(o.forest.seed, k) });
    classes.push({ ...base, oobAccuracy: f.oobAccuracy, mdi: f.mdi, permutation: f.permutation, forest: flattenForest(f) });
  }
  return {
    format: 'landcarbon-leas', version: 1, codes, drivers: driverNames, seed: o.forest.seed,
    sampleRate: o.sampleRate, minPerStratum: o.minPerStratum, maxSamples: o.maxSamples, forest: o.forest, validCells: valid, classes,
  };
}

/** Trains the K class forests (rule in the header) on whole rasters: the block passes with one block. */
export async function trainLeas(engine: Engine | null, from: LeasMap, to: LeasMap, drivers: DriverPlane[], options: LeasOptions = {}): Promise<{ model: LeasModel; sample: LeasSample; a: Uint8Array; e: Uint8Array }> {
  if (drivers.length === 0) throw new ConfigError('drivers: expected at least one driver raster');
  if (drivers.length > 254) throw new ConfigError(`drivers: ${drivers.length} given, at most 254 supported`);
  const D = drivers.length;
  const o = resolveLeasOptions(options, D);
  const scan = newLeasScan();
  scanLeasBlock(scan, from, to, drivers, 0);
  const codes = leasScanCodes(scan, from.name, to.name);
  const strata = leasStrata(scan, codes);
  const rates = leasRates(strata, o);
  const sampler = new LeasSampler(codes, D, rates, o.forest.seed, o.holdout);
  sampler.addBlock(from, to, drivers, 0);
  const s = sampler.finish();
  const model = await trainLeasSample(engine, codes, drivers.map((d) => d.name), strata, scan.valid, s.train, options);
  const { a, e } = expansionMap(from, to, drivers, codes);
  return { model, sample: { train: s.train.cells, holdout: s.holdout.cells, rates }, a, e };
}

/** Forest seed of class k: a hash of (seed, k) so classes draw independent trees. */
export function forestSeed(seed: number, k: number): number {
  return Math.floor(rngF64(new RngKey(seed, 3), k) * 2 ** 53);
}

/**
 * Development probability planes P_k (k = 0..K-1) on cells where every driver has data (NaN
 * elsewhere); `valid` (optional) additionally sets NaN where it is 255.
 */
export async function predictLeas(engine: Engine, model: LeasModel, drivers: DriverPlane[], width: number, height: number, opts: { tileRows?: number; valid?: Uint8Array } = {}): Promise<Float32Array[]> {
  if (drivers.length !== model.drivers.length) {
    throw new InputError(`drivers: ${drivers.length} given, the model was trained on ${model.drivers.length} (${model.drivers.join(', ')})`);
  }
  const n = width * height;
  const nodata = Float32Array.from(drivers, (d) => d.nodata);
  const planes = drivers.map((d) => d.data);
  const withForest = model.classes.map((c, k) => ({ c, k })).filter((x) => x.c.forest !== null);
  const res = await forestPredict(engine, withForest.map((x) => ({ forest: x.c.forest!, kFirst: 1, kOut: 1 })), planes, nodata, width, height, { tileRows: opts.tileRows });
  // the kernel's planes for classes with a forest (no second copy); new planes only for the others
  const out: Float32Array[] = new Array(model.classes.length);
  withForest.forEach((x, j) => (out[x.k] = res[j][0]));
  for (let k = 0; k < out.length; k++) if (!out[k]) out[k] = new Float32Array(n);
  // classes without a forest: 0 where the drivers have data
  for (let k = 0; k < model.classes.length; k++) {
    if (model.classes[k].forest !== null) continue;
    const p = out[k];
    for (let i = 0; i < n; i++) {
      let ok = true;
      for (let d = 0; d < drivers.length; d++) {
        const v = planes[d][i];
        if (v !== v || v === nodata[d]) { ok = false; break; }
      }
      p[i] = ok ? 0 : NaN;
    }
  }
  if (opts.valid) {
    const v = opts.valid;
    for (const p of out) for (let i = 0; i < n; i++) if (v[i] === 255) p[i] = NaN;
  }
  return out;
}

// ---- model file ------------------------------------------------------------------------------

function b64<T extends ArrayBufferView>(a: T): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function unb64<T>(s: string, C: new (b: ArrayBuffer) => T): T {
  const b = Buffer.from(s, 'base64');
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return new C(ab);
}

/** JSON of a model: flat forests as base64 little-endian arrays. */
export function leasModelJson(m: LeasModel): string {
  return JSON.stringify({
    ...m,
    classes: m.classes.map((c) => ({
      ...c,
      forest: c.forest && { D: c.forest.D, K: c.forest.K, T: c.forest.T, info: b64(c.forest.info), thr: b64(c.forest.thr), trees: b64(c.forest.trees), leaf: b64(c.forest.leaf) },
    })),
  });
}

export function parseLeasModel(text: string, where: string): LeasModel {
  let j: any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (j?.format !== 'landcarbon-leas' || j.version !== 1) throw new InputError(`${where}: expected a landcarbon-leas version 1 model, got format ${JSON.stringify(j?.format)} version ${JSON.stringify(j?.version)}`);
  j.classes = j.classes.map((c: any) => ({
    ...c,
    forest: c.forest && {
      D: c.forest.D, K: c.forest.K, T: c.forest.T,
      info: unb64(c.forest.info, Int32Array), thr: unb64(c.forest.thr, Float32Array), trees: unb64(c.forest.trees, Int32Array), leaf: unb64(c.forest.leaf, Float32Array),
    },
  }));
  return j as LeasModel;
}
