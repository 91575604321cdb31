// Random-forest prediction (Breiman 2001): mean over trees of the leaf class distributions.
// Rule and flattened layout: src/kernels/forest.ref.ts (the TypeScript reference, same bits).
//
// Per cell i with driver values v_d (d = 0..D-1):
//   valid = no v_d is NaN and no v_d equals nodata[d] (NaN = none);
//   tree walk: node j = (info, thr): go to node base + (info >>> 8) + (v_f > thr), f = info & 255;
//   leaves are self-loops (the host writes them as info = (own index) << 8 | 0, thr = +Infinity,
//   so v_0 > thr is false and the walk stays), so a walk is done when a step does not move;
//   p(i, o) = f32( (sum over trees in order of leafv[node, o], in f64) / T ), o = 0 .. kOut-1;
//   invalid cells: NaN.
// The host builds this layout from the flat forest of src/kernels/forest.ref.ts (where leaves
// carry a leaf index); the leaf reached and the sums are the same, so the bits are the same.
// Units: drivers in their own units; probabilities in [0, 1].
//
// Memory (laid out by the host, nothing allocated here):
//   x:       D float32 planes, plane d at x + 4 d xStride
//   nodata:  D float32
//   nodes:   8 bytes per node, trees concatenated: i32 info | f32 thr
//   trees:   T i32 node bases
//   leafv:   kOut float32 per node (global node index; 0 on internal nodes)
//   out:     kOut float32 planes, plane o at out + 4 o outStride
//   scratch: forest_scratch_bytes(D, kOut) bytes, private to the call.
// Speed: cells are taken in blocks of BLOCK; each block's valid cells are transposed to rows of D
// values, then every tree is walked for all of them in turn (the tree's nodes stay in cache
// across the block), four cells at a time without branches inside a step, so the four dependent
// load chains overlap.

// @ts-ignore: decorator
@inline const BLOCK: i32 = 256;

export function forest_scratch_bytes(D: i32, kOut: i32): i32 {
  return BLOCK * D * 4 + BLOCK * 4 + BLOCK * kOut * 8 + 64;
}

// @ts-ignore: decorator
@inline function step(nb: usize, j: usize, row: usize): usize {
  const info = load<i32>(j);
  const v = load<f32>(row + (<usize>(info & 255) << 2));
  return nb + ((<usize>(info >>> 8) + <usize>(v > load<f32>(j, 4))) << 3);
}

// @ts-ignore: decorator
@inline function addLeaf(acc: usize, leafv: usize, nodes: usize, j: usize, kOut: i32): void {
  const l = leafv + (((j - nodes) >> 3) * <usize>kOut << 2);
  for (let o = 0; o < kOut; o++) {
    const oo = <usize>o;
    store<f64>(acc + (oo << 3), load<f64>(acc + (oo << 3)) + <f64>load<f32>(l + (oo << 2)));
  }
}

export function forest_predict(
  x: usize, xStride: i32, n: i32, D: i32, nodata: usize,
  nodes: usize, trees: usize, T: i32, leafv: usize, kOut: i32,
  out: usize, outStride: i32, scratch: usize,
): void {
  const tx = (scratch + 15) & ~(<usize>15);
  const list = tx + <usize>(BLOCK * D * 4);
  const acc = (list + <usize>(BLOCK * 4) + 7) & ~(<usize>7);
  const rowBytes = <usize>(D << 2);
  const accBytes = <usize>(kOut << 3);
  const fT: f64 = <f64>T;
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
    memory.fill(acc, 0, <usize>m * accBytes);
    for (let t = 0; t < T; t++) {
      const nb0 = nodes + (<usize>load<i32>(trees + (<usize>t << 2)) << 3);
      let c = 0;
      for (; c + 3 < m; c += 4) {
        const r0 = tx + <usize>c * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        let j0: usize = nb0, j1: usize = nb0, j2: usize = nb0, j3: usize = nb0;
        while (true) {
          const n0 = step(nb0, j0, r0), n1 = step(nb0, j1, r1), n2 = step(nb0, j2, r2), n3 = step(nb0, j3, r3);
          const moved = (n0 ^ j0) | (n1 ^ j1) | (n2 ^ j2) | (n3 ^ j3);
          j0 = n0; j1 = n1; j2 = n2; j3 = n3;
          if (moved == 0) break;
        }
        const a0 = acc + <usize>c * accBytes;
        addLeaf(a0, leafv, nodes, j0, kOut);
        addLeaf(a0 + accBytes, leafv, nodes, j1, kOut);
        addLeaf(a0 + 2 * accBytes, leafv, nodes, j2, kOut);
        addLeaf(a0 + 3 * accBytes, leafv, nodes, j3, kOut);
      }
      for (; c < m; c++) {
        const r0 = tx + <usize>c * rowBytes;
        let j0: usize = nb0;
        while (true) {
          const n0 = step(nb0, j0, r0);
          if (n0 == j0) break;
          j0 = n0;
        }
        addLeaf(acc + <usize>c * accBytes, leafv, nodes, j0, kOut);
      }
    }
    for (let c = 0; c < m; c++) {
      const i = <usize>load<i32>(list + (<usize>c << 2));
      const a = acc + <usize>c * accBytes;
      for (let o = 0; o < kOut; o++) {
        store<f32>(out + ((<usize>o * <usize>outStride + i) << 2), <f32>(load<f64>(a + (<usize>o << 3)) / fT));
      }
    }
  }
}
