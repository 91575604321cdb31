/**
 * FLUS land-use simulation loop (seed 004 eq. 3-5; Liu et al. 2017; methods.md section 3):
 * iterate the CA kernel (assembly/ca.ts via src/kernels/ca.ts) until every class meets its
 * demand, for one or more target years in turn.
 *
 * Default update, "sync" (deterministic and parallel):
 *   1. The kernel proposes a class for every valid unrestricted cell from the previous map
 *      (synchronous: nothing changes during the sweep), with roulette draws
 *      u = rngF64(seed, stream = t, cell index) over TP_k = sp_k * Omega_k * inertia * allowed;
 *      for a proposed conversion c -> k it also writes a priority, the float32 bits of
 *      sp_k / sp_c (the cell's suitability for the proposed class relative to its current one;
 *      +Infinity when sp_c = 0); t counts iterations over all target years.
 *   2. Demand enforcement (no raster-order bias; enforceDemand): with gaps D_k = demand_k -
 *      count_k at the start of the iteration and budgets b_k = ceil(f * |D_k|), f = acceptFraction
 *      (default 0.1), a growing class (D_k > 0) may gain at most b_k cells and lose none, a
 *      shrinking class (D_k < 0) may lose at most b_k cells and gain none, a class at its demand
 *      is frozen. The proposed conversions c -> k with D_c < 0 < D_k are ranked by priority,
 *      highest first, ties broken by a seeded permutation of cell indices (tiePermute, keyed by
 *      rngU32(seed, stream = 2^32 + t, 0)), and accepted one by one while gain_k < b_k and
 *      loss_c < b_c; the rest are rejected (the cell keeps c).
 *      Why this rule: the roulette (which needs neighbours of class k) decides WHICH cells may
 *      change and to what; the ranking decides which of them do. Ranking by a random draw over
 *      TP (the earlier rule, key (1 - v) / TP_k) let the budgets fill in the first iteration with
 *      near-random cells: on ../shared/data/pie the figure of merit equalled a random
 *      allocation's. Among the cells that can propose, TP is dominated by the integer neighbour
 *      count, which carries little information there, while sp_k / sp_c carries the drivers';
 *      closing only a fraction of each gap per iteration lets the neighbourhood effect of the
 *      cells just converted act on later proposals (growth spreads from well-suited cells, as in
 *      FLUS's gradual iterations) instead of allocating everything at the initial class edges.
 *      (Measured in test/models/flus.real.test.ts; the closing report has the table.)
 *      No class ever overshoots its demand, gaps shrink monotonically, and because the ranking
 *      uses only per-cell values and a hash of (seed, iteration, cell), not a scan position, the
 *      accepted set does not depend on raster order, strip size or thread count.
 *      Implementation: enforceDemand (plain TS, the reference) scans every cell and sorts every
 *      candidate (at 4096^2 cells with 10-30 % proposing: 0.2-0.47 s per iteration, more than the
 *      CA step). runFlus uses enforceDemandWasm instead (assembly/demand.ts, threaded, on the CA
 *      kernel's buffers in place): one pass bins the candidates by the top 8-16 bits (by raster
 *      size) of the inverted priority, a second pass collects only the leading bins (enough to
 *      fill the budgets, as 16-byte records with the cell and its classes), and only the groups
 *      of bins actually reached are radix-sorted before the same greedy loop; more passes only
 *      when the collected bins did not fill the budgets. Same accepted set, bit for bit (tested
 *      against enforceDemand); about two passes over the map plus O(budget) work: 0.05-0.07 s
 *      on 1 thread in the same case (bench/demand.ts).
 *   3. Adaptive inertia (the paper's rule, methods.md): with D1 = D^{t-1}, D2 = D^{t-2}:
 *      Inertia_k unchanged if |D1| <= |D2|; * D2/D1 if 0 > D2 > D1; * D1/D2 if D1 > D2 > 0.
 *      Under the budgets of step 2 a gap never widens, so in sync mode the rule keeps the initial
 *      inertia (it is applied; it acts in "flus" mode, where a source class can fall below its
 *      demand).
 *   4. Stop when sum_k |D_k| <= tolerance * valid cells (tolerance 0 = exact) or after
 *      maxIterations iterations for this target year.
 *
 * "flus" update (reproduces the official GeoSOS-FLUS sweep, single-threaded): see sweepFlus.
 */
import { ConfigError, InputError, InternalError, checkInt, checkNumber } from '../errors.js';
import type { Engine } from '../tiling/engine.js';
import { CaKernel, caCoef, caScratchBytes, NODATA_CLASS } from '../kernels/ca.js';
import { forcedGroupRows, GROUP_RESERVE } from '../tiling/groups.js';
import { CaGroups, planCaGroups } from '../kernels/ca-groups.js';
import { DemandScan, FLAG_GAIN, FLAG_LOSE } from '../kernels/demand.js';
import { RngKey, rngF64, rngU32 } from '../kernels/rng.ref.js';

export type UpdateMode = 'sync' | 'flus';

export interface FlusConfig {
  /** Number of classes K (class indices 0..K-1 in ascending code order). */
  classes: number;
  /** Neighbourhood window N (odd, 3..11). Default 3. */
  n?: number;
  /** Neighbourhood weights w_k in [0, 1], K values. */
  weights: number[];
  /** Allowed conversions, K*K row-major, rows = current class, columns = future class; 0/1. */
  allowed: number[];
  /** Initial inertia per class (default 1). */
  inertia?: number[];
  /** Integer in [0, 2^53). */
  seed: number;
  /** Iterations per target year (default 300). */
  maxIterations?: number;
  /** Stop when sum_k |gap_k| <= tolerance * valid cells (default 0: exact). */
  tolerance?: number;
  /** 'sync' (default) or 'flus' (official sweep). */
  update?: UpdateMode;
  /** Rows per strip for the kernel (does not change results). */
  tileRows?: number;
  /** i8x16 neighbourhood counts and demand-enforcement scans (default true; false = scalar paths, same results). */
  simd?: boolean;
  /** flus mode: extra factor on the squared inertia ratio (default 1, see sweepFlus). */
  flusAcceleration?: number;
  /**
   * sync mode: share of each class's remaining gap that may be closed per iteration, (0, 1]
   * (default 0.1; 1 = fill the whole gap in one iteration when there are enough proposals).
   */
  acceptFraction?: number;
  /**
   * sync mode: demand enforcement by 'wasm' (enforceDemandWasm, default) or 'ref' (the plain
   * TypeScript enforceDemand, slower); the same results, bit for bit (tested).
   */
  demandKernel?: 'wasm' | 'ref';
}

export interface FlusInput {
  width: number;
  height: number;
  /** Class indices 0..K-1, 255 = NoData (not modified). */
  landuse: Uint8Array;
  /**
   * K planes of width*height suitability (plane k = class k), finite and >= 0 on valid cells:
   * float32, or uint16 q = round(p * 65535) (used as the integer q; sync update only).
   */
  prob: Float32Array | Uint16Array;
  /** Nonzero = restricted (never changes), or null. */
  restricted: Uint8Array | null;
}

export interface FlusProgress {
  /** Index of the target year (0-based) and the iteration within it (1-based). */
  yearIndex: number;
  iteration: number;
  /** demand_k - count_k after the iteration. */
  gap: number[];
  totalGap: number;
  /** Conversions accepted in this iteration. */
  accepted: number;
  proposed: number;
  /** With per-region demand: demand - count per (region, class), region r class k at r * K + k. */
  regionGap?: number[];
}

export interface FlusYearResult {
  map: Uint8Array;
  counts: number[];
  gap: number[];
  iterations: number;
  converged: boolean;
  inertia: number[];
}

/** Cells of each class (index 0..K-1) in a class-index map; 255 ignored. */
export function classCounts(map: Uint8Array, K: number): number[] {
  const c = new Float64Array(256);
  for (let i = 0; i < map.length; i++) c[map[i]]++;
  return Array.from(c.subarray(0, K));
}

/** The paper's adaptive inertia (methods.md section 3); `square` and `accel` for flus mode. */
export function updateInertia(inertia: number, d1: number, d2: number, square = false, accel = 1): number {
  if (Math.abs(d1) <= Math.abs(d2)) return inertia;
  let ratio: number;
  if (0 > d2 && d2 > d1) ratio = d2 / d1;
  else if (d1 > d2 && d2 > 0) ratio = d1 / d2;
  else return inertia;
  return square ? inertia * ratio * ratio * accel : inertia * ratio;
}

/**
 * Checks that each demand row can be reached from the previous one (the start map, then each
 * earlier target) under the rules, and throws an InputError naming the source otherwise:
 * rows must sum to the valid cells; a growing class needs existing cells (its neighbourhood
 * effect is 0 everywhere otherwise); a shrinking class cannot lose more than its unrestricted
 * cells; and the conversions shrinking -> growing allowed by the matrix must carry the whole
 * change (max-flow, K x K; under the budgets of runFlus a class gains or loses, never both, so
 * conversions are direct).
 */
export function checkDemandFeasible(
  start: Uint8Array,
  restricted: Uint8Array | null,
  demands: number[][],
  cfg: Pick<FlusConfig, 'classes' | 'allowed'>,
  names: { source: string; classNames?: string[]; years?: number[] },
): void {
  const K = cfg.classes;
  const counts = classCounts(start, K);
  const fixed = new Array(K).fill(0);
  if (restricted) for (let i = 0; i < start.length; i++) if (start[i] !== NODATA_CLASS && restricted[i] !== 0) fixed[start[i]]++;
  checkDemandFeasibleCounts(counts, fixed, demands, cfg, names);
}

/**
 * checkDemandFeasible from the start map's class counts and its restricted cells per class
 * (fixed[k]), for maps read by rows. growFrom (per-region demand): the whole map's counts, used for
 * the "no cells to grow from" rule in the first row (a class may grow into a region from across
 * its border; whether it can is then up to the run, which reports any remaining gap).
 */
export function checkDemandFeasibleCounts(
  counts: number[],
  fixed: number[],
  demands: number[][],
  cfg: Pick<FlusConfig, 'classes' | 'allowed'>,
  names: { source: string; classNames?: string[]; years?: number[] },
  growFrom?: number[],
): void {
  const K = cfg.classes;
  const nm = (k: number) => names.classNames?.[k] ?? `class ${k}`;
  const yr = (y: number) => (names.years ? `year ${names.years[y]}` : `row ${y + 1}`);
  const valid = counts.reduce((a, b) => a + b, 0);
  let prev = counts;
  for (let y = 0; y < demands.length; y++) {
    const d = demands[y];
    if (d.length !== K) throw new InputError(`${names.source}: ${yr(y)} has ${d.length} classes, the land-use map has ${K}`);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      if (!Number.isInteger(d[k]) || d[k] < 0) throw new InputError(`${names.source}: ${yr(y)}, ${nm(k)}: expected a whole number of cells >= 0, got ${d[k]}`);
      sum += d[k];
    }
    if (sum !== valid) throw new InputError(`${names.source}: ${yr(y)} sums to ${sum} cells but the land-use map has ${valid} valid cells`);
    for (let k = 0; k < K; k++) {
      const D = d[k] - prev[k];
      // growFrom (per-region checks): the class's cells anywhere, since neighbourhoods cross borders
      if (D > 0 && prev[k] === 0 && (growFrom === undefined || (y === 0 && growFrom[k] === 0))) {
        throw new InputError(`${names.source}: ${yr(y)}: demand for ${nm(k)} is ${d[k]} cells but it has no cells to grow from (its neighbourhood effect is 0 everywhere)`);
      }
      if (D < 0 && prev[k] - fixed[k] < -D) {
        throw new InputError(`${names.source}: ${yr(y)}: ${nm(k)} must lose ${-D} cells but only ${prev[k] - fixed[k]} of its cells are unrestricted (demand cannot be met)`);
      }
    }
    // max-flow shrinking -> growing along allowed conversions
    const supply = prev.map((p, k) => Math.max(0, p - d[k]));
    const need = prev.map((p, k) => Math.max(0, d[k] - p));
    const total = need.reduce((a, b) => a + b, 0);
    const flow = maxFlow(K, supply, need, (c, k) => c !== k && cfg.allowed[c * K + k] > 0);
    if (flow < total) {
      const unmet = need.map((n, k) => (n > 0 ? nm(k) : null)).filter((x) => x !== null);
      throw new InputError(
        `${names.source}: ${yr(y)}: demand cannot be met under the conversion matrix: only ${flow} of the ${total} cells that must change ` +
          `can move from shrinking to growing classes (growing: ${unmet.join(', ')}; conversion rows = current class)`,
      );
    }
    prev = d;
  }
}

/** Max-flow source -> c (supply) -> k (edge if ok(c,k)) -> sink (need); augmenting paths. */
function maxFlow(K: number, supply: number[], need: number[], ok: (c: number, k: number) => boolean): number {
  // nodes: 0 = source, 1..K = from, K+1..2K = to, 2K+1 = sink
  const n = 2 * K + 2, S = 0, T = 2 * K + 1;
  const cap: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let c = 0; c < K; c++) {
    cap[S][1 + c] = supply[c];
    cap[K + 1 + c][T] = need[c];
    for (let k = 0; k < K; k++) if (ok(c, k)) cap[1 + c][K + 1 + k] = Infinity;
  }
  let flow = 0;
  for (;;) {
    const par = new Array(n).fill(-1);
    par[S] = S;
    const q = [S];
    while (q.length && par[T] < 0) {
      const u = q.shift()!;
      for (let v = 0; v < n; v++) if (par[v] < 0 && cap[u][v] > 0) { par[v] = u; q.push(v); }
    }
    if (par[T] < 0) return flow;
    let f = Infinity;
    for (let v = T; v !== S; v = par[v]) f = Math.min(f, cap[par[v]][v]);
    for (let v = T; v !== S; v = par[v]) { cap[par[v]][v] -= f; cap[v][par[v]] += f; }
    flow += f;
  }
}

/** Odd 32-bit multipliers (low words of the rng.ref mix constants) and their inverses mod 2^32. */
const PERM_M1 = 0x1ce4e5b9, PERM_M2 = 0x133111eb;
function invOdd(m: number): number {
  let x = m; // Newton: x <- x (2 - m x), doubling the correct low bits each step
  for (let j = 0; j < 5; j++) x = Math.imul(x, 2 - Math.imul(m, x));
  return x >>> 0;
}
const PERM_M1_INV = invOdd(PERM_M1), PERM_M2_INV = invOdd(PERM_M2);

/**
 * Seeded bijection of 32-bit cell indices (xor with a key, then two rounds of multiply by an odd
 * constant and xorshift 16, each invertible): the tie-break order among equal priorities.
 */
export function tiePermute(i: number, k: number): number {
  let x = (i ^ k) >>> 0;
  x = Math.imul(x, PERM_M1) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, PERM_M2) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Inverse of tiePermute: tieUnpermute(tiePermute(i, k), k) === i. */
export function tieUnpermute(x: number, k: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, PERM_M2_INV) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, PERM_M1_INV) >>> 0;
  return (x ^ k) >>> 0;
}

export interface EnforceOptions {
  /** Share of each class's gap that may be closed in this iteration, (0, 1] (default 1). */
  fraction?: number;
  /** Seed and iteration (stream) of the tie-break permutation (default 0, 0). */
  seed?: number;
  iteration?: number;
  /**
   * Per-region demand: region index (0..R-1) of every cell and the number of classes K; gap and
   * net then hold R * K values (region r, class k at r * K + k) and each region has its own
   * budgets. Cells with an index >= R must not propose (restricted). Default: one region.
   */
  regions?: RegionIndex;
}

/** Region of every cell (0..count-1; >= count = outside every region) and the class count K. */
export interface RegionIndex {
  index: Uint16Array;
  count: number;
  classes: number;
}

/**
 * Demand enforcement of one sync iteration (the rule in the file comment, step 2): accepts
 * proposed shrinking -> growing conversions in descending priority (`key` = float32 bits of
 * sp_k / sp_c from the kernel; ties in a seeded permutation of cell indices), within per-class
 * budgets b_k = ceil(fraction * |gap_k|), applies them to `cur` in place. `gap` = demand - count
 * before; `net` receives the net change per class.
 */
export function enforceDemand(
  cur: Uint8Array,
  prop: Uint8Array,
  key: Uint32Array,
  gap: number[],
  net: number[],
  opts: EnforceOptions = {},
): { accepted: number; proposed: number } {
  const reg = opts.regions;
  const K = reg ? reg.classes : gap.length;
  const R = reg ? reg.count : 1;
  if (gap.length !== R * K) throw new InternalError(`demand enforcement: ${gap.length} gaps for ${R} region(s) x ${K} classes`);
  const fraction = opts.fraction ?? 1;
  const tieKey = rngU32(new RngKey(opts.seed ?? 0, 2 ** 32 + (opts.iteration ?? 0)), 0);
  // collect candidates whose source and target can move at all (raster order; order is irrelevant)
  let m = 0;
  const n = cur.length;
  if (n > 2 ** 32) throw new ConfigError(`demand enforcement: ${n} cells, at most 2^32 supported`);
  let buf = new BigUint64Array(1024);
  let u32 = new Uint32Array(buf.buffer);
  let proposed = 0;
  for (let i = 0; i < n; i++) {
    const p = prop[i];
    const c = cur[i];
    if (p === c || p === NODATA_CLASS) continue;
    proposed++;
    const o = reg ? reg.index[i] * K : 0;
    if (!(gap[o + p] > 0 && gap[o + c] < 0)) continue; // only shrinking -> growing conversions count (in the cell's region)
    if (m === buf.length) {
      const nb = new BigUint64Array(buf.length * 2);
      nb.set(buf);
      buf = nb;
      u32 = new Uint32Array(buf.buffer);
    }
    // little-endian: high word = inverted priority (ascending sort = descending priority),
    // low word = the cell's place in a seeded permutation (tie-break, not the raster position)
    u32[2 * m] = tiePermute(i, tieKey);
    u32[2 * m + 1] = ~key[i] >>> 0;
    m++;
  }
  const cand = buf.subarray(0, m);
  cand.sort();
  // per-iteration budgets: at most ceil(fraction * |gap|) cells gained (growing) or lost (shrinking)
  const budget = gap.map((g) => Math.sign(g) * Math.ceil(fraction * Math.abs(g)));
  for (let j = 0; j < R * K; j++) net[j] = 0;
  let accepted = 0;
  let left = 0;
  for (let j = 0; j < R * K; j++) if (budget[j] > 0) left += budget[j];
  for (let j = 0; j < m && left > 0; j++) {
    const i = tieUnpermute(u32[2 * j], tieKey);
    const o = reg ? reg.index[i] * K : 0;
    const c = o + cur[i], k = o + prop[i];
    if (net[k] < budget[k] && -net[c] < -budget[c]) {
      left--;
      cur[i] = prop[i];
      net[k]++;
      net[c]--;
      accepted++;
    }
  }
  return { accepted, proposed };
}

export interface EnforceWasmOptions extends EnforceOptions {
  /** Cells per WASM task (default: the cells split over the engine's threads, >= 2^19); does not change results. */
  taskCells?: number;
  /** Fewest candidates (histogram count) per collected range and per sorted group (default 65,536); does not change results. */
  minBatch?: number;
  /** i8x16 prefilter in the kernels (default true); false = scalar path, same results. */
  simd?: boolean;
  /** Histogram bits, 8..16 (default: by raster size, 16 from 2^20 cells); does not change results. */
  binBits?: number;
  /**
   * Most candidates collected per pass (default 2^22: 64 MiB of records in the arena; one bin is
   * always taken whole); does not change results.
   */
  maxCollect?: number;
}

/** Default minBatch and maxCollect of enforceDemandWasm. */
export const DEFAULT_DEMAND_BATCH = 1 << 16;
export const DEFAULT_DEMAND_COLLECT = 1 << 22;

/**
 * enforceDemand on the CA kernel's buffers in the engine's memory (assembly/demand.ts across the
 * engine's threads; no copy of the map): the same accepted set, `cur` afterwards, `net`,
 * `accepted` and `proposed` as enforceDemand(cur, prop, key, ...) for any thread count,
 * taskCells and minBatch. Instead of sorting every candidate it
 *   1. bins the candidates by the top binBits bits of ~key in one pass over the cells (up to
 *      65,536 bins, ascending bin = descending priority; every key of a bin sorts before every
 *      key of the next bin) and counts the proposed conversions;
 *   2. in rounds (one pass over the cells each), collects the next contiguous range of bins
 *      holding max(minBatch, 8 x L) x 4^round candidates (at most maxCollect, at least one bin),
 *      L = the most conversions still possible (min of the gains and losses left), as records
 *      (the same 64-bit sort key as enforceDemand's, the cell, its classes) in groups of
 *      consecutive bins of about max(minBatch, L) candidates (at most 256 groups); then, group
 *      by group while budget is left, sorts the group by the full key and runs enforceDemand's
 *      greedy acceptance on it, so candidates are visited in exactly enforceDemand's order;
 *   3. stops when no growing class can gain or no shrinking class can lose (enforceDemand would
 *      accept nothing more) or the bins are exhausted.
 * Later rounds skip classes already at their budget (enforceDemand rejects those candidates; a
 * class never reopens within a call) and size their range by histograms recounted under the
 * open classes in the previous pass. Accepted conversions are written to `cur` (in the arena).
 * rounds = collect passes, batches = groups sorted (for tests and benchmarks).
 */
export async function enforceDemandWasm(
  engine: Engine,
  ca: Pick<CaKernel, 'cur' | 'prop' | 'key' | 'width' | 'height'> | CaGroups,
  gap: number[],
  net: number[],
  opts: EnforceWasmOptions = {},
): Promise<{ accepted: number; proposed: number; rounds: number; batches: number }> {
  const reg = opts.regions;
  const K = reg ? reg.classes : gap.length;
  const R = reg ? reg.count : 1;
  if (gap.length !== R * K) throw new InternalError(`demand enforcement: ${gap.length} gaps for ${R} region(s) x ${K} classes`);
  const fraction = opts.fraction ?? 1;
  const tieKey = rngU32(new RngKey(opts.seed ?? 0, 2 ** 32 + (opts.iteration ?? 0)), 0);
  const minBatch = opts.minBatch === undefined ? DEFAULT_DEMAND_BATCH : checkInt('demand batch', opts.minBatch, 1);
  const maxCollect = opts.maxCollect === undefined ? DEFAULT_DEMAND_COLLECT : checkInt('demand collect limit', opts.maxCollect, 1);
  const n = ca.width * ca.height;
  if (n > 2 ** 32 - 1) throw new ConfigError(`demand enforcement: ${n} cells, at most 2^32 - 1 supported`);
  if (K > NODATA_CLASS) throw new ConfigError(`demand enforcement: ${K} classes, at most ${NODATA_CLASS}`);
  const budget = gap.map((g) => Math.sign(g) * Math.ceil(fraction * Math.abs(g)));
  for (let j = 0; j < R * K; j++) net[j] = 0;
  const scanOpts = { taskCells: opts.taskCells, simd: opts.simd, binBits: opts.binBits };
  let scan: DemandScan;
  let assign: (i: number, k: number) => void;
  if (ca instanceof CaGroups) {
    // block groups: one segment per group; an accepted cell is written in its owner's map
    const W = ca.width;
    scan = new DemandScan(engine, ca.groups.groups.map((g, j) => ({
      space: ca.groups.space(j), cur: ca.map.virtualPtr(j), prop: ca.prop.virtualPtr(j), key: ca.key.virtualPtr(j), i0: g.row0 * W, i1: g.row1 * W,
    })), scanOpts);
    let rowY = -1;
    let rowView: Uint8Array | null = null;
    assign = (i, k) => {
      const y = Math.floor(i / W);
      if (y !== rowY) {
        rowY = y;
        rowView = ca.map.row(y);
      }
      rowView![i - y * W] = k;
    };
  } else {
    scan = new DemandScan(engine, { cur: ca.cur, prop: ca.prop, key: ca.key, cells: n }, scanOpts);
    // views on a shared memory stay valid when it grows (the map was allocated before)
    const curView = ca.cur.view();
    assign = (i, k) => {
      curView[i] = k;
    };
  }
  const bins = scan.bins;
  try {
    // open classes: growing below its gain budget / shrinking below its loss budget (enforceDemand's
    // acceptance test, per class); returns the most conversions still possible (0 = none)
    // with regions: a class is flagged when it is open in some region (the kernels then collect
    // a superset of the candidates; the acceptance below checks the cell's own region), and the
    // conversions still possible are summed over regions
    const f = new Uint8Array(256);
    const setFlags = (): number => {
      f.fill(0);
      let left = 0;
      for (let r = 0; r < R; r++) {
        let gain = 0, lose = 0;
        for (let k = 0; k < K; k++) {
          const j = r * K + k;
          if (gap[j] > 0 && net[j] < budget[j]) {
            f[k] |= FLAG_GAIN;
            gain += budget[j] - net[j];
          } else if (gap[j] < 0 && -net[j] < -budget[j]) {
            f[k] |= FLAG_LOSE;
            lose += net[j] - budget[j];
          }
        }
        left += Math.min(gain, lose);
      }
      scan.setFlags(f);
      return left;
    };
    let left = setFlags();
    const { proposed, hist } = await scan.hist();
    const T = hist.length;
    const total = new Float64Array(bins);
    const sumBins = (from: number) => {
      for (let b = from; b < bins; b++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += hist[t][b];
        total[b] = s;
      }
    };
    sumBins(0);
    let accepted = 0, rounds = 0, batches = 0;
    let b0 = 0;
    while (left > 0 && b0 < bins) {
      // one pass over the cells collects the next bins holding `want` candidates (counted under
      // the flags of the last pass), in groups of consecutive bins of about `group` candidates
      // each (at most 255 groups); groups are sorted and used one at a time while budget is left
      const want = Math.min(maxCollect, Math.max(minBatch, 8 * left) * 4 ** Math.min(rounds, 16));
      const group = Math.min(want, Math.max(minBatch, left));
      const size = Math.max(group, Math.ceil(want / 255));
      const groupOf = new Uint8Array(bins - b0);
      let b1 = b0, count = 0, inGroup = 0, g = 0;
      while (b1 < bins && count < want) {
        if (inGroup >= size && total[b1] > 0) {
          g++;
          inGroup = 0;
        }
        groupOf[b1 - b0] = g;
        count += total[b1];
        inGroup += total[b1];
        b1++;
      }
      if (count === 0) break;
      const G = g + 1;
      const caps = hist.map((h) => {
        const c = new Float64Array(G);
        for (let b = b0; b < b1; b++) c[groupOf[b - b0]] += h[b];
        return Array.from(c);
      });
      const col = await scan.collect(b0, b1, groupOf.subarray(0, b1 - b0), caps, tieKey, b1 < bins);
      try {
        for (let gi = 0; gi < G && left > 0; gi++) {
          const rec = col.sorted(gi); // (lo, hi, i, c | k << 8) per candidate, ascending key
          batches++;
          const rIndex = reg ? reg.index : null;
          for (let j = 0; j < rec.length; j += 4) {
            const ck = rec[j + 3];
            const i = rec[j + 2];
            const o = rIndex ? rIndex[i] * K : 0;
            const c = o + (ck & 255), k = o + (ck >>> 8);
            if (net[k] < budget[k] && -net[c] < -budget[c]) {
              assign(i, ck >>> 8);
              net[k]++;
              net[c]--;
              accepted++;
            }
          }
          left = setFlags();
        }
      } finally {
        col.release();
      }
      rounds++;
      b0 = b1;
      if (b0 < bins) sumBins(b0);
    }
    return { accepted, proposed, rounds, batches };
  } finally {
    scan.release();
  }
}

export const DEFAULT_ACCEPT_FRACTION = 0.1;

export function checkFlusConfig(cfg: FlusConfig): Required<Omit<FlusConfig, 'tileRows' | 'flusAcceleration'>> & { tileRows?: number; flusAcceleration: number } {
  const K = checkInt('number of classes', cfg.classes, 1, 254);
  const n = checkInt('neighbourhood size', cfg.n ?? 3, 3, 11);
  if (n % 2 !== 1) throw new ConfigError(`neighbourhood size: expected an odd number in 3..11, got ${n}`);
  if (cfg.weights.length !== K) throw new ConfigError(`weights: expected ${K} values (one per class), got ${cfg.weights.length}`);
  cfg.weights.forEach((w, k) => checkNumber(`weights[${k}]`, w, 0, 1));
  if (cfg.allowed.length !== K * K) throw new ConfigError(`conversion matrix: expected ${K}x${K} = ${K * K} values, got ${cfg.allowed.length}`);
  cfg.allowed.forEach((a, j) => {
    if (a !== 0 && a !== 1) throw new ConfigError(`conversion matrix: row ${Math.floor(j / K) + 1}, column ${(j % K) + 1}: expected 0 or 1, got ${a}`);
  });
  const inertia = cfg.inertia ?? new Array(K).fill(1);
  if (inertia.length !== K) throw new ConfigError(`inertia: expected ${K} values, got ${inertia.length}`);
  inertia.forEach((v, k) => checkNumber(`inertia[${k}]`, v, Number.MIN_VALUE));
  const update = cfg.update ?? 'sync';
  if (update !== 'sync' && update !== 'flus') throw new ConfigError(`update: expected "sync" or "flus", got ${JSON.stringify(update)}`);
  const demandKernel = cfg.demandKernel ?? 'wasm';
  if (demandKernel !== 'wasm' && demandKernel !== 'ref') throw new ConfigError(`demand kernel: expected "wasm" or "ref", got ${JSON.stringify(demandKernel)}`);
  return {
    classes: K, n, weights: cfg.weights, allowed: cfg.allowed, inertia,
    seed: checkInt('seed', cfg.seed, 0, Number.MAX_SAFE_INTEGER),
    maxIterations: checkInt('max iterations', cfg.maxIterations ?? 300, 1, 1_000_000),
    tolerance: checkNumber('tolerance', cfg.tolerance ?? 0, 0, 1),
    update,
    simd: cfg.simd ?? true,
    tileRows: cfg.tileRows,
    flusAcceleration: checkNumber('flus acceleration', cfg.flusAcceleration ?? 1, Number.MIN_VALUE),
    acceptFraction: checkNumber('accept fraction', cfg.acceptFraction ?? DEFAULT_ACCEPT_FRACTION, Number.MIN_VALUE, 1),
    demandKernel,
  };
}

/** Validates the input arrays (sizes, class indices, probabilities). */
export function checkFlusInput(inp: FlusInput, K: number, names: { prob?: string; landuse?: string } = {}): void {
  const cells = inp.width * inp.height;
  if (inp.landuse.length !== cells) throw new InputError(`${names.landuse ?? 'land use'}: expected ${cells} cells, got ${inp.landuse.length}`);
  if (inp.prob.length !== cells * K) throw new InputError(`${names.prob ?? 'probabilities'}: expected ${K} planes of ${cells} cells, got ${inp.prob.length} values`);
  if (inp.restricted && inp.restricted.length !== cells) throw new InputError(`restricted: expected ${cells} cells, got ${inp.restricted.length}`);
  for (let i = 0; i < cells; i++) {
    const c = inp.landuse[i];
    if (c !== NODATA_CLASS && c >= K) throw new InputError(`${names.landuse ?? 'land use'}: class index ${c} at cell ${i} is not below ${K}`);
  }
  for (let k = 0; k < K; k++) {
    const off = k * cells;
    for (let i = 0; i < cells; i++) {
      if (inp.landuse[i] === NODATA_CLASS) continue;
      const v = inp.prob[off + i];
      if (!(v >= 0) || v === Infinity) {
        const x = i % inp.width, y = Math.floor(i / inp.width);
        throw new InputError(`${names.prob ?? 'probabilities'}: band ${k + 1} at row ${y}, column ${x}: expected a finite probability >= 0, got ${v}`);
      }
    }
  }
}

/** Rows [y0, y1) of the inputs, as a FlusRowSource returns them. */
export interface FlusRows {
  /** (y1 - y0) * width class indices 0..K-1, 255 = NoData. */
  landuse: Uint8Array;
  /** K planes of (y1 - y0) * width suitability values (float32, or uint16 q = round(p * 65535)). */
  prob: Float32Array | Uint16Array;
  /** Nonzero = restricted, or null. */
  restricted: Uint8Array | null;
}

/**
 * Inputs read by rows (e.g. window by window from GeoTIFF files), so a raster larger than the
 * process's memory for whole arrays, or than one 4 GiB WebAssembly memory, can be simulated:
 * the rows go straight into the block groups (src/kernels/ca-groups.ts). The source validates
 * its values (class indices < K, finite probabilities >= 0).
 */
export interface FlusRowSource {
  width: number;
  height: number;
  hasRestricted: boolean;
  /** Rows per read call (default 256). */
  readRows?: number;
  read(y0: number, y1: number): Promise<FlusRows>;
}

/** Receives each target year's map by rows (instead of FlusYearResult.map, left empty then). */
export interface FlusOutput {
  write(yearIndex: number, rows: (y0: number, y1: number) => Uint8Array): Promise<void>;
}

/** Internal options of runFlus (tests, large rasters); none changes results except probMemory. */
export interface FlusRunOptions {
  /**
   * Suitability held in memory as 'float32' or 'uint16' (q = round(p * 65535), probToU16). Default:
   * 'uint16' when the input is uint16, else 'float32'. Changes results (uint16 is a quantisation).
   */
  probMemory?: 'float32' | 'uint16';
  /**
   * Block groups of at most this many rows, each in its own WebAssembly memory (default: one
   * memory when the raster fits, else as few groups as fit; env LANDCARBON_GROUP_ROWS). Results
   * are bit-identical to one memory for any value.
   */
  groupRows?: number;
  /** Most bytes of row data per group (default GROUP_MAX_BYTES; tests). */
  groupBytes?: number;
  output?: FlusOutput;
  /**
   * Per-region demand in one run: the region (0..count-1) of every cell; demands[y] then holds
   * count * K values (region r, class k at r * K + k), each region meets its own demand with its
   * own budgets, neighbourhoods cross region borders, and results' counts and gap hold count * K
   * values. Valid cells outside every region (index >= count) must be restricted. Adaptive
   * inertia (one value per class) follows the gap summed over regions.
   */
  regions?: { index: Uint16Array; count: number };
}

function isRowSource(x: FlusInput | FlusRowSource): x is FlusRowSource {
  return typeof (x as FlusRowSource).read === 'function';
}

/** uint16 suitability of a probability p in [0, 1]: round(p * 65535) (halves up); NaN for p outside [0, 1]. */
export function probToU16(p: number): number {
  return p >= 0 && p <= 1 ? Math.round(p * 65535) : NaN;
}

/** Quantises K float32 planes to uint16 (probToU16); throws naming the first value outside [0, 1] on a valid cell. */
function quantise(prob: Float32Array, landuse: Uint8Array, width: number, row0: number, what: string): Uint16Array {
  const cells = landuse.length;
  const out = new Uint16Array(prob.length);
  for (let j = 0; j < prob.length; j++) {
    const i = j % cells;
    if (landuse[i] === NODATA_CLASS) continue;
    const q = probToU16(prob[j]);
    if (q !== q) {
      throw new InputError(`${what}: band ${Math.floor(j / cells) + 1} at row ${row0 + Math.floor(i / width)}, column ${i % width}: ` +
        `expected a probability in [0, 1] to hold as uint16 (p x 65535), got ${prob[j]}`);
    }
    out[j] = q;
  }
  return out;
}

/**
 * Runs the simulation to each demand row in turn (demands[y][k] = cells of class k), starting
 * from the input land use. Returns one map per target year (empty when opts.output receives
 * them by rows). Deterministic: same inputs and seed give the same maps for any engine thread
 * count, tileRows and block-group size (opts.groupRows).
 * Sync update: in one WebAssembly memory when the raster fits (CaKernel), otherwise, or for a
 * FlusRowSource, over block groups (CaGroups, several memories). The "flus" update runs on
 * whole arrays only (FlusInput; one process-memory raster, no WebAssembly memory).
 */
export async function runFlus(
  engine: Engine,
  inp: FlusInput | FlusRowSource,
  demands: number[][],
  config: FlusConfig,
  onProgress?: (p: FlusProgress) => void,
  opts: FlusRunOptions = {},
): Promise<FlusYearResult[]> {
  const cfg = checkFlusConfig(config);
  const K = cfg.classes;
  const source = isRowSource(inp) ? inp : null;
  const arrays = source ? null : (inp as FlusInput);
  if (arrays) checkFlusInput(arrays, K);
  const results: FlusYearResult[] = [];
  const inertia = cfg.inertia.slice();
  let stream = 0;
  if (cfg.update === 'flus') {
    if (!arrays || arrays.prob instanceof Uint16Array) {
      throw new ConfigError('update "flus": the official sweep runs on whole float32 arrays in one memory; rasters read by rows or held as uint16 need the sync update');
    }
    const valid = classCounts(arrays.landuse, K).reduce((a, b) => a + b, 0);
    const map = arrays.landuse.slice();
    for (let y = 0; y < demands.length; y++) {
      const r = sweepFlus(arrays, map, demands[y], cfg, inertia, y, stream, valid, onProgress);
      stream += r.iterations;
      results.push({ ...r, map: map.slice(), inertia: inertia.slice() });
    }
    return results;
  }
  const W = inp.width, H = inp.height, cells = W * H;
  const R = opts.regions ? checkInt('regions', opts.regions.count, 1, 65535) : 1;
  const regions: RegionIndex | undefined = opts.regions ? { index: opts.regions.index, count: R, classes: K } : undefined;
  if (regions && regions.index.length !== cells) throw new InternalError(`regions: ${regions.index.length} cells, expected ${cells}`);
  for (const d of demands) if (d.length !== R * K) throw new InternalError(`demand rows: ${d.length} values, expected ${R} region(s) x ${K} classes`);
  /** Counts per (region, class) of rows [y0, y1) of a class-index map (rows given from y0); restricted per cell or null. */
  const tally = (c: Float64Array, rows: Uint8Array, y0: number, restr: Uint8Array | null) => {
    const base = y0 * W;
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i];
      if (v === NODATA_CLASS) continue;
      const r = regions ? regions.index[base + i] : 0;
      if (r >= R) {
        if (!restr || restr[i] === 0) {
          throw new InputError(`regions: the valid cell at row ${Math.floor((base + i) / W)}, column ${(base + i) % W} is in no region and not restricted (cells outside every region must keep their class)`);
        }
        continue;
      }
      c[r * K + v]++;
    }
  };
  const inU16 = arrays ? arrays.prob instanceof Uint16Array : false;
  const probMemory = opts.probMemory ?? (inU16 ? 'uint16' : 'float32');
  if (probMemory !== 'float32' && probMemory !== 'uint16') throw new ConfigError(`suitability in memory: expected "float32" or "uint16", got ${JSON.stringify(probMemory)}`);
  const u16 = probMemory === 'uint16';
  const hasRestricted = source ? source.hasRestricted : arrays!.restricted !== null;
  const groupRows = opts.groupRows !== undefined ? checkInt('group rows', opts.groupRows, 1) : forcedGroupRows();
  const perCell = 1 + K * (u16 ? 2 : 4) + (hasRestricted ? 1 : 0) + 1 + 4;
  const fitsOne = cells * perCell + caScratchBytes(W, K, cfg.n) * engine.threads + GROUP_RESERVE <= engine.arena.available;
  const useGroups = source !== null || groupRows !== undefined || opts.groupBytes !== undefined || !fitsOne;
  if (useGroups && cfg.demandKernel === 'ref') throw new ConfigError('demand kernel "ref": runs on one memory; block groups use the wasm demand kernel');
  const toMemory = (prob: Float32Array | Uint16Array, landuse: Uint8Array, row0: number): Float32Array | Uint16Array => {
    if (u16 && prob instanceof Float32Array) return quantise(prob, landuse, W, row0, 'probabilities');
    if (!u16 && prob instanceof Uint16Array) return Float32Array.from(prob);
    return prob;
  };

  let ca: CaKernel | CaGroups;
  let counts: number[];
  let snapshot: (y0: number, y1: number) => Uint8Array;
  if (!useGroups) {
    const k1 = new CaKernel(engine, { width: W, height: H, classes: K, n: cfg.n, restricted: hasRestricted, tileRows: cfg.tileRows, simd: cfg.simd, u16 });
    ca = k1;
    k1.cur.view().set(arrays!.landuse);
    k1.sp.view().set(toMemory(arrays!.prob, arrays!.landuse, 0) as never);
    if (k1.restricted && arrays!.restricted) k1.restricted.view().set(arrays!.restricted);
    const c = new Float64Array(R * K);
    tally(c, k1.cur.view().subarray(0, cells), 0, arrays!.restricted);
    counts = Array.from(c);
    snapshot = (y0, y1) => k1.cur.view().subarray(y0 * W, y1 * W);
  } else {
    const o = { width: W, height: H, classes: K, n: cfg.n, restricted: hasRestricted, tileRows: cfg.tileRows, simd: cfg.simd, u16 };
    const g = new CaGroups(engine, o, planCaGroups(o, groupRows, opts.groupBytes));
    ca = g;
    try {
      const step = source?.readRows ?? 256;
      const c = new Float64Array(R * K);
      for (let y0 = 0; y0 < H; y0 += step) {
        const y1 = Math.min(H, y0 + step);
        const rows = source ? await source.read(y0, y1) : {
          landuse: arrays!.landuse.subarray(y0 * W, y1 * W),
          prob: null as Float32Array | Uint16Array | null,
          restricted: arrays!.restricted ? arrays!.restricted.subarray(y0 * W, y1 * W) : null,
        };
        const n = (y1 - y0) * W;
        const planes: Array<Float32Array | Uint16Array> = [];
        if (rows.prob) {
          const pm = toMemory(rows.prob, rows.landuse, y0);
          for (let k = 0; k < K; k++) planes.push(pm.subarray(k * n, (k + 1) * n));
        } else {
          for (let k = 0; k < K; k++) {
            const p = arrays!.prob.subarray(k * cells + y0 * W, k * cells + y1 * W);
            planes.push(u16 && p instanceof Float32Array ? quantise(p, rows.landuse, W, y0, 'probabilities') : !u16 && p instanceof Uint16Array ? Float32Array.from(p) : p);
          }
        }
        tally(c, rows.landuse, y0, rows.restricted);
        for (let y = y0; y < y1; y++) {
          const r = rows.landuse.subarray((y - y0) * W, (y - y0 + 1) * W);
          g.map.row(y).set(r);
          for (let k = 0; k < K; k++) g.sp.row(y, k).set(planes[k].subarray((y - y0) * W, (y - y0 + 1) * W) as never);
          if (g.restricted && rows.restricted) g.restricted.row(y).set(rows.restricted.subarray((y - y0) * W, (y - y0 + 1) * W));
        }
      }
      counts = Array.from(c);
    } catch (e) {
      await g.release();
      throw e;
    }
    snapshot = (y0, y1) => {
      const out = new Uint8Array((y1 - y0) * W);
      for (let y = y0; y < y1; y++) out.set(g.map.row(y), (y - y0) * W);
      return out;
    };
  }
  /** Per-class sums over regions of R * K values. */
  const perClass = (v: number[]): number[] => {
    if (R === 1) return v.slice();
    const out = new Array(K).fill(0);
    for (let j = 0; j < v.length; j++) out[j % K] += v[j];
    return out;
  };
  try {
    const valid = counts.reduce((a, b) => a + b, 0);
    const net = new Array(R * K).fill(0);
    for (let y = 0; y < demands.length; y++) {
      const demand = demands[y];
      let gap = demand.map((d, k) => d - counts[k]);
      let it = 0;
      let total = gap.reduce((a, g) => a + Math.abs(g), 0);
      while (total > cfg.tolerance * valid && it < cfg.maxIterations) {
        const coef = caCoef(K, cfg.n, cfg.weights, inertia, cfg.allowed);
        const proposedCount = await ca.step(cfg.seed, stream, coef);
        const eo = { fraction: cfg.acceptFraction, seed: cfg.seed, iteration: stream, regions };
        const { accepted } = proposedCount === 0
          ? { accepted: 0 }
          : cfg.demandKernel === 'ref' && ca instanceof CaKernel
            ? enforceDemand(ca.cur.view().subarray(0, cells), ca.prop.view(), ca.key.view(), gap, net, eo)
            : await enforceDemandWasm(engine, ca, gap, net, { ...eo, simd: cfg.simd });
        stream++;
        it++;
        if (proposedCount === 0) net.fill(0);
        counts = counts.map((c, k) => c + net[k]);
        const newGap = demand.map((d, k) => d - counts[k]);
        const d1 = perClass(newGap), d2 = perClass(gap);
        for (let k = 0; k < K; k++) inertia[k] = updateInertia(inertia[k], d1[k], d2[k]);
        gap = newGap;
        total = gap.reduce((a, g) => a + Math.abs(g), 0);
        onProgress?.({ yearIndex: y, iteration: it, gap: d1, totalGap: total, accepted, proposed: proposedCount, ...(regions ? { regionGap: gap.slice() } : {}) });
      }
      let map: Uint8Array;
      if (opts.output) {
        await opts.output.write(y, snapshot);
        map = new Uint8Array(0);
      } else {
        map = snapshot(0, H).slice();
      }
      results.push({ map, counts: counts.slice(), gap, iterations: it, converged: total <= cfg.tolerance * valid, inertia: inertia.slice() });
    }
    return results;
  } finally {
    if (ca instanceof CaGroups) await ca.release();
    else ca.release();
  }
}

/**
 * The official FLUS sweep ("--update flus"), single-threaded, for users who must match
 * published GeoSOS-FLUS runs. Differences from the default sync update, following methods.md
 * section 3's account of the official code (flusver1.0):
 *   - cells are visited in raster order and the map is updated in place, so neighbourhood
 *     counts see conversions made earlier in the same sweep, and the class counters (and so
 *     the demand checks) are updated after every conversion;
 *   - the current class's combined probability is multiplied by 10 * K (with its inertia);
 *   - after the roulette picks k != c, a gate must also pass: (r + 1/K) / (t + 1) < sp(p, k),
 *     t = iteration within the target year (0-based), r a second uniform draw;
 *   - a conversion c -> k happens only while k is below its demand (the source class may fall
 *     below its own demand: its gap then widens and adaptive inertia raises its inertia);
 *   - adaptive inertia uses the squared ratio times an acceleration factor (flusAcceleration,
 *     default 1 — the official factor is not documented; set it to match a published run);
 *   - random numbers are seeded (rngF64(seed, stream, cell) with stream = iteration for the
 *     roulette and 2^33 + iteration for the gate), not taken from the clock.
 * Results depend on raster order by construction (that is the official behaviour).
 */
export function sweepFlus(
  inp: FlusInput,
  map: Uint8Array,
  demand: number[],
  cfg: ReturnType<typeof checkFlusConfig>,
  inertia: number[],
  yearIndex: number,
  stream0: number,
  valid: number,
  onProgress?: (p: FlusProgress) => void,
): Omit<FlusYearResult, 'map' | 'inertia'> {
  const { width: W, height: H, prob, restricted } = inp;
  const K = cfg.classes, N = cfg.n, h = (N - 1) >> 1;
  const plane = W * H;
  const counts = classCounts(map, K);
  let gap = demand.map((d, k) => d - counts[k]);
  let total = gap.reduce((a, g) => a + Math.abs(g), 0);
  const cnt = new Int32Array(K);
  const tp = new Float64Array(K);
  const wn = cfg.weights.map((w) => w / (N * N - 1));
  let it = 0;
  while (total > cfg.tolerance * valid && it < cfg.maxIterations) {
    const kDraw = new RngKey(cfg.seed, stream0 + it);
    const kGate = new RngKey(cfg.seed, 2 ** 33 + stream0 + it);
    let accepted = 0, proposed = 0;
    for (let y = 0; y < H; y++) {
      const ya = Math.max(0, y - h), yb = Math.min(H - 1, y + h);
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const c = map[i];
        if (c === NODATA_CLASS || (restricted && restricted[i] !== 0)) continue;
        cnt.fill(0);
        const xa = Math.max(0, x - h), xb = Math.min(W - 1, x + h);
        for (let yy = ya; yy <= yb; yy++) {
          for (let xx = xa; xx <= xb; xx++) {
            const v = map[yy * W + xx];
            if (v < K && (yy !== y || xx !== x)) cnt[v]++;
          }
        }
        let s = 0;
        for (let k = 0; k < K; k++) {
          let v = prob[k * plane + i] * cnt[k] * wn[k] * cfg.allowed[c * K + k];
          if (k === c) v = v * inertia[k] * 10 * K;
          tp[k] = v;
          s += v;
        }
        if (!(s > 0)) continue;
        const target = rngF64(kDraw, i) * s;
        let cum = 0, k = 0;
        for (; k < K - 1; k++) {
          cum += tp[k];
          if (cum > target) break;
        }
        if (k === c) continue;
        proposed++;
        const r = rngF64(kGate, i);
        if (!((r + 1 / K) / (it + 1) < prob[k * plane + i])) continue;
        if (counts[k] < demand[k]) {
          map[i] = k;
          counts[k]++;
          counts[c]--;
          accepted++;
        }
      }
    }
    it++;
    const newGap = demand.map((d, k) => d - counts[k]);
    for (let k = 0; k < K; k++) inertia[k] = updateInertia(inertia[k], newGap[k], gap[k], true, cfg.flusAcceleration);
    gap = newGap;
    total = gap.reduce((a, g) => a + Math.abs(g), 0);
    onProgress?.({ yearIndex, iteration: it, gap: gap.slice(), totalGap: total, accepted, proposed });
  }
  return { counts: counts.slice(), gap, iterations: it, converged: total <= cfg.tolerance * valid };
}
