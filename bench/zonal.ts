/**
 * Zonal sums benchmark: u16 zones (2000 units), u8 classes (7 codes), one f32 value raster,
 * seeded. Sampling through Benchmark.js (bench/sampling.ts): mean, RME and samples per case;
 * `seconds` is the fastest sample. Implementations: TS reference, WASM on 1 thread, WASM across N threads.
 * The scatter-add (bins[zone, class] += value) has no SIMD form in WebAssembly (no gather/
 * scatter), so there is no separate SIMD variant of this kernel.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine, writeResults } from './machine.js';
import { medianRatio, pairedRounds } from './common.js';
import { execFile, execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { PACKAGE_ROOT } from '../src/wasm/module.js';
import { sample } from './sampling.js';
import { Engine } from '../src/tiling/engine.js';
import { zonalSums } from '../src/kernels/zonal.js';
import { zonalSumsRef } from '../src/kernels/zonal.ref.js';
import { zonalBenchData } from './data.js';
import { Grid } from '../src/io/grid.js';

export interface BenchResult {
  kernel: string;
  impl: string;
  size: number;
  cells: number;
  threads: number;
  seconds: number;
  /** Fastest sample (Benchmark.js), and the Mcells/s it gives. */
  mcells_per_s: number;
  runs: number;
  /** Benchmark.js sampling statistics: mean seconds per run, its relative margin of error (%), samples. */
  mean_seconds?: number;
  rme_pct?: number;
  samples?: number;
  mean_mcells_per_s?: number;
}

export interface ZonalBenchOptions {
  size?: number;
  threads?: number;
  impl?: 'ref' | 'wasm' | 'simd';
  runs?: number;
  seed?: number;
}

export async function benchZonal(opts: ZonalBenchOptions = {}): Promise<BenchResult> {
  const size = opts.size ?? 8192;
  const impl = opts.impl ?? 'wasm';
  const threads = impl === 'ref' ? 1 : opts.threads ?? 1;
  const runs = opts.runs ?? (impl === 'ref' ? 1 : 5);
  const engine = new Engine({ threads, initialPages: Math.ceil((size * size * 7 * 1.1) / 65536) + 64 });
  try {
    const d = zonalBenchData(engine, size, opts.seed ?? 1);
    await engine.warmUp();
    const g: Grid = { width: size, height: size, transform: [0, 30, 0, 0, 0, -30], crs: null, nodata: 0 };
    const input = {
      width: size,
      height: size,
      zones: { dtype: 'uint16' as const, data: d.zones.view(), nodata: 0, name: 'zones' },
      classes: { dtype: 'uint8' as const, data: d.classes.view(), nodata: 255, name: 'classes' },
      values: [{ dtype: 'float32' as const, data: d.value.view(), nodata: null, name: 'value' }],
    };
    const once = async (): Promise<void> => {
      if (impl === 'ref') {
        zonalSumsRef(
          {
            zones: { grid: g, dtype: 'uint16', data: d.zones.view() },
            classes: { grid: { ...g, nodata: 255 }, dtype: 'uint8', data: d.classes.view() },
            values: [{ grid: { ...g, nodata: null }, dtype: 'float32', data: d.value.view() }],
          },
          Infinity,
        );
      } else {
        await zonalSums(engine, input);
      }
    };
    await once(); // warm-up (JIT, first-touch of the memory)
    const s = await sample(once, { minSamples: runs, maxTime: 0.5 });
    const cells = size * size;
    return {
      kernel: 'zonal', impl: impl === 'ref' ? 'ts-ref' : 'wasm', size, cells, threads, seconds: s.min_s, mcells_per_s: cells / s.min_s / 1e6, runs: s.samples * s.runs_per_sample,
      mean_seconds: s.mean_s, rme_pct: +s.rme_pct.toFixed(2), samples: s.samples, mean_mcells_per_s: cells / s.mean_s / 1e6,
    };
  } finally {
    await engine.close();
  }
}

/** The suite: 1k^2, 4k^2, 8k^2 x {TS reference, WASM 1 thread, WASM 2 threads} -> bench/results/zonal.json */
export async function zonalSuite(sizes = [1024, 4096, 8192]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const size of sizes) {
    out.push(await benchZonal({ size, impl: 'ref', runs: size > 4096 ? 1 : 2 }));
    out.push(await benchZonal({ size, impl: 'wasm', threads: 1 }));
    out.push(await benchZonal({ size, impl: 'wasm', threads: 2 }));
    for (const r of out.slice(-3)) process.stderr.write(JSON.stringify(r) + '\n');
  }
  return out;
}

/**
 * Paired rounds at one size (see pairedRounds): WASM on 1 and on 2 threads, and the C loop
 * (bench/c/zonal.c) alone and as two copies at once, one after the other per round. For WASM,
 * wall Mcells/s (best of 5 calls) and work per CPU-second (cells / process CPU time of those
 * calls, every thread); for C, its own CPU-time Mcells/s (best of 5). Two C copies at once show
 * what this machine's two cores give a plain loop over the same data: the hardware's share of
 * the 2-thread scaling, separate from the engine's own overheads (serial passes, task dispatch).
 */
async function pairedZonal(size: number, rounds: number): Promise<Record<string, unknown>> {
  const wasm = async (threads: number) => {
    const engine = new Engine({ threads, initialPages: Math.ceil((size * size * 7 * 1.1) / 65536) + 64 });
    try {
      const d = zonalBenchData(engine, size, 1);
      await engine.warmUp();
      const input = {
        width: size, height: size,
        zones: { dtype: 'uint16' as const, data: d.zones.view(), nodata: 0, name: 'zones' },
        classes: { dtype: 'uint8' as const, data: d.classes.view(), nodata: 255, name: 'classes' },
        values: [{ dtype: 'float32' as const, data: d.value.view(), nodata: null, name: 'value' }],
      };
      await zonalSums(engine, input); // warm-up
      let best = Infinity;
      const c0 = process.cpuUsage();
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        await zonalSums(engine, input);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      const cu = process.cpuUsage(c0);
      return { wall: (size * size) / best / 1e6, cpu: (5 * size * size) / ((cu.user + cu.system) / 1e6) / 1e6 };
    } finally {
      await engine.close();
    }
  };
  const cRun = (copies: number): Promise<number | null> => new Promise((resolve) => {
    const exe = cExe();
    if (!exe) return resolve(null);
    const outs: number[] = [];
    let left = copies;
    for (let i = 0; i < copies; i++) {
      execFile(exe, [String(size)], (err, stdout) => {
        if (!err) outs.push(JSON.parse(stdout).mcells_per_s);
        if (--left === 0) resolve(outs.length === copies ? outs.reduce((a, b) => a + b, 0) / copies : null);
      });
    }
  });
  const w: Record<string, { wall: number; cpu: number }[]> = { w1: [], w2: [] };
  const r = await pairedRounds(rounds, {
    w1: async () => { const x = await wasm(1); w.w1.push(x); return x.wall; },
    w2: async () => { const x = await wasm(2); w.w2.push(x); return x.wall; },
    c1: () => cRun(1),
    c2: () => cRun(2),
  });
  const round = (v: number[]) => v.map((x) => +x.toFixed(1));
  const out = {
    size, rounds,
    wasm_1t_wall: round(r.w1), wasm_2t_wall: round(r.w2),
    wasm_1t_per_cpu_s: round(w.w1.map((x) => x.cpu)), wasm_2t_per_cpu_s: round(w.w2.map((x) => x.cpu)),
    c_alone: round(r.c1), c_each_of_two: round(r.c2),
    wasm_2t_over_1t_wall: medianRatio(r.w2, r.w1),
    wasm_2t_over_1t_work_per_cpu_s: medianRatio(w.w2.map((x) => x.cpu), w.w1.map((x) => x.cpu)),
    c_two_copies_over_one: r.c2.length ? medianRatio(r.c2.map((x) => 2 * x), r.c1) : null,
    load: loadavg().map((l) => +l.toFixed(2)),
  };
  process.stderr.write(JSON.stringify(out) + '\n');
  return out;
}

let exe: string | null | undefined;
function cExe(): string | null {
  if (exe !== undefined) return exe;
  const f = join(tmpdir(), `landcarbon-zonal-c-${process.pid}`);
  try {
    execFileSync('gcc', ['-O3', '-march=native', '-o', f, join(PACKAGE_ROOT, 'bench', 'c', 'zonal.c')]);
    exe = f;
  } catch {
    exe = null;
  }
  return exe;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--paired');
  if (i >= 0) {
    const rounds = Number(process.argv[i + 1] ?? 3);
    const sizes = process.argv.slice(2).filter((a, k) => k !== i - 2 && k !== i - 1).map(Number).filter((n) => n > 0);
    const results = [];
    for (const size of sizes.length ? sizes : [8192]) results.push(await pairedZonal(size, rounds));
    writeResults('zonal-paired.json', {
      suite: 'zonal-paired',
      case: 'u16 zones (2000 units), u8 classes (7 codes), one f32 value raster, ~1 % NoData, seed 1; zonalSums (scans + accumulation) on data already in the memory',
      statistic: 'per round: WASM best of 5 calls (wall) and cells per process CPU-second over the 5 calls; C best of 5 (CPU time); medians of per-round ratios',
      results,
    });
  } else {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    const results = await zonalSuite(sizes.length ? sizes : undefined);
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'zonal.json'), JSON.stringify({ machine: machine(), case: 'u16 zones (2000 units), u8 classes (7 codes), one f32 value raster, ~1 % NoData, seed 1', results }, null, 2) + '\n');
  }
}
