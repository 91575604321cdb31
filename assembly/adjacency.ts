// Zone adjacency: which zones of a zone raster touch (methods.md section 10, contiguity weights).
//
// Rule: the host has replaced every cell's zone code by a dense zone index (i32, -1 = NoData /
// no zone). For each cell (r, c) of the rows [rowStart, rowEnd) with index a >= 0, compare it
// with its right neighbour (r, c+1) and its lower neighbour (r+1, c); with queen = 1 also with
// the lower-right (r+1, c+1) and lower-left (r+1, c-1) ones. Every unordered pair of touching
// cells is thus seen exactly once over the whole raster. For a neighbour index b >= 0, b != a:
// bitmap[min(a,b) * nz + max(a,b)] = 1 (u8, nz x nz, zeroed by the host).
// Rows below rowEnd are only read (the next tile's first row), never written, so tasks over
// disjoint row ranges with their own bitmaps write disjoint memory; the host ORs the bitmaps,
// which is order-independent (results identical for any tile size and thread count).
// Units: none (indices). Source: rook/queen contiguity as in spdep::cell2nb / PySAL lat2W,
// applied to zone labels (two zones are neighbours when any of their cells touch).

// @ts-ignore: decorator
@inline function mark(bitmap: usize, nz: i32, a: i32, b: i32): void {
  if (b < 0 || b == a) return;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  store<u8>(bitmap + <usize>(<i64>lo * <i64>nz + <i64>hi), 1);
}

export function zone_adjacency(zones: usize, width: i32, height: i32, rowStart: i32, rowEnd: i32, queen: i32, nz: i32, bitmap: usize): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const row = zones + (<usize>r * <usize>width << 2);
    const below = r + 1 < height;
    const next = row + (<usize>width << 2);
    for (let c = 0; c < width; c++) {
      const a = load<i32>(row + (<usize>c << 2));
      if (a < 0) continue;
      if (c + 1 < width) mark(bitmap, nz, a, load<i32>(row + (<usize>(c + 1) << 2)));
      if (below) {
        mark(bitmap, nz, a, load<i32>(next + (<usize>c << 2)));
        if (queen != 0) {
          if (c + 1 < width) mark(bitmap, nz, a, load<i32>(next + (<usize>(c + 1) << 2)));
          if (c > 0) mark(bitmap, nz, a, load<i32>(next + (<usize>(c - 1) << 2)));
        }
      }
    }
  }
}
