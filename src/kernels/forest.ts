/**
 * Random-forest prediction over rasters: D float32 driver planes -> class-probability planes.
 * Kernel: assembly/forest.ts (forest_predict). Reference: ./forest.ref.ts (same rule and bits).
 *
 * Steps: validate the flattened forests -> place each once in the shared memory (nodes
 * interleaved as 8-byte (info, threshold) pairs) -> process the raster in strips of whole rows
 * (bounded arena use: a strip's D driver planes are copied in once and every forest writes its
 * output planes) -> each strip split into row tiles run as engine tasks, each with its own
 * scratch. A cell's result depends on its drivers and the forest only, so outputs are
 * bit-identical for any tile size, strip size and thread count. The kernel's node layout differs
 * from the flat forest in one respect: leaves become self-loops and leaf values are stored per
 * node (see assembly/forest.ts), which lets it walk four cells per step without branches.
 *
 * Example: const [p] = await forestPredict(engine, [{ forest: flat, kFirst: 1, kOut: 1 }], planes, nodata, W, H);
 */
import { ConfigError, InputError, checkInt } from '../errors.js';
import type { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';
import { LEAF, type FlatForest } from './forest.ref.js';

export { forestPredictRef, LEAF, type FlatForest } from './forest.ref.js';

export interface ForestOutput {
  forest: FlatForest;
  /** First output class and how many (default 0, K). */
  kFirst?: number;
  kOut?: number;
}

export interface ForestPredictOptions {
  /** Rows per task (default: about 4 tiles per thread). Results do not depend on it. */
  tileRows?: number;
  /** Most cells per strip (default: 256 MiB of driver and output planes). */
  stripCells?: number;
}

const STRIP_BYTES = 256 * 2 ** 20;

/** Structural checks (the kernel runs without bounds checks): every walk must end at a leaf in range. */
export function validateForest(f: FlatForest, what = 'random forest'): void {
  const D = checkInt(`${what}: drivers`, f.D, 1, 254);
  const K = checkInt(`${what}: classes`, f.K, 1, 1 << 16);
  const T = checkInt(`${what}: trees`, f.T, 1);
  if (f.trees.length !== 2 * T) throw new InputError(`${what}: tree table has ${f.trees.length} values, expected ${2 * T}`);
  if (f.thr.length !== f.info.length) throw new InputError(`${what}: ${f.thr.length} thresholds for ${f.info.length} nodes`);
  const nodes = f.info.length, leaves = f.leaf.length / K;
  if (!Number.isInteger(leaves)) throw new InputError(`${what}: ${f.leaf.length} leaf values is not a multiple of ${K} classes`);
  for (let t = 0; t < T; t++) {
    const nb = f.trees[2 * t], lb = f.trees[2 * t + 1];
    const ne = t + 1 < T ? f.trees[2 * t + 2] : nodes;
    const le = t + 1 < T ? f.trees[2 * t + 3] : leaves;
    if (!(nb >= 0 && ne > nb && ne <= nodes && lb >= 0 && le >= lb && le <= leaves)) throw new InputError(`${what}: tree ${t}: bad node or leaf range`);
    for (let j = nb; j < ne; j++) {
      const info = f.info[j], feat = info & 255, c = info >>> 8;
      if (feat === LEAF) {
        if (lb + c >= le) throw new InputError(`${what}: tree ${t}, node ${j - nb}: leaf ${c} out of range`);
      } else {
        if (feat >= D) throw new InputError(`${what}: tree ${t}, node ${j - nb}: driver ${feat} is not below ${D}`);
        // children after their parent: walks always move forward, so every walk ends
        if (!(nb + c > j && nb + c + 1 < ne)) throw new InputError(`${what}: tree ${t}, node ${j - nb}: child ${c} out of range`);
        if (Number.isNaN(f.thr[j])) throw new InputError(`${what}: tree ${t}, node ${j - nb}: threshold is NaN`);
      }
    }
  }
}

interface Placed {
  f: FlatForest;
  kFirst: number;
  kOut: number;
  nodes: number;
  trees: number;
  leaf: number;
}

/**
 * Predicts with one or more forests on the same drivers. Returns, per output spec, kOut planes
 * of width * height (NaN where a driver is missing).
 */
export async function forestPredict(
  engine: Engine,
  outputs: ForestOutput[],
  planes: Float32Array[],
  nodata: Float32Array,
  width: number,
  height: number,
  opts: ForestPredictOptions = {},
): Promise<Float32Array[][]> {
  checkInt('width', width, 1);
  checkInt('height', height, 1);
  if (outputs.length === 0) return [];
  const D = outputs[0].forest.D;
  for (const o of outputs) {
    validateForest(o.forest);
    if (o.forest.D !== D) throw new ConfigError(`random forest: forests with ${o.forest.D} and ${D} drivers cannot share one prediction`);
    const kf = o.kFirst ?? 0, ko = o.kOut ?? o.forest.K;
    checkInt('random forest: first output class', kf, 0, o.forest.K - 1);
    checkInt('random forest: output classes', ko, 1, o.forest.K - kf);
  }
  if (planes.length !== D) throw new InputError(`random forest: ${planes.length} driver planes given, the forest has ${D} drivers`);
  if (nodata.length !== D) throw new InputError(`random forest: ${nodata.length} NoData values, expected ${D}`);
  const n = width * height;
  planes.forEach((p, d) => {
    if (!(p instanceof Float32Array)) throw new ConfigError(`random forest: driver plane ${d} must be a Float32Array`);
    if (p.length !== n) throw new InputError(`random forest: driver plane ${d} has ${p.length} cells, expected ${width}x${height} = ${n}`);
  });
  const kAll = outputs.reduce((a, o) => a + (o.kOut ?? o.forest.K), 0);
  const stripCells = opts.stripCells !== undefined ? checkInt('stripCells', opts.stripCells, 1) : Math.floor(STRIP_BYTES / (4 * (D + kAll)));
  const stripRows = Math.max(1, Math.min(height, Math.floor(stripCells / width)));
  const sc = stripRows * width;
  const result = outputs.map((o) => Array.from({ length: o.kOut ?? o.forest.K }, () => new Float32Array(n)));
  const a = engine.arena;
  const mark = a.mark();
  try {
    const placed: Placed[] = outputs.map((o) => {
      const f = o.forest, kFirst = o.kFirst ?? 0, kOut = o.kOut ?? f.K;
      // kernel layout (assembly/forest.ts): leaves as self-loops, leaf values per node
      const nb = a.alloc<Int32Array>('int32', 2 * f.info.length, 'forest nodes');
      const lv = a.alloc<Float32Array>('float32', f.info.length * kOut, 'forest leaf values');
      const nv = nb.view(), lvv = lv.view();
      lvv.fill(0);
      const tv = new Int32Array(f.thr.buffer, f.thr.byteOffset, f.thr.length);
      const INF_BITS = 0x7f800000;
      const bases = new Int32Array(f.T);
      for (let t = 0; t < f.T; t++) {
        const base = f.trees[2 * t], lb = f.trees[2 * t + 1], end = t + 1 < f.T ? f.trees[2 * t + 2] : f.info.length;
        bases[t] = base;
        if (end - base >= 2 ** 23) throw new ConfigError(`random forest: tree ${t} has ${end - base} nodes, at most 2^23 are supported`);
        for (let j = base; j < end; j++) {
          const info = f.info[j];
          if ((info & 255) === LEAF) {
            nv[2 * j] = (j - base) << 8; // self-loop on driver 0
            nv[2 * j + 1] = INF_BITS;
            const l = (lb + (info >>> 8)) * f.K + kFirst;
            for (let q = 0; q < kOut; q++) lvv[j * kOut + q] = f.leaf[l + q];
          } else {
            nv[2 * j] = info;
            nv[2 * j + 1] = tv[j];
          }
        }
      }
      const tb = a.copyIn(bases, 'int32', 'forest tree table');
      return { f, kFirst, kOut, nodes: nb.ptr, trees: tb.ptr, leaf: lv.ptr };
    });
    const ndb = a.copyIn(nodata, 'float32', 'forest NoData');
    const xb = a.alloc<Float32Array>('float32', D * sc, 'forest driver strip');
    const obs = placed.map((p) => a.alloc<Float32Array>('float32', p.kOut * sc, 'forest output strip'));
    const tilesFor = (rows: number) => planStrips(rows, { tileRows: opts.tileRows, threads: engine.threads });
    const maxTiles = Math.max(tilesFor(stripRows).length, tilesFor(height % stripRows || stripRows).length);
    const kMax = Math.max(...placed.map((p) => p.kOut));
    const sb = engine.exports.forest_scratch_bytes(D, kMax) as number;
    const scratch = a.alloc<Uint8Array>('uint8', sb * maxTiles, 'forest scratch');
    for (let r0 = 0; r0 < height; r0 += stripRows) {
      const rows = Math.min(stripRows, height - r0);
      const s = r0 * width, e = s + rows * width;
      const xv = xb.view();
      for (let d = 0; d < D; d++) xv.set(planes[d].subarray(s, e), d * sc);
      const tiles = tilesFor(rows);
      for (let q = 0; q < placed.length; q++) {
        const p = placed[q], ob = obs[q];
        await engine.run(
          tiles.map((t, i) => {
            const off = 4 * t.row0 * width;
            return {
              fn: 'forest_predict',
              args: [xb.ptr + off, sc, t.rows * width, D, ndb.ptr, p.nodes, p.trees, p.f.T, p.leaf, p.kOut, ob.ptr + off, sc, scratch.ptr + i * sb],
            };
          }),
        );
        const ov = ob.view();
        for (let o = 0; o < p.kOut; o++) result[q][o].set(ov.subarray(o * sc, o * sc + rows * width), s);
      }
    }
  } finally {
    a.release(mark);
  }
  return result;
}
