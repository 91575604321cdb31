/**
 * Centrality on WASM shortest paths (assembly/paths.ts): validate -> lay the CSR graph and
 * per-task buffers out in the arena -> run source chunks across worker threads -> reduce the
 * per-task partial sums in chunk order (bit-identical for any thread count) -> normalise as
 * networkx does (see paths.ref.ts for the exact definitions).
 *
 *   const g = buildCsr(3, [0, 1], [1, 2]);            // directed path 0 -> 1 -> 2
 *   const c = await centrality(g, { threads: 2 });
 *   c.inCloseness  // [0, 0.5, 0.666...]   (networkx closeness_centrality(G))
 *   c.betweenness  // [0, 0.5, 0]          (networkx betweenness_centrality(G))
 */
import { InternalError } from '../errors.js';
import { Engine } from '../tiling/engine.js';
import type { Task } from '../tiling/worker.js';
import { Centrality, checkPathsOptions, CsrGraph, finishCentrality, newPathSums, PathsOptions, reduceInto, sourceChunks } from './paths.ref.js';

export { buildCsr, centralityRef, inDegrees, outDegrees } from './paths.ref.js';
export type { Centrality, CsrGraph, PathsOptions, SamplingReport } from './paths.ref.js';

export interface CentralityRunOptions extends PathsOptions {
  /** An engine to run on (kept open); otherwise one is created with `threads` and closed. */
  engine?: Engine;
  threads?: number;
}

const SCRATCH_PER_NODE = 44; // = paths_scratch_bytes(n) / n

export async function centrality(g: CsrGraph, opts: CentralityRunOptions = {}): Promise<Centrality> {
  const { sources, doBetw, doClose } = checkPathsOptions(g, opts);
  if (opts.engine) return centralityOn(opts.engine, g, sources, doBetw, doClose, opts.seed ?? 0);
  const engine = new Engine({ threads: opts.threads ?? 1 });
  try {
    return await centralityOn(engine, g, sources, doBetw, doClose, opts.seed ?? 0);
  } finally {
    await engine.close();
  }
}

async function centralityOn(engine: Engine, g: CsrGraph, sources: Int32Array | null, doBetw: boolean, doClose: boolean, seed: number): Promise<Centrality> {
  const n = g.n;
  const K = sources ? sources.length : n;
  const total = newPathSums(n, doBetw, doClose, sources !== null);
  if (n === 0 || K === 0 || (!doBetw && !doClose)) return finishCentrality(g, total, sources, seed);
  if (engine.exports.paths_scratch_bytes(16) !== 16 * SCRATCH_PER_NODE) throw new InternalError('paths: scratch layout of the wasm module differs from the host');
  const arena = engine.arena;
  const mark = arena.mark();
  try {
    const off = arena.copyIn(g.offsets, 'int32', 'CSR offsets');
    const tgt = arena.copyIn(g.targets, 'int32', 'CSR targets');
    const wgt = g.weights ? arena.copyIn(g.weights, 'float64', 'CSR weights') : null;
    const src = sources ? arena.copyIn(sources, 'int32', 'sources') : null;
    const outSum = doClose ? arena.alloc<Float64Array>('float64', n, 'closeness sums') : null;
    const outReach = doClose ? arena.alloc<Int32Array>('int32', n, 'closeness reach') : null;
    const chunks = sourceChunks(K);
    const parts = chunks.map(() => ({
      scratch: arena.alloc('uint8', SCRATCH_PER_NODE * n, 'paths scratch'),
      betw: doBetw ? arena.alloc<Float64Array>('float64', n, 'betweenness partial') : null,
      bsq: doBetw && sources ? arena.alloc<Float64Array>('float64', n, 'betweenness squares') : null,
      inSum: doClose ? arena.alloc<Float64Array>('float64', n, 'in-closeness sums') : null,
      inReach: doClose ? arena.alloc<Int32Array>('int32', n, 'in-closeness reach') : null,
    }));
    // fresh memory is zero, but a released arena region may hold old values
    for (const p of parts) for (const b of [p.betw, p.bsq, p.inSum, p.inReach]) b?.view().fill(0);
    const tasks: Task[] = chunks.map(([k0, k1], t) => ({
      fn: 'paths_brandes',
      args: [
        n, off.ptr, tgt.ptr, wgt ? wgt.ptr : 0, src ? src.ptr : 0, k0, k1, parts[t].scratch.ptr,
        parts[t].betw?.ptr ?? 0, parts[t].bsq?.ptr ?? 0, parts[t].inSum?.ptr ?? 0, parts[t].inReach?.ptr ?? 0,
        outSum?.ptr ?? 0, outReach?.ptr ?? 0,
      ],
    }));
    await engine.run(tasks);
    for (const p of parts) {
      reduceInto(total, { betw: p.betw?.view() ?? null, bsq: p.bsq?.view() ?? null, inSum: p.inSum?.view() ?? null, inReach: p.inReach?.view() ?? null });
    }
    if (outSum) total.outSum!.set(outSum.view());
    if (outReach) total.outReach!.set(outReach.view());
  } finally {
    arena.release(mark);
  }
  return finishCentrality(g, total, sources, seed);
}
