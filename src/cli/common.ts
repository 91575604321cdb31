/**
 * Shared CLI plumbing: every command's action goes through `run`, which maps errors to exit
 * codes (2 bad input/options, 1 internal) and prints one line to stderr.
 */
import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { checkInt, exitCodeOf, isUserError, optionHintOf } from '../errors.js';
import { setCsvDefaults } from '../io/table.js';
import { closeSession, openSession, type IoSpec, type Session } from '../io/session.js';
import { inStudyTerms } from '../pipeline/study-terms.js';

export type { IoSpec } from '../io/session.js';

export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * The files a command reads and writes, from the same arguments as its action. Every command
 * declares them: outputs that are inputs, or that cannot be written, are refused before any
 * work (src/io/session.ts).
 */
export type IoDecl<A extends unknown[]> = (...args: A) => IoSpec;

/** Whether `cmd` or a parent (global options) has --name. */
export function hasOption(cmd: Command, name: string): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) if (c.options.some((o) => o.long === `--${name}`)) return true;
  return name === 'help';
}

/** For commands that read and write no files. */
export const NO_FILES = (): IoSpec => ({});

/** Comma-separated file list of an option, as paths. */
export function fileList(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Commander passes (...arguments, options, command): the JSON-able part for the manifest. */
function parametersOf(args: unknown[]): unknown {
  const a = args.length && args[args.length - 1] instanceof Command ? args.slice(0, -1) : args;
  const opts = a.length ? a[a.length - 1] : {};
  return { arguments: a.slice(0, -1), options: opts };
}

/**
 * Wraps an async action: opens the run session (output guard, preflight, manifest, signal
 * clean-up) from `io`, then runs it. User errors -> "landcarbon <cmd>: message", exit 2;
 * others exit 1. `studyTerms` (run, demo): messages name study-file keys, not the single
 * commands' options (src/pipeline/study-terms.ts).
 */
export function run<A extends unknown[]>(name: string, io: IoDecl<NoInfer<A>>, fn: (...args: A) => Promise<void> | void, opts: { studyTerms?: boolean } = {}): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes the Command last: the global CSV options apply to this run
    const cmd = args[args.length - 1];
    let session: Session | null = null;
    try {
      if (cmd instanceof Command) setCsvDefaults(cmd.optsWithGlobals() as { encoding?: string; excel?: boolean });
      session = openSession(name, io(...args), parametersOf(args));
      await fn(...args);
      session.finish((line) => process.stderr.write(`landcarbon ${name}: note: ${line}\n`));
    } catch (e) {
      session?.abandon('failed');
      if (e instanceof Exit) throw e;
      let msg = e instanceof Error ? e.message : String(e);
      if (opts.studyTerms && cmd instanceof Command) msg = inStudyTerms(msg, (n) => hasOption(cmd, n));
      const hint = optionHintOf(e);
      if (hint && cmd instanceof Command) {
        const has = hint.options.filter((n) => cmd.options.some((o) => o.long === `--${n}`));
        if (has.length) msg += ` (${hint.verb} ${has.map((n) => `--${n}`).join(' or ')})`;
      }
      if (isUserError(e)) {
        process.stderr.write(`landcarbon ${name}: ${msg}\n`);
      } else {
        process.stderr.write(`landcarbon ${name}: internal error: ${msg}\n`);
        if (process.env.LANDCARBON_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      }
      throw new Exit(exitCodeOf(e));
    } finally {
      if (session) closeSession(session);
    }
  };
}

export function threadsOption(): Option {
  return new Option('--threads <n>', 'worker threads').default(String(availableParallelism()), `all cores: ${availableParallelism()}`);
}

/**
 * --threads N, capped at the core count: more workers than cores only add memory (each worker
 * holds its module instance and scratch) and contention, and results do not depend on the
 * thread count, so the cap changes nothing but time and memory. The cap is said on stderr.
 */
export function parseThreads(v: string | number | undefined, note: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  const cores = availableParallelism();
  const n = checkInt('--threads', v ?? cores, 1, 256);
  if (n > cores) {
    note(`note: --threads ${n} is more than the ${cores} cores of this machine; using ${cores} (results do not depend on the thread count)`);
    return cores;
  }
  return n;
}

/** Quiet when not a TTY or when --quiet; progress lines go to stderr. */
export function progressWriter(quiet: boolean): (line: string) => void {
  if (quiet) return () => {};
  return (line: string) => process.stderr.write(line + '\n');
}

export type Register = (program: Command) => void;
