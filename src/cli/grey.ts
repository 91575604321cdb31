/**
 * `landcarbon grey --series v1,v2,... --horizon H [--json]`: GM(1,1) fit, forecast, posterior
 * variance ratio C, small-error probability P and grade (methods.md section 8).
 */
import { Command } from 'commander';
import { gm11, parseSeries } from '../models/grey.js';
import { checkInt } from '../errors.js';
import { run, NO_FILES } from './common.js';

export function register(program: Command): void {
  program
    .command('grey')
    .description('GM(1,1) grey forecast of a short series (e.g. GDP, population) with C, P and grade')
    .requiredOption('--series <values>', 'comma-separated observations, oldest first (>= 4 positive values)')
    .option('--horizon <n>', 'steps to forecast after the last observation', '1')
    .option('--json', 'print one JSON object {a, b, fitted, forecast, C, P, grade, ...}')
    .action(
      run('grey', NO_FILES, (opts: { series: string; horizon: string; json?: boolean }) => {
        const x0 = parseSeries(opts.series);
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
