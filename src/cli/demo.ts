/**
 * `landcarbon demo [--out DIR] [--size N] [--seed S] [--threads N]`: the main job. Generates the
 * sample region and runs every capability on it, writing outputs, per-step logs and a short
 * summary (DIR/summary.md).
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { checkInt } from '../errors.js';
import { runDemo } from '../pipeline/demo.js';
import { progressLines } from '../pipeline/run.js';
import { hasOption, parseThreads, run, threadsOption } from './common.js';
import { inStudyTerms } from '../pipeline/study-terms.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('generate the sample region and run every capability on it (outputs + summary.md)')
    .option('--out <dir>', 'output directory', 'landcarbon-demo')
    .option('--size <n>', 'sample region cells per side', '1000')
    .option('--seed <s>', 'seed of the sample region and of every random step', '1')
    .addOption(threadsOption())
    .option('--png', 'also write each report figure as PNG (figures/*.png; SVG always)')
    .option('--quiet', 'no progress lines')
    .action(
      run('demo', (o: { out: string }, _c: Command) => ({ dirs: { '--out': { dir: o.out, files: ['summary.json', 'summary.md', 'report.html'] } } }), async (o: { out: string; size: string; seed: string; threads?: string; quiet?: boolean; png?: boolean }, cmd: Command) => {
        const size = checkInt('--size', o.size, 64, 16384);
        const seed = checkInt('--seed', o.seed, 0);
        const threads = parseThreads(o.threads);
        const out = resolve(o.out);
        const p = o.quiet ? undefined : progressLines(process.stderr, (l) => inStudyTerms(l, (n) => hasOption(cmd, n)));
        const r = await runDemo({ out, size, seed, threads, log: p?.say, progress: p?.progress, png: o.png });
        process.stdout.write(r.summary + `\nOutputs in ${out} (report.html, figures/, layers/, summary.md, logs/).\n`);
      }, { studyTerms: true }),
    );
}
