/**
 * Scale benchmark: the whole chain on the sample region at growing sizes, one process per step,
 * each measured by GNU time (wall, user + system CPU, peak RSS):
 *   sample -> markov (demand) -> suitability (8 drivers) -> simulate -> carbon emissions -> zonal
 * Cost should grow linearly with cells (time per cell flat) and memory stay within --memory.
 * Writes bench/results/scale.json with the machine record (load averages included: on a shared
 * machine wall times are noisy, CPU times less so).
 *
 *   node dist/bench/scale.js [--sizes 2048,8192,20000] [--memory 4G] [--threads N] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/wasm/module.js';
import { writeResults } from './machine.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const SIZES = arg('--sizes', '2048,8192,20000').split(',').map(Number);
const MEMORY = arg('--memory', '4G');
const THREADS = arg('--threads', String(availableParallelism()));
const KEEP = process.argv.includes('--keep');
const TIME = '/usr/bin/time';
const BIN = join(PACKAGE_ROOT, 'bin', 'landcarbon.js');
/** China at 30 m (cells) and the server the projection is for. */
const CHINA_CELLS = 1.07e10;
const SERVER_CORES = 64;

export interface StepResult {
  step: string;
  size: number;
  cells: number;
  wall_s: number;
  cpu_s: number;
  peak_rss_mib: number;
  mcells_per_s: number;
  /** CPU seconds per 10^6 cells (flat when cost is linear). */
  cpu_s_per_mcell: number;
  exit: number | null;
}

/** Runs one CLI step under GNU time -v; throws with its stderr when it fails. */
function step(name: string, size: number, args: string[]): StepResult {
  const r = spawnSync(TIME, ['-v', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const err = r.stderr ?? '';
  const num = (re: RegExp): number => {
    const m = re.exec(err);
    return m ? Number(m[1]) : NaN;
  };
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(err)?.[1] ?? 'NaN';
  const wall = wallText.split(':').reduce((a, p) => a * 60 + Number(p), 0);
  const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
  if (r.status !== 0) throw new Error(`scale: ${name} at ${size}^2 failed (exit ${r.status}):\n${err.split('\n').filter((l) => !l.startsWith('\t')).join('\n')}`);
  const cells = size * size;
  const res: StepResult = {
    step: name, size, cells,
    wall_s: +wall.toFixed(2), cpu_s: +cpu.toFixed(2), peak_rss_mib: +rss.toFixed(1),
    mcells_per_s: +(cells / wall / 1e6).toFixed(3), cpu_s_per_mcell: +((cpu / cells) * 1e6).toFixed(4), exit: r.status,
  };
  process.stderr.write(`scale ${size}^2 ${name}: ${res.wall_s} s wall, ${res.cpu_s} s CPU, ${res.peak_rss_mib} MiB peak, ${res.mcells_per_s} Mcells/s\n`);
  return res;
}

function chain(size: number): StepResult[] {
  const dir = mkdtempSync(join(tmpdir(), `lc-scale-${size}-`));
  const f = (n: string) => join(dir, n);
  const mem = ['--memory', MEMORY];
  const th = ['--threads', THREADS];
  const out: StepResult[] = [];
  try {
    out.push(step('sample', size, ['sample', '--out', dir, '--size', String(size), '--json', ...mem]));
    out.push(step('markov', size, ['markov', '--from', f('landuse_2000.tif'), '--to', f('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020', '--out', f('demand.csv'), '--json']));
    const drivers = ['dem', 'slope', 'dist_road', 'dist_rail', 'dist_river', 'dist_centre', 'gdp_density', 'pop_density'].map((d) => f(`${d}.tif`)).join(',');
    out.push(step('suitability', size, ['suitability', '--landuse', f('landuse_2010.tif'), '--drivers', drivers, '--out', f('prob.tif'), '--epochs', '30', '--json', ...th, ...mem]));
    out.push(step('simulate', size, ['simulate', '--landuse', f('landuse_2010.tif'), '--prob', f('prob.tif'), '--demand', f('demand.csv'), '--restricted', f('restricted.tif'), '--out', f('sim_2020.tif'), '--max-iterations', '40', '--quiet', ...th]));
    writeFileSync(f('coef.csv'), 'code,name,coefficient,unit\n1,cropland,0.422,tCO2\n2,forest,-0.581,tCO2\n3,shrub,-0.214,tCO2\n4,grassland,-0.021,tCO2\n5,water,-0.253,tCO2\n6,built-up,55.8,tCO2\n7,unused,-0.005,tCO2\n');
    out.push(step('carbon emissions', size, ['carbon', 'emissions', '--landuse', f('sim_2020.tif'), '--coefficients', f('coef.csv'), '--zones', f('zones.tif'), '--out', f('carbon'), ...th, ...mem]));
    out.push(step('zonal', size, ['zonal', '--zones', f('zones.tif'), '--classes', f('sim_2020.tif'), '--values', f('carbon/emissions.tif'), '--out', f('zonal.csv'), '--quiet', ...th, ...mem]));
  } finally {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * China at 30 m on SERVER_CORES cores from one size's measurements: serial work = CPU seconds per
 * cell x cells; the parallel fraction f from the speed-up measured here (CPU / wall on this
 * machine's cores, Amdahl: S = 1 / ((1 - f) + f / p)); then S on the server. With a loaded machine
 * CPU / wall understates the speed-up, so the projection is an upper bound on time.
 */
export function project(rows: StepResult[], cores: number): Array<Record<string, number | string>> {
  return rows.map((r) => {
    const serial = (r.cpu_s / r.cells) * CHINA_CELLS;
    const s2 = Math.max(1, Math.min(cores, r.cpu_s / r.wall_s));
    const f = cores > 1 ? Math.min(1, ((1 - 1 / s2) * cores) / (cores - 1)) : 0;
    const sServer = 1 / (1 - f + f / SERVER_CORES);
    return {
      step: r.step,
      from_size: r.size,
      cpu_hours_serial: +(serial / 3600).toFixed(2),
      speedup_measured: +s2.toFixed(2),
      parallel_fraction: +f.toFixed(3),
      hours_on_64_cores: +(serial / sServer / 3600).toFixed(2),
      hours_if_fully_parallel: +(serial / SERVER_CORES / 3600).toFixed(2),
    };
  });
}

function main(): void {
  if (!existsSync(TIME)) throw new Error(`scale: ${TIME} (GNU time) is needed to measure peak RSS: apt-get install time`);
  const results: StepResult[] = [];
  const done: number[] = [];
  for (const size of SIZES) {
    process.stderr.write(`scale: ${size}^2 (load ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
    results.push(...chain(size));
    done.push(size);
    // written after every size, so a long run that is stopped keeps what it measured
    const largest = results.filter((r) => r.size === Math.max(...done));
    const smallest = results.filter((r) => r.size === Math.min(...done));
    const linearity = largest.map((r) => {
      const s = smallest.find((x) => x.step === r.step)!;
      return { step: r.step, cpu_per_cell_ratio: +(r.cpu_s_per_mcell / s.cpu_s_per_mcell).toFixed(3), wall_per_cell_ratio: +(r.wall_s / r.cells / (s.wall_s / s.cells)).toFixed(3) };
    });
    const path = writeResults('scale.json', {
      suite: 'scale',
      memory: MEMORY,
      threads: Number(THREADS),
      sizes: done,
      steps: results,
      linearity: { from: Math.min(...done), to: Math.max(...done), rows: linearity },
      projection: { cells: CHINA_CELLS, server_cores: SERVER_CORES, from_size: Math.max(...done), rows: project(largest, availableParallelism()) },
    });
    process.stderr.write(`scale: wrote ${path}\n`);
  }
}

main();
