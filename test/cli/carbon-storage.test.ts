import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-stor-'));
const grid: Grid = { width: 4, height: 3, transform: [0, 100, 0, 300, 0, -100], crs: { epsg: 32650 }, nodata: 0 };
const L = join(dir, 'L.tif'), F = join(dir, 'F.tif'), P = join(dir, 'P.csv');

beforeAll(async () => {
  await writeGeoTIFF(L, { grid, dtype: 'uint8', data: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]) });
  await writeGeoTIFF(F, { grid, dtype: 'uint8', data: Uint8Array.from([2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0]) });
  writeFileSync(P, 'code,name,c_above,c_below,c_soil,c_dead\n1,forest,15,10,60,1\n2,grass,5,3,20,0\n');
});

describe('landcarbon carbon storage', () => {
  it('InVEST case through the CLI: 86 and 28 t/ha, change -58 t/ha, totals with 1 ha pixels', async () => {
    const out = join(dir, 'o');
    const r = await cli('carbon', 'storage', '--landuse', L, '--future', F, '--pools', P, '--out', out);
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(join(out, 'totals.json'), 'utf8'));
    expect(t.storage_t).toBe(946); // 11 cells x 1 ha x 86
    expect(t.future_storage_t).toBe(772); // 8 x 86 + 3 x 28
    expect(t.change_t).toBe(-174); // 3 x -58
    const ch = await readRaster(join(out, 'c_change_bas_alt.tif'));
    expect(Array.from(ch.data.slice(0, 4))).toEqual([-58, -58, -58, 0]);
    const bas = await readRaster(join(out, 'c_storage_bas.tif'));
    expect(bas.data[0]).toBe(86);
    expect(existsSync(join(out, 'c_storage_alt.tif'))).toBe(true);
  });

  it('precipitation correction and valuation', async () => {
    const out = join(dir, 'v');
    const r = await cli('carbon', 'storage', '--landuse', L, '--future', F, '--pools', P, '--out', out, '--precip-local', '1999.4', '--precip-national', '671.1', '--price', '100', '--discount-rate', '10', '--years', '2');
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(join(out, 'totals.json'), 'utf8'));
    const k = (3.3968 * 1999.4 + 3996.1) / (3.3968 * 671.1 + 3996.1);
    expect(t.soil_correction_k).toBeCloseTo(k, 12);
    // change per cell: (5+3+20k) - (15+10+60k+1) = -18 - 40k, 3 cells
    const dC = 3 * (-18 - 40 * k);
    expect(t.change_t).toBeCloseTo(dC, 9);
    expect(t.valuation.value).toBeCloseTo((100 * (1 + 1 / 1.1) * dC) / 2, 6);
  });

  it('exit 2: code with no pool row, price without years', async () => {
    const P2 = join(dir, 'P2.csv');
    writeFileSync(P2, 'code,c_above,c_below,c_soil,c_dead\n1,15,10,60,1\n');
    let r = await cli('carbon', 'storage', '--landuse', L, '--future', F, '--pools', P2, '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${F}: land-use codes 2 have no row in ${P2}`);
    r = await cli('carbon', 'storage', '--landuse', L, '--future', F, '--pools', P, '--out', join(dir, 'x'), '--price', '5');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--price: valuation needs --future and --years');
  });
});
