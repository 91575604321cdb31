// Zonal sums: per (zone, class) cell counts and sums of value rasters.
//
// Rule: for every cell i with zone z_i and class c_i both valid (not NoData, present in the
// host's look-up tables), bin = zoneIndex(z_i) * nClass + classIndex(c_i);
//   counts[bin] += 1; for each value raster v: if v_i is not NaN and not NoData,
//   sums[v][bin] += f64(v_i) else missing[v][bin] += 1.
// Addition order (fixed, mirrored by the reference): within a block, runs of consecutive
// cells with the same bin are summed first, then added to the bin's partial (see fusedBlock).
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
const P_BINS = 15; // i32 scratch, blockCells entries
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
  const pc = counts + (<usize>cur << 2);
  store<u32>(pc, load<u32>(pc) + cnt);
  if (sums) {
    const ps = sums + (<usize>cur << 3);
    store<f64>(ps, load<f64>(ps) + acc);
  }
}

// Counts only (no value raster); bins != 0: also store each cell's bin (-1 for none).
function countsBlock<Z, C>(zp: usize, cp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize, bins: usize): void {
  let cur: i32 = -1;
  let cnt: u32 = 0;
  for (let i: usize = 0; i < n; i++) {
    const a = lutIdx<Z>(zp + (i << alignof<Z>()), zl0, zl, zmin, zrange);
    const c = lutIdx<C>(cp + (i << alignof<C>()), cl0, cl, cmin, crange);
    const b = (a | c) >= 0 ? a + c : -1;
    if (bins) store<i32>(bins + (i << 2), b);
    if (b < 0) continue;
    if (b != cur) {
      if (cur >= 0) flush(counts, 0, cur, cnt, 0);
      cur = b;
      cnt = 0;
    }
    cnt++;
  }
  if (cur >= 0) flush(counts, 0, cur, cnt, 0);
}

// One value raster, fused with the counts. K is a marker: u16 = test each value for NaN/NoData;
// u8 = the block's values were proven valid wherever the zone is valid (prescan), so the test is
// compiled out. Same additions in the same order either way.
function fusedBlock<Z, C, V, K>(zp: usize, cp: usize, vp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool): void {
  let cur: i32 = -1;
  let cnt: u32 = 0;
  let acc: f64 = 0;
  for (let i: usize = 0; i < n; i++) {
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
    if (sizeof<K>() == 1) {
      acc += v;
    } else if (v != v || (hasNodata && v == nodata)) {
      const pm = missing + (<usize>b << 2);
      store<u32>(pm, load<u32>(pm) + 1);
    } else {
      acc += v;
    }
  }
  if (cur >= 0) flush(counts, sums, cur, cnt, acc);
}

function fusedV<Z, C>(check: bool, vtype: i32, zp: usize, cp: usize, vp: usize, n: usize, zl0: usize, zl: usize, zmin: i64, zrange: u64,
  cl0: usize, cl: usize, cmin: i64, crange: u64, counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool): void {
  if (vtype == DT_F32) {
    if (check) fusedBlock<Z, C, f32, u16>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else fusedBlock<Z, C, f32, u8>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
  } else {
    if (check) fusedBlock<Z, C, f64, u16>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else fusedBlock<Z, C, f64, u8>(zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
  }
}

/** One block: counts (and bins when bins != 0) or, with a value raster, counts + its sums. */
function blockC<Z>(ctype: i32, nv: i32, check: bool, vtype: i32, zp: usize, cp: usize, vp: usize, n: usize,
  zl0: usize, zl: usize, zmin: i64, zrange: u64, cl0: usize, cl: usize, cmin: i64, crange: u64,
  counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool, bins: usize): void {
  if (nv == 1) {
    if (ctype == DT_U8) fusedV<Z, u8>(check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else if (ctype == DT_U16) fusedV<Z, u16>(check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else if (ctype == DT_I16) fusedV<Z, i16>(check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else if (ctype == DT_U32) fusedV<Z, u32>(check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
    else fusedV<Z, i32>(check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata);
  } else {
    if (ctype == DT_U8) countsBlock<Z, u8>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, bins);
    else if (ctype == DT_U16) countsBlock<Z, u16>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, bins);
    else if (ctype == DT_I16) countsBlock<Z, i16>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, bins);
    else if (ctype == DT_U32) countsBlock<Z, u32>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, bins);
    else countsBlock<Z, i32>(zp, cp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, bins);
  }
}

// Further value rasters (when there are several) for one block, from the stored bins, same runs.
function sumBlock<V>(vp: usize, n: usize, nodata: f64, hasNodata: bool, bins: usize, sums: usize, missing: usize): void {
  let cur: i32 = -1;
  let acc: f64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const b = load<i32>(bins + (i << 2));
    if (b < 0) continue;
    if (b != cur) {
      if (cur >= 0) {
        const ps = sums + (<usize>cur << 3);
        store<f64>(ps, load<f64>(ps) + acc);
      }
      cur = b;
      acc = 0;
    }
    const v = <f64>load<V>(vp + (i << alignof<V>()));
    if (v != v || (hasNodata && v == nodata)) {
      const p = missing + (<usize>b << 2);
      store<u32>(p, load<u32>(p) + 1);
    } else {
      acc += v;
    }
  }
  if (cur >= 0) {
    const ps = sums + (<usize>cur << 3);
    store<f64>(ps, load<f64>(ps) + acc);
  }
}

// Prescan of one block (SIMD): is any value NaN or NoData in a cell whose zone is not NoData?
// If not, the block runs without per-cell value tests. Conservative: cells skipped for other
// reasons (class NoData, zone not in the table) may still send the block to the tested path.
// @ts-ignore: decorator
@inline function zones4<Z>(p: usize, i: usize): v128 {
  if (sizeof<Z>() == 1) return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p + i)));
  if (sizeof<Z>() == 2) {
    if (isSigned<Z>()) return i32x4.extend_low_i16x8_s(v128.load64_zero(p + (i << 1)));
    return i32x4.extend_low_i16x8_u(v128.load64_zero(p + (i << 1)));
  }
  return v128.load(p + (i << 2));
}

function anyInvalidF32<Z>(zones: usize, values: usize, start: usize, n: usize, znd: i32, hasZnd: bool, nodata: f32, hasNodata: bool): bool {
  const zn = i32x4.splat(znd);
  const nd = f32x4.splat(hasNodata ? nodata : NaN);
  const none = i32x4.splat(0);
  let bad = none;
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(values + ((start + i) << 2));
    const inval = v128.or(f32x4.ne(x, x), f32x4.eq(x, nd));
    const zoneNd = hasZnd ? i32x4.eq(zones4<Z>(zones, start + i), zn) : none;
    bad = v128.or(bad, v128.andnot(inval, zoneNd));
  }
  if (v128.any_true(bad)) return true;
  for (; i < n; i++) {
    const x = load<f32>(values + ((start + i) << 2));
    const z = <i32>load<Z>(zones + ((start + i) << alignof<Z>()));
    if ((x != x || (hasNodata && x == nodata)) && !(hasZnd && z == znd)) return true;
  }
  return false;
}

function anyInvalid(ztype: i32, vtype: i32, zones: usize, values: usize, start: usize, n: usize, znd: i32, hasZnd: bool, nodata: f64, hasNodata: bool): bool {
  if (vtype != DT_F32) return true; // f64 values: always the tested path
  const nf = <f32>nodata;
  if (ztype == DT_U8) return anyInvalidF32<u8>(zones, values, start, n, znd, hasZnd, nf, hasNodata);
  if (ztype == DT_U16) return anyInvalidF32<u16>(zones, values, start, n, znd, hasZnd, nf, hasNodata);
  if (ztype == DT_I16) return anyInvalidF32<i16>(zones, values, start, n, znd, hasZnd, nf, hasNodata);
  if (ztype == DT_U32) return anyInvalidF32<u32>(zones, values, start, n, znd, hasZnd, nf, hasNodata);
  return anyInvalidF32<i32>(zones, values, start, n, znd, hasZnd, nf, hasNodata);
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
  const bins = pu(rec, P_BINS);
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
    if (nvalues == 1) {
      // the value raster is summed in the same pass as the counts; a SIMD prescan decides
      // whether each value must be tested for NaN/NoData
      const vptr = <usize>load<f64>(vdesc);
      const vtype = <i32>load<f64>(vdesc, 8);
      const nodata = load<f64>(vdesc, 16);
      const hasNodata = load<f64>(vdesc, 24) != 0;
      const check = anyInvalid(ztype, vtype, zones, vptr, start + s, n, znd, hasZnd, nodata, hasNodata);
      const vp = vptr + ((start + s) << (vtype == DT_F32 ? 2 : 3));
      blockZ(ztype, ctype, 1, check, vtype, zp, cp, vp, n, zl0, zlut, zmin, zrange, cl0, clut, cmin, crange, counts, part, missing, nodata, hasNodata, 0);
    } else {
      blockZ(ztype, ctype, 0, false, DT_F64, zp, cp, 0, n, zl0, zlut, zmin, zrange, cl0, clut, cmin, crange, counts, 0, 0, 0, false, nvalues > 1 ? bins : 0);
      for (let v = 0; v < nvalues; v++) {
        const d = vdesc + (<usize>v << 5);
        const p = <usize>load<f64>(d);
        const t = <i32>load<f64>(d, 8);
        const nd = load<f64>(d, 16);
        const hn = load<f64>(d, 24) != 0;
        const pv = part + (<usize>v * nbins << 3);
        const miss = missing + (<usize>v * nbins << 2);
        if (t == DT_F32) sumBlock<f32>(p + ((start + s) << 2), n, nd, hn, bins, pv, miss);
        else sumBlock<f64>(p + ((start + s) << 3), n, nd, hn, bins, pv, miss);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function zoneShift(t: i32): usize {
  return t == DT_U8 ? 0 : t == DT_U16 || t == DT_I16 ? 1 : 2;
}

function blockZ(ztype: i32, ctype: i32, nv: i32, check: bool, vtype: i32, zp: usize, cp: usize, vp: usize, n: usize,
  zl0: usize, zl: usize, zmin: i64, zrange: u64, cl0: usize, cl: usize, cmin: i64, crange: u64,
  counts: usize, sums: usize, missing: usize, nodata: f64, hasNodata: bool, bins: usize): void {
  if (ztype == DT_U8) blockC<u8>(ctype, nv, check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, bins);
  else if (ztype == DT_U16) blockC<u16>(ctype, nv, check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, bins);
  else if (ztype == DT_I16) blockC<i16>(ctype, nv, check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, bins);
  else if (ztype == DT_U32) blockC<u32>(ctype, nv, check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, bins);
  else blockC<i32>(ctype, nv, check, vtype, zp, cp, vp, n, zl0, zl, zmin, zrange, cl0, cl, cmin, crange, counts, sums, missing, nodata, hasNodata, bins);
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
