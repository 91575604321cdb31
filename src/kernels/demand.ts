/**
 * Typed wrapper of the demand-enforcement candidate kernels (assembly/demand.ts): bins the
 * candidate conversions of one sync FLUS iteration by priority and collects a range of bins at a
 * time, across the engine's threads, reading the CA kernel's buffers (cur, prop, key) in place.
 * The greedy acceptance that uses them is enforceDemandWasm in src/models/flus.ts; its reference
 * (plain TS, same result) is enforceDemand there.
 *
 * Tasks: fixed contiguous cell ranges of `taskCells` cells (default: the cells split evenly over
 * the engine's threads, rounded up to 16, at least MIN_TASK_CELLS), each with its own u32
 * histogram of 2^binBits bins in the arena (up to 65,536 bins, 256 KiB, per task). A collect call
 * splits its bin range into groups of consecutive bins and gives each (task, group) its own run
 * of slots, sized by the caller's bound caps[t][g] (the task's histogram count over the group's
 * bins, an upper bound when the class flags have only been narrowed since), so tasks write
 * disjoint memory. A group is closed up and sorted
 * (demand_sort, on the calling thread) only when the caller asks for it. The keys are unique
 * (the low word is a bijection of the cell index), so the sorted order does not depend on the
 * tiling.
 *
 * Example:
 *   const scan = new DemandScan(engine, { cur: ca.cur, prop: ca.prop, key: ca.key, cells });
 *   scan.flags.view().set(flags);            // bit 0: class may gain, bit 1: class may lose
 *   const { proposed, hist } = await scan.hist();
 *   const col = await scan.collect(0, 100, groupOf, caps, tieKey);  // caps[task][group]
 *   const recs = col.sorted(0);              // group 0: sorted records (lo, hi, i, c | k << 8)
 *   col.release(); scan.release();
 */
import { checkInt, ConfigError, InternalError } from '../errors.js';
import type { Engine, Task } from '../tiling/engine.js';
import type { Block } from '../wasm/arena.js';

/**
 * Default bits of the priority histogram (bin = top binBits bits of ~key): ceil(log2(cells / 16))
 * within 8..16, so small rasters do not pay for 65,536 bins (the resolution does not change
 * results, only how finely the candidates can be split).
 */
export function defaultBinBits(cells: number): number {
  return Math.min(16, Math.max(8, Math.ceil(Math.log2(Math.max(1, cells / 16)))));
}

/** Default least cells per task: smaller scans run as one task on the calling thread (cheaper than a worker dispatch). */
export const MIN_TASK_CELLS = 1 << 19;

/** Most tasks per scan (each has a histogram of up to 256 KiB). */
export const MAX_TASKS = 1024;

/** Flag bits of the per-class table: the class may still gain / lose cells. */
export const FLAG_GAIN = 1;
export const FLAG_LOSE = 2;

export interface DemandBuffers {
  /** Current class indices (u8, 255 = NoData), at least `cells` long. */
  cur: Block<Uint8Array>;
  /** Proposed class indices (u8), at least `cells` long. */
  prop: Block<Uint8Array>;
  /** Priorities (float32 bits, u32) where prop != cur, at least `cells` long. */
  key: Block<Uint32Array>;
  cells: number;
}

export interface DemandScanOptions {
  /** Cells per task (default: cells / threads rounded up to 16, at least MIN_TASK_CELLS); no effect on results. */
  taskCells?: number;
  /** i8x16 prefilter (default true); false = scalar path, same results. */
  simd?: boolean;
  /** Histogram bits, 8..16 (default defaultBinBits(cells)); does not change results. */
  binBits?: number;
}

export class DemandScan {
  /** 256-byte per-class flag table (FLAG_GAIN | FLAG_LOSE), read by every call. */
  readonly flags: Block<Uint8Array>;
  /** Cell ranges [i0, i1) of the tasks. */
  readonly ranges: Array<[number, number]>;
  /** Bins of the histograms: 2^binBits (bin = ~key >>> (32 - binBits)). */
  readonly bins: number;
  private readonly shift: number;
  private readonly hists: Block<Uint32Array>;
  private readonly groupOf: Block<Uint8Array>;
  private readonly sortCount: Block<Uint32Array>;
  private readonly mark: number;
  private readonly simd: number;

  constructor(private readonly engine: Engine, private readonly buf: DemandBuffers, o: DemandScanOptions = {}) {
    const n = buf.cells;
    checkInt('cells', n, 0, 2 ** 32 - 1);
    if (buf.cur.length < n || buf.prop.length < n || buf.key.length < n) {
      throw new InternalError(`demand scan: buffers hold ${buf.cur.length}/${buf.prop.length}/${buf.key.length} cells, expected ${n}`);
    }
    const per = o.taskCells === undefined ? Math.max(MIN_TASK_CELLS, Math.ceil(n / engine.threads / 16) * 16) : checkInt('task cells', o.taskCells, 1);
    this.ranges = [];
    for (let i0 = 0; i0 < n; i0 += per) this.ranges.push([i0, Math.min(n, i0 + per)]);
    if (this.ranges.length > MAX_TASKS) throw new ConfigError(`demand enforcement: ${this.ranges.length} tasks of ${per} cells, at most ${MAX_TASKS} (a histogram each): use more cells per task`);
    this.simd = o.simd === false ? 0 : 1;
    const bits = o.binBits === undefined ? defaultBinBits(n) : checkInt('histogram bits', o.binBits, 8, 16);
    this.bins = 2 ** bits;
    this.shift = 32 - bits;
    const a = engine.arena;
    this.mark = a.mark();
    this.flags = a.alloc<Uint8Array>('uint8', 256, 'demand class flags');
    this.hists = a.alloc<Uint32Array>('uint32', this.bins * Math.max(1, this.ranges.length), 'demand histograms');
    this.groupOf = a.alloc<Uint8Array>('uint8', this.bins, 'demand bin groups');
    this.sortCount = a.alloc<Uint32Array>('uint32', 4 * 256, 'demand sort counts');
    this.flags.view().fill(0);
  }

  /** Frees the scan's buffers (and everything allocated after them). */
  release(): void {
    this.engine.arena.release(this.mark);
  }

  /** Histogram of task t's candidates (valid until the next hist call or release). */
  histogram(t: number): Uint32Array {
    return this.hists.view().subarray(t * this.bins, (t + 1) * this.bins);
  }

  /**
   * Counts the candidates of each task per bin (under the current flags) and the proposed
   * conversions (prop != cur, prop != 255) over all cells.
   */
  async hist(): Promise<{ proposed: number; hist: Uint32Array[] }> {
    const { cur, prop, key } = this.buf;
    const tasks: Task[] = this.ranges.map(([i0, i1], t) => ({
      fn: 'demand_hist',
      args: [cur.ptr, prop.ptr, key.ptr, i0, i1, this.flags.ptr, this.shift, this.hists.ptr + t * this.bins * 4, this.simd],
    }));
    const got = await this.engine.run<number>(tasks);
    let proposed = 0;
    for (const g of got) proposed += g >>> 0;
    return { proposed, hist: this.ranges.map((_, t) => this.histogram(t)) };
  }

  /**
   * Collects the records (sort key hi = ~key, lo = tiePermute(i, tieKey); cell index; classes;
   * see assembly/demand.ts) of the candidates under the current flags whose bin is in
   * [binLo, binHi), split into groups of consecutive bins: groupOf[b - binLo] = group of bin b
   * (0..groups-1, at most 256 groups, non-decreasing in b).
   * caps[t][g] must bound task t's count in group g (its histogram count over the group's bins
   * does while the flags only narrow). With refresh, each task's histogram is recounted above
   * binHi under the current flags in the same pass. Release the result before the next collect.
   */
  async collect(binLo: number, binHi: number, groupOf: Uint8Array, caps: number[][], tieKey: number, refresh = false): Promise<Collected> {
    const T = this.ranges.length;
    if (caps.length !== T) throw new InternalError(`demand collect: ${caps.length} caps for ${T} tasks`);
    if (groupOf.length !== binHi - binLo) throw new InternalError(`demand collect: ${groupOf.length} group entries for ${binHi - binLo} bins`);
    const G = caps.length > 0 ? caps[0].length : 0;
    const { cur, prop, key } = this.buf;
    const a = this.engine.arena;
    const m = a.mark();
    try {
      // group g's slots: [gOff[g], gOff[g + 1]); task t's run within it starts at tOff[t][g]
      const gOff = new Array<number>(G + 1).fill(0);
      const tOff = caps.map(() => new Array<number>(G).fill(0));
      let total = 0, largest = 0;
      for (let g = 0; g < G; g++) {
        gOff[g] = total;
        for (let t = 0; t < T; t++) {
          tOff[t][g] = total;
          total += caps[t][g];
        }
        largest = Math.max(largest, total - gOff[g]);
      }
      gOff[G] = total;
      // 16-byte records, 4 u32 each (assembly/demand.ts)
      const out = a.alloc<Uint32Array>('uint32', 4 * Math.max(1, total), 'demand candidates');
      const tmp = a.alloc<Uint32Array>('uint32', 4 * Math.max(1, largest), 'demand sort buffer');
      const cursors = a.alloc<Uint32Array>('uint32', Math.max(1, 2 * T * G), 'demand group cursors');
      const cv = cursors.view();
      for (let t = 0; t < T; t++) {
        for (let g = 0; g < G; g++) {
          cv[2 * (t * G + g)] = out.ptr + 16 * tOff[t][g];
          cv[2 * (t * G + g) + 1] = out.ptr + 16 * (tOff[t][g] + caps[t][g]);
        }
      }
      this.groupOf.view().set(groupOf, binLo);
      const tasks: Task[] = this.ranges.map(([i0, i1], t) => ({
        fn: 'demand_collect',
        args: [
          cur.ptr, prop.ptr, key.ptr, i0, i1, this.flags.ptr, this.shift, binLo, binHi, this.groupOf.ptr, cursors.ptr + 8 * t * G, tieKey,
          refresh ? this.hists.ptr + t * this.bins * 4 : 0, this.simd,
        ],
      }));
      const got = await this.engine.run<number>(tasks);
      // written[t][g] from the cursors; every candidate must have found room
      const cv2 = cursors.view();
      const written = caps.map((_, t) => Array.from({ length: G }, (_, g) => (cv2[2 * (t * G + g)] - (out.ptr + 16 * tOff[t][g])) / 16));
      for (let t = 0; t < T; t++) {
        const w = written[t].reduce((x, y) => x + y, 0);
        if (w !== got[t] >>> 0) throw new InternalError(`demand_collect: task ${t} found ${got[t] >>> 0} candidates but its runs held ${w}`);
      }
      const sortCount = this.sortCount;
      const engine = this.engine;
      let released = false;
      return {
        groups: G,
        sorted(g: number): Uint32Array {
          if (released) throw new InternalError('demand collect: result used after release');
          const o32 = out.view();
          let cnt = 0;
          const base = gOff[g];
          for (let t = 0; t < T; t++) {
            const w = written[t][g];
            if (w > 0 && tOff[t][g] !== base + cnt) o32.copyWithin(4 * (base + cnt), 4 * tOff[t][g], 4 * (tOff[t][g] + w));
            cnt += w;
          }
          const ptr = engine.exports.demand_sort(out.ptr + 16 * base, tmp.ptr, cnt, sortCount.ptr) >>> 0;
          return new Uint32Array(engine.memory.buffer, ptr, 4 * cnt);
        },
        release(): void {
          if (!released) a.release(m);
          released = true;
        },
      };
    } catch (e) {
      a.release(m);
      throw e;
    }
  }
}

export interface Collected {
  groups: number;
  /**
   * Group g's records sorted by key, ascending: a view in the arena of 4 u32 per candidate
   * (lo, hi, cell index i, cur[i] | prop[i] << 8), valid until the next sorted() call or
   * release(). Sorts on every call: call it once per group.
   */
  sorted(g: number): Uint32Array;
  release(): void;
}
