/**
 * `prepare` benchmark against GDAL in the same run: zones (vs gdal_rasterize), distance to
 * lines (vs gdal_rasterize + gdal_proximity.py -distunits GEO) and slope (vs gdaldem slope) on
 * a seeded synthetic N x N grid (UTM 50N, 30 m): 256 jittered quadrilateral townships and 40
 * random polylines in WGS 84, a smooth DEM. Each result also records how far it is from GDAL's
 * (cells that differ; max |difference|). GDAL runs single-threaded as its tools do by default.
 *
 *   node dist/bench/prepare.js [size=4096] [--memory 512M]   -> bench/results/prepare.json
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import proj4 from 'proj4';
import { readRaster, writeGeoTIFF } from '../src/io/geotiff.js';
import type { Grid } from '../src/io/grid.js';
import { parseMemory } from '../src/tiling/memory.js';
import { zonesStep } from '../src/pipeline/steps/prepare.js';
import { distanceStep, slopeStep } from '../src/pipeline/steps/prepare-raster.js';
import { writeResults } from './machine.js';

const size = Number(process.argv[2] ?? 4096);
const mi = process.argv.indexOf('--memory');
const memory = parseMemory(mi > 0 ? process.argv[mi + 1] : '512M');
const dir = mkdtempSync(join(tmpdir(), 'lc-bench-prepare-'));
const P = (f: string) => join(dir, f);
const PX = 30, X0 = 400000, Y0 = 3600000;
const grid: Grid = { width: size, height: size, transform: [X0, PX, 0, Y0, 0, -PX], crs: { epsg: 32650 }, nodata: 255 };
const toLL = proj4('+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs', 'WGS84');
let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

function gdal(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

/** Cells that differ by more than 1e-6, the largest difference, and (distances) cells where ours is the larger or where only one is 0. */
async function compare(a: string, b: string): Promise<{ differ: number; max_abs_diff: number; ours_larger: number; zero_mismatch: number }> {
  const x = await readRaster(a), y = await readRaster(b);
  let differ = 0, max = 0, larger = 0, zero = 0;
  for (let i = 0; i < x.data.length; i++) {
    const d = Math.abs(x.data[i] - y.data[i]);
    if (d > 1e-6) differ++;
    if (x.data[i] - y.data[i] > 1e-6) larger++;
    if ((x.data[i] === 0) !== (y.data[i] === 0)) zero++;
    if (d > max) max = d;
  }
  return { differ, max_abs_diff: max, ours_larger: larger, zero_mismatch: zero };
}

async function main() {
  const n = size * size;
  const lu = new Uint8Array(n);
  for (let i = 0; i < n; i++) lu[i] = 1 + (i % 3);
  await writeGeoTIFF(P('grid.tif'), { grid, dtype: 'uint8', data: lu }, { compress: 'deflate' });
  const dem = new Float32Array(n);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) dem[r * size + c] = 200 + 80 * Math.sin(c / 97) * Math.cos(r / 131) + 0.01 * r;
  await writeGeoTIFF(P('dem.tif'), { grid: { ...grid, nodata: -9999 }, dtype: 'float32', data: dem }, { compress: 'deflate' });
  const S = size * PX, k = 16;
  const jx = Array.from({ length: (k + 1) ** 2 }, () => (rnd() - 0.5) * 0.6 * S / k);
  const jy = Array.from({ length: (k + 1) ** 2 }, () => (rnd() - 0.5) * 0.6 * S / k);
  const V = (i: number, j: number) => {
    const inner = i > 0 && i < k && j > 0 && j < k;
    const x = X0 + (i * S) / k + (inner ? jx[j * (k + 1) + i] : 0), y = Y0 - (j * S) / k + (inner ? jy[j * (k + 1) + i] : 0);
    return toLL.forward([x, y]);
  };
  const features = [];
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) {
    features.push({ type: 'Feature', properties: { id: 1 + j * k + i }, geometry: { type: 'Polygon', coordinates: [[V(i, j), V(i, j + 1), V(i + 1, j + 1), V(i + 1, j), V(i, j)]] } });
  }
  writeFileSync(P('units.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
  const lines = Array.from({ length: 40 }, () => ({
    type: 'Feature', properties: {},
    geometry: { type: 'LineString', coordinates: Array.from({ length: 5 }, () => toLL.forward([X0 + rnd() * S, Y0 - rnd() * S])) },
  }));
  writeFileSync(P('roads.geojson'), JSON.stringify({ type: 'FeatureCollection', features: lines }));

  const rows: Record<string, unknown>[] = [];
  const time = async (f: () => Promise<unknown>) => { const t = performance.now(); await f(); return (performance.now() - t) / 1000; };

  const tz = await time(() => zonesStep({ units: P('units.geojson'), like: P('grid.tif'), id: 'id', out: P('zones.tif'), table: P('zones.csv'), memory }));
  // an empty raster on the grid first, so that gdal_rasterize reprojects the WGS 84 features onto it
  const create = (out: string, ot: string) => gdal('gdal_create', ['-q', '-if', P('grid.tif'), '-ot', ot, '-bands', '1', '-burn', '0', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', out]);
  const gz = create(P('zones_gdal.tif'), 'UInt16') + gdal('gdal_rasterize', ['-q', '-a', 'id', P('units.geojson'), P('zones_gdal.tif')]);
  rows.push({ task: 'zones (256 polygons)', landcarbon_s: tz, gdal_s: gz, gdal: 'gdal_create + gdal_rasterize -a id', ...(await compare(P('zones.tif'), P('zones_gdal.tif'))) });

  const td = await time(() => distanceStep({ to: P('roads.geojson'), like: P('grid.tif'), out: P('dist.tif'), memory }));
  const gb = create(P('roads_burn.tif'), 'Byte') + gdal('gdal_rasterize', ['-q', '-burn', '1', P('roads.geojson'), P('roads_burn.tif')]);
  const gp = gdal('/usr/bin/python3', ['/usr/bin/gdal_proximity.py', '-q', P('roads_burn.tif'), P('dist_gdal.tif'), '-distunits', 'GEO', '-ot', 'Float32', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES']);
  rows.push({ task: 'distance to 40 polylines', landcarbon_s: td, gdal_s: gb + gp, gdal: 'gdal_create + gdal_rasterize -burn 1 + gdal_proximity.py -distunits GEO', ...(await compare(P('dist.tif'), P('dist_gdal.tif'))) });

  const ts = await time(() => slopeStep({ dem: P('dem.tif'), out: P('slope.tif'), memory }));
  const gs = gdal('gdaldem', ['slope', '-q', P('dem.tif'), P('slope_gdal.tif'), '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES']);
  rows.push({ task: 'slope (Horn)', landcarbon_s: ts, gdal_s: gs, gdal: 'gdaldem slope', ...(await compare(P('slope.tif'), P('slope_gdal.tif'))) });

  for (const r of rows) {
    r.cells = n;
    r.landcarbon_mcells_per_s = +(n / (r.landcarbon_s as number) / 1e6).toFixed(2);
    r.gdal_mcells_per_s = +(n / (r.gdal_s as number) / 1e6).toFixed(2);
    console.log(JSON.stringify(r));
  }
  writeResults('prepare.json', { suite: 'prepare', size, memory, note: 'landcarbon single process (block plan, --memory); GDAL 3.6 command-line tools, default options, DEFLATE tiled output; other engineers share the 2 cores: see load', results: rows });
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
