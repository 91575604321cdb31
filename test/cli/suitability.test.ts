import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('--prob-type uint16: round(p x 65535) capped at 65534, NoData 65535; simulate reads it as v / 65535', async () => {
    const m = join(dir, 'mu.json'), f = join(dir, 'pf.tif'), u = join(dir, 'pu.tif');
    expect((await cli('suitability', '--landuse', LU, '--drivers', `${A},${B}`, '--out', f, '--epochs', '20', '--model-out', m, '--prob-type', 'float32')).code).toBe(0);
    const r = await cli('suitability', '--model', m, '--drivers', `${A},${B}`, '--out', u, '--prob-type', 'uint16');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 bands, UInt16 p x 65535, NoData 65535');
    const info = await readRasterInfo(u);
    expect([info.dtype, info.grid.nodata, info.predictor]).toEqual(['uint16', 65535, 2]);
    const fb = await readBands(f), ub = await readBands(u);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < W * H; i++) {
        const p = fb[k].data[i], v = ub[k].data[i];
        if (Number.isNaN(p)) expect(v).toBe(65535);
        else expect(v).toBe(Math.min(65534, Math.round(p * 65535)));
      }
    }
    // simulate on the uint16 file = simulate on a float32 file holding fround(v / 65535)
    const dec = join(dir, 'pdec.tif');
    await writeGeoTIFF(dec, ub.map((b) => ({ grid: { ...b.grid, nodata: NaN }, dtype: 'float32' as const, data: Float32Array.from(b.data, (v) => (v === 65535 ? NaN : v * (1 / 65535))) })));
    const lu = await readBands(LU);
    const counts = new Map<number, number>();
    for (const v of lu[0].data) if (v !== 255) counts.set(v, (counts.get(v) ?? 0) + 1);
    const dem = join(dir, 'dem.csv');
    writeFileSync(dem, `year,1,2,4\n2030,${counts.get(1)! - 30},${counts.get(2)! + 20},${counts.get(4)! + 10}\n`);
    const s1 = join(dir, 's1.tif'), s2 = join(dir, 's2.tif');
    const a1 = await cli('simulate', '--landuse', LU, '--prob', u, '--demand', dem, '--out', s1, '--quiet');
    expect(a1.code, a1.err).toBe(0);
    expect((await cli('simulate', '--landuse', LU, '--prob', dec, '--demand', dem, '--out', s2, '--quiet')).code).toBe(0);
    expect(Buffer.from((await readBands(s1))[0].data.buffer).equals(Buffer.from((await readBands(s2))[0].data.buffer))).toBe(true);
    const bad = await cli('suitability', '--model', m, '--drivers', `${A},${B}`, '--out', join(dir, 'x.tif'), '--prob-type', 'int8');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--prob-type.*int8.*uint16, float32/);
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
