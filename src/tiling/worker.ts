/**
 * piscina worker: instantiates the module once on the host's shared memory (both arrive in
 * workerData) and runs tasks. A task either calls one wasm export with numeric arguments,
 * or calls a named function of a JS module (for work such as GeoTIFF decoding) with the
 * worker's kernel exports as its last argument.
 */
import { workerData } from 'node:worker_threads';
import { instantiate, KernelExports } from '../wasm/module.js';

export interface WasmTask {
  fn: string;
  args: Array<number | bigint>;
}

export interface JsTask {
  /** Absolute file URL of an ES module in dist/ */
  module: string;
  fn: string;
  args: unknown[];
}

export type Task = WasmTask | JsTask;

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
const exports: KernelExports = instantiate(module, memory);

export default async function runTask(task: Task): Promise<unknown> {
  if ('module' in task) {
    const mod = await import(task.module);
    return mod[task.fn](...task.args, { exports, memory });
  }
  const f = exports[task.fn];
  if (typeof f !== 'function') throw new Error(`worker: no wasm export named ${task.fn}`);
  return f(...task.args);
}
