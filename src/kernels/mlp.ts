/**
 * BP-ANN forward pass over rasters: D float32 driver planes -> K float32 probability planes.
 * Kernel: assembly/mlp.ts (mlp_forward_simd, mlp_forward_scalar). Reference: ./mlp.ref.ts.
 *
 * Steps: validate shapes and values -> place weights + normalisation in the shared memory, and
 * the SIMD path's prepared (folded, re-ordered) parameters written once by mlp_prepare_simd ->
 * process the raster in strips of whole rows (bounded arena use: a strip's D input planes and
 * K output planes are copied in/out) -> each strip split into row tiles run as engine tasks,
 * each with its own scratch. Every cell is computed independently by the same code whatever
 * its position (the SIMD tail goes through the vector code on a padded copy), so results are
 * bit-identical for any tile size, strip size and thread count.
 *
 * Example: mlpForward(engine, net, norm, [slope, dist], 4096, 4096) -> 6 planes of 4096^2.
 */
import { ConfigError, InputError, checkInt } from '../errors.js';
import { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';
import type { MlpNet, MlpNorm } from './mlp.ref.js';

export type { MlpNet, MlpNorm } from './mlp.ref.js';

/** 'simd' (float32 f32x4, exp2 approximations, default) or 'scalar' (f64 + Math.exp, equals the reference). */
export type MlpImpl = 'simd' | 'scalar';

export interface MlpForwardOptions {
  impl?: MlpImpl;
  /** Rows per task (default: about 4 tiles per thread). Results do not depend on it. */
  tileRows?: number;
  /** Most cells per strip held in the shared memory at once (default: 256 MiB of planes). */
  stripCells?: number;
}

/** A network and its normalisation laid out in engine.arena. */
export interface PlacedMlp {
  D: number;
  H: number;
  K: number;
  normPtr: number;
  wPtr: number;
  /** The SIMD path's parameters (mlp_prepare_simd of norm + weights). */
  prepPtr: number;
  scratchBytes: number;
}

const STRIP_BYTES = 256 * 2 ** 20;

/** Shape and value checks of a network + normalisation (the kernel runs without assertions). */
export function validateMlp(net: MlpNet, norm: MlpNorm, what = 'model'): void {
  const D = checkInt(`${what}: inputs D`, net.D, 1, 4096);
  const H = checkInt(`${what}: hidden H`, net.H, 1, 4096);
  const K = checkInt(`${what}: outputs K`, net.K, 1, 4096);
  const want: Array<[string, Float32Array, number]> = [
    ['w1', net.w1, H * D],
    ['b1', net.b1, H],
    ['w2', net.w2, K * H],
    ['b2', net.b2, K],
    ['min', norm.min, D],
    ['scale', norm.scale, D],
    ['nodata', norm.nodata, D],
  ];
  for (const [name, a, len] of want) {
    if (!(a instanceof Float32Array)) throw new ConfigError(`${what}: ${name} must be a Float32Array`);
    if (a.length !== len) throw new InputError(`${what}: ${name} has ${a.length} values, expected ${len} (D=${D}, H=${H}, K=${K})`);
    if (name === 'nodata') continue;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new InputError(`${what}: ${name}[${i}] is ${a[i]}, expected a finite number`);
    }
  }
}

/**
 * Lays out norm (min | scale | nodata) and weights (W1 | b1 | W2 | b2) in the arena, and the
 * SIMD path's prepared parameters computed from them (once per network, shared by all tasks).
 */
export function placeMlp(engine: Engine, net: MlpNet, norm: MlpNorm): PlacedMlp {
  validateMlp(net, norm);
  const { D, H, K } = net;
  const nb = engine.arena.alloc<Float32Array>('float32', 3 * D, 'mlp normalisation');
  const nv = nb.view();
  nv.set(norm.min, 0);
  nv.set(norm.scale, D);
  nv.set(norm.nodata, 2 * D);
  const wb = engine.arena.alloc<Float32Array>('float32', H * D + H + K * H + K, 'mlp weights');
  const wv = wb.view();
  wv.set(net.w1, 0);
  wv.set(net.b1, H * D);
  wv.set(net.w2, H * D + H);
  wv.set(net.b2, H * D + H + K * H);
  const pb = engine.arena.alloc<Uint8Array>('uint8', engine.exports.mlp_prepared_bytes(D, H, K), 'mlp prepared parameters');
  engine.exports.mlp_prepare_simd(D, H, K, nb.ptr, wb.ptr, pb.ptr);
  return { D, H, K, normPtr: nb.ptr, wPtr: wb.ptr, prepPtr: pb.ptr, scratchBytes: engine.exports.mlp_scratch_bytes(D, H, K) };
}

/**
 * Runs the kernel on data already in the shared memory: D planes at x (plane stride xStride
 * elements), K planes at out (stride outStride), `rows` rows of `width` cells, split into row
 * tiles across the engine's threads.
 */
export async function mlpRunPlaced(
  engine: Engine,
  p: PlacedMlp,
  x: number,
  xStride: number,
  out: number,
  outStride: number,
  width: number,
  rows: number,
  opts: MlpForwardOptions = {},
): Promise<void> {
  const impl = opts.impl ?? 'simd';
  if (impl !== 'simd' && impl !== 'scalar') throw new ConfigError(`mlp impl: expected "simd" or "scalar", got ${JSON.stringify(impl)}`);
  const fn = impl === 'simd' ? 'mlp_forward_simd' : 'mlp_forward_scalar';
  const tiles = planStrips(rows, { tileRows: opts.tileRows, threads: engine.threads });
  const mark = engine.arena.mark();
  try {
    const scratch = engine.arena.alloc<Uint8Array>('uint8', p.scratchBytes * tiles.length, 'mlp scratch');
    await engine.run(
      tiles.map((t, i) => {
        const off = 4 * t.row0 * width;
        const params = impl === 'simd' ? [p.prepPtr] : [p.normPtr, p.wPtr];
        return { fn, args: [x + off, xStride, t.rows * width, p.D, p.H, p.K, ...params, out + off, outStride, scratch.ptr + i * p.scratchBytes] };
      }),
    );
  } finally {
    engine.arena.release(mark);
  }
}

/**
 * Forward pass over whole rasters held by the host: `planes` are D float32 arrays of
 * width * height cells (NoData as in norm.nodata, NaN always missing); returns K planes with
 * NaN where any driver is missing.
 */
export async function mlpForward(
  engine: Engine,
  net: MlpNet,
  norm: MlpNorm,
  planes: Float32Array[],
  width: number,
  height: number,
  opts: MlpForwardOptions = {},
): Promise<Float32Array[]> {
  checkInt('width', width, 1);
  checkInt('height', height, 1);
  validateMlp(net, norm);
  const { D, K } = net;
  if (planes.length !== D) throw new InputError(`mlp: ${planes.length} driver planes given, the model has ${D} inputs`);
  const n = width * height;
  planes.forEach((pl, d) => {
    if (!(pl instanceof Float32Array)) throw new ConfigError(`mlp: driver plane ${d} must be a Float32Array`);
    if (pl.length !== n) throw new InputError(`mlp: driver plane ${d} has ${pl.length} cells, expected ${width}x${height} = ${n}`);
  });
  const stripCells = opts.stripCells !== undefined ? checkInt('stripCells', opts.stripCells, 1) : Math.floor(STRIP_BYTES / (4 * (D + K)));
  const stripRows = Math.max(1, Math.min(height, Math.floor(stripCells / width)));
  const sc = stripRows * width;
  const out = Array.from({ length: K }, () => new Float32Array(n));
  const mark = engine.arena.mark();
  try {
    const placed = placeMlp(engine, net, norm);
    const xb = engine.arena.alloc<Float32Array>('float32', D * sc, 'mlp driver strip');
    const ob = engine.arena.alloc<Float32Array>('float32', K * sc, 'mlp output strip');
    for (let r0 = 0; r0 < height; r0 += stripRows) {
      const rows = Math.min(stripRows, height - r0);
      const s = r0 * width;
      const e = s + rows * width;
      const xv = xb.view();
      for (let d = 0; d < D; d++) xv.set(planes[d].subarray(s, e), d * sc);
      await mlpRunPlaced(engine, placed, xb.ptr, sc, ob.ptr, sc, width, rows, opts);
      const ov = ob.view();
      for (let k = 0; k < K; k++) out[k].set(ov.subarray(k * sc, k * sc + rows * width), s);
    }
  } finally {
    engine.arena.release(mark);
  }
  return out;
}

function mapSimd(engine: Engine, fn: string, src: Float32Array): Float32Array {
  const mark = engine.arena.mark();
  try {
    const a = engine.arena.copyIn(src, 'float32', `${fn} input`);
    const b = engine.arena.alloc<Float32Array>('float32', src.length, `${fn} output`);
    engine.exports[fn](a.ptr, b.ptr, src.length);
    return b.view().slice();
  } finally {
    engine.arena.release(mark);
  }
}

/** 2^x of the SIMD path's softmax, x in [-126, 126] (for tests of its error bound). */
export function exp2Simd(engine: Engine, src: Float32Array): Float32Array {
  return mapSimd(engine, 'mlp_exp2_simd', src);
}

/** 1 / (1 + 2^u) of the SIMD path's hidden layer (for tests of its error bound). */
export function sigmoid2Simd(engine: Engine, src: Float32Array): Float32Array {
  return mapSimd(engine, 'mlp_sigmoid2_simd', src);
}
