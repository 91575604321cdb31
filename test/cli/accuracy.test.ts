import { describe, it, expect, beforeAll } from 'vitest';
import { itShared } from '../shared-data.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';


const PIE = '../shared/data/pie/';
const dir = mkdtempSync(join(tmpdir(), 'lc-accuracy-cli-'));
const grid = (w: number, h: number, x0 = 0): Grid => ({ width: w, height: h, transform: [x0, 30, 0, 300, 0, -30], crs: { epsg: 32650 }, nodata: 255 });
const code = (s: string) => Uint8Array.from(s, (ch) => ({ F: 1, A: 2, U: 3 })[ch as 'F']!);
const S = join(dir, 's.tif'), O = join(dir, 'o.tif'), M = join(dir, 'm.tif'), X = join(dir, 'shifted.tif');

beforeAll(async () => {
  // methods.md section 5 worked example on a 5x2 grid
  await writeGeoTIFF(S, { grid: grid(5, 2), dtype: 'uint8', data: code('FFFFFAAAUU') });
  await writeGeoTIFF(O, { grid: grid(5, 2), dtype: 'uint8', data: code('UUAFFAAUUU') });
  await writeGeoTIFF(M, { grid: grid(5, 2), dtype: 'uint8', data: code('UAFUFAUUUU') });
  await writeGeoTIFF(X, { grid: grid(5, 2, 30), dtype: 'uint8', data: code('UAFUFAUUUU') });
});

describe('landcarbon accuracy', () => {
  it('--json: documented keys and the worked example values', async () => {
    const out = join(dir, 'r.json');
    const r = await cli('accuracy', '--start', S, '--observed', O, '--simulated', M, '--json', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['oa', 'kappa', 'fom', 'hits', 'misses', 'wrong_hits', 'false_alarms', 'producers', 'users', 'confusion', 'classes', 'counts']) {
      expect(j).toHaveProperty(k);
    }
    // A = 1, B = 2, C = 1, D = 2; FoM = 2/6; OA = 6/10; kappa = 20/60
    expect([j.misses, j.hits, j.wrong_hits, j.false_alarms]).toEqual([1, 2, 1, 2]);
    expect(j.oa).toBe(0.6);
    expect(j.fom).toBeCloseTo(1 / 3, 15);
    expect(j.kappa).toBeCloseTo(1 / 3, 15);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(j);
  });

  it('readable table with class names', async () => {
    const r = await cli('accuracy', '--start', S, '--observed', O, '--simulated', M, '--classes', '1=F,2=A,3=U');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Overall accuracy: 0.6000    kappa: 0.3333');
    expect(r.out).toContain('Figure of merit: 0.3333    hits 2, misses 1, wrong hits 1, false alarms 2');
    expect(r.out).toMatch(/real\s+2\s+3\s+5/);
    expect(r.out).toMatch(/simulated\s+2\s+2\s+6/);
  });

  itShared('pie: 1999 against itself (OA = 1) and 1991 as a null prediction of 1999 (FoM = 0)', async () => {
    const p = await cli('accuracy', '--start', PIE + 'lu_pie_1991.tif', '--observed', PIE + 'lu_pie_1999.tif', '--simulated', PIE + 'lu_pie_1999.tif', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({ oa: 1, kappa: 1, fom: 1, hits: 4756 });
    const n = await cli('accuracy', '--start', PIE + 'lu_pie_1991.tif', '--observed', PIE + 'lu_pie_1999.tif', '--simulated', PIE + 'lu_pie_1991.tif', '--json');
    expect(JSON.parse(n.out)).toMatchObject({ fom: 0, hits: 0, misses: 4756, wrong_hits: 0, false_alarms: 0, producers: 0, users: null });
  });

  itShared('exit 2: grid mismatch names both files; missing file; unknown class code', async () => {
    const g = await cli('accuracy', '--start', S, '--observed', O, '--simulated', X);
    expect(g.code).toBe(2);
    expect(g.err).toMatch(new RegExp(`^landcarbon accuracy: ${X}: grid 5x2 @ 30 m, origin \\(30, 300\\).* does not match ${S} 5x2 @ 30 m, origin \\(0, 300\\)`));
    const pie = await cli('accuracy', '--start', S, '--observed', PIE + 'lu_pie_1999.tif', '--simulated', M);
    expect(pie.code).toBe(2);
    expect(pie.err).toContain(`does not match ${S}`);
    const missing = await cli('accuracy', '--start', S, '--observed', join(dir, 'nope.tif'), '--simulated', M);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.tif: file not found');
    const cls = await cli('accuracy', '--start', S, '--observed', O, '--simulated', M, '--classes', '1=F,2=A');
    expect(cls.code).toBe(2);
    // first offending cell in raster order: O (UUAFF...) has U = 3 at cell 0
    expect(cls.err).toContain(`${O}: value 3 at row 0, column 0 is not one of the class codes 1, 2`);
    const opt = await cli('accuracy', '--start', S, '--observed', O);
    expect(opt.code).toBe(2);
  });
});
