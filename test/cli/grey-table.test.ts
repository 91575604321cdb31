import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gm11 } from '../../src/models/grey.js';
import { parseCsv } from '../../src/io/table.js';
import { greyByUnit } from '../../src/pipeline/steps/grey.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-grey-'));
// seed 000's regional GDP series (Table 4 style, trillion yuan) and a second unit
const T = join(dir, 't.csv');
writeFileSync(T, 'unit,name,gdp_2016,gdp_2017,gdp_2018,gdp_2019,gdp_2020\n1,a,2.874,3.278,3.337,3.390,3.679\n2,b,1,1.1,1.25,1.3,1.5\n');

describe('GM(1,1) per unit of a table', () => {
  it('each row is gm11 of its series; a target in the series gives the observed value', () => {
    const t = parseCsv(readFileSync(T, 'utf8'), T);
    const f = greyByUnit(t, 'gdp_', [2018, 2023], 'unit');
    const g = gm11([2.874, 3.278, 3.337, 3.39, 3.679], 3);
    expect(f[0].at[2023]).toBe(g.forecast[2]);
    expect(f[0].at[2018]).toBe(3.337);
    expect(f[0].grade).toBe(g.grade);
    expect(f[1].at[2023]).toBe(gm11([1, 1.1, 1.25, 1.3, 1.5], 3).forecast[2]);
  });
  it('5-year series: the step is the spacing; off-spacing targets and uneven years are refused', () => {
    const t = parseCsv('unit,gdp_2000,gdp_2005,gdp_2010,gdp_2015\n1,1,2,3,5\n', 'five.csv');
    expect(greyByUnit(t, 'gdp_', [2025], 'unit')[0].at[2025]).toBe(gm11([1, 2, 3, 5], 2).forecast[1]);
    expect(() => greyByUnit(t, 'gdp_', [2022], 'unit')).toThrow("target year 2022: not on the 5-year spacing of five.csv's gdp_YYYY columns (2000, 2005, 2010, 2015); use 2020 or 2025");
    const u = parseCsv('unit,gdp_2000,gdp_2005,gdp_2010,gdp_2012\n1,1,2,3,5\n', 'uneven.csv');
    expect(() => greyByUnit(u, 'gdp_', [2020], 'unit')).toThrow('uneven.csv: gdp_YYYY columns must be equally spaced for GM(1,1), got 2000, 2005, 2010, 2012');
    const v = parseCsv('unit,gdp_2000,gdp_2001,gdp_2002,gdp_2003\n7,1,x,3,5\n', 'bad.csv');
    expect(() => greyByUnit(v, 'gdp_', [2005], 'unit')).toThrow('bad.csv: row 1 (unit "7"), column "gdp_2001": expected a number, got "x"');
    expect(() => greyByUnit(v, 'pop_', [2005], 'unit')).toThrow('bad.csv: GM(1,1) needs at least 4 columns pop_YYYY, found 0');
  });
  it('landcarbon grey --table writes one row per unit; option mistakes give one line, exit 2', async () => {
    const out = join(dir, 'g.csv');
    const r = await cli('grey', '--table', T, '--id', 'unit', '--prefix', 'gdp_', '--target-year', '2023', '--out', out);
    expect(r.code, r.err).toBe(0);
    const g = parseCsv(readFileSync(out, 'utf8'), out);
    expect(g.columns).toEqual(['unit', 'gdp_2023', 'gdp_grade', 'gdp_C', 'gdp_P']);
    expect(Number(g.rows[0][1])).toBe(gm11([2.874, 3.278, 3.337, 3.39, 3.679], 3).forecast[2]);
    const cases: [string[], string][] = [
      [['--series', '1,2,3,4', '--table', T, '--out', out], 'give --series (one series) or --table (every unit), not both'],
      [['--table', T, '--prefix', 'gdp_', '--target-year', '2023'], '--out: required with --table'],
      [['--table', T, '--target-year', '2023', '--out', out], '--prefix: required with --table (comma-separated)'],
      [['--table', T, '--prefix', 'gdp_', '--out', out], '--target-year: required with --table (comma-separated)'],
      [['--table', T, '--id', 'code', '--prefix', 'gdp_', '--target-year', '2023', '--out', out], '--id: column "code" not in'],
    ];
    for (const [args, msg] of cases) {
      const e = await cli('grey', ...args);
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.err).toContain(msg);
    }
  });
});
