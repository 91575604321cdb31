// BP-ANN suitability forward pass (FLUS, seed 004 eq. 1-2; methods.md section 2).
//
// Rule, per cell p with driver values v_d (d = 0..D-1):
//   valid   = no v_d is NaN and no v_d equals the driver's NoData (nodata[d], NaN = none)
//   x_d     = (v_d - min_d) * scale_d            (min-max normalisation, scale_d = 1 / (max_d - min_d))
//   a_h     = b1_h + sum_d W1[h, d] * x_d        (h = 0..H-1, sum in d order)
//   y_h     = 1 / (1 + exp(-a_h))                (sigmoid)
//   z_k     = b2_k + sum_h W2[k, h] * y_h        (k = 0..K-1, sum in h order)
//   sp(p,k) = exp(z_k - max_j z_j) / sum_j exp(z_j - max_j z_j)   (softmax, max-subtracted)
//   invalid cells: sp(p, k) = NaN for every k (the probability rasters' NoData).
// Units: drivers in their own units, probabilities dimensionless in [0, 1], summing to 1.
//
// Memory layout (all float32, laid out by the host, nothing allocated here):
//   x:    D planes, plane d at x + 4 * d * xStride, cell i at element i of its plane
//   norm: min[D] | scale[D] | nodata[D]
//   w:    W1[H*D] (row h = hidden neuron) | b1[H] | W2[K*H] (row k = output) | b2[K]
//   out:  K planes, plane k at out + 4 * k * outStride
//   prep: mlp_prepared_bytes(D, H, K) bytes, 16-byte aligned: the SIMD path's parameters, written
//         once per network by mlp_prepare_simd(D, H, K, norm, w, prep), read-only afterwards
//   scratch: mlp_scratch_bytes(D, H, K) bytes, 16-byte aligned, private to the call.
//
// Two paths:
//   mlp_forward_scalar(x, xStride, n, D, H, K, norm, w, out, outStride, scratch): one cell at a
//     time, f64 arithmetic, Math.exp (f64); matches the TS reference (src/kernels/mlp.ref.ts),
//     which does the same operations in the same order.
//   mlp_forward_simd(x, xStride, n, D, H, K, prep, out, outStride, scratch): float32, 16 cells per
//     step as four f32x4 (cells in lanes). Every lane is computed independently of the others and
//     tail cells (n % 16) go through the same vector code on a zero-padded copy, so every cell's
//     result is bit-identical wherever it falls in a block, a tile or a thread.
//
// SIMD method. mlp_prepare_simd folds constants into the weights once per network (f64 products
// rounded to float32; layout and details above mlp_prepared_bytes):
//   W1'[h,d] = -log2(e) W1[h,d] scale_d    b1'_h = -log2(e) (b1_h - sum over folded d of W1[h,d] scale_d min_d)
//   W2'[k,h] = log2(e) (W2[k,h] - W2[0,h])  b2'_k = log2(e) (b2_k - b2_0) - c   (shifted softmax)
// and per cell computes (4 lanes = 4 cells, every sum in slot/h order):
//   u_h  = b1'_h + sum_d W1'[h,d] x_d     x_d = v_d - min_d, or v_d when min_d is folded (|min_d
//                                          scale_d| <= 1: at most one bit of that term; exact for min 0)
//                                          u_h = -a_h log2 e
//   y_h  = 1 / (1 + 2^u_h)                 u clamped to [-64, 64] (changes y by < 5.5e-20)
//   z'_k = b2'_k + sum_h W2'[k,h] y_h       = (z_k - z_0) log2 e - c, for k >= 1; z'_0 = -c
//   sp(p,k) = 2^z'_k / sum_j 2^z'_j         softmax is invariant to the shift z_0 log2 e + c
// Shift c: every y_h is in [0, 1], so z'_k + c lies in [lo_k, hi_k] = b2'_k + c + (sum of the
// negative | positive W2'[k,.]) (0 for k = 0). When max hi - min lo <= 200 (log2 units; 139 in
// z units) the midpoint c keeps every z'_k in [-100, 100], where 2^z' neither overflows nor
// underflows: no per-cell max, output 0 costs nothing (2^z'_0 = 2^-c, precomputed). Otherwise the
// network is used unshifted (W2' = log2(e) W2, b2' = log2(e) b2, all K outputs) and the per-cell
// max is subtracted as in the rule, 2^max(z'_k - max_j z'_j, -100) (terms below 2^-100 = 7.9e-31
// are raised to it).
// 2^u: n = nearest(u) by the magic number 1.5 * 2^23 + 127 (t = u + magic holds n + 127 in its low
// mantissa bits, so t << 23 are the bits of 2^n), f = u - n in [-0.5, 0.5] (exact), and
// 2^f ~ N / D, N = f^2 + A f + C, D = f^2 - A f + C, a [2/2] rational (minimax for the relative
// error of 2^f, 4.3e-7; A, C tuned in float32: one set for each use):
//   sigmoid: y = D / (D + 2^n N), one division. Max |error| of y vs 1 / (1 + 2^u) in f64 with this
//     float32 operation order, measured over u in [-30, 30] (2^21 evenly spaced float32 points +
//     2^16 in [-1, 1]): 1.81e-7; the test asserts < 2.5e-7.
//   softmax: 2^w = 2^n N / D. Max relative error vs 2^x in f64 over [-126, 126] (2^21 evenly
//     spaced float32 points + 2^16 in [-1, 1]): 5.87e-7; the test asserts < 7e-7.
// NoData: v_d == nodata[d] is tested per driver; NaN drivers are found on the first hidden sum
// u_0 (a NaN v_d makes every product, so u_0, NaN; an infinite v_d that makes u_0 NaN makes the
// rule's a_0 and so its probabilities NaN as well). Invalid lanes are computed and then set to NaN;
// a step whose 16 cells are all invalid skips the work.
// End-to-end, SIMD probabilities are within 1e-5 absolute of the f64 reference (tested; measured
// max 4.5e-7, mean 3.7e-8 on the 12-16-6 benchmark network, 131072 cells).

// @ts-ignore: decorator
@inline const LOG2E: f64 = 1.4426950408889634;
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12583039.0; // 1.5 * 2^23 + 127
// sigmoid: 2^f ~ (f^2 + RA f + RC) / (f^2 - RA f + RC)
// @ts-ignore: decorator
@inline const RA: f32 = 8.677749633789062;
// @ts-ignore: decorator
@inline const RC: f32 = 25.038848876953125;
// softmax: 2^f ~ (f^2 + EA f + EC) / (f^2 - EA f + EC)
// @ts-ignore: decorator
@inline const EA: f32 = 8.677750587463379;
// @ts-ignore: decorator
@inline const EC: f32 = 25.038848876953125;
// @ts-ignore: decorator
@inline const UMAX: f32 = 64.0;
// @ts-ignore: decorator
@inline const WMIN: f32 = -100.0;
// @ts-ignore: decorator
@inline const ZRANGE: f64 = 200.0;

/** 1 / (1 + 2^u) on four lanes (see the header). */
// @ts-ignore: decorator
@inline function sigmoid2(u: v128): v128 {
  // pmin/pmax are plain minps/maxps (wasm's f32x4.min/max carry NaN/-0 fix-ups); NaN stays NaN
  const c = f32x4.pmin(f32x4.pmax(u, f32x4.splat(-UMAX)), f32x4.splat(UMAX));
  const t = f32x4.add(c, f32x4.splat(MAGIC));
  const f = f32x4.sub(c, f32x4.sub(t, f32x4.splat(MAGIC)));
  const s = f32x4.add(f32x4.mul(f, f), f32x4.splat(RC));
  const af = f32x4.mul(f, f32x4.splat(RA));
  const dn = f32x4.sub(s, af);
  // t << 23: the bits of 2^n (n + 127 in t's low bits, the rest shifted out)
  return f32x4.div(dn, f32x4.add(dn, f32x4.mul(f32x4.add(s, af), i32x4.shl(t, 23))));
}

/** 2^w on four lanes, w in [-126, 126] (see the header). */
// @ts-ignore: decorator
@inline function exp2r(w: v128): v128 {
  const t = f32x4.add(w, f32x4.splat(MAGIC));
  const f = f32x4.sub(w, f32x4.sub(t, f32x4.splat(MAGIC)));
  const s = f32x4.add(f32x4.mul(f, f), f32x4.splat(EC));
  const af = f32x4.mul(f, f32x4.splat(EA));
  return f32x4.mul(f32x4.div(f32x4.add(s, af), f32x4.sub(s, af)), i32x4.shl(t, 23));
}

// Prepared parameters (byte offsets from prep; Da = D rounded up to 4, Hp = H rounded up to 2,
// Ka = K rounded up to 4; drivers in "slot" order: the Df drivers whose min is folded into b1'
// first, then the others, each group in input order):
//   0: i32 shifted (1: softmax shift c, no per-cell max) | 4: i32 k0, first output computed (1
//   when shifted: z'_0 = -c for every cell, see below; else 0) | 8: i32 Df | 12: f32 e0 = 2^-c
//   16: plane[Da] (i32, input plane of each slot) | min[Da] | nodata[Da] | W1' in pairs of hidden
//   neurons: pair h/2 holds D x (w[h,slot], w[h+1,slot]) (a padded neuron has zero weights) |
//   b1'[Hp] | W2' rows k0..K-1 in pairs from k0: each pair H x (w[k,h], w[k+1,h]), a last odd row
//   H x w[k,h] | b2'[Ka]
// Folding min: x = v - min is kept per cell unless |min * scale| <= 1 (min within one range of 0,
// e.g. min = 0): then b1'_h absorbs -W1'[h,d] min_d (in f64) and the cell uses v itself; for v in
// [min, max] that at most doubles the magnitude of the term (at most one bit of its precision;
// exact when min = 0).
// Shifted softmax: z'_k is computed relative to output 0, W2'[k,h] = log2(e) (W2[k,h] - W2[0,h]),
// b2'_k = log2(e) (b2_k - b2_0) - c, so z'_0 = -c needs no work and 2^z'_0 = e0.

/** Bytes of the prepared parameters of a D-H-K network. */
export function mlp_prepared_bytes(D: i32, H: i32, K: i32): i32 {
  const Da = (D + 3) & ~3;
  const Hp = (H + 1) & ~1;
  return 16 + 4 * (3 * Da + Hp * D + Hp + K * H + ((K + 3) & ~3));
}

/** Writes the prepared (folded, re-ordered) parameters of norm + w at dst (see the header). */
export function mlp_prepare_simd(D: i32, H: i32, K: i32, norm: usize, w: usize, dst: usize): void {
  const Da = (D + 3) & ~3;
  const Hp = (H + 1) & ~1;
  const pplane = dst + 16;
  const pmn = pplane + (<usize>Da << 2);
  const pnd = pmn + (<usize>Da << 2);
  const pw1 = pnd + (<usize>Da << 2);
  const pb1 = pw1 + (<usize>(Hp * D) << 2);
  const pw2 = pb1 + (<usize>Hp << 2);
  const pb2 = pw2 + (<usize>(K * H) << 2);
  const b1 = w + (<usize>(H * D) << 2);
  const w2 = b1 + (<usize>H << 2);
  const b2 = w2 + (<usize>(K * H) << 2);
  const nscale = norm + (<usize>D << 2);
  const nnd = norm + (<usize>D << 3);
  // slots: folded drivers first
  let Df = 0;
  for (let d = 0; d < D; d++) {
    const mn = <f64>load<f32>(norm + (<usize>d << 2));
    if (Math.abs(mn * <f64>load<f32>(nscale + (<usize>d << 2))) <= 1) Df++;
  }
  let jf = 0;
  let jk = Df;
  for (let d = 0; d < D; d++) {
    const mn = <f64>load<f32>(norm + (<usize>d << 2));
    const j = Math.abs(mn * <f64>load<f32>(nscale + (<usize>d << 2))) <= 1 ? jf++ : jk++;
    store<i32>(pplane + (<usize>j << 2), d);
  }
  for (let j = 0; j < Da; j++) {
    const d = j < D ? load<i32>(pplane + (<usize>j << 2)) : 0;
    store<f32>(pmn + (<usize>j << 2), j < D ? load<f32>(norm + (<usize>d << 2)) : 0);
    store<f32>(pnd + (<usize>j << 2), j < D ? load<f32>(nnd + (<usize>d << 2)) : 0);
    if (j >= D) store<i32>(pplane + (<usize>j << 2), 0);
  }
  for (let h = 0; h < Hp; h++) {
    const h0 = h & ~1;
    let bias = 0.0;
    if (h < H) {
      bias = <f64>load<f32>(b1 + (<usize>h << 2));
      for (let j = 0; j < Df; j++) {
        const d = load<i32>(pplane + (<usize>j << 2));
        bias -= <f64>load<f32>(w + (<usize>(h * D + d) << 2)) * <f64>load<f32>(nscale + (<usize>d << 2)) * <f64>load<f32>(norm + (<usize>d << 2));
      }
    }
    for (let j = 0; j < D; j++) {
      const d = load<i32>(pplane + (<usize>j << 2));
      const v: f64 = h < H ? -LOG2E * (<f64>load<f32>(w + (<usize>(h * D + d) << 2)) * <f64>load<f32>(nscale + (<usize>d << 2))) : 0;
      store<f32>(pw1 + (<usize>(h0 * D + 2 * j + (h - h0)) << 2), <f32>v);
    }
    store<f32>(pb1 + (<usize>h << 2), <f32>(-LOG2E * bias));
  }
  // range of z'_k - z'_0 = log2(e) (z_k - z_0) over y in [0, 1]^H (0 for k = 0)
  let zlo = 0.0;
  let zhi = 0.0;
  for (let k = 1; k < K; k++) {
    let lo = LOG2E * (<f64>load<f32>(b2 + (<usize>k << 2)) - <f64>load<f32>(b2));
    let hi = lo;
    for (let h = 0; h < H; h++) {
      const v = LOG2E * (<f64>load<f32>(w2 + (<usize>(k * H + h) << 2)) - <f64>load<f32>(w2 + (<usize>h << 2)));
      if (v < 0) lo += v;
      else hi += v;
    }
    if (lo < zlo) zlo = lo;
    if (hi > zhi) zhi = hi;
  }
  const shifted = zhi - zlo <= ZRANGE;
  const c = shifted ? 0.5 * (zlo + zhi) : 0.0;
  const k0 = shifted ? 1 : 0;
  store<i32>(dst, shifted ? 1 : 0);
  store<i32>(dst, k0, 4);
  store<i32>(dst, Df, 8);
  store<f32>(dst, <f32>Math.pow(2, -c), 12);
  for (let k = k0; k < K; k++) {
    const kp = k0 + ((k - k0) & ~1);
    const pair = kp + 2 <= K;
    for (let h = 0; h < H; h++) {
      const i = (kp - k0) * H + (pair ? 2 * h + (k - kp) : h);
      let v = <f64>load<f32>(w2 + (<usize>(k * H + h) << 2));
      if (shifted) v -= <f64>load<f32>(w2 + (<usize>h << 2));
      store<f32>(pw2 + (<usize>i << 2), <f32>(LOG2E * v));
    }
  }
  for (let k = 0; k < ((K + 3) & ~3); k++) {
    let v = k < K ? <f64>load<f32>(b2 + (<usize>k << 2)) : 0;
    if (shifted) v -= <f64>load<f32>(b2);
    store<f32>(pb2 + (<usize>k << 2), k < K ? <f32>(LOG2E * v - c) : 0);
  }
}

/** Scratch bytes one call needs (either path): x, y, z of a 16-cell step + the padded tail in/out. */
export function mlp_scratch_bytes(D: i32, H: i32, K: i32): i32 {
  return 64 * (2 * D + ((H + 1) & ~1) + 2 * K);
}

/** Four floats from src (n - i of them, the rest 0), for the test helpers below. */
// @ts-ignore: decorator
@inline function load4(src: usize, i: i32, n: i32): v128 {
  if (i + 4 <= n) return v128.load(src + (<usize>i << 2));
  const a: f32 = load<f32>(src + (<usize>i << 2));
  const b: f32 = i + 1 < n ? load<f32>(src + (<usize>(i + 1) << 2)) : 0;
  const c: f32 = i + 2 < n ? load<f32>(src + (<usize>(i + 2) << 2)) : 0;
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(0), 0, a), 1, b), 2, c);
}

// @ts-ignore: decorator
@inline function store4(dst: usize, i: i32, n: i32, v: v128): void {
  if (i + 4 <= n) {
    v128.store(dst + (<usize>i << 2), v);
    return;
  }
  store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(v, 0));
  if (i + 1 < n) store<f32>(dst + (<usize>(i + 1) << 2), f32x4.extract_lane(v, 1));
  if (i + 2 < n) store<f32>(dst + (<usize>(i + 2) << 2), f32x4.extract_lane(v, 2));
}

/** 2^x over n floats, x in [-126, 126]: the softmax's approximation (for tests of its error bound). */
export function mlp_exp2_simd(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) store4(dst, i, n, exp2r(load4(src, i, n)));
}

/** 1 / (1 + 2^u) over n floats: the hidden layer's sigmoid (for tests of its error bound). */
export function mlp_sigmoid2_simd(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) store4(dst, i, n, sigmoid2(load4(src, i, n)));
}

/** Stores NaN in the 16 cells of every output plane. */
// @ts-ignore: decorator
@inline function storeNaN(ob: usize, os: usize, K: i32): void {
  const nan = f32x4.splat(NaN);
  for (let k = 0; k < K; k++) {
    const o = ob + <usize>k * os;
    v128.store(o, nan);
    v128.store(o, nan, 16);
    v128.store(o, nan, 32);
    v128.store(o, nan, 48);
  }
}

/**
 * 16 cells as four f32x4: drivers at xb (plane stride xs bytes), outputs at ob (stride os bytes).
 * Scratch (64 bytes per row): sx the drivers in slot order, v or v - min (D rows), sy y (Hp rows),
 * sz z' then 2^z' (K rows).
 */
// @ts-ignore: decorator
@inline function block16(
  xb: usize, xs: usize, D: i32, H: i32, K: i32, prep: usize,
  ob: usize, os: usize, sx: usize, sy: usize, sz: usize,
): void {
  const Da = (D + 3) & ~3;
  const Hp = (H + 1) & ~1;
  const pplane = prep + 16;
  const pmn = pplane + (<usize>Da << 2);
  const pnd = pmn + (<usize>Da << 2);
  const pw1 = pnd + (<usize>Da << 2);
  const pb1 = pw1 + (<usize>(Hp * D) << 2);
  const pw2 = pb1 + (<usize>Hp << 2);
  const pb2 = pw2 + (<usize>(K * H) << 2);
  const Df = load<i32>(prep, 8);

  // drivers in slot order into sx: v (folded min) or v - min; NoData test
  let bad0 = i32x4.splat(0);
  let bad1 = bad0;
  let bad2 = bad0;
  let bad3 = bad0;
  for (let j = 0; j < D; j++) {
    const p = xb + <usize>load<i32>(pplane + (<usize>j << 2)) * xs;
    const nd = v128.load32_splat(pnd + (<usize>j << 2));
    const q = sx + (<usize>j << 6);
    let v0 = v128.load(p);
    let v1 = v128.load(p, 16);
    let v2 = v128.load(p, 32);
    let v3 = v128.load(p, 48);
    bad0 = v128.or(bad0, f32x4.eq(v0, nd));
    bad1 = v128.or(bad1, f32x4.eq(v1, nd));
    bad2 = v128.or(bad2, f32x4.eq(v2, nd));
    bad3 = v128.or(bad3, f32x4.eq(v3, nd));
    if (j >= Df) {
      const mn = v128.load32_splat(pmn + (<usize>j << 2));
      v0 = f32x4.sub(v0, mn);
      v1 = f32x4.sub(v1, mn);
      v2 = f32x4.sub(v2, mn);
      v3 = f32x4.sub(v3, mn);
    }
    v128.store(q, v0);
    v128.store(q, v1, 16);
    v128.store(q, v2, 32);
    v128.store(q, v3, 48);
  }
  if (i32x4.all_true(v128.and(v128.and(bad0, bad1), v128.and(bad2, bad3)))) {
    storeNaN(ob, os, K);
    return;
  }

  // hidden layer, two neurons at a time: u = b1' + sum_slots W1'[h,j] x_j, y = 1 / (1 + 2^u)
  const xe = sx + (<usize>D << 6);
  for (let h = 0; h < Hp; h += 2) {
    const bp = pb1 + (<usize>h << 2);
    let a0 = v128.load32_splat(bp);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let c0 = v128.load32_splat(bp, 4);
    let c1 = c0;
    let c2 = c0;
    let c3 = c0;
    let wp = pw1 + (<usize>(h * D) << 2);
    let xp = sx;
    do {
      const x0 = v128.load(xp);
      const x1 = v128.load(xp, 16);
      const x2 = v128.load(xp, 32);
      const x3 = v128.load(xp, 48);
      let wt = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(wt, x0));
      a1 = f32x4.add(a1, f32x4.mul(wt, x1));
      a2 = f32x4.add(a2, f32x4.mul(wt, x2));
      a3 = f32x4.add(a3, f32x4.mul(wt, x3));
      wt = v128.load32_splat(wp, 4);
      c0 = f32x4.add(c0, f32x4.mul(wt, x0));
      c1 = f32x4.add(c1, f32x4.mul(wt, x1));
      c2 = f32x4.add(c2, f32x4.mul(wt, x2));
      c3 = f32x4.add(c3, f32x4.mul(wt, x3));
      wp += 8;
      xp += 64;
    } while (xp < xe);
    if (h == 0) {
      // NaN drivers: a NaN v_d makes every product, so u_0, NaN
      bad0 = v128.or(bad0, f32x4.ne(a0, a0));
      bad1 = v128.or(bad1, f32x4.ne(a1, a1));
      bad2 = v128.or(bad2, f32x4.ne(a2, a2));
      bad3 = v128.or(bad3, f32x4.ne(a3, a3));
      if (i32x4.all_true(v128.and(v128.and(bad0, bad1), v128.and(bad2, bad3)))) {
        storeNaN(ob, os, K);
        return;
      }
    }
    const q = sy + (<usize>h << 6);
    v128.store(q, sigmoid2(a0));
    v128.store(q, sigmoid2(a1), 16);
    v128.store(q, sigmoid2(a2), 32);
    v128.store(q, sigmoid2(a3), 48);
    v128.store(q, sigmoid2(c0), 64);
    v128.store(q, sigmoid2(c1), 80);
    v128.store(q, sigmoid2(c2), 96);
    v128.store(q, sigmoid2(c3), 112);
  }

  // output layer (rows k0..K-1), two outputs at a time: z' = b2' + sum_h W2'[k,h] y_h into sz
  const ye = sy + (<usize>H << 6);
  const k0 = load<i32>(prep, 4);
  let k = k0;
  for (; k + 2 <= K; k += 2) {
    const bp = pb2 + (<usize>k << 2);
    let a0 = v128.load32_splat(bp);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let c0 = v128.load32_splat(bp, 4);
    let c1 = c0;
    let c2 = c0;
    let c3 = c0;
    let wp = pw2 + (<usize>((k - k0) * H) << 2);
    let yp = sy;
    do {
      const y0 = v128.load(yp);
      const y1 = v128.load(yp, 16);
      const y2 = v128.load(yp, 32);
      const y3 = v128.load(yp, 48);
      let wt = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(wt, y0));
      a1 = f32x4.add(a1, f32x4.mul(wt, y1));
      a2 = f32x4.add(a2, f32x4.mul(wt, y2));
      a3 = f32x4.add(a3, f32x4.mul(wt, y3));
      wt = v128.load32_splat(wp, 4);
      c0 = f32x4.add(c0, f32x4.mul(wt, y0));
      c1 = f32x4.add(c1, f32x4.mul(wt, y1));
      c2 = f32x4.add(c2, f32x4.mul(wt, y2));
      c3 = f32x4.add(c3, f32x4.mul(wt, y3));
      wp += 8;
      yp += 64;
    } while (yp < ye);
    const q = sz + (<usize>k << 6);
    v128.store(q, a0);
    v128.store(q, a1, 16);
    v128.store(q, a2, 32);
    v128.store(q, a3, 48);
    v128.store(q, c0, 64);
    v128.store(q, c1, 80);
    v128.store(q, c2, 96);
    v128.store(q, c3, 112);
  }
  if (k < K) {
    let a0 = v128.load32_splat(pb2 + (<usize>k << 2));
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let wp = pw2 + (<usize>((k - k0) * H) << 2);
    let yp = sy;
    do {
      const wt = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(wt, v128.load(yp)));
      a1 = f32x4.add(a1, f32x4.mul(wt, v128.load(yp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(wt, v128.load(yp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(wt, v128.load(yp, 48)));
      wp += 4;
      yp += 64;
    } while (yp < ye);
    const q = sz + (<usize>k << 6);
    v128.store(q, a0);
    v128.store(q, a1, 16);
    v128.store(q, a2, 32);
    v128.store(q, a3, 48);
  }

  // softmax: e_k = 2^z'_k (shifted network; e_0 = 2^-c) or 2^max(z'_k - max_j z'_j, -100),
  // s = sum_k e_k
  const ze = sz + (<usize>K << 6);
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  if (load<i32>(prep) != 0) {
    s0 = v128.load32_splat(prep, 12);
    s1 = s0;
    s2 = s0;
    s3 = s0;
    v128.store(sz, s0);
    v128.store(sz, s0, 16);
    v128.store(sz, s0, 32);
    v128.store(sz, s0, 48);
    let q = sz + 64;
    while (q < ze) {
      const e0 = exp2r(v128.load(q));
      const e1 = exp2r(v128.load(q, 16));
      const e2 = exp2r(v128.load(q, 32));
      const e3 = exp2r(v128.load(q, 48));
      v128.store(q, e0);
      v128.store(q, e1, 16);
      v128.store(q, e2, 32);
      v128.store(q, e3, 48);
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
      s2 = f32x4.add(s2, e2);
      s3 = f32x4.add(s3, e3);
      q += 64;
    }
  } else {
    let m0 = f32x4.splat(-Infinity);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let q = sz;
    do {
      m0 = f32x4.pmax(m0, v128.load(q));
      m1 = f32x4.pmax(m1, v128.load(q, 16));
      m2 = f32x4.pmax(m2, v128.load(q, 32));
      m3 = f32x4.pmax(m3, v128.load(q, 48));
      q += 64;
    } while (q < ze);
    const lo = f32x4.splat(WMIN);
    q = sz;
    do {
      const e0 = exp2r(f32x4.pmax(f32x4.sub(v128.load(q), m0), lo));
      const e1 = exp2r(f32x4.pmax(f32x4.sub(v128.load(q, 16), m1), lo));
      const e2 = exp2r(f32x4.pmax(f32x4.sub(v128.load(q, 32), m2), lo));
      const e3 = exp2r(f32x4.pmax(f32x4.sub(v128.load(q, 48), m3), lo));
      v128.store(q, e0);
      v128.store(q, e1, 16);
      v128.store(q, e2, 32);
      v128.store(q, e3, 48);
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
      s2 = f32x4.add(s2, e2);
      s3 = f32x4.add(s3, e3);
      q += 64;
    } while (q < ze);
  }

  // p_k = e_k / s; NaN in invalid lanes
  if (!v128.any_true(v128.or(v128.or(bad0, bad1), v128.or(bad2, bad3)))) {
    for (let k = 0; k < K; k++) {
      const q = sz + (<usize>k << 6);
      const o = ob + <usize>k * os;
      v128.store(o, f32x4.div(v128.load(q), s0));
      v128.store(o, f32x4.div(v128.load(q, 16), s1), 16);
      v128.store(o, f32x4.div(v128.load(q, 32), s2), 32);
      v128.store(o, f32x4.div(v128.load(q, 48), s3), 48);
    }
  } else {
    const nan = f32x4.splat(NaN);
    for (let k = 0; k < K; k++) {
      const q = sz + (<usize>k << 6);
      const o = ob + <usize>k * os;
      v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q), s0), bad0));
      v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q, 16), s1), bad1), 16);
      v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q, 32), s2), bad2), 32);
      v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q, 48), s3), bad3), 48);
    }
  }
}

/** SIMD forward pass over cells [0, n) with the prepared parameters at prep (see the header). */
export function mlp_forward_simd(
  x: usize, xStride: i32, n: i32, D: i32, H: i32, K: i32,
  prep: usize, out: usize, outStride: i32, scratch: usize,
): void {
  const xs = <usize>xStride << 2;
  const os = <usize>outStride << 2;
  const sx = scratch;
  const sy = sx + (<usize>D << 6);
  const sz = sy + (<usize>((H + 1) & ~1) << 6);
  const tin = sz + (<usize>K << 6);
  const tout = tin + (<usize>D << 6);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const off = <usize>i << 2;
    block16(x + off, xs, D, H, K, prep, out + off, os, sx, sy, sz);
  }
  const r = n - i;
  if (r > 0) {
    // padded copy of the tail (stride 64 bytes, zeros after the r cells), same vector code, r lanes back
    const off = <usize>i << 2;
    for (let d = 0; d < D; d++) {
      const src = x + off + <usize>d * xs;
      const dst = tin + (<usize>d << 6);
      for (let j = 0; j < 16; j++) store<f32>(dst + (<usize>j << 2), j < r ? load<f32>(src + (<usize>j << 2)) : 0);
    }
    block16(tin, 64, D, H, K, prep, tout, 64, sx, sy, sz);
    for (let k = 0; k < K; k++) {
      const src = tout + (<usize>k << 6);
      const dst = out + off + <usize>k * os;
      for (let j = 0; j < r; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    }
  }
}

/** Scalar forward pass over cells [0, n): f64 arithmetic and Math.exp, one cell at a time. */
export function mlp_forward_scalar(
  x: usize, xStride: i32, n: i32, D: i32, H: i32, K: i32,
  norm: usize, w: usize, out: usize, outStride: i32, scratch: usize,
): void {
  const xs = <usize>xStride << 2;
  const os = <usize>outStride << 2;
  const nscale = norm + (<usize>D << 2);
  const nnd = norm + (<usize>D << 3);
  const b1 = w + (<usize>(H * D) << 2);
  const w2 = b1 + (<usize>H << 2);
  const b2 = w2 + (<usize>(K * H) << 2);
  const sx = scratch; // f64[D]
  const sh = sx + (<usize>D << 3); // f64[H]
  const sz = sh + (<usize>H << 3); // f64[K]
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    let valid = true;
    for (let d = 0; d < D; d++) {
      const v = load<f32>(x + off + <usize>d * xs);
      const nd = load<f32>(nnd + (<usize>d << 2));
      if (v != v || v == nd) {
        valid = false;
        break;
      }
      store<f64>(sx + (<usize>d << 3), (<f64>v - <f64>load<f32>(norm + (<usize>d << 2))) * <f64>load<f32>(nscale + (<usize>d << 2)));
    }
    if (!valid) {
      for (let k = 0; k < K; k++) store<f32>(out + off + <usize>k * os, NaN);
      continue;
    }
    for (let h = 0; h < H; h++) {
      const row = w + (<usize>(h * D) << 2);
      let acc = <f64>load<f32>(b1 + (<usize>h << 2));
      for (let d = 0; d < D; d++) acc += <f64>load<f32>(row + (<usize>d << 2)) * load<f64>(sx + (<usize>d << 3));
      store<f64>(sh + (<usize>h << 3), 1.0 / (1.0 + Math.exp(-acc)));
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      const row = w2 + (<usize>(k * H) << 2);
      let acc = <f64>load<f32>(b2 + (<usize>k << 2));
      for (let h = 0; h < H; h++) acc += <f64>load<f32>(row + (<usize>h << 2)) * load<f64>(sh + (<usize>h << 3));
      store<f64>(sz + (<usize>k << 3), acc);
      if (acc > m) m = acc;
    }
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(load<f64>(sz + (<usize>k << 3)) - m);
      store<f64>(sz + (<usize>k << 3), e);
      s += e;
    }
    for (let k = 0; k < K; k++) store<f32>(out + off + <usize>k * os, <f32>(load<f64>(sz + (<usize>k << 3)) / s));
  }
}
