// Issue 13, must show: a study built from scratch as a user would, with a GeoJSON of polygon
// units (UTF-8 names, Chinese included), land use from the real pie data, and drivers including
// a distance raster from a vector. `landcarbon run` completes it; the zones equal
// gdal_rasterize cell for cell (golden made by test/golden/prepare_golden.py), the per-unit
// emissions equal an independent sum, the distance driver is 0 exactly on the cells
// gdal_rasterize burns for the roads and equals a brute-force nearest distance elsewhere.
import { describe, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { HAS_SHARED_DATA, itShared, SHARED_DATA } from '../shared-data.js';
import { parseCsv } from '../../src/io/table.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');
const G = join(ROOT, 'test/golden/prepare');
const PIE = join(SHARED_DATA, 'pie');
let dir = '';
let first: { code: number | null; err: string; seconds: number };

/** geotiff.js's own reader (not the engine's): band 0 and the geotransform. */
async function read(p: string) {
  const img = await (await fromFile(p)).getImage();
  const [d] = (await img.readRasters()) as unknown as ArrayLike<number>[];
  const [ox, oy] = img.getOrigin();
  const [rx, ry] = img.getResolution();
  return { d, w: img.getWidth(), h: img.getHeight(), ox, oy, rx, ry, nd: img.getGDALNoData() };
}

function run(...args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'study.yaml'), '--out', join(dir, 'out'), '--threads', '1', '--quiet', ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

beforeAll(() => {
  if (!HAS_SHARED_DATA) return;
  dir = mkdtempSync(join(tmpdir(), 'lc-vector-study-'));
  // what a planner holds: township polygons (WGS 84 GeoJSON, names in English and Chinese),
  // roads, a table of GDP and population, a coefficient table, and the land-use maps
  copyFileSync(join(G, 'pie_units.geojson'), join(dir, 'townships.geojson'));
  copyFileSync(join(G, 'pie_roads.geojson'), join(dir, 'roads.geojson'));
  writeFileSync(join(dir, 'units.csv'), [
    'town_id,gdp_1995,gdp_1996,gdp_1997,gdp_1998,gdp_1999,pop_1995,pop_1996,pop_1997,pop_1998,pop_1999',
    '2501,120,128,137,146,156,13.1,13.3,13.5,13.6,13.8',
    '2502,80,84,89,95,100,5.5,5.6,5.7,5.8,5.9',
    '2503,95,101,108,116,124,6.1,6.2,6.4,6.6,6.8',
    '2504,70,73,77,81,86,3.2,3.3,3.3,3.4,3.5',
    '2505,30,33,36,40,44,1.1,1.2,1.3,1.4,1.5',
    '2506,150,158,167,177,187,17.0,17.2,17.4,17.5,17.7',
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'pools.csv'), 'code,name,c_above,c_below,c_soil,c_dead\n1,forest,80,20,100,5\n2,built,5,1,25,0\n3,other,20,10,60,2\n');
  writeFileSync(join(dir, 'coefficients.csv'), 'code,name,coefficient,unit\n1,forest,-0.581,tC\n2,built,55.8,tC\n3,other,-0.021,tC\n');
  writeFileSync(join(dir, 'study.yaml'), `# a study written by hand, as a user would
landuse:
  epochs:
    - year: 1985
      file: ${join(PIE, 'lu_pie_1985.tif')}
    - year: 1991
      file: ${join(PIE, 'lu_pie_1991.tif')}
    - year: 1999
      file: ${join(PIE, 'lu_pie_1999.tif')}
  classes:
    - {code: 1, name: forest, role: sink}
    - {code: 2, name: built, role: source}
    - {code: 3, name: other, role: neutral}
units:
  zones: townships.geojson
  id: town_id
  name: town
  table: units.csv
  table_id: town_id
drivers:
  - {name: elevation, file: ${join(PIE, 'ef_001.tif')}}
  - {name: slope, file: ${join(PIE, 'ef_002.tif')}}
  - {name: dist_road, distance_to: roads.geojson}
simulation:
  calibration: [1985, 1991]
  validate: false
  target_years: [2007]
  scenarios: [natural]
  max_iterations: 30
carbon:
  coefficients: coefficients.csv
  pools: pools.csv
balance:
  schemes: [suzhou]
`);
  first = run();
}, 120_000);

describe('a study with vector units and a vector distance driver on the real pie data', () => {
  itShared('landcarbon run completes it', () => {
    expect(first.code, first.err).toBe(0);
  });

  itShared('the zones equal gdal_rasterize cell for cell', async () => {
    const ours = await read(join(dir, 'out/prepare/zones.tif'));
    const gdal = await read(join(G, 'pie_zones.tif'));
    let diff = 0;
    for (let i = 0; i < gdal.d.length; i++) if (ours.d[i] !== gdal.d[i]) diff++;
    expect(diff).toBe(0);
    expect(ours.d.length).toBe(497 * 434);
  });

  itShared('per-unit CE and CS equal an independent sum over the zone raster and the 1999 map', async () => {
    const z = await read(join(dir, 'out/prepare/zones.tif'));
    const lu = await read(join(PIE, 'lu_pie_1999.tif'));
    const ha = Math.abs(lu.rx * lu.ry) / 1e4; // 99.921 x 99.955 m = 0.99876 ha
    const coef: Record<number, number> = { 1: -0.581, 2: 55.8, 3: -0.021 };
    const pool: Record<number, number> = { 1: 80 + 20 + 100 + 5, 2: 5 + 1 + 25 + 0, 3: 20 + 10 + 60 + 2 }; // t C/ha
    const ce = new Map<number, number>(), cs = new Map<number, number>(), st = new Map<number, number>(), forest = new Map<number, number>();
    for (let i = 0; i < z.d.length; i++) {
      const u = z.d[i], c = lu.d[i];
      if (u === 0 || c === 255) continue;
      st.set(u, (st.get(u) ?? 0) + ha * pool[c]);
      if (c === 1) forest.set(u, (forest.get(u) ?? 0) + ha);
      const e = ha * coef[c];
      if (e > 0) ce.set(u, (ce.get(u) ?? 0) + e);
      else cs.set(u, (cs.get(u) ?? 0) - e);
    }
    const t = parseCsv(readFileSync(join(dir, 'out/tables/by_unit_1999.csv'), 'utf8'), 'by_unit_1999.csv');
    expect(t.columns.slice(0, 6)).toEqual(['unit', 'name', 'area_ha', 'ce_tC', 'cs_tC', 'budget_tC']);
    expect(t.rows.map((r) => r[0])).toEqual(['2501', '2502', '2503', '2504', '2505', '2506']);
    for (const r of t.rows) {
      const u = Number(r[0]);
      expect(Number(r[3])).toBeCloseTo(ce.get(u) ?? 0, 6);
      expect(Number(r[4])).toBeCloseTo(cs.get(u) ?? 0, 6);
      expect(Number(r[5])).toBeCloseTo((ce.get(u) ?? 0) - (cs.get(u) ?? 0), 6);
      expect(r[6]).not.toBe(''); // a suzhou zone for every unit
      const col = (k: string) => Number(r[t.columns.indexOf(k)]);
      expect(col('storage_tC')).toBeCloseTo(st.get(u) ?? 0, 4);
      expect(col('area_ha_forest')).toBeCloseTo(forest.get(u) ?? 0, 6);
      expect(col('density_tC_per_ha')).toBeCloseTo((st.get(u) ?? 0) / col('area_ha'), 9);
      expect(col('density_kgC_per_m2')).toBeCloseTo(col('density_tC_per_ha') / 10, 9);
    }
    // names from the polygons, UTF-8 through to the table and the GeoJSON for QGIS
    expect(t.rows.map((r) => r[1])).toContain('Plum Island 梅子岛');
    const gj = JSON.parse(readFileSync(join(dir, 'out/tables/by_unit_1999.geojson'), 'utf8'));
    expect(gj.features).toHaveLength(6);
    const f = gj.features.find((x: any) => x.properties.town_id === 2505);
    expect(f.properties.town).toBe('Plum Island 梅子岛');
    expect(f.properties.ce_tC).toBeCloseTo(ce.get(2505) ?? 0, 6);
    expect(f.geometry.coordinates[0][0][0]).toBeLessThan(-70); // WGS 84 lon/lat, as read
  });

  itShared('the distance driver: 0 on the cells gdal_rasterize burns for the roads, the nearest such cell elsewhere', async () => {
    const d = await read(join(dir, 'out/prepare/distance_dist_road.tif'));
    const burn = await read(join(G, 'pie_roads_burn.tif'));
    const W = burn.w;
    const tx: number[] = [], ty: number[] = [];
    let zeroMismatch = 0;
    for (let i = 0; i < burn.d.length; i++) {
      if ((d.d[i] === 0) !== (burn.d[i] === 1)) zeroMismatch++;
      if (burn.d[i]) { tx.push(i % W); ty.push(Math.floor(i / W)); }
    }
    expect(zeroMismatch).toBe(0);
    expect(tx.length).toBeGreaterThan(100);
    // every 97th cell against a brute-force nearest target, Euclidean in metres on 99.921 x 99.955 m pixels
    const px = Math.abs(burn.rx), py = Math.abs(burn.ry);
    const bad: number[] = [];
    for (let i = 0; i < d.d.length; i += 97) {
      const x = i % W, y = Math.floor(i / W);
      let best = Infinity;
      for (let j = 0; j < tx.length; j++) {
        const dx = (tx[j] - x) * px, dy = (ty[j] - y) * py;
        const q = dx * dx + dy * dy;
        if (q < best) best = q;
      }
      if (d.d[i] !== Math.fround(Math.sqrt(best))) bad.push(i);
    }
    expect(bad).toEqual([]);
  });

  itShared('units.all_touched: true reruns the zones as gdal_rasterize -at would burn them, and what follows', () => {
    const yaml = readFileSync(join(dir, 'study.yaml'), 'utf8');
    writeFileSync(join(dir, 'study_at.yaml'), yaml.replace('  id: town_id\n', '  id: town_id\n  all_touched: true\n'));
    const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'study_at.yaml'), '--out', join(dir, 'out_at'), '--threads', '1', '--quiet'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const t = parseCsv(readFileSync(join(dir, 'out_at/prepare/units.csv'), 'utf8'), 'units.csv');
    // the six townships tile the grid: every cell is burned either way, only the owner of border cells may change
    expect(t.rows.reduce((a, row) => a + Number(row[2]), 0)).toBe(497 * 434);
  }, 60_000);

  itShared('a rerun skips every step, the vector steps included; a changed road layer reruns its driver and what follows', () => {
    const again = run();
    expect(again.code, again.err).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8')) as { steps: { name: string; skipped: boolean }[] };
    expect(s.steps.filter((x) => !x.skipped).map((x) => x.name)).toEqual([]);
    expect(s.steps.map((x) => x.name)).toEqual(expect.arrayContaining(['prepare-zones', 'prepare-distance-dist_road', 'by-unit-1999', 'by-unit-2007_natural']));
    // move the bridge: the distance driver reruns, the zones do not
    const roads = JSON.parse(readFileSync(join(dir, 'roads.geojson'), 'utf8'));
    roads.features[2].geometry.coordinates[0] += 0.01;
    writeFileSync(join(dir, 'roads.geojson'), JSON.stringify(roads));
    const third = run();
    expect(third.code, third.err).toBe(0);
    const s3 = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8')) as { steps: { name: string; skipped: boolean }[] };
    const rerun = s3.steps.filter((x) => !x.skipped).map((x) => x.name);
    expect(rerun).toContain('prepare-distance-dist_road');
    expect(rerun).toContain('suitability-1999');
    expect(rerun).not.toContain('prepare-zones');
    expect(rerun).not.toContain('zonal-1999');
  }, 60_000);
});
