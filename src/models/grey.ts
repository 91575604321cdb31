/**
 * Grey forecast GM(1,1) (methods.md section 8; seed 000 forecasts GDP and population to the
 * target year with it).
 *
 *   x1 = cumsum(x0); z(k) = 0.5 (x1(k) + x1(k-1)), k = 2..n
 *   [a, b] = least squares of x0(k) = -a z(k) + b, k = 2..n
 *   x1^(k+1) = (x0(1) - b/a) e^{-ak} + b/a;  x0^(1) = x0(1), x0^(k+1) = x1^(k+1) - x1^(k)
 *   (a = 0 exactly: the limit x1^(k+1) = x0(1) + b k)
 *
 * Posterior-variance check: residuals e(k) = x0(k) - x0^(k) over all n points (e(1) = 0),
 * S1 = std(x0), S2 = std(e) (both population, ddof 0), C = S2 / S1,
 * P = share of k with |e(k) - mean(e)| < 0.6745 S1.
 * Grade: good C <= 0.35 & P >= 0.95; qualified C <= 0.5 & P >= 0.80; barely C <= 0.65 &
 * P >= 0.70; else unqualified. These conventions reproduce the worked example of methods.md:
 * x0 = 2.874, 3.278, 3.337, 3.390, 3.679 -> a = -0.0372044, b = 3.0653633, C = 0.21247, P = 1.
 */
import { ConfigError, InputError } from '../errors.js';

export type GreyGrade = 'good' | 'qualified' | 'barely qualified' | 'unqualified';

export interface GreyResult {
  /** Development coefficient. */
  a: number;
  /** Grey input. */
  b: number;
  /** x0^(1..n), the model's values at the observed points (fitted[0] = x0[0]). */
  fitted: number[];
  /** x0^(n+1..n+horizon). */
  forecast: number[];
  /** Residuals x0(k) - x0^(k). */
  residuals: number[];
  /** Relative errors |e(k)| / x0(k) (k >= 2; the first is 0). */
  relativeErrors: number[];
  S1: number;
  S2: number;
  /** Posterior variance ratio S2 / S1. */
  C: number;
  /** Small-error probability. */
  P: number;
  grade: GreyGrade;
}

export function greyGrade(C: number, P: number): GreyGrade {
  if (C <= 0.35 && P >= 0.95) return 'good';
  if (C <= 0.5 && P >= 0.8) return 'qualified';
  if (C <= 0.65 && P >= 0.7) return 'barely qualified';
  return 'unqualified';
}

function popStd(v: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) * (v[i] - mean);
  return { mean, std: Math.sqrt(ss / v.length) };
}

/**
 * Fits GM(1,1) to x0 (at least 4 positive values, no gaps) and forecasts `horizon` steps.
 * Throws InputError for bad series (names the position and value), ConfigError for a bad horizon.
 */
export function gm11(x0: ArrayLike<number>, horizon = 0, source = 'series'): GreyResult {
  const n = x0.length;
  if (!Number.isInteger(horizon) || horizon < 0 || horizon > 1000) {
    throw new ConfigError(`--horizon: expected an integer in [0, 1000], got ${horizon}`);
  }
  if (n < 4) throw new InputError(`${source}: GM(1,1) needs at least 4 values, got ${n}`);
  for (let i = 0; i < n; i++) {
    const v = x0[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(`${source}: value ${i + 1} is ${JSON.stringify(v)}, expected a finite number`);
    }
    if (v <= 0) throw new InputError(`${source}: value ${i + 1} is ${v}, GM(1,1) expects positive values`);
  }
  const x1 = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) x1[i] = acc += x0[i];
  // normal equations of y = c z + b (c = -a), k = 2..n
  const m = n - 1;
  let sz = 0, szz = 0, sy = 0, szy = 0;
  for (let k = 1; k < n; k++) {
    const z = 0.5 * (x1[k] + x1[k - 1]);
    sz += z; szz += z * z; sy += x0[k]; szy += z * x0[k];
  }
  const det = m * szz - sz * sz;
  if (!(Math.abs(det) > 1e-12 * Math.max(1, m * szz))) {
    throw new InputError(`${source}: GM(1,1) least squares is singular for this series`);
  }
  const c = (m * szy - sz * sy) / det;
  const b = (sy - c * sz) / m;
  const a = -c;
  const x1hat = (k: number): number => (a === 0 ? x0[0] + b * k : (x0[0] - b / a) * Math.exp(-a * k) + b / a);
  const all: number[] = [x0[0]];
  for (let k = 1; k < n + horizon; k++) all.push(x1hat(k) - x1hat(k - 1));
  for (const v of all) {
    if (!Number.isFinite(v)) throw new InputError(`${source}: GM(1,1) forecast overflows (a = ${a}); shorten --horizon`);
  }
  const fitted = all.slice(0, n);
  const forecast = all.slice(n);
  const residuals = fitted.map((f, i) => x0[i] - f);
  const relativeErrors = residuals.map((e, i) => Math.abs(e) / x0[i]);
  const d = popStd(x0);
  const r = popStd(residuals);
  if (d.std === 0) throw new InputError(`${source}: the series is constant, so the posterior variance ratio C = S2/S1 is undefined (S1 = 0)`);
  const C = r.std / d.std;
  let small = 0;
  for (const e of residuals) if (Math.abs(e - r.mean) < 0.6745 * d.std) small++;
  const P = small / n;
  return { a, b, fitted, forecast, residuals, relativeErrors, S1: d.std, S2: r.std, C, P, grade: greyGrade(C, P) };
}

/** Parses "v1,v2,..." (the CLI's --series). */
export function parseSeries(s: string, source = '--series'): number[] {
  const parts = s.split(',').map((p) => p.trim());
  return parts.map((p, i) => {
    const v = p === '' ? NaN : Number(p);
    if (!Number.isFinite(v)) throw new InputError(`${source}: value ${i + 1} is ${JSON.stringify(p)}, expected a number`);
    return v;
  });
}
