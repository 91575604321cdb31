/**
 * Outputs are written to a temporary name beside the target and renamed when complete, so a
 * failed run never leaves a file that looks finished.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Runs `write(fd)` on a temporary file, then renames it to `path`. On failure the temporary
 * file is removed and the error rethrown.
 */
export async function withAtomicFile<T>(path: string, write: (fd: number, tmpPath: string) => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  let closed = false;
  try {
    const r = await write(fd, tmp);
    closeSync(fd);
    closed = true;
    renameSync(tmp, path);
    return r;
  } catch (e) {
    if (!closed) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
