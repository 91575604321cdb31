/**
 * One run of a study into an output directory: the steps (skipping what is up to date), then
 * the report (figures/, layers/, report.html: src/pipeline/report/build.ts, fed from the
 * StudyResult), summary.md and summary.json, written last and only when every step succeeded (a
 * failed or interrupted run never looks finished). `landcarbon run` and `landcarbon demo` both
 * end here.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { runStudy, StudyResult } from './plan.js';
import { buildReport } from './report/build.js';
import { studyRunResult } from './report/from-study.js';
import { VERSION } from '../version.js';
import { Runner, StepRecord } from './runner.js';
import type { Study } from './study.js';
import { methodsMarkdown } from './study-file.js';

export interface RunOptions {
  out: string;
  threads: number;
  /** Progress lines (stderr), or nothing. */
  say?: (line: string) => void;
  /** Steps to rerun even when up to date. */
  force?: string[];
  /** Lines steps log as they run (see progressLines). */
  progress?: (step: string, line: string) => void;
  /** Heading line of summary.md. */
  title?: string;
  /** A paragraph under the heading. */
  intro?: string;
  /** Also write each report figure as PNG (figures/*.png). */
  png?: boolean;
  /** Steps run before the study (e.g. generating the sample region). */
  before?: (r: Runner) => Promise<{ study: Study; notes?: string[] }>;
}

export interface RunResult {
  result: StudyResult;
  steps: StepRecord[];
  seconds: number;
  summary: string;
  /** Time to build the report (figures, layers, report.html), s; not in `seconds`. */
  reportSeconds: number;
  report: { html: string; figures: string[]; layers: string[] };
}

/**
 * Progress of the steps on stderr: on a terminal, iteration lines overwrite one status line
 * (carriage return) led by a bar of the demand gap closed so far, and other lines scroll; otherwise every line is printed, prefixed with its
 * step. `--quiet` passes nothing. `words` rewrites each line (the study's terms, for `run`).
 */
export function progressLines(stream: NodeJS.WriteStream = process.stderr, words: (line: string) => string = (l) => l): { say: (line: string) => void; progress: (step: string, line: string) => void } {
  let open = false;
  // a bar per (step, year): the share of the first iteration's total gap closed so far
  const firstGap = new Map<string, number>();
  const progressBar = (step: string, line: string): string => {
    const m = /^simulate (\S+): iteration \d+: .*\(total (\d+)/.exec(line);
    if (!m) return '';
    const key = `${step} ${m[1]}`;
    const gap = Number(m[2]);
    if (!firstGap.has(key)) firstGap.set(key, gap);
    const g0 = firstGap.get(key)!;
    const done = g0 === 0 ? 1 : Math.min(1, Math.max(0, 1 - gap / g0));
    const n = Math.round(done * 20);
    return `[${'#'.repeat(n)}${'-'.repeat(20 - n)}] ${String(Math.round(done * 100)).padStart(3)} %`;
  };
  const end = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    say: (line) => {
      end();
      stream.write(words(line) + '\n');
    },
    progress: (step, raw) => {
      const line = words(raw);
      if (stream.isTTY && /iteration \d+/.test(line)) {
        const w = Math.max(20, (stream.columns ?? 100) - 1);
        stream.write('\r' + `${progressBar(step, line)}  ${step}: ${line}`.slice(0, w).padEnd(w));
        open = true;
        return;
      }
      end();
      stream.write(`  ${step}: ${line}\n`);
    },
  };
}

export const FINAL_FILES = ['summary.md', 'summary.json', 'report.html'];

export async function runToDir(study: Study | null, o: RunOptions): Promise<RunResult> {
  const dir = o.out;
  mkdirSync(dir, { recursive: true });
  for (const f of FINAL_FILES) rmSync(join(dir, f), { force: true });
  const runner = new Runner({ dir, say: o.say, force: o.force, progress: o.progress });
  const t0 = performance.now();
  const pre = o.before ? await o.before(runner) : { study: study!, notes: [] };
  const s = pre.study;
  const result = await runStudy(runner, s, o.threads);
  result.notes.unshift(...(pre.notes ?? []));
  result.notes.push(methodsMarkdown(s));
  const bad = runner.unknownForced();
  if (bad.length) throw new ConfigError(`--force: no step named ${bad.join(', ')} (steps: ${runner.records.map((x) => x.name).join(', ')})`);
  const seconds = (performance.now() - t0) / 1000;
  const steps = runner.records;
  const ran = steps.filter((x) => !x.skipped).length;
  const summary = [
    `# ${o.title ?? s.report.title}`,
    ``,
    o.intro ?? (s.file ? `Study file ${s.file}.` : ''),
    ``,
    `Threads ${o.threads}; total ${seconds.toFixed(1)} s; ${ran} step(s) run, ${steps.length - ran} up to date.`,
    ``,
    `| step | what | seconds | outputs |`,
    `|---|---|---:|---|`,
    ...steps.map((x) => `| ${x.name} | ${x.title} | ${x.skipped ? `${x.runSeconds.toFixed(2)} (skipped)` : x.seconds.toFixed(2)} | ${x.outputs.map((f) => relative(dir, f)).join(', ')} |`),
    ``,
    result.notes.join('\n\n'),
    ``,
  ].join('\n');
  const { study: _s, ...rest } = result;
  // the report first, then the summaries: a run that fails in its report has no summary either
  const rep = await buildReport(studyRunResult(result, runner, { dir, threads: o.threads, totalSeconds: seconds, version: VERSION, title: o.title }), dir, { png: o.png });
  o.say?.(`report: ${rep.seconds.toFixed(2)} s (${rep.figures.length} figures, ${rep.layers.length} layers) -> ${relative(process.cwd(), rep.html) || rep.html}`);
  writeFileAtomic(join(dir, 'summary.md'), summary);
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ study: s.file, threads: o.threads, seconds, report_seconds: rep.seconds, steps: steps.map((x) => ({ ...x, log: relative(dir, x.log), outputs: x.outputs.map((f) => relative(dir, f)) })), result: rest }, null, 2));
  return { result, steps, seconds, summary, reportSeconds: rep.seconds, report: { html: rep.html, figures: rep.figures, layers: rep.layers } };
}
