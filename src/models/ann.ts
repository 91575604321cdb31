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

function driverValid(drivers: DriverPlane[], i: number): boolean {
  for (const d of drivers) {
    const v = d.data[i];
    if (v !== v || v === d.nodata) return false;
  }
  return true;
}

/** Min/max per driver over cells where every driver is valid; errors on none or constant. */
export function driverStats(drivers: DriverPlane[]): { min: number[]; max: number[]; cells: number } {
  const n = drivers[0].data.length;
  const min = drivers.map(() => Infinity);
  const max = drivers.map(() => -Infinity);
  let cells = 0;
  for (let i = 0; i < n; i++) {
    if (!driverValid(drivers, i)) continue;
    cells++;
    for (let d = 0; d < drivers.length; d++) {
      const v = drivers[d].data[i];
      if (v < min[d]) min[d] = v;
      if (v > max[d]) max[d] = v;
    }
  }
  if (cells === 0) throw new InputError(`${drivers.map((d) => d.name).join(', ')}: no cell where every driver has data`);
  drivers.forEach((d, j) => {
    if (!Number.isFinite(min[j]) || !Number.isFinite(max[j])) {
      throw new InputError(`${d.name}: values range ${min[j]}..${max[j]}, expected finite values (is the NoData value set?)`);
    }
    if (!(max[j] > min[j])) {
      throw new InputError(`${d.name}: constant value ${min[j]} on every valid cell; it carries no information (min-max normalisation would divide by zero): remove it`);
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
}

/** Seeded per-class selection of the lowest (rank, index) cells (see the header). */
function drawSample(
  landuse: LandUseLayer,
  drivers: DriverPlane[],
  opts: Required<Pick<TrainOptions, 'seed' | 'sampling' | 'sampleRate' | 'minPerClass' | 'maxSamples' | 'holdout'>>,
): { classes: number[]; classCells: number[]; valid: number; train: Sample; hold: Sample } {
  const n = checkGridCells(landuse, drivers);
  const lu = landuse.data;
  const lnd = landuse.nodata;
  const counts = new Map<number, number>();
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const c = lu[i];
    if (c !== c || c === lnd || !driverValid(drivers, i)) continue;
    if (!Number.isInteger(c)) throw new InputError(`${landuse.name}: value ${c} at cell ${i} is not an integer land-use code`);
    counts.set(c, (counts.get(c) ?? 0) + 1);
    valid++;
  }
  const classes = [...counts.keys()].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new InputError(`${landuse.name}: ${classes.length} land-use class(es) on cells where all drivers have data, need at least 2`);
  }
  const K = classes.length;
  const classCells = classes.map((c) => counts.get(c)!);
  let want: number[];
  if (opts.sampling === 'uniform') {
    const smallest = Math.min(...classCells);
    const per = Math.min(smallest, Math.max(opts.minPerClass, Math.round((opts.sampleRate * valid) / K)));
    want = classCells.map(() => per);
  } else {
    want = classCells.map((c) => Math.min(c, Math.max(opts.minPerClass, Math.round(opts.sampleRate * c))));
  }
  const total = want.reduce((a, b) => a + b, 0);
  if (total > opts.maxSamples) want = want.map((w) => Math.max(1, Math.floor((w * opts.maxSamples) / total)));
  const key = new RngKey(opts.seed, STREAM_SAMPLE);
  const ci = new Map(classes.map((c, k) => [c, k]));
  // candidates: ranks below a per-class threshold with ample margin; exact fallback if short
  const pick = (thresholds: number[]): number[][] => {
    const cand: number[][] = classes.map(() => []);
    for (let i = 0; i < n; i++) {
      const c = lu[i];
      if (c !== c || c === lnd || !driverValid(drivers, i)) continue;
      const k = ci.get(c)!;
      const r = rngU32(key, i);
      if (r < thresholds[k]) cand[k].push(r, i); // (rank, index) pairs
    }
    return cand;
  };
  const thr = want.map((w, k) => Math.min(2 ** 32, Math.ceil(2 ** 32 * Math.min(1, (1.5 * w + 50) / classCells[k]))));
  let cand = pick(thr);
  if (cand.some((c, k) => c.length / 2 < want[k])) cand = pick(classes.map(() => 2 ** 32));
  const trainIdx: number[] = [], trainCls: number[] = [], holdIdx: number[] = [], holdCls: number[] = [];
  cand.forEach((pairs, k) => {
    const m = pairs.length / 2;
    const order = Array.from({ length: m }, (_, j) => j);
    order.sort((a, b) => pairs[2 * a] - pairs[2 * b] || pairs[2 * a + 1] - pairs[2 * b + 1]);
    const nk = want[k];
    const nh = Math.round(opts.holdout * nk);
    for (let j = 0; j < nk; j++) {
      const idx = pairs[2 * order[j] + 1];
      if (j < nk - nh) {
        trainIdx.push(idx);
        trainCls.push(k);
      } else {
        holdIdx.push(idx);
        holdCls.push(k);
      }
    }
  });
  return {
    classes,
    classCells,
    valid,
    train: { idx: Int32Array.from(trainIdx), cls: Int32Array.from(trainCls) },
    hold: { idx: Int32Array.from(holdIdx), cls: Int32Array.from(holdCls) },
  };
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

function rowsOf(drivers: DriverPlane[], s: Sample, norm: MlpNorm): Float64Array {
  const D = drivers.length;
  const X = new Float64Array(s.idx.length * D);
  for (let i = 0; i < s.idx.length; i++) {
    for (let d = 0; d < D; d++) X[i * D + d] = (drivers[d].data[s.idx[i]] - norm.min[d]) * norm.scale[d];
  }
  return X;
}

/** Accuracy of the saved float32 model on sampled cells, via the reference forward pass. */
function accuracyOf(net: MlpNet, norm: MlpNorm, drivers: DriverPlane[], s: Sample): number {
  const m = s.idx.length;
  if (m === 0) return NaN;
  const planes = drivers.map((d) => Float32Array.from(s.idx, (i) => d.data[i]));
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

/** Trains a suitability model (see the header for every rule). */
export function trainAnn(landuse: LandUseLayer, drivers: DriverPlane[], options: TrainOptions = {}): AnnModel {
  if (drivers.length === 0) throw new ConfigError('drivers: at least one driver raster is needed');
  const o = resolveTrainOptions(options, drivers.length);
  checkGridCells(landuse, drivers);
  const stats = driverStats(drivers);
  const D = drivers.length;
  const sample = drawSample(landuse, drivers, o);
  const K = sample.classes.length;
  const H = o.hidden;
  const statModel = { drivers: drivers.map((d) => d.name), stats: { min: stats.min, max: stats.max } } as AnnModel;
  const norm = modelNorm(statModel, drivers.map((d) => d.nodata));
  const Xt = rowsOf(drivers, sample.train, norm);
  const Xh = rowsOf(drivers, sample.hold, norm);
  const tr = new Trainer(D, H, K, o.seed);
  const nt = sample.train.idx.length;
  if (nt === 0) throw new InputError(`${landuse.name}: no training cells were drawn (all went to hold-out); lower the hold-out fraction`);
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
    drivers: drivers.map((d) => d.name),
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
  model.accuracy.train = accuracyOf(net, norm, drivers, sample.train);
  model.accuracy.holdout = hasHold ? accuracyOf(net, norm, drivers, sample.hold) : null;
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
