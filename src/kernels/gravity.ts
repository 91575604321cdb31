/**
 * Thresholded gravity edges on WASM (assembly/gravity.ts), streaming over blocks of rows in
 * worker threads: the n x n matrix is never stored.
 *
 * Thresholds (methods.md section 9; "above" = strictly greater for value and row-mean):
 *   top:p%   the K = ceil(p/100 * n(n-1)) largest R_ij over all ordered pairs i != j. Found
 *            exactly: a 65,536-bucket histogram of the f64 bit patterns of R (monotone for
 *            R > 0) locates the bucket holding the K-th largest value; if that bucket (plus
 *            everything above it) is small enough the candidate pairs are collected and the
 *            K-th value is selected exactly, otherwise the bucket is refined by the next 16
 *            bits (at most 4 levels = the full 64 bits). Ties at the cut: every pair with
 *            R >= the K-th largest value is kept, so the edge count can exceed K by the number
 *            of pairs tied with the cut value. Only pairs with R > 0 are edges: when fewer than
 *            K pairs have R > 0 all of them are kept (the result reports K and the count).
 *   value:X  R_ij > X.
 *   row-mean R_ij > mean_{j != i} R_ij (the row mean of unit i's outgoing gravity; the row sum
 *            is accumulated in a fixed order of row blocks, so it may differ in the last bit
 *            from a plain left-to-right sum).
 * Edges come out row-major (from ascending, then to ascending), for any thread count.
 */
import { ConfigError, InternalError } from '../errors.js';
import { Engine } from '../tiling/engine.js';
import type { Task } from '../tiling/worker.js';
import type { Block } from '../wasm/arena.js';

export type Threshold = { kind: 'top'; percent: number } | { kind: 'value'; value: number } | { kind: 'row-mean' };

/** Parses `top:1%` (or `top:1`), `value:153000`, `row-mean`. */
export function parseThreshold(s: string, what = '--threshold'): Threshold {
  const t = s.trim();
  if (t === 'row-mean') return { kind: 'row-mean' };
  let m = /^top:([0-9.eE+-]+)%?$/.exec(t);
  if (m) {
    const p = Number(m[1]);
    if (!Number.isFinite(p) || p <= 0 || p > 100) throw new ConfigError(`${what}: top percentage must be in (0, 100], got ${JSON.stringify(s)}`);
    return { kind: 'top', percent: p };
  }
  m = /^value:(.+)$/.exec(t);
  if (m) {
    const v = Number(m[1]);
    if (m[1].trim() === '' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${what}: value threshold must be a finite number >= 0, got ${JSON.stringify(s)}`);
    return { kind: 'value', value: v };
  }
  throw new ConfigError(`${what}: expected top:P% (e.g. top:1%), value:X (e.g. value:153000) or row-mean, got ${JSON.stringify(s)}`);
}

export interface GravityUnits {
  n: number;
  /** unit vectors, f64[3n] (gravity.ref unitVectors) */
  xyz: Float64Array;
  /** cbrt(G P C), f64[n] */
  mass: Float64Array;
  /** C, f64[n] */
  emis: Float64Array;
}

export interface GravityEdges {
  from: Int32Array;
  to: Int32Array;
  gravity: Float64Array;
  /** The cut value used (top: the K-th largest R; value: X; row-mean: NaN, per row). */
  cut: number;
  /** top: the number of edges asked for, K. */
  requested: number | null;
  /** Pairs with R > 0. Only counted for top thresholds (else null). */
  positivePairs: number | null;
  /** Full passes over the n(n-1) pairs. */
  passes: number;
}

/**
 * Fixed row blocks of the upper triangle (a block of rows i covers the pairs {i, j}, j > i),
 * balanced by pair count: ~1M ordered pairs each, at most 64. A function of n only, never of
 * the thread count, so partial sums reduce identically for any number of threads.
 */
export function rowBlocks(n: number, pairsPerBlock = 1e6): Array<[number, number]> {
  const T = Math.max(1, Math.min(n, 64, Math.ceil((n * (n - 1)) / pairsPerBlock)));
  const total = (n * (n - 1)) / 2;
  const out: Array<[number, number]> = [];
  let a = 0;
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += n - 1 - i;
    if (cum >= ((out.length + 1) * total) / T && out.length < T - 1) {
      out.push([a, i + 1]);
      a = i + 1;
    }
  }
  if (a < n || out.length === 0) out.push([a, n]);
  return out;
}

/** Stable counting sort of edges by `from`: row-major order (to ascending within a row). */
function rowMajor(e: { from: Int32Array; to: Int32Array; gravity: Float64Array }, n: number) {
  const m = e.from.length;
  const start = new Float64Array(n + 1);
  for (let k = 0; k < m; k++) start[e.from[k] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const gravity = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const p = start[e.from[k]]++;
    from[p] = e.from[k];
    to[p] = e.to[k];
    gravity[p] = e.gravity[k];
  }
  return { from, to, gravity };
}

/** Number of edges of a top:p% threshold: K = ceil(p/100 * N), N = n(n-1) ordered pairs. */
export function topCount(n: number, percent: number): number {
  const N = n * (n - 1);
  const x = (percent / 100) * N;
  return Math.min(N, Math.max(1, Math.ceil(x - 1e-9 * Math.max(1, x))));
}

const f64buf = new Float64Array(1);
const u64buf = new BigUint64Array(f64buf.buffer);
function bitsToF64(bits: bigint): number {
  u64buf[0] = bits;
  return f64buf[0];
}

export interface GravityOptions {
  engine: Engine;
  /** Most candidate pairs collected before refining the histogram (default 8M, 128 MiB). */
  collectLimit?: number;
  /** Pairs per row block (default 1M; tests use small blocks). Never derived from threads. */
  pairsPerBlock?: number;
  /** f64x2 SIMD path (default true); the scalar path gives bit-identical results. */
  simd?: boolean;
}

export async function gravityEdges(units: GravityUnits, threshold: Threshold, opts: GravityOptions): Promise<GravityEdges> {
  const { engine } = opts;
  const { n } = units;
  if (units.xyz.length !== 3 * n || units.mass.length !== n || units.emis.length !== n) throw new InternalError('gravityEdges: array lengths differ from n');
  const arena = engine.arena;
  const mark = arena.mark();
  const blocks = rowBlocks(n, opts.pairsPerBlock);
  const simd = opts.simd === false ? 0 : 1;
  let passes = 0;
  try {
    const xyz = arena.copyIn(units.xyz, 'float64', 'unit vectors');
    const mass = arena.copyIn(units.mass, 'float64', 'gravity masses');
    const emis = arena.copyIn(units.emis, 'float64', 'emissions');
    const thr = arena.alloc<Float64Array>('float64', Math.max(1, n), 'row thresholds');
    const base = [n, xyz.ptr, mass.ptr, emis.ptr];

    /** count (cap 0) then emit pairs with R >= / > thr[i] into exactly sized buffers */
    const emit = async (strict: number, counts?: number[]): Promise<{ from: Int32Array; to: Int32Array; gravity: Float64Array }> => {
      if (!counts) {
        counts = await engine.run<number>(blocks.map(([r0, r1]) => ({ fn: 'gravity_emit', args: [...base, r0, r1, thr.ptr, strict, 0, 0, 0, 0, simd] })));
        passes++;
      }
      const m2 = arena.mark();
      try {
        const bufs = counts.map((c) => ({
          i: arena.alloc<Int32Array>('int32', Math.max(1, c), 'edge sources'),
          j: arena.alloc<Int32Array>('int32', Math.max(1, c), 'edge targets'),
          r: arena.alloc<Float64Array>('float64', Math.max(1, c), 'edge gravity'),
        }));
        const got = await engine.run<number>(
          blocks.map(([r0, r1], t) => ({ fn: 'gravity_emit', args: [...base, r0, r1, thr.ptr, strict, bufs[t].i.ptr, bufs[t].j.ptr, bufs[t].r.ptr, counts![t], simd] })),
        );
        passes++;
        const total = counts.reduce((a, b) => a + b, 0);
        const from = new Int32Array(total);
        const to = new Int32Array(total);
        const gravity = new Float64Array(total);
        let o = 0;
        for (let t = 0; t < blocks.length; t++) {
          if (got[t] !== counts[t]) throw new InternalError(`gravity_emit: block ${t} found ${got[t]} pairs, expected ${counts[t]}`);
          from.set(bufs[t].i.view().subarray(0, got[t]), o);
          to.set(bufs[t].j.view().subarray(0, got[t]), o);
          gravity.set(bufs[t].r.view().subarray(0, got[t]), o);
          o += got[t];
        }
        // blocks emit (i, j) and (j, i) together; a stable sort by source gives row-major order
        return rowMajor({ from, to, gravity }, n);
      } finally {
        arena.release(m2);
      }
    };

    if (threshold.kind === 'value') {
      thr.view().fill(threshold.value);
      const e = await emit(1);
      return { ...e, cut: threshold.value, requested: null, positivePairs: null, passes };
    }
    if (threshold.kind === 'row-mean') {
      const parts = blocks.map(() => arena.alloc<Float64Array>('float64', Math.max(1, n), 'row sums'));
      for (const p of parts) p.view().fill(0);
      await engine.run(blocks.map(([r0, r1], b) => ({ fn: 'gravity_rowsum', args: [...base, r0, r1, parts[b].ptr, simd] })));
      passes++;
      const t = thr.view();
      const s = new Float64Array(n);
      for (const p of parts) {
        const v = p.view();
        for (let i = 0; i < n; i++) s[i] += v[i];
      }
      for (let i = 0; i < n; i++) t[i] = n > 1 ? s[i] / (n - 1) : Infinity;
      const e = await emit(1);
      return { ...e, cut: NaN, requested: null, positivePairs: null, passes };
    }

    // ---- top p %: exact streaming selection
    const K = n > 1 ? topCount(n, threshold.percent) : 0;
    if (K === 0) return { from: new Int32Array(0), to: new Int32Array(0), gravity: new Float64Array(0), cut: NaN, requested: 0, positivePairs: 0, passes };
    const limit = opts.collectLimit ?? 8_000_000;
    const hists: Block<Uint32Array>[] = blocks.map(() => arena.alloc<Uint32Array>('uint32', 65536, 'gravity histogram'));
    let lo = 0; // current value range [lo, hi)
    let hi = Infinity;
    let need = K; // how many of the largest values inside [lo, hi) we still need
    let above = 0; // pairs >= hi (all kept)
    let positivePairs: number | null = null;
    // per block: pairs at or above the current range (exact sizes for the collect pass)
    const blockAbove = blocks.map(() => 0);
    const blockIn = blocks.map(() => 0);
    for (let level = 0; level < 4; level++) {
      const shift = 48 - 16 * level;
      for (const h of hists) h.view().fill(0);
      await engine.run(blocks.map(([r0, r1], t) => ({ fn: 'gravity_hist', args: [...base, r0, r1, lo, hi, shift, hists[t].ptr, simd] }) as Task));
      passes++;
      const tot = new Float64Array(65536);
      for (const h of hists) {
        const v = h.view();
        for (let b = 0; b < 65536; b++) tot[b] += v[b];
      }
      if (level === 0) positivePairs = tot.reduce((a, b) => a + b, 0);
      let cum = 0;
      let b = 65535;
      for (; b >= 0; b--) {
        if (cum + tot[b] >= need) break;
        cum += tot[b];
      }
      if (b < 0) {
        // fewer than `need` positive values in range: take everything in range (only at level 0)
        lo = Number.MIN_VALUE;
        need = cum;
        hists.forEach((h, t) => {
          blockAbove[t] += h.view().reduce((a, x) => a + x, 0);
          blockIn[t] = 0;
        });
        break;
      }
      hists.forEach((h, t) => {
        const v = h.view();
        for (let c = b + 1; c < 65536; c++) blockAbove[t] += v[c];
        blockIn[t] = v[b];
      });
      // bucket b holds the need-th largest; its value range from its bit pattern
      const prefix = level === 0 ? 0n : BigInt.asUintN(64, doubleBits(lo)) >> BigInt(shift + 16);
      const bitsLo = ((prefix << 16n) | BigInt(b)) << BigInt(shift);
      const bitsHi = bitsLo + (1n << BigInt(shift));
      const newLo = bitsToF64(bitsLo);
      const newHi = bitsHi >= 0x7ff0000000000000n ? Infinity : bitsToF64(bitsHi);
      above += cum;
      need -= cum;
      lo = newLo;
      hi = newHi;
      if (above + tot[b] <= limit || level === 3) break;
    }
    // collect every pair with R >= lo (sizes per block known from the histograms), then cut
    thr.view().fill(lo);
    const cand = await emit(0, blocks.map((_, t) => blockAbove[t] + blockIn[t]));
    const inRange: number[] = [];
    for (let e = 0; e < cand.gravity.length; e++) if (cand.gravity[e] < hi) inRange.push(cand.gravity[e]);
    const nAbove = cand.gravity.length - inRange.length;
    let cut: number;
    if (need >= inRange.length + (above - nAbove) && nAbove + inRange.length <= K) {
      // fewer positive pairs than K: every collected pair is kept
      cut = cand.gravity.length > 0 ? minOf(cand.gravity) : NaN;
    } else {
      if (nAbove !== above || need < 1 || need > inRange.length) {
        throw new InternalError(`top-p selection: ${nAbove} pairs above the cut bucket (expected ${above}), need ${need} of ${inRange.length}`);
      }
      cut = selectKth(inRange, need);
    }
    let keep = 0;
    for (let e = 0; e < cand.gravity.length; e++) if (cand.gravity[e] >= cut) keep++;
    const from = new Int32Array(keep);
    const to = new Int32Array(keep);
    const gravity = new Float64Array(keep);
    let o = 0;
    for (let e = 0; e < cand.gravity.length; e++) {
      if (cand.gravity[e] >= cut) {
        from[o] = cand.from[e];
        to[o] = cand.to[e];
        gravity[o++] = cand.gravity[e];
      }
    }
    return { from, to, gravity, cut, requested: K, positivePairs, passes };
  } finally {
    arena.release(mark);
  }
}

function doubleBits(x: number): bigint {
  f64buf[0] = x;
  return u64buf[0];
}

function minOf(a: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] < m) m = a[i];
  return m;
}

/** The k-th largest value (1-based) of a list, exactly (sort; the list is the cut bucket only). */
function selectKth(values: number[], k: number): number {
  const a = Float64Array.from(values).sort();
  return a[a.length - k];
}
