/**
 * Block groups: rasters larger than one 4 GiB wasm32 memory, held as horizontal bands of rows
 * ("block groups"), each in its own WebAssembly.Memory with its own Arena and module instances
 * (one on the calling thread, one per pool worker). Kernels that read a neighbourhood get halo
 * rows copied in from the neighbouring groups (RowPlanes.exchangeHalo); kernels address cells by
 * their GLOBAL index through pointers shifted by the group's first row (mod 2^32, see
 * RowPlanes.virtualPtr), so the same kernel code runs on one memory or many and its output does
 * not depend on the grouping. Design notes and how a model plugs in: docs/block-groups.md.
 *
 * Example:
 *   const groups = new MemoryGroups(engine, planRowGroups(H, { bytesPerRow: W * 7, halo: 1 }));
 *   const cur = groups.rowPlanes('uint8', W, 1, 1, 'map');      // 1 plane, halo 1 row
 *   groups.rowsOf(0).forEach(...);  await groups.space(0).run(tasks);
 *   cur.exchangeHalo(); await groups.close();
 */
import { Piscina } from 'piscina';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkInt, InternalError } from '../errors.js';
import { DTYPE_BYTES, type DType, type RasterArray } from '../io/grid.js';
import { Arena, viewOf, type Block } from '../wasm/arena.js';
import { createMemory, instantiate, MAX_PAGES, PAGE, PACKAGE_ROOT, type KernelExports } from '../wasm/module.js';
import type { Engine, Task } from './engine.js';

/** One memory and what runs on it: the Engine is one; so is each block group. */
export interface Space {
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  readonly exports: KernelExports;
  run<R = unknown>(tasks: Task[]): Promise<R[]>;
}

/** Rows [row0, row1) of one block group. */
export interface RowGroup {
  row0: number;
  row1: number;
}

/** Bytes of one memory kept free for kernel scratch, counters and histograms beside the planes. */
export const GROUP_RESERVE = 256 * 2 ** 20;
/** Most bytes of row data one group holds by default: 4 GiB minus the reserve. */
export const GROUP_MAX_BYTES = MAX_PAGES * PAGE - GROUP_RESERVE;

export interface GroupPlanOptions {
  /** Bytes a group holds per row it owns (every row plane together). */
  bytesPerRow: number;
  /** Halo rows (each side) some plane keeps: the group holds up to 2 * halo extra rows of haloBytesPerRow. */
  halo?: number;
  haloBytesPerRow?: number;
  /** Most bytes per group (default GROUP_MAX_BYTES). */
  maxBytes?: number;
  /** Force at most this many rows per group (tests; results never depend on it). */
  rows?: number;
}

/**
 * Splits `height` rows into the fewest groups that fit maxBytes (or of at most `rows` rows),
 * rows spread evenly (group sizes differ by at most one row).
 */
export function planRowGroups(height: number, o: GroupPlanOptions): RowGroup[] {
  checkInt('height', height, 1);
  const halo = o.halo ?? 0;
  const maxBytes = o.maxBytes ?? GROUP_MAX_BYTES;
  let most = Math.floor((maxBytes - 2 * halo * (o.haloBytesPerRow ?? 0)) / Math.max(1, o.bytesPerRow));
  if (o.rows !== undefined) most = Math.min(most, checkInt('group rows', o.rows, 1));
  if (most < 1) {
    throw new InternalError(`block groups: one row needs ${o.bytesPerRow} bytes, more than the ${maxBytes} bytes of one memory`);
  }
  const G = Math.ceil(height / most);
  const out: RowGroup[] = [];
  for (let g = 0; g < G; g++) out.push({ row0: Math.floor((g * height) / G), row1: Math.floor(((g + 1) * height) / G) });
  return out;
}

/** Rows per group forced by LANDCARBON_GROUP_ROWS (tests and checks), or undefined. */
export function forcedGroupRows(): number | undefined {
  const v = process.env.LANDCARBON_GROUP_ROWS;
  if (v === undefined || v === '') return undefined;
  return checkInt('LANDCARBON_GROUP_ROWS', Number(v), 1);
}

function groupsWorkerFile(): string {
  const f = join(PACKAGE_ROOT, 'dist', 'src', 'tiling', 'groups-worker.js');
  if (!existsSync(f)) throw new InternalError(`${f} is missing: run "npm run build" (npm install does it)`);
  return f;
}

/**
 * The memories of a set of block groups, with one instance of the engine's module per memory on
 * this thread and in each of `engine.threads` pool workers (created on first use, one pool for all
 * groups, so the thread count is the engine's whatever the number of groups).
 */
export class MemoryGroups {
  readonly groups: RowGroup[];
  readonly threads: number;
  private readonly spaces: Space[];
  private readonly rowOwner: Int32Array;
  private pool: Piscina | null = null;
  private readonly memories: WebAssembly.Memory[];

  constructor(private readonly engine: Engine, groups: RowGroup[]) {
    if (groups.length === 0) throw new InternalError('block groups: no groups');
    this.groups = groups;
    this.threads = engine.threads;
    const H = groups[groups.length - 1].row1;
    this.rowOwner = new Int32Array(H);
    groups.forEach((g, j) => {
      if (j > 0 && g.row0 !== groups[j - 1].row1) throw new InternalError('block groups: rows not contiguous');
      this.rowOwner.fill(j, g.row0, g.row1);
    });
    this.memories = groups.map(() => createMemory(16));
    this.spaces = this.memories.map((memory, j) => {
      const exports = instantiate(engine.module, memory);
      const arena = new Arena(memory, exports.heap_base());
      return { memory, arena, exports, run: <R>(tasks: Task[]) => this.runOn<R>(j, tasks) };
    });
  }

  get count(): number {
    return this.groups.length;
  }

  /** Group owning global row y. */
  ownerOf(y: number): number {
    return this.rowOwner[y];
  }

  space(g: number): Space {
    return this.spaces[g];
  }

  private getPool(): Piscina {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: groupsWorkerFile(),
        minThreads: this.threads,
        maxThreads: this.threads,
        idleTimeout: 60_000,
        workerData: { module: this.engine.module, memories: this.memories },
      });
    }
    return this.pool;
  }

  private async runOn<R>(g: number, tasks: Task[]): Promise<R[]> {
    if (this.threads === 1 || tasks.length <= 1) {
      const out: R[] = [];
      const sp = this.spaces[g];
      for (const t of tasks) {
        if ('module' in t) {
          const mod = await import(t.module);
          out.push((await mod[t.fn](...t.args, { exports: sp.exports, memory: sp.memory })) as R);
        } else {
          const f = sp.exports[t.fn];
          if (typeof f !== 'function') throw new InternalError(`no wasm export named ${t.fn}`);
          out.push(f(...t.args) as R);
        }
      }
      return out;
    }
    const pool = this.getPool();
    return Promise.all(tasks.map((t) => pool.run({ group: g, task: t }) as Promise<R>));
  }

  /** Runs each group's tasks (tasksOf(g)), all groups at once; results per group in task order. */
  async runAll<R = unknown>(tasksOf: (g: number) => Task[]): Promise<R[][]> {
    if (this.threads === 1) {
      const out: R[][] = [];
      for (let g = 0; g < this.count; g++) out.push(await this.runOn<R>(g, tasksOf(g)));
      return out;
    }
    return Promise.all(this.groups.map((_, g) => this.runOn<R>(g, tasksOf(g))));
  }

  /**
   * Allocates `planes` planes of `width` cells per owned row in every group, plus `halo` rows
   * above and below (clipped to the raster; copies of the neighbours' rows, see exchangeHalo)
   * and `slack` readable bytes after the data (SIMD tails).
   */
  rowPlanes<A extends RasterArray>(dtype: DType, width: number, planes: number, halo: number, what: string, slack = 16): RowPlanes<A> {
    return new RowPlanes<A>(this, dtype, width, planes, halo, what, slack);
  }

  async close(): Promise<void> {
    if (this.pool) {
      await this.pool.destroy();
      this.pool = null;
    }
  }
}

/**
 * A row-major raster (or several planes of one) split over the block groups: in group g, each
 * plane holds rows [row0 - haloTop, row1 + haloBottom) contiguously.
 */
export class RowPlanes<A extends RasterArray = RasterArray> {
  readonly blocks: Block<A>[];
  readonly haloTop: number[];
  readonly haloBottom: number[];
  /** Cells per plane in each group (held rows x width). */
  readonly planeCells: number[];
  private readonly bpc: number;

  constructor(
    private readonly groups: MemoryGroups,
    readonly dtype: DType,
    readonly width: number,
    readonly planes: number,
    readonly halo: number,
    what: string,
    slack: number,
  ) {
    const H = groups.groups[groups.count - 1].row1;
    this.bpc = DTYPE_BYTES[dtype];
    this.haloTop = groups.groups.map((g) => Math.min(halo, g.row0));
    this.haloBottom = groups.groups.map((g) => Math.min(halo, H - g.row1));
    this.planeCells = groups.groups.map((g, j) => (g.row1 - g.row0 + this.haloTop[j] + this.haloBottom[j]) * width);
    const extra = Math.ceil(slack / this.bpc);
    this.blocks = groups.groups.map((_, j) => groups.space(j).arena.alloc<A>(dtype, this.planeCells[j] * planes + extra, `${what} (block group ${j + 1})`));
  }

  /** Pointer for kernels addressing cell i (global y * W + x) of plane 0 as ptr + i * bytes (mod 2^32). */
  virtualPtr(g: number): number {
    const first = this.groups.groups[g].row0 - this.haloTop[g];
    return (this.blocks[g].ptr - first * this.width * this.bpc) >>> 0;
  }

  /** Bytes between planes in group g. */
  planeBytes(g: number): number {
    return this.planeCells[g] * this.bpc;
  }

  /** A view of global row y of plane k in group g (y must be held by g: owned or halo). */
  rowIn(g: number, y: number, k = 0): A {
    const first = this.groups.groups[g].row0 - this.haloTop[g];
    const off = k * this.planeCells[g] + (y - first) * this.width;
    return viewOf<A>(this.groups.space(g).memory, this.dtype, this.blocks[g].ptr + off * this.bpc, this.width);
  }

  /** A view of global row y of plane k in the group that owns it. */
  row(y: number, k = 0): A {
    return this.rowIn(this.groups.ownerOf(y), y, k);
  }

  /** Copies every halo row from the group owning it (after the owners' rows changed). */
  exchangeHalo(): void {
    const gs = this.groups.groups;
    for (let g = 0; g < gs.length; g++) {
      const rows: number[] = [];
      for (let y = gs[g].row0 - this.haloTop[g]; y < gs[g].row0; y++) rows.push(y);
      for (let y = gs[g].row1; y < gs[g].row1 + this.haloBottom[g]; y++) rows.push(y);
      for (const y of rows) {
        for (let k = 0; k < this.planes; k++) (this.rowIn(g, y, k) as RasterArray).set(this.row(y, k) as never);
      }
    }
  }
}
