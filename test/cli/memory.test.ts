// --memory and the hidden --block-rows on every raster command: validated by message, and
// outputs byte-identical for any block size (blocks forced to a few rows).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lc-memory-'));
const grid: Grid = { width: 37, height: 29, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 255 };
const LU = join(tmp, 'lu.tif');
const ZONES = join(tmp, 'zones.tif');
const VAL = join(tmp, 'val.tif');
const COEF = join(tmp, 'coef.csv');

beforeAll(async () => {
  const n = grid.width * grid.height;
  const lu = Uint8Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 255 : 1 + ((i * 7) % 5)));
  const z = Uint16Array.from({ length: n }, (_, i) => 1 + Math.floor(i / grid.width / 10));
  const v = Float32Array.from({ length: n }, (_, i) => (i % 13) * 0.25);
  await writeGeoTIFF(LU, { grid, dtype: 'uint8', data: lu });
  await writeGeoTIFF(ZONES, { grid: { ...grid, nodata: 0 }, dtype: 'uint16', data: z });
  await writeGeoTIFF(VAL, { grid: { ...grid, nodata: -1 }, dtype: 'float32', data: v });
  writeFileSync(COEF, 'code,name,coefficient,unit\n1,crop,0.42,tCO2\n2,forest,-0.58,tCO2\n3,grass,-0.02,tCO2\n4,water,-0.25,tCO2\n5,built,50.1,tCO2\n');
});

/** Each raster command with arguments that run on the files above; `out` is where its output goes. */
const COMMANDS: Array<{ name: string; args: (out: string) => string[]; output: (out: string) => string }> = [
  { name: 'info', args: () => ['info', LU, '--json'], output: () => '' },
  { name: 'sample', args: (out) => ['sample', '--out', out, '--size', '64', '--json'], output: (out) => join(out, 'landuse_2020.tif') },
  {
    name: 'carbon emissions',
    args: (out) => ['carbon', 'emissions', '--landuse', LU, '--coefficients', COEF, '--zones', ZONES, '--out', out, '--threads', '1'],
    output: (out) => ['emissions.tif', 'by_class.csv', 'by_unit.csv', 'summary.json'].map((f) => readFileSync(join(out, f)).toString('base64')).join('|'),
  },
  {
    name: 'suitability',
    args: (out) => ['suitability', '--landuse', LU, '--drivers', `${VAL},${ZONES}`, '--out', join(out, 'p.tif'), '--model-out', join(out, 'm.json'), '--epochs', '3', '--threads', '1', '--json'],
    output: (out) => ['p.tif', 'm.json'].map((f) => readFileSync(join(out, f)).toString('base64')).join('|'),
  },
  { name: 'zonal', args: (out) => ['zonal', '--zones', ZONES, '--classes', LU, '--values', VAL, '--out', join(out, 't.csv'), '--quiet', '--threads', '1'], output: (out) => join(out, 't.csv') },
];

describe('--memory on every raster command', () => {
  for (const c of COMMANDS) {
    it(`${c.name}: a bad --memory is one line, exit 2`, async () => {
      const out = join(tmp, `${c.name}-bad`);
      const r = await cli(...c.args(out), '--memory', 'lots');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--memory: expected a size like 512M, 4G or 1.5G \(binary units K, M, G, T\), got "lots"/);
      const r2 = await cli(...c.args(out), '--memory', '1M');
      expect(r2.code).toBe(2);
      expect(r2.err).toMatch(/--memory: expected at least 16M, got 1M/);
      const r3 = await cli(...c.args(out), '--block-rows', '0');
      expect(r3.code).toBe(2);
      expect(r3.err).toMatch(/--block-rows: expected an integer >= 1/);
    });
    it(`${c.name}: --help states --memory`, async () => {
      const r = await cli(...c.args(tmp).slice(0, c.name.split(' ').length), '--help');
      expect(r.out).toMatch(/--memory <size>\s+memory budget for raster blocks, e\.g\. 512M, 4G/);
      expect(r.out).not.toContain('--block-rows');
    });
    it(`${c.name}: blocks of 1, 2, 5 rows give byte-identical output`, async () => {
      const results: string[] = [];
      for (const rows of ['1', '2', '5', '100000']) {
        const out = join(tmp, `${c.name}-${rows}`);
        const r = await cli(...c.args(out), '--memory', '64M', '--block-rows', rows);
        expect(r.code, r.err).toBe(0);
        const file = c.output(out);
        results.push(file.includes('|') ? file : file ? readFileSync(file).toString('base64') : r.out.replace(/"path":"[^"]*"/, ''));
      }
      for (const x of results) expect(x).toBe(results[0]);
    });
  }
});
