// `landcarbon prepare distance` against gdal_proximity.py -distunits GEO and `prepare slope`
// against gdaldem slope, on goldens made by test/golden/prepare_golden.py (GDAL 3.6).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { edt1d } from '../../src/pipeline/steps/prepare-raster.js';

const G = join(import.meta.dirname, '../golden/prepare');
const tmp = mkdtempSync(join(tmpdir(), 'lc-prepare-dist-'));

async function maxDiff(a: string, b: string, nodata?: number): Promise<{ max: number; over: number[] }> {
  const x = await readRaster(a), y = await readRaster(b);
  expect([x.grid.width, x.grid.height]).toEqual([y.grid.width, y.grid.height]);
  let max = 0;
  const over: number[] = [];
  for (let i = 0; i < x.data.length; i++) {
    if (nodata !== undefined && (x.data[i] === nodata) !== (y.data[i] === nodata)) { over.push(i); continue; }
    const d = Math.abs(x.data[i] - y.data[i]);
    if (d > 1e-6) over.push(i);
    if (d > max) max = d;
  }
  return { max, over };
}

async function run(...args: string[]) {
  const r = await cli(...args);
  expect(r.code, r.err).toBe(0);
  return r;
}

describe('prepare distance equals gdal_proximity -distunits GEO', () => {
  it('raster targets (every non-zero cell), and --values 2', async () => {
    await run('prepare', 'distance', join(G, 'targets.tif'), '--out', join(tmp, 'd.tif'), '--quiet');
    expect((await maxDiff(join(tmp, 'd.tif'), join(G, 'dist_targets.tif'))).over).toEqual([]);
    await run('prepare', 'distance', join(G, 'targets.tif'), '--values', '2', '--out', join(tmp, 'd2.tif'), '--quiet');
    expect((await maxDiff(join(tmp, 'd2.tif'), join(G, 'dist_targets_v2.tif'))).over).toEqual([]);
  });

  it('vector targets (a WGS 84 polygon and points) rasterised onto the grid first', async () => {
    const r = await run('prepare', 'distance', join(G, 'features.geojson'), '--like', join(G, 'grid.tif'), '--out', join(tmp, 'df.tif'));
    expect(r.err).toMatch(/distance to 34 target cells/);
    expect((await maxDiff(join(tmp, 'df.tif'), join(G, 'dist_features.tif'))).over).toEqual([]);
  });

  /**
   * Ours against GDAL's distance raster and a brute-force nearest target (`targets`: a raster
   * whose 1 cells are the targets, e.g. GDAL's own burn of the features). Returns the cells
   * where GDAL differs; at each of them GDAL's value is larger (its two-pass propagation is
   * approximate) and ours is the brute-force minimum, like everywhere else.
   */
  async function againstBruteForce(oursPath: string, gdalPath: string, targetsPath: string, pixel: number): Promise<number> {
    const ours = await readRaster(oursPath), gdal = await readRaster(gdalPath), t = await readRaster(targetsPath);
    const W = t.grid.width;
    const tx: number[] = [], ty: number[] = [];
    for (let k = 0; k < t.data.length; k++) if (t.data[k]) { tx.push(k % W); ty.push(Math.floor(k / W)); }
    let differ = 0;
    const wrong: number[] = [];
    for (let k = 0; k < ours.data.length; k++) {
      const x = k % W, y = Math.floor(k / W);
      let best = Infinity;
      for (let j = 0; j < tx.length; j++) best = Math.min(best, (tx[j] - x) ** 2 + (ty[j] - y) ** 2);
      // square pixels: float32 of float32(sqrt(d2 in pixels)) x pixel, as GDAL rounds
      if (ours.data[k] !== Math.fround(Math.fround(Math.sqrt(best)) * pixel)) wrong.push(k);
      if (Math.abs(ours.data[k] - gdal.data[k]) > 1e-6) {
        differ++;
        if (!(gdal.data[k] > ours.data[k])) wrong.push(k);
      }
    }
    expect(wrong).toEqual([]);
    return differ;
  }

  it('random targets: equal except where gdal_proximity misses the nearest target; there ours is the brute-force minimum', async () => {
    await run('prepare', 'distance', join(G, 'targets_dense.tif'), '--out', join(tmp, 'dd.tif'), '--quiet');
    expect(await againstBruteForce(join(tmp, 'dd.tif'), join(G, 'dist_dense.tif'), join(G, 'targets_dense.tif'), 25)).toBe(1); // 1 of 10800 cells (GDAL 3.6.2)
  });

  it('lines (roads): burned as gdal_rasterize burns them (Bresenham between vertex cells), then the distance', async () => {
    await run('prepare', 'distance', join(G, 'lines.geojson'), '--like', join(G, 'grid.tif'), '--out', join(tmp, 'dl.tif'), '--quiet');
    const d = await readRaster(join(tmp, 'dl.tif')), burn = await readRaster(join(G, 'lines_burn.tif'));
    let mismatch = 0, burned = 0;
    for (let k = 0; k < d.data.length; k++) {
      if ((d.data[k] === 0) !== (burn.data[k] === 1)) mismatch++;
      burned += burn.data[k];
    }
    expect({ mismatch, burned }).toEqual({ mismatch: 0, burned: 695 }); // 14 polylines, some leaving the grid
    expect(await againstBruteForce(join(tmp, 'dl.tif'), join(G, 'dist_lines.tif'), join(G, 'lines_burn.tif'), 30)).toBe(4); // 4 of 1728 cells (GDAL 3.6.2)
  });

  it('output bytes do not depend on the block size', async () => {
    const ref = readFileSync(join(tmp, 'dd.tif'));
    for (const rows of ['1', '13']) {
      await run('prepare', 'distance', join(G, 'targets_dense.tif'), '--out', join(tmp, `dd_${rows}.tif`), '--quiet', '--block-rows', rows);
      expect(readFileSync(join(tmp, `dd_${rows}.tif`)).equals(ref)).toBe(true);
    }
  });

  it('non-square pixels: Euclidean in map units on both axes (GDAL scales by the pixel width only)', async () => {
    // 1 target at (0, 0) on 10 x 20 m pixels: cell (2, 3) is sqrt((2*10)^2 + (3*20)^2) = sqrt(4000) m away
    const grid = { width: 4, height: 5, transform: [0, 10, 0, 0, 0, -20] as [number, number, number, number, number, number], crs: null, nodata: null };
    const data = new Uint8Array(20);
    data[0] = 1;
    await writeGeoTIFF(join(tmp, 'ns.tif'), { grid, dtype: 'uint8', data });
    await run('prepare', 'distance', join(tmp, 'ns.tif'), '--out', join(tmp, 'ns_d.tif'), '--quiet');
    const d = await readRaster(join(tmp, 'ns_d.tif'));
    expect(d.data[3 * 4 + 2]).toBe(Math.fround(Math.sqrt(4000)));
    expect(d.data[0]).toBe(0);
  });

  it('edt1d: the lower envelope of parabolas, hand-checked', () => {
    // f = [inf, 0, inf, inf, 4, inf]: d[p] = min((p-1)^2, 4 + (p-4)^2) = [1, 0, 1, 4, 4, 5]
    const f = Float64Array.from([Infinity, 0, Infinity, Infinity, 4, Infinity]);
    const d = new Float64Array(6);
    edt1d(f, 6, 1, d, new Int32Array(6), new Float64Array(7));
    expect(Array.from(d)).toEqual([1, 0, 1, 4, 4, 5]);
  });
});

describe('prepare slope equals gdaldem slope', () => {
  it('Horn, degrees; edges and cells beside the NoData hole are NoData -9999', async () => {
    await run('prepare', 'slope', join(G, 'dem.tif'), '--out', join(tmp, 's.tif'), '--quiet');
    const c = await maxDiff(join(tmp, 's.tif'), join(G, 'slope.tif'), -9999);
    expect(c.over).toEqual([]);
    expect(c.max).toBeLessThanOrEqual(1e-4);
    const s = await readRaster(join(tmp, 's.tif'));
    expect(s.grid.nodata).toBe(-9999);
    // 48 x 36 grid: (46 x 34) interior = 1564 cells, less the 5 x 4 = 20 around the 3 x 2 hole: 1544
    expect(Array.from(s.data).filter((v) => v !== -9999).length).toBe(1544);
  });
  it('output bytes do not depend on the block size', async () => {
    const ref = readFileSync(join(tmp, 's.tif'));
    for (const rows of ['1', '5']) {
      await run('prepare', 'slope', join(G, 'dem.tif'), '--out', join(tmp, `s_${rows}.tif`), '--quiet', '--block-rows', rows);
      expect(readFileSync(join(tmp, `s_${rows}.tif`)).equals(ref)).toBe(true);
    }
  });
});

describe('prepare distance / slope refuse bad input with one line and exit 2', () => {
  async function refused(args: string[], re: RegExp) {
    const r = await cli('prepare', ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(re);
  }
  it('--values that are not whole numbers', () => refused(['distance', join(G, 'targets.tif'), '--values', '1,x', '--out', join(tmp, 'b.tif')], /--values: expected whole numbers separated by commas \(e\.g\. 1,2\), got "1,x"/));
  it('a vector target without --like', () => refused(['distance', join(G, 'features.geojson'), '--out', join(tmp, 'b.tif')], /features\.geojson: a vector target needs a grid to rasterise onto/));
  it('--values with a vector target', () => refused(['distance', join(G, 'features.geojson'), '--like', join(G, 'grid.tif'), '--values', '1', '--out', join(tmp, 'b.tif')], /features\.geojson: values select cells of a raster target/));
  it('no target cell', () => refused(['distance', join(G, 'targets.tif'), '--values', '7', '--out', join(tmp, 'b.tif')], /targets\.tif: no target cell on the grid \(no cell equals 7\)/));
  it('a line of one position', () => {
    const p = join(tmp, 'line.geojson');
    writeFileSync(p, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[117, 31]] } }] }));
    return refused(['distance', p, '--like', join(G, 'grid.tif'), '--out', join(tmp, 'b.tif')], /line\.geojson: feature 0: a line has 1 positions \(expected at least 2\)/);
  });
  it('a raster target on another grid than --like', () => refused(['distance', join(G, 'targets_dense.tif'), '--like', join(G, 'grid.tif'), '--out', join(tmp, 'b.tif')], /targets_dense\.tif: grid 120x90 @ 25 m.* does not match .*grid\.tif 48x36 @ 30 m/));
  it('a missing DEM', () => refused(['slope', join(tmp, 'nope.tif'), '--out', join(tmp, 'b.tif')], /nope\.tif/));
  it('nothing is left behind', () => expect(existsSync(join(tmp, 'b.tif'))).toBe(false));
});
