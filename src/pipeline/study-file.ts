/**
 * The study file (YAML): one typed spec (after InVEST's model spec) drives the validation, the
 * commented template of `landcarbon init`, the key list of `landcarbon run --help` and the
 * methods section of the report. Relative paths resolve against the file's directory.
 *
 * The whole file is validated before any step runs; every mistake is listed at once with the
 * file, the line and the key path, e.g.
 *   study.yaml:14 units.table_id: column "code" not found in units.csv (has: unit, name, gdp_2020)
 * Line numbers come from the `yaml` package's source ranges (LineCounter).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { readRasterInfo } from '../io/geotiff.js';
import { checkSameGrid, Grid, isIntegerDType } from '../io/grid.js';
import { readCsv, Table } from '../io/table.js';
import { parseThreshold } from '../kernels/gravity.js';
import { parseCoefficientTable } from '../models/carbon/coefficients.js';
import { parsePoolTable } from '../models/carbon/storage.js';
import { BUILTIN_SCENARIOS, parseScenario } from '../models/markov.js';
import { BUILTIN_SCHEME_SPECS, loadScheme } from '../models/schemes.js';
import type { Study, StudyAnalysis, StudyScenario } from './study.js';
import { isVectorPath, readVector } from '../io/vector/read.js';
import { pixelMapper, zoneFeatures } from './steps/prepare.js';

const ut0 = (v: any): boolean => typeof v?.units?.table === 'string';

// ---- the spec -------------------------------------------------------------------------------

interface Base {
  doc: string;
  /** Absent -> error, unless a default is given or the key is optional. */
  optional?: boolean;
}
export type Field =
  | (Base & { kind: 'object'; fields: Record<string, Field> })
  | (Base & { kind: 'list'; of: Field; min?: number; example?: unknown[] })
  | (Base & { kind: 'string'; choices?: string[]; default?: string; example?: string })
  | (Base & { kind: 'file'; what: string; example?: string })
  | (Base & { kind: 'int'; min: number; max: number; default?: number; example?: number })
  | (Base & { kind: 'bool'; default: boolean })
  | (Base & { kind: 'scenario'; example: unknown });

const EPOCH: Field = {
  kind: 'object',
  doc: 'one land-use map',
  fields: {
    year: { kind: 'int', doc: 'year of the map', min: 1000, max: 3000, example: 2020 },
    file: { kind: 'file', what: 'raster', doc: 'land-use raster (integer class codes)', example: 'landuse_2020.tif' },
  },
};

export const STUDY_SPEC: Field = {
  kind: 'object',
  doc: 'landcarbon study file',
  fields: {
    landuse: {
      kind: 'object',
      doc: 'land-use maps and classes',
      fields: {
        epochs: { kind: 'list', of: EPOCH, min: 2, doc: 'land-use maps on one grid, oldest first (at least two)', example: [{ year: 2010, file: 'landuse_2010.tif' }, { year: 2020, file: 'landuse_2020.tif' }] },
        classes: {
          kind: 'list',
          min: 2,
          doc: 'land-use classes: code in the rasters, name, role in the carbon balance',
          of: {
            kind: 'object',
            doc: 'one class',
            fields: {
              code: { kind: 'int', doc: 'class code in the rasters', min: 0, max: 65535, example: 1 },
              name: { kind: 'string', doc: 'class name (used by scenarios and tables)', example: 'cropland' },
              role: { kind: 'string', doc: 'carbon role', choices: ['source', 'sink', 'neutral'], default: 'neutral' },
            },
          },
          example: [{ code: 1, name: 'cropland', role: 'source' }, { code: 2, name: 'forest', role: 'sink' }, { code: 3, name: 'built-up', role: 'source' }],
        },
      },
    },
    units: {
      kind: 'object',
      doc: 'planning units (counties, townships): polygons (GeoJSON / shapefile) or a zone raster of unit ids on the land-use grid, and an optional table',
      fields: {
        zones: { kind: 'file', what: 'zones (raster or polygon)', doc: 'polygon units (.geojson, .shp with .dbf/.prj; rasterised onto the land-use grid by cell centre, as gdal_rasterize) or a zone raster (integer unit ids, NoData outside)', example: 'zones.tif' },
        id: { kind: 'string', optional: true, doc: 'polygon units: the attribute holding the unit id (whole numbers >= 1, unique), e.g. ADCODE' },
        all_touched: { kind: 'bool', doc: "polygon units: also every cell a unit's outline touches (gdal_rasterize -at)", default: false },
        table: { kind: 'file', what: 'table', optional: true, doc: 'unit table (CSV): id, name, yearly GDP and population columns (<prefix><year>)', example: 'units.csv' },
        table_id: { kind: 'string', doc: 'column of the unit table holding the zone id', default: 'unit' },
        name: { kind: 'string', optional: true, doc: 'column of the unit table, or attribute of the polygon units, holding the unit name', example: 'name' },
        gdp_prefix: { kind: 'string', doc: 'GDP columns are <prefix><year> (e.g. gdp_2014 ... gdp_2020)', default: 'gdp_' },
        population_prefix: { kind: 'string', doc: 'population columns are <prefix><year>', default: 'pop_' },
      },
    },
    drivers: {
      kind: 'list',
      min: 1,
      doc: 'drivers of the suitability model: rasters on the land-use grid, or distances to features (prepared by the run)',
      of: {
        kind: 'object',
        doc: 'one driver: file or distance_to',
        fields: {
          name: { kind: 'string', doc: 'short name', example: 'dem' },
          file: { kind: 'file', what: 'raster', optional: true, doc: 'driver raster', example: 'dem.tif' },
          distance_to: { kind: 'file', what: 'vector or raster', optional: true, doc: 'instead of file: distance in map units to these features (GeoJSON / shapefile: polygons, lines, points) or to the non-zero cells of this raster, as gdal_proximity, e.g. roads.geojson' },
          values: { kind: 'list', optional: true, of: { kind: 'int', doc: 'cell value', min: -2147483648, max: 2147483647 }, doc: 'distance_to a raster: the cell values that are targets, e.g. [1]' },
        },
      },
      example: [{ name: 'dem', file: 'dem.tif' }, { name: 'slope', file: 'slope.tif' }, { name: 'dist_road', file: 'dist_road.tif' }],
    },
    restricted: {
      kind: 'list',
      optional: true,
      doc: '0/1 rasters of restricted areas (1 = never converted); merged: restricted in any is restricted',
      of: { kind: 'file', what: 'raster', doc: 'restricted-area raster', example: 'restricted.tif' },
      example: ['restricted.tif'],
    },
    simulation: {
      kind: 'object',
      doc: 'land-use simulation: Markov demand and FLUS cellular automaton',
      fields: {
        model: { kind: 'string', doc: 'simulation model', choices: ['flus'], default: 'flus' },
        calibration: { kind: 'list', of: { kind: 'int', doc: 'year', min: 1000, max: 3000 }, min: 2, doc: 'Markov calibration: years of two epochs', example: [2010, 2020] },
        validate: { kind: 'bool', doc: 'simulate the last epoch from the one before with its real class counts and report the accuracy', default: true },
        target_years: { kind: 'list', of: { kind: 'int', doc: 'year', min: 1000, max: 3000 }, min: 1, doc: 'years to simulate, after the last epoch, increasing', example: [2030] },
        scenarios: {
          kind: 'list',
          min: 1,
          doc: `scenarios: built-in names (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or {name, adjustments: [{from, to, factor}]}`,
          of: { kind: 'scenario', doc: 'a scenario', example: 'natural' },
          example: ['natural', 'ecological'],
        },
        seed: { kind: 'int', doc: 'seed of every random step', min: 0, max: Number.MAX_SAFE_INTEGER, default: 1 },
        max_iterations: { kind: 'int', doc: 'FLUS iterations per target year', min: 1, max: 1_000_000, default: 300 },
      },
    },
    carbon: {
      kind: 'object',
      doc: 'carbon accounting',
      fields: {
        coefficients: { kind: 'file', what: 'table', doc: 'coefficient table (CSV): code,name,coefficient[,unit][,region], t/ha/yr; negative = sink', example: 'coefficients.csv' },
        coefficient_unit: { kind: 'string', optional: true, choices: ['tC', 'tCO2'], doc: 'unit of the coefficients when the table has no unit column', example: 'tCO2' },
        pools: { kind: 'file', what: 'table', optional: true, doc: 'InVEST pool table (CSV): code,c_above,c_below,c_soil,c_dead (t C/ha)', example: 'pools.csv' },
      },
    },
    balance: {
      kind: 'object',
      doc: 'carbon-balance zoning',
      fields: {
        schemes: { kind: 'list', min: 1, of: { kind: 'string', doc: 'scheme' }, doc: `zoning schemes: ${Object.keys(BUILTIN_SCHEME_SPECS).join(', ')} or scheme files`, example: ['suzhou', 'mryrua', 'bth'] },
      },
    },
    network: {
      kind: 'object',
      doc: 'carbon emission linkage network (gravity model)',
      optional: true,
      fields: {
        threshold: { kind: 'string', doc: 'edges kept: top:P% of ordered pairs, value:X or row-mean', default: 'top:1%' },
        weighted: { kind: 'bool', doc: 'shortest paths weighted by distance (default: hop counts)', default: false },
      },
    },
    stats: {
      kind: 'object',
      doc: 'spatial statistics of the per-unit table of the last epoch',
      optional: true,
      fields: {
        analyses: { kind: 'list', of: { kind: 'string', doc: 'analysis', choices: ['moran', 'gistar', 'cluster', 'geodetector'] }, doc: 'analyses to run', example: ['moran', 'gistar', 'cluster', 'geodetector'] },
        factors: { kind: 'list', optional: true, of: { kind: 'string', doc: 'factor' }, doc: 'geographical-detector factors: share_<class name> or unit-table columns', example: ['share_built-up', 'share_forest'] },
        clusters: { kind: 'int', doc: 'Ward clusters', min: 2, max: 1000, default: 4 },
        permutations: { kind: 'int', doc: "permutations of Moran's I", min: 0, max: 99_999, default: 999 },
      },
    },
    report: {
      kind: 'object',
      doc: 'the report',
      optional: true,
      fields: {
        title: { kind: 'string', doc: 'title', default: 'landcarbon study' },
        language: { kind: 'string', doc: 'language', choices: ['en', 'zh'], default: 'en' },
      },
    },
  },
};

// ---- reading with positions -------------------------------------------------------------------

export interface StudyIssue {
  line: number;
  path: string;
  message: string;
}

class Ctx {
  readonly issues: StudyIssue[] = [];
  readonly lines = new Map<string, number>();
  constructor(readonly lc: LineCounter, readonly baseDir: string) {}
  lineOf(n: Node | null | undefined, fallback = 1): number {
    const r = n?.range;
    return r ? this.lc.linePos(r[0]).line : fallback;
  }
  add(path: string, message: string, line?: number): void {
    this.issues.push({ line: line ?? this.lineAt(path), path, message });
  }
  /** Line of a key path, or of its nearest recorded parent. */
  lineAt(path: string): number {
    let p = path;
    for (;;) {
      const l = this.lines.get(p);
      if (l !== undefined) return l;
      const i = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (i <= 0) return this.lines.get('') ?? 1;
      p = p.slice(0, i);
    }
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const kindName = (n: unknown) => (isMap(n) ? 'a mapping' : isSeq(n) ? 'a list' : isScalar(n) ? JSON.stringify((n as { value: unknown }).value) : 'nothing');

/** The value of an absent optional object: defaults, empty lists. */
function defaultsOf(f: Field): unknown {
  if (f.kind === 'object') return Object.fromEntries(Object.entries(f.fields).map(([k, sub]) => [k, defaultsOf(sub)]));
  if (f.kind === 'list') return [];
  return 'default' in f ? f.default : undefined;
}

function walk(f: Field, node: unknown, path: string, c: Ctx): unknown {
  if (!c.lines.has(path)) c.lines.set(path, c.lineOf(node as Node, c.lineAt(path)));
  switch (f.kind) {
    case 'object': {
      if (!isMap(node)) {
        c.add(path, `expected a mapping with keys ${Object.keys(f.fields).join(', ')}, got ${kindName(node)}`);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const kp = join(path, key);
        c.lines.set(kp, c.lineOf(pair.key as Node, c.lineAt(path)));
        if (seen.has(key)) c.add(kp, 'key given twice');
        seen.add(key);
        const sub = f.fields[key];
        if (!sub) {
          c.add(kp, `unknown key (expected ${Object.keys(f.fields).join(', ')})`);
          continue;
        }
        out[key] = walk(sub, pair.value, kp, c);
      }
      for (const [k, sub] of Object.entries(f.fields)) {
        if (seen.has(k)) continue;
        if ('default' in sub && sub.default !== undefined) out[k] = sub.default;
        else if (sub.kind === 'object' && sub.optional) out[k] = defaultsOf(sub);
        else if (!sub.optional) c.add(join(path, k), `required key missing (${sub.doc})`, c.lineAt(path));
      }
      return out;
    }
    case 'list': {
      if (!isSeq(node)) {
        c.add(path, `expected a list (${f.doc}), got ${kindName(node)}`);
        return undefined;
      }
      if (f.min !== undefined && node.items.length < f.min) c.add(path, `expected at least ${f.min} item(s), got ${node.items.length}`);
      return node.items.map((it, i) => walk(f.of, it, `${path}[${i}]`, c));
    }
    case 'scenario': {
      if (isScalar(node) && typeof node.value === 'string') return node.value;
      if (isMap(node)) return (node.toJSON() as unknown);
      c.add(path, `expected a built-in scenario name (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or {name, adjustments}, got ${kindName(node)}`);
      return undefined;
    }
    default: {
      if (!isScalar(node)) {
        c.add(path, `expected ${f.kind === 'file' ? 'a file path' : `a ${f.kind}`}, got ${kindName(node)}`);
        return undefined;
      }
      const v = node.value;
      if (f.kind === 'bool') {
        if (typeof v !== 'boolean') c.add(path, `expected true or false, got ${JSON.stringify(v)}`);
        return typeof v === 'boolean' ? v : undefined;
      }
      if (f.kind === 'int') {
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          c.add(path, `expected an integer, got ${JSON.stringify(v)}`);
          return undefined;
        }
        if (v < f.min || v > f.max) {
          c.add(path, `expected an integer in [${f.min}, ${f.max === Number.MAX_SAFE_INTEGER ? '2^53 - 1' : f.max}], got ${v}`);
          return undefined;
        }
        return v;
      }
      if (typeof v !== 'string' || v.trim() === '') {
        c.add(path, `expected ${f.kind === 'file' ? 'a file path' : 'a string'}, got ${JSON.stringify(v)}`);
        return undefined;
      }
      if (f.kind === 'string') {
        if (f.choices && !f.choices.includes(v)) {
          c.add(path, `expected one of ${f.choices.join(', ')}, got ${JSON.stringify(v)}`);
          return undefined;
        }
        return v;
      }
      // file
      const abs = isAbsolute(v) ? v : resolve(c.baseDir, v);
      if (!existsSync(abs)) {
        c.add(path, `${f.what} file ${JSON.stringify(v)} not found${isAbsolute(v) ? '' : ` (looked in ${c.baseDir})`}`);
        return undefined;
      }
      return abs;
    }
  }
}

// ---- checks across keys -----------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any */
async function checkStudy(v: any, c: Ctx): Promise<void> {
  const grids: { grid: Grid; path: string } | null = null as { grid: Grid; path: string } | null;
  let ref = grids;
  const rasterCheck = async (file: string | undefined, path: string, integer: boolean) => {
    if (!file) return;
    try {
      const info = await readRasterInfo(file);
      if (integer && !isIntegerDType(info.dtype)) c.add(path, `${file}: expected integer codes, found ${info.dtype}`);
      if (!ref) ref = { grid: info.grid, path: file };
      else checkSameGrid(ref.grid, ref.path, info.grid, file);
    } catch (e) {
      c.add(path, (e as Error).message.split('\n')[0]);
    }
  };
  const tableOf = (file: string | undefined, path: string): Table | null => {
    if (!file) return null;
    try {
      return readCsv(file);
    } catch (e) {
      c.add(path, (e as Error).message);
      return null;
    }
  };

  // land use
  const epochs: any[] = Array.isArray(v.landuse?.epochs) ? v.landuse.epochs : [];
  const years: number[] = [];
  for (const [i, e] of epochs.entries()) {
    if (!e) continue;
    if (typeof e.year === 'number') {
      if (years.length && e.year <= years[years.length - 1]) c.add(`landuse.epochs[${i}].year`, `years must increase: ${e.year} after ${years[years.length - 1]}`);
      years.push(e.year);
    }
    await rasterCheck(e.file, `landuse.epochs[${i}].file`, true);
  }
  const classes: any[] = Array.isArray(v.landuse?.classes) ? v.landuse.classes.filter(Boolean) : [];
  const codes = new Map<number, number>();
  const names = new Map<string, number>();
  v.landuse?.classes?.forEach((k: any, i: number) => {
    if (!k) return;
    if (typeof k.code === 'number') {
      if (codes.has(k.code)) c.add(`landuse.classes[${i}].code`, `code ${k.code} also in landuse.classes[${codes.get(k.code)}]`);
      else codes.set(k.code, i);
    }
    if (typeof k.name === 'string') {
      if (names.has(k.name)) c.add(`landuse.classes[${i}].name`, `name ${JSON.stringify(k.name)} also in landuse.classes[${names.get(k.name)}]`);
      else names.set(k.name, i);
    }
  });

  // units: a zone raster, or polygons rasterised onto the land-use grid
  const zonesFile: string | undefined = v.units?.zones;
  let vectorFields: string[] = [];
  if (zonesFile && isVectorPath(zonesFile)) {
    if (typeof v.units.id !== 'string') c.add('units.zones', `polygon units need units.id: the attribute holding the unit id`);
    try {
      const layer = await readVector(zonesFile);
      vectorFields = layer.fields;
      const shown = relative(c.baseDir, zonesFile) || zonesFile;
      const attrs = layer.fields.join(', ') || 'no attributes';
      let attrsOk = true;
      for (const key of ['id', 'name'] as const) {
        const a = v.units[key];
        if (typeof a !== 'string' || layer.fields.includes(a)) continue;
        if (key === 'name' && ut0(v)) continue; // a unit-table column, checked below
        c.add(`units.${key}`, `attribute ${JSON.stringify(a)} not found in ${shown} (has: ${attrs})`);
        attrsOk = false;
      }
      if (attrsOk && typeof v.units.id === 'string') {
        try {
          zoneFeatures(layer, v.units.id, typeof v.units.name === 'string' && layer.fields.includes(v.units.name) ? v.units.name : undefined);
        } catch (e) {
          c.add('units.id', (e as Error).message.split('\n')[0]); // ids that repeat or are not whole numbers
        }
        if (ref) pixelMapper(layer, ref.grid, ref.path);
      }
    } catch (e) {
      c.add('units.zones', (e as Error).message.split('\n')[0]);
    }
  } else {
    if (typeof v.units?.id === 'string') c.add('units.id', 'units.id names an attribute of polygon units, but units.zones is a raster (its cells are the ids)');
    if (v.units?.all_touched === true) c.add('units.all_touched', 'all_touched applies to polygon units, but units.zones is a raster');
    await rasterCheck(zonesFile, 'units.zones', true);
  }
  const ut = tableOf(v.units?.table, 'units.table');
  if (ut) {
    for (const key of ['table_id', 'name']) {
      const col = v.units?.[key];
      if (key === 'name' && typeof col === 'string' && vectorFields.includes(col)) continue;
      if (typeof col === 'string' && !ut.columns.includes(col)) c.add(`units.${key}`, `column ${JSON.stringify(col)} not found in ${relative(c.baseDir, ut.source) || ut.source} (has: ${ut.columns.join(', ')})`);
    }
  }

  // drivers and restricted areas
  const dn = new Map<string, number>();
  (v.drivers ?? []).forEach((d: any, i: number) => {
    if (d && typeof d.name === 'string') {
      if (dn.has(d.name)) c.add(`drivers[${i}].name`, `name ${JSON.stringify(d.name)} also in drivers[${dn.get(d.name)}]`);
      else dn.set(d.name, i);
    }
  });
  for (const [i, d] of (v.drivers ?? []).entries()) {
    if (!d) continue;
    const given = ['file', 'distance_to'].filter((k) => k in d);
    if (given.length !== 1) {
      if (given.length) c.add(`drivers[${i}].distance_to`, 'give file or distance_to, not both');
      else c.add(`drivers[${i}]`, 'expected file (a driver raster) or distance_to (features to measure distance to)');
      continue;
    }
    if (d.values !== undefined && (d.distance_to === undefined || isVectorPath(d.distance_to))) c.add(`drivers[${i}].values`, 'values select cells of a distance_to raster');
    if (d.file) {
      await rasterCheck(d.file, `drivers[${i}].file`, false);
      continue;
    }
    if (!d.distance_to) continue;
    try {
      if (isVectorPath(d.distance_to)) {
        const layer = await readVector(d.distance_to);
        if (layer.features.length === 0) c.add(`drivers[${i}].distance_to`, `${d.distance_to}: the layer has no features`);
        else if (ref) pixelMapper(layer, ref.grid, ref.path);
      } else await rasterCheck(d.distance_to, `drivers[${i}].distance_to`, false);
    } catch (e) {
      c.add(`drivers[${i}].distance_to`, (e as Error).message.split('\n')[0]);
    }
  }
  for (const [i, f] of (v.restricted ?? []).entries()) await rasterCheck(f, `restricted[${i}]`, false);

  // simulation
  const sim = v.simulation ?? {};
  const cal: number[] | undefined = sim.calibration;
  if (Array.isArray(cal)) {
    if (cal.length !== 2) c.add('simulation.calibration', `expected two years, got ${cal.length}`);
    else if (cal.every((y) => typeof y === 'number')) {
      if (cal[1] <= cal[0]) c.add('simulation.calibration', `the second year (${cal[1]}) must be after the first (${cal[0]})`);
      for (const [i, y] of cal.entries()) if (years.length && !years.includes(y)) c.add(`simulation.calibration[${i}]`, `${y} is not a year of landuse.epochs (${years.join(', ')})`);
    }
  }
  const last = years[years.length - 1];
  if (Array.isArray(sim.target_years)) {
    sim.target_years.forEach((y: number, i: number) => {
      if (typeof y !== 'number') return;
      if (last !== undefined && y <= last) c.add(`simulation.target_years[${i}]`, `${y} is not after the last epoch (${last})`);
      if (i > 0 && typeof sim.target_years[i - 1] === 'number' && y <= sim.target_years[i - 1]) c.add(`simulation.target_years[${i}]`, `years must increase: ${y} after ${sim.target_years[i - 1]}`);
    });
  }
  const scNames = new Map<string, number>();
  const scenarios: StudyScenario[] = [];
  (sim.scenarios ?? []).forEach((s: any, i: number) => {
    const p = `simulation.scenarios[${i}]`;
    if (s === undefined) return;
    let sc: StudyScenario | null = null;
    if (typeof s === 'string') {
      const b = BUILTIN_SCENARIOS[s];
      if (!b) c.add(p, `unknown scenario ${JSON.stringify(s)} (built-in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}; or give {name, adjustments})`);
      else sc = { name: s, markov: b };
    } else {
      const { name, ...rest } = s as Record<string, unknown>;
      if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) c.add(`${p}.name`, `expected a name of letters, digits, _ and -, got ${JSON.stringify(name)}`);
      else {
        try {
          sc = { name, markov: parseScenario({ name, ...rest }, `${p}`).scenario };
        } catch (e) {
          c.add(p, (e as Error).message.replace(`${p}: `, ''));
        }
      }
    }
    if (sc && typeof s !== 'string') {
      // inline adjustments name classes (or codes) of landuse.classes
      sc.markov.adjustments.forEach((a, j) => {
        for (const side of ['from', 'to'] as const) {
          for (const x of [a[side]].flat()) {
            const ok = typeof x === 'number' || /^-?\d+$/.test(String(x)) ? codes.has(Number(x)) : names.has(String(x));
            if (!ok) c.add(`${p}.adjustments[${j}].${side}`, `class ${JSON.stringify(x)} is not in landuse.classes (${[...names.keys()].join(', ')})`);
          }
        }
      });
    }
    if (sc) {
      if (scNames.has(sc.name)) c.add(p, `scenario name ${JSON.stringify(sc.name)} also in simulation.scenarios[${scNames.get(sc.name)}]`);
      scNames.set(sc.name, i);
      scenarios.push(sc);
    }
  });
  v.__scenarios = scenarios;
  if (sim.validate && years.length < 2) c.add('simulation.validate', 'validation needs two epochs');

  // carbon tables: every class must have a row
  const coef = tableOf(v.carbon?.coefficients, 'carbon.coefficients');
  if (coef) {
    try {
      const t = parseCoefficientTable(coef, v.carbon.coefficient_unit);
      const have = new Set(t.rows.map((r) => r.code));
      const miss = [...codes.keys()].filter((k) => !have.has(k));
      if (miss.length) c.add('carbon.coefficients', `no row for class code(s) ${miss.join(', ')} of landuse.classes`);
      if (t.unit === null) c.add('carbon.coefficients', 'the table has no unit column: set carbon.coefficient_unit (tC or tCO2)');
    } catch (e) {
      c.add('carbon.coefficients', (e as Error).message);
    }
  }
  const pools = tableOf(v.carbon?.pools, 'carbon.pools');
  if (pools) {
    try {
      const have = new Set(parsePoolTable(pools).map((r) => r.code));
      const miss = [...codes.keys()].filter((k) => !have.has(k));
      if (miss.length) c.add('carbon.pools', `no row for class code(s) ${miss.join(', ')} of landuse.classes`);
    } catch (e) {
      c.add('carbon.pools', (e as Error).message);
    }
  }

  // balance, network, stats
  (v.balance?.schemes ?? []).forEach((s: string, i: number) => {
    if (typeof s !== 'string') return;
    const f = BUILTIN_SCHEME_SPECS[s.toLowerCase()] ? s : resolve(c.baseDir, s);
    if (f !== s && !existsSync(f)) {
      c.add(`balance.schemes[${i}]`, `${JSON.stringify(s)} is neither a built-in scheme (${Object.keys(BUILTIN_SCHEME_SPECS).join(', ')}) nor a scheme file (looked in ${c.baseDir})`);
      return;
    }
    try {
      loadScheme(f);
      v.balance.schemes[i] = f;
    } catch (e) {
      c.add(`balance.schemes[${i}]`, (e as Error).message.replace(/^--scheme: /, ''));
    }
  });
  if (typeof v.network?.threshold === 'string') {
    try {
      parseThreshold(v.network.threshold, 'threshold');
    } catch (e) {
      c.add('network.threshold', (e as Error).message.replace(/^threshold: /, ''));
    }
  }
  const factors: unknown[] = v.stats?.factors ?? [];
  const known = new Set([...classes.map((k) => `share_${k.name}`), ...(ut ? ut.columns : [])]);
  factors.forEach((f, i) => {
    if (typeof f === 'string' && !known.has(f)) c.add(`stats.factors[${i}]`, `unknown factor ${JSON.stringify(f)} (share_<class name> or a unit-table column: ${[...known].slice(0, 12).join(', ')})`);
  });
  if ((v.stats?.analyses ?? []).includes('geodetector') && factors.length === 0) c.add('stats.factors', 'the geodetector needs at least one factor');
}

/** Formats issues as `file:line key.path: message`, sorted by line. */
export function formatIssues(file: string, issues: StudyIssue[]): string {
  return [...issues].sort((a, b) => a.line - b.line).map((i) => `${file}:${i.line} ${i.path || '(top)'}: ${i.message}`).join('\n');
}

/** Reads and validates a study file; throws one ConfigError listing every mistake. */
export async function loadStudyFile(file: string): Promise<Study> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the study file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const c = new Ctx(lc, dirname(resolve(file)));
  if (doc.errors.length) {
    for (const e of doc.errors) c.add('', `not valid YAML: ${e.message.split('\n')[0]}`, e.linePos?.[0].line ?? 1);
    throw new ConfigError(`${file}: ${c.issues.length} error(s) in the study file\n${formatIssues(file, c.issues)}`);
  }
  const v = walk(STUDY_SPEC, doc.contents, '', c) as any;
  if (v) await checkStudy(v, c);
  if (c.issues.length || !v) {
    throw new ConfigError(`${file}: ${c.issues.length} error(s) in the study file\n${formatIssues(file, c.issues)}`);
  }
  return {
    file: resolve(file),
    landuse: { epochs: v.landuse.epochs, classes: v.landuse.classes },
    units: { zones: v.units.zones, id: v.units.id, allTouched: v.units.all_touched, table: v.units.table, tableId: v.units.table_id, name: v.units.name, gdpPrefix: v.units.gdp_prefix, populationPrefix: v.units.population_prefix },
    drivers: v.drivers.map((d: any) => (d.file ? { name: d.name, file: d.file } : { name: d.name, distanceTo: d.distance_to, ...(d.values ? { values: d.values } : {}) })),
    restricted: v.restricted ?? [],
    simulation: {
      model: 'flus',
      calibration: [v.simulation.calibration[0], v.simulation.calibration[1]],
      validate: v.simulation.validate,
      targetYears: v.simulation.target_years,
      scenarios: v.__scenarios,
      seed: v.simulation.seed,
      maxIterations: v.simulation.max_iterations,
    },
    carbon: { coefficients: v.carbon.coefficients, coefficientUnit: v.carbon.coefficient_unit, pools: v.carbon.pools },
    balance: { schemes: v.balance.schemes },
    network: { threshold: v.network.threshold, weighted: v.network.weighted },
    stats: { analyses: (v.stats.analyses ?? []) as StudyAnalysis[], factors: v.stats.factors ?? [], clusters: v.stats.clusters, permutations: v.stats.permutations },
    report: { title: v.report.title, language: v.report.language },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---- the template, the help and the methods section --------------------------------------------

function yamlScalar(x: unknown): string {
  if (typeof x === 'string') return /^[A-Za-z0-9_./%:-]+$/.test(x) && !/^(true|false|null|yes|no|~)$/i.test(x) && !/^[0-9.]+$/.test(x) ? x : JSON.stringify(x);
  return String(x);
}

function yamlValue(x: unknown, indent: string): string[] {
  if (Array.isArray(x)) {
    if (x.every((e) => typeof e !== 'object' || e === null)) return [`[${x.map(yamlScalar).join(', ')}]`];
    return ['', ...x.flatMap((e) => {
      const [first, ...rest] = yamlValue(e, indent + '  ');
      return [`${indent}- ${first.trimStart()}`, ...rest];
    })];
  }
  if (x && typeof x === 'object') {
    const entries = Object.entries(x);
    const lines: string[] = [];
    entries.forEach(([k, v], i) => {
      const val = yamlValue(v, indent + '  ');
      lines.push(`${i === 0 ? '' : indent}${k}: ${val[0]}`.trimEnd(), ...val.slice(1));
    });
    return lines;
  }
  return [yamlScalar(x)];
}

/**
 * A study file, commented from the spec. `values` (keys as in the file, paths relative) fills
 * it; keys it lacks get the spec's example or default, and optional keys without one are
 * written commented out.
 */
export function renderStudyYaml(values: Record<string, unknown> | null, header: string[] = []): string {
  const out: string[] = [...header.map((h) => `# ${h}`)];
  const emit = (f: Field, v: unknown, key: string, indent: string) => {
    const doc = f.kind === 'string' && f.choices ? `${f.doc} (${f.choices.join(' | ')})` : f.doc;
    if (f.kind === 'object') {
      out.push(`${indent}# ${doc}`, `${indent}${key}:`);
      for (const [k, sub] of Object.entries(f.fields)) emit(sub, (v as Record<string, unknown> | undefined)?.[k], k, indent + '  ');
      return;
    }
    let val = v;
    if (val === undefined && values === null && 'example' in f) val = f.example;
    if (val === undefined && 'default' in f) val = f.default;
    const comment = 'default' in f && f.default !== undefined ? `${doc}; default ${yamlScalar(f.default)}` : f.optional ? `${doc} (optional)` : doc;
    if (val === undefined) {
      out.push(`${indent}# ${key}:    # ${comment}`);
      return;
    }
    const lines = yamlValue(val, indent + '  ');
    if (lines[0] === '') {
      out.push(`${indent}# ${comment}`, `${indent}${key}:`, ...lines.slice(1));
    } else out.push(`${indent}${key}: ${lines[0]}    # ${comment}`, ...lines.slice(1));
  };
  for (const [k, sub] of Object.entries((STUDY_SPEC as { fields: Record<string, Field> }).fields)) {
    emit(sub, values?.[k], k, '');
    out.push('');
  }
  return out.join('\n');
}

/** The keys of the study file with their meaning (for `landcarbon run --help`). */
export function studyHelp(): string {
  const lines: string[] = ['Study file keys (landcarbon init DIR writes a commented template):'];
  const emit = (f: Field, path: string, depth: number) => {
    if (path) lines.push(`  ${'  '.repeat(depth - 1)}${path.split('.').pop()}${f.kind === 'object' ? ':' : ''}  ${f.doc}${'default' in f && f.default !== undefined ? ` (default ${f.default})` : f.optional ? ' (optional)' : ''}`);
    if (f.kind === 'object') for (const [k, sub] of Object.entries(f.fields)) emit(sub, path ? `${path}.${k}` : k, depth + 1);
  };
  emit(STUDY_SPEC, '', 0);
  return lines.join('\n');
}

/** The methods section of the report: what was run, with the study's parameters. */
export function methodsMarkdown(s: Study): string {
  const rel = (f: string) => (s.file ? relative(dirname(s.file), f) : f);
  const e = s.landuse.epochs;
  return [
    '## Methods',
    '',
    `Land use: ${e.map((x) => `${x.year} (${rel(x.file)})`).join(', ')}; classes ${s.landuse.classes.map((c) => `${c.code} ${c.name} (${c.role})`).join(', ')}.`,
    '',
    `Units: ${s.units.id ? `polygons ${rel(s.units.zones)} (id ${s.units.id}) rasterised onto the land-use grid by cell centre (gdal_rasterize's rule)` : `zone raster ${rel(s.units.zones)}`}${s.units.table ? `, table ${rel(s.units.table)} (id column ${s.units.tableId})` : ''}.`,
    '',
    `Demand: Markov chain calibrated on ${s.simulation.calibration.join(' -> ')}, projected to ${s.simulation.targetYears.join(', ')}; scenarios ${s.simulation.scenarios.map((x) => x.name).join(', ')} (transition adjustments, rows renormalised).`,
    '',
    `Suitability: BP-ANN on ${s.drivers.length} drivers (${s.drivers.map((d) => (d.distanceTo ? `${d.name}: distance to ${rel(d.distanceTo)}` : d.name)).join(', ')}). Simulation: FLUS cellular automaton (3x3 neighbourhood, roulette competition, inertia), seed ${s.simulation.seed}, at most ${s.simulation.maxIterations} iterations per year${s.restricted.length ? `, restricted areas ${s.restricted.map(rel).join(', ')}` : ''}.${s.simulation.validate ? ` Validation: the last epoch simulated from the previous one with its observed class counts (OA, kappa, figure of merit).` : ''}`,
    '',
    `Carbon: emissions = area x coefficient per class (${rel(s.carbon.coefficients)}), CE = sum of sources, CS = |sum of sinks|${s.carbon.pools ? `; storage from the InVEST four pools (${rel(s.carbon.pools)})` : ''}.`,
    '',
    `Balance zoning: CCR, CBI, ECC, ESC per unit; schemes ${s.balance.schemes.map((x) => (BUILTIN_SCHEME_SPECS[x] ? x : rel(x))).join(', ')}. GM(1,1) forecasts of GDP and population per unit feed the scenario comparison and the gravity network (threshold ${s.network.threshold}).`,
    '',
    s.stats.analyses.length ? `Spatial statistics: ${s.stats.analyses.join(', ')} (queen contiguity from the zone raster, ${s.stats.permutations} permutations).` : '',
  ].join('\n');
}

/** The study as file values (paths relative to `dir`), for renderStudyYaml. */
export function studyValues(s: Study, dir: string): Record<string, unknown> {
  const r = (f: string) => relative(dir, f) || '.';
  return {
    landuse: { epochs: s.landuse.epochs.map((e) => ({ year: e.year, file: r(e.file) })), classes: s.landuse.classes.map((c) => ({ code: c.code, name: c.name, role: c.role })) },
    units: { zones: r(s.units.zones), id: s.units.id, all_touched: s.units.allTouched ?? false, table: s.units.table ? r(s.units.table) : undefined, table_id: s.units.tableId, name: s.units.name, gdp_prefix: s.units.gdpPrefix, population_prefix: s.units.populationPrefix },
    drivers: s.drivers.map((d) => (d.distanceTo ? { name: d.name, distance_to: r(d.distanceTo), ...(d.values ? { values: d.values } : {}) } : { name: d.name, file: r(d.file!) })),
    restricted: s.restricted.map(r),
    simulation: {
      model: s.simulation.model,
      calibration: s.simulation.calibration,
      validate: s.simulation.validate,
      target_years: s.simulation.targetYears,
      scenarios: s.simulation.scenarios.map((x) => (BUILTIN_SCENARIOS[x.name] === x.markov ? x.name : { name: x.name, adjustments: x.markov.adjustments })),
      seed: s.simulation.seed,
      max_iterations: s.simulation.maxIterations,
    },
    carbon: { coefficients: r(s.carbon.coefficients), coefficient_unit: s.carbon.coefficientUnit, pools: s.carbon.pools ? r(s.carbon.pools) : undefined },
    balance: { schemes: s.balance.schemes.map((x) => (BUILTIN_SCHEME_SPECS[x] ? x : r(x))) },
    network: { threshold: s.network.threshold, weighted: s.network.weighted },
    stats: { analyses: s.stats.analyses, factors: s.stats.factors, clusters: s.stats.clusters, permutations: s.stats.permutations },
    report: { title: s.report.title, language: s.report.language },
  };
}
