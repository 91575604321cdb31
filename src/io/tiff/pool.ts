/**
 * The I/O pool: GeoTIFF blocks are decoded and encoded on every core (piscina worker threads
 * running src/io/tiff/codec.ts), while the calling thread reads and writes the file and copies
 * rows. Callers keep a bounded number of tasks in flight and consume results in order, so
 * memory stays bounded and output bytes do not depend on the number of threads.
 *
 * Threads: LANDCARBON_IO_THREADS (0 = everything on the calling thread, the serial path),
 * else setIoThreads(n), else all cores. Idle workers do not keep the process alive.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ConfigError, InternalError } from '../../errors.js';
import { decodeBlocks, decodeInto, encodeTiles, type DecodeIntoJob, type DecodeIntoResult, type DecodeJob, type DecodeResult, type EncodeJob, type EncodeResult } from './codec.js';

let pool: Piscina | null = null;
let configured: number | null = null;

function envThreads(): number | null {
  const v = process.env.LANDCARBON_IO_THREADS;
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new ConfigError(`LANDCARBON_IO_THREADS: expected an integer in [0, 256], got ${JSON.stringify(v)}`);
  return n;
}

/** Worker threads used for GeoTIFF block codecs (0: the calling thread does all of it). */
export function ioThreads(): number {
  return configured ?? envThreads() ?? availableParallelism();
}

/** Sets the I/O worker count (0 = serial on the calling thread); closes a pool of another size. */
export async function setIoThreads(n: number | null): Promise<void> {
  if (n !== null && (!Number.isInteger(n) || n < 0 || n > 256)) throw new ConfigError(`I/O threads: expected an integer in [0, 256], got ${n}`);
  configured = n;
  if (pool && pool.options.maxThreads !== ioThreads()) await closeIoPool();
}

/** Stops the I/O workers (they are also stopped when idle for a few seconds). */
export async function closeIoPool(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.destroy();
}

/** The compiled worker beside this file in dist/ (from the .ts sources under vitest: dist/ of the package). */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const f = here.endsWith('.ts')
    ? join(dirname(here), '..', '..', '..', 'dist', 'src', 'io', 'tiff', 'codec-worker.js')
    : join(dirname(here), 'codec-worker.js');
  if (!existsSync(f)) throw new InternalError(`${f} is missing: run "npm run build" (npm install does it)`);
  return f;
}

function getPool(): Piscina | null {
  const n = ioThreads();
  if (n === 0) return null;
  if (!pool) {
    // workerData must be an object: geotiff.js's web-worker shim reads workerData.mod on import
    pool = new Piscina({ filename: workerFile(), minThreads: 0, maxThreads: n, idleTimeout: 3000, concurrentTasksPerWorker: 1, workerData: {} });
  }
  return pool;
}

/** How many tasks a caller should keep in flight: two per worker keeps every core busy. */
export function ioQueueDepth(): number {
  return Math.max(1, 2 * ioThreads());
}

/** Decodes packed compressed blocks (in a worker; `job.src` is transferred). */
export async function decodeInPool(job: DecodeJob): Promise<DecodeResult> {
  const p = getPool();
  if (!p) return decodeBlocks(job);
  return (await p.run({ op: 'decode', job }, { transferList: [job.src] })) as DecodeResult;
}

/**
 * Decodes blocks straight into `job.dst`: in a worker when it is a SharedArrayBuffer (shared,
 * not copied), else on the calling thread.
 */
export async function decodeIntoInPool(job: DecodeIntoJob): Promise<DecodeIntoResult> {
  const p = job.dst instanceof SharedArrayBuffer ? getPool() : null;
  if (!p) return decodeInto(job);
  return (await p.run({ op: 'decodeInto', job })) as DecodeIntoResult;
}

/** Encodes packed tiles (in a worker; `job.src` is transferred). */
export async function encodeInPool(job: EncodeJob): Promise<EncodeResult> {
  const p = getPool();
  if (!p) return encodeTiles(job);
  return (await p.run({ op: 'encode', job }, { transferList: [job.src] })) as EncodeResult;
}

/**
 * Starts `start(item)` for the items in order with at most `depth` unfinished at a time and
 * hands each result to `consume` in item order (a bounded, ordered pipeline). The first
 * failure stops it: the tasks already started are left to settle, then the error is thrown.
 */
export async function orderedPipeline<T, R>(
  items: Iterable<T>,
  depth: number,
  start: (item: T) => Promise<R>,
  consume: (result: R, item: T) => void | Promise<void>,
): Promise<void> {
  const queue: Array<{ item: T; p: Promise<R> }> = [];
  try {
    for (const item of items) {
      const p = start(item);
      p.catch(() => {}); // surfaced when awaited below, in order
      queue.push({ item, p });
      while (queue.length >= depth) {
        const head = queue.shift()!;
        await consume(await head.p, head.item);
      }
    }
    while (queue.length) {
      const head = queue.shift()!;
      await consume(await head.p, head.item);
    }
  } catch (e) {
    await Promise.allSettled(queue.map((q) => q.p));
    throw e;
  }
}
