import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

describe('the report of a minimal study (no unit table, pools, validation, statistics or network; one scenario; a scheme file)', () => {
  it('`landcarbon run` still ends with the report: the sections the study has, figures and the units layer with ids for names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-report-min-'));
    const s = spawnSync(process.execPath, [BIN, 'sample', '--out', dir, '--size', '96', '--seed', '2'], { encoding: 'utf8', cwd: ROOT });
    expect(s.status, s.stderr).toBe(0);
    const f = join(dir, 'study.yaml');
    writeFileSync(join(dir, 'esc.yaml'), 'id: esc_only\nname: ESC only\nzones:\n  - {zone: supporting, when: ["esc > 1"]}\n  - {zone: other, when: ["esc <= 1"]}\n');
    writeFileSync(f, readFileSync(f, 'utf8')
      .replace(/\n  table: units\.csv[^\n]*/, '').replace(/\n  name: name[^\n]*/, '').replace(/\n  pools: pools\.csv[^\n]*/, '').replace(/\n  factors: [^\n]*/, '')
      .replace('analyses: [moran, gistar, cluster, geodetector]', 'analyses: []').replace('validate: true', 'validate: false')
      .replace('scenarios: [natural, ecological]', 'scenarios: [natural]').replace('schemes: [suzhou, mryrua, bth]', 'schemes: [esc.yaml]'));
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [BIN, 'run', f, '--out', out, '--quiet'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect([...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1])).toEqual(['summary', 'landuse', 'carbon', 'balance', 'units', 'methods', 'provenance', 'timings', 'files']);
    expect(html).toMatch(/Zones \(ESC only, 2020\):<\/b> (supporting|other) \d+ units? \(\d+ %\)/);
    expect(html).toContain('synthetic data');
    for (const x of ['landuse_2030_natural.svg', 'change_2020_2030_natural.svg', 'units_budget.svg', 'zones_esc_only.svg']) expect(existsSync(join(out, 'figures', x)), x).toBe(true);
    const gj = JSON.parse(readFileSync(join(out, 'layers', 'units.geojson'), 'utf8'));
    expect(gj.features.length).toBeGreaterThan(10);
    for (const ft of gj.features) expect(ft.properties.name).toBe(String(ft.properties.unit)); // no unit table: ids are the names
    expect(existsSync(join(out, 'layers', 'network_edges.geojson'))).toBe(false);
  }, 120_000);
});
