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
import type { Space } from '../tiling/groups.js';
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

/**
 * Cells [i0, i1) (global indices) held in one memory (a block group, src/tiling/groups.ts):
 * cur, prop and key are pointers such that cell i is at cur + i, prop + i, key + 4i (mod 2^32).
 */
export interface DemandSegment {
  space: Space;
  cur: number;
  prop: number;
  key: number;
  i0: number;
  i1: number;
}

export interface DemandScanOptions {
  /** Cells per task (default: cells / threads rounded up to 16, at least MIN_TASK_CELLS); no effect on results. */
  taskCells?: number;
  /** i8x16 prefilter (default true); false = scalar path, same results. */
  simd?: boolean;
  /** Histogram bits, 8..16 (default defaultBinBits(cells)); does not change results. */
  binBits?: number;
}

interface ScanTask {
  seg: number;
  i0: number;
  i1: number;
  /** Task index within its segment. */
  local: number;
}

export class DemandScan {
  /** 256-byte per-class flag table (FLAG_GAIN | FLAG_LOSE) of the first segment; setFlags writes every segment's. */
  readonly flags: Block<Uint8Array>;
  /** Cell ranges [i0, i1) of the tasks (global cell indices). */
  readonly ranges: Array<[number, number]>;
  /** Bins of the histograms: 2^binBits (bin = ~key >>> (32 - binBits)). */
  readonly bins: number;
  private readonly shift: number;
  private readonly segs: DemandSegment[];
  private readonly tasks: ScanTask[];
  private readonly flagBlocks: Block<Uint8Array>[];
  private readonly hists: Block<Uint32Array>[];
  private readonly groupOf: Block<Uint8Array>[];
  private readonly sortCount: Block<Uint32Array>;
  private readonly marks: number[];
  private readonly sortMark: number;
  private readonly simd: number;
  /** One segment in the engine's own memory: records are closed up in place (no copy). */
  private readonly inPlace: boolean;

  /**
   * buf: the CA kernel's buffers in the engine's memory, or the segments of a raster split over
   * block groups (records are then gathered into the engine's memory to be sorted).
   */
  constructor(private readonly engine: Engine, buf: DemandBuffers | DemandSegment[], o: DemandScanOptions = {}) {
    let segs: DemandSegment[];
    if (Array.isArray(buf)) {
      segs = buf;
    } else {
      const n0 = buf.cells;
      checkInt('cells', n0, 0, 2 ** 32 - 1);
      if (buf.cur.length < n0 || buf.prop.length < n0 || buf.key.length < n0) {
        throw new InternalError(`demand scan: buffers hold ${buf.cur.length}/${buf.prop.length}/${buf.key.length} cells, expected ${n0}`);
      }
      segs = [{ space: engine, cur: buf.cur.ptr, prop: buf.prop.ptr, key: buf.key.ptr, i0: 0, i1: n0 }];
    }
    this.segs = segs;
    this.inPlace = segs.length === 1 && segs[0].space === engine;
    const n = segs.reduce((a, sg) => a + (sg.i1 - sg.i0), 0);
    checkInt('cells', n, 0, 2 ** 32 - 1);
    const per = o.taskCells === undefined ? Math.max(MIN_TASK_CELLS, Math.ceil(n / engine.threads / 16) * 16) : checkInt('task cells', o.taskCells, 1);
    this.tasks = [];
    segs.forEach((sg, j) => {
      let local = 0;
      for (let i0 = sg.i0; i0 < sg.i1; i0 += per) this.tasks.push({ seg: j, i0, i1: Math.min(sg.i1, i0 + per), local: local++ });
    });
    this.ranges = this.tasks.map((t) => [t.i0, t.i1]);
    if (this.tasks.length > MAX_TASKS) throw new ConfigError(`demand enforcement: ${this.tasks.length} tasks of ${per} cells, at most ${MAX_TASKS} (a histogram each): use more cells per task`);
    this.simd = o.simd === false ? 0 : 1;
    const bits = o.binBits === undefined ? defaultBinBits(n) : checkInt('histogram bits', o.binBits, 8, 16);
    this.bins = 2 ** bits;
    this.shift = 32 - bits;
    this.marks = segs.map((sg) => sg.space.arena.mark());
    this.sortMark = engine.arena.mark();
    try {
      this.flagBlocks = segs.map((sg) => sg.space.arena.alloc<Uint8Array>('uint8', 256, 'demand class flags'));
      this.hists = segs.map((sg, j) => sg.space.arena.alloc<Uint32Array>('uint32', this.bins * Math.max(1, this.tasks.filter((t) => t.seg === j).length), 'demand histograms'));
      this.groupOf = segs.map((sg) => sg.space.arena.alloc<Uint8Array>('uint8', this.bins, 'demand bin groups'));
      this.sortCount = engine.arena.alloc<Uint32Array>('uint32', 4 * 256, 'demand sort counts');
    } catch (e) {
      this.release();
      throw e;
    }
    this.flags = this.flagBlocks[0];
    for (const f of this.flagBlocks) f.view().fill(0);
  }

  /** Frees the scan's buffers (and everything allocated after them) in every memory. */
  release(): void {
    // the engine's arena first when a segment shares it (its mark is the lower one then)
    this.engine.arena.release(Math.min(this.sortMark, this.engine.arena.mark()));
    this.segs.forEach((sg, j) => {
      if (sg.space.arena.mark() >= this.marks[j]) sg.space.arena.release(this.marks[j]);
    });
  }

  /** Sets the per-class flags (256 bytes) in every segment. */
  setFlags(f: Uint8Array): void {
    for (const b of this.flagBlocks) b.view().set(f);
  }

  private histPtr(t: ScanTask): number {
    return this.hists[t.seg].ptr + t.local * this.bins * 4;
  }

  /** Histogram of task t's candidates (valid until the next hist call or release). */
  histogram(t: number): Uint32Array {
    const task = this.tasks[t];
    const m = this.segs[task.seg].space.memory;
    return new Uint32Array(m.buffer, this.histPtr(task), this.bins);
  }

  /** Runs one wasm call per task (args from make), each segment's tasks in its own memory; results in task order. */
  private async runTasks(make: (t: ScanTask, ti: number) => Task): Promise<number[]> {
    if (this.inPlace) return this.engine.run<number>(this.tasks.map(make));
    const bySeg = this.segs.map(() => [] as number[]);
    this.tasks.forEach((t, ti) => bySeg[t.seg].push(ti));
    const got = await Promise.all(this.segs.map((sg, j) => sg.space.run<number>(bySeg[j].map((ti) => make(this.tasks[ti], ti)))));
    const out = new Array<number>(this.tasks.length);
    bySeg.forEach((tis, j) => tis.forEach((ti, q) => (out[ti] = got[j][q])));
    return out;
  }

  /**
   * Counts the candidates of each task per bin (under the current flags) and the proposed
   * conversions (prop != cur, prop != 255) over all cells.
   */
  async hist(): Promise<{ proposed: number; hist: Uint32Array[] }> {
    const got = await this.runTasks((t) => {
      const sg = this.segs[t.seg];
      return { fn: 'demand_hist', args: [sg.cur, sg.prop, sg.key, t.i0, t.i1, this.flagBlocks[t.seg].ptr, this.shift, this.histPtr(t), this.simd] };
    });
    let proposed = 0;
    for (const g of got) proposed += g >>> 0;
    return { proposed, hist: this.tasks.map((_, t) => this.histogram(t)) };
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
    const T = this.tasks.length;
    if (caps.length !== T) throw new InternalError(`demand collect: ${caps.length} caps for ${T} tasks`);
    if (groupOf.length !== binHi - binLo) throw new InternalError(`demand collect: ${groupOf.length} group entries for ${binHi - binLo} bins`);
    const G = caps.length > 0 ? caps[0].length : 0;
    const S = this.segs.length;
    const segMarks = this.segs.map((sg) => sg.space.arena.mark());
    const eMark = this.engine.arena.mark();
    const releaseAll = () => {
      this.engine.arena.release(Math.min(eMark, this.engine.arena.mark()));
      this.segs.forEach((sg, j) => {
        if (sg.space.arena.mark() >= segMarks[j]) sg.space.arena.release(segMarks[j]);
      });
    };
    try {
      // per segment: group g's slots [gOff[j][g], gOff[j][g + 1]); task t's run within it starts at tOff[t][g]
      const gOff = this.segs.map(() => new Array<number>(G + 1).fill(0));
      const tOff = caps.map(() => new Array<number>(G).fill(0));
      const segTotal = new Array<number>(S).fill(0);
      let largest = 0;
      for (let g = 0; g < G; g++) {
        let inGroup = 0;
        for (let j = 0; j < S; j++) {
          gOff[j][g] = segTotal[j];
          for (let t = 0; t < T; t++) {
            if (this.tasks[t].seg !== j) continue;
            tOff[t][g] = segTotal[j];
            segTotal[j] += caps[t][g];
            inGroup += caps[t][g];
          }
        }
        largest = Math.max(largest, inGroup);
      }
      for (let j = 0; j < S; j++) gOff[j][G] = segTotal[j];
      // 16-byte records, 4 u32 each (assembly/demand.ts), in each segment's memory
      const out = this.segs.map((sg, j) => sg.space.arena.alloc<Uint32Array>('uint32', 4 * Math.max(1, segTotal[j]), 'demand candidates'));
      const cursors = this.segs.map((sg, j) => sg.space.arena.alloc<Uint32Array>('uint32', Math.max(1, 2 * this.tasks.filter((t) => t.seg === j).length * G), 'demand group cursors'));
      // the sort buffers (and, across memories, the gathered group) in the engine's memory
      const gathered = this.inPlace ? null : this.engine.arena.alloc<Uint32Array>('uint32', 4 * Math.max(1, largest), 'demand gathered candidates');
      const tmp = this.engine.arena.alloc<Uint32Array>('uint32', 4 * Math.max(1, largest), 'demand sort buffer');
      const curAt = (t: ScanTask, g: number) => 2 * (t.local * G + g);
      for (let t = 0; t < T; t++) {
        const task = this.tasks[t];
        const cv = cursors[task.seg].view();
        for (let g = 0; g < G; g++) {
          cv[curAt(task, g)] = out[task.seg].ptr + 16 * tOff[t][g];
          cv[curAt(task, g) + 1] = out[task.seg].ptr + 16 * (tOff[t][g] + caps[t][g]);
        }
      }
      this.groupOf.forEach((b) => b.view().set(groupOf, binLo));
      const got = await this.runTasks((t) => {
        const sg = this.segs[t.seg];
        return {
          fn: 'demand_collect',
          args: [
            sg.cur, sg.prop, sg.key, t.i0, t.i1, this.flagBlocks[t.seg].ptr, this.shift, binLo, binHi, this.groupOf[t.seg].ptr,
            cursors[t.seg].ptr + 8 * t.local * G, tieKey, refresh ? this.histPtr(t) : 0, this.simd,
          ],
        };
      });
      // written[t][g] from the cursors; every candidate must have found room
      const written = this.tasks.map((task, t) => {
        const cv = cursors[task.seg].view();
        return Array.from({ length: G }, (_, g) => (cv[curAt(task, g)] - (out[task.seg].ptr + 16 * tOff[t][g])) / 16);
      });
      for (let t = 0; t < T; t++) {
        const w = written[t].reduce((x, y) => x + y, 0);
        if (w !== got[t] >>> 0) throw new InternalError(`demand_collect: task ${t} found ${got[t] >>> 0} candidates but its runs held ${w}`);
      }
      const sortCount = this.sortCount;
      const engine = this.engine;
      const tasks = this.tasks;
      const inPlace = this.inPlace;
      let released = false;
      return {
        groups: G,
        sorted(g: number): Uint32Array {
          if (released) throw new InternalError('demand collect: result used after release');
          let cnt = 0;
          let base: number;
          if (inPlace) {
            // close up the task runs of group g within the one memory
            const o32 = out[0].view();
            base = out[0].ptr + 16 * gOff[0][g];
            for (let t = 0; t < T; t++) {
              const w = written[t][g];
              const at = gOff[0][g] + cnt;
              if (w > 0 && tOff[t][g] !== at) o32.copyWithin(4 * at, 4 * tOff[t][g], 4 * (tOff[t][g] + w));
              cnt += w;
            }
          } else {
            // gather group g's runs from every memory into the engine's memory
            const dst = gathered!.view();
            for (let t = 0; t < T; t++) {
              const w = written[t][g];
              if (w === 0) continue;
              const task = tasks[t];
              const src = new Uint32Array(out[task.seg].view().buffer, out[task.seg].ptr + 16 * tOff[t][g], 4 * w);
              dst.set(src, 4 * cnt);
              cnt += w;
            }
            base = gathered!.ptr;
          }
          const ptr = engine.exports.demand_sort(base, tmp.ptr, cnt, sortCount.ptr) >>> 0;
          return new Uint32Array(engine.memory.buffer, ptr, 4 * cnt);
        },
        release(): void {
          if (!released) releaseAll();
          released = true;
        },
      };
    } catch (e) {
      releaseAll();
      throw e;
    }
  }
}

export interface Collected {
  groups: number;
  /**
   * Group g's records sorted by key, ascending: a view in the engine's memory of 4 u32 per
   * candidate (lo, hi, cell index i, cur[i] | prop[i] << 8), valid until the next sorted() call
   * or release(). Sorts on every call: call it once per group.
   */
  sorted(g: number): Uint32Array;
  release(): void;
}
