/**
 * The main job: generate the embedded sample region and run every capability on it, through
 * the same CLI commands a user would script (so the demo is also a worked example of the
 * chain). Each step's output goes to DIR/logs/<step>.log; DIR/summary.md and summary.json are
 * written last (with report.html: the summary and maps), only when every step succeeded (a failed run never looks finished).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InternalError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { ReportImage } from './report.js';
import { buildReport } from './report/build.js';
import { demoRunResult } from './report/from-demo.js';
import { VERSION } from '../version.js';

export interface DemoOptions {
  out: string;
  size?: number;
  seed?: number;
  threads: number;
  log?: (line: string) => void;
}

export interface DemoStep {
  name: string;
  title: string;
  seconds: number;
  /** The command line as run. */
  command: string;
  log: string;
  outputs: string[];
}

type Main = (argv: string[]) => Promise<number>;

/** Runs one CLI command in-process with stdout/stderr captured into a log file. */
async function runStep(main: Main, dir: string, name: string, args: string[]): Promise<{ code: number; seconds: number; log: string; text: string }> {
  const log = join(dir, 'logs', `${name}.log`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const chunks: string[] = [`$ landcarbon ${args.join(' ')}\n`];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(['node', 'landcarbon', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const seconds = (performance.now() - t0) / 1000;
  const text = chunks.join('');
  writeFileAtomic(log, text);
  return { code, seconds, log, text };
}

export interface DemoResult {
  steps: DemoStep[];
  summary: string;
  /** Time to build report.html, figures/ and layers/ (s). */
  reportSeconds: number;
}

export async function runDemo(o: DemoOptions, plan: (ctx: DemoContext) => Promise<void>): Promise<DemoResult> {
  const { main } = await import('../cli/main.js');
  const dir = o.out;
  mkdirSync(dir, { recursive: true });
  for (const f of ['summary.md', 'summary.json', 'report.html']) rmSync(join(dir, f), { force: true });
  const steps: DemoStep[] = [];
  const notes: string[] = [];
  const images: ReportImage[] = [];
  const say = o.log ?? (() => {});
  const ctx: DemoContext = {
    dir,
    threads: String(o.threads),
    path: (...p: string[]) => join(dir, ...p),
    note: (s: string) => notes.push(s),
    image: (im: ReportImage) => images.push(im),
    async step(name, title, args, outputs = []) {
      say(`demo: ${title} ...`);
      const r = await runStep(main, dir, name, args);
      if (r.code !== 0) {
        const last = r.text.trim().split('\n').slice(-3).join(' | ');
        throw new InternalError(`demo step "${name}" (${title}) failed with exit code ${r.code}: ${last} (log: ${r.log})`);
      }
      for (const f of outputs) {
        if (!existsSync(f)) throw new InternalError(`demo step "${name}" did not write ${f}`);
      }
      steps.push({ name, title, seconds: r.seconds, command: `landcarbon ${args.join(' ')}`, log: r.log, outputs });
      say(`demo: ${title}: ${r.seconds.toFixed(2)} s`);
      return r.text;
    },
    readJson(...p: string[]) {
      return JSON.parse(readFileSync(join(dir, ...p), 'utf8'));
    },
  };
  const t0 = performance.now();
  await plan(ctx);
  const total = (performance.now() - t0) / 1000;
  const lines = [
    `# landcarbon demo`,
    ``,
    `Sample region: size ${o.size ?? 1000}, seed ${o.seed ?? 1}; threads ${o.threads}; total ${total.toFixed(1)} s.`,
    ``,
    `| step | what | seconds | outputs |`,
    `|---|---|---:|---|`,
    ...steps.map((s) => `| ${s.name} | ${s.title} | ${s.seconds.toFixed(2)} | ${s.outputs.map((f) => f.slice(dir.length + 1)).join(', ')} |`),
    ``,
    notes.join('\n\n'),
    ``,
  ];
  const summary = lines.join('\n');
  writeFileAtomic(join(dir, 'summary.md'), summary);
  const rep = await buildReport(demoRunResult({ dir, seed: o.seed ?? 1, threads: o.threads, steps, totalSeconds: total, version: VERSION }), dir);
  say(`demo: report: ${rep.seconds.toFixed(2)} s (${rep.figures.length} figures, ${rep.layers.length} layers)`);
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ size: o.size ?? 1000, seed: o.seed ?? 1, threads: o.threads, seconds: total, report_seconds: rep.seconds, steps, notes }, null, 2));
  return { steps, summary, reportSeconds: rep.seconds };
}

export interface DemoContext {
  dir: string;
  threads: string;
  path(...p: string[]): string;
  note(markdown: string): void;
  /** A map for the HTML report. */
  image(im: ReportImage): void;
  /** Runs `landcarbon <args>`; throws when it fails or an expected output is missing. Returns its output. */
  step(name: string, title: string, args: string[], outputs?: string[]): Promise<string>;
  readJson(...p: string[]): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}
