/**
 * The sample region as a study: the coefficient and pool tables written beside its rasters,
 * two small vector layers for the `prepare` examples, and the Study that `landcarbon demo` runs (also written as study.yaml by the generator).
 *
 * Coefficients (t CO2/ha/yr) are seed 000's Table 2; the pools (t C/ha) seed 004's Table 6,
 * where shrub and water are missing: shrub is put between forest and grassland, water holds none.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { writeCsv } from '../io/table.js';
import { renderStudyYaml, studyValues } from './study-file.js';
import { BUILTIN_SCENARIOS } from '../models/markov.js';
import { CLASSES, ORIGIN_X, ORIGIN_Y } from '../../fixtures/sample.js';
import proj4 from 'proj4';
import type { ClassRole, Study } from './study.js';

const COEFFICIENTS: [number, string, number][] = [
  [1, 'cropland', 0.42], [2, 'forest', -0.62], [3, 'shrub', -0.23], [4, 'grassland', -0.14], [5, 'water', -0.03], [6, 'built-up', 120.37], [7, 'unused', -0.05],
];
const POOLS: [number, string, number, number, number, number][] = [
  [1, 'cropland', 40.5, 26.8, 186.3, 5.2], [2, 'forest', 82.2, 16.4, 273.0, 7.6], [3, 'shrub', 55.2, 25.1, 222.4, 6.2], [4, 'grassland', 28.2, 33.8, 171.7, 4.8],
  [5, 'water', 0, 0, 0, 0], [6, 'built-up', 5.6, 1.1, 25.3, 0], [7, 'unused', 11.2, 2.2, 37.1, 1.0],
];

export const SAMPLE_STUDY_FILES = ['coefficients.csv', 'pools.csv', 'study.yaml', 'townships.geojson', 'stations.geojson'];

/** Townships of the sample region (UTM 50N corners of a 4 x 3 split of the 100 km square), for `prepare zones`. */
const TOWNSHIPS: [number, string][] = [
  [110101, '东城镇 Dongcheng'], [110102, '西城镇 Xicheng'], [110105, '朝阳乡 Chaoyang'], [110106, 'Fengtai'],
  [110107, '石景山 Shijingshan'], [110108, '海淀镇 Haidian'], [110109, 'Mentougou'], [110111, '房山区 Fangshan'],
  [110112, '通州 Tongzhou'], [110113, 'Shunyi'], [110114, '昌平 Changping'], [110115, '大兴 Daxing'],
];

/**
 * townships.geojson (12 polygon units with Chinese and English names, WGS 84 as RFC 7946 says)
 * and stations.geojson (5 points), beside the sample's rasters: the inputs of the README's
 * `prepare` examples. The shared inner vertices are jittered so that no edge runs along a row.
 */
export function writeSampleVectors(dir: string): void {
  const toLonLat = proj4(`+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs`, 'WGS84');
  const ll = (x: number, y: number) => toLonLat.forward([x, y]).map((v) => Math.round(v * 1e7) / 1e7);
  const X0 = ORIGIN_X, Y0 = ORIGIN_Y, S = 100_000;
  const nx = 4, ny = 3;
  const jit = (i: number, j: number, k: number) => (i > 0 && i < nx && j > 0 && j < ny ? ((i * 7 + j * 13 + k * 5) % 11 - 5) * 700 : 0);
  // corners slightly outside the region so the townships cover every cell centre
  const V = (i: number, j: number) => [X0 - 10 + (i * (S + 20)) / nx + jit(i, j, 0), Y0 + 10 - (j * (S + 20)) / ny + jit(i, j, 1)];
  const features = TOWNSHIPS.map(([code, name], k) => {
    const i = k % nx, j = Math.floor(k / nx);
    const ring = [V(i, j), V(i, j + 1), V(i + 1, j + 1), V(i + 1, j), V(i, j)].map(([x, y]) => ll(x, y));
    return { type: 'Feature', properties: { code, name }, geometry: { type: 'Polygon', coordinates: [ring] } };
  });
  writeFileAtomic(join(dir, 'townships.geojson'), JSON.stringify({ type: 'FeatureCollection', features }, null, 1) + '\n');
  const stations = [[0.21, 0.33], [0.52, 0.48], [0.77, 0.18], [0.35, 0.81], [0.68, 0.72]].map(([fx, fy], k) => ({
    type: 'Feature',
    properties: { station: k + 1 },
    geometry: { type: 'Point', coordinates: ll(X0 + fx * S, Y0 - fy * S) },
  }));
  writeFileAtomic(join(dir, 'stations.geojson'), JSON.stringify({ type: 'FeatureCollection', features: stations }, null, 1) + '\n');
}

/** Writes coefficients.csv, pools.csv, townships.geojson, stations.geojson and study.yaml (`landcarbon run` on it is the demo) into the sample directory. */
export function writeSampleStudy(dir: string, seed: number): void {
  writeCsv(join(dir, 'coefficients.csv'), ['code', 'name', 'coefficient', 'unit'], COEFFICIENTS.map((r) => [...r, 'tCO2']));
  writeCsv(join(dir, 'pools.csv'), ['code', 'name', 'c_above', 'c_below', 'c_soil', 'c_dead'], POOLS);
  const s = sampleStudy(dir);
  s.simulation.seed = seed;
  writeSampleVectors(dir);
  writeFileAtomic(join(dir, 'study.yaml'), renderStudyYaml(studyValues(s, dir), ['The study of the landcarbon sample region: `landcarbon run study.yaml --out DIR`.', 'Paths are relative to this file.', '']));
}

const ROLE: Record<string, ClassRole> = { cropland: 'source', 'built-up': 'source' };

/** The study of the sample region in `dir` (absolute paths). */
export function sampleStudy(dir: string, file: string | null = null): Study {
  const f = (n: string) => join(dir, n);
  return {
    file,
    landuse: {
      epochs: [2000, 2010, 2020].map((year) => ({ year, file: f(`landuse_${year}.tif`) })),
      classes: CLASSES.map((c) => ({ code: c.code, name: c.name, role: ROLE[c.name] ?? 'sink' })),
    },
    units: { zones: f('zones.tif'), table: f('units.csv'), tableId: 'unit', name: 'name', gdpPrefix: 'gdp_', populationPrefix: 'pop_' },
    drivers: ['dem', 'slope', 'dist_road', 'dist_rail', 'dist_river', 'dist_centre', 'gdp_density', 'pop_density'].map((name) => ({ name, file: f(`${name}.tif`) })),
    restricted: [f('restricted.tif')],
    simulation: {
      model: 'flus',
      calibration: [2010, 2020],
      validate: true,
      targetYears: [2030],
      scenarios: ['natural', 'ecological'].map((name) => ({ name, markov: BUILTIN_SCENARIOS[name] })),
      seed: 1,
      maxIterations: 300,
    },
    carbon: { coefficients: f('coefficients.csv'), pools: f('pools.csv') },
    balance: { schemes: ['suzhou', 'mryrua', 'bth'] },
    network: { threshold: 'top:1%', weighted: false },
    stats: { analyses: ['moran', 'gistar', 'cluster', 'geodetector'], factors: ['share_built-up', 'share_forest', 'city'], clusters: 4, permutations: 999 },
    report: { title: 'landcarbon sample region', language: 'en' },
  };
}
