/**
 * BP-ANN land-use suitability (FLUS, seed 004 eq. 1-2; methods.md section 2): training in
 * TypeScript on a seeded sample, prediction with the WASM forward pass (src/kernels/mlp.ts).
 *
 * Training, exactly:
 * - Valid cells: land use not NoData and every driver not NoData/NaN. Classes = land-use codes
 *   present on valid cells, ascending (band k of the output = k-th code).
 * - Normalisation: per driver min/max over the cells where every driver is valid (the cells a
 *   prediction covers), x = (v - min) * scale with min = fround(min), scale = fround(1/(max-min)),
 *   both float32 as in the kernel. Stored in the model; prediction uses them (new values may
 *   fall outside [0, 1]). A constant driver (max = min) is an error.
 * - Sampling (seeded, counter RNG, independent of everything but seed and cell index):
 *   rank r(i) = rngU32(RngKey(seed, 1), i) for cell index i (row-major); each class takes its
 *   n_c valid cells of lowest (r, i).
 *     uniform:      n_c = min(max(minPerClass, round(rate * N / K)), smallest class count)
 *     proportional: n_c = min(count_c, max(minPerClass, round(rate * count_c)))
 *   If sum n_c > maxSamples every n_c is scaled by maxSamples / sum (floor, at least 1).
 *   Hold-out: the last round(holdout * n_c) of each class's sample in rank order.
 * - Network: D - H sigmoid - K softmax, H default floor(sqrt(D)) + 10. Init Glorot uniform:
 *   w = (2u - 1) * sqrt(6 / (fan_in + fan_out)), u = rngF64(RngKey(seed, 2), parameter index);
 *   biases 0.
 * - Loss: mean cross-entropy. Optimiser: Adam (Kingma & Ba 2015; lr 0.01, beta1 0.9, beta2 0.999,
 *   eps 1e-8), mini-batches of 32 in an order re-drawn each epoch (rank rngU32(RngKey(seed,
 *   3 + epoch), sample index)); f64 arithmetic, fixed summation order: deterministic.
 * - Epochs: at most `epochs` (default 100); early stopping when hold-out loss has not improved
 *   for `patience` (10) epochs; the weights of the best hold-out epoch are kept.
 * - Accuracies are computed with the saved float32 weights through the reference forward pass
 *   (the same numbers the scalar kernel gives).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, InputError, checkInt, checkNumber } from '../errors.js';
import { Raster, RasterArray } from '../io/grid.js';
import { writeFileAtomic } from '../io/atomic.js';
import { RngKey, rngF64, rngU32 } from '../kernels/rng.ref.js';
import { mlpForwardRef, MlpNet, MlpNorm } from '../kernels/mlp.ref.js';
import { mlpForward, MlpForwardOptions } from '../kernels/mlp.js';
import type { Engine } from '../tiling/engine.js';
import { noteRead } from '../io/session.js';

export const MODEL_FORMAT = 'landcarbon-ann';
export const MODEL_VERSION = 1;

export type Sampling = 'uniform' | 'proportional';

/** A driver as the kernel sees it: float32 values, float32 NoData (NaN = none). */
export interface DriverPlane {
  name: string;
  data: Float32Array;
  nodata: number;
}

export interface LandUseLayer {
  name: string;
  data: RasterArray;
  nodata: number | null;
}

export interface TrainOptions {
  seed?: number;
  sampling?: Sampling;
  /** Fraction of each class's (proportional) or of all (uniform) valid cells; default 0.01. */
  sampleRate?: number;
  /** Lower bound on samples per class (capped by the class size); default 300. */
  minPerClass?: number;
  /** Upper bound on all samples (training + hold-out); default 20000. */
  maxSamples?: number;
  /** Hold-out fraction of each class's sample; default 0.2. */
  holdout?: number;
  hidden?: number;
  epochs?: number;
  patience?: number;
  batchSize?: number;
  learningRate?: number;
}

export interface AnnModel {
  format: typeof MODEL_FORMAT;
  version: number;
  /** Driver names in input order (file names as given). */
  drivers: string[];
  /** Land-use codes, ascending: output band k is classes[k]. */
  classes: number[];
  /** Training statistics per driver (over cells where all drivers are valid). */
  stats: { min: number[]; max: number[] };
  hidden: number;
  /** float32 values: w1 H x D row-major (row = hidden neuron), w2 K x H. */
  weights: { w1: number[]; b1: number[]; w2: number[]; b2: number[] };
  accuracy: { train: number; holdout: number | null };
  seed: number;
  training: {
    sampling: Sampling;
    sampleRate: number;
    minPerClass: number;
    maxSamples: number;
    holdout: number;
    validCells: number;
    classCells: number[];
    trainSamples: number[];
    holdoutSamples: number[];
    optimizer: { name: 'adam'; learningRate: number; beta1: number; beta2: number; eps: number; batchSize: number; init: 'glorot-uniform' };
    maxEpochs: number;
    patience: number;
    epochsRun: number;
    bestEpoch: number;
    loss: { train: number; holdout: number | null };
  };
}

const STREAM_SAMPLE = 1;
const STREAM_INIT = 2;
const STREAM_SHUFFLE = 3;

/** Converts a raster to a float32 driver plane; NoData compared as Math.fround(nodata). */
export function driverPlane(r: Raster, name: string): DriverPlane {
  const data = r.data instanceof Float32Array ? r.data : Float32Array.from(r.data as ArrayLike<number>);
  return { name, data, nodata: r.grid.nodata === null ? NaN : Math.fround(r.grid.nodata) };
}

export function defaultHidden(D: number): number {
  return Math.floor(Math.sqrt(D)) + 10;
}

/** Min/max per driver over cells where every driver is valid; errors on none or constant. */
export function driverStats(drivers: DriverPlane[]): { min: number[]; max: number[]; cells: number } {
  const st = newStats(drivers.length);
  addStats(st, drivers.map((d) => d.data), drivers.map((d) => d.nodata));
  return finishStats(st, drivers.map((d) => d.name));
}

interface StatsAcc {
  min: number[];
  max: number[];
  cells: number;
}

function newStats(D: number): StatsAcc {
  return { min: new Array(D).fill(Infinity), max: new Array(D).fill(-Infinity), cells: 0 };
}

function allValid(planes: Float32Array[], nodata: number[], i: number): boolean {
  for (let d = 0; d < planes.length; d++) {
    const v = planes[d][i];
    if (v !== v || v === nodata[d]) return false;
  }
  return true;
}

/** Adds one block of driver planes to the min/max (order-free, so any blocks give the same). */
function addStats(st: StatsAcc, planes: Float32Array[], nodata: number[]): void {
  const n = planes[0].length;
  const { min, max } = st;
  for (let i = 0; i < n; i++) {
    if (!allValid(planes, nodata, i)) continue;
    st.cells++;
    for (let d = 0; d < planes.length; d++) {
      const v = planes[d][i];
      if (v < min[d]) min[d] = v;
      if (v > max[d]) max[d] = v;
    }
  }
}

function finishStats(st: StatsAcc, names: string[]): { min: number[]; max: number[]; cells: number } {
  const { min, max, cells } = st;
  if (cells === 0) throw new InputError(`${names.join(', ')}: no cell where every driver has data`);
  names.forEach((name, j) => {
    if (!Number.isFinite(min[j]) || !Number.isFinite(max[j])) {
      throw new InputError(`${name}: values range ${min[j]}..${max[j]}, expected finite values (is the NoData value set?)`);
    }
    if (!(max[j] > min[j])) {
      throw new InputError(`${name}: constant value ${min[j]} on every valid cell; it carries no information (min-max normalisation would divide by zero): remove it`);
    }
  });
  return { min, max, cells };
}

/** The kernel's normalisation arrays for a model and the prediction drivers' NoData values. */
export function modelNorm(model: AnnModel, nodata: number[]): MlpNorm {
  const D = model.drivers.length;
  return {
    min: Float32Array.from(model.stats.min),
    scale: Float32Array.from({ length: D }, (_, d) => 1 / (model.stats.max[d] - model.stats.min[d])),
    nodata: Float32Array.from(nodata),
  };
}

export function modelNet(model: AnnModel): MlpNet {
  return {
    D: model.drivers.length,
    H: model.hidden,
    K: model.classes.length,
    w1: Float32Array.from(model.weights.w1),
    b1: Float32Array.from(model.weights.b1),
    w2: Float32Array.from(model.weights.w2),
    b2: Float32Array.from(model.weights.b2),
  };
}

function checkGridCells(landuse: LandUseLayer, drivers: DriverPlane[]): number {
  const n = landuse.data.length;
  for (const d of drivers) {
    if (d.data.length !== n) throw new InputError(`${d.name}: ${d.data.length} cells, ${landuse.name} has ${n}`);
  }
  return n;
}

interface Sample {
  idx: Int32Array; // cell indices
  cls: Int32Array; // class index
  /** Driver values (float32, as read) of each sampled cell, row-major: x[j * D + d]. */
  x: Float32Array;
}

/** Rows [row0, row0 + rows) of the training rasters: land use and float32 driver planes. */
export interface TrainBlock {
  row0: number;
  rows: number;
  landuse: RasterArray;
  drivers: Float32Array[];
}

/**
 * The training rasters block by block (row order). `blocks()` may be iterated several times;
 * the sample and statistics do not depend on how the rows are cut (counter RNG by cell index).
 */
export interface TrainSource {
  width: number;
  height: number;
  landuse: { name: string; nodata: number | null };
  drivers: { name: string; nodata: number }[];
  blocks(): AsyncIterable<TrainBlock>;
}

type SampleOpts = Required<Pick<TrainOptions, 'seed' | 'sampling' | 'sampleRate' | 'minPerClass' | 'maxSamples' | 'holdout'>>;

interface DrawnSample {
  stats: { min: number[]; max: number[]; cells: number };
  classes: number[];
  classCells: number[];
  valid: number;
  train: Sample;
  hold: Sample;
}

/**
 * Driver statistics and the seeded per-class selection of the lowest (rank, index) cells (see
 * the header), fed block by block in passes: (1) statistics and class counts, (2) candidates
 * below a per-class rank threshold with ample margin, with their driver values, (3) only if a
 * class came up short, every cell of that class. Order-free per pass, so any blocks give the
 * same sample.
 */
class Sampler {
  private readonly D: number;
  private readonly nd: number[];
  private readonly acc: StatsAcc;
  private readonly counts = new Map<number, number>();
  private valid = 0;
  private badCell = -1;
  private badValue = 0;
  private stats!: { min: number[]; max: number[]; cells: number };
  private classes: number[] = [];
  private classCells: number[] = [];
  private want: number[] = [];
  private ci = new Map<number, number>();
  private key: RngKey;
  private thr: number[] = [];
  private only: boolean[] = [];
  private cand: { pairs: number[]; x: number[] }[] = [];
  private short: boolean[] = [];
  /** 1 statistics, 2 candidates, 3 full scan of short classes. */
  pass = 1;

  constructor(private readonly src: Omit<TrainSource, 'blocks'>, private readonly opts: SampleOpts) {
    this.D = src.drivers.length;
    this.nd = src.drivers.map((d) => d.nodata);
    this.acc = newStats(this.D);
    this.key = new RngKey(opts.seed, STREAM_SAMPLE);
  }

  add(b: TrainBlock): void {
    if (this.pass === 1) this.addCounts(b);
    else this.addCandidates(b);
  }

  /** Ends a pass; returns whether another pass over the blocks is needed. */
  endPass(): boolean {
    if (this.pass === 1) {
      this.plan();
      this.pass = 2;
      return true;
    }
    if (this.pass === 2) {
      this.short = this.cand.map((c, k) => c.pairs.length / 2 < this.want[k]);
      if (!this.short.some(Boolean)) return false;
      this.keep = this.cand;
      this.thr = this.classes.map(() => 2 ** 32);
      this.only = this.short;
      this.cand = this.classes.map(() => ({ pairs: [], x: [] }));
      this.pass = 3;
      return true;
    }
    this.short.forEach((sh, k) => !sh && (this.cand[k] = this.keep[k]));
    return false;
  }
  private keep: { pairs: number[]; x: number[] }[] = [];

  private addCounts(b: TrainBlock): void {
    addStats(this.acc, b.drivers, this.nd);
    const lu = b.landuse;
    const lnd = this.src.landuse.nodata;
    for (let i = 0; i < lu.length; i++) {
      const c = lu[i];
      if (c !== c || c === lnd || !allValid(b.drivers, this.nd, i)) continue;
      if (!Number.isInteger(c)) {
        if (this.badCell < 0) {
          this.badCell = b.row0 * this.src.width + i;
          this.badValue = c;
        }
        continue;
      }
      this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
      this.valid++;
    }
  }

  private plan(): void {
    const { opts, src } = this;
    this.stats = finishStats(this.acc, src.drivers.map((d) => d.name));
    if (this.badCell >= 0) throw new InputError(`${src.landuse.name}: value ${this.badValue} at cell ${this.badCell} is not an integer land-use code`);
    const classes = [...this.counts.keys()].sort((a, b) => a - b);
    if (classes.length < 2) {
      throw new InputError(`${src.landuse.name}: ${classes.length} land-use class(es) on cells where all drivers have data, need at least 2`);
    }
    const K = classes.length;
    const classCells = classes.map((c) => this.counts.get(c)!);
    let want: number[];
    if (opts.sampling === 'uniform') {
      const smallest = Math.min(...classCells);
      const per = Math.min(smallest, Math.max(opts.minPerClass, Math.round((opts.sampleRate * this.valid) / K)));
      want = classCells.map(() => per);
    } else {
      want = classCells.map((c) => Math.min(c, Math.max(opts.minPerClass, Math.round(opts.sampleRate * c))));
    }
    const total = want.reduce((a, b) => a + b, 0);
    if (total > opts.maxSamples) want = want.map((w) => Math.max(1, Math.floor((w * opts.maxSamples) / total)));
    this.classes = classes;
    this.classCells = classCells;
    this.want = want;
    this.ci = new Map(classes.map((c, k) => [c, k]));
    // candidates: ranks below a per-class threshold with ample margin; every cell if short
    this.thr = want.map((w, k) => Math.min(2 ** 32, Math.ceil(2 ** 32 * Math.min(1, (1.5 * w + 50) / classCells[k]))));
    this.only = classes.map(() => true);
    this.cand = classes.map(() => ({ pairs: [], x: [] }));
  }

  private addCandidates(b: TrainBlock): void {
    const lu = b.landuse;
    const lnd = this.src.landuse.nodata;
    const { D, thr, only, cand, key } = this;
    for (let i = 0; i < lu.length; i++) {
      const c = lu[i];
      if (c !== c || c === lnd || !allValid(b.drivers, this.nd, i)) continue;
      const k = this.ci.get(c)!;
      if (!only[k]) continue;
      const g = b.row0 * this.src.width + i;
      const r = rngU32(key, g);
      if (r < thr[k]) {
        cand[k].pairs.push(r, g); // (rank, index) pairs
        for (let d = 0; d < D; d++) cand[k].x.push(b.drivers[d][i]);
      }
    }
  }

  result(): DrawnSample {
    const { D, opts } = this;
    const trainIdx: number[] = [], trainCls: number[] = [], holdIdx: number[] = [], holdCls: number[] = [];
    const trainX: number[] = [], holdX: number[] = [];
    this.cand.forEach(({ pairs, x }, k) => {
      const m = pairs.length / 2;
      const order = Array.from({ length: m }, (_, j) => j);
      order.sort((a, b) => pairs[2 * a] - pairs[2 * b] || pairs[2 * a + 1] - pairs[2 * b + 1]);
      const nk = this.want[k];
      const nh = Math.round(opts.holdout * nk);
      for (let j = 0; j < nk; j++) {
        const o = order[j];
        const train = j < nk - nh;
        (train ? trainIdx : holdIdx).push(pairs[2 * o + 1]);
        (train ? trainCls : holdCls).push(k);
        const X = train ? trainX : holdX;
        for (let d = 0; d < D; d++) X.push(x[o * D + d]);
      }
    });
    return {
      stats: this.stats,
      classes: this.classes,
      classCells: this.classCells,
      valid: this.valid,
      train: { idx: Int32Array.from(trainIdx), cls: Int32Array.from(trainCls), x: Float32Array.from(trainX) },
      hold: { idx: Int32Array.from(holdIdx), cls: Int32Array.from(holdCls), x: Float32Array.from(holdX) },
    };
  }
}

/** Training in f64: forward + backward of one D-H-K network with Adam. */
class Trainer {
  readonly P: number;
  readonly p: Float64Array; // W1 | b1 | W2 | b2
  private m: Float64Array;
  private v: Float64Array;
  private g: Float64Array;
  private t = 0;
  private y: Float64Array;
  private q: Float64Array;
  private dy: Float64Array;

  constructor(readonly D: number, readonly H: number, readonly K: number, seed: number) {
    this.P = H * D + H + K * H + K;
    this.p = new Float64Array(this.P);
    const key = new RngKey(seed, STREAM_INIT);
    const a1 = Math.sqrt(6 / (D + H));
    const a2 = Math.sqrt(6 / (H + K));
    for (let i = 0; i < H * D; i++) this.p[i] = (2 * rngF64(key, i) - 1) * a1;
    const o2 = H * D + H;
    for (let i = 0; i < K * H; i++) this.p[o2 + i] = (2 * rngF64(key, o2 + i) - 1) * a2;
    this.m = new Float64Array(this.P);
    this.v = new Float64Array(this.P);
    this.g = new Float64Array(this.P);
    this.y = new Float64Array(H);
    this.q = new Float64Array(K);
    this.dy = new Float64Array(H);
  }

  /** Softmax output into this.q for one input row x (offset xo in X); returns nothing. */
  forward(X: Float64Array, xo: number): void {
    const { D, H, K, p, y, q } = this;
    const b1 = H * D, w2 = b1 + H, b2 = w2 + K * H;
    for (let h = 0; h < H; h++) {
      let a = p[b1 + h];
      for (let d = 0; d < D; d++) a += p[h * D + d] * X[xo + d];
      y[h] = 1 / (1 + Math.exp(-a));
    }
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      let a = p[b2 + k];
      for (let h = 0; h < H; h++) a += p[w2 + k * H + h] * y[h];
      q[k] = a;
      if (a > mx) mx = a;
    }
    let s = 0;
    for (let k = 0; k < K; k++) {
      q[k] = Math.exp(q[k] - mx);
      s += q[k];
    }
    for (let k = 0; k < K; k++) q[k] /= s;
  }

  /** Mean cross-entropy over rows. */
  loss(X: Float64Array, cls: Int32Array): number {
    let s = 0;
    for (let i = 0; i < cls.length; i++) {
      this.forward(X, i * this.D);
      s -= Math.log(Math.max(this.q[cls[i]], 1e-300));
    }
    return cls.length ? s / cls.length : NaN;
  }

  /** One Adam step on the rows order[from..to). */
  step(X: Float64Array, cls: Int32Array, order: Int32Array, from: number, to: number, lr: number): void {
    const { D, H, K, p, y, q, g, dy } = this;
    const b1 = H * D, w2 = b1 + H, b2 = w2 + K * H;
    g.fill(0);
    for (let j = from; j < to; j++) {
      const r = order[j];
      const xo = r * D;
      this.forward(X, xo);
      dy.fill(0);
      for (let k = 0; k < K; k++) {
        const e = q[k] - (cls[r] === k ? 1 : 0); // dL/dz_k
        g[b2 + k] += e;
        for (let h = 0; h < H; h++) {
          g[w2 + k * H + h] += e * y[h];
          dy[h] += e * p[w2 + k * H + h];
        }
      }
      for (let h = 0; h < H; h++) {
        const da = dy[h] * y[h] * (1 - y[h]);
        g[b1 + h] += da;
        for (let d = 0; d < D; d++) g[h * D + d] += da * X[xo + d];
      }
    }
    const nb = to - from;
    this.t++;
    const B1 = 0.9, B2 = 0.999, EPS = 1e-8;
    const c1 = 1 - B1 ** this.t, c2 = 1 - B2 ** this.t;
    for (let i = 0; i < this.P; i++) {
      const gi = g[i] / nb;
      this.m[i] = B1 * this.m[i] + (1 - B1) * gi;
      this.v[i] = B2 * this.v[i] + (1 - B2) * gi * gi;
      p[i] -= (lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + EPS);
    }
  }
}

function rowsOf(D: number, s: Sample, norm: MlpNorm): Float64Array {
  const X = new Float64Array(s.idx.length * D);
  for (let i = 0; i < s.idx.length; i++) {
    for (let d = 0; d < D; d++) X[i * D + d] = (s.x[i * D + d] - norm.min[d]) * norm.scale[d];
  }
  return X;
}

/** Accuracy of the saved float32 model on sampled cells, via the reference forward pass. */
function accuracyOf(net: MlpNet, norm: MlpNorm, D: number, s: Sample): number {
  const m = s.idx.length;
  if (m === 0) return NaN;
  const planes = Array.from({ length: D }, (_, d) => Float32Array.from({ length: m }, (_, j) => s.x[j * D + d]));
  const p = mlpForwardRef(net, norm, planes, m, 1);
  let hit = 0;
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let k = 1; k < net.K; k++) if (p[k][i] > p[best][i]) best = k;
    if (best === s.cls[i]) hit++;
  }
  return hit / m;
}

export function resolveTrainOptions(o: TrainOptions, D: number) {
  const sampling = o.sampling ?? 'uniform';
  if (sampling !== 'uniform' && sampling !== 'proportional') {
    throw new ConfigError(`sampling: expected "uniform" or "proportional", got ${JSON.stringify(sampling)}`);
  }
  return {
    seed: checkInt('seed', o.seed ?? 1, 0, 2 ** 53 - 1),
    sampling: sampling as Sampling,
    sampleRate: checkNumber('sample rate', o.sampleRate ?? 0.01, 1e-9, 1),
    minPerClass: checkInt('min samples per class', o.minPerClass ?? 300, 1),
    maxSamples: checkInt('max samples', o.maxSamples ?? 20000, 2),
    holdout: checkNumber('hold-out fraction', o.holdout ?? 0.2, 0, 0.9),
    hidden: checkInt('hidden', o.hidden ?? defaultHidden(D), 1, 4096),
    epochs: checkInt('epochs', o.epochs ?? 100, 1, 100000),
    patience: checkInt('patience', o.patience ?? 10, 1, 100000),
    batchSize: checkInt('batch size', o.batchSize ?? 32, 1, 1 << 20),
    learningRate: checkNumber('learning rate', o.learningRate ?? 0.01, 1e-9, 10),
  };
}

/** Trains a suitability model on in-memory rasters (see the header for every rule). */
export function trainAnn(landuse: LandUseLayer, drivers: DriverPlane[], options: TrainOptions = {}): AnnModel {
  if (drivers.length === 0) throw new ConfigError('drivers: at least one driver raster is needed');
  const o = resolveTrainOptions(options, drivers.length);
  const n = checkGridCells(landuse, drivers);
  const meta = { width: n, height: 1, landuse: { name: landuse.name, nodata: landuse.nodata }, drivers: drivers.map((d) => ({ name: d.name, nodata: d.nodata })) };
  const sampler = new Sampler(meta, o);
  const whole: TrainBlock = { row0: 0, rows: 1, landuse: landuse.data, drivers: drivers.map((d) => d.data) };
  do sampler.add(whole);
  while (sampler.endPass());
  return trainOnSample(meta, o, sampler.result());
}

/**
 * Trains a suitability model on rasters read block by block: memory holds one block and the
 * sample, and the model is the same as trainAnn's on the whole rasters (same sample, same order).
 */
export async function trainAnnBlocks(src: TrainSource, options: TrainOptions = {}): Promise<AnnModel> {
  if (src.drivers.length === 0) throw new ConfigError('drivers: at least one driver raster is needed');
  const o = resolveTrainOptions(options, src.drivers.length);
  const sampler = new Sampler(src, o);
  do for await (const b of src.blocks()) sampler.add(b);
  while (sampler.endPass());
  return trainOnSample(src, o, sampler.result());
}

function trainOnSample(src: Omit<TrainSource, 'blocks'>, o: ReturnType<typeof resolveTrainOptions>, sample: DrawnSample): AnnModel {
  const D = src.drivers.length;
  const stats = sample.stats;
  const K = sample.classes.length;
  const H = o.hidden;
  const statModel = { drivers: src.drivers.map((d) => d.name), stats: { min: stats.min, max: stats.max } } as AnnModel;
  const norm = modelNorm(statModel, src.drivers.map((d) => d.nodata));
  const Xt = rowsOf(D, sample.train, norm);
  const Xh = rowsOf(D, sample.hold, norm);
  const tr = new Trainer(D, H, K, o.seed);
  const nt = sample.train.idx.length;
  if (nt === 0) throw new InputError(`${src.landuse.name}: no training cells were drawn (all went to hold-out); lower the hold-out fraction`);
  const hasHold = sample.hold.idx.length > 0;
  let best = tr.p.slice();
  let bestLoss = Infinity, bestEpoch = 0, since = 0, epochsRun = 0;
  const order = new Int32Array(nt);
  const rank = new Float64Array(nt);
  for (let ep = 1; ep <= o.epochs; ep++) {
    const key = new RngKey(o.seed, STREAM_SHUFFLE + ep);
    for (let i = 0; i < nt; i++) {
      order[i] = i;
      rank[i] = rngU32(key, i);
    }
    order.sort((a, b) => rank[a] - rank[b] || a - b);
    for (let s = 0; s < nt; s += o.batchSize) tr.step(Xt, sample.train.cls, order, s, Math.min(nt, s + o.batchSize), o.learningRate);
    epochsRun = ep;
    if (hasHold) {
      const hl = tr.loss(Xh, sample.hold.cls);
      if (hl < bestLoss) {
        bestLoss = hl;
        bestEpoch = ep;
        best = tr.p.slice();
        since = 0;
      } else if (++since >= o.patience) break;
    } else {
      best = tr.p.slice();
      bestEpoch = ep;
    }
  }
  tr.p.set(best);
  const f = (a: Float64Array, s: number, e: number) => Array.from(a.subarray(s, e), (v) => Math.fround(v));
  const b1 = H * D, w2 = b1 + H, b2 = w2 + K * H;
  const model: AnnModel = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    drivers: src.drivers.map((d) => d.name),
    classes: sample.classes,
    stats: { min: stats.min, max: stats.max },
    hidden: H,
    weights: { w1: f(best, 0, b1), b1: f(best, b1, w2), w2: f(best, w2, b2), b2: f(best, b2, b2 + K) },
    accuracy: { train: 0, holdout: null },
    seed: o.seed,
    training: {
      sampling: o.sampling,
      sampleRate: o.sampleRate,
      minPerClass: o.minPerClass,
      maxSamples: o.maxSamples,
      holdout: o.holdout,
      validCells: sample.valid,
      classCells: sample.classCells,
      trainSamples: sample.classes.map((_, k) => count(sample.train.cls, k)),
      holdoutSamples: sample.classes.map((_, k) => count(sample.hold.cls, k)),
      optimizer: { name: 'adam', learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, batchSize: o.batchSize, init: 'glorot-uniform' },
      maxEpochs: o.epochs,
      patience: o.patience,
      epochsRun,
      bestEpoch,
      loss: { train: tr.loss(Xt, sample.train.cls), holdout: hasHold ? tr.loss(Xh, sample.hold.cls) : null },
    },
  };
  const net = modelNet(model);
  model.accuracy.train = accuracyOf(net, norm, D, sample.train);
  model.accuracy.holdout = hasHold ? accuracyOf(net, norm, D, sample.hold) : null;
  return model;
}

function count(a: Int32Array, k: number): number {
  let c = 0;
  for (const v of a) if (v === k) c++;
  return c;
}

/** Probability planes (band k = model.classes[k]) for drivers in the model's order. */
export async function predictAnn(
  engine: Engine,
  model: AnnModel,
  drivers: DriverPlane[],
  width: number,
  height: number,
  opts: MlpForwardOptions = {},
): Promise<Float32Array[]> {
  if (drivers.length !== model.drivers.length) {
    throw new InputError(
      `drivers: ${drivers.length} given (${drivers.map((d) => d.name).join(', ')}), the model was trained on ${model.drivers.length} (${model.drivers.join(', ')})`,
    );
  }
  return mlpForward(engine, modelNet(model), modelNorm(model, drivers.map((d) => d.nodata)), drivers.map((d) => d.data), width, height, opts);
}

// ---- save / load -------------------------------------------------------------------------

export function saveModel(path: string, model: AnnModel): void {
  writeFileAtomic(path, JSON.stringify(model, null, 1) + '\n');
}

/** Reads and validates a model file: every message names the file and the field. */
export function loadModel(path: string): AnnModel {
  let text: string;
  try {
    noteRead(path);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read the model file (${(e as Error).message})`);
  }
  let m: AnnModel;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return checkModel(m, path);
}

export function checkModel(m: AnnModel, where: string): AnnModel {
  const bad = (msg: string) => new InputError(`${where}: ${msg}`);
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT) throw bad(`"format" is ${JSON.stringify(m?.format)}, expected "${MODEL_FORMAT}"`);
  if (m.version !== MODEL_VERSION) throw bad(`"version" is ${JSON.stringify(m.version)}, expected ${MODEL_VERSION}`);
  const nums = (name: string, a: unknown, len: number) => {
    if (!Array.isArray(a) || a.length !== len || a.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw bad(`"${name}" must be ${len} finite numbers, got ${Array.isArray(a) ? `${a.length} values` : JSON.stringify(a)}`);
    }
  };
  if (!Array.isArray(m.drivers) || m.drivers.length === 0 || m.drivers.some((d) => typeof d !== 'string')) throw bad('"drivers" must be a non-empty list of names');
  const D = m.drivers.length;
  if (!Array.isArray(m.classes) || m.classes.length < 2 || m.classes.some((c, i) => !Number.isInteger(c) || (i > 0 && c <= m.classes[i - 1]))) {
    throw bad(`"classes" must be at least 2 integer codes in ascending order, got ${JSON.stringify(m.classes)}`);
  }
  const K = m.classes.length;
  if (!Number.isInteger(m.hidden) || m.hidden < 1) throw bad(`"hidden" must be a positive integer, got ${JSON.stringify(m.hidden)}`);
  const H = m.hidden;
  nums('stats.min', m.stats?.min, D);
  nums('stats.max', m.stats?.max, D);
  m.stats.min.forEach((lo, d) => {
    if (!(m.stats.max[d] > lo)) throw bad(`stats for driver ${m.drivers[d]}: max ${m.stats.max[d]} must exceed min ${lo}`);
  });
  nums('weights.w1', m.weights?.w1, H * D);
  nums('weights.b1', m.weights?.b1, H);
  nums('weights.w2', m.weights?.w2, K * H);
  nums('weights.b2', m.weights?.b2, K);
  return m;
}
