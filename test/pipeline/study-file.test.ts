import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleRegion } from '../../fixtures/sample.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import { writeSampleStudy } from '../../src/pipeline/sample-study.js';
import { loadStudyFile, renderStudyYaml } from '../../src/pipeline/study-file.js';
import { cli } from '../cli/helpers.js';

let dir: string;
let good: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lc-study-'));
  await writeSampleRegion(dir, { size: 64, seed: 2 });
  writeSampleStudy(dir, 2);
  good = readFileSync(join(dir, 'study.yaml'), 'utf8');
  // a raster on another grid, and a coefficient table without class 7
  await writeGeoTIFF(join(dir, 'small.tif'), { grid: { width: 10, height: 10, transform: [420000, 100, 0, 4430000, 0, -100], crs: null, nodata: null }, dtype: 'float32', data: new Float32Array(100) });
  writeFileSync(join(dir, 'coef6.csv'), 'code,name,coefficient,unit\n1,cropland,0.42,tCO2\n2,forest,-0.62,tCO2\n3,shrub,-0.23,tCO2\n4,grassland,-0.14,tCO2\n5,water,-0.03,tCO2\n6,built-up,120.37,tCO2\n');
}, 60_000);

/** Writes a variant of the sample's study.yaml and returns its errors (one string per line). */
async function errorsOf(text: string, name = 'bad.yaml'): Promise<string[]> {
  const f = join(dir, name);
  writeFileSync(f, text);
  try {
    await loadStudyFile(f);
  } catch (e) {
    const lines = (e as Error).message.split('\n');
    expect(lines[0]).toMatch(/error\(s\) in the study file$/);
    return lines.slice(1).map((l) => l.replace(f, 'bad.yaml'));
  }
  throw new Error('no error');
}

/** Replaces `from` (first occurrence) by `to`; returns the text and the 1-based line of `to`. */
function edit(from: string, to: string, text = good): { text: string; line: number } {
  const i = text.indexOf(from);
  if (i < 0) throw new Error(`not in the study file: ${from}`);
  const t = text.slice(0, i) + to + text.slice(i + from.length);
  return { text: t, line: t.slice(0, i).split('\n').length };
}

function lineOf(text: string, s: string): number {
  return text.slice(0, text.indexOf(s)).split('\n').length;
}

describe('study file', () => {
  it("the sample's study.yaml is valid and resolves paths against the file", async () => {
    const s = await loadStudyFile(join(dir, 'study.yaml'));
    expect(s.landuse.epochs.map((e) => e.year)).toEqual([2000, 2010, 2020]);
    expect(s.landuse.epochs[2].file).toBe(join(dir, 'landuse_2020.tif'));
    expect(s.simulation.scenarios.map((x) => x.name)).toEqual(['natural', 'ecological']);
    expect(s.simulation.seed).toBe(2);
    expect(s.units.table).toBe(join(dir, 'units.csv'));
    expect(s.network.threshold).toBe('top:1%');
  });

  it('polygon units and a distance driver are accepted', async () => {
    const t = edit('    file: dem.tif', '    distance_to: stations.geojson', edit('  zones: zones.tif', '  zones: townships.geojson\n  id: code').text).text;
    writeFileSync(join(dir, 'vector.yaml'), t);
    const s = await loadStudyFile(join(dir, 'vector.yaml'));
    expect(s.units.zones).toBe(join(dir, 'townships.geojson'));
    expect(s.units.id).toBe('code');
    expect(s.drivers[0]).toEqual({ name: 'dem', distanceTo: join(dir, 'stations.geojson') });
  });

  it('the template of `init` parses; with its example files missing, only "not found" errors', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lc-template-'));
    const f = join(empty, 'study.yaml');
    writeFileSync(f, renderStudyYaml(null));
    const errs = await loadStudyFile(f).then(() => [], (e: Error) => e.message.split('\n').slice(1).map((l) => l.replace(f, 'bad.yaml')));
    expect(errs.length).toBeGreaterThan(0);
    for (const e of errs) expect(e).toMatch(/^bad\.yaml:\d+ [a-z_.[\]0-9]+: (raster|table|zones \(raster or polygon\)) file "[^"]+" not found/);
  });

  // each case: the edit, the key path and a fragment of the message; the line is where the edit is
  const cases: Array<[string, string, string, string]> = [
    ['landuse:\n', 'landuze:\n', 'landuze', 'unknown key (expected landuse, units'],
    ['    - year: 2000', '    - year: twenty', 'landuse.epochs[0].year', 'expected an integer, got "twenty"'],
    ['    - year: 2010', '    - year: 1990', 'landuse.epochs[1].year', 'years must increase: 1990 after 2000'],
    ['      file: landuse_2000.tif', '      file: landuse_1999.tif', 'landuse.epochs[0].file', 'raster file "landuse_1999.tif" not found'],
    ['    - code: 2\n', '    - code: 1\n', 'landuse.classes[1].code', 'code 1 also in landuse.classes[0]'],
    ['      role: source', '      role: emitter', 'landuse.classes[0].role', 'expected one of source, sink, neutral, got "emitter"'],
    ['      name: forest', '      name: cropland', 'landuse.classes[1].name', 'name "cropland" also in landuse.classes[0]'],
    ['  zones: zones.tif', '  zones: counties.tif', 'units.zones', 'zones (raster or polygon) file "counties.tif" not found'],
    ['  table_id: unit', '  table_id: code', 'units.table_id', 'column "code" not found in units.csv (has: unit, name, city'],
    ['  name: name', '  name: NAME', 'units.name', 'column "NAME" not found in units.csv'],
    ['    file: dem.tif', '    file: small.tif', 'drivers[0].file', 'small.tif: grid 10x10'],
    ['  - name: slope', '  - name: dem', 'drivers[1].name', 'name "dem" also in drivers[0]'],
    ['  calibration: [2010, 2020]', '  calibration: [2005, 2020]', 'simulation.calibration[0]', '2005 is not a year of landuse.epochs (2000, 2010, 2020)'],
    ['  calibration: [2010, 2020]', '  calibration: [2000, 2010, 2020]', 'simulation.calibration', 'expected two years, got 3'],
    ['  target_years: [2030]', '  target_years: [2015]', 'simulation.target_years[0]', '2015 is not after the last epoch (2020)'],
    ['  scenarios: [natural, ecological]', '  scenarios: [natural, greenest]', 'simulation.scenarios[1]', 'unknown scenario "greenest" (built-in: natural, ecological'],
    ['  scenarios: [natural, ecological]', '  scenarios: [natural, {name: mine, adjustments: [{from: paddy, to: built-up, factor: 2}]}]', 'simulation.scenarios[1].adjustments[0].from', 'class "paddy" is not in landuse.classes (cropland, forest'],
    ['  seed: 2', '  seed: -4', 'simulation.seed', 'expected an integer in [0, 2^53 - 1], got -4'],
    ['  validate: true', '  validate: yes please', 'simulation.validate', 'expected true or false, got "yes please"'],
    ['  coefficients: coefficients.csv', '  coefficients: coef6.csv', 'carbon.coefficients', 'no row for class code(s) 7 of landuse.classes'],
    ['  coefficients: coefficients.csv', '  coefficients: coefficients.csv\n  coefficient_unit: kg', 'carbon.coefficient_unit', 'expected one of tC, tCO2, got "kg"'],
    ['  schemes: [suzhou, mryrua, bth]', '  schemes: [suzhou, beijing]', 'balance.schemes[1]', '"beijing" is neither a built-in scheme (suzhou, mryrua, bth) nor a scheme file'],
    ['  threshold: top:1%', '  threshold: top:lots', 'network.threshold', 'top:lots'],
    ['  analyses: [moran, gistar, cluster, geodetector]', '  analyses: [moran, kriging]', 'stats.analyses[1]', 'expected one of moran, gistar, cluster, geodetector, got "kriging"'],
    ['  factors: [share_built-up, share_forest, city]', '  factors: [share_built-up, share_orchard]', 'stats.factors[1]', 'unknown factor "share_orchard"'],
    ['  clusters: 4', '  clusters: 1', 'stats.clusters', 'expected an integer in [2, 1000], got 1'],
    ['  language: en', '  language: fr', 'report.language', 'expected one of en, zh, got "fr"'],
    // polygon units and distance drivers (the sample writes townships.geojson and stations.geojson)
    ['  zones: zones.tif', '  zones: townships.geojson', 'units.zones', 'polygon units need units.id: the attribute holding the unit id'],
    ['  zones: zones.tif', '  zones: townships.geojson\n  id: ADCODE', 'units.id', 'attribute "ADCODE" not found in townships.geojson (has: code, name)'],
    ['  zones: zones.tif', '  zones: townships.geojson\n  id: name', 'units.id', 'name = "东城镇 Dongcheng" (expected a whole number in [1, 4294967295]'],
    ['  zones: zones.tif', '  zones: zones.tif\n  id: code', 'units.id', 'units.id names an attribute of polygon units, but units.zones is a raster'],
    ['  all_touched: false', '  all_touched: true', 'units.all_touched', 'all_touched applies to polygon units, but units.zones is a raster'],
    ['  zones: zones.tif', '  zones: roads.shp', 'units.zones', 'zones (raster or polygon) file "roads.shp" not found'],
    ['    file: dem.tif', '    file: dem.tif\n    distance_to: stations.geojson', 'drivers[0].distance_to', 'give file or distance_to, not both'],
    ['    file: dem.tif', '    distance_to: rivers.geojson', 'drivers[0].distance_to', 'vector or raster file "rivers.geojson" not found'],
    ['    file: dem.tif', '    distance_to: stations.geojson\n    values: [1]', 'drivers[0].values', 'values select cells of a distance_to raster'],
    ['    file: dem.tif', '    distance_to: small.tif', 'drivers[0].distance_to', 'small.tif: grid 10x10'],
    ['  - name: dem\n    file: dem.tif', '  - name: dem', 'drivers[0]', 'expected file (a driver raster) or distance_to (features to measure distance to)'],
  ];
  for (const [from, to, path, msg] of cases) {
    it(`${path}: ${msg.slice(0, 60)}`, async () => {
      const e = edit(from, to);
      const parts = to.split('\n');
      const line = e.line + parts.map((x, i) => (x.trim() ? i : -1)).reduce((a, b) => Math.max(a, b), 0);
      const errs = await errorsOf(e.text);
      expect(errs.some((x) => x.startsWith(`bad.yaml:${line} ${path}: `) && x.includes(msg)), errs.join('\n')).toBe(true);
    });
  }

  it('structure: a mapping where a list belongs, an empty driver list, a key twice, a missing section', async () => {
    const a = edit('  epochs:\n    - year: 2000\n      file: landuse_2000.tif\n    - year: 2010\n      file: landuse_2010.tif\n    - year: 2020\n      file: landuse_2020.tif\n', '  epochs:\n    year: 2000\n');
    const ea = await errorsOf(a.text);
    expect(ea.some((x) => x.startsWith(`bad.yaml:${lineOf(a.text, '  epochs:')} landuse.epochs: expected a list`)), ea.join('\n')).toBe(true);
    const b = edit('drivers:\n', 'drivers: []\nold_drivers:\n');
    const eb = await errorsOf(b.text);
    expect(eb.some((x) => x.startsWith(`bad.yaml:${lineOf(b.text, 'drivers: []')} drivers: expected at least 1 item(s), got 0`)), eb.join('\n')).toBe(true);
    const c = edit('  seed: 2', '  seed: 2\n  seed: 3');
    const ec = await errorsOf(c.text);
    expect(ec.some((x) => x.startsWith(`bad.yaml:${lineOf(c.text, '  seed: 3')} simulation.seed: key given twice`)), ec.join('\n')).toBe(true);
    const start = good.indexOf('# carbon accounting');
    const end = good.indexOf('# carbon-balance zoning');
    const d = good.slice(0, start) + good.slice(end);
    const ed = await errorsOf(d);
    // a missing top-level key is reported at the start of the document
    expect(ed.some((x) => x.startsWith(`bad.yaml:${lineOf(d, 'landuse:')} carbon: required key missing`)), ed.join('\n')).toBe(true);
    const ee = await errorsOf(good.replace('  target_years: [2030]', '  target_years: [2030'));
    expect(ee[0]).toMatch(/^bad\.yaml:\d+ \(top\): not valid YAML/);
  });

  it('landcarbon run lists every mistake at once, sorted by line, and exits 2 before any step', async () => {
    let t = edit('  table_id: unit', '  table_id: code').text;
    t = edit('  seed: 2', '  seed: -1', t).text;
    t = edit('  language: en', '  language: fr', t).text;
    const f = join(dir, 'three.yaml');
    writeFileSync(f, t);
    const out = mkdtempSync(join(tmpdir(), 'lc-study-out-'));
    const r = await cli('run', f, '--out', out, '--quiet');
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe(`landcarbon run: ${f}: 3 error(s) in the study file`);
    expect(lines.slice(1).map((l) => l.replace(/^.*?:(\d+) /, '$1 ').split(':')[0])).toEqual([
      `${lineOf(t, '  table_id: code')} units.table_id`,
      `${lineOf(t, '  seed: -1')} simulation.seed`,
      `${lineOf(t, '  language: fr')} report.language`,
    ]);
  });

  it('run words library messages in the study\'s terms: key paths, never the single commands\' options', async () => {
    // validation: the coefficient table's own check names --coefficient-unit in `carbon emissions`
    let f = join(dir, 'unit.yaml');
    writeFileSync(f, edit('  coefficients: coefficients.csv', '  coefficients: coefficients.csv\n  coefficient_unit: tC').text);
    let r = await cli('run', f, '--out', mkdtempSync(join(tmpdir(), 'lc-study-out-')), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain('carbon.coefficient_unit tC contradicts');
    expect(r.err).not.toMatch(/--coefficient-unit/);
    // inside a step: the cluster step checks --k of `stats cluster` (more clusters than units)
    f = join(dir, 'k.yaml');
    writeFileSync(f, edit('  clusters: 4', '  clusters: 999').text);
    r = await cli('run', f, '--out', mkdtempSync(join(tmpdir(), 'lc-study-out-')), '--quiet', '--threads', '1');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^landcarbon run: stats\.clusters: expected an integer in \[1, \d+\], got 999$/m);
    expect(r.err).not.toMatch(/--k\b/);
  }, 120_000);

  it('landcarbon init writes the template and never overwrites it; run --help lists the keys', async () => {
    const d = mkdtempSync(join(tmpdir(), 'lc-init-'));
    expect((await cli('init', d)).code).toBe(0);
    const text = readFileSync(join(d, 'study.yaml'), 'utf8');
    expect(text).toContain('# land-use maps on one grid, oldest first (at least two)');
    expect(text).toContain('scenarios: [natural, ecological]');
    const again = await cli('init', d);
    expect(again.code).toBe(2);
    expect(again.err).toContain('exists already; init never overwrites a study file');
    copyFileSync(join(d, 'study.yaml'), join(d, 'copy.yaml'));
    const h = await cli('run', '--help');
    expect(h.out).toContain('Study file keys');
    expect(h.out).toMatch(/target_years {2}years to simulate/);
  });
});
