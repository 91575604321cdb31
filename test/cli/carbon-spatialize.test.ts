import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-spat-'));
const W = 13, H = 11, N = W * H;
const grid: Grid = { width: W, height: H, transform: [0, 30, 0, 330, 0, -30], crs: { epsg: 32650 }, nodata: 0 };
const lu = Uint8Array.from({ length: N }, (_, i) => (i % 19 === 0 ? 0 : 1 + ((i * 5) % 6)));

beforeAll(async () => {
  await writeGeoTIFF(join(dir, 'L.tif'), { grid, dtype: 'uint8', data: lu });
  await writeGeoTIFF(join(dir, 'poi.tif'), { grid: { ...grid, nodata: -1 }, dtype: 'float32', data: Float32Array.from({ length: N }, (_, i) => (i * 7) % 5) });
  await writeGeoTIFF(join(dir, 'Z.tif'), { grid, dtype: 'uint8', data: Uint8Array.from({ length: N }, (_, i) => 1 + ((i % W) > 6 ? 1 : 0)) });
  writeFileSync(join(dir, 'I.csv'), 'sector,activity,amount,factor\nindustry,coal,1234.5,2.66\nindustry,gas,77.7,2.16\nresidential,electricity,5000,0.7035\nsink,forest,800,-0.58\n');
  writeFileSync(join(dir, 'A.csv'), 'sector,classes,weight\nindustry,5,poi\nresidential,4;6,area\nsink,1;2,area\n');
});

describe('landcarbon carbon spatialize', () => {
  it('allocates sectors, sums back exactly, writes the seed 003 Table 3 layout and by_unit.csv', async () => {
    const out = join(dir, 'o');
    const r = await cli('carbon', 'spatialize', '--landuse', join(dir, 'L.tif'), '--inventory', join(dir, 'I.csv'), '--allocation', join(dir, 'A.csv'), '--weight', `poi=${join(dir, 'poi.tif')}`, '--zones', join(dir, 'Z.tif'), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const bs = parseCsv(readFileSync(join(out, 'by_sector.csv'), 'utf8'), 'bs');
    const ind = 1234.5 * 2.66 + 77.7 * 2.16;
    expect(Number(bs.rows[0][1])).toBe(ind);
    for (const row of bs.rows) expect(row[2]).toBe(row[1]); // allocated == total, as written
    const bsc = parseCsv(readFileSync(join(out, 'by_sector_class.csv'), 'utf8'), 'bsc');
    expect(bsc.columns).toEqual(['sector', 'code', 'emission', 'sector_total']);
    expect(bsc.rows.filter((x) => x[0] === 'residential').map((x) => x[1])).toEqual(['4', '6']);
    // the raster sums back to the inventory total
    const m = await readRaster(join(out, 'emissions.tif'));
    let s = 0;
    for (let i = 0; i < N; i++) if (lu[i] !== 0) s += m.data[i];
    expect(s).toBeCloseTo(ind + 5000 * 0.7035 - 800 * 0.58, 6);
    const bu = parseCsv(readFileSync(join(out, 'by_unit.csv'), 'utf8'), 'bu');
    expect(bu.columns).toEqual(['unit', 'ce', 'cs', 'budget', 'industry', 'residential', 'sink']);
    expect(Number(bu.rows[0][4]) + Number(bu.rows[1][4])).toBeCloseTo(ind, 9);
  });

  it('exit 2: sector without allocation row, missing weight raster', async () => {
    writeFileSync(join(dir, 'A2.csv'), 'sector,classes,weight\nindustry,5,poi\nresidential,4;6,area\n');
    let r = await cli('carbon', 'spatialize', '--landuse', join(dir, 'L.tif'), '--inventory', join(dir, 'I.csv'), '--allocation', join(dir, 'A2.csv'), '--weight', `poi=${join(dir, 'poi.tif')}`, '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('sectors "sink" of the inventory have no allocation row');
    r = await cli('carbon', 'spatialize', '--landuse', join(dir, 'L.tif'), '--inventory', join(dir, 'I.csv'), '--allocation', join(dir, 'A.csv'), '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('uses weight "poi", but no --weight poi=FILE was given');
  });
});
