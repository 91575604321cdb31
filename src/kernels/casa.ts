/**
 * CASA month kernel wrapper (assembly/casa.ts; reference ./casa.ref.ts).
 *
 * A CasaRunner lays out, once, the per-cell constants (type index, Topt) and the f64 annual
 * sums in the shared memory, plus one set of month input buffers (f32). Each month: fill the
 * input buffers (month() copies them in; or write into inputs() views directly), then the
 * kernel runs over row tiles across the engine's threads, each tile adding into its own rows of
 * the sums. The per-cell addition order is the month order, so results are bit-identical for
 * any thread count and tile size. Two kernel paths: f64x2 SIMD (default) and scalar.
 *
 *   const r = new CasaRunner(engine, { width, height, topt, typeIndex, types });
 *   for (const m of months) await r.month(m);
 *   const { npp, rh } = r.sums();   // g C/m2 over the months; NEP = npp - rh
 *   r.close();
 */
import { ConfigError, InternalError } from '../errors.js';
import { Block } from '../wasm/arena.js';
import { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';
import { CASA_DEFAULTS, CasaConstants, CasaMonth, CasaTypeParams } from './casa.ref.js';

export { CASA_DEFAULTS } from './casa.ref.js';
export type { CasaConstants, CasaMonth, CasaTypeParams } from './casa.ref.js';

const NREC = 22;

export interface CasaRunnerInput {
  width: number;
  height: number;
  topt: Float32Array;
  typeIndex: Int32Array;
  types: CasaTypeParams[];
  constants?: Partial<CasaConstants>;
  /** 'w' (W rasters) or 'eet-pet'. */
  water: 'w' | 'eet-pet';
  /** Also keep the month's NPP and R_H (f32) for monthly outputs. */
  monthOutputs?: boolean;
  tileRows?: number;
  /**
   * 'simd' (default): f64x2 lanes with a polynomial exp (casa_month_simd); 'scalar':
   * casa_month with Math.exp. They agree to ~1e-15 relative; each is tiling-invariant.
   */
  impl?: 'simd' | 'scalar';
}

export class CasaRunner {
  private readonly mark: number;
  private readonly b: Record<'ndvi' | 'temp' | 'prec' | 'sol' | 'w' | 'pet' | 'topt', Block<Float32Array>>;
  private readonly tidx: Block<Int32Array>;
  private readonly params: Block<Float64Array>;
  private readonly nppSum: Block<Float64Array>;
  private readonly rhSum: Block<Float64Array>;
  private readonly nppOut: Block<Float32Array> | null;
  private readonly rhOut: Block<Float32Array> | null;
  private readonly recs: Block<Float64Array>;
  private readonly tasks: { fn: string; args: number[] }[];
  private closed = false;

  constructor(private readonly engine: Engine, readonly input: CasaRunnerInput) {
    const { width, height } = input;
    const n = width * height;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new ConfigError(`casa: bad raster size ${width}x${height}`);
    if (input.topt.length !== n || input.typeIndex.length !== n) throw new InternalError(`casa: topt/typeIndex length ${input.topt.length}/${input.typeIndex.length}, expected ${n}`);
    if (input.types.length === 0) throw new ConfigError('casa: no vegetation types');
    for (let i = 0; i < n; i++) {
      const t = input.typeIndex[i];
      if (t >= input.types.length) throw new InternalError(`casa: type index ${t} at cell ${i} >= ${input.types.length} types`);
    }
    const c = { ...CASA_DEFAULTS, ...input.constants };
    const a = engine.arena;
    this.mark = a.mark();
    try {
      const f32 = (what: string) => a.alloc<Float32Array>('float32', n, what);
      this.b = {
        ndvi: f32('casa NDVI'), temp: f32('casa temperature'), prec: f32('casa precipitation'), sol: f32('casa solar radiation'),
        w: f32(input.water === 'w' ? 'casa W' : 'casa EET'), pet: input.water === 'eet-pet' ? f32('casa PET') : a.alloc<Float32Array>('float32', 0),
        topt: f32('casa Topt'),
      };
      this.b.topt.view().set(input.topt);
      this.tidx = a.alloc<Int32Array>('int32', n, 'casa type index');
      this.tidx.view().set(input.typeIndex);
      this.params = a.alloc<Float64Array>('float64', 5 * input.types.length, 'casa parameters');
      const pv = this.params.view();
      input.types.forEach((t, i) => pv.set([t.epsMax, t.ndviMin, t.ndviMax, t.srMin, t.srMax], 5 * i));
      this.nppSum = a.alloc<Float64Array>('float64', n, 'casa NPP sums');
      this.rhSum = a.alloc<Float64Array>('float64', n, 'casa R_H sums');
      this.nppSum.view().fill(0);
      this.rhSum.view().fill(0);
      this.nppOut = input.monthOutputs ? f32('casa month NPP') : null;
      this.rhOut = input.monthOutputs ? f32('casa month R_H') : null;
      const tiles = planStrips(height, { tileRows: input.tileRows, threads: engine.threads });
      this.recs = a.alloc<Float64Array>('float64', NREC * tiles.length, 'casa task records');
      const rv = this.recs.view();
      tiles.forEach((t, i) => {
        rv.set(
          [
            t.rows * width, t.row0 * width,
            this.b.ndvi.ptr, this.b.temp.ptr, this.b.prec.ptr, this.b.sol.ptr,
            input.water === 'eet-pet' ? 1 : 0, this.b.w.ptr, this.b.pet.ptr,
            this.b.topt.ptr, this.tidx.ptr, this.params.ptr, input.types.length,
            c.alpha, c.fparMin, c.fparMax, c.t2Coef,
            this.nppOut ? this.nppOut.ptr : 0, this.rhOut ? this.rhOut.ptr : 0,
            this.nppSum.ptr, this.rhSum.ptr, c.tMin,
          ],
          NREC * i,
        );
      });
      const fn = (input.impl ?? 'simd') === 'simd' ? 'casa_month_simd' : 'casa_month';
      if (input.impl !== undefined && input.impl !== 'simd' && input.impl !== 'scalar') throw new ConfigError(`casa: impl must be 'simd' or 'scalar', got ${JSON.stringify(input.impl)}`);
      this.tasks = tiles.map((_, i) => ({ fn, args: [this.recs.ptr + NREC * 8 * i] }));
    } catch (e) {
      a.release(this.mark);
      throw e;
    }
  }

  /** Views on the month input buffers (fill them, then call runMonth()). */
  inputs(): { ndvi: Float32Array; temp: Float32Array; prec: Float32Array; sol: Float32Array; w: Float32Array; pet: Float32Array } {
    return { ndvi: this.b.ndvi.view(), temp: this.b.temp.view(), prec: this.b.prec.view(), sol: this.b.sol.view(), w: this.b.w.view(), pet: this.b.pet.view() };
  }

  /** Runs the kernel on the month currently in the input buffers. */
  async runMonth(): Promise<void> {
    if (this.closed) throw new InternalError('casa: runner closed');
    await this.engine.run(this.tasks);
  }

  /** Copies one month in and runs it. */
  async month(m: CasaMonth): Promise<void> {
    const v = this.inputs();
    v.ndvi.set(m.ndvi);
    v.temp.set(m.temp);
    v.prec.set(m.prec);
    v.sol.set(m.sol);
    if (this.input.water === 'w') {
      if (!m.w) throw new ConfigError('casa: the runner expects W rasters');
      v.w.set(m.w);
    } else {
      if (!m.eet || !m.pet) throw new ConfigError('casa: the runner expects EET and PET rasters');
      v.w.set(m.eet);
      v.pet.set(m.pet);
    }
    await this.runMonth();
  }

  /** The last month's NPP and R_H (copies), when monthOutputs. */
  monthOutputs(): { npp: Float32Array; rh: Float32Array } | null {
    if (!this.nppOut || !this.rhOut) return null;
    return { npp: this.nppOut.view().slice(), rh: this.rhOut.view().slice() };
  }

  /** Copies of the annual sums so far (g C/m2). */
  sums(): { npp: Float64Array; rh: Float64Array } {
    return { npp: this.nppSum.view().slice(), rh: this.rhSum.view().slice() };
  }

  /** Releases the arena memory (stack discipline: close runners in reverse order). */
  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.engine.arena.release(this.mark);
    }
  }
}
