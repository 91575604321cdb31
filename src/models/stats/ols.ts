/**
 * Ordinary least squares with an intercept (methods.md section 10; seed 001 section 4.3.3):
 * Householder QR of X = [1, x_1..x_k]; coefficients b = R^-1 Q'y; residual variance
 * s^2 = RSS/(n - p); se = s sqrt(diag((X'X)^-1)) with (X'X)^-1 = R^-1 R^-T; t = b/se,
 * two-sided p from t(n - p); R^2 = 1 - RSS/TSS, adjusted 1 - (1 - R^2)(n - 1)/(n - p);
 * F = ((TSS - RSS)/(p - 1)) / s^2; VIF_j = 1 / (1 - R^2 of x_j on the other regressors).
 *
 * Stepwise (SPSS "Stepwise"): from the intercept-only model, enter the candidate with the
 * smallest p (its t-test in the enlarged model, = partial F) if p < enter; then remove the
 * model variable with the largest p if p > remove; repeat until nothing enters. Candidates that
 * would be collinear with the model are skipped.
 *
 * Degenerate inputs (InputError, exit 2): n <= p (fewer units than parameters + 1), a constant
 * regressor, collinear regressors (named), y constant.
 */
import { InputError } from '../../errors.js';
import { fSf, tP2 } from './distributions.js';

export interface OlsResult {
  n: number;
  terms: string[];
  coef: number[];
  se: number[];
  t: number[];
  p: number[];
  r2: number;
  r2_adj: number;
  F: number | null;
  F_p: number | null;
  df_resid: number;
  rss: number;
  sigma2: number;
  /** one per regressor (not the intercept); null with a single regressor (VIF = 1) */
  vif: (number | null)[];
  resid: number[];
}

/** QR least squares core; throws a CollinearError with the index of the first dependent column. */
class CollinearError extends Error {
  constructor(readonly column: number) { super('collinear'); }
}

/** Solve with columns X (each length n); returns b, rss, and R^-1 (upper, p x p, row-major). */
function lsq(cols: ArrayLike<number>[], y: ArrayLike<number>): { b: Float64Array; rss: number; Rinv: Float64Array; resid: Float64Array } {
  const n = y.length, p = cols.length;
  const A = cols.map((c) => Float64Array.from(c));
  const qy = Float64Array.from(y);
  const R = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    const a = A[k];
    let norm0 = 0;
    for (let i = 0; i < n; i++) norm0 += cols[k][i] * cols[k][i];
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[i] * a[i];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10 * Math.sqrt(norm0)) || norm0 === 0) throw new CollinearError(k);
    const alpha = a[k] > 0 ? -norm : norm;
    // v = a[k..] - alpha e_k
    const v = new Float64Array(n - k);
    for (let i = k; i < n; i++) v[i - k] = a[i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    const apply = (c: Float64Array) => {
      let d = 0;
      for (let i = k; i < n; i++) d += v[i - k] * c[i];
      const f = (2 * d) / vv;
      for (let i = k; i < n; i++) c[i] -= f * v[i - k];
    };
    for (let j = k; j < p; j++) apply(A[j]);
    apply(qy);
    for (let j = k; j < p; j++) R[k * p + j] = A[j][k];
  }
  const b = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = qy[k];
    for (let j = k + 1; j < p; j++) s -= R[k * p + j] * b[j];
    b[k] = s / R[k * p + k];
  }
  const Rinv = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    Rinv[j * p + j] = 1 / R[j * p + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += R[i * p + k] * Rinv[k * p + j];
      Rinv[i * p + j] = -s / R[i * p + i];
    }
  }
  const resid = new Float64Array(n);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = 0; k < p; k++) f += cols[k][i] * b[k];
    resid[i] = y[i] - f;
    rss += resid[i] * resid[i];
  }
  return { b, rss, Rinv, resid };
}

function checkInputs(y: ArrayLike<number>, X: ArrayLike<number>[], names: string[], what: string): void {
  const n = y.length;
  for (let k = 0; k < X.length; k++) if (X[k].length !== n) throw new InputError(`${what}: column "${names[k]}" has ${X[k].length} values for ${n} units`);
  const p = X.length + 1;
  if (n <= p) throw new InputError(`${what}: ${n} units for ${p} parameters (intercept + ${X.length} regressors); OLS needs at least ${p + 1} units`);
  let mn = Infinity, mx = -Infinity;
  for (let i = 0; i < n; i++) { mn = Math.min(mn, y[i]); mx = Math.max(mx, y[i]); }
  if (mn === mx) throw new InputError(`${what}: the dependent variable is constant (${mn}); nothing to explain`);
  for (let k = 0; k < X.length; k++) {
    let a = Infinity, b = -Infinity;
    for (let i = 0; i < n; i++) { a = Math.min(a, X[k][i]); b = Math.max(b, X[k][i]); }
    if (a === b) throw new InputError(`${what}: regressor "${names[k]}" is constant (${a}); it is collinear with the intercept`);
  }
}

function r2Of(y: ArrayLike<number>, cols: ArrayLike<number>[]): number {
  const { rss } = lsq(cols, y);
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i];
  m /= y.length;
  let tss = 0;
  for (let i = 0; i < y.length; i++) tss += (y[i] - m) ** 2;
  return 1 - rss / tss;
}

export function ols(y: ArrayLike<number>, X: ArrayLike<number>[], names: string[], what = 'ols'): OlsResult {
  checkInputs(y, X, names, what);
  const n = y.length, p = X.length + 1;
  const ones = new Float64Array(n).fill(1);
  const cols = [ones, ...X];
  let fit;
  try {
    fit = lsq(cols, y);
  } catch (e) {
    if (e instanceof CollinearError) {
      throw new InputError(`${what}: regressor "${names[e.column - 1]}" is collinear with ${e.column - 1 > 0 ? `the intercept and ${names.slice(0, e.column - 1).map((s) => `"${s}"`).join(', ')}` : 'the intercept'}; drop it`);
    }
    throw e;
  }
  const { b, rss, Rinv, resid } = fit;
  const df = n - p;
  const sigma2 = rss / df;
  const se: number[] = [], t: number[] = [], pv: number[] = [];
  for (let k = 0; k < p; k++) {
    let d = 0;
    for (let j = k; j < p; j++) d += Rinv[k * p + j] ** 2;
    const s = Math.sqrt(sigma2 * d);
    se.push(s);
    const tk = b[k] / s;
    t.push(tk);
    pv.push(s > 0 ? tP2(tk, df) : 0);
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i];
  m /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i] - m) ** 2;
  const r2 = 1 - rss / tss;
  const r2_adj = 1 - ((1 - r2) * (n - 1)) / df;
  let F: number | null = null, F_p: number | null = null;
  if (p > 1 && sigma2 > 0) {
    F = (tss - rss) / (p - 1) / sigma2;
    F_p = fSf(F, p - 1, df);
  }
  const vif: (number | null)[] = X.map((_, k) => {
    if (X.length === 1) return 1;
    const others = X.filter((__, j) => j !== k);
    const r = r2Of(X[k], [ones, ...others]);
    return r < 1 ? 1 / (1 - r) : null;
  });
  return { n, terms: ['(Intercept)', ...names], coef: Array.from(b), se, t, p: pv, r2, r2_adj, F, F_p, df_resid: df, rss, sigma2, vif, resid: Array.from(resid) };
}

export interface StepRecord { step: number; action: 'enter' | 'remove'; variable: string; p: number }

export function stepwise(y: ArrayLike<number>, X: ArrayLike<number>[], names: string[], opts: { enter?: number; remove?: number; what?: string } = {}): { model: OlsResult; steps: StepRecord[]; selected: string[] } {
  const pin = opts.enter ?? 0.05, pout = opts.remove ?? 0.1;
  const what = opts.what ?? 'stepwise';
  checkInputs(y, [], [], what);
  const n = y.length;
  const inModel: number[] = [];
  const steps: StepRecord[] = [];
  const maxSteps = 4 * (X.length + 1) * (X.length + 1);
  const pOf = (set: number[], k: number): number | null => {
    if (n <= set.length + 2) return null;
    try {
      const r = ols(y, set.map((j) => X[j]), set.map((j) => names[j]), what);
      return r.p[set.indexOf(k) + 1];
    } catch (e) {
      if (e instanceof InputError) return null; // collinear / constant: not a candidate
      throw e;
    }
  };
  for (let it = 0; it < maxSteps; it++) {
    let best = -1, bestP = Infinity;
    for (let k = 0; k < X.length; k++) {
      if (inModel.includes(k)) continue;
      const p = pOf([...inModel, k], k);
      if (p !== null && p < bestP) { bestP = p; best = k; }
    }
    if (best < 0 || !(bestP < pin)) break;
    inModel.push(best);
    steps.push({ step: steps.length + 1, action: 'enter', variable: names[best], p: bestP });
    for (;;) {
      if (inModel.length === 0) break;
      const r = ols(y, inModel.map((j) => X[j]), inModel.map((j) => names[j]), what);
      let worst = -1, worstP = -1;
      inModel.forEach((j, idx) => { if (r.p[idx + 1] > worstP) { worstP = r.p[idx + 1]; worst = j; } });
      if (worstP > pout) {
        inModel.splice(inModel.indexOf(worst), 1);
        steps.push({ step: steps.length + 1, action: 'remove', variable: names[worst], p: worstP });
      } else break;
    }
  }
  const model = inModel.length
    ? ols(y, inModel.map((j) => X[j]), inModel.map((j) => names[j]), what)
    : interceptOnly(y);
  return { model, steps, selected: inModel.map((j) => names[j]) };
}

function interceptOnly(y: ArrayLike<number>): OlsResult {
  const n = y.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i];
  m /= n;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - m) ** 2;
  const sigma2 = rss / (n - 1);
  const se = Math.sqrt(sigma2 / n);
  const t = m / se;
  return { n, terms: ['(Intercept)'], coef: [m], se: [se], t: [t], p: [tP2(t, n - 1)], r2: 0, r2_adj: 0, F: null, F_p: null, df_resid: n - 1, rss, sigma2, vif: [], resid: Array.from(y, (v) => v - m) };
}
