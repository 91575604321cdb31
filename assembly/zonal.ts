// Zonal sums: per (zone, class) cell counts and sums of value rasters.
//
// Rule: for every cell i with zone z_i and class c_i both valid (not NoData, present in the
// host's look-up tables), bin = zoneIndex(z_i) * nClass + classIndex(c_i);
//   counts[bin] += 1; for each value raster v: if v_i is not NaN and not NoData,
//   sums[v][bin] += f64(v_i) else missing[v][bin] += 1.
// Addition order (fixed, mirrored by the reference): within a block, runs of consecutive
// cells with the same bin are summed first, then added to the bin's partial (see flush), and
// chunks of 16 cells of one bin are summed by a fixed tree before joining their run (see CHUNK).
// Units: counts in cells, sums in the value raster's units (f64 accumulation).
// Determinism: sums are accumulated per canonical block of `blockCells` cells (the host fixes
// the block size from the raster's width and the bin count only), each block into its own
// partial array; the host adds block partials in block order. So the addition order, and the
// result, are the same for any tile size and thread count. Counts are integers (exact).
// Source: the usual bincount formulation (numpy.bincount with weights), made blockwise.
//
// Parameters arrive as an f64 record laid out by the host (src/kernels/zonal.ts, ZP_*).

// data types (DT_*): keep in sync with src/kernels/zonal.ts
const DT_U8: i32 = 0;
const DT_U16: i32 = 1;
const DT_I16: i32 = 2;
const DT_U32: i32 = 3;
const DT_I32: i32 = 4;
const DT_F32: i32 = 5;
const DT_F64: i32 = 6;

// record offsets (f64 slots)
const P_ZONES = 0;
const P_ZTYPE = 1;
const P_CLASSES = 2;
const P_CTYPE = 3;
const P_START = 4; // first cell of this task (global index within the buffers)
const P_COUNT = 5; // cells in this task (a whole number of blocks, last may be short)
const P_BLOCK = 6; // cells per canonical block
const P_ZLUT = 7; // i32 LUT: zone value - zmin -> zone index * nClass, -1 = skip
const P_ZMIN = 8;
const P_ZRANGE = 9;
const P_CLUT = 10;
const P_CMIN = 11;
const P_CRANGE = 12;
// slot 13: the class count (the look-up tables already hold zoneIndex * nClass; not read here)
const P_NBINS = 14;
// slot 15: unused
const P_COUNTS = 16; // u32 counts, nBins, for this task
const P_NVALUES = 17;
const P_VALUES = 18; // value descriptors: 4 f64 each (ptr, type, nodata, hasNodata)
const P_SUMS = 19; // f64 block partials: [block][value][bin]
const P_MISSING = 20; // u32 missing counts: [value][bin], for this task
const P_ZND = 21; // zone NoData (as the zone type's bits in an i32)
const P_ZHASND = 22; // 1 when the zone raster has a representable NoData

// @ts-ignore: decorator
@inline function pu(rec: usize, i: i32): usize {
  return <usize>load<f64>(rec + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function pi(rec: usize, i: i32): i32 {
  return <i32>load<f64>(rec + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function pf(rec: usize, i: i32): f64 {
  return load<f64>(rec + (<usize>i << 3));
}

// Index of a code in a look-up table. 8/16-bit codes: the host's table spans the whole type
// range (256 or 65536 entries from the type's minimum), so no range check is needed, and the
// table pointer is pre-offset by -min (lut0 = lut - 4 * min, wrapping in u32 like every wasm32
// address). 32-bit codes: offset from the minimum in 64 bits, range-checked.
// @ts-ignore: decorator
@inline function lutIdx<T>(p: usize, lut0: usize, lut: usize, min: i64, range: u64): i32 {
  if (sizeof<T>() <= 2) return load<i32>(lut0 + (<usize><i32>load<T>(p) << 2));
  const o = <u64>(<i64>load<T>(p) - min);
  return o < range ? load<i32>(lut + (<usize>o << 2)) : -1;
}

// Runs: consecutive cells of the block with the same bin (cells with no bin are skipped and do
// not end a run) are counted and summed in registers and added to the bin when the run ends:
//   sums[b] = (((0 + run_1) + run_2) + ...), run = ((v_1 + v_2) + ...).
// That order is part of the rule (the reference follows it); it keeps the memory
// read-modify-write chain off the per-cell path. Pointers arrive pre-offset to the block's first
// cell. zlut holds zoneIndex * nClass, clut classIndex.

// @ts-ignore: decorator
@inline function flush(counts: usize, sums: usize, cur: i32, cnt: u32, acc: f64): void {
  if (counts) {
    const pc = counts + (<usize>cur << 2);
    store<u32>(pc, load<u32>(pc) + cnt);
  }
  if (sums) {
    const ps = sums + (<usize>cur << 3);
    store<f64>(ps, load<f64>(ps) + acc);
  }
}

// Chunks (part of the addition order): a block is read in chunks of 16 cells from its first
// cell. A cell whose zone is the zone raster's NoData is a "hole". A chunk is "uniform" when its
// cells that are not holes (at least one) all have the same bin b (so the same valid zone and
// class). A uniform chunk joins the current run of b as one step:
//   cnt += (16 - holes), acc += chunkSum,
// where chunkSum adds the chunk's 16 values, holes and NaN/NoData values taken as 0 (NaN/NoData
// values of non-hole cells counted as missing), by the fixed tree
//   lane l in {0, 1}: ((v[l] + v[2+l]) + (v[4+l] + v[6+l])) + ((v[8+l] + v[10+l]) + (v[12+l] + v[14+l]))
//   chunkSum = lane0 + lane1,
// which is what two-lane f64 SIMD adds give. Other chunks, and the block's last n % 16 cells, go
// cell by cell. Land-use maps are patchy, so most chunks are uniform and cost a few SIMD
// instructions for 16 cells instead of ~16 look-ups and branches.
// @ts-ignore: decorator
@inline const CHUNK: usize = 16;

/** A code splatted over lanes of the code's width. */
// @ts-ignore: decorator
@inline function splatT<T>(v: i32): v128 {
  if (sizeof<T>() == 1) return i8x16.splat(<i8>v);
  if (sizeof<T>() == 2) return i16x8.splat(<i16>v);
  return i32x4.splat(v);
}

/** Are the 16 codes at p all equal to `first`? (1, 2 or 4 loads by the code width) */
// @ts-ignore: decorator
@inline function allEq16<T>(p: usize, first: T): bool {
  if (sizeof<T>() == 1) return i8x16.all_true(i8x16.eq(v128.load(p), i8x16.splat(<i8>first)));
  if (sizeof<T>() == 2) {
    const f = i16x8.splat(<i16>first);
    return i16x8.all_true(v128.and(i16x8.eq(v128.load(p), f), i16x8.eq(v128.load(p, 16), f)));
  }
  const f = i32x4.splat(<i32>first);
  return i32x4.all_true(v128.and(
    v128.and(i32x4.eq(v128.load(p), f), i32x4.eq(v128.load(p, 16), f)),
    v128.and(i32x4.eq(v128.load(p, 32), f), i32x4.eq(v128.load(p, 48), f))));
}

/** Equality masks in 32-bit lanes for cells 4k .. 4k+3 of the codes at p (s from splatT<T>). */
// @ts-ignore: decorator
@inline function eq4<T>(p: usize, k: usize, s: v128): v128 {
  if (sizeof<T>() == 1) return i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(i8x16.eq(v128.load32_zero(p + (k << 2)), s)));
  if (sizeof<T>() == 2) return i32x4.extend_low_i16x8_s(i16x8.eq(v128.load64_zero(p + (k << 3)), s));
  return i32x4.eq(v128.load(p + (k << 4)), s);
}

/** Invalid lanes (NaN or NoData) of four f32 values are zeroed; their number goes to *miss. */
// @ts-ignore: decorator
@inline function clean4(x: v128, nd: v128, miss: usize): v128 {
  const m = v128.or(f32x4.ne(x, x), f32x4.eq(x, nd));
  if (!v128.any_true(m)) return x;
  store<u32>(miss, load<u32>(miss) + <u32>popcnt(i32x4.bitmask(m)));
  return v128.andnot(x, m);
}

// @ts-ignore: decorator
@inline function clean2(x: v128, nd: v128, miss: usize): v128 {
  const m = v128.or(f64x2.ne(x, x), f64x2.eq(x, nd));
  if (!v128.any_true(m)) return x;
  store<u32>(miss, load<u32>(miss) + <u32>popcnt(i64x2.bitmask(m)));
  return v128.andnot(x, m);
}

/**
 * chunkSum of the 16 values at p (see the chunk rule). H = true: h0..h3 are the hole masks of
 * cells 0-3 .. 12-15 (32-bit lanes), whose values are zeroed first. NaN/NoData -> 0, counted at miss.
 */
// @ts-ignore: decorator
@inline function chunkSum<V, H>(p: usize, nd: v128, miss: usize, h0: v128, h1: v128, h2: v128, h3: v128): f64 {
  let a0: v128, a1: v128, b0: v128, b1: v128, c0: v128, c1: v128, d0: v128, d1: v128;
  if (sizeof<V>() == 4) {
    let x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
    if (sizeof<H>() == 2) {
      x0 = v128.andnot(x0, h0);
      x1 = v128.andnot(x1, h1);
      x2 = v128.andnot(x2, h2);
      x3 = v128.andnot(x3, h3);
    }
    x0 = clean4(x0, nd, miss);
    x1 = clean4(x1, nd, miss);
    x2 = clean4(x2, nd, miss);
    x3 = clean4(x3, nd, miss);
    a0 = f64x2.promote_low_f32x4(x0);
    a1 = f64x2.promote_low_f32x4(i64x2.shuffle(x0, x0, 1, 1));
    b0 = f64x2.promote_low_f32x4(x1);
    b1 = f64x2.promote_low_f32x4(i64x2.shuffle(x1, x1, 1, 1));
    c0 = f64x2.promote_low_f32x4(x2);
    c1 = f64x2.promote_low_f32x4(i64x2.shuffle(x2, x2, 1, 1));
    d0 = f64x2.promote_low_f32x4(x3);
    d1 = f64x2.promote_low_f32x4(i64x2.shuffle(x3, x3, 1, 1));
  } else {
    a0 = v128.load(p); a1 = v128.load(p, 16); b0 = v128.load(p, 32); b1 = v128.load(p, 48);
    c0 = v128.load(p, 64); c1 = v128.load(p, 80); d0 = v128.load(p, 96); d1 = v128.load(p, 112);
    if (sizeof<H>() == 2) {
      a0 = v128.andnot(a0, i64x2.extend_low_i32x4_s(h0));
      a1 = v128.andnot(a1, i64x2.extend_high_i32x4_s(h0));
      b0 = v128.andnot(b0, i64x2.extend_low_i32x4_s(h1));
      b1 = v128.andnot(b1, i64x2.extend_high_i32x4_s(h1));
      c0 = v128.andnot(c0, i64x2.extend_low_i32x4_s(h2));
      c1 = v128.andnot(c1, i64x2.extend_high_i32x4_s(h2));
      d0 = v128.andnot(d0, i64x2.extend_low_i32x4_s(h3));
      d1 = v128.andnot(d1, i64x2.extend_high_i32x4_s(h3));
    }
    a0 = clean2(a0, nd, miss); a1 = clean2(a1, nd, miss);
    b0 = clean2(b0, nd, miss); b1 = clean2(b1, nd, miss);
    c0 = clean2(c0, nd, miss); c1 = clean2(c1, nd, miss);
    d0 = clean2(d0, nd, miss); d1 = clean2(d1, nd, miss);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(b0, b1)), f64x2.add(f64x2.add(c0, c1), f64x2.add(d0, d1)));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

// Counts only (no value raster). Counts are integers, so only the plain uniform chunk (16 cells
// of one zone and class) is taken as a whole; other chunks go cell by cell.
function countsBlock<Z, C>(zp: usize, cp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize): void {
  let cur: i32 = -1;
  let cnt: u32 = 0;
  let i: usize = 0;
  while (i < n) {
    let end = n;
    if (i + CHUNK <= n) {
      const zq = zp + (i << alignof<Z>()), cq = cp + (i << alignof<C>());
      if (allEq16<Z>(zq, load<Z>(zq)) && allEq16<C>(cq, load<C>(cq))) {
        const a = lutIdx<Z>(zq, zl0, zl, zmin, zrange);
        const c = lutIdx<C>(cq, cl0, cl, cmin, crange);
        if ((a | c) >= 0) {
          const b = a + c;
          if (b != cur) {
            if (cur >= 0) flush(counts, 0, cur, cnt, 0);
            cur = b;
            cnt = 0;
          }
          cnt += <u32>CHUNK;
        }
        i += CHUNK;
        continue;
      }
      end = i + CHUNK;
    }
    for (; i < end; i++) {
      const a = lutIdx<Z>(zp + (i << alignof<Z>()), zl0, zl, zmin, zrange);
      const c = lutIdx<C>(cp + (i << alignof<C>()), cl0, cl, cmin, crange);
      if ((a | c) < 0) continue;
      const b = a + c;
      if (b != cur) {
        if (cur >= 0) flush(counts, 0, cur, cnt, 0);
        cur = b;
        cnt = 0;
      }
      cnt++;
    }
  }
  if (cur >= 0) flush(counts, 0, cur, cnt, 0);
}

// One value raster over one block, with the counts when counts != 0 (the first value raster of
// a task counts; further ones pass 0). Runs and chunks as in the rule above.
function valueBlock<Z, C, V>(zp: usize, cp: usize, vp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool,
  znd: i32, hasZnd: bool): void {
  let cur: i32 = -1;
  let cnt: u32 = 0;
  let acc: f64 = 0;
  const nd = sizeof<V>() == 4 ? f32x4.splat(hasNodata ? <f32>nodata : NaN) : f64x2.splat(hasNodata ? nodata : NaN);
  const none = i32x4.splat(0);
  let i: usize = 0;
  while (i < n) {
    let end = n;
    if (i + CHUNK <= n) {
      const zq = zp + (i << alignof<Z>()), cq = cp + (i << alignof<C>());
      const vq = vp + (i << alignof<V>());
      let b: i32 = -1;
      let k: u32 = 0;
      let sum: f64 = 0;
      if (allEq16<Z>(zq, load<Z>(zq)) && allEq16<C>(cq, load<C>(cq))) {
        // one zone and class over the 16 cells
        const a = lutIdx<Z>(zq, zl0, zl, zmin, zrange);
        const c = lutIdx<C>(cq, cl0, cl, cmin, crange);
        if ((a | c) < 0) { // no cell has a bin
          i += CHUNK;
          continue;
        }
        b = a + c;
        k = <u32>CHUNK;
        sum = chunkSum<V, u8>(vq, nd, missing + (<usize>b << 2), none, none, none, none);
      } else if (hasZnd) {
        // one zone and class apart from holes (zone NoData cells)
        const sn = splatT<Z>(znd);
        const h0 = eq4<Z>(zq, 0, sn), h1 = eq4<Z>(zq, 1, sn), h2 = eq4<Z>(zq, 2, sn), h3 = eq4<Z>(zq, 3, sn);
        const hb = i32x4.bitmask(h0) | (i32x4.bitmask(h1) << 4) | (i32x4.bitmask(h2) << 8) | (i32x4.bitmask(h3) << 12);
        if (hb == 0xffff) { // all holes
          i += CHUNK;
          continue;
        }
        const r = <usize>ctz(~hb); // the first cell that is not a hole
        const zr = zq + (r << alignof<Z>()), cr = cq + (r << alignof<C>());
        const sz = splatT<Z>(<i32>load<Z>(zr)), sc = splatT<C>(<i32>load<C>(cr));
        const m = v128.and(
          v128.and(v128.or(v128.and(eq4<Z>(zq, 0, sz), eq4<C>(cq, 0, sc)), h0), v128.or(v128.and(eq4<Z>(zq, 1, sz), eq4<C>(cq, 1, sc)), h1)),
          v128.and(v128.or(v128.and(eq4<Z>(zq, 2, sz), eq4<C>(cq, 2, sc)), h2), v128.or(v128.and(eq4<Z>(zq, 3, sz), eq4<C>(cq, 3, sc)), h3)));
        if (i32x4.all_true(m)) {
          const a = lutIdx<Z>(zr, zl0, zl, zmin, zrange);
          const c = lutIdx<C>(cr, cl0, cl, cmin, crange);
          if ((a | c) < 0) { // no cell has a bin
            i += CHUNK;
            continue;
          }
          b = a + c;
          k = <u32>CHUNK - <u32>popcnt(hb);
          sum = chunkSum<V, u16>(vq, nd, missing + (<usize>b << 2), h0, h1, h2, h3);
        }
      }
      if (b >= 0) {
        if (b != cur) {
          if (cur >= 0) flush(counts, sums, cur, cnt, acc);
          cur = b;
          cnt = 0;
          acc = 0;
        }
        cnt += k;
        acc += sum;
        i += CHUNK;
        continue;
      }
      end = i + CHUNK;
    }
    for (; i < end; i++) {
      const a = lutIdx<Z>(zp + (i << alignof<Z>()), zl0, zl, zmin, zrange);
      const c = lutIdx<C>(cp + (i << alignof<C>()), cl0, cl, cmin, crange);
      if ((a | c) < 0) continue;
      const b = a + c;
      if (b != cur) {
        if (cur >= 0) flush(counts, sums, cur, cnt, acc);
        cur = b;
        cnt = 0;
        acc = 0;
      }
      cnt++;
      const v = <f64>load<V>(vp + (i << alignof<V>()));
      if (v != v || (hasNodata && v == nodata)) {
        const pm = missing + (<usize>b << 2);
        store<u32>(pm, load<u32>(pm) + 1);
      } else {
        acc += v;
      }
    }
  }
  if (cur >= 0) flush(counts, sums, cur, cnt, acc);
}

function valueV<Z, C>(vtype: i32, zp: usize, cp: usize, vp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool,
  znd: i32, hasZnd: bool): void {
  if (vtype == DT_F32) valueBlock<Z, C, f32>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  else valueBlock<Z, C, f64>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
}

/** One block: counts only (vtype < 0), or one value raster's sums (+ the counts when counts != 0). */
function blockC<Z>(ctype: i32, vtype: i32, zp: usize, cp: usize, vp: usize, n: usize,
  zl0: usize, zl: usize, zmin: i64, zrange: u64, cl0: usize, cl: usize, cmin: i64, crange: u64,
  counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool, znd: i32, hasZnd: bool): void {
  if (vtype >= 0) {
    if (ctype == DT_U8) valueV<Z, u8>(vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
    else if (ctype == DT_U16) valueV<Z, u16>(vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
    else if (ctype == DT_I16) valueV<Z, i16>(vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
    else if (ctype == DT_U32) valueV<Z, u32>(vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
    else valueV<Z, i32>(vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  } else {
    if (ctype == DT_U8) countsBlock<Z, u8>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts);
    else if (ctype == DT_U16) countsBlock<Z, u16>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts);
    else if (ctype == DT_I16) countsBlock<Z, i16>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts);
    else if (ctype == DT_U32) countsBlock<Z, u32>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts);
    else countsBlock<Z, i32>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts);
  }
}

/** Runs one task (a run of canonical blocks). `rec` points at the f64 parameter record. */
export function zonal_task(rec: usize): void {
  const zones = pu(rec, P_ZONES);
  const ztype = pi(rec, P_ZTYPE);
  const classes = pu(rec, P_CLASSES);
  const ctype = pi(rec, P_CTYPE);
  const start = pu(rec, P_START);
  const count = pu(rec, P_COUNT);
  const block = pu(rec, P_BLOCK);
  const zlut = pu(rec, P_ZLUT);
  const zmin = <i64>pf(rec, P_ZMIN);
  const zrange = <u64>pf(rec, P_ZRANGE);
  const clut = pu(rec, P_CLUT);
  const cmin = <i64>pf(rec, P_CMIN);
  const crange = <u64>pf(rec, P_CRANGE);
  const nbins = pu(rec, P_NBINS);
  const counts = pu(rec, P_COUNTS);
  const nvalues = pi(rec, P_NVALUES);
  const vdesc = pu(rec, P_VALUES);
  const sums = pu(rec, P_SUMS);
  const missing = pu(rec, P_MISSING);
  const hasZnd = pf(rec, P_ZHASND) != 0;
  const znd = <i32><i64>pf(rec, P_ZND);

  // look-up tables pre-offset by -min for 8/16-bit codes (see lutIdx)
  const zl0 = zlut - (<usize><i32>zmin << 2);
  const cl0 = clut - (<usize><i32>cmin << 2);
  const zs = zoneShift(ztype), cs = zoneShift(ctype);
  let blk: usize = 0;
  for (let s: usize = 0; s < count; s += block, blk++) {
    const n = min(block, count - s);
    const part = sums + (blk * <usize>nvalues * nbins << 3);
    const zp = zones + ((start + s) << zs);
    const cp = classes + ((start + s) << cs);
    if (nvalues == 0) {
      blockZ(ztype, ctype, -1, zp, cp, 0, n, zl0, zlut, zmin, zrange, cl0, clut, cmin, crange, counts, 0, 0, 0, false, znd, hasZnd);
    }
    // each value raster in its own pass over the block; the first one also counts
    for (let v = 0; v < nvalues; v++) {
      const d = vdesc + (<usize>v << 5);
      const p = <usize>load<f64>(d);
      const t = <i32>load<f64>(d, 8);
      const nd = load<f64>(d, 16);
      const hn = load<f64>(d, 24) != 0;
      const vp = p + ((start + s) << (t == DT_F32 ? 2 : 3));
      blockZ(ztype, ctype, t, zp, cp, vp, n, zl0, zlut, zmin, zrange, cl0, clut, cmin, crange,
        v == 0 ? counts : 0, part + (<usize>v * nbins << 3), missing + (<usize>v * nbins << 2), nd, hn, znd, hasZnd);
    }
  }
}

// @ts-ignore: decorator
@inline function zoneShift(t: i32): usize {
  return t == DT_U8 ? 0 : t == DT_U16 || t == DT_I16 ? 1 : 2;
}

function blockZ(ztype: i32, ctype: i32, vtype: i32, zp: usize, cp: usize, vp: usize, n: usize,
  zl0: usize, zl: usize, zmin: i64, zrange: u64, cl0: usize, cl: usize, cmin: i64, crange: u64,
  counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool, znd: i32, hasZnd: bool): void {
  if (ztype == DT_U8) blockC<u8>(ctype, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  else if (ztype == DT_U16) blockC<u16>(ctype, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  else if (ztype == DT_I16) blockC<i16>(ctype, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  else if (ztype == DT_U32) blockC<u32>(ctype, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
  else blockC<i32>(ctype, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, znd, hasZnd);
}

// ---- presence of zone / class values (to build dense look-up tables) ------------------------

function presence<T>(ptr: usize, start: usize, n: usize, min: i64, range: u64, out: usize): void {
  if (sizeof<T>() <= 2) {
    // the host's map spans the whole type range: no check needed
    const m = <i32>min;
    for (let i: usize = 0; i < n; i++) {
      store<u8>(out + <usize>(<i32>load<T>(ptr + ((start + i) << alignof<T>())) - m), 1);
    }
    return;
  }
  for (let i: usize = 0; i < n; i++) {
    const o = <u64>(<i64>load<T>(ptr + ((start + i) << alignof<T>())) - min);
    if (o < range) store<u8>(out + <usize>o, 1);
  }
}

/** Marks out[v - min] = 1 for every value v in cells [start, start+n) (range-checked). */
export function presence_mark(ptr: usize, dtype: i32, start: f64, n: f64, min: f64, range: f64, out: usize): void {
  const s = <usize>start, m = <usize>n, mn = <i64>min, r = <u64>range;
  if (dtype == DT_U8) presence<u8>(ptr, s, m, mn, r, out);
  else if (dtype == DT_U16) presence<u16>(ptr, s, m, mn, r, out);
  else if (dtype == DT_I16) presence<i16>(ptr, s, m, mn, r, out);
  else if (dtype == DT_U32) presence<u32>(ptr, s, m, mn, r, out);
  else presence<i32>(ptr, s, m, mn, r, out);
}

function minmax<T>(ptr: usize, start: usize, n: usize, skip: i64, hasSkip: bool, out: usize): void {
  let lo: i64 = i64.MAX_VALUE, hi: i64 = i64.MIN_VALUE;
  for (let i: usize = 0; i < n; i++) {
    const v = <i64>load<T>(ptr + ((start + i) << alignof<T>()));
    if (hasSkip && v == skip) continue;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  store<f64>(out, <f64>lo);
  store<f64>(out, <f64>hi, 8);
}

/** Integer min/max over cells [start, start+n), skipping NoData; writes 2 f64 at out. */
export function int_minmax(ptr: usize, dtype: i32, start: f64, n: f64, nodata: f64, hasNodata: i32, out: usize): void {
  const s = <usize>start, m = <usize>n, sk = <i64>nodata, h = hasNodata != 0;
  if (dtype == DT_U8) minmax<u8>(ptr, s, m, sk, h, out);
  else if (dtype == DT_U16) minmax<u16>(ptr, s, m, sk, h, out);
  else if (dtype == DT_I16) minmax<i16>(ptr, s, m, sk, h, out);
  else if (dtype == DT_U32) minmax<u32>(ptr, s, m, sk, h, out);
  else minmax<i32>(ptr, s, m, sk, h, out);
}

// ---- SIMD min/max of 8/16-bit codes, NoData excluded ----------------------------------------
// 16 (u8) or 8 (u16/i16) cells per step; NoData lanes are replaced by the neutral element of
// each reduction (type max for min, type min for max) with a bitselect, so they never undercut
// or exceed a real code. Scalar tail. Writes min, max as 2 f64 at out; min > max means no
// valid cell.

function minmaxU8(p: usize, n: usize, nodata: i32, hasNodata: bool, out: usize): void {
  const nd = i8x16.splat(<i8>nodata);
  const hiN = i8x16.splat(-1);
  const loN = i8x16.splat(0);
  let vmin = hiN, vmax = loN;
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(p + i);
    const m = hasNodata ? i8x16.eq(v, nd) : loN;
    vmin = i8x16.min_u(vmin, v128.bitselect(hiN, v, m));
    vmax = i8x16.max_u(vmax, v128.bitselect(loN, v, m));
  }
  let lo: i32 = 255, hi: i32 = 0;
  for (let k = 0; k < 16; k++) {
    lo = min(lo, <i32>i8x16.extract_lane_u(vmin, 0));
    hi = max(hi, <i32>i8x16.extract_lane_u(vmax, 0));
    vmin = i8x16.shuffle(vmin, vmin, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0);
    vmax = i8x16.shuffle(vmax, vmax, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0);
  }
  for (; i < n; i++) {
    const v = <i32>load<u8>(p + i);
    if (hasNodata && v == nodata) continue;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  store<f64>(out, <f64>lo);
  store<f64>(out, <f64>hi, 8);
}

function minmax16(p: usize, n: usize, nodata: i32, hasNodata: bool, signed: bool, out: usize): void {
  const nd = i16x8.splat(<i16>nodata);
  const hiN = signed ? i16x8.splat(32767) : i16x8.splat(-1);
  const loN = signed ? i16x8.splat(-32768) : i16x8.splat(0);
  const none = i16x8.splat(0);
  let vmin = hiN, vmax = loN;
  let i: usize = 0;
  if (signed) {
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(p + (i << 1));
      const m = hasNodata ? i16x8.eq(v, nd) : none;
      vmin = i16x8.min_s(vmin, v128.bitselect(hiN, v, m));
      vmax = i16x8.max_s(vmax, v128.bitselect(loN, v, m));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(p + (i << 1));
      const m = hasNodata ? i16x8.eq(v, nd) : none;
      vmin = i16x8.min_u(vmin, v128.bitselect(hiN, v, m));
      vmax = i16x8.max_u(vmax, v128.bitselect(loN, v, m));
    }
  }
  let lo: i32 = signed ? 32767 : 65535, hi: i32 = signed ? -32768 : 0;
  for (let k = 0; k < 8; k++) {
    const a = signed ? <i32>i16x8.extract_lane_s(vmin, 0) : <i32>i16x8.extract_lane_u(vmin, 0);
    const b = signed ? <i32>i16x8.extract_lane_s(vmax, 0) : <i32>i16x8.extract_lane_u(vmax, 0);
    lo = min(lo, a);
    hi = max(hi, b);
    vmin = i16x8.shuffle(vmin, vmin, 1, 2, 3, 4, 5, 6, 7, 0);
    vmax = i16x8.shuffle(vmax, vmax, 1, 2, 3, 4, 5, 6, 7, 0);
  }
  for (; i < n; i++) {
    const v = signed ? <i32>load<i16>(p + (i << 1)) : <i32>load<u16>(p + (i << 1));
    if (hasNodata && v == nodata) continue;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  store<f64>(out, <f64>lo);
  store<f64>(out, <f64>hi, 8);
}

/**
 * Min and max of integer codes over cells [start, start+n), NoData skipped; 2 f64 at out
 * (min > max: no valid cell). SIMD for 8/16-bit types, scalar for 32-bit.
 */
export function code_minmax(ptr: usize, dtype: i32, start: f64, n: f64, nodata: f64, hasNodata: i32, out: usize): void {
  const s = <usize>start, m = <usize>n, h = hasNodata != 0;
  if (dtype == DT_U8) minmaxU8(ptr + s, m, <i32>nodata, h, out);
  else if (dtype == DT_U16) minmax16(ptr + (s << 1), m, <i32>nodata, h, false, out);
  else if (dtype == DT_I16) minmax16(ptr + (s << 1), m, <i32>nodata, h, true, out);
  else int_minmax(ptr, dtype, start, n, nodata, hasNodata, out);
}
