import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `landcarbon bench` imports the benchmarks from dist/bench, so it runs as the installed CLI
// (npm test builds dist/ first). Small sizes: this checks the interface, not speed.
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

function landcarbon(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('landcarbon bench', () => {
  it('zonal prints one JSON line with the throughput', () => {
    const r = landcarbon('bench', 'zonal', '--size', '256', '--runs', '1', '--json');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j).toMatchObject({ kernel: 'zonal', size: 256, cells: 65536, threads: 1 });
    expect(j.mcells_per_s).toBeGreaterThan(0);
  });

  it('ca --pattern random runs the mixed-map case', () => {
    const r = landcarbon('bench', 'ca', '--size', '128', '--pattern', 'random', '--runs', '1');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim());
    expect(j).toMatchObject({ kernel: 'ca', size: 128, pattern: 'random' });
    expect(j.changes).toBeGreaterThan(0);
  });

  it('demand: the WASM and reference enforcement accept the same count on the same data', () => {
    const w = JSON.parse(landcarbon('bench', 'demand', '--size', '128', '--runs', '1').out.trim());
    const r = JSON.parse(landcarbon('bench', 'demand', '--size', '128', '--runs', '1', '--impl', 'ref').out.trim());
    expect(w).toMatchObject({ kernel: 'demand', size: 128, impl: 'wasm', threads: 1 });
    expect(r).toMatchObject({ kernel: 'demand', size: 128, impl: 'ref' });
    expect(w.accepted).toBeGreaterThan(0);
    expect([w.accepted, w.proposed]).toEqual([r.accepted, r.proposed]);
  });

  it('bad options: one line, exit 2', () => {
    let r = landcarbon('bench', 'zonal', '--size', '64', '--pattern', 'random');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('landcarbon bench: --pattern applies to the ca benchmark, not zonal');
    r = landcarbon('bench', 'ca', '--pattern', 'stripes');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stripes/);
    r = landcarbon('bench', 'demand', '--size', '64', '--impl', 'simd');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('landcarbon bench: demand benchmark: --impl expected "ref" or "wasm", got "simd"');
    r = landcarbon('bench', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown kernel "nosuch"/);
  });
});
