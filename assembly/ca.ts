// FLUS cellular automaton: one synchronous iteration over rows [row0, row1) (seed 004 eq. 4-5;
// Liu et al. 2017; methods.md section 3). Units: class indices 0..K-1 (255 = NoData), cell counts,
// dimensionless probabilities.
//
// Per valid, unrestricted cell p of current class c (index i = y * W + x, global):
//   cnt_k   = number of cells of class k in the N x N Moore window around p, centre excluded,
//             cells outside the raster and NoData (255) not counted (exact integers, <= 120);
//   TP_k    = (f64(sp[k][i]) * f64(cnt_k)) * coef[c * K + k]
//             where the host sets coef[c*K+k] = w_k / (N*N - 1) * allowed(c -> k) * (k == c ? Inertia_k : 1)
//             (so TP_k = sp * Omega_{p,k} * Inertia * (1 - sc_{c->k}));
//   S       = TP_0 + TP_1 + ... + TP_{K-1} (this order, left to right: cum_k = cum_{k-1} + TP_k);
//   roulette: if S > 0, u = rngF64(rngKey(seed, iteration), i); target = u * S; the proposed class
//             is the first k whose cumulative sum TP_0 + .. + TP_k exceeds target (branch-free:
//             the number of k < K with cum_k <= target, at most K - 1); if S == 0 (or not > 0)
//             the cell keeps c.
//   output:   prop[i] = proposed class k; when k differs from c, key[i] = the float32 bits of
//             sp[k][i] / sp[c][i] (f64 division rounded to float32): the relative suitability of the
//             proposed class over the current one, which the host ranks candidate conversions by
//             (descending, ties broken by a seeded permutation of cell indices; see enforceDemand
//             in src/models/flus.ts). sp[k][i] > 0 for a proposal (TP_k > 0); sp[c][i] == 0 gives
//             +Infinity (0x7f800000). Non-negative floats order like their bits. key[i] is left
//             untouched when the cell keeps its class.
// NoData cells get prop = 255; restricted cells (restr[i] != 0, restr pointer 0 = none) keep c.
// Nothing is updated during the sweep (synchronous update): the map read is the previous map.
// Returns the number of proposed conversions in the row range.
// Every operation above is IEEE-754 f64 with round-to-nearest in the stated order (no FMA, no
// reassociation), exactly as src/kernels/ca.ref.ts computes it, so outputs are bit-identical to the
// reference for any strip height and thread count. (f32 * small integer is exact in f64, so
// sp * cnt has no rounding; the one rounding per TP_k is the product with coef. cum_0 is TP_0
// where the reference computes 0 + TP_0: they can differ only in the sign of a zero, which no
// comparison sees.)
//
// Halo: the rows [row0 - h, row1 + h) with h = (N - 1) / 2 are read; in one memory the whole map
// lives in shared memory, so tiles read their neighbours directly; across memories (block groups)
// the host copies the halo rows in (see ca_step on addresses). The host must leave 16 readable bytes after
// the map and after the restricted mask (SIMD loads of the last row's tail).
//
// Per output row:
//  1. counts: vertical sums of (map == k) over the N rows into col_k[h + x] (i8x16: compare,
//     subtract -1 masks; for N = 3 the three rows are loaded once per 16-cell block for all
//     classes, rows outside the raster read a row of NoData), zero padding of h columns on each
//     side, then per 16-cell block the horizontal window sums of N shifted loads minus the
//     centre (map[y][x] == k), stored block-major: cnt[(x / 16) * K * 16 + k * 16 + x % 16] (one
//     cell's K counts sit at fixed offsets from one address). The same pass marks the cells that
//     need the rule ("active" bit per cell, a u16 per block): valid (class < K), unrestricted,
//     and with at least one counted neighbour of another class than its own. An inactive valid
//     cell keeps c, as the rule gives for finite sp and coef: every counted neighbour has class
//     c, so TP_k = 0 for k != c, cum_k = 0 for k < c and cum_k = S for k >= c, and the roulette
//     keeps c whatever the draw (target = u * S < S for u <= 1 - 2^-53), so neither TP nor the
//     draw is computed. The scalar path computes the same integers one byte at a time.
//  2. rule (SIMD path, K <= 8; the code is specialised per K: constant K after inlining, TP sums
//     unrolled, no per-class branches): prop = map for each block (one v128 copy: inactive
//     cells keep their value, NoData included); a block whose 16 cells are all active is done
//     as 4 quads (quadK: two f64x2 lane pairs in lockstep); the other active cells of the row
//     go to a list that is done in pairs of any two cells (pairG: gathered loads; an odd last
//     cell is paired with itself). One lane per cell: TP, cumulative sums, target, the K
//     comparisons and S > 0 are lane-wise, the same IEEE operations in the same order as the
//     scalar rule (the comparison counts are integers, summed in any order). coef rows for a
//     pair of classes come from a table coefPair[(cA * K + cB) * K + k] = (coef[cA][k],
//     coef[cB][k]) each task builds in scratch.
//  3. keys (SIMD path): per block, the cells with prop != map (the proposed conversions, also
//     counted here), two per f64x2 division.
// The scalar path (simd == 0) does the rule cell by cell (cellK, key at once); K > 8 takes a
// generic scalar rule with a loop over classes (sweepGeneric), SIMD or scalar counts.
//
// scratch (host-owned, per task, 16-aligned; caScratchBytes in src/kernels/ca.ts):
//   col  K * CS bytes, CS = roundUp16(W + 2h + 32)
//   cnt  K * Wp bytes, Wp = W rounded up to 16
//   act  roundUp16(Wp / 8) bytes (u16 per block)
//   pair K^3 * 16 bytes when K <= 8 (else 0)
//   cum  K * 8 bytes (generic rule), rounded up to 16
//   ndr  roundUp16(W + 16) bytes of 255 (the NoData row above/below the raster, N = 3 counts)
//   list roundUp16(4 * (W + 2)) bytes (u32 columns of a row's listed active cells, K <= 8)

import { rngKey, mix64, GOLDEN } from './rng';

/** rngF64 of assembly/rng.ts for index i given z = key + i * G: (mix64(z) >> 11) * 2^-53 (signed conversion: same value, < 2^53). */
// @ts-ignore: decorator
@inline function u01(z: u64): f64 {
  return <f64><i64>(mix64(z) >> 11) * 1.1102230246251565e-16;
}

// @ts-ignore: decorator
@inline function roundUp16(n: i32): i32 {
  return (n + 15) & ~15;
}

// ---------------------------------------------------------------------------------------------
// pass 1: counts (centre excluded, block-major) and active bits

/** Vertical sums of (map == k) over rows [ya, yb] into col_k[h + x], zero padding on both sides. */
function verticalSimd(cur: usize, W: i32, K: i32, h: i32, ya: i32, yb: i32, col: usize, cs: i32): void {
  for (let k = 0; k < K; k++) {
    const kv = i8x16.splat(<i8>k);
    const ck = col + <usize>(k * cs);
    for (let x = 0; x < W; x += 16) {
      let acc = i8x16.splat(0);
      for (let yy = ya; yy <= yb; yy++) {
        const v = v128.load(cur + <usize>yy * <usize>W + <usize>x);
        acc = i8x16.sub(acc, i8x16.eq(v, kv));
      }
      v128.store(ck + <usize>(h + x), acc);
    }
    // right padding (the SIMD tail wrote bytes past W)
    for (let x = W + h; x < W + 2 * h + 16; x++) store<u8>(ck + <usize>x, 0);
  }
}

function countsRowSimd(
  cur: usize, restr: usize, W: i32, H: i32, K: i32, h: i32, y: i32,
  col: usize, cs: i32, cnt: usize, act: usize,
): void {
  verticalSimd(cur, W, K, h, max(0, y - h), min(H - 1, y + h), col, cs);
  const n = 2 * h + 1;
  const K16 = <usize>(K << 4);
  const row = cur + <usize>y * <usize>W;
  const rrow = restr != 0 ? restr + <usize>y * <usize>W : 0;
  const kMax = i8x16.splat(<i8>K);
  const zero = i8x16.splat(0);
  let dst = cnt;
  for (let x = 0; x < W; x += 16) {
    const cv = v128.load(row + <usize>x);
    let tot = zero;
    let own = zero;
    let ck = col + <usize>x;
    let kv = zero;
    let d = dst;
    for (let k = 0; k < K; k++) {
      let s = v128.load(ck);
      for (let j = 1; j < n; j++) s = i8x16.add(s, v128.load(ck + <usize>j));
      const eq = i8x16.eq(cv, kv);
      const ex = i8x16.add(s, eq); // eq = -1 where the centre has class k
      v128.store(d, ex);
      tot = i8x16.add(tot, ex);
      own = i8x16.add(own, v128.and(ex, eq));
      ck += <usize>cs;
      kv = i8x16.add(kv, i8x16.splat(1));
      d += 16;
    }
    // active: valid (< K, unsigned), some neighbour of another class, unrestricted
    let a = v128.andnot(i8x16.lt_u(cv, kMax), i8x16.eq(tot, own));
    if (rrow != 0) a = v128.and(a, i8x16.eq(v128.load(rrow + <usize>x), zero));
    store<u16>(act + <usize>(x >> 3), <u16>i8x16.bitmask(a));
    dst += K16;
  }
}

/**
 * countsRowSimd for N = 3 with K a constant after inlining: the three rows are loaded once per
 * block for all classes; rows outside the raster read `ndr`, a row of NoData (255).
 */
// @ts-ignore: decorator
@inline function countsRow3(
  K: i32, cur: usize, restr: usize, W: i32, H: i32, y: i32,
  col: usize, cs: i32, cnt: usize, act: usize, ndr: usize,
): void {
  const row = cur + <usize>y * <usize>W;
  const up = y > 0 ? row - <usize>W : ndr;
  const dn = y + 1 < H ? row + <usize>W : ndr;
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  for (let x = 0; x < W; x += 16) {
    const a = v128.load(up + <usize>x);
    const b = v128.load(row + <usize>x);
    const c = v128.load(dn + <usize>x);
    let kv = zero;
    let ck = col + <usize>(x + 1);
    for (let k = 0; k < K; k++) {
      const s = i8x16.add(i8x16.add(i8x16.eq(a, kv), i8x16.eq(b, kv)), i8x16.eq(c, kv));
      v128.store(ck, i8x16.sub(zero, s));
      kv = i8x16.add(kv, one);
      ck += <usize>cs;
    }
  }
  // right padding (the SIMD tail counted bytes past W)
  for (let k = 0; k < K; k++) v128.store(col + <usize>(k * cs + W + 1), zero);
  const K16 = <usize>(K << 4);
  const rrow = restr != 0 ? restr + <usize>y * <usize>W : 0;
  const kMax = i8x16.splat(<i8>K);
  let dst = cnt;
  for (let x = 0; x < W; x += 16) {
    const cv = v128.load(row + <usize>x);
    let tot = zero;
    let own = zero;
    let ck = col + <usize>x;
    let kv = zero;
    let d = dst;
    for (let k = 0; k < K; k++) {
      const s = i8x16.add(i8x16.add(v128.load(ck), v128.load(ck, 1)), v128.load(ck, 2));
      const eq = i8x16.eq(cv, kv);
      const ex = i8x16.add(s, eq); // eq = -1 where the centre has class k
      v128.store(d, ex);
      tot = i8x16.add(tot, ex);
      own = i8x16.add(own, v128.and(ex, eq));
      ck += <usize>cs;
      kv = i8x16.add(kv, one);
      d += 16;
    }
    let a = v128.andnot(i8x16.lt_u(cv, kMax), i8x16.eq(tot, own));
    if (rrow != 0) a = v128.and(a, i8x16.eq(v128.load(rrow + <usize>x), zero));
    store<u16>(act + <usize>(x >> 3), <u16>i8x16.bitmask(a));
    dst += K16;
  }
}

function countsRowScalar(
  cur: usize, restr: usize, W: i32, H: i32, K: i32, h: i32, y: i32,
  col: usize, cs: i32, cnt: usize, act: usize,
): void {
  const ya = max(0, y - h);
  const yb = min(H - 1, y + h);
  for (let k = 0; k < K; k++) {
    const ck = col + <usize>(k * cs);
    for (let x = 0; x < W; x++) {
      let a: i32 = 0;
      for (let yy = ya; yy <= yb; yy++) {
        a += i32(<i32>load<u8>(cur + <usize>yy * <usize>W + <usize>x) == k);
      }
      store<u8>(ck + <usize>(h + x), <u8>a);
    }
    for (let x = W + h; x < W + 2 * h + 16; x++) store<u8>(ck + <usize>x, 0);
  }
  const n = 2 * h + 1;
  const row = cur + <usize>y * <usize>W;
  let bits: i32 = 0;
  for (let x = 0; x < W; x++) {
    const c = <i32>load<u8>(row + <usize>x);
    const base = cnt + <usize>((x >> 4) * (K << 4) + (x & 15));
    let tot: i32 = 0;
    let own: i32 = 0;
    for (let k = 0; k < K; k++) {
      const ck = col + <usize>(k * cs + x);
      let s: i32 = 0;
      for (let j = 0; j < n; j++) s += <i32>load<u8>(ck + <usize>j);
      const ex = s - i32(c == k);
      store<u8>(base + <usize>(k << 4), <u8>ex);
      tot += ex;
      if (c == k) own = ex;
    }
    let a = i32(c < K) & i32(tot != own);
    if (restr != 0 && load<u8>(restr + <usize>y * <usize>W + <usize>x) != 0) a = 0;
    bits |= a << (x & 15);
    if ((x & 15) == 15 || x == W - 1) {
      store<u16>(act + <usize>((x >> 4) << 1), <u16>bits);
      bits = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// pass 2: the rule

// Suitability storage (U, a constant after inlining like K): float32 (U = false, 4 bytes) or
// uint16 (U = true, 2 bytes: q = round(p * 65535), used as the integer q: TP and the priority
// are scale-free, sp_k / sp_c = q_k / q_c, and the roulette normalises by S).

/** log2 of the bytes per suitability value. */
// @ts-ignore: decorator
@inline function spShift(U: bool): usize {
  return U ? 1 : 2;
}

/** Suitability value at address a, as f64 (exact). */
// @ts-ignore: decorator
@inline function spLoad(U: bool, a: usize): f64 {
  return U ? <f64>load<u16>(a) : <f64>load<f32>(a);
}

/** f64x2 of the two consecutive suitability values at a. */
// @ts-ignore: decorator
@inline function spPair(U: bool, a: usize): v128 {
  return U
    ? f64x2.convert_low_i32x4_u(i32x4.extend_low_i16x8_u(v128.load32_zero(a)))
    : f64x2.promote_low_f32x4(v128.load64_zero(a));
}

/** Float32 bits of sp[k][i] / sp[c][i] (f64 division); spi = address of sp[0][i], pb = plane bytes. */
// @ts-ignore: decorator
@inline function priorityBits(U: bool, spi: usize, pb: usize, k: i32, c: i32): u32 {
  const pk = spLoad(U, spi + <usize>k * pb);
  const pc = spLoad(U, spi + <usize>c * pb);
  return reinterpret<u32>(<f32>(pk / pc));
}

/** Scalar TP_k: (f64(sp) * f64(cnt)) * coef. */
// @ts-ignore: decorator
@inline function tp1(U: bool, sp: usize, n: usize, cf: usize): f64 {
  return spLoad(U, sp) * <f64>load<u8>(n) * load<f64>(cf);
}

/**
 * The rule for one active cell, K a constant (<= 8) after inlining. i: global index; spi = sp + 4i;
 * cb: the cell's count of class 0 (class k at cb + 16k); z = drawKey + i * G. withKey (a
 * constant): also write the key of a conversion and return 1 for it (else 0).
 */
// @ts-ignore: decorator
@inline function cellK(
  K: i32, U: bool, cur: usize, spi: usize, pb: usize, coef: usize, prop: usize, key: usize,
  i: usize, cb: usize, z: u64, withKey: bool,
): i32 {
  const c = <i32>load<u8>(cur + i);
  const cr = coef + <usize>(c * K << 3);
  const c0 = tp1(U, spi, cb, cr);
  let c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  if (K > 1) c1 = c0 + tp1(U, spi + pb, cb + 16, cr + 8);
  if (K > 2) c2 = c1 + tp1(U, spi + 2 * pb, cb + 32, cr + 16);
  if (K > 3) c3 = c2 + tp1(U, spi + 3 * pb, cb + 48, cr + 24);
  if (K > 4) c4 = c3 + tp1(U, spi + 4 * pb, cb + 64, cr + 32);
  if (K > 5) c5 = c4 + tp1(U, spi + 5 * pb, cb + 80, cr + 40);
  if (K > 6) c6 = c5 + tp1(U, spi + 6 * pb, cb + 96, cr + 48);
  if (K > 7) c7 = c6 + tp1(U, spi + 7 * pb, cb + 112, cr + 56);
  const s = K == 1 ? c0 : K == 2 ? c1 : K == 3 ? c2 : K == 4 ? c3 : K == 5 ? c4 : K == 6 ? c5 : K == 7 ? c6 : c7;
  let chosen = c;
  if (s > 0) {
    const t = u01(z) * s;
    let j = i32(c0 <= t);
    if (K > 1) j += i32(c1 <= t);
    if (K > 2) j += i32(c2 <= t);
    if (K > 3) j += i32(c3 <= t);
    if (K > 4) j += i32(c4 <= t);
    if (K > 5) j += i32(c5 <= t);
    if (K > 6) j += i32(c6 <= t);
    if (K > 7) j += i32(c7 <= t);
    chosen = min(j, K - 1);
  }
  store<u8>(prop + i, <u8>chosen);
  if (withKey && chosen != c) {
    store<u32>(key + (i << 2), priorityBits(U, spi, pb, chosen, c));
    return 1;
  }
  return 0;
}

/** f64x2 of the counts (i32 lanes 0, 1 of v). */
// @ts-ignore: decorator
@inline function cntLo(v: v128): v128 {
  return f64x2.convert_low_i32x4_s(v);
}

/** f64x2 of the counts (i32 lanes 2, 3 of v). */
// @ts-ignore: decorator
@inline function cntHi(v: v128): v128 {
  return f64x2.convert_low_i32x4_s(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

/** i32x4 of the u8 counts in the low 4 bytes of v (counts <= 120). */
// @ts-ignore: decorator
@inline function cnt4(v: v128): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v));
}

/**
 * The rule for four adjacent active cells i .. i + 3 (same row) as two f64x2 lane pairs
 * P = (i, i + 1) and Q = (i + 2, i + 3), computed in lockstep (two independent dependency chains
 * in one instruction stream); the operations per lane are those of cellK. K a constant (<= 8).
 * cb: count of class 0 of cell i (block-major); z = drawKey + i * G.
 */
// @ts-ignore: decorator
@inline function quadK(
  K: i32, U: bool, cur: usize, spi: usize, pb: usize, cp: usize, prop: usize,
  i: usize, cb: usize, z: u64,
): void {
  const cA = <i32>load<u8>(cur + i);
  const cB = <i32>load<u8>(cur + i, 1);
  const cC = <i32>load<u8>(cur + i, 2);
  const cD = <i32>load<u8>(cur + i, 3);
  const fP = cp + <usize>((cA * K + cB) * K << 4);
  const fQ = cp + <usize>((cC * K + cD) * K << 4);
  let n = cnt4(v128.load32_zero(cb));
  const p0 = f64x2.mul(f64x2.mul(spPair(U, spi), cntLo(n)), v128.load(fP));
  const q0 = f64x2.mul(f64x2.mul(spPair(U, spi + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ));
  let p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
  let q1 = q0, q2 = q0, q3 = q0, q4 = q0, q5 = q0, q6 = q0, q7 = q0;
  let sk = spi;
  if (K > 1) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 16));
    p1 = f64x2.add(p0, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 16)));
    q1 = f64x2.add(q0, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 16)));
  }
  if (K > 2) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 32));
    p2 = f64x2.add(p1, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 32)));
    q2 = f64x2.add(q1, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 32)));
  }
  if (K > 3) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 48));
    p3 = f64x2.add(p2, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 48)));
    q3 = f64x2.add(q2, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 48)));
  }
  if (K > 4) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 64));
    p4 = f64x2.add(p3, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 64)));
    q4 = f64x2.add(q3, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 64)));
  }
  if (K > 5) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 80));
    p5 = f64x2.add(p4, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 80)));
    q5 = f64x2.add(q4, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 80)));
  }
  if (K > 6) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 96));
    p6 = f64x2.add(p5, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 96)));
    q6 = f64x2.add(q5, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 96)));
  }
  if (K > 7) {
    sk += pb;
    n = cnt4(v128.load32_zero(cb, 112));
    p7 = f64x2.add(p6, f64x2.mul(f64x2.mul(spPair(U, sk), cntLo(n)), v128.load(fP, 112)));
    q7 = f64x2.add(q6, f64x2.mul(f64x2.mul(spPair(U, sk + (<usize>2 << spShift(U))), cntHi(n)), v128.load(fQ, 112)));
  }
  const sP = K == 1 ? p0 : K == 2 ? p1 : K == 3 ? p2 : K == 4 ? p3 : K == 5 ? p4 : K == 6 ? p5 : K == 7 ? p6 : p7;
  const sQ = K == 1 ? q0 : K == 2 ? q1 : K == 3 ? q2 : K == 4 ? q3 : K == 5 ? q4 : K == 6 ? q5 : K == 7 ? q6 : q7;
  const tP = f64x2.mul(f64x2.replace_lane(f64x2.splat(u01(z)), 1, u01(z + GOLDEN)), sP);
  const tQ = f64x2.mul(f64x2.replace_lane(f64x2.splat(u01(z + 2 * GOLDEN)), 1, u01(z + 3 * GOLDEN)), sQ);
  // -(number of k with cum_k <= target) per lane (integer sums: any order)
  let jP = f64x2.le(p0, tP), jQ = f64x2.le(q0, tQ);
  let hP = i64x2.splat(0), hQ = i64x2.splat(0);
  if (K > 1) { hP = f64x2.le(p1, tP); hQ = f64x2.le(q1, tQ); }
  if (K > 2) { jP = i64x2.add(jP, f64x2.le(p2, tP)); jQ = i64x2.add(jQ, f64x2.le(q2, tQ)); }
  if (K > 3) { hP = i64x2.add(hP, f64x2.le(p3, tP)); hQ = i64x2.add(hQ, f64x2.le(q3, tQ)); }
  if (K > 4) { jP = i64x2.add(jP, f64x2.le(p4, tP)); jQ = i64x2.add(jQ, f64x2.le(q4, tQ)); }
  if (K > 5) { hP = i64x2.add(hP, f64x2.le(p5, tP)); hQ = i64x2.add(hQ, f64x2.le(q5, tQ)); }
  if (K > 6) { jP = i64x2.add(jP, f64x2.le(p6, tP)); jQ = i64x2.add(jQ, f64x2.le(q6, tQ)); }
  if (K > 7) { hP = i64x2.add(hP, f64x2.le(p7, tP)); hQ = i64x2.add(hQ, f64x2.le(q7, tQ)); }
  jP = i64x2.add(jP, hP);
  jQ = i64x2.add(jQ, hQ);
  // lanes A..D as i32: min(count, K - 1) where S > 0, else the current class
  const zero = f64x2.splat(0);
  const j4 = i32x4.min_s(i32x4.neg(i32x4.shuffle(jP, jQ, 0, 2, 4, 6)), i32x4.splat(K - 1));
  const pos4 = i32x4.shuffle(f64x2.gt(sP, zero), f64x2.gt(sQ, zero), 0, 2, 4, 6);
  const ch4 = v128.bitselect(j4, cnt4(v128.load32_zero(cur + i)), pos4);
  v128.store32_lane(prop + i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(ch4, ch4), ch4), 0);
}

/** f64x2 of (suitability at a, suitability at b). */
// @ts-ignore: decorator
@inline function sp2(U: bool, a: usize, b: usize): v128 {
  return U
    ? f64x2.convert_low_i32x4_u(i32x4.extend_low_i16x8_u(v128.load16_lane(b, v128.load16_lane(a, i8x16.splat(0), 0), 1)))
    : f64x2.promote_low_f32x4(v128.load32_lane(b, v128.load32_zero(a), 1));
}

/** TP of two cells: (f64(sp) * f64(cnt)) * coefPair; n: i8 counts in lanes 0, 1. */
// @ts-ignore: decorator
@inline function tpG(p: v128, n: v128, cf: v128): v128 {
  return f64x2.mul(f64x2.mul(p, f64x2.convert_low_i32x4_s(cnt4(n))), cf);
}

/**
 * The rule for two active cells xa, xb of one row (any columns; xa == xb allowed: both lanes
 * then compute and store the same value), lanes 0 and 1 of f64x2; the operations per lane are
 * those of cellK. K a constant (<= 8). cnt: the row's counts (block-major).
 */
// @ts-ignore: decorator
@inline function pairG(
  K: i32, U: bool, cur: usize, sp: usize, pb: usize, cp: usize, cnt: usize, prop: usize,
  rowBase: usize, xa: i32, xb: i32, kDraw: u64,
): void {
  const iA = rowBase + <usize>xa;
  const iB = rowBase + <usize>xb;
  const cA = <i32>load<u8>(cur + iA);
  const cB = <i32>load<u8>(cur + iB);
  const cf = cp + <usize>((cA * K + cB) * K << 4);
  const bA = cnt + <usize>((xa >> 4) * (K << 4) + (xa & 15));
  const bB = cnt + <usize>((xb >> 4) * (K << 4) + (xb & 15));
  let sA = sp + (iA << spShift(U));
  let sB = sp + (iB << spShift(U));
  const z = i8x16.splat(0);
  const c0 = tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0), 1), v128.load(cf));
  let c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  if (K > 1) { sA += pb; sB += pb; c1 = f64x2.add(c0, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 16), 1, 16), v128.load(cf, 16))); }
  if (K > 2) { sA += pb; sB += pb; c2 = f64x2.add(c1, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 32), 1, 32), v128.load(cf, 32))); }
  if (K > 3) { sA += pb; sB += pb; c3 = f64x2.add(c2, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 48), 1, 48), v128.load(cf, 48))); }
  if (K > 4) { sA += pb; sB += pb; c4 = f64x2.add(c3, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 64), 1, 64), v128.load(cf, 64))); }
  if (K > 5) { sA += pb; sB += pb; c5 = f64x2.add(c4, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 80), 1, 80), v128.load(cf, 80))); }
  if (K > 6) { sA += pb; sB += pb; c6 = f64x2.add(c5, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 96), 1, 96), v128.load(cf, 96))); }
  if (K > 7) { sA += pb; sB += pb; c7 = f64x2.add(c6, tpG(sp2(U, sA, sB), v128.load8_lane(bB, v128.load8_lane(bA, z, 0, 112), 1, 112), v128.load(cf, 112))); }
  const s = K == 1 ? c0 : K == 2 ? c1 : K == 3 ? c2 : K == 4 ? c3 : K == 5 ? c4 : K == 6 ? c5 : K == 7 ? c6 : c7;
  const t = f64x2.mul(f64x2.replace_lane(f64x2.splat(u01(kDraw + <u64>iA * GOLDEN)), 1, u01(kDraw + <u64>iB * GOLDEN)), s);
  // -(number of k with cum_k <= target) per lane (integer sums: any order)
  let j = f64x2.le(c0, t);
  let h = i64x2.splat(0);
  if (K > 1) h = f64x2.le(c1, t);
  if (K > 2) j = i64x2.add(j, f64x2.le(c2, t));
  if (K > 3) h = i64x2.add(h, f64x2.le(c3, t));
  if (K > 4) j = i64x2.add(j, f64x2.le(c4, t));
  if (K > 5) h = i64x2.add(h, f64x2.le(c5, t));
  if (K > 6) j = i64x2.add(j, f64x2.le(c6, t));
  if (K > 7) h = i64x2.add(h, f64x2.le(c7, t));
  j = i64x2.add(j, h);
  const pos = i64x2.bitmask(f64x2.gt(s, f64x2.splat(0)));
  const kA = min(-<i32>i64x2.extract_lane(j, 0), K - 1);
  const kB = min(-<i32>i64x2.extract_lane(j, 1), K - 1);
  store<u8>(prop + iA, <u8>select(kA, cA, (pos & 1) != 0));
  store<u8>(prop + iB, <u8>select(kB, cB, (pos & 2) != 0));
}

/** Builds coefPair[(a * K + b) * K + k] = (coef[a][k], coef[b][k]) for K <= 8. */
function buildPairs(coef: usize, K: i32, cp: usize): void {
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      const d = cp + <usize>((a * K + b) * K << 4);
      for (let k = 0; k < K; k++) {
        store<f64>(d + <usize>(k << 4), load<f64>(coef + <usize>((a * K + k) << 3)));
        store<f64>(d + <usize>(k << 4), load<f64>(coef + <usize>((b * K + k) << 3)), 8);
      }
    }
  }
}

/** Rows [row0, row1) with K a constant (<= 8) after inlining. */
// @ts-ignore: decorator
@inline function sweepK(
  K: i32, U: bool, cur: usize, sp: usize, plane: i32, restr: usize, coef: usize,
  W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64,
  prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32,
): i32 {
  const pb = <usize>plane << spShift(U);
  const K16 = <usize>(K << 4);
  const full = W >> 4; // blocks entirely inside the row
  const nb = (W + 15) >> 4;
  const list = ndr + <usize>roundUp16(W + 16);
  let changes: i32 = 0;
  for (let y = row0; y < row1; y++) {
    const rowBase = <usize>y * <usize>W;
    if (simd && h == 1) countsRow3(K, cur, restr, W, H, y, col, cs, cnt, act, ndr);
    else if (simd) countsRowSimd(cur, restr, W, H, K, h, y, col, cs, cnt, act);
    else countsRowScalar(cur, restr, W, H, K, h, y, col, cs, cnt, act);
    if (!simd) {
      let cbk = cnt;
      for (let b = 0; b < nb; b++) {
        const x0 = b << 4;
        const i0 = rowBase + <usize>x0;
        const m = <i32>load<u16>(act + <usize>(b << 1));
        const nl = min(16, W - x0);
        for (let l = 0; l < nl; l++) {
          const i = i0 + <usize>l;
          if ((m >> l) & 1) {
            changes += cellK(K, U, cur, sp + (i << spShift(U)), pb, coef, prop, key, i, cbk + <usize>l, kDraw + <u64>i * GOLDEN, true);
          } else {
            store<u8>(prop + i, load<u8>(cur + i));
          }
        }
        cbk += K16;
      }
      continue;
    }
    // 1. prop = map; fully active blocks in quads; the other active cells into a list
    let nl: i32 = 0;
    let cbk = cnt;
    for (let b = 0; b < nb; b++) {
      const x0 = b << 4;
      const i0 = rowBase + <usize>x0;
      let m = <i32>load<u16>(act + <usize>(b << 1));
      if (b < full) {
        v128.store(prop + i0, v128.load(cur + i0));
        if (m == 0xffff) {
          for (let q = 0; q < 16; q += 4) {
            const iq = i0 + <usize>q;
            quadK(K, U, cur, sp + (iq << spShift(U)), pb, cp, prop, iq, cbk + <usize>q, kDraw + <u64>iq * GOLDEN);
          }
          m = 0;
        }
      } else {
        const n = W - x0;
        for (let l = 0; l < n; l++) store<u8>(prop + i0 + <usize>l, load<u8>(cur + i0 + <usize>l));
        m &= (1 << n) - 1; // lanes past the row end
      }
      while (m != 0) {
        store<u32>(list + (<usize>nl << 2), x0 + ctz(m));
        nl++;
        m &= m - 1;
      }
      cbk += K16;
    }
    // 2. the listed cells in pairs (an odd last cell is paired with itself)
    if (nl & 1) {
      store<u32>(list + (<usize>nl << 2), load<u32>(list + (<usize>(nl - 1) << 2)));
      nl++;
    }
    for (let j = 0; j < nl; j += 2) {
      const xa = <i32>load<u32>(list + (<usize>j << 2));
      const xb = <i32>load<u32>(list + (<usize>j << 2), 4);
      pairG(K, U, cur, sp, pb, cp, cnt, prop, rowBase, xa, xb, kDraw);
    }
    // 3. keys of the row's conversions (the divisions do not wait on the roulette)
    for (let b = 0; b < nb; b++) {
      const x0 = b << 4;
      const i0 = rowBase + <usize>x0;
      let ch: i32;
      if (b < full) {
        ch = i8x16.bitmask(v128.not(i8x16.eq(v128.load(prop + i0), v128.load(cur + i0))));
      } else {
        ch = 0;
        for (let l = 0; l < W - x0; l++) ch |= i32(load<u8>(prop + i0 + <usize>l) != load<u8>(cur + i0 + <usize>l)) << l;
      }
      changes += popcnt(ch);
      // two conversions per f64x2 division (an odd last one twice)
      while (ch != 0) {
        const la = ctz(ch);
        ch &= ch - 1;
        const lb = select(ctz(ch), la, ch != 0);
        ch &= ch - 1;
        const iA = i0 + <usize>la;
        const iB = i0 + <usize>lb;
        const sA = sp + (iA << spShift(U));
        const sB = sp + (iB << spShift(U));
        const num = sp2(U, sA + <usize>load<u8>(prop + iA) * pb, sB + <usize>load<u8>(prop + iB) * pb);
        const den = sp2(U, sA + <usize>load<u8>(cur + iA) * pb, sB + <usize>load<u8>(cur + iB) * pb);
        const r = f32x4.demote_f64x2_zero(f64x2.div(num, den));
        v128.store32_lane(key + (iA << 2), r, 0);
        v128.store32_lane(key + (iB << 2), r, 1);
      }
    }
  }
  return changes;
}

/** Rows [row0, row1), any K: scalar rule with a loop over classes (cum: K f64 of scratch). */
function sweepGeneric(
  K: i32, U: bool, cur: usize, sp: usize, plane: i32, restr: usize, coef: usize,
  W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64,
  prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cum: usize, simd: i32,
): i32 {
  const pb = <usize>plane << spShift(U);
  let changes: i32 = 0;
  for (let y = row0; y < row1; y++) {
    const rowBase = <usize>y * <usize>W;
    if (simd) countsRowSimd(cur, restr, W, H, K, h, y, col, cs, cnt, act);
    else countsRowScalar(cur, restr, W, H, K, h, y, col, cs, cnt, act);
    for (let x = 0; x < W; x++) {
      const i = rowBase + <usize>x;
      const c = <i32>load<u8>(cur + i);
      if (((<i32>load<u16>(act + <usize>((x >> 4) << 1)) >> (x & 15)) & 1) == 0) {
        store<u8>(prop + i, <u8>c);
        continue;
      }
      const spi = sp + (i << spShift(U));
      const cb = cnt + <usize>((x >> 4) * (K << 4) + (x & 15));
      const cr = coef + <usize>(c * K << 3);
      let s: f64 = 0;
      for (let k = 0; k < K; k++) {
        s += tp1(U, spi + <usize>k * pb, cb + <usize>(k << 4), cr + <usize>(k << 3));
        store<f64>(cum + (<usize>k << 3), s);
      }
      let chosen = c;
      if (s > 0) {
        const t = u01(kDraw + <u64>i * GOLDEN) * s;
        let j: i32 = 0;
        for (let k = 0; k < K; k++) j += i32(load<f64>(cum + (<usize>k << 3)) <= t);
        chosen = min(j, K - 1);
      }
      store<u8>(prop + i, <u8>chosen);
      if (chosen != c) {
        store<u32>(key + (i << 2), priorityBits(U, spi, pb, chosen, c));
        changes++;
      }
    }
  }
  return changes;
}

// one specialised sweep per K <= 8 and suitability type (K and U are constants inside each after inlining)
function sweep1(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(1, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep2(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(2, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep3(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(3, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep4(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(4, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep5(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(5, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep6(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(6, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep7(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(7, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep8(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(8, false, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep1u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(1, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep2u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(2, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep3u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(3, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep4u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(4, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep5u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(5, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep6u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(6, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep7u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(7, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}
function sweep8u(cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, W: i32, H: i32, h: i32, row0: i32, row1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize, act: usize, cp: usize, ndr: usize, simd: i32): i32 {
  return sweepK(8, true, cur, sp, plane, restr, coef, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
}

/** Rows [r0, r1) with the task's scratch laid out (dispatch on K and the suitability type). */
function stepRows(
  cur: usize, sp: usize, plane: i32, restr: usize, coef: usize, K: i32, W: i32, H: i32, h: i32,
  r0: i32, r1: i32, kDraw: u64, prop: usize, key: usize, col: usize, cs: i32, cnt: usize,
  act: usize, cp: usize, cum: usize, ndr: usize, simd: i32, u16: i32,
): i32 {
  if (u16) {
    switch (K) {
      case 1: return sweep1u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 2: return sweep2u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 3: return sweep3u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 4: return sweep4u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 5: return sweep5u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 6: return sweep6u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 7: return sweep7u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      case 8: return sweep8u(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
      default: return sweepGeneric(K, true, cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cum, simd);
    }
  }
  switch (K) {
    case 1: return sweep1(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 2: return sweep2(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 3: return sweep3(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 4: return sweep4(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 5: return sweep5(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 6: return sweep6(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 7: return sweep7(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    case 8: return sweep8(cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cp, ndr, simd);
    default: return sweepGeneric(K, false, cur, sp, plane, restr, coef, W, H, h, r0, r1, kDraw, prop, key, col, cs, cnt, act, cum, simd);
  }
}

/**
 * One synchronous FLUS iteration over rows of [row0, row1). See the rule at the top of the file.
 * sp: K planes of `plane` cells each, float32 (u16 == 0; plane k at sp + k * plane * 4) or uint16
 * (u16 != 0; q = round(p * 65535), plane k at sp + k * plane * 2; the integer q is the value used),
 * coef: K*K f64 (row = current class), seed: integer < 2^53 as f64. simd != 0 selects the i8x16
 * counts and the f64x2 rule; simd == 0 runs the scalar code only (same results).
 * Addresses: cell i (global index y * W + x) is read at cur + i, sp + i * (4 or 2), restr + i and
 * written at prop + i, key + 4i, all u32 arithmetic (wrapping): a host holding only some rows
 * (a block group of its own memory, src/tiling/groups.ts) passes each pointer minus the global
 * offset of its first row, mod 2^32, so global indices land on its local rows; rows read are
 * [row0 - h, row1 + h) of cur and [row0, row1) of the rest. Global indices must be < 2^32.
 * next == 0: this call does all of [row0, row1). next != 0: the address of an i32 row counter
 * shared by the calls of one iteration (the host sets it to row0): each call repeatedly claims
 * the next `chunk` rows (atomic add) until the counter passes row1, so the calls running on
 * different threads share the rows dynamically (which thread does which row does not change
 * any output). Returns the number of proposed conversions in the rows this call did.
 */
export function ca_step(
  cur: usize, sp: usize, plane: i32, restr: usize, coef: usize,
  K: i32, W: i32, H: i32, N: i32, row0: i32, row1: i32,
  seed: f64, iteration: i32,
  prop: usize, key: usize, scratch: usize, simd: i32, next: usize, chunk: i32, u16: i32,
): i32 {
  const h = (N - 1) >> 1;
  const Wp = roundUp16(W);
  const cs = roundUp16(W + 2 * h + 32);
  const col = scratch;
  const cnt = col + <usize>(K * cs);
  const act = cnt + <usize>(K * Wp);
  const cp = act + <usize>roundUp16(Wp >> 3);
  const pairBytes: i32 = K <= 8 ? K * K * K * 16 : 0;
  const cum = cp + <usize>pairBytes;
  const ndr = cum + <usize>roundUp16(K * 8);
  for (let x = 0; x < W + 16; x += 16) v128.store(ndr + <usize>x, i8x16.splat(-1));
  const kDraw = rngKey(<u64>seed, <u64>iteration);
  for (let k = 0; k < K; k++) {
    for (let x = 0; x < h; x++) store<u8>(col + <usize>(k * cs + x), 0);
  }
  if (K <= 8) buildPairs(coef, K, cp);
  if (next == 0) return stepRows(cur, sp, plane, restr, coef, K, W, H, h, row0, row1, kDraw, prop, key, col, cs, cnt, act, cp, cum, ndr, simd, u16);
  let changes: i32 = 0;
  const c = max(1, chunk);
  while (true) {
    const r0 = atomic.add<i32>(next, c);
    if (r0 >= row1) break;
    changes += stepRows(cur, sp, plane, restr, coef, K, W, H, h, r0, min(row1, r0 + c), kDraw, prop, key, col, cs, cnt, act, cp, cum, ndr, simd, u16);
  }
  return changes;
}
