/**
 * Shared CLI plumbing: every command's action goes through `run`, which maps errors to exit
 * codes (2 bad input/options, 1 internal) and prints one line to stderr.
 */
import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { checkInt, exitCodeOf, isUserError } from '../errors.js';

export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Wraps an async action: user errors -> "landcarbon <cmd>: message", exit 2; others exit 1. */
export function run<A extends unknown[]>(name: string, fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof Exit) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (isUserError(e)) {
        process.stderr.write(`landcarbon ${name}: ${msg}\n`);
      } else {
        process.stderr.write(`landcarbon ${name}: internal error: ${msg}\n`);
        if (process.env.LANDCARBON_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      }
      throw new Exit(exitCodeOf(e));
    }
  };
}

export function threadsOption(): Option {
  return new Option('--threads <n>', 'worker threads').default(String(availableParallelism()), `all cores: ${availableParallelism()}`);
}

export function parseThreads(v: string | number | undefined): number {
  return checkInt('--threads', v ?? availableParallelism(), 1, 256);
}

/** Quiet when not a TTY or when --quiet; progress lines go to stderr. */
export function progressWriter(quiet: boolean): (line: string) => void {
  if (quiet) return () => {};
  return (line: string) => process.stderr.write(line + '\n');
}

export type Register = (program: Command) => void;
