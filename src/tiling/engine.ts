/**
 * The Engine: one compiled module, one shared WebAssembly.Memory owned by the host with an
 * Arena laying out buffers, a main-thread instance, and (for threads > 1) a piscina pool whose
 * workers instantiate the same module on the same memory. Tasks return results in task order,
 * so reductions are deterministic whatever the thread count.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { checkInt, InternalError } from '../errors.js';
import { Arena } from '../wasm/arena.js';
import { compileModule, createMemory, instantiate, KernelExports, PACKAGE_ROOT, Target } from '../wasm/module.js';
import type { Task } from './worker.js';

export type { Task, WasmTask, JsTask } from './worker.js';

export interface EngineOptions {
  /** Worker threads; 1 runs every task on the calling thread. Default: all cores. */
  threads?: number;
  /** 'release' (default, -O3, SIMD, no assertions) or 'debug' (assertions on). */
  target?: Target;
  /** Initial memory in 64 KiB pages (grows on demand up to 4 GiB). */
  initialPages?: number;
}

export function workerFile(): string {
  const f = join(PACKAGE_ROOT, 'dist', 'src', 'tiling', 'worker.js');
  if (!existsSync(f)) throw new InternalError(`${f} is missing: run "npm run build" (npm install does it)`);
  return f;
}

/** URL of a compiled module of the engine, for JsTask.module. `rel` like 'src/io/decode.js'. */
export function distModuleUrl(rel: string): string {
  return pathToFileURL(join(PACKAGE_ROOT, 'dist', rel)).href;
}

export class Engine {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly arena: Arena;
  readonly threads: number;
  readonly target: Target;
  private pool: Piscina | null = null;

  constructor(opts: EngineOptions = {}) {
    this.threads = checkInt('threads', opts.threads ?? availableParallelism(), 1, 256);
    this.target = opts.target ?? 'release';
    this.module = compileModule(this.target);
    this.memory = createMemory(opts.initialPages ?? 16);
    this.exports = instantiate(this.module, this.memory);
    this.arena = new Arena(this.memory, this.exports.heap_base());
  }

  private getPool(): Piscina {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: workerFile(),
        minThreads: this.threads,
        maxThreads: this.threads,
        idleTimeout: 60_000,
        workerData: { module: this.module, memory: this.memory },
      });
    }
    return this.pool;
  }

  /**
   * Runs tasks and returns their results in task order. With threads = 1 (or one task) they
   * run on this thread; otherwise across the pool. Tasks must write disjoint memory.
   */
  async run<R = unknown>(tasks: Task[]): Promise<R[]> {
    if (this.threads === 1 || tasks.length <= 1) {
      const out: R[] = [];
      for (const t of tasks) out.push((await this.runHere(t)) as R);
      return out;
    }
    const pool = this.getPool();
    return Promise.all(tasks.map((t) => pool.run(t) as Promise<R>));
  }

  private async runHere(task: Task): Promise<unknown> {
    if ('module' in task) {
      const mod = await import(task.module);
      return mod[task.fn](...task.args, { exports: this.exports, memory: this.memory });
    }
    const f = this.exports[task.fn];
    if (typeof f !== 'function') throw new InternalError(`no wasm export named ${task.fn}`);
    return f(...task.args);
  }

  /**
   * Starts every worker now (benchmarks exclude start-up from timings): one task per worker,
   * held at a barrier until all have arrived, so each worker runs exactly one (a quick task
   * alone could be taken twice by the first worker while another is still starting). Returns
   * the workers' thread ids ([] with threads = 1).
   */
  async warmUp(timeoutMs = 30_000): Promise<number[]> {
    if (this.threads <= 1) return [];
    const pool = this.getPool();
    const mark = this.arena.mark();
    try {
      const counter = this.arena.alloc<Int32Array>('int32', 1, 'warm-up barrier');
      counter.view()[0] = 0;
      const task = { module: distModuleUrl('src/tiling/warm.js'), fn: 'warmBarrier', args: [counter.ptr, this.threads, timeoutMs] };
      return await Promise.all(Array.from({ length: this.threads }, () => pool.run(task) as Promise<number>));
    } finally {
      this.arena.release(mark);
    }
  }

  async close(): Promise<void> {
    if (this.pool) {
      await this.pool.destroy();
      this.pool = null;
    }
  }
}

/** Runs `fn` with a fresh engine and always closes it. */
export async function withEngine<T>(opts: EngineOptions, fn: (e: Engine) => Promise<T>): Promise<T> {
  const e = new Engine(opts);
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}
