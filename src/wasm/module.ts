/**
 * The WebAssembly module: compiled once per process from build/<target>.wasm, instantiated
 * once per thread on the one shared memory the host owns. Only numbers, pointers and lengths
 * cross the boundary; the host lays out buffers with an Arena (./arena.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { InternalError } from '../errors.js';

// Kernels are called a few times on large buffers, so V8's baseline wasm tier (Liftoff) would
// run whole first tiles 2-3x slower before tier-up. Compile every kernel with the optimising
// tier on first call instead (compilation stays lazy: ~1 ms for the module).
setFlagsFromString('--no-liftoff');

export type Target = 'release' | 'debug';

/** The raw exports: every kernel function takes and returns numbers (i64 params as bigint). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelExports = Record<string, any> & { heap_base(): number };

export const PAGE = 65536;
/** 4 GiB: the most one wasm32 memory can hold. Larger rasters are processed in strips. */
export const MAX_PAGES = 65536;

function packageRoot(): string {
  // this file is src/wasm/module.ts (tests) or dist/src/wasm/module.js (built)
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new InternalError('cannot find the landcarbon package root (package.json) from ' + fileURLToPath(import.meta.url));
}

export const PACKAGE_ROOT = packageRoot();

const compiled = new Map<Target, WebAssembly.Module>();

export function wasmPath(target: Target = 'release'): string {
  return join(PACKAGE_ROOT, 'build', `${target}.wasm`);
}

export function compileModule(target: Target = 'release'): WebAssembly.Module {
  let m = compiled.get(target);
  if (!m) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(wasmPath(target));
    } catch {
      throw new InternalError(`${wasmPath(target)} is missing: run "npm run build" (npm install does it)`);
    }
    m = new WebAssembly.Module(bytes);
    compiled.set(target, m);
  }
  return m;
}

export function createMemory(initialPages = 256): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(msg: number, file: number, line: number, col: number) {
        throw new InternalError(`wasm assertion failed: ${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${col} (debug build)`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/** An AssemblyScript string (UTF-16, byte length stored 4 bytes before it) from the memory; '' for 0. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer.slice(ptr, ptr + bytes)));
}
