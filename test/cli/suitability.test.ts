import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { readBands, readRasterInfo, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-suit-'));
const W = 61, H = 47; // odd sizes: SIMD tails in every row tile
const grid: Grid = { width: W, height: H, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 255 };
const LU = join(dir, 'lu.tif'), A = join(dir, 'a.tif'), B = join(dir, 'b.tif'), C = join(dir, 'c.tif');

beforeAll(async () => {
  const n = W * H;
  const lu = new Uint8Array(n), a = new Float32Array(n), b = new Int16Array(n);
  let s = 3;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    a[i] = 100 * u();
    b[i] = Math.round(-500 + 1000 * u());
    lu[i] = a[i] < 40 ? 1 : b[i] > 0 ? 2 : 4; // codes 1, 2, 4
    if (i % 53 === 0) a[i] = -3.4e38; // float32 NoData (compared as fround)
    if (i % 59 === 0) b[i] = -32768;
    if (i % 61 === 0) lu[i] = 255;
  }
  await writeGeoTIFF(LU, { grid, dtype: 'uint8', data: lu });
  await writeGeoTIFF(A, { grid: { ...grid, nodata: -3.4e38 }, dtype: 'float32', data: a });
  await writeGeoTIFF(B, { grid: { ...grid, nodata: -32768 }, dtype: 'int16', data: b });
  await writeGeoTIFF(C, { grid: { ...grid, width: W - 1 }, dtype: 'float32', data: new Float32Array((W - 1) * H) });
});

describe('landcarbon suitability', () => {
  it('trains, writes a K-band Float32 GeoTIFF with NaN NoData, prints accuracies; threads/tiles byte-identical', async () => {
    const o1 = join(dir, 'p1.tif'), o2 = join(dir, 'p2.tif'), m = join(dir, 'm.json');
    const r = await cli('suitability', '--landuse', LU, '--drivers', `${A},${B}`, '--out', o1, '--threads', '1', '--epochs', '40', '--model-out', m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 classes \[1, 2, 4\], 2 drivers, 11 hidden neurons/);
    expect(r.out).toMatch(/training accuracy \d+\.\d\d %.*hold-out accuracy \d+\.\d\d %/);
    const info = await readRasterInfo(o1);
    expect(info.bands).toBe(3);
    expect(info.dtype).toBe('float32');
    expect(info.grid.nodata).toBeNaN();
    const bands = await readBands(o1);
    expect(bands[0].data[0]).toBeNaN(); // cell 0: a and b are NoData
    let s = 0;
    for (const b of bands) s += b.data[1];
    expect(Math.abs(s - 1)).toBeLessThan(1e-6);
    const model = JSON.parse(readFileSync(m, 'utf8'));
    expect(model.classes).toEqual([1, 2, 4]);
    expect(model.drivers).toEqual(['a.tif', 'b.tif']);
    // predict only, 2 threads, 5-row tiles: same bytes
    const r2 = await cli('suitability', '--model', m, '--drivers', `${A},${B}`, '--out', o2, '--threads', '2', '--tile-rows', '5');
    expect(r2.code).toBe(0);
    expect(readFileSync(o2).equals(readFileSync(o1))).toBe(true);
  });

  it('mismatched driver grid: exit 2, message names both files', async () => {
    const r = await cli('suitability', '--landuse', LU, '--drivers', `${A},${C}`, '--out', join(dir, 'x.tif'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${C}: grid 60x47`);
    expect(r.err).toContain(`does not match ${LU} 61x47`);
  });

  it('option errors exit 2', async () => {
    const r = await cli('suitability', '--drivers', A, '--out', join(dir, 'x.tif'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--landuse is required unless --model gives a trained model');
    const r2 = await cli('suitability', '--landuse', LU, '--drivers', A, '--out', join(dir, 'x.tif'), '--sample-rate', '0');
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('--sample-rate: expected a number in [1e-9, 1], got 0');
  });
});
