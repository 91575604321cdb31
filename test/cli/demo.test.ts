import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

describe('landcarbon demo (the main job) on a small sample region', () => {
  it('runs every step and writes its outputs and summary; a second thread count gives the same maps', () => {
    const runs = ['1', '2'].map((threads) => {
      const out = mkdtempSync(join(tmpdir(), `lc-demo-${threads}-`));
      const r = spawnSync(process.execPath, [BIN, 'demo', '--out', out, '--size', '160', '--seed', '3', '--threads', threads, '--quiet'], { encoding: 'utf8', cwd: ROOT });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      return out;
    });
    const [a, b] = runs;
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const steps = summary.steps.map((s: { name: string }) => s.name);
    for (const s of ['sample', 'zonal-2020', 'suitability-2010', 'simulate-2020', 'accuracy-2020', 'markov-natural', 'simulate-ecological', 'emissions-2020', 'emissions-2030_natural', 'storage-ecological', 'balance-suzhou-2020', 'balance-bth-2030_ecological', 'choice-2030', 'grey', 'network-2020', 'network-2030_natural', 'moran', 'geodetector']) {
      expect(steps).toContain(s);
    }
    expect(readFileSync(join(a, 'summary.md'), 'utf8')).toMatch(/figure of merit/);
    expect(readFileSync(join(a, 'report.html'), 'utf8')).toContain('<img alt="sim_2030_ecological.png" src="data:image/png;base64,');
    for (const f of ['simulation/sim_2020_validation.tif', 'simulation/sim_natural.tif', 'simulation/prob_2020.tif', 'carbon/emissions_2020/by_unit.csv', 'zonal/landuse_2020_by_unit.csv', 'network/2020/edges.csv', 'tables/grey_by_unit.csv']) {
      expect(existsSync(join(a, f)), f).toBe(true);
      // determinism: same seed, other thread count -> byte-identical outputs
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between --threads 1 and 2`).toBe(true);
    }
  }, 600_000);
});
