import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { readBands, readRasterInfo, writeGeoTIFF } from '../../src/io/geotiff.js';
import { Grid } from '../../src/io/grid.js';
import { parseLeasModel } from '../../src/models/leas.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-plus-'));
const W = 53, H = 41;
const grid: Grid = { width: W, height: H, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 255 };
const T0 = join(dir, 't0.tif'), T1 = join(dir, 't1.tif'), A = join(dir, 'a.tif'), B = join(dir, 'b.tif'), C = join(dir, 'c.tif'), F = join(dir, 'f.tif');

beforeAll(async () => {
  const n = W * H;
  const t0 = new Uint8Array(n), t1 = new Uint8Array(n), a = new Float32Array(n), b = new Float32Array(n);
  let s = 5;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    a[i] = 100 * u();
    b[i] = 50 * u();
    t0[i] = u() < 0.03 ? 3 : u() < 0.5 ? 1 : 2; // codes 1, 2, 3 (3 rare at T0)
    // class 3 expands where a > 80, class 2 where b > 45 (from 1)
    t1[i] = a[i] > 80 && t0[i] !== 3 ? 3 : t0[i] === 1 && b[i] > 45 ? 2 : t0[i];
    if (i % 97 === 0) a[i] = NaN;
    if (i % 89 === 0) t0[i] = 255;
  }
  await writeGeoTIFF(T0, { grid, dtype: 'uint8', data: t0 });
  await writeGeoTIFF(T1, { grid, dtype: 'uint8', data: t1 });
  await writeGeoTIFF(A, { grid: { ...grid, nodata: NaN }, dtype: 'float32', data: a });
  await writeGeoTIFF(B, { grid: { ...grid, nodata: -1 }, dtype: 'float32', data: b });
  await writeGeoTIFF(C, { grid: { ...grid, width: W - 1 }, dtype: 'float32', data: new Float32Array((W - 1) * H) });
  await writeGeoTIFF(F, { grid, dtype: 'float32', data: new Float32Array(n) });
});

describe('landcarbon plus leas', () => {
  it('trains one forest per class, writes a K-band Float32 GeoTIFF, contributions CSV and JSON; threads 1 == 2 byte for byte', async () => {
    const o1 = join(dir, 'p1.tif'), o2 = join(dir, 'p2.tif'), m = join(dir, 'm.json');
    const r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${B}`, '--out', o1, '--threads', '1', '--trees', '20', '--model-out', m, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.codes).toEqual([1, 2, 3]);
    expect(j.forest.mtry).toBe(1); // floor(sqrt(2))
    const c3 = j.classes[2];
    expect(c3.expanded).toBeGreaterThan(0);
    expect(c3.contributions['a.tif'].mdi).toBeGreaterThan(0.8); // class 3 expands on driver a only
    expect(c3.contributions['a.tif'].permutation).toBeGreaterThan(c3.contributions['b.tif'].permutation);
    expect(j.classes[0].oobAccuracy).toBeNull(); // class 1 never expands
    const csv = readFileSync(join(dir, 'p1_contributions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('class,driver,mdi,permutation_importance,oob_accuracy,positives,negatives');
    expect(csv.length).toBe(1 + 3 * 2);
    const info = await readRasterInfo(o1);
    expect(info.bands).toBe(3);
    const bands = await readBands(o1);
    expect(bands[0].dtype).toBe('float32');
    // class 1 never expanded: P = 0 on valid cells; NaN where a driver or T0 is missing
    expect(bands[0].data[1]).toBe(0);
    expect(Number.isNaN(bands[2].data[97])).toBe(true);
    expect(Number.isNaN(bands[2].data[89])).toBe(true);
    // P_3 high where a > 80 (cell 1 vs mean)
    const model = parseLeasModel(readFileSync(m, 'utf8'), m);
    expect(model.classes[2].forest!.T).toBe(20);
    const r2 = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${B}`, '--out', o2, '--threads', '2', '--trees', '20', '--tile-rows', '3');
    expect(r2.code).toBe(0);
    expect(r2.out).toMatch(/class 3: \d+ cells expanded, .* OOB accuracy \d+\.\d\d %/);
    expect(r2.out).toMatch(/class 1: never expanded, development probability 0/);
    const b2 = await readBands(o2);
    for (let k = 0; k < 3; k++) expect(Buffer.from((b2[k].data as Float32Array).buffer).equals(Buffer.from((bands[k].data as Float32Array).buffer))).toBe(true);
  });

  it('runs on the block plan: byte-identical output and model for any block size; a too-small --memory is refused', async () => {
    const ref = join(dir, 'blk0.tif'), refM = join(dir, 'blk0.json');
    const base = ['plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${B}`, '--trees', '8', '--seed', '5'];
    let r = await cli(...base, '--out', ref, '--model-out', refM, '--json');
    expect(r.code).toBe(0);
    const j0 = JSON.parse(r.out);
    const b0 = await readBands(ref);
    for (const rows of ['1', '7']) {
      const out = join(dir, `blk${rows}.tif`), mo = join(dir, `blk${rows}.json`);
      r = await cli(...base, '--out', out, '--model-out', mo, '--block-rows', rows, '--json', '--threads', '2');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.samples).toEqual(j0.samples);
      expect(readFileSync(mo, 'utf8')).toBe(readFileSync(refM, 'utf8'));
      const b = await readBands(out);
      for (let k = 0; k < 3; k++) expect(Buffer.from((b[k].data as Float32Array).buffer).equals(Buffer.from((b0[k].data as Float32Array).buffer))).toBe(true);
    }
    const out = join(dir, 'blk-small.tif');
    r = await cli(...base, '--out', out, '--memory', '16M');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/plus leas \(sampling\): --memory 16 MiB is too small for a 53-column raster: .*give --memory \d+M or more/);
    expect(existsSync(out)).toBe(false);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['--memory 1x', ['--memory', '1x'], /--memory: expected a size like 512M, 4G or 1.5G \(binary units K, M, G, T\), got "1x"/],
    ['--block-rows 0', ['--block-rows', '0'], /--block-rows: expected an integer >= 1 \(at most 2\^53 - 1\), got 0/],
    ['--trees 0', ['--trees', '0'], /--trees: expected an integer in \[1, 100000\], got 0/],
    ['--sample-rate 0', ['--sample-rate', '0'], /--sample-rate: expected a number in \[5e-324, 1\], got 0/],
    ['--sample-rate 2', ['--sample-rate', '2'], /--sample-rate: expected a number in \[5e-324, 1\], got 2/],
    ['--mtry 3 of 2 drivers', ['--mtry', '3'], /--mtry: expected an integer in \[1, 2\], got 3/],
    ['--mtry x', ['--mtry', 'x'], /--mtry: expected an integer, got "x"/],
    ['--min-leaf 0', ['--min-leaf', '0'], /--min-leaf: expected an integer >= 1/],
    ['--max-depth -1', ['--max-depth', '-1'], /--max-depth: expected an integer in \[0, 512\], got -1/],
    ['--seed -1', ['--seed', '-1'], /--seed: expected an integer >= 0/],
    ['--min-per-stratum -1', ['--min-per-stratum', '-1'], /--min-per-stratum: expected an integer >= 0/],
    ['--max-samples 0', ['--max-samples', '0'], /--max-samples: expected an integer in \[1, 8388608\], got 0/],
    ['--threads 0', ['--threads', '0'], /--threads: expected an integer in \[1, 256\], got 0/],
    ['--tile-rows 0', ['--tile-rows', '0'], /--tile-rows: expected an integer >= 1/],
  ];
  for (const [name, extra, msg] of bad) {
    it(`rejects ${name} (exit 2)`, async () => {
      const out = join(dir, 'bad.tif');
      const r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${B}`, '--out', out, ...extra);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('rejects bad inputs with one line naming the file (exit 2)', async () => {
    const out = join(dir, 'bad2.tif');
    let r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${C}`, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/c\.tif: grid 52x41 .* does not match .*t0\.tif 53x41/);
    r = await cli('plus', 'leas', '--from', T0, '--to', F, '--drivers', A, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/f\.tif: land-use map must have integer class codes, got float32/);
    r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', ' , ', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--drivers: expected a comma-separated list of rasters, got none/);
    r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', A, '--out', A);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*a\.tif: is the same file as the input --drivers/);
    r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', A, '--out', out, '--model-out', T0);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--model-out .*t0\.tif: is the same file as the input --from/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('landcarbon simulate --model plus and accuracy --patches', () => {
  const P = join(dir, 'dev.tif'), DEM = join(dir, 'demand.csv');
  let demand: number[] = [];
  beforeAll(async () => {
    const r = await cli('plus', 'leas', '--from', T0, '--to', T1, '--drivers', `${A},${B}`, '--out', P, '--threads', '1', '--trees', '10');
    expect(r.code).toBe(0);
    // demand: 130 cells from class 1 to class 3 (of the ~360 cells T1 gained; P_3 is 0 where no
    // cell expanded, so the whole T1 change is not reachable from T0 in a few iterations)
    const t0 = (await readBands(T0))[0].data;
    const c = [0, 0, 0];
    for (let i = 0; i < t0.length; i++) if (t0[i] !== 255) c[t0[i] - 1]++;
    c[0] -= 130;
    c[2] += 130;
    demand = c;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(DEM, `year,1,2,3\n2010,${c.join(',')}\n`);
  });

  it('meets the demand with CARS; threads 1 == 2; accuracy --patches reports patches observed vs simulated', async () => {
    const s1 = join(dir, 's1.tif'), s2 = join(dir, 's2.tif');
    const base = ['simulate', '--model', 'plus', '--landuse', T0, '--prob', P, '--demand', DEM, '--seed', '4', '--seed-percentage', '0.01', '--expansion-coefficient', '0.3', '--patch-threshold', '0.5', '--decay', '0.8'];
    const r = await cli(...base, '--out', s1, '--threads', '1');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/simulate 2010: demand met/);
    expect(r.err).toMatch(/PLUS CARS, seed 4/);
    const r2 = await cli(...base, '--out', s2, '--threads', '2', '--tile-rows', '5', '--quiet');
    expect(r2.code).toBe(0);
    const a = (await readBands(s1))[0].data as Uint8Array, b = (await readBands(s2))[0].data as Uint8Array;
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const acc = await cli('accuracy', '--start', T0, '--observed', T1, '--simulated', s1, '--patches', '--json');
    expect(acc.code).toBe(0);
    const j = JSON.parse(acc.out);
    expect(j.patches.observed.map((c: { code: number }) => c.code)).toEqual([1, 2, 3]);
    expect(j.patches.simulated.map((p: { cells: number }) => p.cells)).toEqual(demand); // demand met: the patches cover every cell of each class
    expect(j.patches.simulated[2].patches).toBeGreaterThan(0);
    const txt = await cli('accuracy', '--start', T0, '--observed', T1, '--simulated', s1, '--patches');
    expect(txt.out).toMatch(/patches \(8-connected, cells\)/);
    expect(txt.out).toMatch(/\n  3  \d+ \/ \d+\.\d \/ \d+   \d+ \/ \d+\.\d \/ \d+/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['--patch-threshold 0', ['--patch-threshold', '0'], /--patch-threshold: expected a number in \(0, 1\], got 0/],
    ['--patch-threshold 2', ['--patch-threshold', '2'], /--patch-threshold: expected a number in \[0, 1\], got 2/],
    ['--expansion-coefficient -1', ['--expansion-coefficient', '-1'], /--expansion-coefficient: expected a number in \[0, 1\], got -1/],
    ['--seed-percentage x', ['--seed-percentage', 'x'], /--seed-percentage: expected a finite number, got "x"/],
    ['--decay 1', ['--decay', '1'], /--decay: expected a number in \(0, 1\), got 1/],
    ['--model plus --update flus', ['--update', 'flus'], /--update flus: the official FLUS sweep applies to --model flus only/],
    ['--model other', ['--model', 'other'], /option '--model <m>' argument 'other' is invalid/],
  ];
  for (const [name, extra, msg] of bad) {
    it(`simulate rejects ${name} (exit 2)`, async () => {
      const out = join(dir, 'sbad.tif');
      const r = await cli('simulate', '--model', 'plus', '--landuse', T0, '--prob', P, '--demand', DEM, '--out', out, ...extra);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    });
  }
});
