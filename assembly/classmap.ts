// Class map: a per-cell look-up of a value by land-use class code (the per-cell raster pass of
// the carbon coefficient and storage maps).
//
// Rule: for cell i with code a_i (and, for a change map, code b_i of a second class raster):
//   va = lutA[a_i - lutMin] when 0 <= a_i - lutMin < lutRange, else NaN
//   single map: out_i = va                      (e.g. emission t/yr = coefficient x pixel area,
//                                                or storage t/ha = C_total of the class)
//   change map: out_i = vb - va, vb = lutB[b_i - lutMin]   (future - baseline, f64 subtraction)
//   NaN (class NoData, code absent from the table, out of range) -> out_i = nodata.
// The f64 result is stored as f32 (round to nearest even, f32.demote) or f64.
// Units: those of the look-up table (the host folds in pixel areas and unit factors).
// The host builds the tables (f64, NaN = NoData; one per raster, since the two rasters may have
// different NoData codes). Pure per-cell map: any tiling / thread count gives the same bits.
// Source: methods.md section 6 (coefficient method E = A x a; InVEST carbon C_total, change).

// data types: keep in sync with src/kernels/classmap.ts (same codes as zonal)
const DT_U8: i32 = 0;
const DT_U16: i32 = 1;
const DT_I16: i32 = 2;
const DT_U32: i32 = 3;
const DT_F32: i32 = 5;

// @ts-ignore: decorator
@inline function look<T>(p: usize, lut: usize, min: i64, range: u64): f64 {
  if (sizeof<T>() <= 2) {
    // 8/16-bit codes and an i32 minimum: exact in i32, unsigned compare catches code < min
    const o = <u32>(<i32>load<T>(p) - <i32>min);
    return o < <u32>range ? load<f64>(lut + (<usize>o << 3)) : NaN;
  }
  const o = <u64>(<i64>load<T>(p) - min);
  return o < range ? load<f64>(lut + (<usize>o << 3)) : NaN;
}

function single<T, O>(a: usize, n: usize, lut: usize, min: i64, range: u64, out: usize, nodata: f64): void {
  const nd = <O>nodata;
  for (let i: usize = 0; i < n; i++) {
    const v = look<T>(a + (i << alignof<T>()), lut, min, range);
    store<O>(out + (i << alignof<O>()), v != v ? nd : <O>v);
  }
}

function change<T, O>(a: usize, b: usize, n: usize, lutA: usize, lutB: usize, min: i64, range: u64, out: usize, nodata: f64): void {
  const nd = <O>nodata;
  for (let i: usize = 0; i < n; i++) {
    const va = look<T>(a + (i << alignof<T>()), lutA, min, range);
    const vb = look<T>(b + (i << alignof<T>()), lutB, min, range);
    const v = vb - va;
    store<O>(out + (i << alignof<O>()), va != va || vb != vb ? nd : <O>v);
  }
}

function run<T, O>(a: usize, b: usize, n: usize, lutA: usize, lutB: usize, min: i64, range: u64, out: usize, nodata: f64): void {
  if (b) change<T, O>(a, b, n, lutA, lutB, min, range, out, nodata);
  else single<T, O>(a, n, lutA, min, range, out, nodata);
}

function runT<T>(otype: i32, a: usize, b: usize, n: usize, lutA: usize, lutB: usize, min: i64, range: u64, out: usize, nodata: f64): void {
  if (otype == DT_F32) run<T, f32>(a, b, n, lutA, lutB, min, range, out, nodata);
  else run<T, f64>(a, b, n, lutA, lutB, min, range, out, nodata);
}

/**
 * Cells [start, start + n) of class raster(s) a (and b; 0 = no change map) of type ctype,
 * through f64 tables lutA / lutB (lutRange entries from code lutMin), into out (otype f32/f64).
 * Pointers are to the buffers' first cell; start offsets all of them.
 */
export function classmap_run(ctype: i32, a: usize, b: usize, start: f64, n: f64, lutA: usize, lutB: usize,
  lutMin: f64, lutRange: f64, otype: i32, out: usize, nodata: f64): void {
  const s = <usize>start, m = <usize>n, mn = <i64>lutMin, r = <u64>lutRange;
  const os: usize = otype == DT_F32 ? 2 : 3;
  const o = out + (s << os);
  if (ctype == DT_U8) runT<u8>(otype, a + s, b ? b + s : 0, m, lutA, lutB, mn, r, o, nodata);
  else if (ctype == DT_U16) runT<u16>(otype, a + (s << 1), b ? b + (s << 1) : 0, m, lutA, lutB, mn, r, o, nodata);
  else if (ctype == DT_I16) runT<i16>(otype, a + (s << 1), b ? b + (s << 1) : 0, m, lutA, lutB, mn, r, o, nodata);
  else if (ctype == DT_U32) runT<u32>(otype, a + (s << 2), b ? b + (s << 2) : 0, m, lutA, lutB, mn, r, o, nodata);
  else runT<i32>(otype, a + (s << 2), b ? b + (s << 2) : 0, m, lutA, lutB, mn, r, o, nodata);
}
