import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { readBands, writeGeoTIFF } from '../../src/io/geotiff.js';
import { makeGrid, UTM50 } from './tiff.variants.js';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-cog-'));
const VALIDATE = '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const W = 301, H = 150; // odd width: the last overview column comes from one column

/** 2 x 2 mean over valid cells (NaN = NoData), rounded to float32 as stored; edges use the cells that exist. */
function down(a: Float32Array, w: number, h: number): [Float32Array, number, number] {
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const o = new Float32Array(cw * ch);
  for (let r = 0; r < ch; r++) for (let c = 0; c < cw; c++) {
    let s = 0, n = 0;
    for (const [y, x] of [[2 * r, 2 * c], [2 * r, 2 * c + 1], [2 * r + 1, 2 * c], [2 * r + 1, 2 * c + 1]]) {
      if (y >= h || x >= w) continue;
      const v = a[y * w + x];
      if (!Number.isNaN(v)) { s += v; n++; }
    }
    o[r * cw + c] = n ? s / n : NaN;
  }
  return [o, cw, ch];
}

async function overviews(path: string): Promise<Array<{ w: number; h: number; data: ArrayLike<number>; subfile: number }>> {
  const t = await fromFile(path);
  try {
    const out = [];
    for (let i = 0; i < (await t.getImageCount()); i++) {
      const im = await t.getImage(i);
      const [data] = (await im.readRasters({ samples: [0], interleave: false })) as unknown as ArrayLike<number>[];
      out.push({ w: im.getWidth(), h: im.getHeight(), data, subfile: Number(im.getFileDirectory().getValue('NewSubfileType') ?? 0) });
    }
    return out;
  } finally {
    await t.close();
  }
}

describe('--cog: Cloud-Optimized GeoTIFF with internal overviews', () => {
  it('float32: overviews are 2 x 2 means over valid cells down to one 64-pixel tile; full resolution unchanged', async () => {
    const f = new Float32Array(W * H);
    for (let i = 0; i < f.length; i++) f[i] = i % 13 === 0 ? NaN : ((i * 7919) % 1000) / 7;
    const p = join(dir, 'f.tif');
    await writeGeoTIFF(p, { grid: makeGrid(W, H, UTM50, NaN), dtype: 'float32', data: f }, { cog: true, tileSize: 64 });
    const back = await readBands(p);
    expect(Buffer.from(back[0].data.buffer).equals(Buffer.from(f.buffer))).toBe(true);
    const levels = await overviews(p);
    // 301x150 -> 151x75 -> 76x38 -> 38x19 (fits in one 64-pixel tile)
    expect(levels.map((l) => [l.w, l.h, l.subfile])).toEqual([[301, 150, 0], [151, 75, 1], [76, 38, 1], [38, 19, 1]]);
    let cur: [Float32Array, number, number] = [f, W, H];
    for (let i = 1; i < levels.length; i++) {
      cur = down(...cur);
      const got = Float32Array.from(levels[i].data);
      expect(Buffer.from(got.buffer).equals(Buffer.from(cur[0].buffer)), `level ${i}`).toBe(true);
    }
  });

  it('uint8 class map: nearest (top-left cell of each 2 x 2 block); files without --cog have no overviews', async () => {
    const u = Uint8Array.from({ length: W * H }, (_, i) => 1 + ((i * 31) % 6));
    const p = join(dir, 'u.tif'), q = join(dir, 'plain.tif');
    await writeGeoTIFF(p, { grid: makeGrid(W, H, UTM50, 255), dtype: 'uint8', data: u }, { cog: true, tileSize: 64, predictor: 2 });
    const levels = await overviews(p);
    expect(levels[1].data[0]).toBe(u[0]);
    expect(levels[1].data[5 * 151 + 7]).toBe(u[10 * W + 14]);
    expect(levels[2].data[3 * 76 + 4]).toBe(u[12 * W + 16]);
    await writeGeoTIFF(q, { grid: makeGrid(W, H, UTM50, 255), dtype: 'uint8', data: u });
    expect((await overviews(q)).length).toBe(1);
    expect(readdirSync(dir).filter((f) => f.includes('.level'))).toEqual([]); // side files removed
  });

  it('GDAL\'s COG validator accepts the files (skips without python3-gdal)', async (ctx) => {
    if (!existsSync(VALIDATE)) {
      console.log('skip: GDAL COG validator not installed (apt-get install python3-gdal)');
      ctx.skip();
    }
    for (const f of ['f.tif', 'u.tif']) {
      const out = execFileSync(PY, [VALIDATE, '--full-check=yes', join(dir, f)], { encoding: 'utf8' });
      expect(out).toContain('is a valid cloud optimized GeoTIFF');
    }
  });

  it('suitability --cog and simulate --cog write COGs', async () => {
    const { grid } = { grid: makeGrid(600, 300, UTM50, 255) };
    const lu = Uint8Array.from({ length: 600 * 300 }, (_, i) => (((i % 600) >> 6) + ((i / 600) >> 6)) % 2 ? 1 : 2);
    const a = Float32Array.from({ length: 600 * 300 }, (_, i) => (i % 600) / 6 + (i % 7));
    const L = join(dir, 'lu.tif'), A = join(dir, 'a.tif'), P = join(dir, 'p.tif');
    await writeGeoTIFF(L, { grid, dtype: 'uint8', data: lu });
    await writeGeoTIFF(A, { grid: { ...grid, nodata: null }, dtype: 'float32', data: a });
    const r = await cli('suitability', '--landuse', L, '--drivers', A, '--out', P, '--epochs', '5', '--cog');
    expect(r.code, r.err).toBe(0);
    expect((await overviews(P)).map((l) => l.w)).toEqual([600, 300, 150]);
    const n1 = lu.filter((v) => v === 1).length, n2 = lu.length - n1;
    const D = join(dir, 'demand.csv'), S = join(dir, 'sim.tif');
    writeFileSync(D, `year,1,2\n2030,${n1 - 100},${n2 + 100}\n`);
    const s = await cli('simulate', '--landuse', L, '--prob', P, '--demand', D, '--out', S, '--cog', '--quiet');
    expect(s.code, s.err).toBe(0);
    expect((await overviews(S)).map((l) => l.w)).toEqual([600, 300, 150]);
  });
});
