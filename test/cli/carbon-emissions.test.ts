import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-emis-'));
const W = 37, H = 23; // odd sizes
const grid: Grid = { width: W, height: H, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 255 };
const lu = new Uint8Array(W * H);
const zones = new Uint16Array(W * H);
for (let i = 0; i < W * H; i++) {
  lu[i] = i % 17 === 0 ? 255 : [1, 2, 3, 5][(i * 7 + (i >> 3)) % 4];
  zones[i] = i % 29 === 0 ? 0 : 1 + ((i % W) >> 3) + 10 * ((i / W) >> 3 & 1);
}
const L = join(dir, 'L.tif'), Z = join(dir, 'Z.tif'), C = join(dir, 'C.csv');

beforeAll(async () => {
  await writeGeoTIFF(L, { grid, dtype: 'uint8', data: lu });
  await writeGeoTIFF(Z, { grid: { ...grid, nodata: 0 }, dtype: 'uint16', data: zones });
  writeFileSync(C, 'code,name,coefficient\n1,cropland,0.42\n2,forest,-0.62\n3,grassland,-0.14\n5,built-up,120.37\n');
});

describe('landcarbon carbon emissions', () => {
  it('writes by_class.csv, by_unit.csv, emissions.tif, summary.json; per-unit CE/CS = independent sums over the raster', async () => {
    const out = join(dir, 'o1');
    const r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C, '--zones', Z, '--coefficient-unit', 'tCO2', '--out', out, '--threads', '1');
    expect(r.err).toContain('lie outside every unit');
    expect(r.code).toBe(0);
    const bc = parseCsv(readFileSync(join(out, 'by_class.csv'), 'utf8'), 'bc');
    expect(bc.columns.slice(0, 4)).toEqual(['code', 'name', 'area_ha', 'emission']);
    const cnt1 = lu.filter((v) => v === 1).length;
    const row1 = bc.rows.find((x) => x[0] === '1')!;
    expect(Number(row1[2])).toBeCloseTo(cnt1 * 0.09, 9); // 30 m pixels: 0.09 ha
    expect(Number(row1[3])).toBeCloseTo(cnt1 * 0.09 * 0.42, 9);
    const map = await readRaster(join(out, 'emissions.tif'));
    expect(map.dtype).toBe('float64');
    const ind = new Map<number, { ce: number; cs: number }>();
    for (let i = 0; i < W * H; i++) {
      if (zones[i] === 0 || lu[i] === 255) continue;
      const e = ind.get(zones[i]) ?? { ce: 0, cs: 0 };
      const v = map.data[i];
      if (v > 0) e.ce += v; else e.cs -= v;
      ind.set(zones[i], e);
    }
    const bu = parseCsv(readFileSync(join(out, 'by_unit.csv'), 'utf8'), 'bu');
    expect(bu.columns).toEqual(['unit', 'ce', 'cs', 'budget', 'class_1', 'class_2', 'class_3', 'class_5']);
    expect(bu.rows.length).toBe(ind.size);
    for (const row of bu.rows) {
      const e = ind.get(Number(row[0]))!;
      expect(Number(row[1])).toBeCloseTo(e.ce, 8);
      expect(Number(row[2])).toBeCloseTo(e.cs, 8);
    }
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.unit).toBe('tCO2/yr');
    expect(s.pixel_area_ha).toBe(0.09);
  });

  it('--unit tC converts with 12/44 and --pixel-area-ha overrides', async () => {
    const out = join(dir, 'o2');
    const r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C, '--coefficient-unit', 'tCO2', '--unit', 'tC', '--pixel-area-ha', '1', '--out', out, '--threads', '1');
    expect(r.code).toBe(0);
    const bc = parseCsv(readFileSync(join(out, 'by_class.csv'), 'utf8'), 'bc');
    const cnt5 = lu.filter((v) => v === 5).length;
    expect(Number(bc.rows.find((x) => x[0] === '5')![3])).toBeCloseTo((cnt5 * 120.37 * 12) / 44, 8);
  });

  it('exit 2: code with no row, unit missing from the unit table, bad --pixel-area-ha, --unit without a table unit', async () => {
    const C2 = join(dir, 'C2.csv');
    writeFileSync(C2, 'code,name,coefficient\n1,cropland,0.42\n2,forest,-0.62\n3,grassland,-0.14\n');
    let r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C2, '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${L}: land-use codes 5 have no row in ${C2}`);
    const U = join(dir, 'U.csv');
    writeFileSync(U, 'unit,region\n1,\n2,\n');
    r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C, '--zones', Z, '--units', U, '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${Z}: units 3, .* are missing from ${U}`));
    r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C, '--pixel-area-ha', '-1', '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--pixel-area-ha: expected a positive number, got -1');
    r = await cli('carbon', 'emissions', '--landuse', L, '--coefficients', C, '--unit', 'tC', '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not state its unit');
  });
});
