/**
 * Zonal sums: per (zone, class) cell counts and f64 sums of value rasters, NoData skipped.
 * Kernel: assembly/zonal.ts. Reference: ./zonal.ref.ts.
 *
 * Steps: validate -> place rasters in the shared memory (zero-copy when they already live
 * there) -> find the zone ids and class codes present (presence pass, in tasks) -> dense
 * look-up tables -> accumulate over row tiles in worker threads (each tile a whole number of
 * canonical blocks) -> reduce counts (integers) and block partial sums in block order.
 * The canonical block depends only on the raster width and the number of bins, so results
 * are bit-identical for any thread count and tile size.
 *
 * Example: zones [1,1,2,2] + classes [5,6,5,5] + values [1,2,3,4] gives
 *   (1,5): 1 cell, 1; (1,6): 1 cell, 2; (2,5): 2 cells, 3 + 4 = 7.
 */
import { ConfigError, InputError } from '../errors.js';
import { DType, DTYPE_BYTES, isIntegerDType, Raster, RasterArray } from '../io/grid.js';
import { Block } from '../wasm/arena.js';
import { Engine } from '../tiling/engine.js';
import { planStrips } from '../tiling/plan.js';

export interface ZonalResult {
  /** Zone ids present (ascending). */
  zoneIds: number[];
  /** Class codes present (ascending). */
  classCodes: number[];
  /** Cells per bin, bin = zoneIndex * classCodes.length + classIndex. */
  counts: Float64Array;
  /** Per value raster: sum of valid values per bin. */
  sums: Float64Array[];
  /** Per value raster: cells of the bin where the value raster is NoData/NaN. */
  missing: Float64Array[];
  /** The canonical accumulation block (cells) used. */
  blockCells: number;
}

/** A raster-like input: a typed array (ideally a view on engine.memory) with dtype and NoData. */
export interface Layer {
  dtype: DType;
  data: RasterArray;
  nodata: number | null;
  /** For messages (file name). */
  name: string;
}

export interface ZonalInput {
  width: number;
  height: number;
  zones: Layer;
  classes: Layer;
  values?: Layer[];
}

export interface ZonalOptions {
  /** Rows per task (rounded up to whole canonical blocks). */
  tileRows?: number;
  /** Known zone ids (skips the presence pass for zones); cells with other ids are an error. */
  zoneIds?: number[];
  /**
   * Lower bound of the canonical block in cells (default 2^20). Part of the definition of
   * the result (the f64 addition order), so keep the default unless testing block logic.
   */
  minBlockCells?: number;
}

export const DT_CODE: Record<DType, number> = { uint8: 0, uint16: 1, int16: 2, uint32: 3, int32: 4, float32: 5, float64: 6 };

/** Largest dense range of integer codes a look-up table may span (64 Mi entries). */
const MAX_LUT_RANGE = 1 << 26;

/** Default lower bound of the canonical block, in cells. */
export const MIN_BLOCK_CELLS = 1 << 20;

/**
 * Canonical block: >= minBlockCells cells and >= 32 cells per bin (so per-block partials cost
 * little next to the cells), in whole rows. Depends on width and bins only, never on tiles.
 */
export function canonicalBlockRows(width: number, nBins: number, minBlockCells = MIN_BLOCK_CELLS): number {
  return Math.max(1, Math.ceil(Math.max(minBlockCells, 32 * nBins) / width));
}

export function layerFromRaster(r: Raster, name: string): Layer {
  return { dtype: r.dtype, data: r.data, nodata: r.grid.nodata, name };
}

/** 8/16-bit types: the kernel indexes their look-up tables without a range check, so tables span the whole type. */
function typeSpan(dtype: DType): { min: number; range: number } | null {
  switch (dtype) {
    case 'uint8': return { min: 0, range: 256 };
    case 'uint16': return { min: 0, range: 65536 };
    case 'int16': return { min: -32768, range: 65536 };
    default: return null;
  }
}

/** NoData as the kernel sees it: only when representable in the integer type. */
function intNodata(l: Layer): number | null {
  const nd = l.nodata;
  if (nd === null || !Number.isInteger(nd)) return null;
  const lim: Record<string, [number, number]> = {
    uint8: [0, 255], uint16: [0, 65535], int16: [-32768, 32767], uint32: [0, 2 ** 32 - 1], int32: [-(2 ** 31), 2 ** 31 - 1],
  };
  const [lo, hi] = lim[l.dtype];
  return nd >= lo && nd <= hi ? nd : null;
}

/** Places a layer in the shared memory: zero-copy when it is already a view on it. */
function place(engine: Engine, l: Layer): Block {
  if (l.data.buffer === engine.memory.buffer) {
    const ptr = l.data.byteOffset;
    const len = l.data.length;
    const data = l.data;
    return { ptr, length: len, dtype: l.dtype, view: () => data };
  }
  return engine.arena.copyIn(l.data, l.dtype, l.name);
}

type Chunks = Array<[number, number]>;

/** Min and max valid code (SIMD pass for 8/16-bit types), split into tasks. null: no valid cell. */
async function codeMinMax(engine: Engine, b: Block, l: Layer, chunks: Chunks): Promise<[number, number] | null> {
  const nd = intNodata(l);
  const mm = engine.arena.alloc<Float64Array>('float64', 2 * chunks.length, 'min/max');
  await engine.run(chunks.map(([s, n], i) => ({ fn: 'code_minmax', args: [b.ptr, DT_CODE[l.dtype], s, n, nd ?? 0, nd === null ? 0 : 1, mm.ptr + 16 * i] })));
  const v = mm.view();
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < chunks.length; i++) {
    if (chunks[i][1] === 0 || v[2 * i] > v[2 * i + 1]) continue;
    lo = Math.min(lo, v[2 * i]);
    hi = Math.max(hi, v[2 * i + 1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The codes actually present in [lo, hi] (presence pass), for sparse code sets. */
async function codesPresent(engine: Engine, b: Block, l: Layer, cells: number, lo: number, hi: number): Promise<number[]> {
  const span = typeSpan(l.dtype);
  const min = span ? span.min : lo;
  const range = span ? span.range : hi - lo + 1;
  const tasks = engine.threads;
  const per = Math.ceil(cells / tasks);
  const marks = engine.arena.alloc<Uint8Array>('uint8', range * tasks, 'presence map');
  marks.view().fill(0);
  await engine.run(
    Array.from({ length: tasks }, (_, t) => ({
      fn: 'presence_mark',
      args: [b.ptr, DT_CODE[l.dtype], t * per, Math.max(0, Math.min(per, cells - t * per)), min, range, marks.ptr + t * range],
    })),
  );
  const m = marks.view();
  const nd = intNodata(l);
  const codes: number[] = [];
  for (let o = lo - min; o <= hi - min; o++) {
    let any = 0;
    for (let t = 0; t < tasks; t++) any |= m[t * range + o];
    if (any && o + min !== nd) codes.push(o + min);
  }
  return codes;
}

/**
 * A dimension of the bins (zones or classes): the codes, in index order, and the look-up
 * table code -> index the kernel uses. `known` codes (e.g. the unit table) come first, in
 * ascending order; codes found in the raster but not known follow (so they can be reported).
 */
interface CodeTable {
  codes: number[];
  known: number;
  lutMin: number;
  lutRange: number;
}

function codeTable(l: Layer, present: number[], known?: number[]): CodeTable {
  const nd = intNodata(l);
  const p = present.filter((c) => c !== nd);
  let codes: number[];
  let nKnown: number;
  if (known) {
    const k = [...new Set(known)].sort((a, b) => a - b);
    const ks = new Set(k);
    codes = [...k, ...p.filter((c) => !ks.has(c))];
    nKnown = k.length;
  } else {
    codes = p;
    nKnown = p.length;
  }
  const span = typeSpan(l.dtype);
  let lutMin: number, lutRange: number;
  if (span) {
    lutMin = span.min;
    lutRange = span.range;
  } else {
    const lo = Math.min(...p, Infinity), hi = Math.max(...p, -Infinity);
    lutMin = lo <= hi ? lo : 0;
    lutRange = lo <= hi ? hi - lo + 1 : 1;
  }
  return { codes, known: nKnown, lutMin, lutRange };
}

/** code -> index * stride (-1: skip). Zones use stride = number of classes, classes 1. */
function writeLut(engine: Engine, t: CodeTable, stride: number, what: string): Block<Int32Array> {
  const lut = engine.arena.alloc<Int32Array>('int32', t.lutRange, what);
  const v = lut.view();
  v.fill(-1);
  t.codes.forEach((c, i) => {
    const o = c - t.lutMin;
    if (o >= 0 && o < t.lutRange) v[o] = i * stride;
  });
  return lut;
}

/** Most bins accumulated densely before codes are compacted to those present. */
const MAX_DENSE_BINS = 1 << 21;

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function checkLayer(l: Layer, cells: number, role: string, integer: boolean): void {
  if (l.data.length !== cells) {
    throw new InputError(`${l.name}: ${l.data.length} cells, expected ${cells} (the grid of the zone raster)`);
  }
  if (integer && !isIntegerDType(l.dtype)) {
    throw new InputError(`${l.name}: ${role} raster must hold integer codes, found ${l.dtype}`);
  }
}

export async function zonalSums(engine: Engine, input: ZonalInput, opts: ZonalOptions = {}): Promise<ZonalResult> {
  const { width, height } = input;
  const cells = width * height;
  const values = input.values ?? [];
  checkLayer(input.zones, cells, 'zone', true);
  checkLayer(input.classes, cells, 'class', true);
  for (const v of values) checkLayer(v, cells, 'value', false);
  if (opts.tileRows !== undefined && (!Number.isInteger(opts.tileRows) || opts.tileRows < 1)) {
    throw new ConfigError(`tile rows: expected a positive integer, got ${opts.tileRows}`);
  }

  const arena = engine.arena;
  const mark = arena.mark();
  try {
    const zb = place(engine, input.zones);
    const cb = place(engine, input.classes);
    const vbs = values.map((v) => {
      // integer value rasters are summed as f64
      if (v.dtype === 'float32' || v.dtype === 'float64') return { b: place(engine, v), dtype: v.dtype, nodata: v.nodata };
      const f = arena.alloc<Float64Array>('float64', cells, v.name);
      f.view().set(v.data);
      return { b: f, dtype: 'float64' as DType, nodata: v.nodata };
    });

    // presence passes over row chunks
    const chunkRows = Math.max(1, Math.ceil(height / (engine.threads * 4)));
    const chunks: Array<[number, number]> = [];
    for (let r = 0; r < height; r += chunkRows) chunks.push([r * width, Math.min(chunkRows, height - r) * width]);

    // code tables: min/max (SIMD) gives a dense range; sparse code sets are compacted with a
    // presence pass so the bins stay few
    const zmm = await codeMinMax(engine, zb, input.zones, chunks);
    const cmm = await codeMinMax(engine, cb, input.classes, chunks);
    const tooWide = (l: Layer, mm: [number, number]) =>
      new InputError(
        `${l.name}: integer codes span ${mm[0]}..${mm[1]}, wider than the ${MAX_LUT_RANGE} codes a look-up table may hold; renumber them (e.g. 1..n)`,
      );
    for (const [l, mm] of [[input.zones, zmm], [input.classes, cmm]] as const) {
      if (mm && mm[1] - mm[0] + 1 > MAX_LUT_RANGE) throw tooWide(l, mm);
    }
    const dense = (mm: [number, number] | null) => (mm && mm[1] - mm[0] + 1 <= MAX_DENSE_BINS ? range(mm[0], mm[1]) : null);
    let zPresent = dense(zmm) ?? (zmm ? await codesPresent(engine, zb, input.zones, cells, zmm[0], zmm[1]) : []);
    let cPresent = dense(cmm) ?? (cmm ? await codesPresent(engine, cb, input.classes, cells, cmm[0], cmm[1]) : []);
    const nz = () => zPresent.length + (opts.zoneIds?.length ?? 0);
    if (nz() * Math.max(1, cPresent.length) > MAX_DENSE_BINS && zmm) zPresent = await codesPresent(engine, zb, input.zones, cells, zmm[0], zmm[1]);
    if (nz() * Math.max(1, cPresent.length) > MAX_DENSE_BINS && cmm) cPresent = await codesPresent(engine, cb, input.classes, cells, cmm[0], cmm[1]);
    if (nz() * Math.max(1, cPresent.length) > MAX_DENSE_BINS) {
      throw new InputError(
        `${input.zones.name} x ${input.classes.name}: ${zPresent.length} zones x ${cPresent.length} classes is more (zone, class) pairs than the ${MAX_DENSE_BINS} supported; are these the right rasters?`,
      );
    }
    const zt = codeTable(input.zones, zPresent, opts.zoneIds);
    const ct = codeTable(input.classes, cPresent);
    const zlut = writeLut(engine, zt, Math.max(1, ct.codes.length), 'zone look-up table');
    const clut = writeLut(engine, ct, 1, 'class look-up table');
    const zp = { min: zt.lutMin, range: zt.lutRange };
    const cp = { min: ct.lutMin, range: ct.lutRange };
    const nClass = ct.codes.length;
    const nBins = zt.codes.length * nClass;

    const blockRows = canonicalBlockRows(width, nBins, opts.minBlockCells);
    const blockCells = blockRows * width;
    const tiles = planStrips(height, { tileRows: opts.tileRows, multipleOf: blockRows, threads: engine.threads });
    const nv = values.length;
    const totalBlocks = Math.ceil(height / blockRows);

    const vdesc = arena.alloc<Float64Array>('float64', Math.max(1, 4 * nv), 'value descriptors');
    vbs.forEach((x, i) => {
      const d = vdesc.view();
      d[4 * i] = x.b.ptr;
      d[4 * i + 1] = DT_CODE[x.dtype];
      d[4 * i + 2] = x.nodata === null ? 0 : x.dtype === 'float32' ? Math.fround(x.nodata) : x.nodata;
      d[4 * i + 3] = x.nodata === null || Number.isNaN(x.nodata) ? 0 : 1;
    });
    const sums = arena.alloc<Float64Array>('float64', totalBlocks * nv * nBins, 'block partial sums');
    sums.view().fill(0);
    const counts = arena.alloc<Uint32Array>('uint32', tiles.length * nBins, 'tile counts');
    counts.view().fill(0);
    const missing = arena.alloc<Uint32Array>('uint32', tiles.length * nv * nBins, 'tile missing counts');
    missing.view().fill(0);
    const binScratch = arena.alloc<Int32Array>('int32', tiles.length * blockCells, 'bin scratch');
    const NP = 21;
    const recs = arena.alloc<Float64Array>('float64', tiles.length * NP, 'task records');
    const tasks = tiles.map((t, i) => {
      const r = recs.view().subarray(i * NP, (i + 1) * NP);
      const firstBlock = t.row0 / blockRows;
      r.set([
        zb.ptr, DT_CODE[input.zones.dtype], cb.ptr, DT_CODE[input.classes.dtype],
        t.row0 * width, t.rows * width, blockCells,
        zlut.ptr, zp.min, zp.range, clut.ptr, cp.min, cp.range, nClass, nBins,
        binScratch.ptr + i * blockCells * 4,
        counts.ptr + i * nBins * 4,
        nv, vdesc.ptr,
        sums.ptr + firstBlock * nv * nBins * 8,
        missing.ptr + i * nv * nBins * 4,
      ]);
      return { fn: 'zonal_task', args: [recs.ptr + i * NP * 8] };
    });
    await engine.run(tasks);

    // reduce: counts and missing are integers (any order is exact); sums by block in order
    const outCounts = new Float64Array(nBins);
    const cv = counts.view();
    for (let t = 0; t < tiles.length; t++) for (let b = 0; b < nBins; b++) outCounts[b] += cv[t * nBins + b];
    const outSums = values.map(() => new Float64Array(nBins));
    const outMissing = values.map(() => new Float64Array(nBins));
    const sv = sums.view();
    const mv = missing.view();
    for (let v = 0; v < nv; v++) {
      const o = outSums[v];
      for (let k = 0; k < totalBlocks; k++) {
        const base = (k * nv + v) * nBins;
        for (let b = 0; b < nBins; b++) o[b] += sv[base + b];
      }
      for (let t = 0; t < tiles.length; t++) {
        const base = (t * nv + v) * nBins;
        for (let b = 0; b < nBins; b++) outMissing[v][b] += mv[base + b];
      }
    }
    return compact(input.zones.name, zt, ct, { counts: outCounts, sums: outSums, missing: outMissing }, blockCells, opts.zoneIds !== undefined);
  } finally {
    arena.release(mark);
  }
}

/** Bytes a zonal run needs in the shared memory beyond its inputs (for strip planning). */
export function zonalScratchBytes(width: number, height: number, nBins: number, nValues: number, tiles: number): number {
  const blockRows = canonicalBlockRows(width, nBins);
  return Math.ceil(height / blockRows) * nValues * nBins * 8 + tiles * (nBins * 4 * (1 + nValues) + blockRows * width * 4) + DTYPE_BYTES.float64 * 64;
}

/**
 * Drops bins of codes that never occurred (dense ranges include absent codes), keeps every
 * known zone, and reports zones found in the raster but missing from the known list.
 */
function compact(
  zonesName: string,
  zt: CodeTable,
  ct: CodeTable,
  r: { counts: Float64Array; sums: Float64Array[]; missing: Float64Array[] },
  blockCells: number,
  hasKnown: boolean,
): ZonalResult {
  const nc = ct.codes.length;
  const zKeep: number[] = [];
  const unknown: number[] = [];
  for (let z = 0; z < zt.codes.length; z++) {
    let any = 0;
    for (let c = 0; c < nc; c++) any += r.counts[z * nc + c];
    if (z < zt.known && hasKnown) zKeep.push(z);
    else if (any > 0) {
      if (hasKnown) unknown.push(zt.codes[z]);
      else zKeep.push(z);
    }
  }
  if (unknown.length > 0) {
    unknown.sort((a, b) => a - b);
    throw new InputError(`${zonesName}: zone ids ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''} are not in the unit table`);
  }
  const cKeep: number[] = [];
  for (let c = 0; c < nc; c++) {
    let any = 0;
    for (let z = 0; z < zt.codes.length; z++) any += r.counts[z * nc + c];
    if (any > 0) cKeep.push(c);
  }
  const pick = (a: Float64Array) => {
    const o = new Float64Array(zKeep.length * cKeep.length);
    zKeep.forEach((z, i) => cKeep.forEach((c, j) => (o[i * cKeep.length + j] = a[z * nc + c])));
    return o;
  };
  return {
    zoneIds: zKeep.map((z) => zt.codes[z]),
    classCodes: cKeep.map((c) => ct.codes[c]),
    counts: pick(r.counts),
    sums: r.sums.map(pick),
    missing: r.missing.map(pick),
    blockCells,
  };
}
