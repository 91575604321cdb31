import { describe, it, expect, beforeAll } from 'vitest';
import { itShared } from '../shared-data.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';


const PIE = '../shared/data/pie/';
const dir = mkdtempSync(join(tmpdir(), 'lc-markov-cli-'));
const grid = (w: number, h: number): Grid => ({ width: w, height: h, transform: [0, 30, 0, 300, 0, -30], crs: { epsg: 32650 }, nodata: 255 });
const A = join(dir, 'a.tif'), B = join(dir, 'b.tif'), W = join(dir, 'wide.tif');

beforeAll(async () => {
  // the 2-class chain of test/models/markov.test.ts on a 4x3 grid: P = [[3/4, 1/4], [1/2, 1/2]], a(t1) = [6, 4]
  await writeGeoTIFF(A, { grid: grid(4, 3), dtype: 'uint8', data: Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 255, 1]) });
  await writeGeoTIFF(B, { grid: grid(4, 3), dtype: 'uint8', data: Uint8Array.from([1, 1, 1, 2, 1, 1, 1, 2, 2, 2, 1, 255]) });
  await writeGeoTIFF(W, { grid: grid(3, 4), dtype: 'uint8', data: new Uint8Array(12).fill(1) });
});

describe('landcarbon markov', () => {
  it('prints the matrix, the projections and the interpolation note; writes the demand table', async () => {
    const out = join(dir, 'demand.csv');
    const r = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020,2025', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Transitions 2000 -> 2010 (10 cells valid in both maps');
    expect(r.out).toMatch(/1\s+0\.750000\s+0\.250000/);
    expect(r.out).toMatch(/2025 expected\s+6\.56\s+3\.44/); // [6.5625, 3.4375]
    expect(r.out).toContain('note: target year 2025 is 15/10 = 1.5 intervals of 10 years after 2010');
    // 2020: [6.5, 3.5] -> tie -> [7, 3]; 2025: [6.5625, 3.4375] -> [7, 3]
    expect(readFileSync(out, 'utf8')).toBe('year,1,2\n2020,7,3\n2025,7,3\n');
  });

  it('--json keys', async () => {
    const r = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2030', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['years', 'codes', 'valid_cells', 'counts', 'matrix', 'composition', 'scenario', 'adjusted_matrix', 'adjustments', 'projections', 'notes', 'warnings']) {
      expect(j).toHaveProperty(k);
    }
    expect(j.counts).toEqual([[3, 1], [3, 3]]);
    expect(j.projections[0]).toMatchObject({ year: 2030, steps: 2, interpolated: false, expected: [6.625, 3.375], demand: [7, 3] });
  });

  it('scenario from a JSON file, by class code', async () => {
    const s = join(dir, 's.json');
    // row 1: [0.75, 0.25 * 2] = [0.75, 0.5], sum 1.25 -> [0.6, 0.4]
    writeFileSync(s, JSON.stringify({ name: 'double', adjustments: [{ from: 1, to: 2, factor: 2 }] }));
    const r = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020', '--scenario', s, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.adjusted_matrix[0][0]).toBeCloseTo(0.6, 15);
    expect(j.adjusted_matrix[0][1]).toBeCloseTo(0.4, 15);
    expect(j.scenario).toBe('double');
  });

  itShared('pie 1985 -> 1991 projected to 1999 (interpolated)', async () => {
    const r = await cli('markov', '--from', PIE + 'lu_pie_1985.tif', '--to', PIE + 'lu_pie_1991.tif', '--years', '1985,1991', '--target-year', '1999', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.projections[0].demand).toEqual([44518, 44420, 24625]);
    expect(j.projections[0].interpolated).toBe(true);
  });

  it('exit 2 with one-line messages: grid mismatch, missing file, bad years, ecological without classes, bad scenario', async () => {
    const mismatch = await cli('markov', '--from', A, '--to', W, '--years', '2000,2010', '--target-year', '2020');
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toMatch(new RegExp(`^landcarbon markov: ${W}: grid 3x4 @ 30 m.* does not match ${A} 4x3 @ 30 m`));
    const missing = await cli('markov', '--from', A, '--to', join(dir, 'nope.tif'), '--years', '2000,2010', '--target-year', '2020');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.tif: file not found');
    const years = await cli('markov', '--from', A, '--to', B, '--years', '2010,2000', '--target-year', '2020');
    expect(years.code).toBe(2);
    expect(years.err).toContain('--years: t1 (2000) must be after t0 (2010)');
    const y3 = await cli('markov', '--from', A, '--to', B, '--years', '2000', '--target-year', '2020');
    expect(y3.err).toContain('--years: expected 2 years, got "2000"');
    const before = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2005');
    expect(before.code).toBe(2);
    expect(before.err).toContain('target year 2005 is before t1 = 2010');
    const eco = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020', '--scenario', 'ecological');
    expect(eco.code).toBe(2);
    expect(eco.err).toContain('--scenario ecological: names classes, so the class names are needed: give --classes code=name');
    const unknown = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020', '--scenario', 'green');
    expect(unknown.err).toContain('--scenario: expected natural or ecological or a .json file, got "green"');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"adjustments": [{"from": 1, "to": 2, "factor": -1}]}');
    const neg = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020', '--scenario', bad);
    expect(neg.code).toBe(2);
    expect(neg.err).toContain(`${bad}: adjustments[0]: factor -1 is negative (expected >= 0)`);
    const codes = await cli('markov', '--from', A, '--to', B, '--years', '2000,2010', '--target-year', '2020', '--classes', '1=forest');
    expect(codes.code).toBe(2);
    // first offending cell in raster order: b.tif cell 3 (row 0, column 3) is class 2
    expect(codes.err).toContain(`${B}: value 2 at row 0, column 3 is not one of the class codes 1`);
  });
});
