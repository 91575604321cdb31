/**
 * The step runner of a study (after InVEST's taskgraph): each step names the files it reads,
 * the parameters that decide its result and the files it writes. Before running a step the
 * runner hashes its inputs (SHA-256 of the contents) and parameters; when they and the
 * recorded hashes of its outputs match the record of an earlier run, the step is skipped and
 * its recorded value returned. A step's record is written (atomically) only after the step
 * finished and its outputs exist, so an interrupted run never records a step as done, and the
 * next run goes on from the last finished step. Every step has its own log file.
 *
 * A step's value must survive JSON (numbers, strings, arrays, plain objects; not typed arrays,
 * and non-finite numbers become null): on a skip it comes back from the record.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, InternalError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { currentSession } from '../io/session.js';

/** Bumped when the runner or a step changes what it writes, so old records stop matching. */
export const RUNNER_VERSION = 2; // 2: steps write GeoTIFF metadata (class names, units), simulate declares its .aux.xml sidecars

export interface StepDef<R> {
  /** Unique within a run: logs/<name>.log, .landcarbon/steps/<name>.json. */
  name: string;
  title: string;
  /** Files read; their contents decide whether the step is up to date. */
  inputs: string[];
  /** Everything else that decides the result (JSON). */
  params: unknown;
  /** Files written; they must exist when the step returns. */
  outputs: string[];
  run(log: (line: string) => void): Promise<R> | R;
}

export interface StepRecord {
  name: string;
  title: string;
  /** Time of the step in this run (reading the record when skipped). */
  seconds: number;
  /** Time of the run that produced the outputs. */
  runSeconds: number;
  skipped: boolean;
  log: string;
  outputs: string[];
}

interface Saved {
  version: number;
  key: string;
  outputs: Record<string, string>;
  seconds: number;
  value: unknown;
}

export interface RunnerOptions {
  /** Output directory of the run. */
  dir: string;
  /** One line per step to the user (stderr), or nothing. */
  say?: (line: string) => void;
  /** Step names to rerun even when up to date. */
  force?: string[];
  /** Each line a step logs, as it comes (progress); it goes to the step's log file in any case. */
  progress?: (step: string, line: string) => void;
}

/** SHA-256 of a file's contents, read in 4 MiB blocks. */
export function hashFile(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** JSON with sorted keys, so equal parameters give equal hashes. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]]));
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    return x;
  });
}

export class Runner {
  readonly dir: string;
  readonly records: StepRecord[] = [];
  private readonly say: (line: string) => void;
  private readonly force: Set<string>;
  private readonly progress: (step: string, line: string) => void;
  private readonly names = new Set<string>();
  private readonly hashes = new Map<string, { size: number; mtime: number; hash: string }>();

  constructor(o: RunnerOptions) {
    this.dir = o.dir;
    this.say = o.say ?? (() => {});
    this.force = new Set(o.force ?? []);
    this.progress = o.progress ?? (() => {});
    mkdirSync(join(o.dir, 'logs'), { recursive: true });
    mkdirSync(join(o.dir, '.landcarbon', 'steps'), { recursive: true });
  }

  /** Content hash of a file, cached while its size and modification time stay the same. */
  hash(path: string): string {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new ConfigError(`${path}: file not found`);
    }
    const c = this.hashes.get(path);
    if (c && c.size === st.size && c.mtime === st.mtimeMs) return c.hash;
    const hash = hashFile(path);
    this.hashes.set(path, { size: st.size, mtime: st.mtimeMs, hash });
    return hash;
  }

  private key(d: StepDef<unknown>): string {
    const h = createHash('sha256');
    h.update(canonicalJson({ version: RUNNER_VERSION, name: d.name, params: d.params ?? null }));
    for (const f of d.inputs) h.update(`\n${relative(this.dir, f)}\0${this.hash(f)}`);
    return h.digest('hex');
  }

  /** Names of the steps the runner was asked to force that never ran (a typo in --force). */
  unknownForced(): string[] {
    return [...this.force].filter((f) => !this.names.has(f));
  }

  async step<R>(d: StepDef<R>): Promise<R> {
    if (this.names.has(d.name)) throw new InternalError(`step "${d.name}" defined twice`);
    this.names.add(d.name);
    const t0 = performance.now();
    const stateFile = join(this.dir, '.landcarbon', 'steps', `${d.name}.json`);
    const logFile = join(this.dir, 'logs', `${d.name}.log`);
    const key = this.key(d as StepDef<unknown>);
    if (!this.force.has(d.name) && existsSync(stateFile)) {
      let saved: Saved | null = null;
      try {
        saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Saved;
      } catch {
        saved = null; // unreadable record: run the step again
      }
      const same =
        saved !== null &&
        saved.version === RUNNER_VERSION &&
        saved.key === key &&
        d.outputs.every((f) => existsSync(f) && saved!.outputs[relative(this.dir, f)] === this.hash(f));
      if (same) {
        // the outputs (and the step's log and record) belong to this run too: a CLI session
        // must not take them for stale files of an earlier run
        const session = currentSession();
        for (const f of [...d.outputs, logFile, stateFile]) if (existsSync(f)) session?.afterWrite(f);
        const seconds = (performance.now() - t0) / 1000;
        this.records.push({ name: d.name, title: d.title, seconds, runSeconds: saved!.seconds, skipped: true, log: logFile, outputs: d.outputs });
        this.say(`${d.name}: ${d.title}: up to date (skipped)`);
        return saved!.value as R;
      }
    }
    this.say(`${d.name}: ${d.title} ...`);
    const lines: string[] = [`# ${d.title}`, `# step ${d.name}, started ${new Date().toISOString()}`];
    const log = (line: string) => {
      lines.push(line);
      this.progress(d.name, line);
    };
    let value: R;
    try {
      value = await d.run(log);
    } catch (e) {
      lines.push(`failed: ${(e as Error).message}`);
      writeFileSync(logFile, lines.join('\n') + '\n');
      throw e;
    }
    for (const f of d.outputs) {
      this.hashes.delete(f);
      if (!existsSync(f)) throw new InternalError(`step "${d.name}" did not write ${f}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    lines.push(`# done in ${seconds.toFixed(2)} s; outputs: ${d.outputs.map((f) => relative(this.dir, f)).join(', ') || 'none'}`);
    writeFileAtomic(logFile, lines.join('\n') + '\n');
    const outputs = Object.fromEntries(d.outputs.map((f) => [relative(this.dir, f), this.hash(f)]));
    const saved: Saved = { version: RUNNER_VERSION, key, outputs, seconds, value: JSON.parse(JSON.stringify(value ?? null)) };
    writeFileAtomic(stateFile, JSON.stringify(saved) + '\n');
    this.records.push({ name: d.name, title: d.title, seconds, runSeconds: seconds, skipped: false, log: logFile, outputs: d.outputs });
    this.say(`${d.name}: ${d.title}: ${seconds.toFixed(2)} s`);
    return saved.value as R;
  }
}
