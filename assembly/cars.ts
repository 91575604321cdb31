// PLUS CARS iteration (Liang et al. 2021, eq. for OP and the decreasing threshold; methods.md
// section 4): one synchronous proposal per cell from the previous map. Rule and choices are in
// src/kernels/cars.ref.ts (the TypeScript reference, same operations and bits); in short, per
// valid unrestricted cell i of class c, for every class k:
//   Omega_k = n_k * wn_k            (n_k: cells of class k in the N x N window, centre excluded,
//                                    NoData / outside not counted; wn_k = w_k / (N*N - 1))
//   OP_k = P_k * Omega_k * D_k                               if Omega_k > 0
//        = P_k * (r_k * mu) * D_k   if k != c, s_k < seedPct and r_k < P_k   (random patch seed)
//        = 0                                                   otherwise
//   OP_k *= allowed[c, k];  roulette over OP with u; the winner k != c is proposed only when
//   P_k > tau * r1 (decreasing threshold; r1 = (a + b + c + d) / 2 of four uniforms: mean 1,
//   range [0, 2]); then prop = k and key = float32 bits of P_k, else prop = c.
// Random numbers: rngF64(rngKey(seed, stream), i * (2K + 5) + j): j = k (s_k), K + k (r_k),
// 2K (u), 2K + 1 .. 2K + 4 (r1).
// Memory (host-laid, nothing allocated here): cur u8 (255 = NoData), P: K f32 planes of `cells`,
// restricted u8 or 0, coef f64: wn[K] | D[K] | allowed[K*K] | seedPct | mu | tau, prop u8,
// key u32, scratch: cars_scratch_bytes(W, K).
import { rngF64, rngKey } from './rng';

export function cars_scratch_bytes(W: i32, K: i32): i32 {
  return ((K * W * 4 + 15) & ~15) + ((K * 8 + 15) & ~15) * 2 + 64;
}

export function cars_step(
  cur: usize, P: usize, cells: i32, restricted: usize, coef: usize,
  K: i32, W: i32, H: i32, N: i32, row0: i32, row1: i32,
  seed: u64, stream: u64, prop: usize, key: usize, scratch: usize,
): i32 {
  const h = (N - 1) >> 1;
  const col = (scratch + 15) & ~(<usize>15); // K x W i32 column counts over rows y-h..y+h
  const cnt = (col + <usize>(K * W * 4) + 15) & ~(<usize>15); // K i32 window counts
  const tp = (cnt + <usize>(K * 8) + 15) & ~(<usize>15); // K f64
  const rk = rngKey(seed, stream);
  const wn = coef, Dk = coef + (<usize>K << 3), al = coef + (<usize>(2 * K) << 3);
  const par = coef + (<usize>(2 * K + K * K) << 3);
  const seedPct = load<f64>(par), mu = load<f64>(par, 8), tau = load<f64>(par, 16);
  const stride = <u64>(2 * K + 5);
  let proposals = 0;
  // column counts for the first row's window
  memory.fill(col, 0, <usize>(K * W * 4));
  const ya = max(0, row0 - h), yb = min(H - 1, row0 + h);
  for (let y = ya; y <= yb; y++) {
    for (let x = 0; x < W; x++) {
      const v = <i32>load<u8>(cur + <usize>y * <usize>W + <usize>x);
      if (v < K) {
        const p = col + ((<usize>v * <usize>W + <usize>x) << 2);
        store<i32>(p, load<i32>(p) + 1);
      }
    }
  }
  for (let y = row0; y < row1; y++) {
    if (y > row0) {
      // slide the window down one row: drop row y-h-1, add row y+h
      const yo = y - h - 1, yn = y + h;
      if (yo >= 0) {
        for (let x = 0; x < W; x++) {
          const v = <i32>load<u8>(cur + <usize>yo * <usize>W + <usize>x);
          if (v < K) {
            const p = col + ((<usize>v * <usize>W + <usize>x) << 2);
            store<i32>(p, load<i32>(p) - 1);
          }
        }
      }
      if (yn < H) {
        for (let x = 0; x < W; x++) {
          const v = <i32>load<u8>(cur + <usize>yn * <usize>W + <usize>x);
          if (v < K) {
            const p = col + ((<usize>v * <usize>W + <usize>x) << 2);
            store<i32>(p, load<i32>(p) + 1);
          }
        }
      }
    }
    // window sums along the row
    for (let k = 0; k < K; k++) {
      let s = 0;
      const ck = col + ((<usize>k * <usize>W) << 2);
      for (let x = 0; x < min(h, W); x++) s += load<i32>(ck + (<usize>x << 2));
      store<i32>(cnt + (<usize>k << 2), s); // holds the sum over columns [0, h) before x = 0
    }
    for (let x = 0; x < W; x++) {
      const i = <usize>y * <usize>W + <usize>x;
      // update window sums to columns [x-h, x+h]
      for (let k = 0; k < K; k++) {
        const ck = col + ((<usize>k * <usize>W) << 2);
        let s = load<i32>(cnt + (<usize>k << 2));
        if (x + h < W) s += load<i32>(ck + (<usize>(x + h) << 2));
        if (x - h - 1 >= 0) s -= load<i32>(ck + (<usize>(x - h - 1) << 2));
        store<i32>(cnt + (<usize>k << 2), s);
      }
      const c = <i32>load<u8>(cur + i);
      store<u8>(prop + i, <u8>c);
      if (c >= K) continue;
      if (restricted != 0 && load<u8>(restricted + i) != 0) continue;
      const base = <u64>i * stride;
      let sum: f64 = 0;
      for (let k = 0; k < K; k++) {
        let n = load<i32>(cnt + (<usize>k << 2));
        if (k == c) n -= 1; // centre excluded
        const p = <f64>load<f32>(P + ((<usize>k * <usize>cells + i) << 2));
        const om = <f64>n * load<f64>(wn + (<usize>k << 3));
        let op: f64 = 0;
        if (om > 0) {
          op = p * om * load<f64>(Dk + (<usize>k << 3));
        } else if (k != c && rngF64(rk, base + <u64>k) < seedPct) {
          const r = rngF64(rk, base + <u64>(K + k));
          if (r < p) op = p * (r * mu) * load<f64>(Dk + (<usize>k << 3));
        }
        op *= load<f64>(al + (<usize>(c * K + k) << 3));
        store<f64>(tp + (<usize>k << 3), op);
        sum += op;
      }
      if (!(sum > 0)) continue;
      const target = rngF64(rk, base + <u64>(2 * K)) * sum;
      let cum: f64 = 0;
      let k = 0;
      for (; k < K - 1; k++) {
        cum += load<f64>(tp + (<usize>k << 3));
        if (cum > target) break;
      }
      if (k == c) continue;
      const pk = load<f32>(P + ((<usize>k * <usize>cells + i) << 2));
      const r1 = (rngF64(rk, base + <u64>(2 * K + 1)) + rngF64(rk, base + <u64>(2 * K + 2)) + rngF64(rk, base + <u64>(2 * K + 3)) + rngF64(rk, base + <u64>(2 * K + 4))) * 0.5;
      if (!(<f64>pk > tau * r1)) continue;
      store<u8>(prop + i, <u8>k);
      store<u32>(key + (i << 2), reinterpret<u32>(pk));
      proposals++;
    }
  }
  return proposals;
}
