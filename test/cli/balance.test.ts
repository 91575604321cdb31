import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-balance-'));
const T = join(dir, 't.csv');
// CE = 20, CS = 10, G = 100 (see test/models/balance.test.ts)
writeFileSync(T, 'unit,ce,cs,gdp,area\nA,10,2,50,60\nB,5,6,30,30\nC,5,2,20,10\nD,0,1,5,0\n');

describe('landcarbon balance', () => {
  it('writes unit,ccr,cbi,ecc,esc,zone,reason and prints counts and shares', async () => {
    const out = join(dir, 'z.csv');
    const r = await cli('balance', '--table', T, '--scheme', 'suzhou', '--out', out);
    expect(r.code).toBe(0);
    const z = parseCsv(readFileSync(out, 'utf8'), out);
    expect(z.columns.slice(0, 7)).toEqual(['unit', 'ccr', 'cbi', 'ecc', 'esc', 'zone', 'reason']);
    const byUnit = Object.fromEntries(z.rows.map((row) => [row[0], row]));
    expect(byUnit.B[5]).toBe('low-carbon economic');
    // CE_i = 0, CS_i and GDP_i > 0: ECC = ESC = +inf (the limit), said in the row's reason
    expect(byUnit.D[5]).toBe('low-carbon economic');
    expect(byUnit.D[3]).toBe('Infinity');
    expect(byUnit.D[6]).toBe('classified by the limit CE_i -> 0 (CE_i = 0): ecc = +inf, esc = +inf');
    expect(r.out).toContain('scheme suzhou: 4 units');
    expect(r.out).toMatch(/low-carbon economic\s+2\s+50\.00 % of units\s+30\.00 % of area/);
  });

  it('scenario comparison with two tables writes per-scenario tables and comparison.csv', async () => {
    const a = join(dir, 'ND.csv');
    const b = join(dir, 'EP.csv');
    writeFileSync(a, 'unit,ce,cs,gdp\na,10,1,1\nb,10,1,1\nc,1,2,1\n');
    writeFileSync(b, 'unit,ce,cs,gdp\na,9,2,1\nb,8,1,1\nc,1,2,1\n');
    const o = join(dir, 'cmp');
    const r = await cli('balance', '--table', a, '--table', b, '--scheme', 'suzhou', '--out', o);
    expect(r.code).toBe(0);
    expect(r.out).toContain('low-carbon choice: EP');
    const c = parseCsv(readFileSync(join(o, 'comparison.csv'), 'utf8'), 'c');
    expect(c.columns).toEqual(['scenario', 'units', 'total_ce', 'total_cs', 'net_emissions', 'units_esc_gt_1', 'lowest_emissions', 'most_esc_gt_1', 'choice']);
    expect(c.rows).toEqual([
      ['ND', '3', '21', '4', '17', '1', '0', '1', '0'],
      ['EP', '3', '18', '5', '13', '1', '1', '1', '1'],
    ]);
    readFileSync(join(o, 'ND.csv'));
    readFileSync(join(o, 'EP.csv'));
  });

  it('user scheme from a YAML file', async () => {
    const f = join(dir, 's.yaml');
    writeFileSync(f, 'id: simple\nzones:\n  - zone: net sink\n    when: ["cs > ce"]\n  - zone: net source\n    when: ["cs < ce"]\n');
    const out = join(dir, 'zu.csv');
    const r = await cli('balance', '--table', T, '--scheme', f, '--out', out);
    expect(r.code).toBe(0);
    const z = parseCsv(readFileSync(out, 'utf8'), out);
    expect(z.rows.map((row) => row[5])).toEqual(['net source', 'net sink', 'net source', 'net sink']);
  });

  it('exit 2: non-numeric GDP, negative area, unknown scheme, missing linkage for bth', async () => {
    const g = join(dir, 'g.csv');
    writeFileSync(g, 'unit,ce,cs,gdp\na,1,2,n/a\n');
    let r = await cli('balance', '--table', g, '--scheme', 'suzhou', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${g}: row 1 (unit "a"), column "gdp": expected a number, got "n/a"`);
    const n = join(dir, 'n.csv');
    writeFileSync(n, 'unit,ce,cs,gdp,area\na,1,2,3,-1\n');
    r = await cli('balance', '--table', n, '--scheme', 'suzhou', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('a negative area -1, expected >= 0');
    r = await cli('balance', '--table', T, '--scheme', 'nope', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('is neither a built-in scheme');
    r = await cli('balance', '--table', T, '--scheme', 'bth', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('uses index "linkage"');
  });
});
