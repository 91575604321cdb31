/**
 * piscina worker of MemoryGroups (src/tiling/groups.ts): instantiates the module once on each
 * block group's memory (all arrive in workerData) and runs a task on the memory it names.
 */
import { workerData } from 'node:worker_threads';
import { instantiate, KernelExports } from '../wasm/module.js';
import type { Task } from './worker.js';

const { module, memories } = workerData as { module: WebAssembly.Module; memories: WebAssembly.Memory[] };
const instances: Array<KernelExports | undefined> = memories.map(() => undefined);

export default async function runTask(msg: { group: number; task: Task }): Promise<unknown> {
  const g = msg.group;
  const exports = (instances[g] ??= instantiate(module, memories[g]));
  const task = msg.task;
  if ('module' in task) {
    const mod = await import(task.module);
    return mod[task.fn](...task.args, { exports, memory: memories[g] });
  }
  const f = exports[task.fn];
  if (typeof f !== 'function') throw new Error(`groups worker: no wasm export named ${task.fn}`);
  return f(...task.args);
}
