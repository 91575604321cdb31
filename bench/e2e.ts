/**
 * End to end from GeoTIFF files, ours against GDAL in the same run, on the same files:
 *   zonal:       `landcarbon zonal` over u16 zones (2000 units), u8 classes (7 codes), one noisy
 *                float32 raster, against bench/gdal_zonal.py (GDAL decoding on all cores + numpy
 *                bincount in row blocks). Totals (cells, value sum) must agree.
 *   suitability: `landcarbon suitability` with 8 float32 drivers (K = 7 classes, --prob-type auto),
 *                against GDAL's time to read the same 8 drivers (bench/gdal_read.py) plus the MLP
 *                kernel time for the same cells and network shape (bench/mlp.ts benchMlp, 8-12-7).
 * Wall times of whole processes (start-up included), paired rounds (ours, reference) x --rounds,
 * median. Inputs are written once per size by the engine (DEFLATE level 6, 256 x 256 tiles) to
 * $TMPDIR/landcarbon-e2e-<size>/ and kept for reruns (never committed).
 *
 *   node dist/bench/e2e.js [--size 12000] [--rounds 3] [--only zonal|suitability]
 * Writes bench/results/e2e-zonal.json and bench/results/e2e-suitability.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeGeoTIFF } from '../src/io/geotiff.js';
import type { Grid } from '../src/io/grid.js';
import { PACKAGE_ROOT } from '../src/wasm/module.js';
import { median } from './common.js';
import { writeResults } from './machine.js';
import { benchMlp } from './mlp.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const SIZE = Number(arg('--size', '12000'));
const ROUNDS = Number(arg('--rounds', '3'));
const ONLY = arg('--only', 'zonal,suitability').split(',');
const DIR = join(tmpdir(), `landcarbon-e2e-${SIZE}`);
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CLI = join(PACKAGE_ROOT, 'bin', 'landcarbon.js');

function hash(i: number, s: number): number {
  let x = Math.imul(i ^ Math.imul(s, 0x9e3779b9), 0x85ebca6b) >>> 0;
  x ^= x >>> 13; x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

const grid = (nodata: number | null): Grid => ({ width: SIZE, height: SIZE, transform: [400000, 30, 0, 4500000, 0, -30], crs: { epsg: 32650 }, nodata });

async function zonalInputs(): Promise<string[]> {
  const files = ['zones.tif', 'classes.tif', 'value.tif'].map((f) => join(DIR, f));
  if (files.every(existsSync)) return files;
  const n = SIZE * SIZE;
  const z = new Uint16Array(n);
  for (let r = 0; r < SIZE; r++) {
    const zr = Math.floor((r * 40) / SIZE) * 50;
    for (let c = 0; c < SIZE; c++) {
      const i = r * SIZE + c;
      z[i] = hash(i, 1) % 100 === 0 ? 0 : 1 + ((zr + Math.floor((c * 50) / SIZE)) % 2000);
    }
  }
  await writeGeoTIFF(files[0], { grid: grid(0), dtype: 'uint16', data: z });
  const k = new Uint8Array(n);
  for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) {
    const i = r * SIZE + c;
    k[i] = z[i] === 0 ? 255 : 1 + (((r >> 4) * 31 + (c >> 4) * 17) % 7);
  }
  await writeGeoTIFF(files[1], { grid: grid(255), dtype: 'uint8', data: k });
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (hash(i, 2) >>> 8) / 65536; // noisy: ~3 of 4 bytes incompressible
  await writeGeoTIFF(files[2], { grid: grid(null), dtype: 'float32', data: v });
  return files;
}

async function suitabilityInputs(): Promise<{ landuse: string; drivers: string[] }> {
  const drivers = Array.from({ length: 8 }, (_, d) => join(DIR, `driver${d + 1}.tif`));
  const landuse = join(DIR, 'landuse.tif');
  if ([landuse, ...drivers].every(existsSync)) return { landuse, drivers };
  const n = SIZE * SIZE;
  const score = new Float32Array(n); // signed sum of drivers, for the class map
  for (let d = 0; d < 8; d++) {
    // smooth separable field (terrain-, distance-like) + small quantised noise
    const row = Float64Array.from({ length: SIZE }, (_, r) => 50 * Math.sin((r * (d + 1)) / 1900 + d));
    const col = Float64Array.from({ length: SIZE }, (_, c) => 40 * Math.cos((c * (8 - d)) / 2300 - d));
    const a = new Float32Array(n);
    for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) {
      const i = r * SIZE + c;
      a[i] = 100 + row[r] + col[c] + (hash(i, 10 + d) % 100) / 50;
      score[i] += (d % 2 ? 1 : -1) * a[i];
    }
    await writeGeoTIFF(drivers[d], { grid: grid(-9999), dtype: 'float32', data: a });
  }
  const lu = new Uint8Array(n);
  for (let i = 0; i < n; i++) lu[i] = hash(i, 3) % 200 === 0 ? 255 : 1 + (Math.floor(Math.abs(score[i]) / 20) % 7);
  await writeGeoTIFF(landuse, { grid: grid(255), dtype: 'uint8', data: lu });
  return { landuse, drivers };
}

/** CPU seconds (user + system) of the children this process has waited for (/proc/self/stat cutime + cstime, Linux). */
function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(rest[13]) + Number(rest[14])) / 100; // fields 16 and 17, clock ticks of 10 ms
}

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { seconds: number; cpu: number; out: string } {
  const c0 = childCpu();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: env ? { ...process.env, ...env } : process.env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { seconds, cpu: childCpu() - c0, out: r.stdout };
}

const load = () => loadavg().map((l) => +l.toFixed(2));
mkdirSync(DIR, { recursive: true });

if (ONLY.includes('zonal')) {
  const [z, c, v] = await zonalInputs();
  const out = join(DIR, 'zonal.csv');
  const ours: number[] = [], gdal: number[] = [], oursCpu: number[] = [], gdalCpu: number[] = [];
  let check: Record<string, unknown> = {};
  const loads: number[][] = [load()];
  for (let k = 0; k < ROUNDS; k++) {
    const o = timed(process.execPath, [CLI, 'zonal', '--zones', z, '--classes', c, '--values', v, '--out', out, '--quiet']);
    ours.push(o.seconds);
    oursCpu.push(o.cpu);
    const g = timed(PY, [join(PACKAGE_ROOT, 'bench', 'gdal_zonal.py'), z, c, v]);
    gdal.push(g.seconds);
    gdalCpu.push(g.cpu);
    const gj = JSON.parse(g.out);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const cells = rows.reduce((s, r) => s + r[2], 0), sum = rows.reduce((s, r) => s + r[4], 0);
    check = { ours_cells: cells, gdal_cells: gj.cells, ours_value_sum: sum, gdal_value_sum: gj.value_sum, ours_bins: rows.length, gdal_bins: gj.bins,
      agree: cells === gj.cells && rows.length === gj.bins && Math.abs(sum - gj.value_sum) <= 1e-9 * Math.abs(gj.value_sum) };
    loads.push(load());
    process.stderr.write(`e2e zonal round ${k + 1}: ours ${ours[k].toFixed(2)} s (cpu ${oursCpu[k].toFixed(2)}), gdal+numpy ${gdal[k].toFixed(2)} s (cpu ${gdalCpu[k].toFixed(2)}), load ${loads[k + 1].join(' ')}\n`);
  }
  const doc = {
    suite: 'e2e-zonal', size: SIZE, cells: SIZE * SIZE, rounds: ROUNDS, statistic: 'median of paired rounds (whole processes)',
    case: 'u16 zones (2000 units, ~1 % NoData 0), u8 classes 1..7 (NoData 255), one noisy float32; engine-written DEFLATE level 6, 256x256 tiles',
    ours_seconds: +median(ours).toFixed(3), gdal_numpy_seconds: +median(gdal).toFixed(3),
    speedup_vs_gdal: +(median(gdal) / median(ours)).toFixed(2), target_speedup: 3,
    ours_cpu_seconds: +median(oursCpu).toFixed(2), gdal_numpy_cpu_seconds: +median(gdalCpu).toFixed(2),
    cpu_ratio_gdal_to_ours: +(median(gdalCpu) / median(oursCpu)).toFixed(2),
    round_speedups: ours.map((s, i) => +(gdal[i] / s).toFixed(2)),
    ours_all: ours.map((s) => +s.toFixed(3)), gdal_all: gdal.map((s) => +s.toFixed(3)),
    ours_cpu_all: oursCpu.map((s) => +s.toFixed(2)), gdal_cpu_all: gdalCpu.map((s) => +s.toFixed(2)), check, loads,
    io_threads: process.env.LANDCARBON_IO_THREADS ?? `${availableParallelism()} (all cores)`,
  };
  process.stderr.write(JSON.stringify(doc) + '\n');
  writeResults('e2e-zonal.json', doc);
}

if (ONLY.includes('suitability')) {
  const { landuse, drivers } = await suitabilityInputs();
  const out = join(DIR, 'prob.tif');
  const ours: number[] = [], gdal: number[] = [], mlp: number[] = [], oursCpu: number[] = [], gdalCpu: number[] = [], mlpCpu: number[] = [];
  const loads: number[][] = [load()];
  let summary: Record<string, unknown> = {};
  for (let k = 0; k < ROUNDS; k++) {
    const o = timed(process.execPath, [CLI, 'suitability', '--landuse', landuse, '--drivers', drivers.join(','), '--out', out, '--json']);
    ours.push(o.seconds);
    oursCpu.push(o.cpu);
    summary = JSON.parse(o.out);
    const g = timed(PY, [join(PACKAGE_ROOT, 'bench', 'gdal_read.py'), ...drivers]);
    gdal.push(JSON.parse(g.out).seconds);
    gdalCpu.push(g.cpu);
    const c0 = process.cpuUsage();
    const m = await benchMlp({ size: SIZE, impl: 'simd', D: 8, H: Number(summary.hidden ?? 12), K: (summary.classes as number[]).length, threads: availableParallelism(), repeats: 1 });
    const cu = process.cpuUsage(c0);
    mlp.push(m.seconds);
    mlpCpu.push((cu.user + cu.system) / 1e6); // this process, every thread: data set-up included, an upper bound of the kernel's CPU
    loads.push(load());
    process.stderr.write(`e2e suitability round ${k + 1}: ours ${ours[k].toFixed(2)} s (cpu ${oursCpu[k].toFixed(1)}), gdal read ${gdal[k].toFixed(2)} s (cpu ${gdalCpu[k].toFixed(1)}) + mlp kernel ${mlp[k].toFixed(2)} s, load ${loads[k + 1].join(' ')}\n`);
  }
  const ref = median(gdal) + median(mlp);
  const info = execFileSync('gdalinfo', [out], { encoding: 'utf8' }).match(/Type=(\w+)/)?.[1] ?? 'unknown';
  const doc = {
    suite: 'e2e-suitability', size: SIZE, cells: SIZE * SIZE, rounds: ROUNDS, statistic: 'median of paired rounds (whole processes)',
    case: '8 float32 drivers (smooth + quantised noise), u8 land use with 7 classes; engine-written DEFLATE level 6, 256x256 tiles; --prob-type auto',
    ours_seconds: +median(ours).toFixed(3), gdal_read_seconds: +median(gdal).toFixed(3), mlp_kernel_seconds: +median(mlp).toFixed(3),
    reference_seconds: +ref.toFixed(3), ratio_to_reference: +(median(ours) / ref).toFixed(2), target_ratio_at_most: 3,
    round_ratios: ours.map((s, i) => +(s / (gdal[i] + mlp[i])).toFixed(2)),
    ours_cpu_seconds: +median(oursCpu).toFixed(2), gdal_read_cpu_seconds: +median(gdalCpu).toFixed(2), mlp_process_cpu_seconds: +median(mlpCpu).toFixed(2),
    output_type: info, ours_all: ours.map((s) => +s.toFixed(3)), gdal_all: gdal.map((s) => +s.toFixed(3)), mlp_all: mlp.map((s) => +s.toFixed(3)),
    network: `8-${summary.hidden}-${(summary.classes as number[]).length}`, loads,
  };
  process.stderr.write(JSON.stringify(doc) + '\n');
  writeResults('e2e-suitability.json', doc);
  rmSync(out, { force: true });
}
