import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

function lc(...args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr + r.stdout).toBe(0);
}

describe('landcarbon demo (the main job) on a small sample region', () => {
  it('runs every step and writes its outputs and summary; `sample` + `run` on its study.yaml with another thread count gives the same files', () => {
    const a = mkdtempSync(join(tmpdir(), 'lc-demo-1-'));
    lc('demo', '--out', a, '--size', '160', '--seed', '3', '--threads', '1', '--quiet');
    // the demo is `landcarbon run` on the sample's study.yaml
    const s = mkdtempSync(join(tmpdir(), 'lc-demo-sample-'));
    const b = mkdtempSync(join(tmpdir(), 'lc-demo-2-'));
    lc('sample', '--out', s, '--size', '160', '--seed', '3');
    expect(readFileSync(join(s, 'study.yaml')).equals(readFileSync(join(a, 'sample', 'study.yaml')))).toBe(true);
    lc('run', join(s, 'study.yaml'), '--out', b, '--threads', '2', '--quiet');
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const steps = summary.steps.map((x: { name: string }) => x.name);
    for (const x of ['sample', 'zonal-2020', 'suitability-2010', 'simulate-2020', 'accuracy-2020', 'markov-natural', 'simulate-ecological', 'emissions-2020', 'emissions-2030_natural', 'storage-ecological', 'balance-suzhou-2020', 'balance-bth-2030_ecological', 'choice-2030', 'grey', 'network-2020', 'network-2030_natural', 'moran', 'geodetector']) {
      expect(steps).toContain(x);
    }
    const md = readFileSync(join(a, 'summary.md'), 'utf8');
    expect(md).toMatch(/figure of merit/);
    expect(md).toContain('## Methods');
    expect(readFileSync(join(a, 'report.html'), 'utf8')).toContain('<img alt="sim_2030_ecological.png" src="data:image/png;base64,');
    for (const f of ['simulation/sim_2020_validation.tif', 'simulation/sim_natural.tif', 'simulation/prob_2020.tif', 'carbon/emissions_2020/by_unit.csv', 'zonal/landuse_2020_by_unit.csv', 'network/2020/edges.csv', 'tables/grey_by_unit.csv', 'balance/zones_2030_ecological_bth.csv', 'maps/sim_2030_natural.png']) {
      expect(existsSync(join(a, f)), f).toBe(true);
      // same study and seed, other thread count, demo vs run -> byte-identical outputs
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between demo --threads 1 and run --threads 2`).toBe(true);
    }
    // zone transitions: the cross-tab of the per-map zoned tables, every unit counted once per pair
    const rows = (f: string) => readFileSync(join(a, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const zoneOf = (label: string) => new Map(rows(`balance/zones_${label}_suzhou.csv`).map((r) => [r[0], r[5]]));
    const t = rows('balance/zone_transitions_suzhou.csv');
    for (const [from, to] of [['2020', '2030_natural'], ['2020', '2030_ecological']]) {
      const zf = zoneOf(from), zt = zoneOf(to);
      const want = new Map<string, number>();
      for (const [u, z] of zf) want.set(`${z}|${zt.get(u)}`, (want.get(`${z}|${zt.get(u)}`) ?? 0) + 1);
      const got = new Map(t.filter((r) => r[0] === from && r[1] === to).map((r) => [`${r[2]}|${r[3]}`, Number(r[4])]));
      expect(got).toEqual(want);
    }
    const wide = rows('balance/zones_by_unit_suzhou.csv');
    const z2020 = zoneOf('2020');
    expect(wide.length).toBe(z2020.size);
    for (const r of wide) expect(r[2]).toBe(z2020.get(r[0]));
  }, 600_000);
});
