import { describe, it, expect, beforeAll } from 'vitest';
import { itShared } from '../shared-data.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import { cli } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const PIE = join(ROOT, '../shared/data/pie/lu_pie_1985.tif');
const BIN = join(ROOT, 'bin/landcarbon.js');

function landcarbon(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // The CLI runs compiled code: build dist/ when it is missing or older than the sources.
  const built = join(ROOT, 'dist/src/cli/info.js');
  const srcs = ['src/cli/info.ts', 'src/io/geotiff.ts', 'src/io/tiff/reader.ts', 'src/io/tiff/writer.ts', 'src/io/tiff/geokeys.ts'];
  if (!existsSync(built) || srcs.some((s) => statSync(join(ROOT, s)).mtimeMs > statSync(built).mtimeMs)) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
    } catch {
      // tsc exits non-zero on other people's type errors but still emits
    }
  }
});

describe('landcarbon info', () => {
  itShared('pie land use: grid, CRS, NoData and class histogram', () => {
    const r = landcarbon('info', PIE);
    expect(r.code).toBe(0);
    expect(r.out).toContain('size:        497 x 434 (215,698 cells), 1 band, uint8');
    expect(r.out).toContain('origin:      (213729.92125984, 954550.31602709)');
    expect(r.out).toContain('crs:         Lambert Conformal Conic (2SP) (user-defined) (22 GeoKeys)');
    expect(r.out).toContain('layout:      striped, 16 rows per strip, deflate, classic TIFF');
    expect(r.out).toContain('nodata:      255');
    // 49013 + 37122 + 27428 = 113563 valid; 49013 / 113563 = 43.16 %
    expect(r.out).toMatch(/band 1: +113563 valid cells \(52\.65 %\), 102135 NoData; min 1, max 3/);
    expect(r.out).toMatch(/\n +1 +49013 +43\.16 %\n +2 +37122 +32\.69 %\n +3 +27428 +24\.15 %\n/);
  });

  // in-process from here on (spawning node costs seconds on a loaded machine)
  itShared('--json is machine readable', async () => {
    const r = await cli('info', PIE, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ width: 497, height: 434, dtype: 'uint8', bands: 1, nodata: 255, tiled: false, compression: 'deflate' });
    expect(j.crs.geoKeys['3075']).toBe(8);
    expect(j.stats[0].histogram).toEqual([
      { code: 1, cells: 49013, share: 49013 / 113563 },
      { code: 2, cells: 37122, share: 37122 / 113563 },
      { code: 3, cells: 27428, share: 27428 / 113563 },
    ]);
  });

  it('float raster: statistics, no histogram; EPSG CRS of an engine-written file', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'lc-info-')), 'f.tif');
    // values 0.5, 1.5, 2.5 and one NoData: mean (0.5 + 1.5 + 2.5) / 3 = 1.5
    await writeGeoTIFF(p, {
      grid: { width: 2, height: 2, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: -3.4e38 },
      dtype: 'float32',
      data: new Float32Array([0.5, 1.5, 2.5, -3.4e38]),
    });
    const r = await cli('info', p);
    expect(r.code).toBe(0);
    expect(r.out).toContain('crs:         EPSG:32650');
    expect(r.out).toContain('layout:      tiled 256x256, deflate, classic TIFF');
    expect(r.out).toContain('band 1:      3 valid cells (75.00 %), 1 NoData; min 0.5, max 2.5, mean 1.5');
    expect(r.out).not.toContain('code');
  });

  it('missing file: exit 2, one line naming the file', () => {
    const r = landcarbon('info', 'no/such.tif');
    expect(r.code).toBe(2);
    expect(r.err).toBe('landcarbon info: no/such.tif: file not found\n');
    expect(r.out).toBe('');
  });

  it('not a TIFF: exit 2', async () => {
    const r = await cli('info', join(ROOT, 'package.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^landcarbon info: .*package\.json: not a TIFF file \(no II\/MM byte-order mark\)\n$/);
  });
});
