/**
 * The bad-input catalogue (issue 11): each case is one wrong command line a new user could type.
 * Every case must give exit code 2, exactly one line on stderr naming the file or value, no
 * output left behind, and every input byte-identical afterwards (SHA-256 of every file under the
 * fixture folder, before and after; outputs would go under that folder too, so "no new file"
 * is the same check). The CLI runs in process (test/cli/helpers.ts), so the catalogue is fast.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli } from './helpers.js';
import { makeFixture, hashTree, type Fixture } from './fixture.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';

let F: Fixture;
let X: (name: string) => string; // extra inputs made for the catalogue
let O: (name: string) => string; // output paths (must never appear)

beforeAll(async () => {
  F = await makeFixture('lc-bad-');
  const x = join(F.dir, 'x');
  mkdirSync(x);
  X = (n) => join(x, n);
  O = (n) => join(F.dir, 'out', n);
  const lu = await readRaster(F.p('landuse_2020.tif'));
  // a 32 x 32 crop: a grid that matches nothing
  const w = 32;
  const crop = new Uint8Array(w * w);
  for (let r = 0; r < w; r++) crop.set((lu.data as Uint8Array).subarray(r * 64, r * 64 + w), r * w);
  await writeGeoTIFF(X('small.tif'), { grid: { ...lu.grid, width: w, height: w }, dtype: 'uint8', data: crop });
  const prob = await import('../../src/io/geotiff.js').then((m) => m.readBands(F.prob));
  await writeGeoTIFF(X('prob2.tif'), prob.slice(0, 2));
  writeFileSync(X('nocode.csv'), 'kode,name,coefficient\n1,cropland,0.42\n');
  writeFileSync(X('edges.csv'), 'a,b\n1,2\n');
  writeFileSync(X('edges_ok.csv'), 'from,to\n1,2\n2,3\n');
  writeFileSync(X('table.csv'), 'unit,ce,cs,gdp,x\n1,10,2,5,1\n2,20,1,6,2\n3,5,4,7,3\n4,8,3,2,4\n');
  writeFileSync(X('text.tif'), 'this is not a TIFF\n');
  writeFileSync(X('inventory.csv'), 'sector,activity,amount,factor\nindustry,coal,1234.5,2.66\n');
  writeFileSync(X('allocation.csv'), 'sector,classes,weight\nindustry,5,area\n');
  copyFileSync(F.p('units.csv'), X('units.csv'));
});

interface Case {
  name: string;
  args: () => string[];
  /** what the one line must contain: the file or the value */
  names: () => string | RegExp;
}

const c = (name: string, args: () => string[], names: () => string | RegExp): Case => ({ name, args, names });

const CASES: Case[] = [
  // sample
  c('sample --size below 64', () => ['sample', '--out', O('s'), '--size', '10'], () => /--size: .*got 10/),
  c('sample --seed negative', () => ['sample', '--out', O('s'), '--seed', '-1'], () => /--seed: .*got -1/),
  c('sample --out is a file', () => ['sample', '--out', F.coefficients], () => /coefficients\.csv exists and is a file/),
  // info
  c('info: missing file', () => ['info', X('nope.tif')], () => /nope\.tif: file not found/),
  c('info: not a TIFF', () => ['info', X('text.tif')], () => /text\.tif: /),
  // zonal
  c('zonal: float zones', () => ['zonal', '--zones', F.p('dem.tif'), '--classes', F.p('landuse_2020.tif'), '--out', O('z.csv')], () => /dem\.tif: zone raster must hold integer/),
  c('zonal: grid mismatch', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', X('small.tif'), '--out', O('z.csv')], () => /small\.tif: grid 32x32/),
  c('zonal: --out is --zones', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', F.p('zones.tif')], () => /--out .*zones\.tif: is the same file as the input --zones/),
  c('zonal: 3-band classes', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.multiband, '--out', O('z.csv')], () => /lu3\.tif: 3 bands/),
  c('zonal: --pixel-area-ha 0', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--pixel-area-ha', '0', '--out', O('z.csv')], () => /--pixel-area-ha: .*got 0/),
  c('zonal: --out under a file', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', join(F.p('units.csv'), 'z.csv')], () => /units\.csv is a file, not a directory/),
  c('zonal: --values missing file', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--values', X('nope.tif'), '--out', O('z.csv')], () => /nope\.tif: file not found/),
  // markov
  c('markov: years not increasing', () => ['markov', '--from', F.p('landuse_2000.tif'), '--to', F.p('landuse_2010.tif'), '--years', '2010,2000', '--target-year', '2020', '--out', O('d.csv')], () => /--years/),
  c('markov: target year before t1', () => ['markov', '--from', F.p('landuse_2000.tif'), '--to', F.p('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '1990', '--out', O('d.csv')], () => /1990/),
  c('markov: --out is --from', () => ['markov', '--from', F.p('landuse_2000.tif'), '--to', F.p('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020', '--out', F.p('landuse_2000.tif')], () => /--out .*landuse_2000\.tif: is the same file as the input --from/),
  c('markov: grid mismatch', () => ['markov', '--from', F.p('landuse_2000.tif'), '--to', X('small.tif'), '--years', '2000,2010', '--target-year', '2020', '--out', O('d.csv')], () => /small\.tif/),
  c('markov: unknown scenario', () => ['markov', '--from', F.p('landuse_2000.tif'), '--to', F.p('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020', '--scenario', 'greenest', '--out', O('d.csv')], () => /greenest/),
  // suitability
  c('suitability: no --landuse and no --model', () => ['suitability', '--drivers', F.p('dem.tif'), '--out', O('p.tif')], () => /--landuse/),
  c('suitability: --sample-rate 2', () => ['suitability', '--landuse', F.p('landuse_2020.tif'), '--drivers', F.p('dem.tif'), '--sample-rate', '2', '--out', O('p.tif')], () => /--sample-rate.*2/),
  c('suitability: --out is a driver', () => ['suitability', '--landuse', F.p('landuse_2020.tif'), '--drivers', `${F.p('dem.tif')},${F.p('slope.tif')}`, '--out', F.p('slope.tif')], () => /--out .*slope\.tif: is the same file as the input --drivers/),
  c('suitability: driver grid mismatch', () => ['suitability', '--landuse', F.p('landuse_2020.tif'), '--drivers', `${F.p('dem.tif')},${X('small.tif')}`, '--out', O('p.tif')], () => /small\.tif/),
  c('suitability: --model-out is --landuse', () => ['suitability', '--landuse', F.p('landuse_2020.tif'), '--drivers', F.p('dem.tif'), '--model-out', F.p('landuse_2020.tif'), '--out', O('p.tif')], () => /--model-out .*landuse_2020\.tif: is the same file as the input --landuse/),
  // simulate
  c('simulate: prob band count', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', X('prob2.tif'), '--demand', F.demand, '--out', O('sim.tif')], () => /prob2\.tif: 2 probability band/),
  c('simulate: --tolerance 2', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--tolerance', '2', '--out', O('sim.tif')], () => /--tolerance: .*got 2/),
  c('simulate: --max-iterations 0', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--max-iterations', '0', '--out', O('sim.tif')], () => /--max-iterations: .*got 0/),
  c('simulate: --out is --landuse', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--out', F.p('landuse_2010.tif')], () => /--out .*landuse_2010\.tif: is the same file as the input --landuse/),
  c('simulate: --out where it cannot be written', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--out', '/proc/sys/landcarbon/sim.tif'], () => /\/proc\/sys\/landcarbon\/sim\.tif: cannot write/),
  c('simulate: missing demand file', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', X('nope.csv'), '--out', O('sim.tif')], () => /nope\.csv/),
  c('simulate: 3-band restricted', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--restricted', F.multiband, '--out', O('sim.tif')], () => /lu3\.tif: 3 bands/),
  // accuracy
  c('accuracy: grid mismatch', () => ['accuracy', '--start', F.p('landuse_2000.tif'), '--observed', F.p('landuse_2010.tif'), '--simulated', X('small.tif')], () => /small\.tif/),
  c('accuracy: --out is --start', () => ['accuracy', '--start', F.p('landuse_2000.tif'), '--observed', F.p('landuse_2010.tif'), '--simulated', F.p('landuse_2020.tif'), '--out', F.p('landuse_2000.tif')], () => /--out .*landuse_2000\.tif: is the same file as the input --start/),
  c('accuracy: 3-band observed', () => ['accuracy', '--start', F.p('landuse_2000.tif'), '--observed', F.multiband, '--simulated', F.p('landuse_2020.tif')], () => /lu3\.tif: 3 bands/),
  // carbon
  c('carbon emissions: missing column', () => ['carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', X('nocode.csv'), '--out', O('e')], () => /nocode\.csv: .*code/),
  c('carbon emissions: --unit bogus', () => ['carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--unit', 'kg', '--out', O('e')], () => /kg/),
  c('carbon emissions: --out is the coefficient table', () => ['carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--out', F.coefficients], () => /coefficients\.csv exists and is a file/),
  c('carbon storage: missing pools file', () => ['carbon', 'storage', '--landuse', F.p('landuse_2020.tif'), '--pools', X('nope.csv'), '--out', O('st')], () => /nope\.csv/),
  c('carbon storage: --price without --future', () => ['carbon', 'storage', '--landuse', F.p('landuse_2020.tif'), '--pools', F.pools, '--price', '10', '--out', O('st')], () => /--price|--future/),
  c('carbon spatialize: --weight without NAME=FILE', () => ['carbon', 'spatialize', '--landuse', F.p('landuse_2020.tif'), '--inventory', X('inventory.csv'), '--allocation', X('allocation.csv'), '--weight', 'pop', '--out', O('sp')], () => /--weight: expected NAME=FILE, got "pop"/),
  c('carbon nep: missing NDVI file', () => ['carbon', 'nep', '--ndvi', X('nope.tif'), '--temp', F.p('dem.tif'), '--precip', F.p('dem.tif'), '--sol', F.p('dem.tif'), '--w', F.p('dem.tif'), '--vegetation', F.p('landuse_2020.tif'), '--params', F.coefficients, '--out', O('nep')], () => /nope\.tif/),
  // balance, grey
  c('balance: unknown scheme', () => ['balance', '--table', X('table.csv'), '--scheme', 'nosuch', '--out', O('b.csv')], () => /nosuch/),
  c('balance: --out is --table', () => ['balance', '--table', X('table.csv'), '--scheme', 'suzhou', '--out', X('table.csv')], () => /--out .*table\.csv: is the same file as the input --table/),
  c('grey: too few values', () => ['grey', '--series', '1,2'], () => /--series/),
  c('grey: --horizon -1', () => ['grey', '--series', '1,2,3,4,5', '--horizon', '-1'], () => /--horizon.*-1/),
  // network, centrality
  c('network: bad --threshold', () => ['network', '--units', X('units.csv'), '--threshold', 'most', '--out', O('n')], () => /most/),
  c('network: --out is the units table', () => ['network', '--units', X('units.csv'), '--threshold', 'top:1%', '--out', X('units.csv')], () => /units\.csv exists and is a file/),
  c('centrality: missing from/to columns', () => ['centrality', '--edges', X('edges.csv'), '--out', O('c.csv')], () => /edges\.csv: .*from/),
  c('centrality: --out is --edges', () => ['centrality', '--edges', X('edges_ok.csv'), '--out', X('edges_ok.csv')], () => /--out .*edges_ok\.csv: is the same file as the input --edges/),
  // stats
  c('stats moran: missing field', () => ['stats', 'moran', '--table', X('table.csv'), '--field', 'nosuch', '--knn', '2', '--coords', 'x,ce'], () => /nosuch/),
  c('stats gistar: --out is --table', () => ['stats', 'gistar', '--table', X('table.csv'), '--field', 'ce', '--knn', '2', '--coords', 'x,ce', '--out', X('table.csv')], () => /--out .*table\.csv: is the same file as the input --table/),
  c('stats cluster: --k 0', () => ['stats', 'cluster', '--table', X('table.csv'), '--fields', 'ce,cs', '--k', '0', '--out', O('cl')], () => /--k.*0/),
  c('stats ols: missing --y column', () => ['stats', 'ols', '--table', X('table.csv'), '--y', 'nosuch', '--x', 'ce'], () => /nosuch/),
  c('stats moran: --write-weights is --table', () => ['stats', 'moran', '--table', X('table.csv'), '--field', 'ce', '--knn', '2', '--coords', 'x,ce', '--write-weights', X('table.csv')], () => /--write-weights .*table\.csv: is the same file as the input --table/),
  // demo
  c('demo --size below 64', () => ['demo', '--out', O('demo'), '--size', '10'], () => /--size: .*got 10/),
  c('demo --out is a file', () => ['demo', '--out', F.coefficients], () => /coefficients\.csv exists and is a file/),
];

describe('bad-input catalogue: exit 2, one line naming the file or value, no output, inputs unchanged', () => {
  it(`has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((k) => k.args()[0])).size).toBeGreaterThanOrEqual(14); // across commands
  });
  for (const k of CASES) {
    it(k.name, async () => {
      const before = hashTree(F.dir);
      const r = await cli(...k.args());
      const after = hashTree(F.dir);
      expect(r.code, r.err).toBe(2);
      const lines = r.err.trim().split('\n');
      expect(lines, r.err).toHaveLength(1);
      expect(lines[0]).toMatch(k.names());
      expect([...after.keys()].map((f) => relative(F.dir, f)).sort()).toEqual([...before.keys()].map((f) => relative(F.dir, f)).sort());
      for (const [f, h] of before) expect(after.get(f), `${f} changed`).toBe(h);
    });
  }
});
