// `landcarbon prepare zones`: equal to gdal_rasterize cell for cell on goldens made by
// test/golden/prepare_golden.py (GDAL 3.6), unit tables in UTF-8, block-size invariance, and
// every bad input refused with one line and exit 2.
import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { itShared, SHARED_DATA } from '../shared-data.js';
import { readRaster } from '../../src/io/geotiff.js';
import { parseCsv } from '../../src/io/table.js';

const G = join(import.meta.dirname, '../golden/prepare');
const tmp = mkdtempSync(join(tmpdir(), 'lc-prepare-zones-'));

async function sameCells(a: string, b: string): Promise<{ diff: number; nonzero: number }> {
  const x = await readRaster(a), y = await readRaster(b);
  expect(x.grid.width).toBe(y.grid.width);
  expect(x.grid.height).toBe(y.grid.height);
  let diff = 0, nonzero = 0;
  for (let i = 0; i < x.data.length; i++) {
    if (x.data[i] !== y.data[i]) diff++;
    if (y.data[i] !== 0) nonzero++;
  }
  return { diff, nonzero };
}

describe('prepare zones equals gdal_rasterize', () => {
  it('WGS 84 GeoJSON units reprojected to UTM 50N (holes, overlaps, a multipolygon, a unit outside)', async () => {
    const out = join(tmp, 'units.tif');
    const r = await cli('prepare', 'zones', join(G, 'units.geojson'), '--like', join(G, 'grid.tif'), '--id', 'ADCODE', '--name', 'NAME', '--out', out);
    expect(r.code, r.err).toBe(0);
    const c = await sameCells(out, join(G, 'zones_units.tif'));
    expect(c).toEqual({ diff: 0, nonzero: 1398 });
    // the unit outside the grid is reported, not silent
    expect(r.err).toMatch(/warning: .*unit 110109 \(Mentougou \(outside\)\) covers no cell centre/);
    const t = parseCsv(readFileSync(join(tmp, 'units.csv'), 'utf8'), 'units.csv');
    expect(t.columns).toEqual(['id', 'name', 'cells', 'pop']);
    const names = t.rows.map((row) => row[1]);
    expect(names).toContain('东城区');
    expect(names).toContain('Chaoyang 朝阳');
    // cells per unit add up to the burned cells; 110109 has none
    expect(t.rows.reduce((s, row) => s + Number(row[2]), 0)).toBe(1398);
    expect(t.rows.find((row) => row[0] === '110109')?.[2]).toBe('0');
    const z = await readRaster(out);
    expect(z.dtype).toBe('uint32'); // ids above 65535
    expect(z.grid.nodata).toBe(0);
  });

  it('the same units as a GBK shapefile (.prj in UTM 50N, .cpg GBK): same cells, same names', async () => {
    const out = join(tmp, 'units_shp.tif');
    const r = await cli('prepare', 'zones', join(G, 'units.shp'), '--like', join(G, 'grid.tif'), '--id', 'ADCODE', '--name', 'NAME', '--out', out, '--table', join(tmp, 'shp_units.csv'));
    expect(r.code, r.err).toBe(0);
    expect(await sameCells(out, join(G, 'zones_units_shp.tif'))).toEqual({ diff: 0, nonzero: 1398 });
    expect(readFileSync(join(tmp, 'shp_units.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'units.csv'), 'utf8'));
  });

  it('edge cases in the grid CRS: vertices on centres and corners, horizontal edges on centre lines, clockwise rings, holes, later units win', async () => {
    const out = join(tmp, 'edges.tif');
    const r = await cli('prepare', 'zones', join(G, 'edges.geojson'), '--like', join(G, 'grid.tif'), '--id', 'id', '--name', 'name', '--out', out, '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(await sameCells(out, join(G, 'zones_edges.tif'))).toEqual({ diff: 0, nonzero: 931 });
    expect((await readRaster(out)).dtype).toBe('uint16');
  });

  it('--all-touched equals gdal_rasterize -at (reprojected units; edge cases, edges on cell boundaries included)', async () => {
    for (const [file, id, golden, nonzero] of [['units.geojson', 'ADCODE', 'zones_units_at.tif', 1495], ['edges.geojson', 'id', 'zones_edges_at.tif', 1031]] as const) {
      const out = join(tmp, `at_${golden}`);
      const r = await cli('prepare', 'zones', join(G, file), '--like', join(G, 'grid.tif'), '--id', id, '--all-touched', '--out', out, '--quiet', '--block-rows', '5');
      expect(r.code, r.err).toBe(0);
      expect(await sameCells(out, join(G, golden))).toEqual({ diff: 0, nonzero });
    }
  });

  it('output bytes do not depend on the block size', async () => {
    const ref = readFileSync(join(tmp, 'edges.tif'));
    for (const rows of ['1', '7']) {
      const out = join(tmp, `edges_${rows}.tif`);
      const r = await cli('prepare', 'zones', join(G, 'edges.geojson'), '--like', join(G, 'grid.tif'), '--id', 'id', '--out', out, '--quiet', '--block-rows', rows);
      expect(r.code, r.err).toBe(0);
      expect(await sameCells(out, join(G, 'zones_edges.tif'))).toEqual({ diff: 0, nonzero: 931 });
      expect(readFileSync(out).equals(ref)).toBe(true);
    }
  });

  itShared('pie: six townships in WGS 84 on the Lambert Conformal Conic grid of pie', async () => {
    const out = join(tmp, 'pie_zones.tif');
    const r = await cli('prepare', 'zones', join(G, 'pie_units.geojson'), '--like', join(SHARED_DATA, 'pie/lu_pie_1985.tif'), '--id', 'town_id', '--name', 'town', '--out', out, '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(await sameCells(out, join(G, 'pie_zones.tif'))).toEqual({ diff: 0, nonzero: 215698 }); // 497 x 434 = 215698: the townships tile the grid
  });
});

describe('prepare zones refuses bad input with one line and exit 2', () => {
  const units = JSON.parse(readFileSync(join(G, 'units.geojson'), 'utf8'));
  function variant(name: string, edit: (fc: any) => void): string {
    const fc = structuredClone(units);
    edit(fc);
    const p = join(tmp, name);
    writeFileSync(p, JSON.stringify(fc));
    return p;
  }
  async function refused(file: string, args: string[], re: RegExp) {
    const out = join(tmp, 'bad.tif');
    const r = await cli('prepare', 'zones', file, '--like', join(G, 'grid.tif'), '--out', out, ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(re);
    expect(existsSync(out)).toBe(false);
  }
  it('a missing --id field, listing the fields there are', () =>
    refused(join(G, 'units.geojson'), ['--id', 'code'], /units\.geojson: id attribute "code" not found \(has: ADCODE, NAME, pop\)/));
  it('a missing --name field', () => refused(join(G, 'units.geojson'), ['--id', 'ADCODE', '--name', 'nom'], /name attribute "nom" not found \(has: ADCODE, NAME, pop\)/));
  it('a duplicate id', () =>
    refused(variant('dup.geojson', (fc) => (fc.features[3].properties.ADCODE = 110101)), ['--id', 'ADCODE'], /dup\.geojson: feature 3: ADCODE = 110101 also in feature 0 \(expected unique unit ids\)/));
  it('a non-integer id', () =>
    refused(variant('frac.geojson', (fc) => (fc.features[1].properties.ADCODE = 12.5)), ['--id', 'ADCODE'], /frac\.geojson: feature 1: ADCODE = 12\.5 \(expected a whole number in \[1, 4294967295\]/));
  it('an id of 0 (the zone NoData)', () =>
    refused(variant('zero.geojson', (fc) => (fc.features[1].properties.ADCODE = 0)), ['--id', 'ADCODE'], /feature 1: ADCODE = 0 \(expected a whole number in \[1, 4294967295\]/));
  it('a non-polygon geometry', () =>
    refused(variant('point.geojson', (fc) => (fc.features[2].geometry = { type: 'Point', coordinates: [117, 31] })), ['--id', 'ADCODE'], /point\.geojson: feature 2 \(ADCODE 110105\): geometry type Point \(expected Polygon or MultiPolygon: units are areas\)/));
  it('an empty geometry', () =>
    refused(variant('empty.geojson', (fc) => (fc.features[2].geometry = null)), ['--id', 'ADCODE'], /empty\.geojson: feature 2 \(ADCODE 110105\): the geometry is empty \(null\)/));
  it('a ring of fewer than 4 positions', () =>
    refused(variant('short.geojson', (fc) => (fc.features[0].geometry.coordinates[0] = fc.features[0].geometry.coordinates[0].slice(0, 3))), ['--id', 'ADCODE'], /short\.geojson: feature 0 \(ADCODE 110101\): a ring has 3 positions \(expected at least 4/));
  it('units that do not overlap the grid', () =>
    refused(variant('far.geojson', (fc) => (fc.features = [fc.features[5]])), ['--id', 'ADCODE'], /far\.geojson: no unit covers a cell centre of .*grid\.tif .*expected units that overlap the grid/));
  it('a CRS landcarbon does not know', () =>
    refused(variant('crs.geojson', (fc) => (fc.crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::99999' } })), ['--id', 'ADCODE'], /crs\.geojson: crs "urn:ogc:def:crs:EPSG::99999": EPSG:99999 is not a CRS landcarbon knows/));
  it('a shapefile without .prj', () => {
    for (const e of ['shp', 'shx', 'dbf', 'cpg']) copyFileSync(join(G, `units.${e}`), join(tmp, `noprj.${e}`));
    return refused(join(tmp, 'noprj.shp'), ['--id', 'ADCODE'], /noprj\.shp: no \.prj beside it, so its CRS is unknown \(expected a \.prj; the grid .*grid\.tif is in EPSG:32650\)/);
  });
  it('a file that is not JSON', () => {
    const p = join(tmp, 'broken.geojson');
    writeFileSync(p, '{"type": "FeatureCollection", ');
    return refused(p, ['--id', 'ADCODE'], /broken\.geojson: not valid JSON .*expected a GeoJSON FeatureCollection/);
  });
  it('--table naming the --out file', async () => {
    const out = join(tmp, 'same.tif');
    const r = await cli('prepare', 'zones', join(G, 'units.geojson'), '--like', join(G, 'grid.tif'), '--id', 'ADCODE', '--out', out, '--table', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--table: .*same\.tif is also --out/);
  });
});

describe('prepare zones options', () => {
  it('--like naming a missing grid', async () => {
    const r = await cli('prepare', 'zones', join(G, 'units.geojson'), '--like', join(tmp, 'nope.tif'), '--id', 'ADCODE', '--out', join(tmp, 'x.tif'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.tif/);
  });
  it('--id is required', async () => {
    const r = await cli('prepare', 'zones', join(G, 'units.geojson'), '--like', join(G, 'grid.tif'), '--out', join(tmp, 'x.tif'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/required option '--id <field>' not specified/);
  });
  it('--memory too small for one block names the step', async () => {
    const r = await cli('prepare', 'zones', join(G, 'units.geojson'), '--like', join(G, 'grid.tif'), '--id', 'ADCODE', '--out', join(tmp, 'x.tif'), '--memory', '1K');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--memory/);
  });
});

describe('--zones takes polygon units with --zones-id (zonal, carbon emissions)', () => {
  it('zonal on the polygons equals zonal on the zone raster prepare zones makes', async () => {
    const a = await cli('zonal', '--zones', join(G, 'units.geojson'), '--zones-id', 'ADCODE', '--classes', join(G, 'grid.tif'), '--out', join(tmp, 'za.csv'), '--quiet');
    expect(a.code, a.err).toBe(0);
    expect(a.err).toMatch(/warning: .*unit 110109/); // the unit outside the grid, said once
    const b = await cli('zonal', '--zones', join(G, 'zones_units.tif'), '--classes', join(G, 'grid.tif'), '--out', join(tmp, 'zb.csv'), '--quiet');
    expect(b.code, b.err).toBe(0);
    expect(readFileSync(join(tmp, 'za.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'zb.csv'), 'utf8'));
  });
  it('carbon emissions by_unit.csv on the polygons equals the one on the zone raster', async () => {
    writeFileSync(join(tmp, 'coef.csv'), 'code,name,coefficient,unit\n1,a,0.5,tC\n2,b,-0.25,tC\n3,c,2,tC\n');
    const a = await cli('carbon', 'emissions', '--landuse', join(G, 'grid.tif'), '--coefficients', join(tmp, 'coef.csv'), '--zones', join(G, 'units.shp'), '--zones-id', 'ADCODE', '--out', join(tmp, 'ea'));
    expect(a.code, a.err).toBe(0);
    const b = await cli('carbon', 'emissions', '--landuse', join(G, 'grid.tif'), '--coefficients', join(tmp, 'coef.csv'), '--zones', join(G, 'zones_units_shp.tif'), '--out', join(tmp, 'eb'));
    expect(b.code, b.err).toBe(0);
    expect(readFileSync(join(tmp, 'ea/by_unit.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'eb/by_unit.csv'), 'utf8'));
  });
  it('a polygon layer without --zones-id, and --zones-id with a raster, are refused', async () => {
    const a = await cli('zonal', '--zones', join(G, 'units.geojson'), '--classes', join(G, 'grid.tif'), '--out', join(tmp, 'zc.csv'));
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--zones: .*units\.geojson is a polygon layer; give --zones-id, the attribute holding the unit id/);
    const b = await cli('zonal', '--zones', join(G, 'zones_units.tif'), '--zones-id', 'ADCODE', '--classes', join(G, 'grid.tif'), '--out', join(tmp, 'zc.csv'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--zones-id: .*zones_units\.tif is a raster \(its cells are the unit ids\)/);
    const c = await cli('carbon', 'emissions', '--landuse', join(G, 'grid.tif'), '--coefficients', join(tmp, 'coef.csv'), '--zones-id', 'ADCODE', '--out', join(tmp, 'ec'));
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--zones-id: goes with --zones naming a polygon layer/);
  });
});
