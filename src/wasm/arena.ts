/**
 * Host-owned layout of the shared WebAssembly memory: a bump allocator above the module's
 * static data. Buffers are 16-byte aligned (SIMD) typed-array views on the memory: nothing is
 * copied across the boundary. Views go stale when the memory grows, so each Block re-creates
 * its view from memory.buffer on access.
 */
import { ConfigError, InternalError } from '../errors.js';
import { DType, DTYPE_BYTES, RasterArray } from '../io/grid.js';
import { MAX_PAGES, PAGE } from './module.js';

export interface Block<A extends RasterArray = RasterArray> {
  ptr: number;
  length: number;
  dtype: DType;
  /** A fresh view (valid until the memory grows again). */
  view(): A;
}

const CTORS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export function viewOf<A extends RasterArray>(memory: WebAssembly.Memory, dtype: DType, ptr: number, length: number): A {
  const C = CTORS[dtype] as unknown as new (b: ArrayBufferLike, o: number, l: number) => A;
  return new C(memory.buffer, ptr, length);
}

export class Arena {
  private top: number;

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.top = base;
  }

  /** Bytes still available before the 4 GiB limit of one wasm32 memory. */
  get available(): number {
    return MAX_PAGES * PAGE - this.top;
  }

  get used(): number {
    return this.top - this.base;
  }

  mark(): number {
    return this.top;
  }

  /** Frees everything allocated after `mark` (stack discipline). */
  release(mark: number): void {
    if (mark < this.base || mark > this.top) throw new InternalError(`arena: bad release mark ${mark}`);
    this.top = mark;
  }

  reset(): void {
    this.top = this.base;
  }

  /** Would `bytes` more fit in one memory? */
  fits(bytes: number): boolean {
    return align16(this.top) + bytes <= MAX_PAGES * PAGE;
  }

  alloc<A extends RasterArray = RasterArray>(dtype: DType, length: number, what = 'buffer'): Block<A> {
    if (!Number.isInteger(length) || length < 0) throw new InternalError(`arena: bad length ${length} for ${what}`);
    const bytes = length * DTYPE_BYTES[dtype];
    const ptr = align16(this.top);
    const end = ptr + bytes;
    if (end > MAX_PAGES * PAGE) {
      throw new ConfigError(
        `${what}: needs ${(bytes / 2 ** 20).toFixed(1)} MiB but only ${(Math.max(0, MAX_PAGES * PAGE - ptr) / 2 ** 20).toFixed(1)} MiB ` +
          `of the 4 GiB WebAssembly memory are left (this step holds the raster in one memory; it is too large for it)`,
      );
    }
    this.ensure(end);
    this.top = end;
    const memory = this.memory;
    return { ptr, length, dtype, view: () => viewOf<A>(memory, dtype, ptr, length) };
  }

  /** Allocates and copies `src` in (for inputs that do not already live in the memory). */
  copyIn<A extends RasterArray>(src: A, dtype: DType, what = 'buffer'): Block<A> {
    const b = this.alloc<A>(dtype, src.length, what);
    (b.view() as RasterArray).set(src as never);
    return b;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      this.memory.grow(pages);
    }
  }
}

export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
