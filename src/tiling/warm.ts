/**
 * Warm-up barrier run as a JsTask on every worker (Engine.warmUp): each task adds one to a
 * counter in the shared memory and waits until all `n` tasks have arrived, so no worker can
 * take two of them and every worker is started (module instantiated) before timing begins.
 * A worker that waits longer than `timeoutMs` gives up (no deadlock if the pool were smaller).
 */
import { threadId } from 'node:worker_threads';

export function warmBarrier(counterPtr: number, n: number, timeoutMs: number, ctx: { memory: WebAssembly.Memory }): number {
  const a = new Int32Array(ctx.memory.buffer, counterPtr, 1);
  let v = Atomics.add(a, 0, 1) + 1;
  if (v >= n) {
    Atomics.notify(a, 0);
    return threadId;
  }
  const end = Date.now() + timeoutMs;
  while (v < n) {
    const left = end - Date.now();
    if (left <= 0) break;
    Atomics.wait(a, 0, v, left);
    v = Atomics.load(a, 0);
  }
  return threadId;
}
