import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-nep-'));
const W = 9, H = 7, N = W * H;
const grid: Grid = { width: W, height: H, transform: [0, 1000, 0, 7000, 0, -1000], crs: { epsg: 32650 }, nodata: -9999 };
const files: Record<string, string[]> = { ndvi: [], temp: [], precip: [], sol: [], w: [] };

beforeAll(async () => {
  for (let m = 0; m < 3; m++) {
    const mk = async (k: string, f: (i: number) => number) => {
      const p = join(dir, `${k}_${m}.tif`);
      await writeGeoTIFF(p, { grid, dtype: 'float32', data: Float32Array.from({ length: N }, (_, i) => f(i)) });
      files[k].push(p);
    };
    await mk('ndvi', (i) => (i === 5 && m === 1 ? -9999 : 0.1 + ((i * 7 + m * 13) % 80) / 100));
    await mk('temp', (i) => 5 + m * 8 + (i % 5));
    await mk('precip', (i) => 40 + ((i + m) % 9) * 10);
    await mk('sol', (i) => 250 + ((i * 3) % 100));
    await mk('w', (i) => 0.6 + (i % 4) / 10);
  }
  await writeGeoTIFF(join(dir, 'veg.tif'), { grid: { ...grid, nodata: 0 }, dtype: 'uint8', data: Uint8Array.from({ length: N }, (_, i) => (i % 11 === 0 ? 0 : 1 + (i % 3))) });
  await writeGeoTIFF(join(dir, 'zones.tif'), { grid: { ...grid, nodata: 0 }, dtype: 'uint8', data: Uint8Array.from({ length: N }, (_, i) => 1 + (i % W >= 5 ? 1 : 0)) });
  writeFileSync(join(dir, 'casa.csv'), 'code,name,eps_max\n1,forest,0.985\n2,grass,0.542\n3,crop,\n');
});

describe('landcarbon carbon nep', () => {
  it('writes npp/rh/nep rasters, casa_params.csv, summary.json, by_unit.csv (t C = independent sum of the NEP raster)', async () => {
    const out = join(dir, 'o');
    const r = await cli('carbon', 'nep', '--ndvi', files.ndvi.join(','), '--temp', files.temp.join(','), '--precip', files.precip.join(','), '--sol', files.sol.join(','), '--w', files.w.join(','),
      '--vegetation', join(dir, 'veg.tif'), '--params', join(dir, 'casa.csv'), '--zones', join(dir, 'zones.tif'), '--out', out, '--threads', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const nep = await readRaster(join(out, 'nep.tif'));
    const npp = await readRaster(join(out, 'npp.tif'));
    const nd = Math.fround(-3.4028234663852886e38);
    expect(nep.data[0]).toBe(nd); // vegetation NoData
    expect(nep.data[5]).toBe(nd); // NDVI NoData in month 2
    expect(npp.data[1]).toBeGreaterThan(0);
    const p = parseCsv(readFileSync(join(out, 'casa_params.csv'), 'utf8'), 'p');
    expect(p.rows.find((x) => x[0] === '3')![2]).toBe('0.389');
    const bu = parseCsv(readFileSync(join(out, 'by_unit.csv'), 'utf8'), 'bu');
    const zsum = [0, 0];
    for (let i = 0; i < N; i++) if (nep.data[i] !== nd) zsum[i % W >= 5 ? 1 : 0] += nep.data[i];
    // 1 km pixels: 100 ha = 10^6 m2; g C/m2 * 10^6 m2 / 10^6 = t C per cell; float32 raster vs f64 sums
    expect(Number(bu.rows[0][3])).toBeCloseTo(zsum[0], 2);
    expect(Number(bu.rows[1][3])).toBeCloseTo(zsum[1], 2);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.months).toBe(3);
    expect(s.constants.t2Coef).toBe(1.1814);
  });

  it('exit 2: month counts differ, missing water input, vegetation code without parameters', async () => {
    let r = await cli('carbon', 'nep', '--ndvi', files.ndvi.join(','), '--temp', files.temp.slice(0, 2).join(','), '--precip', files.precip.join(','), '--sol', files.sol.join(','), '--w', files.w.join(','),
      '--vegetation', join(dir, 'veg.tif'), '--params', join(dir, 'casa.csv'), '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--temp: 2 months, but --ndvi has 3');
    r = await cli('carbon', 'nep', '--ndvi', files.ndvi.join(','), '--temp', files.temp.join(','), '--precip', files.precip.join(','), '--sol', files.sol.join(','),
      '--vegetation', join(dir, 'veg.tif'), '--params', join(dir, 'casa.csv'), '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('give --w, or both --eet and --pet');
    writeFileSync(join(dir, 'c2.csv'), 'code,eps_max\n1,0.5\n');
    r = await cli('carbon', 'nep', '--ndvi', files.ndvi.join(','), '--temp', files.temp.join(','), '--precip', files.precip.join(','), '--sol', files.sol.join(','), '--w', files.w.join(','),
      '--vegetation', join(dir, 'veg.tif'), '--params', join(dir, 'c2.csv'), '--out', join(dir, 'x'), '--threads', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('vegetation codes 2, 3 have no row in');
  });
});
