/** The machine a benchmark ran on, recorded beside every result file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/wasm/module.js';

export function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memory_gib: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

/**
 * Writes bench/results/<file> (pretty JSON): the machine record (with the load averages at the
 * end of the run) first, then the suite's fields.
 */
export function writeResults(file: string, doc: Record<string, unknown>): string {
  const dir = join(PACKAGE_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ machine: { ...machine(), load: loadavg().map((l) => +l.toFixed(2)) }, ...doc }, null, 2) + '\n');
  return path;
}
