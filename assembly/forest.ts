// Random-forest prediction (Breiman 2001): mean over trees of the leaf class distributions.
// Rule and flattened layout: src/kernels/forest.ref.ts (the TypeScript reference, same bits).
//
// Per cell i with driver values v_d (d = 0..D-1):
//   valid = no v_d is NaN and no v_d equals nodata[d] (NaN = none);
//   tree walk: node j = (info, thr); feature f = info & 255; f == 255 is a leaf with index
//   info >>> 8 (relative to the tree's leaf base); otherwise go to child (info >>> 8) + (v_f > thr)
//   (relative to the tree's node base: left, left + 1);
//   p(i, k) = f32( (sum over trees in order of leaf[k], in f64) / T ), k = kFirst .. kFirst+kOut-1;
//   invalid cells: NaN.
// Units: drivers in their own units; probabilities in [0, 1].
//
// Memory (laid out by the host, nothing allocated here):
//   x:       D float32 planes, plane d at x + 4 d xStride
//   nodata:  D float32
//   nodes:   8 bytes per node, trees concatenated: i32 info | f32 thr
//   trees:   T pairs of i32 (node base, leaf base)
//   leaf:    K float32 per leaf
//   out:     kOut float32 planes, plane o at out + 4 o outStride
//   scratch: forest_scratch_bytes(D, kOut) bytes, private to the call.
// Speed: cells are taken in blocks of BLOCK; each block's valid cells are transposed to rows of D
// values, then every tree is walked for all of them in turn (the tree's nodes stay in cache
// across the block), two cells at a time so the two dependent load chains overlap.

// @ts-ignore: decorator
@inline const BLOCK: i32 = 256;

export function forest_scratch_bytes(D: i32, kOut: i32): i32 {
  return BLOCK * D * 4 + BLOCK * 4 + BLOCK * kOut * 8 + 64;
}

// @ts-ignore: decorator
@inline function leafOf(nb: usize, row: usize): i32 {
  let j: usize = nb;
  let info = load<i32>(j);
  while ((info & 255) != 255) {
    const f = <usize>(info & 255);
    const v = load<f32>(row + (f << 2));
    j = nb + ((<usize>(info >>> 8) + <usize>(v > load<f32>(j, 4))) << 3);
    info = load<i32>(j);
  }
  return info >>> 8;
}

export function forest_predict(
  x: usize, xStride: i32, n: i32, D: i32, nodata: usize,
  nodes: usize, trees: usize, T: i32, leaf: usize, K: i32, kFirst: i32, kOut: i32,
  out: usize, outStride: i32, scratch: usize,
): void {
  const tx = (scratch + 15) & ~(<usize>15);
  const list = tx + <usize>(BLOCK * D * 4);
  const acc = (list + <usize>(BLOCK * 4) + 7) & ~(<usize>7);
  const rowBytes = <usize>(D << 2);
  const invT: f64 = <f64>T;
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const nb = min(BLOCK, n - b0);
    // transpose the block's valid cells into rows of D values
    let m = 0;
    for (let c = 0; c < nb; c++) {
      const i = b0 + c;
      let ok = true;
      const row = tx + <usize>m * rowBytes;
      for (let d = 0; d < D; d++) {
        const v = load<f32>(x + ((<usize>d * <usize>xStride + <usize>i) << 2));
        const nd = load<f32>(nodata + (<usize>d << 2));
        if (v != v || v == nd) ok = false;
        store<f32>(row + (<usize>d << 2), v);
      }
      if (ok) {
        store<i32>(list + (<usize>m << 2), i);
        m++;
      } else {
        for (let o = 0; o < kOut; o++) store<f32>(out + ((<usize>o * <usize>outStride + <usize>i) << 2), NaN);
      }
    }
    memory.fill(acc, 0, <usize>(m * kOut * 8));
    for (let t = 0; t < T; t++) {
      const nb0 = nodes + (<usize>load<i32>(trees + (<usize>t << 3)) << 3);
      const lb0 = leaf + ((<usize>load<i32>(trees + (<usize>t << 3), 4) * <usize>K + <usize>kFirst) << 2);
      let c = 0;
      for (; c + 1 < m; c += 2) {
        // two walks interleaved
        const r0 = tx + <usize>c * rowBytes, r1 = r0 + rowBytes;
        let j0: usize = nb0, j1: usize = nb0;
        let i0 = load<i32>(j0), i1 = load<i32>(j1);
        while ((i0 & 255) != 255 && (i1 & 255) != 255) {
          const v0 = load<f32>(r0 + (<usize>(i0 & 255) << 2));
          const v1 = load<f32>(r1 + (<usize>(i1 & 255) << 2));
          j0 = nb0 + ((<usize>(i0 >>> 8) + <usize>(v0 > load<f32>(j0, 4))) << 3);
          j1 = nb0 + ((<usize>(i1 >>> 8) + <usize>(v1 > load<f32>(j1, 4))) << 3);
          i0 = load<i32>(j0);
          i1 = load<i32>(j1);
        }
        while ((i0 & 255) != 255) {
          const v0 = load<f32>(r0 + (<usize>(i0 & 255) << 2));
          j0 = nb0 + ((<usize>(i0 >>> 8) + <usize>(v0 > load<f32>(j0, 4))) << 3);
          i0 = load<i32>(j0);
        }
        while ((i1 & 255) != 255) {
          const v1 = load<f32>(r1 + (<usize>(i1 & 255) << 2));
          j1 = nb0 + ((<usize>(i1 >>> 8) + <usize>(v1 > load<f32>(j1, 4))) << 3);
          i1 = load<i32>(j1);
        }
        const l0 = lb0 + ((<usize>(i0 >>> 8) * <usize>K) << 2);
        const l1 = lb0 + ((<usize>(i1 >>> 8) * <usize>K) << 2);
        const a0 = acc + ((<usize>c * <usize>kOut) << 3);
        const a1 = a0 + (<usize>kOut << 3);
        for (let o = 0; o < kOut; o++) {
          const oo = <usize>o;
          store<f64>(a0 + (oo << 3), load<f64>(a0 + (oo << 3)) + <f64>load<f32>(l0 + (oo << 2)));
          store<f64>(a1 + (oo << 3), load<f64>(a1 + (oo << 3)) + <f64>load<f32>(l1 + (oo << 2)));
        }
      }
      if (c < m) {
        const l = lb0 + ((<usize>leafOf(nb0, tx + <usize>c * rowBytes) * <usize>K) << 2);
        const a = acc + ((<usize>c * <usize>kOut) << 3);
        for (let o = 0; o < kOut; o++) {
          const oo = <usize>o;
          store<f64>(a + (oo << 3), load<f64>(a + (oo << 3)) + <f64>load<f32>(l + (oo << 2)));
        }
      }
    }
    for (let c = 0; c < m; c++) {
      const i = <usize>load<i32>(list + (<usize>c << 2));
      const a = acc + ((<usize>c * <usize>kOut) << 3);
      for (let o = 0; o < kOut; o++) {
        store<f32>(out + ((<usize>o * <usize>outStride + i) << 2), <f32>(load<f64>(a + (<usize>o << 3)) / invT));
      }
    }
  }
}
