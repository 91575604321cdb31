/**
 * Geographical detector (Wang et al. 2010, IJGIS 24(1); Wang, Zhang & Fu 2016, Ecol. Indic.
 * 67; methods.md section 10; seed 001 Tables 2-5).
 *
 *  Factor detector: strata h = 1..L of a factor, N_h units, within variance s_h^2 (population,
 *    divide by N_h), s^2 the population variance of y over all N units:
 *      q = 1 - sum_h N_h s_h^2 / (N s^2)
 *      F = (N - L)/(L - 1) * q/(1 - q) ~ noncentral F(L - 1, N - L; lambda)
 *      lambda = (sum_h ybar_h^2 - (sum_h sqrt(N_h) ybar_h)^2 / N) / s^2        (Wang 2016 eq. 4)
 *    p = P(F' > F) of the noncentral F (distributions.ncfSf).
 *  Interaction detector: q of the overlay (every non-empty combination of the two factors'
 *    strata); type by comparing q(a∩b) with q(a), q(b):
 *      < min: "weaken, nonlinear"; <= max: "weaken, uni-"; < q(a)+q(b): "enhance, bi-";
 *      == q(a)+q(b) (|diff| <= 1e-12): "independent"; > q(a)+q(b): "enhance, nonlinear".
 *  Risk detector: for each pair of strata of a factor, Welch's t of the two strata means,
 *    df by Welch-Satterthwaite, two-sided p; significant when p < alpha. A stratum with a single
 *    unit has no variance: its pairs get t, df, p = null and significant = null (stated, tested).
 *  Ecological detector: F = SSW_a / SSW_b (N_a = N_b = N, so the (N-1) factors cancel),
 *    SSW = sum_h N_h s_h^2; p = P(F(N-1, N-1) > F) one-sided; significant when p < alpha.
 *
 *  Degenerate inputs: y constant -> InputError (q undefined); a factor with one stratum -> q = 0,
 *  F = p = null; q = 1 (no within-strata variance, e.g. every stratum one unit) -> F = p = null.
 *
 * Discretisation of a numeric factor: equal interval, quantile (type 7 quantiles; tied breaks
 * merge classes) or natural breaks (Fisher-Jenks exact optimum of the within-class sum of
 * squares); with a class range Kmin-Kmax the K with the largest q is kept (ties: smaller K).
 */
import { ConfigError, InputError } from '../../errors.js';
import { fSf, ncfSf, tP2 } from './distributions.js';

export type DiscretizeMethod = 'equal' | 'quantile' | 'natural';
export interface DiscretizeSpec {
  method: DiscretizeMethod;
  kMin: number;
  kMax: number;
}

/** "quantile:5", "natural:3-7" for all factors, or "a=quantile:3-7,b=equal:4" per factor. */
export function parseDiscretize(s: string, factors: string[]): Map<string, DiscretizeSpec> {
  const one = (t: string): DiscretizeSpec => {
    const m = /^(equal|quantile|natural):(\d+)(?:-(\d+))?$/.exec(t.trim());
    if (!m) throw new ConfigError(`--discretize: expected METHOD:K or METHOD:KMIN-KMAX with METHOD equal|quantile|natural, got ${JSON.stringify(t)}`);
    const kMin = Number(m[2]), kMax = m[3] ? Number(m[3]) : kMin;
    if (kMin < 2 || kMax < kMin || kMax > 1000) throw new ConfigError(`--discretize: class counts must satisfy 2 <= KMIN <= KMAX <= 1000, got ${m[2]}-${m[3] ?? m[2]}`);
    return { method: m[1] as DiscretizeMethod, kMin, kMax };
  };
  const out = new Map<string, DiscretizeSpec>();
  if (!s.includes('=')) {
    const spec = one(s);
    for (const f of factors) out.set(f, spec);
    return out;
  }
  for (const part of s.split(',')) {
    const [f, t] = part.split('=');
    if (!f || t === undefined) throw new ConfigError(`--discretize: expected FACTOR=METHOD:K, got ${JSON.stringify(part)}`);
    if (!factors.includes(f.trim())) throw new ConfigError(`--discretize: "${f.trim()}" is not one of --factors (${factors.join(', ')})`);
    out.set(f.trim(), one(t));
  }
  return out;
}

function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

/** Breaks b_1 < ... < b_{K-1} (interior); class of v = number of breaks strictly below v. */
export function breaksFor(x: ArrayLike<number>, method: DiscretizeMethod, k: number): number[] {
  const s = sortedCopy(x);
  const n = s.length;
  const lo = s[0], hi = s[n - 1];
  let br: number[] = [];
  if (method === 'equal') {
    for (let i = 1; i < k; i++) br.push(lo + ((hi - lo) * i) / k);
  } else if (method === 'quantile') {
    for (let i = 1; i < k; i++) {
      const h = ((n - 1) * i) / k;
      const f = Math.floor(h);
      br.push(f + 1 < n ? s[f] + (h - f) * (s[f + 1] - s[f]) : s[f]);
    }
  } else {
    br = jenksBreaks(s, k);
  }
  // drop duplicates and breaks at or above the maximum (empty classes)
  const out: number[] = [];
  for (const b of br) if ((out.length === 0 || b > out[out.length - 1]) && b < hi && b >= lo) out.push(b);
  return out;
}

/** Fisher-Jenks natural breaks on sorted data: exact minimum of the within-class SS; returns class upper bounds (K-1). */
export function jenksBreaks(s: Float64Array, k: number): number[] {
  const n = s.length;
  if (k >= n) return Array.from(s.slice(0, n - 1));
  // prefix sums for SS(i..j)
  const c1 = new Float64Array(n + 1), c2 = new Float64Array(n + 1);
  const m0 = s[0];
  for (let i = 0; i < n; i++) {
    const v = s[i] - m0;
    c1[i + 1] = c1[i] + v;
    c2[i + 1] = c2[i] + v * v;
  }
  const ss = (i: number, j: number) => {
    // units i..j inclusive
    const m = j - i + 1;
    const a = c1[j + 1] - c1[i];
    return c2[j + 1] - c2[i] - (a * a) / m;
  };
  // cost[c][j]: best SS of the first j+1 units in c+1 classes
  let prev = new Float64Array(n);
  for (let j = 0; j < n; j++) prev[j] = ss(0, j);
  const back: Int32Array[] = [];
  for (let c = 1; c < k; c++) {
    const cur = new Float64Array(n).fill(Infinity);
    const arg = new Int32Array(n);
    for (let j = c; j < n; j++) {
      for (let i = c; i <= j; i++) {
        // last class i..j
        const v = prev[i - 1] + ss(i, j);
        if (v < cur[j]) {
          cur[j] = v;
          arg[j] = i;
        }
      }
    }
    back.push(arg);
    prev = cur;
  }
  const br: number[] = [];
  let j = n - 1;
  for (let c = k - 1; c >= 1; c--) {
    const i = back[c - 1][j];
    br.push(s[i - 1]);
    j = i - 1;
  }
  return br.reverse();
}

export function classify(x: ArrayLike<number>, breaks: number[]): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let c = 0;
    while (c < breaks.length && x[i] > breaks[c]) c++;
    out[i] = c;
  }
  return out;
}

export interface Strata {
  name: string;
  labels: string[];
}

interface Groups {
  index: Int32Array;
  names: string[];
  count: Float64Array;
  mean: Float64Array;
  /** population variance within the stratum */
  vari: Float64Array;
}

function group(y: ArrayLike<number>, labels: ArrayLike<string>): Groups {
  const map = new Map<string, number>();
  const index = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    let g = map.get(labels[i]);
    if (g === undefined) { g = map.size; map.set(labels[i], g); }
    index[i] = g;
  }
  const L = map.size;
  const count = new Float64Array(L), mean = new Float64Array(L), vari = new Float64Array(L);
  for (let i = 0; i < y.length; i++) { count[index[i]]++; mean[index[i]] += y[i]; }
  for (let h = 0; h < L; h++) mean[h] /= count[h];
  for (let i = 0; i < y.length; i++) vari[index[i]] += (y[i] - mean[index[i]]) ** 2;
  for (let h = 0; h < L; h++) vari[h] /= count[h];
  return { index, names: [...map.keys()], count, mean, vari };
}

export interface FactorResult {
  factor: string;
  q: number;
  F: number | null;
  p: number | null;
  lambda: number | null;
  strata: number;
  /** within-strata sum of squares sum_h N_h s_h^2 */
  ssw: number;
}

function popVar(y: ArrayLike<number>): { mean: number; v: number } {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i];
  m /= y.length;
  let v = 0;
  for (let i = 0; i < y.length; i++) v += (y[i] - m) ** 2;
  return { mean: m, v: v / y.length };
}

/** Factor detector for one stratification. */
export function factorDetector(y: ArrayLike<number>, labels: ArrayLike<string>, name = 'factor'): FactorResult {
  const N = y.length;
  const { v: s2 } = popVar(y);
  if (!(s2 > 0)) throw new InputError(`geodetector: y is constant over all ${N} units; q is undefined`);
  const g = group(y, labels);
  const L = g.names.length;
  let ssw = 0;
  for (let h = 0; h < L; h++) ssw += g.count[h] * g.vari[h];
  const q = 1 - ssw / (N * s2);
  let F: number | null = null, p: number | null = null, lambda: number | null = null;
  if (L > 1 && N > L && q < 1) {
    F = ((N - L) / (L - 1)) * (q / (1 - q));
    let a = 0, b = 0;
    for (let h = 0; h < L; h++) { a += g.mean[h] ** 2; b += Math.sqrt(g.count[h]) * g.mean[h]; }
    lambda = Math.max(0, (a - (b * b) / N) / s2);
    p = ncfSf(F, L - 1, N - L, lambda);
  }
  return { factor: name, q, F, p, lambda, strata: L, ssw };
}

export type InteractionType = 'weaken, nonlinear' | 'weaken, uni-' | 'enhance, bi-' | 'independent' | 'enhance, nonlinear';

export function interactionType(qa: number, qb: number, qab: number): InteractionType {
  const tol = 1e-12;
  if (qab < Math.min(qa, qb) - tol) return 'weaken, nonlinear';
  if (qab <= Math.max(qa, qb) + tol) return 'weaken, uni-';
  if (Math.abs(qab - (qa + qb)) <= tol) return 'independent';
  if (qab < qa + qb) return 'enhance, bi-';
  return 'enhance, nonlinear';
}

export interface InteractionResult { a: string; b: string; qa: number; qb: number; qab: number; type: InteractionType }
export interface RiskPair { a: string; b: string; meanA: number; meanB: number; nA: number; nB: number; t: number | null; df: number | null; p: number | null; significant: boolean | null }
export interface RiskResult { factor: string; strata: { stratum: string; n: number; mean: number }[]; pairs: RiskPair[] }
export interface EcologicalResult { a: string; b: string; F: number; p: number; significant: boolean }
export interface GeodetectorResult { factor: FactorResult[]; interaction: InteractionResult[]; risk: RiskResult[]; ecological: EcologicalResult[] }

export function riskDetector(y: ArrayLike<number>, labels: ArrayLike<string>, name: string, alpha: number): RiskResult {
  const g = group(y, labels);
  const L = g.names.length;
  // sample variances
  const sv = Float64Array.from(g.vari, (v, h) => (g.count[h] > 1 ? (v * g.count[h]) / (g.count[h] - 1) : NaN));
  const pairs: RiskPair[] = [];
  for (let a = 0; a < L; a++) {
    for (let b = a + 1; b < L; b++) {
      const na = g.count[a], nb = g.count[b];
      const base = { a: g.names[a], b: g.names[b], meanA: g.mean[a], meanB: g.mean[b], nA: na, nB: nb };
      if (na < 2 || nb < 2) { pairs.push({ ...base, t: null, df: null, p: null, significant: null }); continue; }
      const va = sv[a] / na, vb = sv[b] / nb;
      const se2 = va + vb;
      if (!(se2 > 0)) {
        const same = g.mean[a] === g.mean[b];
        pairs.push({ ...base, t: null, df: null, p: same ? 1 : 0, significant: !same });
        continue;
      }
      const t = (g.mean[a] - g.mean[b]) / Math.sqrt(se2);
      const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
      const p = tP2(t, df);
      pairs.push({ ...base, t, df, p, significant: p < alpha });
    }
  }
  return { factor: name, strata: g.names.map((s, h) => ({ stratum: s, n: g.count[h], mean: g.mean[h] })), pairs };
}

export function geodetector(y: ArrayLike<number>, strata: Strata[], opts: { alpha?: number; what?: string } = {}): GeodetectorResult {
  const alpha = opts.alpha ?? 0.05;
  const what = opts.what ?? 'geodetector';
  const N = y.length;
  if (N < 2) throw new InputError(`${what}: the geographical detector needs at least 2 units, got ${N}`);
  for (let i = 0; i < N; i++) if (!Number.isFinite(y[i])) throw new InputError(`${what}: row ${i + 1}: y is not a finite number (${y[i]})`);
  for (const s of strata) if (s.labels.length !== N) throw new InputError(`${what}: factor "${s.name}" has ${s.labels.length} values for ${N} units`);
  if (!(popVar(y).v > 0)) throw new InputError(`${what}: y is constant (${y[0]}) over all ${N} units; q is undefined`);
  const factor = strata.map((s) => factorDetector(y, s.labels, s.name));
  const interaction: InteractionResult[] = [];
  const ecological: EcologicalResult[] = [];
  for (let a = 0; a < strata.length; a++) {
    for (let b = a + 1; b < strata.length; b++) {
      const over = strata[a].labels.map((l, i) => `${l}\u0000${strata[b].labels[i]}`);
      const qab = factorDetector(y, over).q;
      interaction.push({ a: strata[a].name, b: strata[b].name, qa: factor[a].q, qb: factor[b].q, qab, type: interactionType(factor[a].q, factor[b].q, qab) });
      const sa = factor[a].ssw, sb = factor[b].ssw;
      if (sb > 0) {
        const F = sa / sb;
        const p = fSf(F, N - 1, N - 1);
        ecological.push({ a: strata[a].name, b: strata[b].name, F, p, significant: p < alpha });
      } else {
        ecological.push({ a: strata[a].name, b: strata[b].name, F: sa > 0 ? Number.MAX_VALUE : 1, p: sa > 0 ? 0 : 1, significant: sa > 0 });
      }
    }
  }
  const risk = strata.map((s) => riskDetector(y, s.labels, s.name, alpha));
  return { factor, interaction, risk, ecological };
}

/** Discretise a numeric factor, choosing K in [kMin, kMax] by the largest q (ties: smaller K). */
export function discretize(x: ArrayLike<number>, y: ArrayLike<number>, spec: DiscretizeSpec, what: string): { labels: string[]; k: number; breaks: number[]; q: number } {
  const n = x.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { lo = Math.min(lo, x[i]); hi = Math.max(hi, x[i]); }
  if (lo === hi) throw new InputError(`${what}: the factor is constant (${lo}); it cannot be discretised`);
  if (spec.kMin > n) throw new InputError(`${what}: ${spec.kMin} classes for ${n} units`);
  let best: { labels: string[]; k: number; breaks: number[]; q: number } | null = null;
  for (let k = spec.kMin; k <= Math.min(spec.kMax, n); k++) {
    const br = breaksFor(x, spec.method, k);
    const cls = classify(x, br);
    const labels = Array.from(cls, (c) => String(c + 1));
    const q = factorDetector(y, labels).q;
    if (!best || q > best.q + 1e-15) best = { labels, k: br.length + 1, breaks: br, q };
  }
  return best!;
}
