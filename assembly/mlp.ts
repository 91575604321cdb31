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
//   scratch: mlp_scratch_bytes(D, H, K) bytes, 16-byte aligned, private to the call.
//
// Two paths:
//   mlp_forward_scalar: one cell at a time, f64 arithmetic, Math.exp (f64); matches the TS
//     reference (src/kernels/mlp.ref.ts), which does the same operations in the same order.
//   mlp_forward_simd: eight cells per step as two f32x4, f32 arithmetic, exp by a polynomial
//     (expv below). Tail cells (n % 8) go through the same vector code on a padded copy, so every cell's
//     result is bit-identical wherever it falls in a block, a tile or a thread.
//
// expv (f32x4): x clamped to [-87, 88]; n = nearest(x * log2 e) (by the 1.5 * 2^23 magic number); r = x - n*C1 - n*C2 (Cody-Waite,
// C1 + C2 = ln 2, C1 exact in 9 bits); exp(r) ~ 1 + r + r^2 * P(r), P of degree 5 with the
// minimax coefficients of Cephes expf (S. L. Moshier, Cephes Math Library, expf.c);
// result = p * 2^n built from the exponent bits. Max relative error vs Math.exp (f64) over
// [-87, 88], measured on 2^21 evenly spaced float32 inputs: 8.1e-8 (about 0.7 float32 ulp);
// the test asserts < 2e-7 (test/kernels/mlp.test.ts). Clamping changes exp only where it is
// below 1.7e-38 (softmax terms that small are 0 to within 1e-37) or above 1.6e38 (a sigmoid
// of a < -88 gives 6e-39 instead of a smaller positive number). End-to-end, SIMD probabilities
// are within 1e-5 absolute of the f64 reference (tested; typically ~3e-7).

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const C1: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const C2: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const P0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline const P1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline const P2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline const P3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline const P4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline const P5: f32 = 5.0000001201e-1;
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0; // 1.5 * 2^23
// @ts-ignore: decorator
@inline const MAGIC_BITS: i32 = 0x4B400000;
// @ts-ignore: decorator
@inline const XMIN: f32 = -87.0;
// @ts-ignore: decorator
@inline const XMAX: f32 = 88.0;

/** exp on four f32 lanes (see the header for the method and its error bound). */
// @ts-ignore: decorator
@inline function expv(x: v128): v128 {
  // pmin/pmax are plain minps/maxps (wasm's f32x4.min/max carry NaN/-0 fix-ups V8 must emit);
  // lanes here are finite except in invalid cells, whose results are masked to NaN later
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(XMIN)), f32x4.splat(XMAX));
  // n = round-half-even(x * log2 e) by the 1.5 * 2^23 magic number: t's low mantissa bits hold
  // n, so 2^n's exponent bits come from t's bits with integer ops (no trunc_sat conversion)
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(C1)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(C2)));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  // 2^n: n in [-126, 127] after the clamp, so (n + 127) << 23 is a normal float's bits;
  // bits(t) = MAGIC_BITS + n
  const e = i32x4.shl(i32x4.add(i32x4.sub(t, i32x4.splat(MAGIC_BITS)), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

/** Scratch bytes one call needs: x, hidden, z (8-cell SIMD blocks) + padded tail in/out. */
export function mlp_scratch_bytes(D: i32, H: i32, K: i32): i32 {
  return 32 * (2 * D + H + 2 * K);
}

/** Vector exp over n floats (n any; tail padded): the tested approximation, for tests. */
export function mlp_exp_simd(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dst + (<usize>i << 2), expv(v128.load(src + (<usize>i << 2))));
  }
  if (i < n) {
    // tail: zero-padded lanes through the same vector code
    const a: f32 = load<f32>(src + (<usize>i << 2));
    const b: f32 = i + 1 < n ? load<f32>(src + (<usize>(i + 1) << 2)) : 0;
    const c: f32 = i + 2 < n ? load<f32>(src + (<usize>(i + 2) << 2)) : 0;
    const t = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(0), 0, a), 1, b), 2, c);
    const e = expv(t);
    store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(e, 0));
    if (i + 1 < n) store<f32>(dst + (<usize>(i + 1) << 2), f32x4.extract_lane(e, 1));
    if (i + 2 < n) store<f32>(dst + (<usize>(i + 2) << 2), f32x4.extract_lane(e, 2));
  }
}

/**
 * Eight cells as two f32x4 (two independent dependency chains share each weight splat):
 * x at xb (plane stride xs bytes), out at ob (plane stride os bytes).
 * sx, sh, sz: scratch for normalised inputs (D x 2 vectors), hidden (H x 2), logits/exps (K x 2).
 */
// @ts-ignore: decorator
@inline function block8(
  xb: usize, xs: usize, D: i32, H: i32, K: i32,
  norm: usize, w: usize, ob: usize, os: usize,
  sx: usize, sh: usize, sz: usize,
): void {
  let bad0 = i32x4.splat(0);
  let bad1 = i32x4.splat(0);
  const nscale = norm + (<usize>D << 2);
  const nnd = norm + (<usize>D << 3);
  for (let d = 0; d < D; d++) {
    const off = <usize>d << 2;
    const p = xb + <usize>d * xs;
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const nd = v128.load32_splat(nnd + off);
    const mn = v128.load32_splat(norm + off);
    const sc = v128.load32_splat(nscale + off);
    bad0 = v128.or(bad0, v128.or(f32x4.ne(v0, v0), f32x4.eq(v0, nd)));
    bad1 = v128.or(bad1, v128.or(f32x4.ne(v1, v1), f32x4.eq(v1, nd)));
    const q = sx + (<usize>d << 5);
    v128.store(q, f32x4.mul(f32x4.sub(v0, mn), sc));
    v128.store(q, f32x4.mul(f32x4.sub(v1, mn), sc), 16);
  }
  const nan = f32x4.splat(NaN);
  if (i32x4.all_true(v128.and(bad0, bad1))) {
    for (let k = 0; k < K; k++) {
      v128.store(ob + <usize>k * os, nan);
      v128.store(ob + <usize>k * os, nan, 16);
    }
    return;
  }
  const b1 = w + (<usize>(H * D) << 2);
  const w2 = b1 + (<usize>H << 2);
  const b2 = w2 + (<usize>(K * H) << 2);
  const one = f32x4.splat(1.0);
  for (let h = 0; h < H; h++) {
    let acc0 = v128.load32_splat(b1 + (<usize>h << 2));
    let acc1 = acc0;
    const row = w + (<usize>(h * D) << 2);
    for (let d = 0; d < D; d++) {
      const wt = v128.load32_splat(row + (<usize>d << 2));
      const q = sx + (<usize>d << 5);
      acc0 = f32x4.add(acc0, f32x4.mul(wt, v128.load(q)));
      acc1 = f32x4.add(acc1, f32x4.mul(wt, v128.load(q, 16)));
    }
    const q = sh + (<usize>h << 5);
    v128.store(q, f32x4.div(one, f32x4.add(one, expv(f32x4.neg(acc0)))));
    v128.store(q, f32x4.div(one, f32x4.add(one, expv(f32x4.neg(acc1)))), 16);
  }
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0;
  for (let k = 0; k < K; k++) {
    let acc0 = v128.load32_splat(b2 + (<usize>k << 2));
    let acc1 = acc0;
    const row = w2 + (<usize>(k * H) << 2);
    for (let h = 0; h < H; h++) {
      const wt = v128.load32_splat(row + (<usize>h << 2));
      const q = sh + (<usize>h << 5);
      acc0 = f32x4.add(acc0, f32x4.mul(wt, v128.load(q)));
      acc1 = f32x4.add(acc1, f32x4.mul(wt, v128.load(q, 16)));
    }
    const q = sz + (<usize>k << 5);
    v128.store(q, acc0);
    v128.store(q, acc1, 16);
    m0 = f32x4.pmax(m0, acc0);
    m1 = f32x4.pmax(m1, acc1);
  }
  let s0 = f32x4.splat(0);
  let s1 = s0;
  for (let k = 0; k < K; k++) {
    const q = sz + (<usize>k << 5);
    const e0 = expv(f32x4.sub(v128.load(q), m0));
    const e1 = expv(f32x4.sub(v128.load(q, 16), m1));
    v128.store(q, e0);
    v128.store(q, e1, 16);
    s0 = f32x4.add(s0, e0);
    s1 = f32x4.add(s1, e1);
  }
  for (let k = 0; k < K; k++) {
    const q = sz + (<usize>k << 5);
    const o = ob + <usize>k * os;
    v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q), s0), bad0));
    v128.store(o, v128.bitselect(nan, f32x4.div(v128.load(q, 16), s1), bad1), 16);
  }
}

/** SIMD forward pass over cells [0, n) (see the header for the layout). */
export function mlp_forward_simd(
  x: usize, xStride: i32, n: i32, D: i32, H: i32, K: i32,
  norm: usize, w: usize, out: usize, outStride: i32, scratch: usize,
): void {
  const xs = <usize>xStride << 2;
  const os = <usize>outStride << 2;
  const sx = scratch;
  const sh = sx + (<usize>D << 5);
  const sz = sh + (<usize>H << 5);
  const tin = sz + (<usize>K << 5);
  const tout = tin + (<usize>D << 5);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    block8(x + off, xs, D, H, K, norm, w, out + off, os, sx, sh, sz);
  }
  const r = n - i;
  if (r > 0) {
    // padded copy of the tail (stride 32 bytes), same vector code, copy back r lanes
    const off = <usize>i << 2;
    for (let d = 0; d < D; d++) {
      const src = x + off + <usize>d * xs;
      const dst = tin + (<usize>d << 5);
      v128.store(dst, f32x4.splat(0));
      v128.store(dst, f32x4.splat(0), 16);
      for (let j = 0; j < r; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    }
    block8(tin, 32, D, H, K, norm, w, tout, 32, sx, sh, sz);
    for (let k = 0; k < K; k++) {
      const src = tout + (<usize>k << 5);
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
