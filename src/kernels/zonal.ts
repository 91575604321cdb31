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
import { ConfigError, InputError, InternalError } from '../errors.js';
import { DType, isIntegerDType, Raster, RasterArray } from '../io/grid.js';
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
  /**
   * Where `data` lives in engine.memory, when it was read there (zero-copy). Kept as a pointer
   * because a typed-array view goes stale when the memory grows.
   */
  block?: Block;
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
function intNodata(l: LayerMeta): number | null {
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
  if (l.block) {
    if (l.block.length !== l.data.length || l.block.dtype !== l.dtype) throw new InternalError(`zonal: ${l.name}: block of ${l.block.length} ${l.block.dtype} for ${l.data.length} ${l.dtype} cells`);
    return l.block;
  }
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

function codeTable(l: LayerMeta, present: number[], known?: number[]): CodeTable {
  const nd = intNodata(l);
  const p = present.filter((c) => c !== nd);
  let codes: number[];
  let nKnown: number;
  if (known) {
    // the NoData value is never a zone, even when listed
    const k = [...new Set(known)].filter((c) => c !== nd).sort((a, b) => a - b);
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

/** What a scan of integer codes found: min/max, and (for sparse codes) the codes present. */
export interface CodeScan {
  minmax: [number, number] | null;
  present?: number[];
}

function rowChunks(width: number, rows: number, threads: number): Chunks {
  const chunkRows = Math.max(1, Math.ceil(rows / (threads * 4)));
  const chunks: Chunks = [];
  for (let r = 0; r < rows; r += chunkRows) chunks.push([r * width, Math.min(chunkRows, rows - r) * width]);
  return chunks;
}

/** Min/max (and, when `sparse` says so, the codes present) of an integer layer. */
export async function scanCodes(engine: Engine, l: Layer, width: number, rows: number, presence = false): Promise<CodeScan> {
  const mark = engine.arena.mark();
  try {
    const b = place(engine, l);
    const mm = await codeMinMax(engine, b, l, rowChunks(width, rows, engine.threads));
    if (mm && mm[1] - mm[0] + 1 > MAX_LUT_RANGE) {
      throw new InputError(`${l.name}: integer codes span ${mm[0]}..${mm[1]}, wider than the ${MAX_LUT_RANGE} codes a look-up table may hold; renumber them (e.g. 1..n)`);
    }
    const sparse = presence || (mm !== null && mm[1] - mm[0] + 1 > MAX_DENSE_BINS);
    return { minmax: mm, present: sparse && mm ? await codesPresent(engine, b, l, width * rows, mm[0], mm[1]) : undefined };
  } finally {
    engine.arena.release(mark);
  }
}

/** Union of scans of strips of one raster. */
export function mergeScans(a: CodeScan, b: CodeScan): CodeScan {
  const mm: [number, number] | null = !a.minmax ? b.minmax : !b.minmax ? a.minmax : [Math.min(a.minmax[0], b.minmax[0]), Math.max(a.minmax[1], b.minmax[1])];
  const present = a.present || b.present ? [...new Set([...(a.present ?? []), ...(b.present ?? [])])].sort((x, y) => x - y) : undefined;
  return { minmax: mm, present };
}

function candidates(s: CodeScan): number[] {
  if (s.present) return s.present;
  return s.minmax ? range(s.minmax[0], s.minmax[1]) : [];
}

/** Description of a layer without its data (strips bring the data). */
export type LayerMeta = Omit<Layer, 'data'>;

export interface ZonalPlan {
  width: number;
  zones: LayerMeta;
  classes: LayerMeta;
  values: LayerMeta[];
  zoneScan: CodeScan;
  classScan: CodeScan;
}

/** Thrown when dense code ranges give too many bins: scan again with presence = true. */
export class NeedPresence extends Error {}

/**
 * Accumulates zonal sums over horizontal strips added top to bottom, so a raster larger than
 * one 4 GiB memory streams through. Strips must hold whole canonical blocks (blockRows),
 * except the last. Block partial sums are added to the running totals in block order, the
 * same order as a single pass: strips, tiles and threads never change the result.
 */
export class ZonalAccumulator {
  readonly blockRows: number;
  private readonly zt: CodeTable;
  private readonly ct: CodeTable;
  private readonly nBins: number;
  private readonly counts: Float64Array;
  private readonly sums: Float64Array[];
  private readonly missing: Float64Array[];
  private readonly zlut: Block<Int32Array>;
  private readonly clut: Block<Int32Array>;
  private readonly base: number;
  private rowsDone = 0;

  constructor(
    private readonly engine: Engine,
    private readonly plan: ZonalPlan,
    private readonly opts: ZonalOptions = {},
  ) {
    if (opts.tileRows !== undefined && (!Number.isInteger(opts.tileRows) || opts.tileRows < 1)) {
      throw new ConfigError(`tile rows: expected a positive integer, got ${opts.tileRows}`);
    }
    const zc = candidates(plan.zoneScan);
    const cc = candidates(plan.classScan);
    const nz = zc.length + (opts.zoneIds?.length ?? 0);
    if (nz * Math.max(1, cc.length) > MAX_DENSE_BINS) {
      if (!plan.zoneScan.present || !plan.classScan.present) throw new NeedPresence();
      throw new InputError(
        `${plan.zones.name} x ${plan.classes.name}: ${zc.length} zones x ${cc.length} classes is more (zone, class) pairs than the ${MAX_DENSE_BINS} supported; are these the right rasters?`,
      );
    }
    this.zt = codeTable(plan.zones, zc, opts.zoneIds);
    this.ct = codeTable(plan.classes, cc);
    this.base = engine.arena.mark();
    this.zlut = writeLut(engine, this.zt, Math.max(1, this.ct.codes.length), 'zone look-up table');
    this.clut = writeLut(engine, this.ct, 1, 'class look-up table');
    this.nBins = this.zt.codes.length * this.ct.codes.length;
    this.blockRows = canonicalBlockRows(plan.width, this.nBins, opts.minBlockCells);
    this.counts = new Float64Array(this.nBins);
    this.sums = plan.values.map(() => new Float64Array(this.nBins));
    this.missing = plan.values.map(() => new Float64Array(this.nBins));
  }

  /** Adds the next `rows` rows (layers hold exactly rows * width cells). */
  async addRows(rows: number, layers: { zones: Layer; classes: Layer; values?: Layer[] }): Promise<void> {
    const { engine, plan, nBins } = this;
    const width = plan.width;
    if (this.rowsDone % this.blockRows !== 0) {
      throw new InternalError(`zonal: a strip of ${this.rowsDone} rows so far is not a whole number of ${this.blockRows}-row blocks`);
    }
    const cells = rows * width;
    const values = layers.values ?? [];
    checkLayer(layers.zones, cells, 'zone', true);
    checkLayer(layers.classes, cells, 'class', true);
    for (const v of values) checkLayer(v, cells, 'value', false);
    if (values.length !== plan.values.length) throw new InternalError(`zonal: ${values.length} value layers, planned ${plan.values.length}`);
    const arena = engine.arena;
    const mark = arena.mark();
    try {
      const zb = place(engine, layers.zones);
      const cb = place(engine, layers.classes);
      const vbs = values.map((v) => {
        // integer value rasters are summed as f64
        if (v.dtype === 'float32' || v.dtype === 'float64') return { b: place(engine, v), dtype: v.dtype, nodata: v.nodata };
        const f = arena.alloc<Float64Array>('float64', cells, v.name);
        f.view().set(v.data);
        return { b: f, dtype: 'float64' as DType, nodata: v.nodata };
      });
      const blockRows = this.blockRows;
      const blockCells = blockRows * width;
      const tiles = planStrips(rows, { tileRows: this.opts.tileRows, multipleOf: blockRows, threads: engine.threads });
      const nv = values.length;
      const nBlocks = Math.ceil(rows / blockRows);
      const vdesc = arena.alloc<Float64Array>('float64', Math.max(1, 4 * nv), 'value descriptors');
      const d = vdesc.view();
      vbs.forEach((x, i) => {
        d[4 * i] = x.b.ptr;
        d[4 * i + 1] = DT_CODE[x.dtype];
        d[4 * i + 2] = x.nodata === null ? 0 : x.dtype === 'float32' ? Math.fround(x.nodata) : x.nodata;
        d[4 * i + 3] = x.nodata === null || Number.isNaN(x.nodata) ? 0 : 1;
      });
      const sums = arena.alloc<Float64Array>('float64', nBlocks * nv * nBins, 'block partial sums');
      sums.view().fill(0);
      const counts = arena.alloc<Uint32Array>('uint32', tiles.length * nBins, 'tile counts');
      counts.view().fill(0);
      const missing = arena.alloc<Uint32Array>('uint32', tiles.length * nv * nBins, 'tile missing counts');
      missing.view().fill(0);
      const NP = 23;
      const recs = arena.alloc<Float64Array>('float64', tiles.length * NP, 'task records');
      const rv = recs.view();
      const { zt, ct } = this;
      const zNd = intNodata(plan.zones);
      const tasks = tiles.map((t, i) => {
        rv.set(
          [
            zb.ptr, DT_CODE[layers.zones.dtype], cb.ptr, DT_CODE[layers.classes.dtype],
            t.row0 * width, t.rows * width, blockCells,
            this.zlut.ptr, zt.lutMin, zt.lutRange, this.clut.ptr, ct.lutMin, ct.lutRange, ct.codes.length, nBins,
            0, // slot 15: unused
            counts.ptr + i * nBins * 4,
            nv, vdesc.ptr,
            sums.ptr + (t.row0 / blockRows) * nv * nBins * 8,
            missing.ptr + i * nv * nBins * 4,
            zNd === null ? 0 : zNd | 0, zNd === null ? 0 : 1,
          ],
          i * NP,
        );
        return { fn: 'zonal_task', args: [recs.ptr + i * NP * 8] };
      });
      await engine.run(tasks);

      // reduce: counts and missing are integers (any order is exact); sums block by block, in order
      const cv = counts.view();
      for (let t = 0; t < tiles.length; t++) {
        const o = t * nBins;
        for (let b = 0; b < nBins; b++) this.counts[b] += cv[o + b];
      }
      const sv = sums.view();
      const mv = missing.view();
      for (let v = 0; v < nv; v++) {
        const out = this.sums[v];
        for (let k = 0; k < nBlocks; k++) {
          const o = (k * nv + v) * nBins;
          for (let b = 0; b < nBins; b++) out[b] += sv[o + b];
        }
        const miss = this.missing[v];
        for (let t = 0; t < tiles.length; t++) {
          const o = (t * nv + v) * nBins;
          for (let b = 0; b < nBins; b++) miss[b] += mv[o + b];
        }
      }
      this.rowsDone += rows;
    } finally {
      arena.release(mark);
    }
  }

  /** The result; frees the look-up tables (the accumulator cannot be used afterwards). */
  finish(): ZonalResult {
    this.engine.arena.release(this.base);
    return compact(this.plan.zones.name, this.zt, this.ct, { counts: this.counts, sums: this.sums, missing: this.missing }, this.blockRows * this.plan.width, this.opts.zoneIds !== undefined);
  }

  /** Releases the look-up tables without a result (on failure). */
  dispose(): void {
    this.engine.arena.release(this.base);
  }
}

function meta(l: Layer): LayerMeta {
  return { dtype: l.dtype, nodata: l.nodata, name: l.name };
}

/** Zonal sums of rasters held whole in memory (one strip). */
export async function zonalSums(engine: Engine, input: ZonalInput, opts: ZonalOptions = {}): Promise<ZonalResult> {
  const { width, height } = input;
  const cells = width * height;
  const values = input.values ?? [];
  checkLayer(input.zones, cells, 'zone', true);
  checkLayer(input.classes, cells, 'class', true);
  for (const v of values) checkLayer(v, cells, 'value', false);
  // scan codes: min/max (SIMD) gives a dense range; sparse codes are compacted by presence
  let zoneScan = await scanCodes(engine, input.zones, width, height);
  let classScan = await scanCodes(engine, input.classes, width, height);
  const plan = (): ZonalPlan => ({ width, zones: meta(input.zones), classes: meta(input.classes), values: values.map(meta), zoneScan, classScan });
  let acc: ZonalAccumulator;
  try {
    acc = new ZonalAccumulator(engine, plan(), opts);
  } catch (e) {
    if (!(e instanceof NeedPresence)) throw e;
    zoneScan = await scanCodes(engine, input.zones, width, height, true);
    classScan = await scanCodes(engine, input.classes, width, height, true);
    acc = new ZonalAccumulator(engine, plan(), opts);
  }
  try {
    await acc.addRows(height, { zones: input.zones, classes: input.classes, values });
  } catch (e) {
    acc.dispose();
    throw e;
  }
  return acc.finish();
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

