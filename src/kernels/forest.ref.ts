/**
 * Random-forest prediction over rasters, plain TypeScript reference of assembly/forest.ts (same
 * rule, same operations in the same order, so the same bits).
 *
 * Rule, per cell i with driver values v_d (d = 0..D-1):
 *   valid  = no v_d is NaN and no v_d equals the driver's NoData (nodata[d], NaN = none);
 *   walk every tree t from its root: at an internal node with feature f and threshold thr go to
 *   the left child when v_f <= thr, else to the right one (children are adjacent: left, left+1);
 *   at its leaf read the class distribution q_t(k) (float32, k = 0..K-1);
 *   p(i, k) = float32( (sum over t in tree order of q_t(k), in f64) / T )    (mean over trees;
 *   Breiman 2001, the probability scikit-learn's predict_proba returns), written for the
 *   output classes k = kFirst .. kFirst + kOut - 1 only;  invalid cells: p = NaN.
 * Units: drivers in their own units (no normalisation: splits are invariant to monotone
 * transforms), probabilities dimensionless in [0, 1].
 *
 * Flattened layout (FlatForest, the kernel's memory layout):
 *   info[j] (int32) and thr[j] (float32) per node j, trees concatenated;
 *     internal node: info = (left child index relative to its tree's first node) << 8 | feature (0..254)
 *     leaf:          info = (leaf index relative to its tree's first leaf) << 8 | 255
 *   trees: per tree (node base, leaf base), int32 pairs; leaf values: K float32 per leaf.
 */
export const LEAF = 255;

export interface FlatForest {
  /** Drivers (features) D and classes K. */
  D: number;
  K: number;
  /** Number of trees. */
  T: number;
  info: Int32Array;
  thr: Float32Array;
  /** 2 * T int32: node base, leaf base (in leaves) of each tree. */
  trees: Int32Array;
  /** K float32 per leaf. */
  leaf: Float32Array;
}

export interface ForestPredictInput {
  forest: FlatForest;
  /** D planes of n cells (float32). */
  planes: Float32Array[];
  /** NoData per driver (NaN = none; NaN cells are always missing). */
  nodata: Float32Array;
  /** First output class and how many (default 0, K). */
  kFirst?: number;
  kOut?: number;
}

/** Leaf index (global, in leaves) that tree t assigns to a feature vector read by x(f). */
export function walkTree(f: FlatForest, t: number, x: (feature: number) => number): number {
  const nb = f.trees[2 * t], lb = f.trees[2 * t + 1];
  let j = nb;
  for (;;) {
    const info = f.info[j];
    const feat = info & 255;
    if (feat === LEAF) return lb + (info >>> 8);
    j = nb + (info >>> 8) + (x(feat) <= f.thr[j] ? 0 : 1);
  }
}

/** kOut planes of n cells: p(i, kFirst + o) at planes[o][i]; NaN on invalid cells. */
export function forestPredictRef(inp: ForestPredictInput): Float32Array[] {
  const f = inp.forest;
  const D = f.D, K = f.K, T = f.T;
  const kFirst = inp.kFirst ?? 0, kOut = inp.kOut ?? K;
  const n = inp.planes[0]?.length ?? 0;
  const out = Array.from({ length: kOut }, () => new Float32Array(n));
  const acc = new Float64Array(kOut);
  const v = new Float32Array(D);
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let d = 0; d < D; d++) {
      const x = inp.planes[d][i];
      v[d] = x;
      if (x !== x || x === inp.nodata[d]) ok = false;
    }
    if (!ok) {
      for (let o = 0; o < kOut; o++) out[o][i] = NaN;
      continue;
    }
    acc.fill(0);
    for (let t = 0; t < T; t++) {
      const l = walkTree(f, t, (d) => v[d]) * K + kFirst;
      for (let o = 0; o < kOut; o++) acc[o] += f.leaf[l + o];
    }
    for (let o = 0; o < kOut; o++) out[o][i] = acc[o] / T;
  }
  return out;
}
