/**
 * The FLUS CA kernel (assembly/ca.ts) over block groups (src/tiling/groups.ts): the map,
 * suitability planes, restricted mask, proposals and keys are split into bands of rows, each
 * band in its own WebAssembly memory, so the raster is not limited to one 4 GiB memory. Per
 * iteration the map's halo rows ((N - 1) / 2 each side) are copied from the neighbouring groups,
 * then every group runs ca_step over its own rows with its own row counter and scratch. The
 * kernel addresses cells by global index (shifted pointers), so the proposals, keys and random
 * draws are those of the one-memory CaKernel, bit for bit, whatever the grouping (tested).
 *
 * Example:
 *   const ca = new CaGroups(engine, { width, height, classes: 6, n: 3, u16: true }, planRowGroups(...));
 *   ca.map.row(y).set(classRow); ca.sp.row(y, k).set(quantisedRow);
 *   const proposed = await ca.step(seed, t, coef);   // then demand enforcement on ca.map / ca.prop / ca.key
 */
import { ConfigError, checkInt } from '../errors.js';
import type { Engine, Task } from '../tiling/engine.js';
import { MemoryGroups, RowPlanes, type RowGroup, planRowGroups } from '../tiling/groups.js';
import type { Block } from '../wasm/arena.js';
import { caHalo, caScratchBytes, checkCaLayout, DEFAULT_CHUNK_ROWS, NODATA_CLASS } from './ca.js';

export interface CaGroupsOptions {
  width: number;
  height: number;
  classes: number;
  n: number;
  restricted?: boolean;
  /** Rows per chunk a task claims (default 8; no effect on results). */
  tileRows?: number;
  simd?: boolean;
  /** uint16 suitability q = round(p * 65535) (default false: float32). */
  u16?: boolean;
}

/** Bytes per owned row held by a CaGroups group (map, suitability, mask, proposals, keys). */
export function caGroupBytesPerRow(width: number, classes: number, u16: boolean, restricted: boolean): number {
  return width * (1 + classes * (u16 ? 2 : 4) + (restricted ? 1 : 0) + 1 + 4);
}

/** The row groups for a CA raster: as few as fit one memory each, or `rows` rows each (forced). */
export function planCaGroups(o: CaGroupsOptions, rows?: number, maxBytes?: number): RowGroup[] {
  return planRowGroups(o.height, {
    bytesPerRow: caGroupBytesPerRow(o.width, o.classes, o.u16 ?? false, o.restricted ?? false),
    halo: caHalo(o.n), haloBytesPerRow: o.width, rows, maxBytes,
  });
}

export class CaGroups {
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  readonly n: number;
  readonly u16: boolean;
  readonly groups: MemoryGroups;
  /** Class indices (255 = NoData) with halo rows. */
  readonly map: RowPlanes<Uint8Array>;
  /** K planes of suitability (float32, or uint16 when u16). */
  readonly sp: RowPlanes<Float32Array | Uint16Array>;
  readonly restricted: RowPlanes<Uint8Array> | null;
  readonly prop: RowPlanes<Uint8Array>;
  readonly key: RowPlanes<Uint32Array>;
  readonly chunkRows: number;
  simd: boolean;
  private readonly coef: Block<Float64Array>[];
  private readonly next: Block<Int32Array>[];
  private readonly scratch: Block<Uint8Array>[];
  private readonly workers: number[];
  private readonly scratchBytes: number;

  constructor(engine: Engine, o: CaGroupsOptions, plan: RowGroup[] = planCaGroups(o)) {
    checkCaLayout(o.width, o.height, o.classes, o.n);
    if (o.width * o.height > 2 ** 32 - 1) throw new ConfigError(`CA: ${o.width * o.height} cells, at most 2^32 - 1 supported (cell indices are u32)`);
    this.width = o.width;
    this.height = o.height;
    this.classes = o.classes;
    this.n = o.n;
    this.u16 = o.u16 ?? false;
    this.simd = o.simd ?? true;
    this.chunkRows = o.tileRows === undefined ? DEFAULT_CHUNK_ROWS : checkInt('tile rows', o.tileRows, 1);
    const W = o.width, K = o.classes, h = caHalo(o.n);
    this.groups = new MemoryGroups(engine, plan);
    try {
      this.map = this.groups.rowPlanes<Uint8Array>('uint8', W, 1, h, 'CA current map');
      this.sp = this.groups.rowPlanes<Float32Array | Uint16Array>(this.u16 ? 'uint16' : 'float32', W, K, 0, 'CA suitability planes');
      this.restricted = o.restricted ? this.groups.rowPlanes<Uint8Array>('uint8', W, 1, 0, 'CA restricted mask') : null;
      this.prop = this.groups.rowPlanes<Uint8Array>('uint8', W, 1, 0, 'CA proposals');
      this.key = this.groups.rowPlanes<Uint32Array>('uint32', W, 1, 0, 'CA priority keys');
      this.scratchBytes = Math.ceil(caScratchBytes(W, K, o.n) / 16) * 16;
      this.workers = plan.map((g) => Math.min(engine.threads, Math.ceil((g.row1 - g.row0) / this.chunkRows)));
      this.coef = plan.map((_, g) => this.groups.space(g).arena.alloc<Float64Array>('float64', K * K, 'CA coefficients'));
      this.next = plan.map((_, g) => this.groups.space(g).arena.alloc<Int32Array>('int32', 4, 'CA row counter'));
      this.scratch = plan.map((_, g) => this.groups.space(g).arena.alloc<Uint8Array>('uint8', this.scratchBytes * this.workers[g], 'CA scratch'));
      for (const b of this.map.blocks) b.view().fill(NODATA_CLASS);
    } catch (e) {
      void this.groups.close();
      throw e;
    }
  }

  async release(): Promise<void> {
    await this.groups.close();
  }

  private tasks(g: number, seed: number, iteration: number): Task[] {
    const { row0, row1 } = this.groups.groups[g];
    const W = this.width;
    return Array.from({ length: this.workers[g] }, (_, j) => ({
      fn: 'ca_step',
      args: [
        this.map.virtualPtr(g), this.sp.virtualPtr(g), this.sp.planeCells[g], this.restricted ? this.restricted.virtualPtr(g) : 0, this.coef[g].ptr,
        this.classes, W, this.height, this.n, row0, row1,
        seed, iteration,
        this.prop.virtualPtr(g), this.key.virtualPtr(g), this.scratch[g].ptr + j * this.scratchBytes, this.simd ? 1 : 0,
        this.next[g].ptr, this.chunkRows, this.u16 ? 1 : 0,
      ],
    }));
  }

  /**
   * One synchronous iteration on every group (halo rows refreshed first): fills prop and key
   * (where prop != map) from map. Returns the number of proposed conversions.
   */
  async step(seed: number, iteration: number, coef: Float64Array): Promise<number> {
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    checkInt('iteration', iteration, 0, 2 ** 31 - 1);
    if (coef.length !== this.classes * this.classes) throw new ConfigError(`CA coefficients: expected ${this.classes * this.classes} values, got ${coef.length}`);
    this.map.exchangeHalo();
    for (let g = 0; g < this.groups.count; g++) {
      this.coef[g].view().set(coef);
      Atomics.store(this.next[g].view(), 0, this.groups.groups[g].row0);
    }
    const counts = await this.groups.runAll<number>((g) => this.tasks(g, seed, iteration));
    let s = 0;
    for (const c of counts) for (const v of c) s += v;
    return s;
  }
}
