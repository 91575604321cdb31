/**
 * PLUS CARS iteration, plain TypeScript reference of assembly/cars.ts (same rule, same
 * operations in the same order, so the same bits). Liang et al. 2021 (CARS: the overall
 * probability OP with random patch seeds and the decreasing threshold); methods.md section 4.
 *
 * Per valid (class != 255), unrestricted cell i of current class c, every class k:
 *   Omega_k = n_k * w_k / (N*N - 1)   n_k = cells of class k in the N x N Moore window, centre
 *                                     excluded, NoData and outside cells not counted (as FLUS)
 *   OP_k = P_k * Omega_k * D_k                      if Omega_k > 0
 *   OP_k = P_k * (r_k * mu) * D_k                   if Omega_k = 0, k != c, s_k < seedPct, r_k < P_k
 *   OP_k = 0                                        otherwise;      then OP_k *= allowed[c][k]
 *   P_k: the LEAS development probability; D_k: the adaptive driving coefficient (FLUS's
 *   inertia rule, kept by the host); mu: expansion coefficient; seedPct: percentage of seeds.
 *   Roulette: u * sum OP, the first k whose cumulative OP exceeds it (the last class otherwise).
 *   The winner k != c is proposed only when P_k > tau * r1 (the paper's decreasing threshold,
 *   tau = patch threshold * decay^l from the host), r1 = (a + b + c + d) / 2 of four uniforms
 *   (an Irwin-Hall approximation of the paper's "normally distributed, mean 1, range 0-2"; no
 *   transcendental function, so kernel and reference agree bit for bit).
 *   A proposal writes prop = k and key = float32 bits of P_k (rank: the highest development
 *   probability first); otherwise prop = c (key untouched).
 * Random numbers: rngF64(RngKey(seed, stream), i * (2K + 5) + j), j = k for s_k, K + k for r_k,
 * 2K for u, 2K + 1 .. 2K + 4 for r1 (counter-based: the same for any tile and thread).
 */
import { RngKey, rngF64 } from './rng.ref.js';

export interface CarsStepInput {
  width: number;
  height: number;
  classes: number;
  n: number;
  cur: Uint8Array;
  /** K planes of P_k (float32, finite, >= 0 on valid cells). */
  prob: Float32Array;
  restricted: Uint8Array | null;
  /** wn[K] | D[K] | allowed[K*K] | seedPct | mu | tau (carsCoef). */
  coef: Float64Array;
  seed: number;
  stream: number;
}

export function carsCoef(K: number, n: number, weights: number[], driving: number[], allowed: number[], seedPct: number, mu: number, tau: number): Float64Array {
  const c = new Float64Array(2 * K + K * K + 3);
  for (let k = 0; k < K; k++) {
    c[k] = weights[k] / (n * n - 1);
    c[K + k] = driving[k];
  }
  for (let j = 0; j < K * K; j++) c[2 * K + j] = allowed[j];
  c[2 * K + K * K] = seedPct;
  c[2 * K + K * K + 1] = mu;
  c[2 * K + K * K + 2] = tau;
  return c;
}

export function carsStepRef(inp: CarsStepInput): { prop: Uint8Array; key: Uint32Array; proposals: number } {
  const { width: W, height: H, classes: K, n: N, cur, prob, restricted, coef } = inp;
  const h = (N - 1) >> 1, cells = W * H;
  const prop = new Uint8Array(cells), key = new Uint32Array(cells);
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  const rk = new RngKey(inp.seed, inp.stream);
  const seedPct = coef[2 * K + K * K], mu = coef[2 * K + K * K + 1], tau = coef[2 * K + K * K + 2];
  const stride = 2 * K + 5;
  const cnt = new Int32Array(K), tp = new Float64Array(K);
  let proposals = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x, c = cur[i];
      prop[i] = c;
      if (c >= K) continue;
      if (restricted && restricted[i] !== 0) continue;
      cnt.fill(0);
      for (let yy = Math.max(0, y - h); yy <= Math.min(H - 1, y + h); yy++) {
        for (let xx = Math.max(0, x - h); xx <= Math.min(W - 1, x + h); xx++) {
          const v = cur[yy * W + xx];
          if (v < K) cnt[v]++;
        }
      }
      cnt[c]--;
      const base = i * stride;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const p = prob[k * cells + i];
        const om = cnt[k] * coef[k];
        let op = 0;
        if (om > 0) op = p * om * coef[K + k];
        else if (k !== c && rngF64(rk, base + k) < seedPct) {
          const r = rngF64(rk, base + K + k);
          if (r < p) op = p * (r * mu) * coef[K + k];
        }
        op *= coef[2 * K + c * K + k];
        tp[k] = op;
        sum += op;
      }
      if (!(sum > 0)) continue;
      const target = rngF64(rk, base + 2 * K) * sum;
      let cum = 0, k = 0;
      for (; k < K - 1; k++) {
        cum += tp[k];
        if (cum > target) break;
      }
      if (k === c) continue;
      const pk = prob[k * cells + i];
      const r1 = (rngF64(rk, base + 2 * K + 1) + rngF64(rk, base + 2 * K + 2) + rngF64(rk, base + 2 * K + 3) + rngF64(rk, base + 2 * K + 4)) * 0.5;
      if (!(pk > tau * r1)) continue;
      prop[i] = k;
      f32[0] = pk;
      key[i] = u32[0];
      proposals++;
    }
  }
  return { prop, key, proposals };
}
