import { describe, it, expect } from 'vitest';
import { itShared } from '../shared-data.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { readDemandCsv, writeDemandCsv } from '../../src/models/demand.js';

const SIB = '../shared/data/sibuyan/demand1.csv';
const dir = mkdtempSync(join(tmpdir(), 'lc-demand-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('demand table: year layout', () => {
  it('reads year,<code>,... with columns reordered to ascending codes', () => {
    const p = file('d.csv', 'year,3,1,2\n2020,3,5,2\n2030,4,4,2\n');
    expect(readDemandCsv(p, { codes: [1, 2, 3], validCells: 10 })).toEqual({ years: [2020, 2030], codes: [1, 2, 3], counts: [[5, 2, 3], [4, 2, 4]] });
  });

  it('writes and reads back the same table', () => {
    const p = join(dir, 'w.csv');
    const d = { years: [1999, 2005], codes: [1, 2, 3], counts: [[44518, 44420, 24625], [1, 2, 113560]] };
    writeDemandCsv(p, d);
    expect(readFileSync(p, 'utf8')).toBe('year,1,2,3\n1999,44518,44420,24625\n2005,1,2,113560\n');
    expect(readDemandCsv(p, { codes: [3, 1, 2], validCells: 113563 })).toEqual(d);
    expect(() => writeDemandCsv(p, { years: [1], codes: [1, 2], counts: [[1]] })).toThrow(`${p}: demand has 1 years and 2 codes but counts of another shape`);
  });

  it('validation messages', () => {
    const bad = (name: string, text: string, opts = {}) => () => readDemandCsv(file(name, text), { codes: [1, 2], validCells: 10, ...opts });
    expect(bad('sum.csv', 'year,1,2\n2020,5,5\n2030,6,5\n')).toThrow(`${join(dir, 'sum.csv')}: year 2030: demand sums to 11 cells, expected 10 (valid cells of the land-use map)`);
    expect(bad('neg.csv', 'year,1,2\n2020,-1,11\n')).toThrow(`${join(dir, 'neg.csv')}: year 2020, class 1 (column "1"): expected a whole number of cells >= 0, got "-1"`);
    expect(bad('frac.csv', 'year,1,2\n2020,4.5,5.5\n')).toThrow('year 2020, class 1 (column "1"): expected a whole number of cells >= 0, got "4.5"');
    expect(bad('empty.csv', 'year,1,2\n2020,,10\n')).toThrow('year 2020, class 1 (column "1"): expected a whole number of cells >= 0, got ""');
    expect(bad('order.csv', 'year,1,2\n2030,5,5\n2020,5,5\n')).toThrow('years must increase: row 2 has 2020 after 2030');
    expect(bad('dupyear.csv', 'year,1,2\n2030,5,5\n2030,5,5\n')).toThrow('years must increase: row 2 has 2030 after 2030');
    expect(bad('yr.csv', 'year,1,2\nabc,5,5\n')).toThrow('row 1, column "year": expected a whole year, got "abc"');
    expect(bad('extra.csv', 'year,1,2,7\n2020,5,5,0\n')).toThrow('column(s) 7 are not class codes of the land-use map (codes: 1, 2)');
    expect(bad('missing.csv', 'year,1\n2020,10\n')).toThrow('class code(s) 2 of the land-use map have no column (columns: year, 1)');
    expect(bad('name.csv', 'year,forest,2\n2020,5,5\n')).toThrow('column "forest" is not a class code (expected an integer)');
    expect(bad('dup.csv', 'year,1,01\n2020,5,5\n')).toThrow('class code 1 appears twice in the header');
    expect(bad('nodata.csv', 'year,1,2\n')).toThrow('no data rows (expected one row per year)');
    expect(bad('hdr.csv', 'a,b\n1,2\n')).toThrow('header "a,b" is neither "year,<code>,<code>,..." nor the lulcc layout "V1,V2,..."');
    expect(bad('start.csv', 'year,1,2\n2020,5,5\n', { startYear: 2000 })).toThrow('a start year (2000) was given but the table has a year column');
    expect(bad('layout.csv', 'V1,V2\n5,5\n', { layout: 'year' })).toThrow('first column must be "year", got "V1"');
    expect(() => readDemandCsv(join(dir, 'nope.csv'))).toThrow(`${join(dir, 'nope.csv')}: cannot read table (ENOENT)`);
  });
});

describe('demand table: lulcc / CLUE layout', () => {
  itShared('sibuyan demand1.csv: 15 rows = 1997..2011, V1..V5 -> codes 1..5, every row sums to 7226', () => {
    const d = readDemandCsv(SIB, { codes: [5, 4, 3, 2, 1], validCells: 7226, startYear: 1997 });
    expect(d.years).toEqual(Array.from({ length: 15 }, (_, k) => 1997 + k));
    expect(d.codes).toEqual([1, 2, 3, 4, 5]);
    expect(d.counts[0]).toEqual([4723, 1158, 839, 224, 282]); // 4723 + 1158 + 839 + 224 + 282 = 7226
    expect(d.counts[14]).toEqual([4160, 1408, 1088, 288, 282]); // 4160 + 1408 + 1088 + 288 + 282 = 7226
  });

  itShared("sibuyan: 7226 valid cells in lu_sib_1997.tif, and demand1 row 1997 is that map's composition", async () => {
    const img = await (await fromFile('../shared/data/sibuyan/lu_sib_1997.tif')).getImage();
    const [lu] = (await img.readRasters()) as unknown as Uint8Array[];
    const per = [0, 0, 0, 0, 0];
    for (const v of lu) if (v !== 255) per[v - 1]++;
    expect(per.reduce((a, b) => a + b, 0)).toBe(7226);
    expect(readDemandCsv(SIB, { codes: [1, 2, 3, 4, 5], startYear: 1997, validCells: 7226 }).counts[0]).toEqual(per);
  });

  it('Vk is the k-th code in ascending order (any code layout)', () => {
    const p = file('v.csv', '"V1","V2"\n3,7\n4,6\n');
    expect(readDemandCsv(p, { codes: [20, 10], startYear: 2000, layout: 'lulcc', validCells: 10 })).toEqual({
      years: [2000, 2001],
      codes: [10, 20],
      counts: [[3, 7], [4, 6]],
    });
  });

  itShared('validation messages', () => {
    expect(() => readDemandCsv(SIB, { codes: [1, 2, 3, 4, 5] })).toThrow(`${SIB}: lulcc layout (columns V1..V5, no year column) needs a start year (--demand-start-year)`);
    expect(() => readDemandCsv(SIB, { startYear: 1997 })).toThrow(`${SIB}: lulcc layout needs the class codes of the land-use map to map V1..V5 to classes`);
    expect(() => readDemandCsv(SIB, { startYear: 1997, codes: [1, 2, 3] })).toThrow(`${SIB}: 5 columns V1..V5 but the land-use map has 3 classes (1, 2, 3)`);
    expect(() => readDemandCsv(SIB, { startYear: 1997, codes: [1, 2, 3, 4, 5], validCells: 7000 })).toThrow(
      `${SIB}: year 1997: demand sums to 7226 cells, expected 7000 (valid cells of the land-use map)`,
    );
    expect(() => readDemandCsv(SIB, { startYear: 1997.5, codes: [1, 2, 3, 4, 5] })).toThrow('start year 1997.5 is not a whole year');
    const p = file('vo.csv', 'V2,V1\n3,7\n');
    expect(() => readDemandCsv(p, { codes: [1, 2], startYear: 2000 })).toThrow('lulcc layout expects columns V1..V2 in order; column 1 is "V2"');
    const q = file('vl.csv', 'year,1\n2000,3\n');
    expect(() => readDemandCsv(q, { codes: [1], startYear: 2000, layout: 'lulcc' })).toThrow('lulcc layout expects columns V1,V2,...; got "year,1"');
  });
});
