import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lc-network-'));
});

const UNITS = 'id,name,gdp,population,emissions,lon,lat\n1,A,100,10,5,116.4,39.9\n2,B,50,8,3,117.2,39.1\n3,"C, city",30,5,2,115.5,38.9\n4,D,20,4,1,114.5,38.0\n5,E,10,2,0.5,114.5,36.6\n';

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const table = (p: string) => parseCsv(readFileSync(p, 'utf8'), p);

describe('landcarbon network', () => {
  it('writes edges.csv, centrality.csv, linkage.csv and edges.geojson', async () => {
    const out = join(dir, 'out1');
    const r = await cli('network', '--units', write('u.csv', UNITS), '--threshold', 'top:30%', '--out', out, '--threads', '2', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    // N = 5 * 4 = 20 ordered pairs, K = ceil(0.3 * 20) = 6
    expect(s.requested_edges).toBe(6);
    expect(s.edges).toBe(6);
    const e = table(join(out, 'edges.csv'));
    expect(e.columns).toEqual(['from', 'to', 'gravity', 'distance_km']);
    expect(e.rows.length).toBe(6);
    const c = table(join(out, 'centrality.csv'));
    expect(c.columns).toEqual(['unit', 'out_degree', 'in_degree', 'out_closeness', 'in_closeness', 'betweenness', 'roles']);
    expect(c.rows.length).toBe(5);
    const l = table(join(out, 'linkage.csv'));
    expect(l.columns).toEqual(['unit', 'linkage_area']);
    const gj = JSON.parse(readFileSync(join(out, 'edges.geojson'), 'utf8'));
    expect(gj.type).toBe('FeatureCollection');
    expect(gj.features.length).toBe(6);
    expect(gj.features[0].geometry.type).toBe('LineString');
    expect(gj.features[0].geometry.coordinates[0]).toEqual([116.4, 39.9]);
  });

  it('--weighted, value and row-mean thresholds, degree-only and sampled paths run', async () => {
    const u = write('u2.csv', UNITS);
    for (const args of [['--threshold', 'value:0.001', '--weighted'], ['--threshold', 'row-mean'], ['--threshold', 'top:50%', '--paths', 'degree'], ['--threshold', 'top:50%', '--paths', 'sample:3', '--seed', '4']]) {
      const r = await cli('network', '--units', u, '--out', join(dir, 'out2'), '--threads', '1', '--json', ...args);
      expect(r.code, r.err).toBe(0);
    }
    const c = table(join(dir, 'out2', 'centrality.csv'));
    expect(c.rows[0][3]).toBe(''); // no closeness with sampling
  });

  it('centroids from a zone raster (UTM 50N GeoTIFF)', async () => {
    const grid = { width: 4, height: 2, transform: [500000, 1000, 0, 4400000, 0, -1000] as [number, number, number, number, number, number], crs: { epsg: 32650 }, nodata: 0 };
    const z = join(dir, 'zones.tif');
    await writeGeoTIFF(z, { grid, dtype: 'int32', data: Int32Array.from([1, 1, 2, 2, 3, 3, 0, 0]) });
    const u = write('u3.csv', 'id,gdp,population,emissions\n1,10,1,1\n2,20,1,2\n3,5,1,1\n');
    const out = join(dir, 'out3');
    const r = await cli('network', '--units', u, '--zones', z, '--threshold', 'top:50%', '--out', out, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    const gj = JSON.parse(readFileSync(join(out, 'edges.geojson'), 'utf8'));
    const lon = gj.features[0].geometry.coordinates[0][0];
    expect(lon).toBeGreaterThan(117);
    expect(lon).toBeLessThan(117.05);
  });

  it('exit 2 on bad input, with one-line messages; no outputs left behind', async () => {
    const out = join(dir, 'bad');
    const dup = await cli('network', '--units', write('d.csv', 'id,gdp,population,emissions,lon,lat\n1,1,1,1,116,39\n1,1,1,1,117,39\n'), '--threshold', 'top:1%', '--out', out);
    expect(dup.code).toBe(2);
    expect(dup.err).toContain('duplicate unit id "1" in rows 1 and 2');
    const miss = await cli('network', '--units', write('m.csv', 'id,gdp,population,emissions,lon,lat\n1,1,1,1,116,39\n2,1,1,1,,\n'), '--threshold', 'top:1%', '--out', out);
    expect(miss.code).toBe(2);
    expect(miss.err).toContain('unit "2" (row 2) has no coordinates');
    const neg = await cli('network', '--units', write('n.csv', 'id,gdp,population,emissions,lon,lat\n1,1,1,-1,116,39\n2,1,1,1,117,39\n'), '--threshold', 'top:1%', '--out', out);
    expect(neg.code).toBe(2);
    expect(neg.err).toContain('column "emissions": expected a value >= 0, got -1');
    const thr = await cli('network', '--units', write('ok.csv', UNITS), '--threshold', 'top:0%', '--out', out);
    expect(thr.code).toBe(2);
    expect(thr.err).toContain('--threshold: top percentage must be in (0, 100]');
    const paths = await cli('network', '--units', write('ok.csv', UNITS), '--threshold', 'top:1%', '--paths', 'fast', '--out', out);
    expect(paths.code).toBe(2);
    expect(paths.err).toContain('--paths: expected exact, degree or sample:K');
    expect(existsSync(join(out, 'edges.csv'))).toBe(false);
  });
});

describe('landcarbon centrality', () => {
  it('directed path a -> b -> c: networkx values', async () => {
    const out = join(dir, 'c1.csv');
    const r = await cli('centrality', '--edges', write('e1.csv', 'from,to\na,b\nb,c\n'), '--out', out, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    const t = table(out);
    expect(t.columns).toEqual(['unit', 'out_degree', 'in_degree', 'out_closeness', 'in_closeness', 'betweenness']);
    // in-closeness {a: 0, b: 0.5, c: 0.667}; betweenness {b: 0.5}
    expect(t.rows.map((r) => Number(r[4]))).toEqual([0, 0.5, 2 / 3]);
    expect(t.rows.map((r) => Number(r[5]))).toEqual([0, 0.5, 0]);
  });

  it('--undirected and --weight', async () => {
    const out = join(dir, 'c2.csv');
    // undirected weighted triangle a-b (1), b-c (1), a-c (5): a-c goes through b
    const r = await cli('centrality', '--edges', write('e2.csv', 'from,to,len\na,b,1\nb,c,1\na,c,5\n'), '--weight', 'len', '--undirected', '--out', out, '--threads', '2');
    expect(r.code, r.err).toBe(0);
    const t = table(out);
    // betweenness(b): pairs (a,c) and (c,a) through b: 2 / ((3-1)(3-2)) = 1
    expect(t.rows.map((r) => Number(r[5]))).toEqual([0, 1, 0]);
    expect(t.rows.map((r) => Number(r[1]))).toEqual([1, 1, 1]);
  });

  it('exit 2: negative weight, unknown weight column, self-loop, duplicate edge', async () => {
    const out = join(dir, 'c3.csv');
    const neg = await cli('centrality', '--edges', write('e3.csv', 'from,to,w\na,b,-1\n'), '--weight', 'w', '--out', out);
    expect(neg.code).toBe(2);
    expect(neg.err).toContain('edge 1 (a -> b): negative weight -1; shortest paths need weights > 0');
    const col = await cli('centrality', '--edges', write('e4.csv', 'from,to\na,b\n'), '--weight', 'km', '--out', out);
    expect(col.code).toBe(2);
    expect(col.err).toContain('--weight: ');
    expect(col.err).toContain('has no column "km"');
    const loop = await cli('centrality', '--edges', write('e5.csv', 'from,to\na,a\n'), '--out', out);
    expect(loop.code).toBe(2);
    expect(loop.err).toContain('edge 1 (a -> a) is a self-loop');
    const dup = await cli('centrality', '--edges', write('e6.csv', 'from,to\na,b\na,b\n'), '--out', out);
    expect(dup.code).toBe(2);
    expect(dup.err).toContain('edge 2 (a -> b) duplicates edge 1 (a -> b)');
    const both = await cli('centrality', '--edges', write('e7.csv', 'from,to\na,b\n'), '--directed', '--undirected', '--out', out);
    expect(both.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
