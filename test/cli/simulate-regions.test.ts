/**
 * `simulate --regions cities.tif --demand <rows per (city, year)>` on the sample region (landcarbon
 * sample): 2010 -> 2020 with a demand per city (cropland -> built-up in some cities, the reverse in
 * others); every city meets its own demand. Plus the per-region demand table's validation messages.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-simulate-regions-'));
const CODES = [1, 2, 3, 4, 5, 6, 7];
let W = 0, H = 0;
let lu10: ArrayLike<number>, lu20: ArrayLike<number>, city: ArrayLike<number>, restr: ArrayLike<number>;
const PROB = join(dir, 'prob.tif'), DEM = join(dir, 'demand.csv');
let cities: number[] = [];
let target = new Map<number, number[]>();

/** Cells per (city, code) of a map. */
function perCity(map: ArrayLike<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < map.length; i++) {
    if (map[i] === 255 || city[i] === 0) continue;
    if (!m.has(city[i])) m.set(city[i], new Array(CODES.length).fill(0));
    m.get(city[i])![CODES.indexOf(map[i])]++;
  }
  return m;
}

beforeAll(async () => {
  const r = await cli('sample', '--out', dir, '--size', '96', '--seed', '2');
  expect(r.code).toBe(0);
  const [a, b, c, d] = await Promise.all(['landuse_2010', 'landuse_2020', 'cities', 'restricted'].map((f) => readRaster(join(dir, `${f}.tif`))));
  [lu10, lu20, city, restr] = [a.data, b.data, c.data, d.data];
  W = a.grid.width;
  H = a.grid.height;
  // suitability: the observed 2020 class gets 0.6, the others share the rest with noise (a pipeline check, not a model)
  const key = new RngKey(8, 0);
  const bands = CODES.map((code, k) => ({
    grid: { ...a.grid, nodata: null }, dtype: 'float32' as const,
    data: Float32Array.from({ length: W * H }, (_, i) => (lu20[i] === code ? 0.6 : 0.05) + 0.01 * rngF64(key, k * W * H + i)),
  }));
  await writeGeoTIFF(PROB, bands);
  // demand per city: from the 2010 counts, even cities turn 15 % of their cropland (1) into built-up (6),
  // odd ones 10 % of their built-up back into cropland (opposite directions: the national net partly cancels)
  const start = perCity(lu10);
  cities = [...start.keys()].sort((x, y) => x - y);
  target = new Map(cities.map((c, j) => {
    const d = start.get(c)!.slice();
    const [from, to, share] = j % 2 === 0 ? [0, 5, 0.15] : [5, 0, 0.1];
    const n = Math.floor(share * d[from]);
    d[from] -= n;
    d[to] += n;
    return [c, d];
  }));
  writeFileSync(DEM, `region,year,${CODES.join(',')}\n` + cities.map((c) => `${c},2020,${target.get(c)!.join(',')}`).join('\n') + '\n');
});

describe('landcarbon simulate --regions', () => {
  it('the sample region by city: every city meets its own demand; restricted cells keep their class', async () => {
    const out = join(dir, 'sim.tif');
    const r = await cli('simulate', '--landuse', join(dir, 'landuse_2010.tif'), '--prob', PROB, '--regions', join(dir, 'cities.tif'), '--demand', DEM,
      '--restricted', join(dir, 'restricted.tif'), '--out', out, '--seed', '3', '--threads', '2');
    expect(r.code).toBe(0);
    for (const c of cities) expect(r.err).toContain(`simulate 2020: region ${c}: demand met`);
    expect(cities.length).toBeGreaterThanOrEqual(3);
    const sim = (await readRaster(out)).data;
    const got = perCity(sim), want = target;
    for (const c of cities) expect(got.get(c)).toEqual(want.get(c));
    for (let i = 0; i < W * H; i++) if (restr[i] === 1) expect(sim[i]).toBe(lu10[i]);
    // the national demand alone would not have fixed where change happens: some city changed
    expect(cities.some((c) => perCity(lu10).get(c)!.join() !== want.get(c)!.join())).toBe(true);
  });

  it('demand table errors: exit 2 naming the file, region and value', async () => {
    const lu = join(dir, 'landuse_2010.tif'), cit = join(dir, 'cities.tif');
    const run = async (csv: string) => {
      const f = join(dir, 'bad.csv');
      writeFileSync(f, csv);
      return cli('simulate', '--landuse', lu, '--prob', PROB, '--regions', cit, '--demand', f, '--out', join(dir, 'x.tif'), '--quiet');
    };
    const row = (c: number, y = 2020, d = 0) => `${c},${y},${target.get(c)!.map((v, k) => (k === 0 ? v + d : v)).join(',')}`;
    let r = await run(`year,${CODES.join(',')}\n2020,1,2,3,4,5,6,7\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad.csv: per-region demand needs "region" as the first column, then "year" and the class codes; got "year,1,2,3,4,5,6,7"/);
    r = await run(`region,year,${CODES.join(',')}\n` + cities.slice(1).map((c) => row(c)).join('\n') + '\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`bad.csv: region(s) ${cities[0]} of the regions raster have no demand rows`);
    r = await run(`region,year,${CODES.join(',')}\n` + cities.map((c) => row(c)).join('\n') + `\n999,2020,${CODES.map(() => 0).join(',')}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`bad.csv: region(s) 999 do not occur in the regions raster (its regions: ${cities.join(', ')})`);
    r = await run(`region,year,${CODES.join(',')}\n` + cities.map((c, j) => row(c, 2020, j === 0 ? 1 : 0)).join('\n') + '\n');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`bad.csv \\(region ${cities[0]}\\): year 2020: demand sums to \\d+ cells, expected \\d+ \\(valid cells of the land-use map\\)`));
    r = await run(`region,year,${CODES.join(',')}\n` + cities.map((c, j) => row(c, j === 0 ? 2030 : 2020)).join('\n') + '\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`bad.csv: region ${cities[1]} has years 2020 but region ${cities[0]} has 2030 (every region needs the same years)`);
    r = await cli('simulate', '--landuse', lu, '--prob', PROB, '--regions', cit, '--demand', DEM, '--update', 'flus', '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--regions: per-region demand needs the sync update (--update flus updates one national counter per class)');
  });
});
