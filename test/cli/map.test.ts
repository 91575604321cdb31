import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import { polygonize } from '../../src/pipeline/report/polygonize.js';
import { unitsGeoJson } from '../../src/pipeline/report/geojson.js';
import type { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-map-'));
const grid: Grid = { width: 40, height: 30, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 0 };
const lu = join(dir, 'lu.tif'), dem = join(dir, 'dem.tif'), units = join(dir, 'units.geojson');

beforeAll(async () => {
  const a = new Uint8Array(40 * 30).map((_, i) => 1 + ((i % 40) >> 3) % 3);
  a[0] = 0;
  await writeGeoTIFF(lu, { grid, dtype: 'uint8', data: a });
  await writeGeoTIFF(dem, { grid: { ...grid, nodata: null }, dtype: 'float32', data: new Float32Array(40 * 30).map((_, i) => i * 0.5) });
  writeFileSync(units, unitsGeoJson(grid, polygonize(a, 40, 30, 0), (c) => ({ unit: c, value: c * 10, kind: c % 2 ? 'odd' : 'even' })));
});

describe('landcarbon map', () => {
  it('a class raster as SVG: class names from --classes, legend, scale bar, north arrow, CRS, title', async () => {
    const out = join(dir, 'lu.svg');
    const r = await cli('map', lu, '--out', out, '--classes', '1=cropland,2=forest,3=water', '--title', 'Land use');
    expect(r.code, r.err).toBe(0);
    const svg = readFileSync(out, 'utf8');
    for (const s of ['>Land use<', '>cropland<', '>forest<', '>water<', 'class="scalebar"', 'class="north"', 'CRS: EPSG:32650', 'data:image/png;base64,']) expect(svg).toContain(s);
  });

  it('a continuous raster and a layer filled by a numeric or text field, as PNG', async () => {
    for (const [input, extra] of [[dem, []], [units, ['--field', 'value']], [units, ['--field', 'kind']]] as Array<[string, string[]]>) {
      const out = join(dir, `f${extra.join('')}.png`);
      const r = await cli('map', input, '--out', out, ...extra);
      expect(r.code, r.err).toBe(0);
      const png = readFileSync(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThan(500); // width at --scale 2
    }
    // a finished figure (a report's figures/*.svg) to PNG
    const fromSvg = join(dir, 'lu-from-svg.png');
    const r2 = await cli('map', join(dir, 'lu.svg'), '--out', fromSvg, '--scale', '1');
    expect(r2.code, r2.err).toBe(0);
    expect(readFileSync(fromSvg).subarray(1, 4).toString()).toBe('PNG');
    const svg = join(dir, 'kind.svg');
    await cli('map', units, '--out', svg, '--field', 'kind');
    expect(readFileSync(svg, 'utf8')).toMatch(/>odd<.*>even<|>even<.*>odd</s);
  });

  it('bad options and inputs: one line naming the value, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[lu, '--out', join(dir, 'x.jpg')], /--out: expected a \.svg or \.png file, got ".*x\.jpg"/],
      [[lu, '--out', join(dir, 'x.svg'), '--scale', '0'], /--scale: expected a number in \[0.25, 8\], got "0"/],
      [[lu, '--out', join(dir, 'x.svg'), '--classes', 'cropland'], /--classes: expected code=name pairs/],
      [[lu, '--out', join(dir, 'x.svg'), '--classes', '1=cropland'], /lu\.tif: class codes 2, 3 have no name in --classes/],
      [[lu, '--out', join(dir, 'x.svg'), '--field', 'v'], /--field applies to vector layers/],
      [[units, '--out', join(dir, 'x.svg'), '--field', 'nope'], /units\.geojson: field "nope" not found \(has: unit, value, kind\)/],
      [[units, '--out', join(dir, 'x.svg'), '--classes', '1=a'], /--classes applies to rasters/],
      [[join(dir, 'none.tif'), '--out', join(dir, 'x.svg')], /none\.tif: no such file/],
      [[join(dir, 'lu.svg'), '--out', join(dir, 'x.png'), '--title', 'T'], /--field, --classes and --title apply to rasters and layers; .*lu\.svg is a finished figure/],
      [[join(dir, 'fake.svg'), '--out', join(dir, 'x.png')], /fake\.svg: not an SVG file \(expected it to start with <svg\)/],
      [[join(dir, 'notes.txt'), '--out', join(dir, 'x.svg')], /notes\.txt: expected a GeoTIFF \(\.tif\), a GeoJSON layer \(\.geojson\) or a report figure \(\.svg\), got \.txt/],
    ];
    writeFileSync(join(dir, 'fake.svg'), 'not a figure');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    for (const [args, re] of cases) {
      const r = await cli('map', ...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});
