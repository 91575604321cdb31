/**
 * Typed wrapper of the FLUS CA iteration kernel (assembly/ca.ts): validates the layout, owns the
 * kernel's buffers in the engine's shared memory and runs one synchronous iteration across the
 * engine's threads. One task per thread (each with its own scratch); the tasks share the rows
 * dynamically in chunks of `tileRows` rows through an atomic row counter in shared memory
 * (one dispatch per thread and iteration instead of one per strip, and no thread waits while
 * rows are left: the last chunks go to whichever thread is free). A chunk reads (N - 1) / 2
 * rows above and below it (caHalo); the map is held whole in shared memory, so they are read
 * in place. Results are identical for any thread count and chunk height (the rule is a pure
 * function of the previous map, the coefficients and (seed, iteration, global cell index)).
 *
 * Example:
 *   const ca = new CaKernel(engine, { width, height, classes: 3, n: 3 });
 *   ca.cur.view().set(classIndexMap); ca.sp.view().set(probPlanes);
 *   const changes = await ca.step(seed, 0, caCoef(3, 3, w, inertia, allowed));
 *   // ca.prop.view(): proposed classes; ca.key.view()[i]: priority (float32 bits of sp_k / sp_c) where prop != cur
 */
import { ConfigError, checkInt } from '../errors.js';
import type { Engine, Task } from '../tiling/engine.js';
import type { Block } from '../wasm/arena.js';
import { caCoef, caStepRef, CaStepInput, NODATA_CLASS } from './ca.ref.js';

export { caCoef, caStepRef, NODATA_CLASS };
export type { CaStepInput };

/** Rows of context a strip reads above and below: (N - 1) / 2. */
export function caHalo(n: number): number {
  return (n - 1) >> 1;
}

/** Default rows per chunk: small enough to balance 2+ threads, large enough that claiming is free. */
export const DEFAULT_CHUNK_ROWS = 8;

function roundUp16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/**
 * Scratch bytes one task needs (layout in assembly/ca.ts): per-class column sums, one row of
 * per-class counts, the row's active bits, the pair coefficient table (K <= 8), K f64, a NoData
 * row and the row's list of active cells.
 */
export function caScratchBytes(width: number, classes: number, n: number): number {
  const h = caHalo(n);
  const K = classes;
  const wp = roundUp16(width);
  return K * roundUp16(width + 2 * h + 32) + K * wp + roundUp16(wp / 8) + (K <= 8 ? K * K * K * 16 : 0) + roundUp16(8 * K) +
    roundUp16(width + 16) + roundUp16(4 * (width + 2)) + 16;
}

export function checkCaLayout(width: number, height: number, classes: number, n: number): void {
  checkInt('width', width, 1);
  checkInt('height', height, 1);
  checkInt('number of classes', classes, 1, 254);
  checkInt('neighbourhood size', n, 3, 11);
  if (n % 2 !== 1) throw new ConfigError(`neighbourhood size: expected an odd number in 3..11, got ${n}`);
}

export interface CaKernelOptions {
  width: number;
  height: number;
  classes: number;
  n: number;
  /** Allocate a restricted mask (cells != 0 never change). */
  restricted?: boolean;
  /** Rows per chunk a task claims at a time (default 8; does not change results). */
  tileRows?: number;
  /** Use the i8x16 neighbourhood count (default true); false runs the scalar path. */
  simd?: boolean;
  /** Hold suitability as uint16 q = round(p * 65535) (default false: float32); see suitabilityU16. */
  u16?: boolean;
}

export class CaKernel {
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  readonly n: number;
  /** Current class indices (u8, 255 = NoData), plus 16 readable bytes of slack. */
  readonly cur: Block<Uint8Array>;
  /** K planes of width*height suitability: float32, or uint16 (q = round(p * 65535)) when u16. */
  readonly sp: Block<Float32Array | Uint16Array>;
  readonly u16: boolean;
  /** Restricted mask (u8, nonzero = never changes), plus 16 readable bytes of slack. */
  readonly restricted: Block<Uint8Array> | null;
  readonly coef: Block<Float64Array>;
  readonly prop: Block<Uint8Array>;
  readonly key: Block<Uint32Array>;
  /** Rows per chunk a task claims at a time. */
  readonly chunkRows: number;
  /** Tasks per iteration: min(threads, number of chunks). */
  readonly workers: number;
  /** i32 row counter the tasks claim chunks from. */
  private readonly next: Block<Int32Array>;
  private readonly scratch: Block<Uint8Array>;
  private readonly scratchBytes: number;
  private readonly mark: number;
  simd: boolean;

  constructor(private readonly engine: Engine, o: CaKernelOptions) {
    checkCaLayout(o.width, o.height, o.classes, o.n);
    this.width = o.width;
    this.height = o.height;
    this.classes = o.classes;
    this.n = o.n;
    this.simd = o.simd ?? true;
    const cells = o.width * o.height;
    this.chunkRows = o.tileRows === undefined ? DEFAULT_CHUNK_ROWS : checkInt('tile rows', o.tileRows, 1);
    this.workers = Math.min(engine.threads, Math.ceil(o.height / this.chunkRows));
    const a = engine.arena;
    this.mark = a.mark();
    this.cur = a.alloc<Uint8Array>('uint8', cells + 16, 'CA current map');
    this.u16 = o.u16 ?? false;
    this.sp = a.alloc<Float32Array | Uint16Array>(this.u16 ? 'uint16' : 'float32', cells * o.classes, 'CA suitability planes');
    this.restricted = o.restricted ? a.alloc<Uint8Array>('uint8', cells + 16, 'CA restricted mask') : null;
    this.coef = a.alloc<Float64Array>('float64', o.classes * o.classes, 'CA coefficients');
    this.prop = a.alloc<Uint8Array>('uint8', cells, 'CA proposals');
    this.key = a.alloc<Uint32Array>('uint32', cells, 'CA priority keys');
    this.scratchBytes = roundUp16(caScratchBytes(o.width, o.classes, o.n));
    this.scratch = a.alloc<Uint8Array>('uint8', this.scratchBytes * this.workers, 'CA scratch');
    this.next = a.alloc<Int32Array>('int32', 4, 'CA row counter');
    this.cur.view().fill(NODATA_CLASS);
  }

  /** Frees the kernel's buffers (and everything allocated after them). */
  release(): void {
    this.engine.arena.release(this.mark);
  }

  /** The iteration's tasks (one per worker); run them only after resetting the row counter (step does). */
  tasks(seed: number, iteration: number): Task[] {
    const W = this.width, H = this.height;
    return Array.from({ length: this.workers }, (_, j) => ({
      fn: 'ca_step',
      args: [
        this.cur.ptr, this.sp.ptr, W * H, this.restricted ? this.restricted.ptr : 0, this.coef.ptr,
        this.classes, W, H, this.n, 0, H,
        seed, iteration,
        this.prop.ptr, this.key.ptr, this.scratch.ptr + j * this.scratchBytes, this.simd ? 1 : 0,
        this.next.ptr, this.chunkRows, this.u16 ? 1 : 0,
      ],
    }));
  }

  /**
   * One synchronous iteration: fills prop (and key where prop != cur) from cur. Returns the
   * number of proposed conversions. seed: integer in [0, 2^53); iteration: integer >= 0.
   */
  async step(seed: number, iteration: number, coef: Float64Array): Promise<number> {
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    checkInt('iteration', iteration, 0, 2 ** 31 - 1);
    if (coef.length !== this.classes * this.classes) {
      throw new ConfigError(`CA coefficients: expected ${this.classes * this.classes} values, got ${coef.length}`);
    }
    this.coef.view().set(coef);
    Atomics.store(this.next.view(), 0, 0); // row counter: the tasks claim rows from 0
    const counts = await this.engine.run<number>(this.tasks(seed, iteration));
    let s = 0;
    for (const c of counts) s += c;
    return s;
  }
}

/**
 * Convenience for tests: copies `inp` into a fresh CaKernel, runs one iteration and returns
 * copies of prop and key (key 0 where the cell keeps its class).
 */
export async function caStepWasm(
  engine: Engine,
  inp: CaStepInput,
  opts: { tileRows?: number; simd?: boolean } = {},
): Promise<{ prop: Uint8Array; key: Uint32Array; changes: number }> {
  const ca = new CaKernel(engine, {
    width: inp.width, height: inp.height, classes: inp.classes, n: inp.n,
    restricted: inp.restricted !== null, tileRows: opts.tileRows, simd: opts.simd, u16: inp.sp instanceof Uint16Array,
  });
  try {
    ca.cur.view().set(inp.cur);
    ca.sp.view().set(inp.sp);
    if (ca.restricted && inp.restricted) ca.restricted.view().set(inp.restricted);
    ca.key.view().fill(0);
    const changes = await ca.step(inp.seed, inp.iteration, inp.coef);
    return { prop: ca.prop.view().slice(), key: ca.key.view().slice(), changes };
  } finally {
    ca.release();
  }
}
