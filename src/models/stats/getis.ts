/**
 * Getis-Ord local statistics (Getis & Ord 1992; Ord & Getis 1995), in spdep's localG form
 * (which is also ArcGIS's Hot Spot Analysis formula):
 *
 *  Gi* (self included; w_ii = the unit's own weight in the self-included weights):
 *    xbar = mean(x), s^2 = sum (x - xbar)^2 / n, W_i = sum_j w_ij, S1_i = sum_j w_ij^2
 *    z_i = (sum_j w_ij x_j - W_i xbar) / (s sqrt((n S1_i - W_i^2) / (n - 1)))
 *    G_i* = sum_j w_ij x_j / sum_j x_j
 *  Gi (self excluded): xbar_i, s_i^2 over j != i, n - 1 in place of n:
 *    z_i = (sum_j w_ij x_j - W_i xbar_i) / (s_i sqrt(((n - 1) S1_i - W_i^2) / (n - 2)))
 *    G_i = sum_j w_ij x_j / sum_{j != i} x_j
 *
 * p is two-sided normal, P(|Z| > |z|). Classes as ArcGIS: Hot/Cold Spot - 99 % (|z| > 2.576),
 * 95 % (> 1.960), 90 % (> 1.645) Confidence, else Not Significant.
 *
 * Weights: Gi* uses w with each unit added to its own neighbour set (spdep include.self()) and
 * then the transform (binary: w_ii = 1; row-standardised: 1/(k_i + 1)). An island then has only
 * itself (W_i = S1_i = 1 binary); its z compares its own value with the mean and is reported as
 * computed. For Gi, an island has W_i = 0 and its z is undefined: reported as null.
 */
import { InputError } from '../../errors.js';
import { normalP2 } from './distributions.js';
import { checkVariable } from './moran.js';
import type { SpatialWeights } from './weights.js';

export type HotSpotClass =
  | 'Hot Spot - 99% Confidence'
  | 'Hot Spot - 95% Confidence'
  | 'Hot Spot - 90% Confidence'
  | 'Not Significant'
  | 'Cold Spot - 90% Confidence'
  | 'Cold Spot - 95% Confidence'
  | 'Cold Spot - 99% Confidence';

export function hotSpotClass(z: number | null): HotSpotClass {
  if (z === null || !Number.isFinite(z)) return 'Not Significant';
  const a = Math.abs(z);
  const side = z > 0 ? 'Hot Spot' : 'Cold Spot';
  if (a > 2.576) return `${side} - 99% Confidence` as HotSpotClass;
  if (a > 1.96) return `${side} - 95% Confidence` as HotSpotClass;
  if (a > 1.645) return `${side} - 90% Confidence` as HotSpotClass;
  return 'Not Significant';
}

export interface LocalGResult {
  star: boolean;
  /** raw G_i (or G_i*) ratio; null where undefined */
  g: (number | null)[];
  z: (number | null)[];
  p: (number | null)[];
  cls: HotSpotClass[];
}

/**
 * Local G. For star = true pass the self-included, transformed weights
 * (transformWeights(includeSelf(w), t)); for star = false pass w without self.
 */
export function localG(x: ArrayLike<number>, w: SpatialWeights, star: boolean, what = 'gistar'): LocalGResult {
  checkVariable(x, w, what);
  const n = x.length;
  if (n < 3) throw new InputError(`${what}: Gi needs at least 3 units, got ${n}`);
  let sx = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
  }
  const xbar = sx / n;
  for (let i = 0; i < n; i++) sxx += (x[i] - xbar) ** 2;
  const g: (number | null)[] = [], z: (number | null)[] = [], p: (number | null)[] = [], cls: HotSpotClass[] = [];
  let sumsq = 0;
  for (let i = 0; i < n; i++) sumsq += x[i] * x[i];
  for (let i = 0; i < n; i++) {
    const nb = w.neighbors[i], wt = w.weights[i];
    if (star && !nb.includes(i)) throw new InputError(`${what}: Gi* needs self-included weights (unit ${w.ids[i]} is not its own neighbour)`);
    if (!star && nb.includes(i)) throw new InputError(`${what}: Gi needs weights without self (unit ${w.ids[i]} is its own neighbour)`);
    let lx = 0, Wi = 0, S1i = 0;
    for (let k = 0; k < nb.length; k++) {
      lx += wt[k] * x[nb[k]];
      Wi += wt[k];
      S1i += wt[k] * wt[k];
    }
    let zi: number | null, gi: number | null;
    if (star) {
      const si2 = sxx / n;
      const VG = si2 * ((n * S1i - Wi * Wi) / (n - 1));
      zi = VG > 0 ? (lx - Wi * xbar) / Math.sqrt(VG) : null;
      gi = sx !== 0 ? lx / sx : null;
    } else {
      const xbi = (sx - x[i]) / (n - 1);
      const si2 = (sumsq - x[i] * x[i]) / (n - 1) - xbi * xbi;
      const VG = si2 * (((n - 1) * S1i - Wi * Wi) / (n - 2));
      zi = Wi > 0 && VG > 0 ? (lx - Wi * xbi) / Math.sqrt(VG) : null;
      gi = Wi > 0 && sx - x[i] !== 0 ? lx / (sx - x[i]) : null;
    }
    g.push(gi);
    z.push(zi);
    p.push(zi === null ? null : normalP2(zi));
    cls.push(hotSpotClass(zi));
  }
  return { star, g, z, p, cls };
}
