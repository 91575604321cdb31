/**
 * Typed wrapper of the PLUS CARS iteration kernel (assembly/cars.ts; rule in ./cars.ref.ts):
 * owns the kernel's buffers in the engine's shared memory (the map whole, so row tiles read
 * their (N - 1) / 2 halo rows in place) and runs one synchronous iteration as row tiles across
 * the engine's threads. Results are identical for any thread count and tile height: the rule
 * is a pure function of the previous map, the coefficients and (seed, stream, global cell index).
 *
 * Example:
 *   const k = new CarsKernel(engine, { width, height, classes: 3, n: 3 });
 *   k.cur.view().set(map); k.prob.view().set(planes);
 *   const proposals = await k.step(seed, 0, carsCoef(3, 3, w, D, allowed, 1e-4, 0.1, 0.9));
 */
import { ConfigError, checkInt } from '../errors.js';
import type { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';
import type { Block } from '../wasm/arena.js';
import { carsCoef, carsStepRef, type CarsStepInput } from './cars.ref.js';

export { carsCoef, carsStepRef, type CarsStepInput };

export interface CarsKernelOptions {
  width: number;
  height: number;
  classes: number;
  n: number;
  restricted?: boolean;
  /** Rows per task (default about 4 tiles per thread); does not change results. */
  tileRows?: number;
}

export class CarsKernel {
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  readonly n: number;
  readonly cur: Block<Uint8Array>;
  readonly prob: Block<Float32Array>;
  readonly restricted: Block<Uint8Array> | null;
  readonly coef: Block<Float64Array>;
  readonly prop: Block<Uint8Array>;
  readonly key: Block<Uint32Array>;
  private readonly scratch: Block<Uint8Array>;
  private readonly scratchBytes: number;
  private readonly tiles: ReturnType<typeof planStrips>;
  private readonly mark: number;

  constructor(private readonly engine: Engine, o: CarsKernelOptions) {
    this.width = checkInt('width', o.width, 1);
    this.height = checkInt('height', o.height, 1);
    this.classes = checkInt('number of classes', o.classes, 1, 254);
    this.n = checkInt('neighbourhood size', o.n, 3, 11);
    if (o.n % 2 !== 1) throw new ConfigError(`neighbourhood size: expected an odd number in 3..11, got ${o.n}`);
    const cells = o.width * o.height, K = o.classes;
    if (cells * (2 * K + 5) > Number.MAX_SAFE_INTEGER) throw new ConfigError(`CARS: ${cells} cells x ${2 * K + 5} draws exceed 2^53 random-number indices`);
    this.tiles = planStrips(o.height, { tileRows: o.tileRows, threads: engine.threads, halo: (o.n - 1) >> 1 });
    const a = engine.arena;
    this.mark = a.mark();
    this.cur = a.alloc<Uint8Array>('uint8', cells + 16, 'CARS current map');
    this.prob = a.alloc<Float32Array>('float32', cells * K, 'CARS development probability planes');
    this.restricted = o.restricted ? a.alloc<Uint8Array>('uint8', cells + 16, 'CARS restricted mask') : null;
    this.coef = a.alloc<Float64Array>('float64', 2 * K + K * K + 3, 'CARS coefficients');
    this.prop = a.alloc<Uint8Array>('uint8', cells + 16, 'CARS proposals');
    this.key = a.alloc<Uint32Array>('uint32', cells, 'CARS priority keys');
    this.scratchBytes = Math.ceil((engine.exports.cars_scratch_bytes(o.width, K) as number) / 16) * 16;
    this.scratch = a.alloc<Uint8Array>('uint8', this.scratchBytes * this.tiles.length, 'CARS scratch');
    this.cur.view().fill(255);
  }

  release(): void {
    this.engine.arena.release(this.mark);
  }

  /** One synchronous iteration: fills prop (and key where prop != cur). Returns the proposals. */
  async step(seed: number, stream: number, coef: Float64Array): Promise<number> {
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    checkInt('stream', stream, 0, Number.MAX_SAFE_INTEGER);
    const K = this.classes;
    if (coef.length !== 2 * K + K * K + 3) throw new ConfigError(`CARS coefficients: expected ${2 * K + K * K + 3} values, got ${coef.length}`);
    this.coef.view().set(coef);
    const W = this.width, H = this.height;
    const res = await this.engine.run<number>(
      this.tiles.map((t, j) => ({
        fn: 'cars_step',
        args: [
          this.cur.ptr, this.prob.ptr, W * H, this.restricted ? this.restricted.ptr : 0, this.coef.ptr,
          K, W, H, this.n, t.row0, t.row0 + t.rows, BigInt(seed), BigInt(stream), this.prop.ptr, this.key.ptr, this.scratch.ptr + j * this.scratchBytes,
        ],
      })),
    );
    return res.reduce((a, b) => a + b, 0);
  }
}

/** Convenience for tests: one iteration on a fresh kernel; copies of prop and key (0 where unchanged). */
export async function carsStepWasm(engine: Engine, inp: CarsStepInput, opts: { tileRows?: number } = {}): Promise<{ prop: Uint8Array; key: Uint32Array; proposals: number }> {
  const k = new CarsKernel(engine, { width: inp.width, height: inp.height, classes: inp.classes, n: inp.n, restricted: inp.restricted !== null, tileRows: opts.tileRows });
  try {
    k.cur.view().set(inp.cur);
    k.prob.view().set(inp.prob);
    if (k.restricted && inp.restricted) k.restricted.view().set(inp.restricted);
    k.key.view().fill(0);
    const proposals = await k.step(inp.seed, inp.stream, inp.coef);
    return { prop: k.prop.view().slice(0, inp.width * inp.height), key: k.key.view().slice(), proposals };
  } finally {
    k.release();
  }
}
