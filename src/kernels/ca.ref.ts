/**
 * Plain TypeScript reference of assembly/ca.ts (one synchronous FLUS iteration): same rule, same
 * arithmetic order, same random numbers (src/kernels/rng.ref.ts), so its output is identical to
 * the WASM kernel's — class proposals, priority keys and candidate counts bit for bit.
 *
 * Rule (seed 004 eq. 4-5, methods.md section 3), per valid unrestricted cell i of class c:
 *   cnt_k = class-k cells in the N x N window (centre, NoData 255 and out-of-raster not counted)
 *   TP_k  = f64(sp[k][i]) * cnt_k * coef[c*K + k]    (coef from caCoef: w_k/(N*N-1) * allowed * inertia)
 *   S = sum_k TP_k; if S > 0: target = rngF64(seed, iteration, i) * S, proposed = first k whose
 *   cumulative sum exceeds target; else keep c. When the proposal k differs from c, key[i] = the
 *   float32 bits of sp[k][i] / sp[c][i] (f64 division; +Infinity when sp[c][i] = 0): the relative
 *   suitability the host ranks candidates by (descending; see enforceDemand in src/models/flus.ts).
 */
import { RngKey, rngF64 } from './rng.ref.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export const NODATA_CLASS = 255;

export interface CaStepInput {
  width: number;
  height: number;
  /** Number of classes K (1..254). */
  classes: number;
  /** Window size N (odd, 3..11). */
  n: number;
  /** Current class indices (0..K-1, 255 = NoData), width*height. */
  cur: Uint8Array;
  /** K planes of width*height (plane k = class k): float32, or uint16 q = round(p * 65535) (q is the value used). */
  sp: Float32Array | Uint16Array;
  /** Nonzero = restricted (never changes); null = none. */
  restricted: Uint8Array | null;
  /** K*K, row = current class, from caCoef. */
  coef: Float64Array;
  seed: number;
  iteration: number;
}

/**
 * coef[c*K + k] = (w_k / (N*N - 1)) * allowed[c*K + k] * (k == c ? inertia_k : 1), in that order.
 * allowed: K*K, rows = current class, columns = future class (0/1 or 1 - cost).
 */
export function caCoef(classes: number, n: number, weights: ArrayLike<number>, inertia: ArrayLike<number>, allowed: ArrayLike<number>): Float64Array {
  const K = classes;
  const c = new Float64Array(K * K);
  const denom = n * n - 1;
  for (let from = 0; from < K; from++) {
    for (let k = 0; k < K; k++) {
      let v = (weights[k] / denom) * allowed[from * K + k];
      if (k === from) v = v * inertia[k];
      c[from * K + k] = v;
    }
  }
  return c;
}

/**
 * One iteration over rows [row0, row1) into prop/key (same semantics as ca_step). Returns the
 * number of proposed conversions.
 */
export function caStepRef(inp: CaStepInput, prop: Uint8Array, key: Uint32Array, row0 = 0, row1 = inp.height): number {
  const { width: W, height: H, classes: K, n: N, cur, sp, restricted, coef } = inp;
  const h = (N - 1) >> 1;
  const plane = W * H;
  const kDraw = new RngKey(inp.seed, inp.iteration);
  const cnt = new Int32Array(K);
  const cum = new Float64Array(K);
  let changes = 0;
  for (let y = row0; y < row1; y++) {
    const ya = Math.max(0, y - h), yb = Math.min(H - 1, y + h);
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const c = cur[i];
      if (c === NODATA_CLASS) {
        prop[i] = NODATA_CLASS;
        continue;
      }
      if (restricted && restricted[i] !== 0) {
        prop[i] = c;
        continue;
      }
      cnt.fill(0);
      const xa = Math.max(0, x - h), xb = Math.min(W - 1, x + h);
      for (let yy = ya; yy <= yb; yy++) {
        for (let xx = xa; xx <= xb; xx++) {
          if (yy === y && xx === x) continue;
          const v = cur[yy * W + xx];
          if (v < K) cnt[v]++;
        }
      }
      let s = 0;
      for (let k = 0; k < K; k++) {
        const tp = sp[k * plane + i] * cnt[k] * coef[c * K + k];
        s += tp;
        cum[k] = s;
      }
      let chosen = c;
      if (s > 0) {
        const target = rngF64(kDraw, i) * s;
        let j = 0;
        for (let k = 0; k < K; k++) if (cum[k] <= target) j++;
        chosen = Math.min(j, K - 1);
      }
      prop[i] = chosen;
      if (chosen !== c) {
        f32[0] = sp[chosen * plane + i] / sp[c * plane + i];
        key[i] = u32[0];
        changes++;
      }
    }
  }
  return changes;
}
