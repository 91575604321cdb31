/**
 * Geographically weighted regression (Fotheringham, Brunsdon & Charlton 2002; methods.md
 * section 10; seed 004), following GWR4 / PySAL mgwr conventions:
 *
 *   beta(u_i, v_i) = (X' W_i X)^-1 X' W_i y,  W_i = diag(k(d_ij / b_i))
 *   bisquare k(t) = (1 - t^2)^2 for t < 1, else 0;  gaussian k(t) = exp(-t^2 / 2)
 *   adaptive: b_i = distance from i to its B-th nearest unit counting i itself (B neighbours),
 *             times 1.0000001 (mgwr's eps, so the B-th unit keeps a tiny positive weight);
 *   fixed:    b_i = B (a distance).
 *   hat matrix row S_i = x_i (X' W_i X)^-1 X' W_i;  tr(S) = sum_i S_ii;  RSS = sum e_i^2
 *   AICc = n ln(2 pi RSS/n) + n (n + tr S) / (n - 2 - tr S)
 *   sigma^2 = RSS / (n - tr S);  se(beta_i) = sigma sqrt(diag(C_i C_i')), C_i = (X'W_iX)^-1 X'W_i
 *   R^2 = 1 - RSS/TSS; adjusted R^2 = 1 - (1 - R^2)(n - 1)/(n - tr S - 1)
 *   local R^2_i = 1 - sum_j w_ij e_j^2 / sum_j w_ij (y_j - ybar_wi)^2 (mgwr's localR2)
 *
 * Bandwidth search: golden section (delta = 0.38197) on AICc as mgwr's Sel_BW: adaptive
 * bounds [40 + 2 p, n] with candidates rounded to integers (when n <= 40 + 2p, e.g. the 19
 * agglomerations of seed 001, the lower bound is p + 2 instead: mgwr would search nothing); fixed
 * bounds [min d / 2, max d * 2]; stop when |AICc(b) - AICc(d)| <= 1e-6 or 200 iterations.
 * Then the two ends of the interval are scored too and kept if better than the interior optimum
 * (golden section alone never reaches them; mgwr does not do this, and on its test data the
 * ends are worse, so its published bandwidths are reproduced).
 *
 * Degenerate inputs: n <= p + 1, a constant or collinear regressor (global QR check) ->
 * InputError; a local design that is singular at the chosen bandwidth (too few neighbours
 * with weight) -> InputError naming the unit and the bandwidth. During the search such
 * bandwidths score +Infinity (never chosen).
 */
import { InputError } from '../../errors.js';
import { ols } from './ols.js';

export type Kernel = 'bisquare' | 'gaussian';

export interface GwrOptions {
  kernel?: Kernel;
  fixed?: boolean;
  /** given bandwidth (neighbours if adaptive, distance if fixed); searched when undefined */
  bandwidth?: number;
  what?: string;
}

export interface GwrResult {
  n: number;
  terms: string[];
  bandwidth: number;
  aicc: number;
  aic: number;
  rss: number;
  trS: number;
  trSTS: number;
  sigma2: number;
  r2: number;
  r2_adj: number;
  params: Float64Array[];
  bse: Float64Array[];
  tvalues: Float64Array[];
  yhat: Float64Array;
  resid: Float64Array;
  localR2: Float64Array;
  influence: Float64Array;
  search?: { bandwidth: number; aicc: number }[];
}

class SingularLocal extends Error {
  constructor(readonly unit: number) { super('singular'); }
}

const EPS_BW = 1.0000001;

/** Symmetric positive definite solve via Cholesky; returns the inverse (p x p), or null if singular. */
function invSpd(A: Float64Array, p: number): Float64Array | null {
  const L = new Float64Array(p * p);
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, A[i * p + i]);
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j];
    for (let k = 0; k < j; k++) s -= L[j * p + k] ** 2;
    if (!(s > 1e-12 * A[j * p + j]) || !(s > 0)) return null;
    const d = Math.sqrt(s);
    L[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j];
      for (let k = 0; k < j; k++) t -= L[i * p + k] * L[j * p + k];
      L[i * p + j] = t / d;
    }
  }
  // inverse of L, then A^-1 = L^-T L^-1
  const Li = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    Li[j * p + j] = 1 / L[j * p + j];
    for (let i = j + 1; i < p; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * p + k] * Li[k * p + j];
      Li[i * p + j] = s / L[i * p + i];
    }
  }
  const inv = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += Li[k * p + i] * Li[k * p + j];
      inv[i * p + j] = s;
      inv[j * p + i] = s;
    }
  }
  return inv;
}

interface Design {
  n: number;
  p: number;
  /** row-major n x p with the intercept column first */
  X: Float64Array;
  y: ArrayLike<number>;
  /** pairwise distances, row-major n x n */
  D: Float64Array;
  /** per row, distances sorted ascending (for adaptive bandwidths) */
  sortedD: Float64Array[];
}

function kernelWeights(des: Design, i: number, bw: number, kernel: Kernel, fixed: boolean, out: Float64Array): void {
  const { n, D } = des;
  const b = fixed ? bw : des.sortedD[i][Math.min(n, Math.round(bw)) - 1] * EPS_BW;
  for (let j = 0; j < n; j++) {
    const d = D[i * n + j];
    if (kernel === 'bisquare') {
      if (d >= b) out[j] = 0;
      else {
        const t = d / b;
        out[j] = (1 - t * t) ** 2;
      }
    } else {
      const t = b > 0 ? d / b : d === 0 ? 0 : Infinity;
      out[j] = Math.exp(-0.5 * t * t);
    }
  }
}

interface Fit { trS: number; rss: number; aicc: number }

/** One pass over all units; when `full` is given, fills the per-unit outputs. */
function fitAll(des: Design, bw: number, kernel: Kernel, fixed: boolean, full?: GwrResult): Fit {
  const { n, p, X, y } = des;
  const w = new Float64Array(n);
  const A = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const yhat = new Float64Array(n);
  let trS = 0, trSTS = 0;
  const C = full ? new Float64Array(p * n) : null;
  for (let i = 0; i < n; i++) {
    kernelWeights(des, i, bw, kernel, fixed, w);
    A.fill(0);
    xty.fill(0);
    for (let j = 0; j < n; j++) {
      const wj = w[j];
      if (wj === 0) continue;
      const r = j * p;
      for (let a = 0; a < p; a++) {
        const xa = X[r + a] * wj;
        xty[a] += xa * y[j];
        for (let b = 0; b <= a; b++) A[a * p + b] += xa * X[r + b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) A[b * p + a] = A[a * p + b];
    const inv = invSpd(A, p);
    if (!inv) throw new SingularLocal(i);
    const beta = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += inv[a * p + b] * xty[b];
      beta[a] = s;
    }
    let yh = 0;
    for (let a = 0; a < p; a++) yh += X[i * p + a] * beta[a];
    yhat[i] = yh;
    // S_ii = x_i inv x_i' w_ii
    const xi = X.subarray(i * p, i * p + p);
    const g = new Float64Array(p); // inv x_i'
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += inv[a * p + b] * xi[b];
      g[a] = s;
    }
    let sii = 0;
    for (let a = 0; a < p; a++) sii += xi[a] * g[a];
    sii *= w[i];
    trS += sii;
    if (full && C) {
      full.params[i] = beta;
      full.influence[i] = sii;
      // C_i = inv X' W_i (p x n); diag(C C') and S row for tr(S'S)
      let rowSS = 0;
      const cc = new Float64Array(p);
      for (let j = 0; j < n; j++) {
        const wj = w[j];
        if (wj === 0) continue;
        let sij = 0;
        for (let a = 0; a < p; a++) {
          let c = 0;
          for (let b = 0; b < p; b++) c += inv[a * p + b] * X[j * p + b];
          c *= wj;
          cc[a] += c * c;
          sij += xi[a] * c;
        }
        rowSS += sij * sij;
      }
      trSTS += rowSS;
      full.bse[i] = cc; // scaled by sigma below
    }
  }
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - yhat[i]) ** 2;
  const aicc = n - 2 - trS > 0 ? n * Math.log((2 * Math.PI * rss) / n) + (n * (n + trS)) / (n - 2 - trS) : Infinity;
  if (full) {
    full.trS = trS;
    full.trSTS = trSTS;
    full.rss = rss;
    full.aicc = aicc;
    full.aic = n * Math.log((2 * Math.PI * rss) / n) + n + 2 * (trS + 1);
    full.yhat = yhat;
    full.resid = Float64Array.from(yhat, (v, i) => y[i] - v);
  }
  return { trS, rss, aicc };
}

function goldenSection(a: number, c: number, score: (b: number) => number, integer: boolean): { opt: number; trace: { bandwidth: number; aicc: number }[] } {
  const delta = 0.38197;
  let b = a + delta * Math.abs(c - a);
  let d = c - delta * Math.abs(c - a);
  const cache = new Map<number, number>();
  const trace: { bandwidth: number; aicc: number }[] = [];
  const f = (x: number) => {
    let v = cache.get(x);
    if (v === undefined) {
      v = score(x);
      cache.set(x, v);
      trace.push({ bandwidth: x, aicc: v });
    }
    return v;
  };
  let diff = 1e9, it = 0, opt = b;
  while (Math.abs(diff) > 1e-6 && it < 200) {
    it++;
    if (integer) { b = Math.round(b); d = Math.round(d); }
    const sb = f(b), sd = f(d);
    if (sb <= sd) {
      opt = b;
      c = d;
      d = b;
      b = a + delta * Math.abs(c - a);
    } else {
      opt = d;
      a = b;
      b = d;
      d = c - delta * Math.abs(c - a);
    }
    diff = sb === sd ? 0 : sb - sd;
    if (!Number.isFinite(diff)) diff = 1e9;
  }
  return { opt, trace };
}

export function gwr(y: ArrayLike<number>, Xcols: ArrayLike<number>[], names: string[], cx: ArrayLike<number>, cy: ArrayLike<number>, opts: GwrOptions = {}): GwrResult {
  const what = opts.what ?? 'gwr';
  const kernel = opts.kernel ?? 'bisquare';
  const fixed = !!opts.fixed;
  const n = y.length, p = Xcols.length + 1;
  if (n <= p + 1) throw new InputError(`${what}: ${n} units for ${p} local parameters; GWR needs at least ${p + 2} units`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(cx[i]) || !Number.isFinite(cy[i])) throw new InputError(`${what}: row ${i + 1}: non-finite coordinates (${cx[i]}, ${cy[i]})`);
  // global checks (constant / collinear regressors, y constant) by OLS
  const global = ols(y, Xcols, names, what);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    X[i * p] = 1;
    for (let k = 0; k < p - 1; k++) X[i * p + k + 1] = Xcols[k][i];
  }
  const D = new Float64Array(n * n);
  let dmin = Infinity, dmax = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(cx[i] - cx[j], cy[i] - cy[j]);
      D[i * n + j] = D[j * n + i] = d;
      dmin = Math.min(dmin, d);
      dmax = Math.max(dmax, d);
    }
  }
  const sortedD = fixed ? [] : Array.from({ length: n }, (_, i) => D.slice(i * n, i * n + n).sort());
  const des: Design = { n, p, X, y, D, sortedD };
  const score = (bw: number) => {
    try {
      return fitAll(des, bw, kernel, fixed).aicc;
    } catch (e) {
      if (e instanceof SingularLocal) return Infinity;
      throw e;
    }
  };
  let bw: number;
  let search: { bandwidth: number; aicc: number }[] | undefined;
  if (opts.bandwidth !== undefined) {
    bw = opts.bandwidth;
    if (!fixed && (!Number.isInteger(bw) || bw < 2 || bw > n)) throw new InputError(`${what}: adaptive bandwidth must be an integer number of neighbours in [2, ${n}], got ${bw}`);
    if (fixed && !(bw > 0)) throw new InputError(`${what}: fixed bandwidth must be a distance > 0, got ${bw}`);
  } else {
    let a: number, c: number;
    if (fixed) {
      if (!(dmax > 0)) throw new InputError(`${what}: all units share one location; a fixed bandwidth cannot be searched`);
      a = (dmin > 0 ? dmin : dmax / n) / 2;
      c = dmax * 2;
    } else {
      // mgwr's lower bound 40 + 2p; for small data sets (n <= 40 + 2p) the whole feasible range
      a = 40 + 2 * p < n ? 40 + 2 * p : p + 2;
      c = n;
    }
    const r = goldenSection(a, c, score, !fixed);
    bw = fixed ? Math.round(r.opt * 100) / 100 : r.opt; // mgwr returns the fixed optimum rounded to 2 decimals
    search = r.trace;
    // golden section never evaluates the interval's ends: keep an end if it scores better
    for (const end of [a, c]) {
      const e = fixed ? end : Math.round(end);
      const se = score(e);
      search.push({ bandwidth: e, aicc: se });
      if (se < score(bw)) bw = e;
    }
  }
  const res: GwrResult = {
    n, terms: ['(Intercept)', ...names], bandwidth: bw, aicc: 0, aic: 0, rss: 0, trS: 0, trSTS: 0, sigma2: 0, r2: 0, r2_adj: 0,
    params: new Array(n), bse: new Array(n), tvalues: new Array(n), yhat: new Float64Array(n), resid: new Float64Array(n),
    localR2: new Float64Array(n), influence: new Float64Array(n), search,
  };
  try {
    fitAll(des, bw, kernel, fixed, res);
  } catch (e) {
    if (e instanceof SingularLocal) {
      throw new InputError(`${what}: the local regression at unit ${e.unit + 1} is singular with bandwidth ${bw} (too few neighbours with weight, or locally collinear regressors); use a larger bandwidth`);
    }
    throw e;
  }
  res.sigma2 = res.rss / (n - res.trS);
  for (let i = 0; i < n; i++) {
    const cc = res.bse[i];
    const se = Float64Array.from(cc, (v) => Math.sqrt(v * res.sigma2));
    res.bse[i] = se;
    res.tvalues[i] = Float64Array.from(res.params[i], (b, k) => b / se[k]);
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i];
  m /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i] - m) ** 2;
  res.r2 = 1 - res.rss / tss;
  res.r2_adj = 1 - ((1 - res.r2) * (n - 1)) / (n - res.trS - 1);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    kernelWeights(des, i, bw, kernel, fixed, w);
    let sw = 0, swy = 0;
    for (let j = 0; j < n; j++) { sw += w[j]; swy += w[j] * y[j]; }
    const yb = swy / sw;
    let t = 0, r = 0;
    for (let j = 0; j < n; j++) { t += w[j] * (y[j] - yb) ** 2; r += w[j] * res.resid[j] ** 2; }
    res.localR2[i] = t > 0 ? 1 - r / t : NaN;
  }
  void global;
  return res;
}
