import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { writeGeoTIFF, readRaster } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';


const dir = mkdtempSync(join(tmpdir(), 'lc-simulate-cli-'));
const W = 48, H = 36;
const grid = (nodata: number | null): Grid => ({ width: W, height: H, transform: [0, 30, 0, 1080, 0, -30], crs: { epsg: 32650 }, nodata });
const LU = join(dir, 'lu.tif'), PROB = join(dir, 'prob.tif'), PROB2 = join(dir, 'prob2.tif'), RESTR = join(dir, 'restr.tif');
const DEM = join(dir, 'demand.csv');
let counts: Record<number, number> = {};
let lu: Uint8Array;

beforeAll(async () => {
  const key = new RngKey(77, 0);
  let q = 0;
  const rnd = () => rngF64(key, q++);
  // codes 10 / 20 / 30 in 6x6 blocks, a NoData border column
  const blocks = Array.from({ length: 8 * 6 }, () => [10, 20, 30][Math.floor(rnd() * 3)]);
  lu = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) lu[y * W + x] = x === 0 ? 255 : blocks[Math.floor(y / 6) * 8 + Math.floor(x / 6)];
  counts = { 10: 0, 20: 0, 30: 0 };
  for (const v of lu) if (v !== 255) counts[v]++;
  await writeGeoTIFF(LU, { grid: grid(255), dtype: 'uint8', data: lu });
  const bands = [0, 1, 2].map(() => ({ grid: grid(null), dtype: 'float32' as const, data: Float32Array.from({ length: W * H }, () => rnd()) }));
  await writeGeoTIFF(PROB, bands);
  await writeGeoTIFF(PROB2, bands.slice(0, 2));
  await writeGeoTIFF(RESTR, { grid: grid(255), dtype: 'uint8', data: Uint8Array.from({ length: W * H }, (_, i) => (i % W < 6 ? 1 : 0)) });
  const d1 = [counts[10] - 40, counts[20] + 50, counts[30] - 10];
  const d2 = [counts[10] - 80, counts[20] + 100, counts[30] - 20];
  writeFileSync(DEM, `year,10,20,30\n2020,${d1.join(',')}\n2030,${d2.join(',')}\n`);
});

async function countsOf(path: string): Promise<number[]> {
  const r = await readRaster(path);
  const c = [0, 0, 0];
  for (const v of r.data) if (v !== 255) c[[10, 20, 30].indexOf(v)]++;
  return c;
}

describe('landcarbon simulate', () => {
  it('meets each year\'s demand, writes one map per year, keeps restricted cells; progress on stderr', async () => {
    const out = join(dir, 'sim.tif');
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--restricted', RESTR, '--out', out, '--seed', '5', '--threads', '1');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/simulate 2030: iteration 1: gap 10 -\d+, 20 \+\d+, 30 -?\d+/);
    expect(r.err).toMatch(/simulate 2030: demand met/);
    expect(existsSync(join(dir, 'sim_2020.tif'))).toBe(true);
    expect(await countsOf(join(dir, 'sim_2020.tif'))).toEqual([counts[10] - 40, counts[20] + 50, counts[30] - 10]);
    expect(await countsOf(out)).toEqual([counts[10] - 80, counts[20] + 100, counts[30] - 20]);
    const m = await readRaster(out);
    for (let i = 0; i < W * H; i++) if (i % W < 6) expect(m.data[i]).toBe(lu[i]);
  });

  it('--threads 1 and 2, different --tile-rows: identical maps; --quiet prints nothing', async () => {
    const a = join(dir, 'a.tif'), b = join(dir, 'b.tif');
    const ra = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--out', a, '--seed', '9', '--threads', '1', '--quiet');
    const rb = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--out', b, '--seed', '9', '--threads', '2', '--tile-rows', '5', '--quiet');
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(ra.err + rb.err).toBe('');
    const [ma, mb] = [await readRaster(a), await readRaster(b)];
    expect(Buffer.from(ma.data.buffer).equals(Buffer.from(mb.data.buffer))).toBe(true);
  });

  it('scenario: conversion matrix and seed from YAML; --update flus runs', async () => {
    const sc = join(dir, 's.yaml');
    writeFileSync(sc, `classes:\n  - {code: 10, name: forest}\n  - {code: 20, name: built}\n  - {code: 30, name: other}\nweights: [0.5, 1, 0.5]\nconversion:\n  rows: current\n  matrix:\n    - [1, 1, 1]\n    - [0, 1, 0]\n    - [1, 1, 1]\nseed: 3\n`);
    const out = join(dir, 'f.tif');
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--scenario', sc, '--out', out, '--update', 'flus', '--threads', '1');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/flus update, seed 3/);
    const m = await readRaster(out);
    for (let i = 0; i < W * H; i++) if (lu[i] === 20) expect(m.data[i]).toBe(20); // built never converts
  });

  it('probability bands that do not match the classes: exit 2 naming the file and both numbers', async () => {
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB2, '--demand', DEM, '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`landcarbon simulate: ${PROB2}: 2 probability band(s) but ${LU} has 3 classes (10, 20, 30)\n`);
  });

  it('infeasible demand under the conversion matrix: exit 2', async () => {
    const sc = join(dir, 'frozen.yaml');
    // nothing may become built (column 2 is 0 except the diagonal)
    writeFileSync(sc, `classes:\n  - {code: 10, name: forest}\n  - {code: 20, name: built}\n  - {code: 30, name: other}\nconversion:\n  rows: current\n  matrix:\n    - [1, 0, 1]\n    - [1, 1, 1]\n    - [1, 0, 1]\n`);
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--scenario', sc, '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/demand.csv: year 2020: demand cannot be met under the conversion matrix: only 0 of the 50 cells that must change/);
    expect(existsSync(join(dir, 'x.tif'))).toBe(false);
  });

  it('a demand row not summing to the valid cells: exit 2', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `year,10,20,30\n2020,${counts[10]},${counts[20]},${counts[30] + 1}\n`);
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', bad, '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad.csv: year 2020: demand sums to \d+ cells, expected \d+ \(valid cells of the land-use map\)/);
  });

  it('restricted raster with a value other than 0/1: exit 2', async () => {
    const rr = join(dir, 'r2.tif');
    await writeGeoTIFF(rr, { grid: grid(255), dtype: 'uint8', data: new Uint8Array(W * H).fill(2) });
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--restricted', rr, '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/r2.tif: value 2 at row 0, column 0: expected 0 \(free\) or 1 \(restricted\)/);
  });

  it('no demand at all: exit 2', async () => {
    const r = await cli('simulate', '--landuse', LU, '--prob', PROB, '--out', join(dir, 'x.tif'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/demand: give --demand <file>, or "demand" \/ "markov" in the scenario/);
  });

  it('--prob-memory uint16 meets the demand; forced block groups (LANDCARBON_GROUP_ROWS) give the same map; bad type and flus + uint16: exit 2', async () => {
    const a = join(dir, 'u16a.tif'), b = join(dir, 'u16b.tif');
    const ra = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--restricted', RESTR, '--out', a, '--seed', '4', '--threads', '2', '--prob-memory', 'uint16');
    expect(ra.code).toBe(0);
    expect(ra.err).toMatch(/suitability uint16 in memory/);
    expect(await countsOf(a)).toEqual([counts[10] - 80, counts[20] + 100, counts[30] - 20]);
    process.env.LANDCARBON_GROUP_ROWS = '4';
    try {
      const rb = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--restricted', RESTR, '--out', b, '--seed', '4', '--threads', '1', '--prob-memory', 'uint16', '--quiet');
      expect(rb.code).toBe(0);
    } finally {
      delete process.env.LANDCARBON_GROUP_ROWS;
    }
    const c = join(dir, 'u16c.tif');
    const rc = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--restricted', RESTR, '--out', c, '--seed', '4', '--threads', '2', '--prob-memory', 'uint16', '--block-rows', '3', '--memory', '64M', '--quiet');
    expect(rc.code).toBe(0);
    const [ma, mb, mc] = [await readRaster(a), await readRaster(b), await readRaster(c)];
    expect(Buffer.from(ma.data.buffer).equals(Buffer.from(mb.data.buffer))).toBe(true);
    expect(Buffer.from(ma.data.buffer).equals(Buffer.from(mc.data.buffer))).toBe(true);
    const bad = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--out', join(dir, 'x.tif'), '--prob-memory', 'half', '--quiet');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--prob-memory <type>' argument 'half' is invalid. Allowed choices are auto, float32, uint16/);
    const fl = await cli('simulate', '--landuse', LU, '--prob', PROB, '--demand', DEM, '--out', join(dir, 'x.tif'), '--prob-memory', 'uint16', '--update', 'flus', '--quiet');
    expect(fl.code).toBe(2);
    expect(fl.err).toMatch(/--update flus: the official sweep holds float32 suitability for the whole raster in one memory; --prob-memory uint16 was asked \(use the sync update\)/);
  });

  it('no message of the code simulate runs suggests an option simulate does not have', async () => {
    // every "--option" written in the string literals of the modules simulate uses must be one of its options
    const { readFileSync, readdirSync } = await import('node:fs');
    const { Command } = await import('commander');
    const { register } = await import('../../src/cli/simulate.js');
    const program = new Command();
    register(program);
    const own = new Set(program.commands[0].options.map((op) => op.long!));
    const root = new URL('../../src/', import.meta.url).pathname;
    const files = ['cli/simulate.ts', 'cli/common.ts', 'models/flus.ts', 'models/demand.ts', 'models/scenario.ts', 'io/grid.ts', 'errors.ts',
      'kernels/ca.ts', 'kernels/ca.ref.ts', 'kernels/ca-groups.ts', 'kernels/demand.ts', 'kernels/rng.ref.ts',
      ...['tiling', 'wasm', 'io/tiff'].flatMap((d) => readdirSync(root + d).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`))];
    const bad: string[] = [];
    for (const f of files) {
      const code = readFileSync(root + f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments are not messages
      for (const lit of code.matchAll(/(['"`])((?:\\.|(?!\1).)*)\1/g)) {
        for (const m of lit[2].matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) if (!own.has(m[0]) && !['--import', '--no-liftoff'].includes(m[0]) /* node / V8 flags */) bad.push(`${f}: ${m[0]} in ${lit[0].slice(0, 80)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(own.has('--tile-rows')).toBe(true); // the scan sees the options
  });
});
