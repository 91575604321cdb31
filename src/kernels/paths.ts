/**
 * Centrality on WASM shortest paths (assembly/paths.ts): validate -> lay the CSR graph, one
 * scratch (and, after the first thread, a private copy of the graph) per thread and one
 * partial-sum block per source chunk out in the arena -> one call
 * per thread, the threads claiming chunks from a shared atomic counter (dynamic balance, no
 * per-chunk round trip) -> reduce the per-chunk partial sums in chunk order in WASM
 * (bit-identical for any thread count) -> normalise as networkx does (see paths.ref.ts for the
 * exact definitions).
 *
 *   const g = buildCsr(3, [0, 1], [1, 2]);            // directed path 0 -> 1 -> 2
 *   const c = await centrality(g, { threads: 2 });
 *   c.inCloseness  // [0, 0.5, 0.666...]   (networkx closeness_centrality(G))
 *   c.betweenness  // [0, 0.5, 0]          (networkx betweenness_centrality(G))
 */
import { checkInt, InternalError } from '../errors.js';
import { Engine } from '../tiling/engine.js';
import type { Task } from '../tiling/worker.js';
import { Centrality, checkPathsOptions, CsrGraph, finishCentrality, newPathSums, PathsOptions, sourceChunks } from './paths.ref.js';

export { buildCsr, centralityRef, inDegrees, outDegrees } from './paths.ref.js';
export type { Centrality, CsrGraph, PathsOptions, SamplingReport } from './paths.ref.js';

export interface CentralityRunOptions extends PathsOptions {
  /** An engine to run on (kept open); otherwise one is created with `threads` and closed. */
  engine?: Engine;
  threads?: number;
  /**
   * Most bytes of private graph copies for threads after the first (default 256 MiB, see
   * GRAPH_COPY_BYTES); beyond it, or with 0, all threads read one shared copy (slower, same results).
   */
  graphCopyBytes?: number;
}

const SCRATCH_PER_NODE = 44; // = paths_scratch_bytes(n) / n
/**
 * Threads after the first get a private copy of the graph (offsets, targets, weights, sources)
 * while all the copies together stay within this many bytes. Measured on 2 cores (n = 1000,
 * m = 50,000): with both threads reading one shared copy each thread ran ~10% slower than alone;
 * with a copy each they ran as fast as one thread alone (cost: 12 bytes per edge per thread).
 */
const GRAPH_COPY_BYTES = 256 * 2 ** 20;

export async function centrality(g: CsrGraph, opts: CentralityRunOptions = {}): Promise<Centrality> {
  const { sources, doBetw, doClose } = checkPathsOptions(g, opts);
  const copyLimit = opts.graphCopyBytes === undefined ? GRAPH_COPY_BYTES : checkInt('graphCopyBytes', opts.graphCopyBytes, 0);
  if (opts.engine) return centralityOn(opts.engine, g, sources, doBetw, doClose, opts.seed ?? 0, copyLimit);
  const engine = new Engine({ threads: opts.threads ?? 1 });
  try {
    return await centralityOn(engine, g, sources, doBetw, doClose, opts.seed ?? 0, copyLimit);
  } finally {
    await engine.close();
  }
}

/** Cache-line multiple (two 64-byte lines: adjacent-line prefetch) that separates blocks written by different threads. */
const LINE = 128;
const roundUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/** Arena block of `bytes` starting on a LINE boundary (the arena itself aligns to 16). */
function allocLine(engine: Engine, bytes: number, what: string): number {
  const b = engine.arena.alloc('uint8', bytes + LINE, what);
  return roundUp(b.ptr, LINE);
}

/**
 * Layout of one chunk's partial block (byte offsets, -1 = not computed) and its stride; every
 * array and every block starts on its own cache line, so two threads never write the same line.
 */
function partLayout(n: number, doBetw: boolean, bsq: boolean, doClose: boolean): { betw: number; bsq: number; inSum: number; inReach: number; stride: number } {
  let at = 0;
  const take = (on: boolean, bytes: number): number => {
    if (!on) return -1;
    const o = at;
    at += roundUp(bytes, LINE);
    return o;
  };
  const betw = take(doBetw, 8 * n);
  const sq = take(doBetw && bsq, 8 * n);
  const inSum = take(doClose, 8 * n);
  const inReach = take(doClose, 4 * n);
  return { betw, bsq: sq, inSum, inReach, stride: Math.max(at, LINE) };
}

async function centralityOn(engine: Engine, g: CsrGraph, sources: Int32Array | null, doBetw: boolean, doClose: boolean, seed: number, copyLimit: number): Promise<Centrality> {
  const n = g.n;
  const K = sources ? sources.length : n;
  const total = newPathSums(n, doBetw, doClose, sources !== null);
  if (n === 0 || K === 0 || (!doBetw && !doClose)) return finishCentrality(g, total, sources, seed);
  const ex = engine.exports;
  if (ex.paths_scratch_bytes(16) !== 16 * SCRATCH_PER_NODE) throw new InternalError('paths: scratch layout of the wasm module differs from the host');
  // the fixed chunk plan (paths.ref.ts): equal chunks of `chunk` sources, the last one shorter
  const chunks = sourceChunks(K);
  const chunk = chunks[0][1] - chunks[0][0];
  const nChunks = chunks.length;
  if (chunks.some(([a, b], c) => a !== c * chunk || b !== Math.min(K, a + chunk))) throw new InternalError('paths: source chunks are not uniform');
  const lay = partLayout(n, doBetw, sources !== null, doClose);
  // one share per thread (never more than there are chunks); with 1 share it runs on this thread
  const shares = Math.min(engine.threads, nChunks);
  const arena = engine.arena;
  const mark = arena.mark();
  try {
    const off = arena.copyIn(g.offsets, 'int32', 'CSR offsets');
    const tgt = arena.copyIn(g.targets, 'int32', 'CSR targets');
    const wgt = g.weights ? arena.copyIn(g.weights, 'float64', 'CSR weights') : null;
    const src = sources ? arena.copyIn(sources, 'int32', 'sources') : null;
    const outSum = doClose ? arena.alloc<Float64Array>('float64', n, 'closeness sums') : null;
    const outReach = doClose ? arena.alloc<Int32Array>('int32', n, 'closeness reach') : null;
    // the chunk counter on its own cache line; per-thread scratch and per-chunk partial blocks
    // line-aligned (the kernel zeroes each partial block before it accumulates into it)
    const next = allocLine(engine, LINE, 'paths chunk counter');
    // private graph copies only within copyLimit (GRAPH_COPY_BYTES) and when they leave room for the rest
    const copyBytes = (shares - 1) * (4 * (n + 1) + 12 * g.targets.length + (sources ? 4 * K : 0) + 4 * LINE);
    const restBytes = shares * (SCRATCH_PER_NODE * n + 2 * LINE) + lay.stride * nChunks + LINE + 12 * n + 64;
    const copy = copyBytes <= copyLimit && arena.fits(copyBytes + restBytes);
    const share = Array.from({ length: shares }, (_, i) => {
      const scratch = allocLine(engine, roundUp(SCRATCH_PER_NODE * n, LINE), 'paths scratch');
      if (i === 0 || !copy) return { scratch, off: off.ptr, tgt: tgt.ptr, wgt: wgt ? wgt.ptr : 0, src: src ? src.ptr : 0 };
      const own = (a: Int32Array | Float64Array | null, what: string): number => {
        if (!a) return 0;
        const p = allocLine(engine, a.byteLength, what);
        new Uint8Array(engine.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        return p;
      };
      return { scratch, off: own(g.offsets, 'CSR offsets copy'), tgt: own(g.targets, 'CSR targets copy'), wgt: own(g.weights, 'CSR weights copy'), src: own(sources, 'sources copy') };
    });
    const parts = allocLine(engine, lay.stride * nChunks, 'paths partial sums');
    new Int32Array(engine.memory.buffer, next, 1)[0] = 0;
    const tasks: Task[] = share.map((sh) => ({
      fn: 'paths_brandes_chunks',
      args: [
        n, sh.off, sh.tgt, sh.wgt, sh.src, K, chunk, nChunks, next, sh.scratch,
        parts, lay.stride, lay.betw, lay.bsq, lay.inSum, lay.inReach, outSum?.ptr ?? 0, outReach?.ptr ?? 0,
      ],
    }));
    const done = await engine.run<number>(tasks);
    if (done.reduce((a, b) => a + b, 0) !== nChunks) throw new InternalError(`paths: ${done.join('+')} chunks processed, expected ${nChunks}`);
    // fixed-order reduction (chunk 0, 1, ...) into zeroed totals, as reduceInto in the reference
    const sum = arena.alloc<Float64Array>('float64', n, 'paths totals');
    const cnt = arena.alloc<Int32Array>('int32', n, 'paths totals');
    const reduce = (at: number, dst: Float64Array | Int32Array | null): void => {
      if (at < 0 || !dst) return;
      if (dst instanceof Float64Array) {
        sum.view().fill(0);
        ex.paths_reduce_f64(n, parts, lay.stride, nChunks, at, sum.ptr);
        dst.set(sum.view());
      } else {
        cnt.view().fill(0);
        ex.paths_reduce_i32(n, parts, lay.stride, nChunks, at, cnt.ptr);
        dst.set(cnt.view());
      }
    };
    reduce(lay.betw, total.betw);
    reduce(lay.bsq, total.bsq);
    reduce(lay.inSum, total.inSum);
    reduce(lay.inReach, total.inReach);
    if (outSum) total.outSum!.set(outSum.view());
    if (outReach) total.outReach!.set(outReach.view());
  } finally {
    arena.release(mark);
  }
  return finishCentrality(g, total, sources, seed);
}
