/**
 * Runs every benchmark suite, one process each, in sequence (so suites do not compete for the
 * cores), then the end-to-end demo at growing sizes. Each suite writes bench/results/<suite>.json;
 * this runner adds bench/results/demo-scaling.json and bench/results/run.json (what ran, how long).
 *
 *   node dist/bench/run.js [--quick] [--only zonal,ca,...]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { machine } from './machine.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const quick = process.argv.includes('--quick');
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
// suites named without a flag (`npm run bench -- scale`) run alone; `scale` runs only when named (it is long)
const named = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--only');
const only = named.length ? new Set(named) : process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : null;

const SIZES = quick ? '1024,2048' : '1024,4096,8192';
const SUITES: Array<[string, string[]]> = [
  ['zonal', ['dist/bench/zonal.js', ...SIZES.split(',')]],
  ['geotiff', ['dist/bench/geotiff.js', quick ? '2048' : '8192', '3']],
  ['ca', ['dist/bench/ca.js', '--sizes', SIZES, '--repeats', '5']],
  ['demand', ['dist/bench/demand.js', '--size', quick ? '2048' : '4096', '--repeats', '5']],
  ['mlp', ['dist/bench/mlp.js', '--sizes', SIZES, '--repeats', '3']],
  ['classmap', ['dist/bench/classmap.js']],
  ['casa', ['dist/bench/carbon.js', quick ? '1024,2048' : '1024,4096,8192', '1,2']],
  ['paths', ['dist/bench/paths.js', ...(quick ? ['--quick'] : [])]],
  ['accuracy', ['dist/bench/accuracy.js', quick ? '2048' : '8192', '3']],
  ['adjacency', ['dist/bench/adjacency.js', quick ? '2048' : '4096', '2']],
  ['prepare', ['dist/bench/prepare.js', quick ? '2048' : '4096']],
  ['report', ['dist/bench/report.js', '--sizes', quick ? '250,500' : '250,500,1000']],
  ['scale', ['dist/bench/scale.js', ...(quick ? ['--sizes', '1024,2048'] : [])]],
];

mkdirSync(RESULTS, { recursive: true });
const ran: Array<{ suite: string; seconds: number; status: number | null }> = [];
for (const [name, args] of SUITES) {
  if (only ? !only.has(name) : name === 'scale') continue;
  process.stderr.write(`bench: ${name} (${args.join(' ')})\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  ran.push({ suite: name, seconds: (performance.now() - t0) / 1000, status: r.status });
}

// end-to-end: the demo at growing sizes (cost should grow linearly with cells)
if (!only || only.has('demo')) {
  const sizes = quick ? [250, 500] : [250, 500, 1000, 2000];
  const rows: Array<Record<string, unknown>> = [];
  for (const size of sizes) {
    const out = mkdtempSync(join(tmpdir(), 'lc-bench-demo-'));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/landcarbon.js'), 'demo', '--out', out, '--size', String(size), '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`demo --size ${size} failed: ${r.stderr}`);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const steps = Object.fromEntries(s.steps.map((x: { name: string; seconds: number }) => [x.name, +x.seconds.toFixed(3)]));
    rows.push({ size, cells: size * size, seconds: +seconds.toFixed(2), us_per_cell: +((seconds / (size * size)) * 1e6).toFixed(3), steps });
    process.stderr.write(`bench: demo --size ${size}: ${seconds.toFixed(1)} s\n`);
    rmSync(out, { recursive: true, force: true });
  }
  writeFileSync(join(RESULTS, 'demo-scaling.json'), JSON.stringify({ machine: machine(), results: rows }, null, 2) + '\n');
}
writeFileSync(join(RESULTS, 'run.json'), JSON.stringify({ machine: machine(), quick, suites: ran }, null, 2) + '\n');
