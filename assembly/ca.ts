// FLUS cellular automaton: one synchronous iteration over rows [row0, row1) (seed 004 eq. 4-5;
// Liu et al. 2017; methods.md section 3). Units: class indices 0..K-1 (255 = NoData), cell counts,
// dimensionless probabilities.
//
// Per valid, unrestricted cell p of current class c (index i = y * W + x, global):
//   cnt_k   = number of cells of class k in the N x N Moore window around p, centre excluded,
//             cells outside the raster and NoData (255) not counted (exact integers, <= 120);
//   TP_k    = f64(sp[k][i]) * f64(cnt_k) * coef[c * K + k]
//             where the host sets coef[c*K+k] = w_k / (N*N - 1) * allowed(c -> k) * (k == c ? Inertia_k : 1)
//             (so TP_k = sp * Omega_{p,k} * Inertia * (1 - sc_{c->k}));
//   S       = TP_0 + TP_1 + ... + TP_{K-1} (this order);
//   roulette: if S > 0, u = rngF64(rngKey(seed, iteration), i); target = u * S; the proposed class
//             is the first k whose cumulative sum TP_0 + .. + TP_k exceeds target (branch-free:
//             the number of k with cumulative <= target); if S == 0 (or not > 0) the cell keeps c.
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
//
// Halo: the rows [row0 - h, row1 + h) with h = (N - 1) / 2 are read; the whole map lives in shared
// memory, so tiles read their neighbours directly. The host must leave 16 readable bytes after
// the map (SIMD loads of the last row's tail).
//
// Neighbourhood counts, per output row and class k: vertical sums of (map == k) over the N rows
// into col[h + x] (i8x16: compare, subtract -1 masks), zero padding of h columns on each side, then
// horizontal window sums of N shifted loads into cnt[k * Wp + x] (Wp = W rounded up to 16). The
// scalar path does the same arithmetic one byte at a time; both give identical counts.
//
// Shortcut (same results): when no counted neighbour has another class than the centre's
// (cnt_c including the centre == the window's total), TP_k = 0 for k != c and the cell keeps c,
// so neither the TP values nor the draw are computed.
//
// scratch (host-owned, per task, 16-aligned): col = W + 2h + 32 bytes, then cnt = K * Wp bytes,
// then tot = Wp bytes, then cum = K f64 (see caScratchBytes in src/kernels/ca.ts).

import { rngKey, rngU64 } from './rng';

/** rngF64 of assembly/rng.ts ((out >> 11) * 2^-53), converted as a signed i64 (same value: < 2^53; faster on x64). */
// @ts-ignore: decorator
@inline function rngF64(key: u64, index: u64): f64 {
  return <f64><i64>(rngU64(key, index) >> 11) * 1.1102230246251565e-16;
}

// @ts-ignore: decorator
@inline function roundUp16(n: i32): i32 {
  return (n + 15) & ~15;
}

function countsRowSimd(cur: usize, W: i32, H: i32, K: i32, h: i32, y: i32, col: usize, cnt: usize, Wp: i32): void {
  const ya = max(0, y - h);
  const yb = min(H - 1, y + h);
  for (let k = 0; k < K; k++) {
    const kv = i8x16.splat(<i8>k);
    // vertical sums into col[h + x]
    for (let x = 0; x < W; x += 16) {
      let acc = i8x16.splat(0);
      for (let yy = ya; yy <= yb; yy++) {
        const v = v128.load(cur + <usize>yy * <usize>W + <usize>x);
        acc = i8x16.sub(acc, i8x16.eq(v, kv));
      }
      v128.store(col + <usize>(h + x), acc);
    }
    // right padding (the SIMD tail wrote bytes past W)
    for (let x = W + h; x < W + 2 * h + 16; x++) store<u8>(col + <usize>x, 0);
    // horizontal window sums
    const out = cnt + <usize>(k * Wp);
    const n = 2 * h + 1;
    for (let x = 0; x < W; x += 16) {
      let s = v128.load(col + <usize>x);
      for (let d = 1; d < n; d++) s = i8x16.add(s, v128.load(col + <usize>(x + d)));
      v128.store(out + <usize>x, s);
    }
  }
  // tot[x] = sum_k cnt[k][x]: a cell whose own class holds every counted neighbour keeps it
  const tot = cnt + <usize>(K * Wp);
  for (let x = 0; x < W; x += 16) {
    let t = v128.load(cnt + <usize>x);
    for (let k = 1; k < K; k++) t = i8x16.add(t, v128.load(cnt + <usize>(k * Wp + x)));
    v128.store(tot + <usize>x, t);
  }
}

function countsRowScalar(cur: usize, W: i32, H: i32, K: i32, h: i32, y: i32, col: usize, cnt: usize, Wp: i32): void {
  const ya = max(0, y - h);
  const yb = min(H - 1, y + h);
  for (let k = 0; k < K; k++) {
    for (let x = 0; x < W; x++) {
      let a: i32 = 0;
      for (let yy = ya; yy <= yb; yy++) {
        a += i32(<i32>load<u8>(cur + <usize>yy * <usize>W + <usize>x) == k);
      }
      store<u8>(col + <usize>(h + x), <u8>a);
    }
    for (let x = W + h; x < W + 2 * h + 16; x++) store<u8>(col + <usize>x, 0);
    const out = cnt + <usize>(k * Wp);
    const n = 2 * h + 1;
    for (let x = 0; x < W; x++) {
      let s: i32 = 0;
      for (let d = 0; d < n; d++) s += <i32>load<u8>(col + <usize>(x + d));
      store<u8>(out + <usize>x, <u8>s);
    }
  }
  const tot = cnt + <usize>(K * Wp);
  for (let x = 0; x < W; x++) {
    let t: i32 = 0;
    for (let k = 0; k < K; k++) t += <i32>load<u8>(cnt + <usize>(k * Wp + x));
    store<u8>(tot + <usize>x, <u8>t);
  }
}

/** Priority of a proposed conversion c -> k: float32 bits of sp[k][i] / sp[c][i] (f64 division). */
// @ts-ignore: decorator
@inline function priorityBits(sp: usize, plane: i32, i: usize, k: i32, c: i32): u32 {
  const pk = <f64>load<f32>(sp + ((<usize>k * <usize>plane + i) << 2));
  const pc = <f64>load<f32>(sp + ((<usize>c * <usize>plane + i) << 2));
  return reinterpret<u32>(<f32>(pk / pc));
}

/** TP_k of one cell (0 for k >= K): f64(sp) * f64(count without the centre) * coef[c][k]. */
// @ts-ignore: decorator
@inline function tpOf(k: i32, K: i32, c: i32, x: i32, i: usize, cnt: usize, Wp: i32, sp: usize, plane: i32, crow: usize): f64 {
  if (k >= K) return 0;
  const n = <i32>load<u8>(cnt + <usize>(k * Wp + x)) - i32(k == c);
  const p = <f64>load<f32>(sp + ((<usize>k * <usize>plane + i) << 2));
  return p * <f64>n * load<f64>(crow + (<usize>k << 3));
}

/**
 * One synchronous FLUS iteration over rows [row0, row1). See the rule at the top of the file.
 * sp: K float32 planes of `plane` cells each (plane k at sp + k * plane * 4), coef: K*K f64
 * (row = current class), seed: integer < 2^53 as f64. simd != 0 selects the i8x16 count path.
 */
export function ca_step(
  cur: usize, sp: usize, plane: i32, restr: usize, coef: usize,
  K: i32, W: i32, H: i32, N: i32, row0: i32, row1: i32,
  seed: f64, iteration: i32,
  prop: usize, key: usize, scratch: usize, simd: i32,
): i32 {
  const h = (N - 1) >> 1;
  const Wp = roundUp16(W);
  const col = scratch;
  const cnt = scratch + <usize>roundUp16(W + 2 * h + 32);
  const tot = cnt + <usize>(K * Wp);
  const cum = tot + <usize>Wp;
  const kDraw = rngKey(<u64>seed, <u64>iteration);
  for (let x = 0; x < h; x++) store<u8>(col + <usize>x, 0);
  let changes: i32 = 0;
  for (let y = row0; y < row1; y++) {
    if (simd) countsRowSimd(cur, W, H, K, h, y, col, cnt, Wp);
    else countsRowScalar(cur, W, H, K, h, y, col, cnt, Wp);
    const rowBase = <usize>y * <usize>W;
    for (let x = 0; x < W; x++) {
      const i = rowBase + <usize>x;
      const c = <i32>load<u8>(cur + i);
      if (c == 255) {
        store<u8>(prop + i, 255);
        continue;
      }
      if (restr != 0 && load<u8>(restr + i) != 0) {
        store<u8>(prop + i, <u8>c);
        continue;
      }
      if (load<u8>(cnt + <usize>(c * Wp + x)) == load<u8>(tot + <usize>x)) {
        // no neighbour of another class: TP_k = 0 for every k != c, so the roulette keeps c
        // whatever the draw (the same result as the full rule, without drawing)
        store<u8>(prop + i, <u8>c);
        continue;
      }
      const crow = coef + (<usize>(c * K) << 3);
      if (K <= 8) {
        // unrolled path (K <= 8): the TP values live in locals; classes >= K add +0, which
        // leaves every partial sum unchanged, and never count in the selection (target < S).
        const t0 = tpOf(0, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t1 = tpOf(1, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t2 = tpOf(2, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t3 = tpOf(3, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t4 = tpOf(4, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t5 = tpOf(5, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t6 = tpOf(6, K, c, x, i, cnt, Wp, sp, plane, crow);
        const t7 = tpOf(7, K, c, x, i, cnt, Wp, sp, plane, crow);
        const c1 = t0 + t1, c2 = c1 + t2, c3 = c2 + t3, c4 = c3 + t4, c5 = c4 + t5, c6 = c5 + t6, s8 = c6 + t7;
        let chosen8 = c;
        if (s8 > 0) {
          const target = rngF64(kDraw, <u64>i) * s8;
          const j = i32(t0 <= target) + i32(c1 <= target) + i32(c2 <= target) + i32(c3 <= target) +
            i32(c4 <= target) + i32(c5 <= target) + i32(c6 <= target) + i32(s8 <= target);
          chosen8 = min(j, K - 1);
        }
        store<u8>(prop + i, <u8>chosen8);
        if (chosen8 != c) {
          store<u32>(key + (i << 2), priorityBits(sp, plane, i, chosen8, c));
          changes++;
        }
        continue;
      }
      let s: f64 = 0;
      for (let k = 0; k < K; k++) {
        const n = <i32>load<u8>(cnt + <usize>(k * Wp + x)) - i32(k == c);
        const p = <f64>load<f32>(sp + ((<usize>k * <usize>plane + i) << 2));
        const tp = p * <f64>n * load<f64>(crow + (<usize>k << 3));
        s += tp;
        store<f64>(cum + (<usize>k << 3), s);
      }
      let chosen = c;
      if (s > 0) {
        const target = rngF64(kDraw, <u64>i) * s;
        let j: i32 = 0;
        for (let k = 0; k < K; k++) j += i32(load<f64>(cum + (<usize>k << 3)) <= target);
        chosen = min(j, K - 1);
      }
      store<u8>(prop + i, <u8>chosen);
      if (chosen != c) {
        store<u32>(key + (i << 2), priorityBits(sp, plane, i, chosen, c));
        changes++;
      }
    }
  }
  return changes;
}
