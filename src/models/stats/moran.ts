/**
 * Global Moran's I (Cliff & Ord 1981; methods.md section 10), as spdep's moran.test:
 *
 *   z_i = y_i - mean(y),  I = n / S0 * sum_ij w_ij z_i z_j / sum_i z_i^2,  E[I] = -1/(n-1)
 *   S0 = sum_ij w_ij, S1 = 1/2 sum_ij (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2
 *   VI_norm = (n^2 S1 - n S2 + 3 S0^2) / ((n^2 - 1) S0^2) - E[I]^2
 *   b2 = n sum z^4 / (sum z^2)^2
 *   VI_rand = [n((n^2 - 3n + 3) S1 - n S2 + 3 S0^2) - b2((n^2 - n) S1 - 2n S2 + 6 S0^2)]
 *             / ((n - 1)(n - 2)(n - 3) S0^2) - E[I]^2
 *   z = (I - E[I]) / sqrt(VI);  p two-sided 2(1 - Phi(|z|)); p_greater = 1 - Phi(z) (spdep's
 *   default alternative).
 *
 * Permutation test (PySAL esda.Moran): P permutations of y drawn once from the seed with the
 * counter RNG (stream 0x4d6f72616e = "Moran", index = p * n + i, Fisher-Yates), M = number of
 * permuted I >= observed I, folded (M = P - M when P - M < M), p_sim = (M + 1) / (P + 1).
 *
 * Islands (units without neighbours) keep their place in n and in z; they add nothing to the
 * cross-product or to S0/S1/S2 (spdep zero.policy = TRUE, adjust.n = FALSE; PySAL Moran).
 * The CLI refuses islands unless --allow-islands.
 */
import { InputError } from '../../errors.js';
import { RngKey, rngF64 } from '../../kernels/rng.ref.js';
import { normalP2, normalSf } from './distributions.js';
import type { SpatialWeights } from './weights.js';

export interface MoranResult {
  n: number;
  I: number;
  EI: number;
  VI_norm: number;
  VI_rand: number;
  z_norm: number;
  z_rand: number;
  /** two-sided */
  p_norm: number;
  p_rand: number;
  /** one-sided, alternative "greater" (spdep's default) */
  p_norm_greater: number;
  p_rand_greater: number;
  S0: number;
  S1: number;
  S2: number;
  permutations?: number;
  seed?: number;
  p_sim?: number;
  /** mean and sd of the permuted I */
  EI_sim?: number;
  seI_sim?: number;
  z_sim?: number;
}

export const MORAN_STREAM = 0x4d6f72616e;

export function weightSums(w: SpatialWeights): { S0: number; S1: number; S2: number } {
  const n = w.ids.length;
  const rowSum = new Float64Array(n);
  const colSum = new Float64Array(n);
  // w_ji lookup for S1: map per row
  const rows: Map<number, number>[] = w.neighbors.map((nb, i) => {
    const m = new Map<number, number>();
    nb.forEach((j, k) => m.set(j, w.weights[i][k]));
    return m;
  });
  let S0 = 0, S1 = 0;
  for (let i = 0; i < n; i++) {
    const nb = w.neighbors[i], wt = w.weights[i];
    for (let k = 0; k < nb.length; k++) {
      const j = nb[k], v = wt[k];
      S0 += v;
      rowSum[i] += v;
      colSum[j] += v;
      const s = v + (rows[j].get(i) ?? 0);
      S1 += s * s; // counts (i,j) pairs present in row i
      if (!rows[j].has(i)) S1 += s * s; // (j,i) is zero in w but contributes the same square
    }
  }
  S1 /= 2;
  let S2 = 0;
  for (let i = 0; i < n; i++) S2 += (rowSum[i] + colSum[i]) ** 2;
  return { S0, S1, S2 };
}

function crossProduct(w: SpatialWeights, z: Float64Array): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const nb = w.neighbors[i], wt = w.weights[i];
    let r = 0;
    for (let k = 0; k < nb.length; k++) r += wt[k] * z[nb[k]];
    s += z[i] * r;
  }
  return s;
}

/** Validates y against w: same length, finite, not constant. */
export function checkVariable(y: ArrayLike<number>, w: SpatialWeights, what: string): void {
  if (y.length !== w.ids.length) throw new InputError(`${what}: ${y.length} values for ${w.ids.length} units of ${w.source}`);
  let mn = Infinity, mx = -Infinity;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new InputError(`${what}: unit ${w.ids[i]} has a non-finite value ${y[i]}`);
    mn = Math.min(mn, y[i]);
    mx = Math.max(mx, y[i]);
  }
  if (mn === mx) throw new InputError(`${what}: the variable is constant (${mn}) for all ${y.length} units; Moran's I and Gi* are undefined`);
}

export function moran(y: ArrayLike<number>, w: SpatialWeights, opts: { permutations?: number; seed?: number; what?: string } = {}): MoranResult {
  const what = opts.what ?? 'moran';
  checkVariable(y, w, what);
  const n = y.length;
  if (n < 4) throw new InputError(`${what}: Moran's I needs at least 4 units for its randomisation variance, got ${n}`);
  const { S0, S1, S2 } = weightSums(w);
  if (!(S0 > 0)) throw new InputError(`${what}: the weights (${w.source}) have no links; every unit is an island`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const z = new Float64Array(n);
  let m2 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    z[i] = y[i] - mean;
    m2 += z[i] * z[i];
    m4 += z[i] ** 4;
  }
  const I = (n / S0) * (crossProduct(w, z) / m2);
  const EI = -1 / (n - 1);
  const S02 = S0 * S0;
  const VI_norm = (n * n * S1 - n * S2 + 3 * S02) / ((n * n - 1) * S02) - EI * EI;
  const b2 = (n * m4) / (m2 * m2);
  const VI_rand =
    (n * ((n * n - 3 * n + 3) * S1 - n * S2 + 3 * S02) - b2 * ((n * n - n) * S1 - 2 * n * S2 + 6 * S02)) /
      ((n - 1) * (n - 2) * (n - 3) * S02) -
    EI * EI;
  const tiny = 1e-14 * (EI * EI);
  if (!(VI_norm > tiny)) throw new InputError(`${what}: the variance of I is 0 for these weights (${w.source}): every unit neighbours every other unit, so I = E[I] whatever the values`);
  if (!(VI_rand > tiny)) throw new InputError(`${what}: the randomisation variance of I is not positive (${VI_rand}); too few distinct values`);
  const z_norm = (I - EI) / Math.sqrt(VI_norm);
  const z_rand = (I - EI) / Math.sqrt(VI_rand);
  const res: MoranResult = {
    n, I, EI, VI_norm, VI_rand, z_norm, z_rand,
    p_norm: normalP2(z_norm), p_rand: normalP2(z_rand),
    p_norm_greater: normalSf(z_norm), p_rand_greater: normalSf(z_rand),
    S0, S1, S2,
  };
  const P = opts.permutations ?? 0;
  if (P > 0) {
    const seed = opts.seed ?? 0;
    const key = new RngKey(seed, MORAN_STREAM);
    const perm = new Int32Array(n);
    const zp = new Float64Array(n);
    let larger = 0, s = 0, ss = 0;
    for (let p = 0; p < P; p++) {
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rngF64(key, p * n + i) * (i + 1));
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      for (let i = 0; i < n; i++) zp[i] = z[perm[i]];
      const Ip = (n / S0) * (crossProduct(w, zp) / m2);
      if (Ip >= I) larger++;
      s += Ip;
      ss += Ip * Ip;
    }
    if (P - larger < larger) larger = P - larger;
    const mu = s / P;
    const sd = Math.sqrt(Math.max(0, (ss - P * mu * mu) / (P - 1 || 1)));
    Object.assign(res, { permutations: P, seed, p_sim: (larger + 1) / (P + 1), EI_sim: mu, seI_sim: sd, z_sim: sd > 0 ? (I - mu) / sd : NaN });
  }
  return res;
}
