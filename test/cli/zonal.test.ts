import { describe, it, expect, afterAll } from 'vitest';
import { itShared } from '../shared-data.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { Engine } from '../../src/tiling/engine.js';
import { zonalFiles } from '../../src/pipeline/zonal.js';
import { zonalSums } from '../../src/kernels/zonal.js';
import { writeGeoTIFF, readRaster } from '../../src/io/geotiff.js';
import { parseCsv } from '../../src/io/table.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');
const PIE = join(ROOT, '../shared/data/pie');
const SIB = join(ROOT, '../shared/data/sibuyan');
const tmp = mkdtempSync(join(tmpdir(), 'lc-zonal-'));
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

function landcarbon(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Independent computation: geotiff.js's own reader and a plain loop with a Map. */
async function independent(zonesPath: string, classesPath: string, valuePath: string) {
  const read = async (p: string) => {
    const t = await fromFile(p);
    const img = await t.getImage();
    const [d] = (await img.readRasters()) as unknown as ArrayLike<number>[];
    const nd = img.getGDALNoData();
    return { d, nd };
  };
  const z = await read(zonesPath), c = await read(classesPath), v = await read(valuePath);
  const ndv = v.nd === null ? null : Math.fround(v.nd);
  const out = new Map<string, { cells: number; sum: number }>();
  for (let i = 0; i < z.d.length; i++) {
    if (z.d[i] === z.nd || c.d[i] === c.nd) continue;
    const k = `${z.d[i]},${c.d[i]}`;
    const e = out.get(k) ?? { cells: 0, sum: 0 };
    e.cells++;
    if (v.d[i] !== ndv && !Number.isNaN(v.d[i])) e.sum += v.d[i];
    out.set(k, e);
  }
  return out;
}

describe('landcarbon zonal', () => {
  itShared('pie: counts equal an independent computation exactly, sums within 1e-9 relative, for 1 and 2 threads', async () => {
    // zones = 1985 classes, classes = 1999 classes (a transition table), value = elevation
    const ref = await independent(join(PIE, 'lu_pie_1985.tif'), join(PIE, 'lu_pie_1999.tif'), join(PIE, 'ef_001.tif'));
    const outs: string[] = [];
    for (const threads of ['1', '2']) {
      const out = join(tmp, `pie_${threads}.csv`);
      const r = landcarbon('zonal', '--zones', join(PIE, 'lu_pie_1985.tif'), '--classes', join(PIE, 'lu_pie_1999.tif'), '--values', join(PIE, 'ef_001.tif'), '--out', out, '--threads', threads, '--tile-rows', '7');
      expect(r.code, r.err).toBe(0);
      const t = parseCsv(readFileSync(out, 'utf8'), out);
      expect(t.columns).toEqual(['zone', 'class', 'cells', 'area_ha', 'ef_001']);
      expect(t.rows.length).toBe(ref.size);
      let total = 0;
      for (const row of t.rows) {
        const e = ref.get(`${row[0]},${row[1]}`)!;
        expect(Number(row[2])).toBe(e.cells);
        // 99.921259842515127 x 99.954853273133651 m per cell = 0.99876... ha
        expect(Number(row[3])).toBeCloseTo((e.cells * 99.921259842515127 * 99.954853273133651) / 1e4, 6);
        expect(Math.abs(Number(row[4]) - e.sum)).toBeLessThanOrEqual(1e-9 * Math.abs(e.sum));
        total += Number(row[2]);
      }
      expect(total).toBe(113563);
      outs.push(readFileSync(out, 'utf8'));
    }
    expect(outs[0]).toBe(outs[1]); // byte-identical tables for any thread count
  });

  itShared('strips (bounded memory) give the same table as one pass', async () => {
    const o = { zones: join(PIE, 'lu_pie_1985.tif'), classes: join(PIE, 'lu_pie_1991.tif'), values: [join(PIE, 'ef_002.tif'), join(PIE, 'ef_003.tif')] };
    const whole = await zonalFiles(engine, o);
    const strips = await zonalFiles(engine, { ...o, stripBytes: 40_000 }); // a few rows per strip
    expect(strips.rows).toEqual(whole.rows);
  });

  it('streamed strips (tile-aligned reads, partial blocks carried to the next strip) give the in-memory sums bit for bit, on 1 and 2 threads', async () => {
    // 203 x 157 cells, 16 x 16 tiles; 24 zones x 5 classes = 120 bins, canonical blocks of
    // max(1400, 32 x 120) / 203 = 18.9 -> 19 rows; strips of 1, 16 or 32 rows mostly end inside a block
    const W = 203, H = 157, n = W * H;
    const grid = { width: W, height: H, transform: [0, 30, 0, 0, 0, -30] as [number, number, number, number, number, number], crs: { epsg: 32650 }, nodata: 0 };
    const h = (i: number, s: number) => (Math.imul(i ^ Math.imul(s, 0x9e3779b9), 0x85ebca6b) >>> 7) % 1000;
    const z = Uint16Array.from({ length: n }, (_, i) => (h(i, 1) < 30 ? 0 : 1 + (Math.floor(i / W / 40) * 6 + Math.floor((i % W) / 35))));
    const c = Uint8Array.from({ length: n }, (_, i) => (h(i, 2) < 20 ? 255 : 1 + (h(i, 3) % 5)));
    const v = Float32Array.from({ length: n }, (_, i) => (h(i, 4) < 10 ? -9999 : h(i, 5) / 7 + 0.1));
    const f = (x: string) => join(tmp, `strip-${x}.tif`);
    await writeGeoTIFF(f('z'), { grid, dtype: 'uint16', data: z }, { tileSize: 16 });
    await writeGeoTIFF(f('c'), { grid: { ...grid, nodata: 255 }, dtype: 'uint8', data: c }, { tileSize: 16 });
    await writeGeoTIFF(f('v'), { grid: { ...grid, nodata: -9999 }, dtype: 'float32', data: v }, { tileSize: 16 });
    const minBlockCells = 1400;
    const ref = await zonalSums(engine, {
      width: W, height: H,
      zones: { dtype: 'uint16', data: z, nodata: 0, name: 'z' },
      classes: { dtype: 'uint8', data: c, nodata: 255, name: 'c' },
      values: [{ dtype: 'float32', data: v, nodata: -9999, name: 'v' }],
    }, { minBlockCells });
    expect([ref.zoneIds.length, ref.classCodes.length, ref.blockCells]).toEqual([24, 5, 19 * W]);
    const one = new Engine({ threads: 1 });
    try {
      for (const e of [one, engine]) {
        for (const maxRows of [1, 16, 32, undefined]) {
          const t = await zonalFiles(e, { zones: f('z'), classes: f('c'), values: [f('v')], minBlockCells, maxRows, memory: maxRows ? 64 * 2 ** 20 : undefined });
          expect(t.result.counts).toEqual(ref.counts);
          expect(t.result.sums).toEqual(ref.sums); // bit-identical f64 sums
          expect(t.result.missing).toEqual(ref.missing);
        }
      }
    } finally {
      await one.close();
    }
  });

  it('value NoData inside zones is reported in a <name>_nodata_cells column', async () => {
    const g = { width: 3, height: 1, transform: [0, 100, 0, 0, 0, -100] as [number, number, number, number, number, number], crs: { epsg: 32650 }, nodata: 0 };
    await writeGeoTIFF(join(tmp, 'z.tif'), { grid: g, dtype: 'uint8', data: new Uint8Array([1, 1, 2]) });
    await writeGeoTIFF(join(tmp, 'c.tif'), { grid: { ...g, nodata: 255 }, dtype: 'uint8', data: new Uint8Array([5, 5, 5]) });
    await writeGeoTIFF(join(tmp, 'v.tif'), { grid: { ...g, nodata: -1 }, dtype: 'float32', data: new Float32Array([2, -1, 3]) });
    const r = landcarbon('zonal', '--zones', join(tmp, 'z.tif'), '--classes', join(tmp, 'c.tif'), '--values', join(tmp, 'v.tif'), '--out', join(tmp, 'o.csv'));
    expect(r.code, r.err).toBe(0);
    // 100 m x 100 m = 1 ha per cell
    expect(readFileSync(join(tmp, 'o.csv'), 'utf8')).toBe('zone,class,cells,area_ha,v,v_nodata_cells\n1,5,2,2,2,1\n2,5,1,1,3,0\n');
  });

  itShared('a missing file, a grid mismatch and a non-integer zone raster each give one line and exit 2', async () => {
    const missing = landcarbon('zonal', '--zones', join(tmp, 'nope.tif'), '--classes', join(PIE, 'lu_pie_1985.tif'), '--out', join(tmp, 'x.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toContain('nope.tif');
    const mismatch = landcarbon('zonal', '--zones', join(PIE, 'lu_pie_1985.tif'), '--classes', join(SIB, 'lu_sib_1997.tif'), '--out', join(tmp, 'x.csv'));
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toMatch(/lu_sib_1997.tif: grid 128x108 .* does not match .*lu_pie_1985.tif 497x434/);
    const float = landcarbon('zonal', '--zones', join(PIE, 'ef_001.tif'), '--classes', join(PIE, 'lu_pie_1985.tif'), '--out', join(tmp, 'x.csv'));
    expect(float.code).toBe(2);
    expect(float.err).toMatch(/ef_001.tif: zone raster must hold integer unit ids, found float32/);
    expect(existsSync(join(tmp, 'x.csv'))).toBe(false); // nothing half-written
  });

  itShared('no CRS: the assumption about map units is said, and --pixel-area-ha overrides it', async () => {
    const r = landcarbon('zonal', '--zones', join(SIB, 'restr1.tif'), '--classes', join(SIB, 'lu_sib_1997.tif'), '--out', join(tmp, 's.csv'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no CRS recorded; taking map units as metres \(6.25 ha per cell\)/);
    const lu = await readRaster(join(SIB, 'lu_sib_1997.tif'));
    const t = parseCsv(readFileSync(join(tmp, 's.csv'), 'utf8'), 's.csv');
    expect(t.rows.reduce((s, r) => s + Number(r[2]), 0)).toBe(Array.from(lu.data).filter((v) => v !== 255).length); // 7226
    const r2 = landcarbon('zonal', '--zones', join(SIB, 'restr1.tif'), '--classes', join(SIB, 'lu_sib_1997.tif'), '--out', join(tmp, 's2.csv'), '--pixel-area-ha', '0');
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/--pixel-area-ha: expected a positive number, got 0/);
  });
});
