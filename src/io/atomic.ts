/**
 * Outputs are written to a temporary name beside the target and renamed when complete, so a
 * failed run never leaves a file that looks finished. Every writer goes through
 * `tempPathFor` (before the first byte) and `commitTemp` / `discardTemp` (after), which is
 * where the run session (src/io/session.ts) guards inputs, tracks temporary files for signal
 * clean-up, removes a replaced file's GDAL sidecar and records the output for the manifest.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { currentSession, registerTemp, releaseTemp, writeFailure } from './session.js';

let counter = 0;

/** An errno from writing `path` as a user-facing InputError (read-only disk, no space ...), else itself. */
export function asWriteError(path: string, e: unknown): unknown {
  if (e instanceof Error && (e as NodeJS.ErrnoException).code) {
    const m = writeFailure(path, e);
    if (m) return new InputError(m);
  }
  return e;
}

/**
 * Checks `path` against the run's inputs, creates its folder and returns a registered
 * temporary name beside it (removed on SIGINT/SIGTERM until committed or discarded).
 */
export function tempPathFor(path: string): string {
  const session = currentSession();
  session?.checkWrite(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    session?.startWrite(path);
  } catch (e) {
    throw asWriteError(path, e);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  registerTemp(tmp);
  return tmp;
}

/** Renames a finished temporary file into place; a GDAL sidecar of the old file is removed. */
export function commitTemp(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (e) {
    throw asWriteError(path, e);
  }
  releaseTemp(tmp);
  // GDAL's PAM sidecar holds statistics and metadata of the file it sits beside: stale now
  rmSync(`${path}.aux.xml`, { force: true });
  currentSession()?.afterWrite(path);
}

/** Removes an unfinished temporary file. */
export function discardTemp(tmp: string): void {
  rmSync(tmp, { force: true });
  releaseTemp(tmp);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    commitTemp(tmp, path);
  } catch (e) {
    discardTemp(tmp);
    throw asWriteError(path, e);
  }
}

/**
 * Runs `write(fd)` on a temporary file, then renames it to `path`. On failure the temporary
 * file is removed and the error rethrown.
 */
export async function withAtomicFile<T>(path: string, write: (fd: number, tmpPath: string) => Promise<T> | T): Promise<T> {
  const tmp = tempPathFor(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    discardTemp(tmp);
    throw asWriteError(path, e);
  }
  let closed = false;
  try {
    const r = await write(fd, tmp);
    closeSync(fd);
    closed = true;
    commitTemp(tmp, path);
    return r;
  } catch (e) {
    if (!closed) closeSync(fd);
    discardTemp(tmp);
    throw asWriteError(path, e);
  }
}
