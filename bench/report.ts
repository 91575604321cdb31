/**
 * The report's cost against the run it reports on (issue 14: report generation under 10 % of
 * the demo's run time): `landcarbon demo` at each size, once with SVG figures (the default) and
 * once with --png, recording the steps' total, the report's seconds (figures, layers, HTML) and
 * their ratio. The reference is the demo's own run in the same process tree, on the same load.
 *
 *   node dist/bench/report.js [--sizes 250,500,1000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResults } from './machine.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (k: string, d: string) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const sizes = arg('--sizes', '250,500,1000').split(',').map(Number);

const rows: Array<Record<string, unknown>> = [];
for (const size of sizes) {
  for (const png of [false, true]) {
    const out = mkdtempSync(join(tmpdir(), 'lc-bench-report-'));
    const load = loadavg()[0];
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/landcarbon.js'), 'demo', '--out', out, '--size', String(size), '--quiet', ...(png ? ['--png'] : [])], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`demo --size ${size}${png ? ' --png' : ''} failed: ${r.stderr}`);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const html = readFileSync(join(out, 'report.html'));
    const row = {
      size,
      cells: size * size,
      png,
      run_seconds: +s.seconds.toFixed(2),
      report_seconds: +s.report_seconds.toFixed(3),
      report_share_pct: +((100 * s.report_seconds) / s.seconds).toFixed(2),
      report_html_mib: +(html.length / 2 ** 20).toFixed(2),
      load_before: +load.toFixed(2),
    };
    rows.push(row);
    process.stderr.write(`bench report: ${JSON.stringify(row)}\n`);
    rmSync(out, { recursive: true, force: true });
  }
}
const path = writeResults('report.json', {
  what: 'landcarbon demo: report seconds (figures, GIS layers, report.html) against the run seconds of its steps',
  reference: 'the same demo run (its steps), same machine and load',
  results: rows,
});
process.stderr.write(`bench report: wrote ${path}\n`);
