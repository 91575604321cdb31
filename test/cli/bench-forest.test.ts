import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `landcarbon bench forest` runs from dist/bench (npm test builds it). Small sizes: the interface, not speed.
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');
const landcarbon = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('landcarbon bench forest', () => {
  it('prints one JSON line: throughput of the WASM kernel and of the reference', () => {
    const w = JSON.parse(landcarbon('bench', 'forest', '--size', '64', '--trees', '3', '--threads', '2', '--json').out.trim());
    expect(w).toMatchObject({ kernel: 'forest', size: 64, trees: 3, threads: 2, impl: 'wasm', D: 8 });
    expect(w.mcells_per_s).toBeGreaterThan(0);
    expect(w.mean_depth).toBeGreaterThan(5);
    const r = JSON.parse(landcarbon('bench', 'forest', '--size', '32', '--trees', '2', '--impl', 'ref').out.trim());
    expect(r).toMatchObject({ kernel: 'forest', impl: 'ref', threads: 1 });
  });
  it('bad options: one line, exit 2', () => {
    let r = landcarbon('bench', 'zonal', '--size', '64', '--trees', '3');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('landcarbon bench: --trees applies to the forest benchmark, not zonal');
    r = landcarbon('bench', 'forest', '--trees', '0');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('landcarbon bench: --trees: expected an integer in [1, 10000], got 0');
    r = landcarbon('bench', 'forest', '--size', '16', '--impl', 'simd');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('landcarbon bench: forest benchmark: --impl expected "ref" or "wasm", got "simd"');
  });
});
