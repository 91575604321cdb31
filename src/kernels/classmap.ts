/**
 * Class map: per-cell value by class code through a look-up table, or the change between two
 * class rasters (value(future) - value(baseline)). The per-cell pass of the carbon coefficient
 * map (emission per cell = coefficient[class] x pixel area) and of the storage maps
 * (C_total[class] t/ha, change = future - baseline).
 * Kernel: assembly/classmap.ts. Reference: ./classmap.ref.ts (same output bits).
 *
 * Steps: validate -> place the class raster(s) in the shared memory (zero-copy when they are
 * already views on engine.memory) -> copy the table(s) in, with NaN at the class NoData code ->
 * run row tiles across the engine's threads -> copy the output out (or write straight into
 * `opts.out` when it is a view on engine.memory). A pure per-cell map: any tile size and
 * thread count gives the same bits.
 *
 * Example: classes [1, 2, 255(NoData), 9], lutMin 1, lut [0.5, -2] ->
 *   [0.5, -2, nodata, nodata] (9 is outside the table).
 */
import { ConfigError, InputError } from '../errors.js';
import { isIntegerDType } from '../io/grid.js';
import { Block } from '../wasm/arena.js';
import { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';
import { DT_CODE, Layer } from './zonal.js';

export type ClassMapOut = 'float32' | 'float64';

export interface ClassMapInput {
  width: number;
  height: number;
  /** Class codes (the baseline for a change map). Integer dtype. */
  classes: Layer;
  /** Second class raster, same dtype and size: the output is value(future) - value(classes). */
  future?: Layer;
  /** Value of code c at lut[c - lutMin] (f64); NaN = no value (the cell becomes NoData). */
  lut: ArrayLike<number>;
  lutMin: number;
  outType: ClassMapOut;
  /** Output NoData (stored as float32 for float32 output). */
  nodata: number;
}

export interface ClassMapOptions {
  /** Rows per task (default: about 4 tiles per thread). */
  tileRows?: number;
  /** Output array to fill (length width * height, the outType's array); zero-copy when a view on engine.memory. */
  out?: Float32Array | Float64Array;
}

/** Widest table (entries) accepted, as the zonal kernel's code tables. */
export const MAX_CLASSMAP_LUT = 1 << 26;

function checkLayer(l: Layer, cells: number, role: string): void {
  if (!isIntegerDType(l.dtype)) throw new InputError(`${l.name}: ${role} raster must hold integer codes, found ${l.dtype}`);
  if (l.data.length !== cells) throw new InputError(`${l.name}: ${l.data.length} cells, expected ${cells}`);
}

/** Validates the input (shared by kernel and reference). */
export function checkClassMapInput(input: ClassMapInput): void {
  const { width, height } = input;
  if (!Number.isInteger(width) || width < 0 || !Number.isInteger(height) || height < 0) {
    throw new ConfigError(`class map: width and height must be integers >= 0, got ${width} x ${height}`);
  }
  if (input.outType !== 'float32' && input.outType !== 'float64') {
    throw new ConfigError(`class map: output type must be float32 or float64, got ${JSON.stringify(input.outType)}`);
  }
  const cells = width * height;
  checkLayer(input.classes, cells, 'class');
  if (input.future) {
    checkLayer(input.future, cells, 'class');
    if (input.future.dtype !== input.classes.dtype) {
      throw new InputError(`${input.future.name}: ${input.future.dtype} codes, expected ${input.classes.dtype} as ${input.classes.name}`);
    }
  }
  const n = input.lut.length;
  if (n < 1 || n > MAX_CLASSMAP_LUT) throw new ConfigError(`class map: look-up table of ${n} entries, expected 1..${MAX_CLASSMAP_LUT}`);
  if (!Number.isInteger(input.lutMin) || input.lutMin < -(2 ** 31) || input.lutMin + n - 1 > 2 ** 32 - 1) {
    throw new ConfigError(`class map: table start code ${input.lutMin}: expected an integer >= -2^31 with the table ending <= 2^32 - 1`);
  }
  if (input.lutMin > 2 ** 31 - 1 && input.classes.dtype !== 'uint32') {
    throw new ConfigError(`class map: table start code ${input.lutMin} is beyond every ${input.classes.dtype} code`);
  }
}

/** The tables as the kernel reads them: the caller's values with NaN at each raster's NoData code. */
export function classMapTables(input: ClassMapInput): { lutA: Float64Array; lutB: Float64Array } {
  checkClassMapInput(input);
  const mk = (nd: number | null) => {
    const t = Float64Array.from(input.lut);
    if (nd !== null && Number.isInteger(nd)) {
      const o = nd - input.lutMin;
      if (o >= 0 && o < t.length) t[o] = NaN;
    }
    return t;
  };
  const lutA = mk(input.classes.nodata);
  const lutB = input.future ? (input.future.nodata === input.classes.nodata ? lutA : mk(input.future.nodata)) : lutA;
  return { lutA, lutB };
}

function place(engine: Engine, l: Layer): Block {
  if (l.data.buffer === engine.memory.buffer) {
    const data = l.data;
    return { ptr: data.byteOffset, length: data.length, dtype: l.dtype, view: () => data };
  }
  return engine.arena.copyIn(l.data, l.dtype, l.name);
}

/** Class map on the engine (see the module comment). Returns opts.out when given, else a new array. */
export async function classMap(engine: Engine, input: ClassMapInput, opts: ClassMapOptions = {}): Promise<Float32Array | Float64Array> {
  const { lutA, lutB } = classMapTables(input);
  const cells = input.width * input.height;
  const Out = input.outType === 'float32' ? Float32Array : Float64Array;
  if (opts.out && (!(opts.out instanceof Out) || opts.out.length !== cells)) {
    throw new ConfigError(`class map: output array must be a ${Out.name} of ${cells} cells`);
  }
  if (opts.tileRows !== undefined && (!Number.isInteger(opts.tileRows) || opts.tileRows < 1)) {
    throw new ConfigError(`tile rows: expected a positive integer, got ${opts.tileRows}`);
  }
  const result = opts.out ?? new Out(cells);
  if (cells === 0) return result;
  const arena = engine.arena;
  const mark = arena.mark();
  try {
    const a = place(engine, input.classes);
    const b = input.future ? place(engine, input.future) : null;
    const la = arena.alloc<Float64Array>('float64', lutA.length, 'class map table');
    la.view().set(lutA);
    let lb = la;
    if (lutB !== lutA) {
      lb = arena.alloc<Float64Array>('float64', lutB.length, 'class map table (future)');
      lb.view().set(lutB);
    }
    const direct = result.buffer === engine.memory.buffer;
    const outPtr = direct ? result.byteOffset : arena.alloc(input.outType, cells, 'class map output').ptr;
    const w = input.width;
    const tiles = planStrips(input.height, { tileRows: opts.tileRows, threads: engine.threads });
    await engine.run(
      tiles.map((t) => ({
        fn: 'classmap_run',
        args: [DT_CODE[input.classes.dtype], a.ptr, b ? b.ptr : 0, t.row0 * w, t.rows * w, la.ptr, lb.ptr, input.lutMin, lutA.length, DT_CODE[input.outType], outPtr, input.nodata],
      })),
    );
    if (!direct) result.set(new Out(engine.memory.buffer as ArrayBuffer, outPtr, cells));
    return result;
  } finally {
    arena.release(mark);
  }
}
