import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { colorMapValues, gdalMetadataXml } from '../../src/io/tiff/metadata.js';
import type { Grid } from '../../src/io/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-md-'));
const grid: Grid = { width: 20, height: 10, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata: 0 };
const classes = [{ code: 1, name: 'cropland', color: [240, 228, 130] as const }, { code: 2, name: 'forest & wood', color: [34, 120, 50] as const }];
const gdal = spawnSync('gdalinfo', ['--version']).status === 0;

describe('GeoTIFF metadata (band descriptions, units, class names, colour table)', () => {
  it('GDAL_METADATA items and the ColorMap tag layout (reds, greens, blues; 8-bit x 257)', () => {
    expect(gdalMetadataXml({ bands: [{ description: 'land use <2020>', unit: 'class code' }], classes: [{ code: 1, name: 'a' }] })).toBe(
      '<GDALMetadata>\n  <Item name="DESCRIPTION" sample="0" role="description">land use &lt;2020&gt;</Item>\n  <Item name="UNITTYPE" sample="0" role="unittype">class code</Item>\n  <Item name="CLASS_1">a</Item>\n</GDALMetadata>',
    );
    const cm = colorMapValues({ classes: [...classes] }, 'uint8', 1)!;
    expect(cm.length).toBe(768);
    expect([cm[1], cm[256 + 1], cm[512 + 1]]).toEqual([240 * 257, 228 * 257, 130 * 257]);
    expect(colorMapValues({ classes: [...classes] }, 'float32', 1)).toBeNull();
    expect(colorMapValues({ classes: [...classes] }, 'uint8', 2)).toBeNull();
  });

  it('a class map reads back the same values and, in GDAL, shows description, unit, categories and colours', async () => {
    const data = new Uint8Array(200).map((_, i) => 1 + (i % 2));
    const f = join(dir, 'lu.tif');
    await writeGeoTIFF(f, { grid, dtype: 'uint8', data }, { metadata: { bands: [{ description: 'land use 2020', unit: 'class code' }], classes: [...classes] } });
    expect(Array.from((await readRaster(f)).data)).toEqual(Array.from(data));
    expect(readFileSync(`${f}.aux.xml`, 'utf8')).toContain('<Category>forest &amp; wood</Category>');
    if (!gdal) return console.log('skipped the GDAL half: gdalinfo is not installed (apt-get install -y gdal-bin)');
    const j = JSON.parse(spawnSync('gdalinfo', ['-json', f], { encoding: 'utf8' }).stdout);
    const b = j.bands[0];
    expect(b.description).toBe('land use 2020');
    expect(b.unit).toBe('class code');
    expect(b.colorInterpretation).toBe('Palette');
    expect(b.categories.slice(1, 3)).toEqual(['cropland', 'forest & wood']);
    expect(b.colorTable.entries[2]).toEqual([34, 120, 50, 255]);
  });

  it('probability bands carry their class in the description (GDAL)', async () => {
    const f = join(dir, 'p.tif');
    await writeGeoTIFF(f, [0, 1].map(() => ({ grid: { ...grid, nodata: NaN }, dtype: 'float32' as const, data: new Float32Array(200) })), { metadata: { bands: ['cropland', 'forest'].map((n) => ({ description: `probability of ${n}`, unit: 'probability (0-1)' })) } });
    expect(existsSync(`${f}.aux.xml`)).toBe(false);
    if (!gdal) return console.log('skipped the GDAL half: gdalinfo is not installed');
    const j = JSON.parse(spawnSync('gdalinfo', ['-json', f], { encoding: 'utf8' }).stdout);
    expect(j.bands.map((b: { description: string }) => b.description)).toEqual(['probability of cropland', 'probability of forest']);
    expect(j.bands[1].unit).toBe('probability (0-1)');
  });
});
