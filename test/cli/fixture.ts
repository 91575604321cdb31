// A small sample region (64 x 64) plus the derived inputs the reliability tests need: a
// K-band suitability raster, a demand table, a coefficient table and a 3-band raster.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSampleRegion, writeSampleRegion } from '../../fixtures/sample.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { cli } from './helpers.js';

export interface Fixture {
  dir: string;
  /** path of a file in the region folder */
  p: (name: string) => string;
  prob: string;
  demand: string;
  coefficients: string;
  pools: string;
  multiband: string;
}

export async function makeFixture(prefix: string): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const reg = join(dir, 'in');
  await writeSampleRegion(reg, { size: 64, seed: 3 }, generateSampleRegion({ size: 64, seed: 3 }));
  const p = (name: string) => join(reg, name);
  const lu = await readRaster(p('landuse_2010.tif'));
  const codes = [...new Set(Array.from(lu.data).filter((v) => v !== lu.grid.nodata))].sort((a, b) => a - b);
  const n = lu.data.length;
  // suitability: band k favours code k a little (deterministic, no Math.random)
  const bands = codes.map((_, k) => ({ grid: { ...lu.grid, nodata: null }, dtype: 'float32' as const, data: Float32Array.from({ length: n }, (_, i) => ((i * 2654435761 + k * 40503) % 1000) / 1000) }));
  const prob = join(dir, 'prob.tif');
  await writeGeoTIFF(prob, bands);
  const demand = join(dir, 'demand.csv');
  const m = await cli('markov', '--from', p('landuse_2000.tif'), '--to', p('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2015,2020', '--out', demand);
  if (m.code !== 0) throw new Error(`fixture: markov failed: ${m.err}`);
  const coefficients = join(dir, 'coefficients.csv');
  writeFileSync(coefficients, 'code,name,coefficient\n1,cropland,0.42\n2,forest,-0.62\n3,grassland,-0.14\n4,water,0\n5,built-up,120.37\n6,wetland,-0.5\n7,unused,0\n');
  const pools = join(dir, 'pools.csv');
  writeFileSync(pools, 'code,c_above,c_below,c_soil,c_dead\n1,5,1,60,0\n2,60,15,120,5\n3,3,5,80,1\n4,0,0,0,0\n5,0,0,20,0\n6,10,5,200,2\n7,0,0,10,0\n');
  const multiband = join(dir, 'lu3.tif');
  await writeGeoTIFF(multiband, [lu, lu, lu]);
  return { dir, p, prob, demand, coefficients, pools, multiband };
}

export function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Hashes of every file under `dir` (name -> sha256), to show inputs are byte-identical afterwards. */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const f = join(d, e);
      if (statSync(f).isDirectory()) walk(f);
      else out.set(f, sha(f));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Leftover temporary files (.<name>.<pid>.<n>.tmp) under `dir`. */
export function temps(dir: string): string[] {
  return [...hashTree(dir).keys()].filter((f) => /\.tmp$/.test(f));
}
