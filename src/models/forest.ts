/**
 * Random forest of classification trees (Breiman 2001; CART with the Gini index, Breiman et al.
 * 1984), trained in TypeScript one tree per task across the engine's workers, predicted over
 * rasters by the WASM kernel (src/kernels/forest.ts). Used by PLUS's LEAS (src/models/leas.ts).
 *
 * Training, exactly (every random draw is rngU32/rngF64 of the counter RNG, keyed by (seed,
 * stream) with streams fixed per tree, indexed by sample or node number; a tree depends only
 * on the seed, its index and the sample, so the forest is bit-identical for any thread count):
 * - Binning (histogram splits, as LightGBM / scikit-learn's HistGradientBoosting): per driver,
 *   the sample's distinct float32 values u_0 < ... < u_{m-1}; if m <= maxBins (default 256)
 *   every value is its own bin, otherwise maxBins bins of about equal sample counts (cuts only
 *   between distinct values). The candidate thresholds are the midpoints between the largest
 *   value of a bin and the smallest of the next (float32; the lower value when the midpoint
 *   rounds up to the upper one), i.e. exactly scikit-learn's exact CART thresholds whenever
 *   m <= maxBins, and a subset of them otherwise. Prediction compares raw values:
 *   v <= threshold goes left.
 * - Bootstrap per tree t: n draws j -> row floor(rngF64(key(seed, 16 t + 1), j) * n); a row's
 *   weight is how often it was drawn (as scikit-learn: sample_weight = bootstrap counts).
 *   Out-of-bag (OOB) rows of tree t: weight 0.
 * - Growing (depth first, left subtree first; node ids in creation order, children adjacent):
 *   a node is a leaf when it is pure, has fewer than 2 * minLeaf distinct rows, or is at
 *   maxDepth. Otherwise the drivers are visited in a random order (Fisher-Yates with
 *   rngF64(key(seed, 16 t + 2), node id * D + j)) until mtry drivers with at least two
 *   non-empty bins have been searched (as scikit-learn, constant drivers do not count); for each
 *   the split between consecutive non-empty bins that maximises the Gini proxy
 *   sum_k L_k^2 / W_L + sum_k R_k^2 / W_R (weighted class counts left / right; scikit-learn's
 *   proxy) with at least minLeaf distinct rows on each side; the first maximum (visit order,
 *   then bin order) wins. No split found -> leaf.
 * - Leaf value: weighted class shares (float32). Prediction: mean over trees (forest.ref.ts).
 * - Mean decrease in impurity (MDI): per tree sum over its splits on driver d of
 *   W gini - W_L gini_L - W_R gini_R, divided by the root weight and normalised to sum 1 over
 *   drivers, then averaged over trees and normalised again (scikit-learn's feature_importances_).
 * - OOB accuracy: each row's class distribution summed over the trees for which it is OOB,
 *   argmax (first maximum) vs its label, over rows OOB at least once.
 * - Permutation importance (Breiman 2001 / R randomForest's mean decrease in accuracy): per tree,
 *   (correct OOB predictions - correct OOB predictions with driver d's values permuted among the
 *   tree's OOB rows) / OOB rows, averaged over trees. The permutation of tree t, driver d is
 *   Fisher-Yates (q = nO-1 .. 1, swap with floor(u (q + 1))), u = rngF64(key(seed, 16 t + 3), d n + q).
 */
import { ConfigError, InputError, checkInt } from '../errors.js';
import { RngKey, rngF64 } from '../kernels/rng.ref.js';
import { FlatForest, LEAF } from '../kernels/forest.ref.js';
import { distModuleUrl, type Engine } from '../tiling/engine.js';

export interface ForestOptions {
  /** Number of trees (default 50). */
  trees?: number;
  /** Drivers searched per split (default max(1, floor(sqrt(D))), Breiman's classification default). */
  mtry?: number;
  /** Minimum distinct rows per leaf (default 1). */
  minLeaf?: number;
  /** Maximum depth, root = 0 (default 0 = unlimited; capped at 512). */
  maxDepth?: number;
  /** Seed, integer in [0, 2^53). */
  seed?: number;
  /** Bins per driver for split search, 2..256 (default 256). */
  maxBins?: number;
}

export interface ResolvedForestOptions {
  trees: number;
  mtry: number;
  minLeaf: number;
  maxDepth: number;
  seed: number;
  maxBins: number;
}

export function resolveForestOptions(o: ForestOptions, D: number): ResolvedForestOptions {
  return {
    trees: checkInt('trees', o.trees ?? 50, 1, 100_000),
    mtry: checkInt('mtry', o.mtry ?? Math.max(1, Math.floor(Math.sqrt(D))), 1, D),
    minLeaf: checkInt('min leaf', o.minLeaf ?? 1, 1),
    maxDepth: checkInt('max depth', o.maxDepth ?? 0, 0, 512),
    seed: checkInt('seed', o.seed ?? 1, 0, Number.MAX_SAFE_INTEGER),
    maxBins: checkInt('max bins', o.maxBins ?? 256, 2, 256),
  };
}

/** A training set: n rows of D float32 drivers (row-major) and class labels 0..K-1. */
export interface ForestData {
  n: number;
  D: number;
  K: number;
  X: Float32Array;
  y: Uint8Array;
}

export interface Binned {
  /** Thresholds per driver: split after bin b is v <= thr[d][b]. */
  thr: Float32Array[];
  /** Bin of each row, driver-major: xb[d * n + row]. */
  xb: Uint8Array;
}

function splitValue(lo: number, hi: number): number {
  const m = Math.fround((lo + hi) / 2);
  return m < hi ? m : lo;
}

/** Bins the drivers of a training set (rule in the header). */
export function binData(data: ForestData, maxBins = 256): Binned {
  const { n, D, X } = data;
  const xb = new Uint8Array(n * D);
  const thr: Float32Array[] = [];
  const col = new Float32Array(n);
  for (let d = 0; d < D; d++) {
    for (let r = 0; r < n; r++) col[r] = X[r * D + d];
    const s = col.slice().sort();
    // distinct values and their counts
    const u: number[] = [];
    const c: number[] = [];
    for (let r = 0; r < n; r++) {
      if (u.length && s[r] === u[u.length - 1]) c[c.length - 1]++;
      else {
        u.push(s[r]);
        c.push(1);
      }
    }
    const m = u.length;
    const t: number[] = [];
    if (m <= maxBins) {
      for (let j = 0; j + 1 < m; j++) t.push(splitValue(u[j], u[j + 1]));
    } else {
      // cut after distinct value j when the cumulative count first reaches b * n / maxBins
      let cum = 0, b = 1;
      for (let j = 0; j + 1 < m && b < maxBins; j++) {
        cum += c[j];
        if (cum >= (b * n) / maxBins) {
          t.push(splitValue(u[j], u[j + 1]));
          while (b < maxBins && cum >= (b * n) / maxBins) b++;
        }
      }
    }
    const th = Float32Array.from(t);
    thr.push(th);
    for (let r = 0; r < n; r++) xb[d * n + r] = binOf(th, col[r]);
  }
  return { thr, xb };
}

/** Number of thresholds < v (the bin of v). */
function binOf(th: Float32Array, v: number): number {
  let lo = 0, hi = th.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= th[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One tree, as trained (flattened later into FlatForest). */
export interface Tree {
  /** Per node: feature (255 = leaf), left child id (or leaf index), threshold. */
  feature: Uint8Array;
  child: Int32Array;
  thr: Float32Array;
  /** K float32 per leaf. */
  leaf: Float32Array;
  /** Impurity decrease per driver (normalised to sum 1; all 0 for a single-leaf tree). */
  mdi: Float64Array;
  /** OOB rows, their summed class distributions (K per row, this tree only). */
  oobRows: Int32Array;
  oobProb: Float32Array;
  /** Correct OOB predictions, and with driver d permuted (D values). */
  oobCorrect: number;
  oobPermCorrect: Int32Array;
}

const STREAMS_PER_TREE = 16;

export function treeKey(seed: number, tree: number, what: number): RngKey {
  return new RngKey(seed, STREAMS_PER_TREE * tree + what);
}


/**
 * Trains tree `t` (rule in the header). xb: binned drivers (driver-major), y: labels.
 * Pure function of its arguments.
 */
export function trainTree(
  xb: Uint8Array,
  y: Uint8Array,
  n: number,
  D: number,
  K: number,
  nbins: Int32Array,
  thr: Float32Array[],
  o: ResolvedForestOptions,
  t: number,
): Tree {
  if (n < 1) throw new InputError('random forest: no training rows');
  // bootstrap
  const w = new Int32Array(n);
  const kb = treeKey(o.seed, t, 1);
  for (let j = 0; j < n; j++) w[Math.min(n - 1, Math.floor(rngF64(kb, j) * n))]++;
  let m = 0;
  for (let r = 0; r < n; r++) if (w[r] > 0) m++;
  const rows = new Int32Array(m);
  const oob = new Int32Array(n - m);
  for (let r = 0, a = 0, b = 0; r < n; r++) {
    if (w[r] > 0) rows[a++] = r;
    else oob[b++] = r;
  }
  const kf = treeKey(o.seed, t, 2);
  const maxDepth = o.maxDepth === 0 ? 512 : o.maxDepth;
  // growing node arrays
  let cap = 64;
  let feature = new Uint8Array(cap), child = new Int32Array(cap), thrv = new Float32Array(cap), sbin = new Uint8Array(cap);
  let leafv: number[] = [];
  let nodes = 1;
  const grow = () => {
    cap *= 2;
    const f2 = new Uint8Array(cap); f2.set(feature); feature = f2;
    const c2 = new Int32Array(cap); c2.set(child); child = c2;
    const t2 = new Float32Array(cap); t2.set(thrv); thrv = t2;
    const b2 = new Uint8Array(cap); b2.set(sbin); sbin = b2;
  };
  const mdi = new Float64Array(D);
  // scratch
  const maxB = 256;
  const hw = new Float64Array(maxB * K); // weighted class counts per bin
  const hu = new Int32Array(maxB); // distinct rows per bin
  const order = new Int32Array(D);
  const lw = new Float64Array(K), tot = new Float64Array(K);
  // stack of (node, start, end, depth)
  const stack: number[] = [0, 0, m, 0];
  let leaves = 0;
  const rootW = n; // sum of bootstrap weights = n
  while (stack.length) {
    const depth = stack.pop()!, e = stack.pop()!, s = stack.pop()!, id = stack.pop()!;
    tot.fill(0);
    for (let j = s; j < e; j++) tot[y[rows[j]]] += w[rows[j]];
    let W = 0, sq = 0, nonzero = 0;
    for (let k = 0; k < K; k++) {
      W += tot[k];
      sq += tot[k] * tot[k];
      if (tot[k] > 0) nonzero++;
    }
    const count = e - s;
    let bestF = -1, bestB = -1, bestProxy = -Infinity;
    if (nonzero > 1 && count >= 2 * o.minLeaf && depth < maxDepth) {
      for (let d = 0; d < D; d++) order[d] = d;
      let searched = 0;
      for (let j = 0; j < D && searched < o.mtry; j++) {
        const r = j + Math.floor(rngF64(kf, id * D + j) * (D - j));
        const d = order[r];
        order[r] = order[j];
        order[j] = d;
        const B = nbins[d];
        if (B < 2) continue;
        const base = d * n;
        hw.fill(0, 0, B * K);
        hu.fill(0, 0, B);
        let bmin = B, bmax = -1;
        for (let q = s; q < e; q++) {
          const row = rows[q];
          const b = xb[base + row];
          hw[b * K + y[row]] += w[row];
          hu[b]++;
          if (b < bmin) bmin = b;
          if (b > bmax) bmax = b;
        }
        if (bmax <= bmin) continue; // constant in this node
        searched++;
        lw.fill(0);
        let WL = 0, nL = 0;
        for (let b = bmin; b < bmax; b++) {
          if (hu[b] === 0) continue;
          for (let k = 0; k < K; k++) lw[k] += hw[b * K + k];
          for (let k = 0; k < K; k++) WL += hw[b * K + k];
          nL += hu[b];
          if (nL < o.minLeaf) continue;
          if (count - nL < o.minLeaf) break;
          const WR = W - WL;
          let sl = 0, sr = 0;
          for (let k = 0; k < K; k++) {
            const r2 = tot[k] - lw[k];
            sl += lw[k] * lw[k];
            sr += r2 * r2;
          }
          const proxy = sl / WL + sr / WR;
          if (proxy > bestProxy) {
            bestProxy = proxy;
            bestF = d;
            bestB = b;
          }
        }
      }
    }
    if (bestF < 0) {
      feature[id] = LEAF;
      child[id] = leaves++;
      for (let k = 0; k < K; k++) leafv.push(Math.fround(tot[k] / W));
      continue;
    }
    // partition rows[s, e) by bin <= bestB
    const base = bestF * n;
    let a = s, b = e - 1;
    while (a <= b) {
      if (xb[base + rows[a]] <= bestB) a++;
      else {
        const tmp = rows[a];
        rows[a] = rows[b];
        rows[b] = tmp;
        b--;
      }
    }
    // impurity decrease: W gini - WL giniL - WR giniR = (sum L^2 / WL + sum R^2 / WR) - sum T^2 / W
    mdi[bestF] += bestProxy - sq / W;
    while (nodes + 2 > cap) grow();
    const left = nodes;
    nodes += 2;
    feature[id] = bestF;
    child[id] = left;
    thrv[id] = thr[bestF][bestB];
    sbin[id] = bestB;
    stack.push(left + 1, a, e, depth + 1);
    stack.push(left, s, a, depth + 1);
  }
  let ms = 0;
  for (let d = 0; d < D; d++) ms += mdi[d] / rootW;
  for (let d = 0; d < D; d++) mdi[d] = ms > 0 ? mdi[d] / rootW / ms : 0;
  const tree: Tree = {
    feature: feature.slice(0, nodes), child: child.slice(0, nodes), thr: thrv.slice(0, nodes), leaf: Float32Array.from(leafv),
    mdi, oobRows: oob, oobProb: new Float32Array(oob.length * K), oobCorrect: 0, oobPermCorrect: new Int32Array(D),
  };
  // OOB predictions and permutation importance (on bins: the same path as the thresholds)
  const splitBin = sbin;
  const walk = (row: number, dPerm: number, vPerm: number): number => {
    let j = 0;
    for (;;) {
      const f = tree.feature[j];
      if (f === LEAF) return tree.child[j];
      const b = f === dPerm ? vPerm : xb[f * n + row];
      j = tree.child[j] + (b <= splitBin[j] ? 0 : 1); // bin <= split bin <=> value <= threshold
    }
  };
  const argmax = (l: number) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (tree.leaf[l * K + k] > tree.leaf[l * K + best]) best = k;
    return best;
  };
  const nO = oob.length;
  for (let q = 0; q < nO; q++) {
    const l = walk(oob[q], -1, 0);
    for (let k = 0; k < K; k++) tree.oobProb[q * K + k] = tree.leaf[l * K + k];
    if (argmax(l) === y[oob[q]]) tree.oobCorrect++;
  }
  if (nO > 1) {
    const perm = new Int32Array(nO);
    for (let d = 0; d < D; d++) {
      const kp = treeKey(o.seed, t, 3);
      for (let q = 0; q < nO; q++) perm[q] = q;
      for (let q = nO - 1; q > 0; q--) {
        const r = Math.floor(rngF64(kp, d * n + q) * (q + 1));
        const tmp = perm[q];
        perm[q] = perm[r];
        perm[r] = tmp;
      }
      let c = 0;
      for (let q = 0; q < nO; q++) if (argmax(walk(oob[q], d, xb[d * n + oob[perm[q]]])) === y[oob[q]]) c++;
      tree.oobPermCorrect[d] = c;
    }
  } else {
    tree.oobPermCorrect.fill(tree.oobCorrect);
  }
  return tree;
}

export interface Forest {
  D: number;
  K: number;
  options: ResolvedForestOptions;
  trees: Tree[];
  /** MDI per driver (sum 1) and permutation importance per driver (accuracy points). */
  mdi: number[];
  permutation: number[];
  /** OOB accuracy (null when no row is ever OOB) and the rows it covers. */
  oobAccuracy: number | null;
  oobRows: number;
}

/** Worker entry: trains the trees `ts` of a training set laid out in the shared memory. */
export function trainTreesTask(
  ptrs: { xb: number; y: number },
  n: number,
  D: number,
  K: number,
  nbins: number[],
  thr: number[][],
  o: ResolvedForestOptions,
  ts: number[],
  ctx: { memory: WebAssembly.Memory },
): Tree[] {
  const buf = ctx.memory.buffer;
  const xb = new Uint8Array(buf, ptrs.xb, n * D);
  const y = new Uint8Array(buf, ptrs.y, n);
  const th = thr.map((a) => Float32Array.from(a));
  return ts.map((t) => trainTree(xb, y, n, D, K, Int32Array.from(nbins), th, o, t));
}

/** Checks a training set's shapes and labels. */
export function checkForestData(data: ForestData): void {
  checkInt('random forest: rows', data.n, 1);
  checkInt('random forest: drivers', data.D, 1, 254);
  checkInt('random forest: classes', data.K, 1, 255);
  if (data.X.length !== data.n * data.D) throw new InputError(`random forest: ${data.X.length} driver values, expected ${data.n} x ${data.D}`);
  if (data.y.length !== data.n) throw new InputError(`random forest: ${data.y.length} labels, expected ${data.n}`);
  for (let i = 0; i < data.X.length; i++) {
    if (!Number.isFinite(data.X[i])) throw new InputError(`random forest: row ${Math.floor(i / data.D)}, driver ${i % data.D}: expected a finite value, got ${data.X[i]}`);
  }
  for (let i = 0; i < data.n; i++) if (data.y[i] >= data.K) throw new InputError(`random forest: label ${data.y[i]} of row ${i} is not below ${data.K}`);
}

/**
 * Trains a forest (rule in the header). Trees are split into one task per tree across the
 * engine's workers (the binned sample is placed once in the shared memory); results are merged
 * in tree order, so the forest does not depend on the thread count. engine = null trains on
 * this thread.
 */
export async function trainForest(engine: Engine | null, data: ForestData, options: ForestOptions = {}): Promise<Forest> {
  checkForestData(data);
  const { n, D, K, y } = data;
  const o = resolveForestOptions(options, D);
  const { thr, xb } = binData(data, o.maxBins);
  const nbins = Int32Array.from(thr, (t) => t.length + 1);
  let trees: Tree[];
  if (engine === null || engine.threads === 1) {
    trees = [];
    for (let t = 0; t < o.trees; t++) trees.push(trainTree(xb, y, n, D, K, nbins, thr, o, t));
  } else {
    const mark = engine.arena.mark();
    try {
      const bx = engine.arena.copyIn(xb, 'uint8', 'forest binned sample');
      const by = engine.arena.copyIn(y, 'uint8', 'forest labels');
      const thrA = thr.map((a) => Array.from(a));
      const groups: number[][] = [];
      for (let t = 0; t < o.trees; t++) groups.push([t]);
      const res = await engine.run<Tree[]>(
        groups.map((ts) => ({
          module: distModuleUrl('src/models/forest.js'),
          fn: 'trainTreesTask',
          args: [{ xb: bx.ptr, y: by.ptr }, n, D, K, Array.from(nbins), thrA, o, ts],
        })),
      );
      trees = res.flat();
    } finally {
      engine.arena.release(mark);
    }
  }
  return summarise(trees, data, o);
}

function summarise(trees: Tree[], data: ForestData, o: ResolvedForestOptions): Forest {
  const { n, D, K, y } = data;
  const T = trees.length;
  const mdi = new Array(D).fill(0);
  const perm = new Array(D).fill(0);
  let permTrees = 0;
  for (const t of trees) for (let d = 0; d < D; d++) mdi[d] += t.mdi[d];
  const ms = mdi.reduce((a, b) => a + b, 0);
  for (let d = 0; d < D; d++) mdi[d] = ms > 0 ? mdi[d] / ms : 0;
  const votes = new Float64Array(n * K);
  const seen = new Uint8Array(n);
  for (const t of trees) {
    const nO = t.oobRows.length;
    if (nO > 0) {
      permTrees++;
      for (let d = 0; d < D; d++) perm[d] += (t.oobCorrect - t.oobPermCorrect[d]) / nO;
    }
    for (let q = 0; q < nO; q++) {
      const r = t.oobRows[q];
      seen[r] = 1;
      for (let k = 0; k < K; k++) votes[r * K + k] += t.oobProb[q * K + k];
    }
  }
  let covered = 0, correct = 0;
  for (let r = 0; r < n; r++) {
    if (!seen[r]) continue;
    covered++;
    let best = 0;
    for (let k = 1; k < K; k++) if (votes[r * K + k] > votes[r * K + best]) best = k;
    if (best === y[r]) correct++;
  }
  return {
    D, K, options: o, trees,
    mdi, permutation: perm.map((p) => (permTrees ? p / permTrees : 0)),
    oobAccuracy: covered ? correct / covered : null, oobRows: covered,
  };
  void T;
}

/** The prediction layout (forest.ref.ts) of a trained forest. */
export function flattenForest(f: { D: number; K: number; trees: Array<Pick<Tree, 'feature' | 'child' | 'thr' | 'leaf'>> }): FlatForest {
  let nodes = 0, leaves = 0;
  for (const t of f.trees) {
    if (t.feature.length >= 2 ** 23) throw new ConfigError(`random forest: a tree has ${t.feature.length} nodes, at most 2^23 are supported (raise --min-leaf or lower the sample)`);
    nodes += t.feature.length;
    leaves += t.leaf.length / f.K;
  }
  const info = new Int32Array(nodes), thr = new Float32Array(nodes), trees = new Int32Array(2 * f.trees.length), leaf = new Float32Array(leaves * f.K);
  let nb = 0, lb = 0;
  f.trees.forEach((t, i) => {
    trees[2 * i] = nb;
    trees[2 * i + 1] = lb;
    for (let j = 0; j < t.feature.length; j++) {
      info[nb + j] = (t.child[j] << 8) | t.feature[j];
      thr[nb + j] = t.thr[j];
    }
    leaf.set(t.leaf, lb * f.K);
    nb += t.feature.length;
    lb += t.leaf.length / f.K;
  });
  return { D: f.D, K: f.K, T: f.trees.length, info, thr, trees, leaf };
}
