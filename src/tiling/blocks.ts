/**
 * The block plan: the one way every command goes through a raster larger than memory
 * (docs/block-plan.md). A command declares what it holds per cell of a block (inputs, outputs,
 * scratch, in bytes) and what it holds whatever the block size (writers' tile rows, models,
 * histograms); the plan turns the memory budget into row bands (blocks) of whole rows, each
 * with the halo rows its kernel declares, and runs read -> compute -> write block by block, in
 * row order. Outputs never depend on the plan (tested for every command), only memory and speed do.
 *
 *   const plan = planBlocks({ width, height, memory, bytesPerCell: 1 + 4, fixedBytes: writerBytes(width, 1, 'float32') });
 *   const out = openBlockOutput('carbon.tif', { grid, dtype: 'float32' });
 *   await runBlocks(plan, [out], async (b) => {
 *     const lu = await readBlock('lu.tif', b);          // rows b.row0 - b.haloTop .. b.row0 + b.rows + b.haloBottom
 *     await out.write(b, [compute(lu.data)]);          // exactly b.rows rows
 *   });
 */
import { ConfigError, InternalError, checkInt } from '../errors.js';
import { readRaster, readBands, createGeoTIFFWriter, type GeoTIFFWriter, type WriterOptions } from '../io/geotiff.js';
import { DTYPE_BYTES, type DType, type Raster, type RasterArray } from '../io/grid.js';
import { defaultMemory, formatBytes, parseMemory } from './memory.js';
import { planStrips, type Tile } from './plan.js';

export type Block = Tile;

export interface BlockPlanOptions {
  width: number;
  height: number;
  /** Memory budget in bytes (parseMemory of --memory). */
  memory: number;
  /** Bytes held per cell of a block, halo rows included: every input, output and scratch plane. */
  bytesPerCell: number;
  /** Bytes held whatever the block size (writers' tile rows, models, tables). Default 0. */
  fixedBytes?: number;
  /** Halo rows the kernel reads above and below each block (N x N window: (N - 1) / 2). */
  halo?: number;
  /** Block rows are a multiple of this (a kernel's canonical block, a file's tile height), except the last. */
  multipleOf?: number;
  /** At most this many rows per block, rounded up to multipleOf (tests force tiny blocks with it; --block-rows). */
  maxRows?: number;
  /** Who asks, for the message when the budget is too small (e.g. "carbon emissions"). */
  what?: string;
}

export interface BlockPlan {
  width: number;
  height: number;
  /** Rows per block (the last block may have fewer). */
  rows: number;
  halo: number;
  blocks: Block[];
  /** Bytes the plan expects at peak: fixedBytes + (rows + 2 halo) x width x bytesPerCell. */
  peakBytes: number;
  memory: number;
}

/** Rows per block that fit the budget, and the blocks. Throws a ConfigError when not even one row band fits. */
export function planBlocks(o: BlockPlanOptions): BlockPlan {
  const width = checkInt('block plan width', o.width, 1);
  const height = checkInt('block plan height', o.height, 1);
  const halo = checkInt('block plan halo', o.halo ?? 0, 0);
  const mult = checkInt('block plan multipleOf', o.multipleOf ?? 1, 1);
  if (!(o.bytesPerCell > 0) || !Number.isFinite(o.bytesPerCell)) throw new InternalError(`block plan: bytesPerCell must be positive, got ${o.bytesPerCell}`);
  const fixed = o.fixedBytes ?? 0;
  const rowBytes = width * o.bytesPerCell;
  const free = o.memory - fixed;
  // rows + 2 halo rows must fit in what the fixed buffers leave
  let rows = Math.floor(free / rowBytes) - 2 * halo;
  const what = o.what ? `${o.what}: ` : '';
  const minRows = Math.min(mult, height);
  if (rows < minRows) {
    const need = fixed + (minRows + 2 * halo) * rowBytes;
    throw new ConfigError(
      `${what}--memory ${formatBytes(o.memory)} is too small for a ${width}-column raster: one block of ${minRows} row(s)` +
        (halo ? ` + ${2 * halo} halo rows` : '') +
        ` needs ${formatBytes(need)} (${o.bytesPerCell} bytes per cell` +
        (fixed ? ` + ${formatBytes(fixed)} fixed` : '') +
        `); give --memory ${Math.ceil(need / 2 ** 20) + 1}M or more`,
    );
  }
  // a forced cap is rounded up to the kernel's multiple (block rows must stay whole kernel blocks)
  if (o.maxRows !== undefined) rows = Math.min(rows, Math.ceil(checkInt('--block-rows', o.maxRows, 1) / mult) * mult);
  rows = Math.min(rows, height);
  if (rows >= mult) rows = Math.floor(rows / mult) * mult;
  const blocks = planStrips(height, { tileRows: rows, halo });
  return { width, height, rows, halo, blocks, peakBytes: fixed + Math.min(height, rows + 2 * halo) * rowBytes, memory: o.memory };
}

/** Tile-row bytes a streaming GeoTIFF writer holds (one tile row of every band, plus its compressed copy). */
export function writerBytes(width: number, bands: number, dtype: DType, tileSize = 256): number {
  return 2 * bands * tileSize * width * DTYPE_BYTES[dtype];
}

/** Bytes the reader holds beside the block it returns: up to 64 decoded tiles in flight. */
export const READER_BYTES = 64 * 256 * 256 * 8;

export interface ReadBlockOptions {
  /** 0-based band (default 0). */
  band?: number;
  /** Include the block's halo rows (default true). */
  halo?: boolean;
}

/** Rows the block reads: [row0 - haloTop, row0 + rows + haloBottom). */
export function blockWindow(b: Block, width: number, withHalo = true): { col0: number; row0: number; width: number; height: number } {
  const top = withHalo ? b.haloTop : 0;
  const bottom = withHalo ? b.haloBottom : 0;
  return { col0: 0, row0: b.row0 - top, width, height: b.rows + top + bottom };
}

/** One band of a raster over the block's rows (with its halo rows unless halo: false). */
export async function readBlock(path: string, b: Block, width: number, opts: ReadBlockOptions = {}): Promise<Raster> {
  return readRaster(path, { band: opts.band, window: blockWindow(b, width, opts.halo ?? true) });
}

/** Every band of a raster over the block's rows. */
export async function readBlockBands(path: string, b: Block, width: number, opts: { halo?: boolean } = {}): Promise<Raster[]> {
  return readBands(path, { window: blockWindow(b, width, opts.halo ?? true) });
}

/** The block's own rows of an array that holds its halo rows too (a view, no copy). */
export function withoutHalo<A extends RasterArray>(a: A, b: Block, width: number): A {
  return a.subarray(b.haloTop * width, (b.haloTop + b.rows) * width) as A;
}

/** A GeoTIFF written block by block, in row order; written under a temporary name until close(). */
export interface BlockOutput {
  readonly path: string;
  /** Writes the block's own rows: `bands[k]` holds b.rows x width values. */
  write(b: Block, bands: RasterArray[]): Promise<void>;
  close(): Promise<void>;
  abort(): void;
}

export function openBlockOutput(path: string, opts: WriterOptions): BlockOutput {
  const w: GeoTIFFWriter = createGeoTIFFWriter(path, opts);
  const width = opts.grid.width;
  return {
    path,
    async write(b, bands) {
      for (const a of bands) {
        if (a.length !== b.rows * width) throw new InternalError(`${path}: block ${b.index} gave ${a.length} values for ${b.rows} rows x ${width}`);
      }
      await w.writeRows(b.row0, bands);
    },
    close: () => w.close(),
    abort: () => w.abort(),
  };
}

/**
 * Runs `fn` on every block in row order. Outputs are closed (renamed into place) only when every
 * block succeeded; on any failure all are aborted, so nothing half-written looks finished.
 */
export async function runBlocks(plan: BlockPlan, outputs: BlockOutput[], fn: (b: Block, plan: BlockPlan) => Promise<void>): Promise<void> {
  try {
    for (const b of plan.blocks) await fn(b, plan);
    for (const o of outputs) await o.close();
  } catch (e) {
    for (const o of outputs) o.abort();
    throw e;
  }
}

/** Memory options as the CLI parses them, passed down to planBlocks. */
export interface BlockBudget {
  memory: number;
  maxRows?: number;
}

/** --memory and hidden --block-rows of a command, parsed. */
export function parseBudget(o: { memory?: string | number; blockRows?: string | number }): BlockBudget {
  return {
    memory: o.memory === undefined ? defaultMemory() : parseMemory(o.memory),
    maxRows: o.blockRows === undefined ? undefined : checkInt('--block-rows', o.blockRows, 1),
  };
}

/** ConfigError helper for commands whose whole-raster step cannot be blocked (names the step). */
export function needsWhole(what: string, bytes: number, memory: number): void {
  if (bytes > memory) {
    throw new ConfigError(`${what} needs ${formatBytes(bytes)} at once but --memory is ${formatBytes(memory)}; give --memory ${Math.ceil(bytes / 2 ** 20) + 1}M or more`);
  }
}
