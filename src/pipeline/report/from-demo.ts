/**
 * The demo's RunResult, read from the files its steps wrote (tables, manifests, and the JSON its
 * commands printed into their logs). A study runner that calls the steps as functions fills the
 * same RunResult from their values instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InternalError } from '../../errors.js';
import { parseCsv, type Table } from '../../io/table.js';
import { LANDUSE_PALETTE, type Rgba } from '../../io/png.js';
import type { RunResult, StepTiming } from './result.js';

function records(path: string): Record<string, string>[] {
  const t: Table = parseCsv(readFileSync(path, 'utf8'), path);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

function logJson(dir: string, step: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const f = join(dir, 'logs', `${step}.log`);
  const text = readFileSync(f, 'utf8');
  const a = text.indexOf('{'), b = text.lastIndexOf('}');
  if (a < 0 || b < a) throw new InternalError(`report: ${f} holds no JSON`);
  return JSON.parse(text.slice(a, b + 1));
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const num = (s: string | undefined): number | null => (s === undefined || s.trim() === '' ? null : Number(s));

/** Parameters as (step, option, value) from the command lines the demo ran. */
function parametersOf(dir: string, steps: StepTiming[]): RunResult['parameters'] {
  const out: RunResult['parameters'] = [];
  for (const s of steps) {
    if (!s.command) continue;
    const a = s.command.split(' ');
    for (let i = 0; i < a.length; i++) {
      if (!a[i].startsWith('--') || a[i] === '--quiet' || a[i] === '--json') continue;
      const vals: string[] = [];
      while (i + 1 < a.length && !a[i + 1].startsWith('--')) vals.push(a[++i]);
      out.push({ step: s.name, name: a[i - vals.length], value: vals.map((v) => (v.startsWith(dir) ? relative(dir, v) : v)).join(' ') || 'on' });
    }
  }
  return out;
}

export interface DemoMeta {
  dir: string;
  seed: number;
  threads: number;
  steps: StepTiming[];
  totalSeconds: number;
  version: string;
}

export function demoRunResult(m: DemoMeta): RunResult {
  const P = (...p: string[]) => join(m.dir, ...p);
  const S = (f: string) => P('sample', f);
  const manifest = JSON.parse(readFileSync(S('manifest.json'), 'utf8'));
  const classes = (manifest.classes as Array<{ code: number; name: string }>).map((c) => ({ code: c.code, name: c.name, color: (LANDUSE_PALETTE[c.code] ?? [128, 128, 128, 255]) as Rgba }));
  const unitRows = records(S('units.csv'));
  const units = unitRows.map((u) => ({ id: Number(u.unit), name: u.name, parent: u.city_name }));
  const years: number[] = manifest.years;
  const base = years[years.length - 1];
  const landuse: RunResult['landuse'] = years.map((y) => ({ year: y, scenario: 'observed', file: S(`landuse_${y}.tif`) }));
  landuse.push({ year: base, scenario: 'validation', file: P('simulation', `sim_${base}.tif`) });
  const scenarios = ['natural', 'ecological'];
  const target = 2030;
  for (const s of scenarios) landuse.push({ year: target, scenario: s, file: P('simulation', `sim_${target}_${s}.tif`) });

  const areas: RunResult['areas'] = years.map((y) => {
    const ha: Record<number, number> = {};
    for (const r of records(P('zonal', `landuse_${y}_by_unit.csv`))) ha[Number(r.class)] = (ha[Number(r.class)] ?? 0) + Number(r.area_ha);
    return { year: y, scenario: 'observed', ha };
  });
  const carbonMaps: Array<[string, number, string, string]> = [[String(base), base, 'observed', `emissions_${base}`], ...scenarios.map((s) => [`${target} ${s}`, target, s, `emissions_${target}_${s}`] as [string, number, string, string])];
  const carbon: RunResult['carbon'] = carbonMaps.map(([label, year, scenario, d]) => {
    const byClass = records(P('carbon', d, 'by_class.csv')).map((r) => ({ code: Number(r.code), areaHa: Number(r.area_ha), emission: Number(r.emission) }));
    const byUnit = records(P('carbon', d, 'by_unit.csv')).map((r) => ({ unit: Number(r.unit), ce: Number(r.ce), cs: Number(r.cs), budget: Number(r.budget) }));
    return { label, year, scenario, unit: 't CO2/yr', byClass, byUnit, raster: P('carbon', d, 'emissions.tif') };
  });
  for (const c of carbon.slice(1)) areas.push({ year: c.year, scenario: c.scenario, ha: Object.fromEntries(c.byClass.map((b) => [b.code, b.areaHa])) });

  const demand: RunResult['demand'] = scenarios.map((s) => ({
    scenario: s,
    rows: records(P('simulation', `demand_${target}_${s}.csv`)).map((r) => ({ year: Number(r.year), cells: Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'year').map(([k, v]) => [Number(k), Number(v)])) })),
  }));

  const acc = logJson(m.dir, `accuracy-${base}`);
  const accuracy = { fromYear: years[years.length - 2], year: base, oa: acc.oa, kappa: acc.kappa, fom: acc.fom, hits: acc.hits, misses: acc.misses, wrongHits: acc.wrong_hits, falseAlarms: acc.false_alarms };

  const coefficients = records(P('tables', 'coefficients.csv')).map((r) => ({ code: Number(r.code), value: Number(r.coefficient), unit: 't CO2/ha/yr', source: 'Table 2 of the Beijing-Tianjin-Hebei linkage-network zoning study' }));
  const st = JSON.parse(readFileSync(P('carbon', 'storage', 'totals.json'), 'utf8'));
  const storage = {
    fromLabel: String(base),
    toLabel: `${target} ecological`,
    storageT: st.storage_t,
    futureStorageT: st.future_storage_t,
    changeT: st.change_t,
    byClass: records(P('carbon', 'storage', 'by_class.csv')).map((r) => ({ code: Number(r.code), densityTPerHa: Number(r.density_t_per_ha), areaHa: Number(r.area_ha), storageT: Number(r.storage_t), futureAreaHa: Number(r.future_area_ha), futureStorageT: Number(r.future_storage_t) })),
    changeRaster: P('carbon', 'storage', 'c_change_bas_alt.tif'),
  };

  const bal = (file: string, scheme: string, source: string, label: string) => ({
    scheme,
    source,
    label,
    units: records(file).map((r) => ({ unit: Number(r.unit), esc: num(r.esc), ecc: num(r.ecc), zone: r.zone, reason: r.reason })),
  });
  const balance = [
    bal(P('balance', `zones_${base}_suzhou.csv`), 'suzhou', 'Suzhou zoning scheme (ESC and ECC thresholds at 1)', `${base}`),
    bal(P('balance', `zones_${base}_mryrua.csv`), 'mryrua', 'Middle-Yangtze urban agglomeration scheme', `${base}`),
    bal(P('balance', `zones_${base}_bth.csv`), 'bth', 'Beijing-Tianjin-Hebei scheme with linkage areas', `${base}`),
  ];
  const cmp = records(P('balance', 'scenarios', 'comparison.csv'));
  const choice = {
    year: target,
    rows: cmp.map((r) => ({ scenario: r.scenario, netEmissions: Number(r.net_emissions), unitsEscGt1: Number(r.units_esc_gt_1), lowestEmissions: r.lowest_emissions === '1', mostEscGt1: r.most_esc_gt_1 === '1', chosen: r.choice === '1' })),
  };
  const g = logJson(m.dir, 'grey');
  const gdpYears = [2014, 2015, 2016, 2017, 2018, 2019, 2020];
  const gdp = gdpYears.map((y) => unitRows.reduce((a, u) => a + Number(u[`gdp_${y}`]), 0));
  const grey = [{ label: 'regional GDP', unit: '10^8 yuan', years: gdpYears, observed: gdp, fitted: g.fitted, forecastYears: g.forecast.map((_: number, i: number) => 2021 + i), forecast: g.forecast, a: g.a, b: g.b, C: g.C, P: g.P, grade: g.grade }];

  const links = new Map(records(P('network', 'linkage.csv')).map((r) => [Number(r.unit), r.linkage_area]));
  const network = {
    threshold: 'top 1 % of ordered pairs by gravity',
    edges: records(P('network', 'edges.csv')).map((r) => ({ from: Number(r.from), to: Number(r.to), weight: Number(r.gravity), distanceKm: Number(r.distance_km) })),
    nodes: records(P('network', 'centrality.csv')).map((r) => ({ unit: Number(r.unit), outDegree: Number(r.out_degree), inDegree: Number(r.in_degree), betweenness: Number(r.betweenness), roles: r.roles, linkageArea: links.get(Number(r.unit)) ?? '' })),
  };

  const mo = logJson(m.dir, 'moran');
  const moran = { field: 'carbon budget', I: mo.I, z: mo.z_rand, p: mo.p_rand, pSim: mo.p_sim ?? null, permutations: mo.permutations ?? 0, weights: 'queen contiguity of the zone raster, row-standardised', points: [] as Array<{ unit: number; z: number; lag: number }> };
  const gistar = { field: 'CE (emissions)', units: records(P('stats', 'gistar_ce.csv')).map((r) => ({ unit: Number(r.id), z: Number(r.z), p: Number(r.p), cls: r.class })) };
  const statsRows = records(P('tables', `units_${base}.csv`));
  const cl = records(P('stats', 'cluster', 'clusters.csv'));
  const cluster = {
    fields: ['ce', 'cs', 'gdp', 'pop'],
    k: 4,
    linkage: records(P('stats', 'cluster', 'linkage.csv')).map((r) => [Number(r.a), Number(r.b), Number(r.height), Number(r.size)] as [number, number, number, number]),
    units: statsRows.map((r) => Number(r.unit)),
    cluster: cl.map((r) => Number(r.cluster)),
  };
  const gd = logJson(m.dir, 'geodetector');
  const geodetector = (gd.factor as Array<{ factor: string; q: number; p: number | null }>).map((x) => ({ factor: x.factor, q: x.q, p: x.p }));

  // inputs: the sample region's files and the parameter tables the demo wrote
  const inputs: RunResult['inputs'] = [];
  for (const f of readdirSync(P('sample')).sort()) {
    if (f.startsWith('.')) continue;
    const p = S(f);
    inputs.push({ path: relative(m.dir, p), sha256: sha256(p), bytes: statSync(p).size });
  }
  for (const f of ['coefficients.csv', 'pools.csv']) if (existsSync(P('tables', f))) inputs.push({ path: `tables/${f}`, sha256: sha256(P('tables', f)), bytes: statSync(P('tables', f)).size });

  const parameters = parametersOf(m.dir, m.steps);
  parameters.unshift({ step: 'demo', name: 'seed (sample region and every random step)', value: String(m.seed) }, { step: 'demo', name: 'threads', value: String(m.threads) });
  return {
    title: 'landcarbon demo: carbon balance of the sample region',
    date: new Date().toISOString(),
    version: m.version,
    synthetic: true,
    dataSource: `synthetic sample region made by \`landcarbon sample\` (size ${manifest.size}, seed ${manifest.seed}): ${manifest.units} units in ${manifest.cities.length} cities, ${manifest.pixel_size_m} m cells`,
    seed: m.seed,
    threads: m.threads,
    zones: S('zones.tif'),
    classes,
    units,
    landuse,
    areas,
    demand,
    accuracy,
    carbon,
    coefficients,
    storage,
    balance,
    choice,
    grey,
    network,
    moran,
    gistar,
    cluster,
    geodetector,
    parameters,
    inputs,
    steps: m.steps,
    totalSeconds: m.totalSeconds,
  };
}
