/**
 * `landcarbon run study.yaml --out DIR [--force STEP ...] [--threads N] [--quiet]` and
 * `landcarbon init DIR`: a planner's study in one command. `run` validates the whole study file
 * first (every mistake listed with file:line and key path, exit 2), then runs the chain,
 * skipping steps whose inputs and parameters are unchanged since an earlier run into DIR.
 * `init` writes a commented study.yaml template (from the same spec as the validation).
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { progressLines, runToDir } from '../pipeline/run.js';
import { loadStudyFile, renderStudyYaml, studyHelp } from '../pipeline/study-file.js';
import { hasOption, parseThreads, run, threadsOption } from './common.js';
import { inStudyTerms } from '../pipeline/study-terms.js';

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a study file: validation, the whole chain (resumable: up-to-date steps are skipped), summary and report')
    .argument('<study.yaml>', 'study file (landcarbon init DIR writes a template)')
    .requiredOption('--out <dir>', 'output directory (a rerun into it skips the steps that are up to date)')
    .option('--force <step>', 'rerun this step even when up to date (repeatable, or comma-separated)', collect)
    .addOption(threadsOption())
    .option('--png', 'also write each report figure as PNG (figures/*.png; SVG always)')
    .option('--quiet', 'no progress lines')
    .addHelpText('after', '\n' + studyHelp())
    .action(
      run('run', (_f: string, o: { out: string }, _c: Command) => ({ dirs: { '--out': { dir: o.out, files: ['summary.json', 'summary.md', 'report.html'] } } }), async (file: string, o: { out: string; force?: string[]; threads?: string; quiet?: boolean; png?: boolean }, cmd: Command) => {
        const threads = parseThreads(o.threads);
        const study = await loadStudyFile(file);
        const out = resolve(o.out);
        const r = await runToDir(study, { out, threads, force: o.force, png: o.png, ...(o.quiet ? {} : progressLines(process.stderr, (l) => inStudyTerms(l, (n) => hasOption(cmd, n)))) });
        const ran = r.steps.filter((s) => !s.skipped).length;
        process.stdout.write(`run: ${r.steps.length} steps (${ran} run, ${r.steps.length - ran} up to date) in ${r.seconds.toFixed(1)} s -> ${out} (report.html, figures/, layers/, summary.md, logs/)\n`);
      }, { studyTerms: true }),
    );
  program
    .command('init')
    .description('write a commented study.yaml template into a directory')
    .argument('<dir>', 'directory (created if needed)')
    .action(
      run('init', (dir: string) => ({ outputs: { '<dir>': join(dir, 'study.yaml') } }), (dir: string) => {
        const f = join(dir, 'study.yaml');
        if (existsSync(f)) throw new ConfigError(`${f}: exists already; init never overwrites a study file`);
        writeFileAtomic(f, renderStudyYaml(null, ['landcarbon study file: edit the paths and values, then `landcarbon run study.yaml --out results`.', 'Paths are relative to this file. Every key is explained in `landcarbon run --help`.', '']));
        process.stdout.write(`wrote ${f}\n`);
      }),
    );
}
