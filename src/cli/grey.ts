/**
 * `landcarbon grey --series v1,v2,... --horizon H [--json]`: GM(1,1) fit, forecast, posterior
 * variance ratio C, small-error probability P and grade (methods.md section 8).
 * `landcarbon grey --table units.csv --id unit --prefix gdp_,pop_ --target-year 2030 --out F.csv`:
 * the same per unit of a table, each prefix's YYYY columns forecast to the target years.
 */
import { Command } from 'commander';
import { gm11, parseSeries } from '../models/grey.js';
import { checkInt, ConfigError } from '../errors.js';
import { readCsv, writeCsv } from '../io/table.js';
import { greyByUnit } from '../pipeline/steps/grey.js';
import { run } from './common.js';

interface GreyOpts { series?: string; horizon: string; json?: boolean; table?: string; id?: string; prefix?: string; targetYear?: string; out?: string }

function list(v: string | undefined, opt: string): string[] {
  const l = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (l.length === 0) throw new ConfigError(`${opt}: required with --table (comma-separated)`);
  return l;
}

function byTable(o: GreyOpts): void {
  if (!o.out) throw new ConfigError('--out: required with --table');
  const t = readCsv(o.table!);
  const id = o.id ?? t.columns[0];
  if (!t.columns.includes(id)) throw new ConfigError(`--id: column ${JSON.stringify(id)} not in ${o.table} (has: ${t.columns.join(', ')})`);
  const prefixes = list(o.prefix, '--prefix');
  const targets = list(o.targetYear, '--target-year').map((y) => checkInt('--target-year', y, -100000, 100000));
  const fc = prefixes.map((p) => greyByUnit(t, p, targets, id));
  const ii = t.columns.indexOf(id);
  writeCsv(o.out, [id, ...prefixes.flatMap((p) => [...targets.map((y) => `${p}${y}`), `${p}grade`, `${p}C`, `${p}P`])],
    t.rows.map((row, r) => [row[ii], ...fc.flatMap((f) => [...targets.map((y) => f[r].at[y]), f[r].grade, f[r].C, f[r].P])]));
  const grades = fc.map((f, k) => `${prefixes[k]}: ${[...new Set(f.map((x) => x.grade))].map((g) => `${g} ${f.filter((x) => x.grade === g).length}`).join(', ')}`);
  process.stdout.write(`grey: ${t.rows.length} units, ${prefixes.join(', ')} to ${targets.join(', ')} -> ${o.out} (grades ${grades.join('; ')})\n`);
}

export function register(program: Command): void {
  program
    .command('grey')
    .description('GM(1,1) grey forecast of a short series (e.g. GDP, population) with C, P and grade; or of every unit of a table')
    .option('--series <values>', 'comma-separated observations, oldest first (>= 4 positive values)')
    .option('--horizon <n>', 'steps to forecast after the last observation (with --series)', '1')
    .option('--json', 'print one JSON object {a, b, fitted, forecast, C, P, grade, ...} (with --series)')
    .option('--table <csv>', 'unit table with series columns <prefix>YYYY (equally spaced years, >= 4)')
    .option('--id <col>', 'unit id column of --table (default: the first)')
    .option('--prefix <p,...>', 'series column prefixes, e.g. gdp_,pop_')
    .option('--target-year <y,...>', 'years to forecast to (on the spacing of the series)')
    .option('--out <csv>', 'per-unit forecasts: id, <prefix><year>..., <prefix>grade, C, P')
    .action(
      run('grey', (o: GreyOpts) => ({ inputs: { '--table': o.table }, outputs: { '--out': o.out } }), (opts: GreyOpts) => {
        if ((opts.series === undefined) === (opts.table === undefined)) throw new ConfigError('give --series (one series) or --table (every unit), not both');
        if (opts.table) return byTable(opts);
        const x0 = parseSeries(opts.series!);
        const h = checkInt('--horizon', opts.horizon, 0, 1000);
        const r = gm11(x0, h, '--series');
        if (opts.json) {
          process.stdout.write(JSON.stringify({ a: r.a, b: r.b, fitted: r.fitted, forecast: r.forecast, C: r.C, P: r.P, grade: r.grade, S1: r.S1, S2: r.S2, residuals: r.residuals }) + '\n');
          return;
        }
        const lines = [
          `GM(1,1): a = ${r.a.toPrecision(8)}, b = ${r.b.toPrecision(8)}`,
          `C = ${r.C.toFixed(5)}, P = ${r.P.toFixed(4)}, grade: ${r.grade}`,
          'k\tobserved\tfitted\trel.error',
          ...x0.map((v, i) => `${i + 1}\t${v}\t${r.fitted[i].toPrecision(8)}\t${(100 * r.relativeErrors[i]).toFixed(2)} %`),
          ...r.forecast.map((v, i) => `${x0.length + i + 1}\t\t${v.toPrecision(8)}\tforecast`),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
