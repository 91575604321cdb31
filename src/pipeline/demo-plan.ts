/**
 * What `landcarbon demo` runs on the sample region, step by step, as CLI commands. Each
 * capability adds its steps here.
 */
import { readFileSync } from 'node:fs';
import { DemoContext } from './demo.js';
import { parseCsv, Table, writeCsv } from '../io/table.js';
import { InternalError } from '../errors.js';

function table(path: string): Table {
  return parseCsv(readFileSync(path, 'utf8'), path);
}

/** Rows of a table as records keyed by column name. */
function records(t: Table): Record<string, string>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

/** The JSON object a command printed (its log text after the command line). */
function jsonOf(text: string, what: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const a = text.indexOf('{');
  const b = text.lastIndexOf('}');
  if (a < 0 || b < a) throw new InternalError(`demo: ${what} printed no JSON`);
  return JSON.parse(text.slice(a, b + 1));
}

const f3 = (x: unknown) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x));

export interface PlanOptions {
  size: number;
  seed: number;
}

const YEARS = [2000, 2010, 2020];
const CLASS_TABLE = '1=cropland,2=forest,3=shrub,4=grassland,5=water,6=built-up,7=unused';

export async function demoPlan(c: DemoContext, o: PlanOptions): Promise<void> {
  const S = (f: string) => c.path('sample', f);
  const T = c.threads;

  // 1. the sample region
  await c.step('sample', 'generate the sample region', ['sample', '--out', c.path('sample'), '--size', String(o.size), '--seed', String(o.seed)], [S('manifest.json'), S('units.csv')]);
  const manifest = c.readJson('sample', 'manifest.json');
  c.note(`## Sample region\n\n${manifest.units} units in ${manifest.cities.length} cities, ${manifest.valid_cells} valid cells, EPSG:${manifest.crs.epsg}.`);

  // 2. zonal sums: land use per unit, with GDP and population density summed per unit and class
  const zonalRows: string[] = [];
  for (const y of YEARS) {
    const out = c.path('zonal', `landuse_${y}_by_unit.csv`);
    await c.step(`zonal-${y}`, `zonal sums of ${y} land use by unit`, ['zonal', '--zones', S('zones.tif'), '--classes', S(`landuse_${y}.tif`), '--values', S('gdp_density.tif'), S('pop_density.tif'), '--out', out, '--threads', T, '--quiet'], [out]);
    const t = parseCsv(readFileSync(out, 'utf8'), out);
    const byClass = new Map<string, number>();
    for (const r of t.rows) byClass.set(r[1], (byClass.get(r[1]) ?? 0) + Number(r[3]));
    zonalRows.push(`| ${y} | ${[...byClass.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k}: ${Math.round(v)}`).join(', ')} |`);
  }
  c.note(`## Land use by class (ha, from zonal sums)\n\n| year | class: area |\n|---|---|\n${zonalRows.join('\n')}`);

  // 3. Markov demand: calibrated on 2000 -> 2010, projected to 2020 (validation) and 2030
  for (const scenario of ['natural', 'ecological']) {
    const out = c.path('markov', `demand_${scenario}.csv`);
    await c.step(`markov-${scenario}`, `Markov demand (${scenario})`, ['markov', '--from', S('landuse_2000.tif'), '--to', S('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020,2030', '--classes', CLASS_TABLE, '--scenario', scenario, '--out', out], [out]);
  }
  c.note(`## Markov demand\n\nDemand tables for 2020 and 2030 under the natural and ecological scenarios: markov/demand_natural.csv, markov/demand_ecological.csv.`);

  // 4. suitability (BP-ANN) trained on 2010 for validation, on 2020 for the scenarios
  const drivers = ['dem', 'slope', 'dist_road', 'dist_rail', 'dist_river', 'dist_centre', 'gdp_density', 'pop_density'].map((d) => S(`${d}.tif`)).join(',');
  const seed = String(o.seed);
  for (const y of [2010, 2020]) {
    await c.step(`suitability-${y}`, `BP-ANN suitability trained on ${y}`, ['suitability', '--landuse', S(`landuse_${y}.tif`), '--drivers', drivers, '--out', c.path('simulation', `prob_${y}.tif`), '--seed', seed, '--threads', T, '--model-out', c.path('simulation', `ann_${y}.json`)], [c.path('simulation', `prob_${y}.tif`)]);
  }

  // 5. validation: simulate 2020 from 2010 with the real 2020 class counts as demand
  const counts2020 = new Map<string, number>();
  for (const r of table(c.path('zonal', 'landuse_2020_by_unit.csv')).rows) counts2020.set(r[1], (counts2020.get(r[1]) ?? 0) + Number(r[2]));
  const codes = [...counts2020.keys()].sort((a, b) => Number(a) - Number(b));
  const realDemand = c.path('simulation', 'demand_2020_real.csv');
  writeCsv(realDemand, ['year', ...codes], [[2020, ...codes.map((k) => counts2020.get(k)!)]]);
  const sim2020 = c.path('simulation', 'sim_2020.tif');
  await c.step('simulate-2020', 'FLUS simulation 2010 -> 2020 (validation)', ['simulate', '--landuse', S('landuse_2010.tif'), '--prob', c.path('simulation', 'prob_2010.tif'), '--demand', realDemand, '--restricted', S('restricted.tif'), '--out', sim2020, '--seed', seed, '--threads', T, '--quiet'], [sim2020]);
  const accText = await c.step('accuracy-2020', 'accuracy of the 2020 simulation', ['accuracy', '--start', S('landuse_2010.tif'), '--observed', S('landuse_2020.tif'), '--simulated', sim2020, '--json']);
  const acc = jsonOf(accText, 'accuracy');
  c.note(`## Simulation accuracy (2010 -> 2020, real 2020 demand)\n\nOA ${f3(acc.oa)}, kappa ${f3(acc.kappa)}, figure of merit ${f3(acc.fom)} (hits ${acc.hits}, misses ${acc.misses}, wrong hits ${acc.wrong_hits}, false alarms ${acc.false_alarms}).`);

  // 6. scenarios: Markov 2010 -> 2020 projected to 2030, natural development and ecological protection
  const sims: Record<string, string> = {};
  for (const scenario of ['natural', 'ecological']) {
    const demand = c.path('simulation', `demand_2030_${scenario}.csv`);
    await c.step(`markov-2030-${scenario}`, `Markov demand 2030 (${scenario})`, ['markov', '--from', S('landuse_2010.tif'), '--to', S('landuse_2020.tif'), '--years', '2010,2020', '--target-year', '2030', '--classes', CLASS_TABLE, '--scenario', scenario, '--out', demand], [demand]);
    sims[scenario] = c.path('simulation', `sim_2030_${scenario}.tif`);
    await c.step(`simulate-2030-${scenario}`, `FLUS simulation 2020 -> 2030 (${scenario})`, ['simulate', '--landuse', S('landuse_2020.tif'), '--prob', c.path('simulation', 'prob_2020.tif'), '--demand', demand, '--restricted', S('restricted.tif'), '--out', sims[scenario], '--seed', seed, '--threads', T, '--quiet'], [sims[scenario]]);
  }

  // 7. carbon: coefficient emissions (seed 000 Table 2, t CO2/ha/yr) and InVEST storage
  const coef = c.path('tables', 'coefficients.csv');
  writeCsv(coef, ['code', 'name', 'coefficient'], [
    [1, 'cropland', 0.42], [2, 'forest', -0.62], [3, 'shrub', -0.23], [4, 'grassland', -0.14], [5, 'water', -0.03], [6, 'built-up', 120.37], [7, 'unused', -0.05],
  ]);
  // seed 004 Table 6 (t/ha); shrub and water are not in it: shrub between forest and grassland, water carries none
  const pools = c.path('tables', 'pools.csv');
  writeCsv(pools, ['code', 'name', 'c_above', 'c_below', 'c_soil', 'c_dead'], [
    [1, 'cropland', 40.5, 26.8, 186.3, 5.2], [2, 'forest', 82.2, 16.4, 273.0, 7.6], [3, 'shrub', 55.2, 25.1, 222.4, 6.2], [4, 'grassland', 28.2, 33.8, 171.7, 4.8],
    [5, 'water', 0, 0, 0, 0], [6, 'built-up', 5.6, 1.1, 25.3, 0], [7, 'unused', 11.2, 2.2, 37.1, 1.0],
  ]);
  const maps: Array<[string, string]> = [['2020', S('landuse_2020.tif')], ['2030_natural', sims.natural], ['2030_ecological', sims.ecological]];
  const emissionRows: string[] = [];
  for (const [label, map] of maps) {
    const dir = c.path('carbon', `emissions_${label}`);
    await c.step(`emissions-${label}`, `land-use carbon emissions ${label}`, ['carbon', 'emissions', '--landuse', map, '--coefficients', coef, '--coefficient-unit', 'tCO2', '--zones', S('zones.tif'), '--out', dir, '--threads', T], [`${dir}/by_unit.csv`, `${dir}/by_class.csv`]);
    const bu = records(table(`${dir}/by_unit.csv`));
    const ce = bu.reduce((a, r) => a + Number(r.ce), 0);
    const cs = bu.reduce((a, r) => a + Number(r.cs), 0);
    emissionRows.push(`| ${label} | ${(ce / 1e4).toFixed(2)} | ${(cs / 1e4).toFixed(2)} | ${((ce - cs) / 1e4).toFixed(2)} |`);
  }
  c.note(`## Land-use carbon emissions (10^4 t CO2/yr, seed 000 coefficients)\n\n| map | emissions CE | sequestration CS | budget |\n|---|---:|---:|---:|\n${emissionRows.join('\n')}`);
  const storageDir = c.path('carbon', 'storage');
  await c.step('storage', 'InVEST carbon storage 2020 -> 2030 (ecological)', ['carbon', 'storage', '--landuse', S('landuse_2020.tif'), '--future', sims.ecological, '--pools', pools, '--out', storageDir], [`${storageDir}/totals.json`]);
  const st = c.readJson('carbon', 'storage', 'totals.json');
  c.note(`## Carbon storage (InVEST 4 pools, seed 004 densities)\n\n2020: ${f3(st.storage_t / 1e6)} Mt C; 2030 ecological: ${f3(st.future_storage_t / 1e6)} Mt C; change ${f3(st.change_t / 1e6)} Mt C.`);

  // 8. balance indices and zoning per unit (2020), GM(1,1) forecast of GDP
  const units = records(table(S('units.csv')));
  const byUnit = new Map(units.map((u) => [u.unit, u]));
  const bu2020 = records(table(c.path('carbon', 'emissions_2020', 'by_unit.csv')));
  const balanceIn = c.path('tables', 'balance_2020.csv');
  writeCsv(balanceIn, ['unit', 'ce', 'cs', 'gdp', 'area'], bu2020.map((r) => [r.unit, r.ce, r.cs, byUnit.get(r.unit)?.gdp_2020 ?? '', byUnit.get(r.unit)?.area_km2 ?? '']));
  for (const scheme of ['suzhou', 'mryrua']) {
    await c.step(`balance-${scheme}`, `carbon balance zoning (${scheme} scheme)`, ['balance', '--table', balanceIn, '--scheme', scheme, '--out', c.path('balance', `zones_2020_${scheme}.csv`)], [c.path('balance', `zones_2020_${scheme}.csv`)]);
  }
  const zoneCounts = (f: string) => {
    const m = new Map<string, number>();
    for (const r of records(table(f))) m.set(r.zone, (m.get(r.zone) ?? 0) + 1);
    return [...m.entries()].map(([z, n]) => `${z} ${n}`).join(', ');
  };
  c.note(`## Carbon balance zoning (2020)\n\nSuzhou scheme (seed 003): ${zoneCounts(c.path('balance', 'zones_2020_suzhou.csv'))}.\n\nMiddle-Yangtze scheme (seed 002): ${zoneCounts(c.path('balance', 'zones_2020_mryrua.csv'))}.`);
  const scen: string[] = [];
  for (const s of ['natural', 'ecological']) {
    const f = c.path('tables', `balance_2030_${s}.csv`);
    const rows = records(table(c.path('carbon', `emissions_2030_${s}`, 'by_unit.csv')));
    writeCsv(f, ['unit', 'ce', 'cs', 'gdp'], rows.map((r) => [r.unit, r.ce, r.cs, byUnit.get(r.unit)?.gdp_2020 ?? '']));
    scen.push(f);
  }
  await c.step('balance-scenarios', 'scenario comparison and the low-carbon choice (seed 000)', ['balance', '--table', scen[0], '--table', scen[1], '--names', 'natural,ecological', '--scheme', 'suzhou', '--out', c.path('balance', 'scenarios')]);
  const cmp = records(table(c.path('balance', 'scenarios', 'comparison.csv')));
  c.note(`## Scenario choice (2030, seed 000 criteria)\n\n${cmp.map((r) => `${r.scenario}: net emissions ${f3(Number(r.net_emissions) / 1e4)} x 10^4 t, units with ESC > 1: ${r.units_esc_gt_1}`).join('; ')}. Low-carbon choice: ${cmp.find((r) => r.choice === '1')?.scenario ?? 'none (the two criteria disagree)'}.`);
  const gdpSeries = ['2014', '2015', '2016', '2017', '2018', '2019', '2020'].map((y) => units.reduce((a, u) => a + Number(u[`gdp_${y}`]), 0));
  const greyText = await c.step('grey', 'GM(1,1) forecast of regional GDP to 2030', ['grey', '--series', gdpSeries.map((v) => v.toFixed(2)).join(','), '--horizon', '10', '--json']);
  const grey = jsonOf(greyText, 'grey');
  c.note(`## GM(1,1) GDP forecast\n\nGDP 2014-2020 (10^8 yuan): ${gdpSeries.map((v) => v.toFixed(0)).join(', ')}; 2030 forecast ${f3(grey.forecast[grey.forecast.length - 1])}; C = ${f3(grey.C)}, P = ${f3(grey.P)}, grade ${grey.grade}.`);

  // 9. carbon linkage network of the units (gravity model, top 1 % of ordered pairs, seed 000)
  const netUnits = c.path('tables', 'network_units.csv');
  writeCsv(netUnits, ['id', 'name', 'gdp', 'population', 'emissions', 'lon', 'lat'], bu2020.map((r) => {
    const u = byUnit.get(r.unit)!;
    return [r.unit, u.name, u.gdp_2020, u.pop_2020, r.ce, u.lon, u.lat];
  }));
  const netDir = c.path('network');
  await c.step('network', 'carbon emission linkage network (gravity, top 1 % of pairs as in seed 000)', ['network', '--units', netUnits, '--threshold', 'top:1%', '--out', netDir, '--threads', T], [`${netDir}/edges.csv`, `${netDir}/centrality.csv`, `${netDir}/linkage.csv`]);
  const links = records(table(`${netDir}/linkage.csv`));
  const areas = new Set(links.map((r) => r.linkage_area).filter((a) => a !== '' && a !== '0'));
  const central = records(table(`${netDir}/centrality.csv`)).filter((r) => r.roles);
  c.note(`## Carbon linkage network\n\n${table(`${netDir}/edges.csv`).rows.length} edges, ${areas.size} linkage areas; key units: ${central.map((r) => `${byUnit.get(r.unit)?.name ?? r.unit} (${r.roles})`).join('; ')}.`);
  const linkage = new Map(links.map((r) => [r.unit, r.linkage_area && r.linkage_area !== '0' ? 1 : 0]));
  const bthIn = c.path('tables', 'balance_2020_bth.csv');
  writeCsv(bthIn, ['unit', 'ce', 'cs', 'gdp', 'linkage'], bu2020.map((r) => [r.unit, r.ce, r.cs, byUnit.get(r.unit)?.gdp_2020 ?? '', linkage.get(r.unit) ?? 0]));
  await c.step('balance-bth', 'carbon balance zoning with linkage areas (seed 000 scheme)', ['balance', '--table', bthIn, '--scheme', 'bth', '--out', c.path('balance', 'zones_2020_bth.csv')], [c.path('balance', 'zones_2020_bth.csv')]);
  c.note(`BTH scheme (seed 000, with linkage areas): ${zoneCounts(c.path('balance', 'zones_2020_bth.csv'))}.`);

  // 10. spatial statistics of the per-unit carbon budget
  const statsIn = c.path('tables', 'units_2020.csv');
  const lu2020 = table(c.path('zonal', 'landuse_2020_by_unit.csv'));
  const share = new Map<string, { built: number; forest: number; total: number }>();
  for (const r of lu2020.rows) {
    const e = share.get(r[0]) ?? { built: 0, forest: 0, total: 0 };
    e.total += Number(r[2]);
    if (r[1] === '6') e.built += Number(r[2]);
    if (r[1] === '2') e.forest += Number(r[2]);
    share.set(r[0], e);
  }
  writeCsv(statsIn, ['unit', 'city', 'ce', 'cs', 'budget', 'gdp', 'pop', 'built_share', 'forest_share', 'lon', 'lat'], bu2020.map((r) => {
    const u = byUnit.get(r.unit)!;
    const sh = share.get(r.unit)!;
    return [r.unit, u.city, r.ce, r.cs, r.budget, u.gdp_2020, u.pop_2020, sh.built / sh.total, sh.forest / sh.total, u.lon, u.lat];
  }));
  const moranText = await c.step('moran', "Moran's I of the per-unit carbon budget (queen contiguity)", ['stats', 'moran', '--table', statsIn, '--field', 'budget', '--id', 'unit', '--zones', S('zones.tif'), '--contiguity', 'queen', '--permutations', '999', '--seed', seed, '--json']);
  const moran = jsonOf(moranText, 'moran');
  await c.step('gistar', 'Getis-Ord Gi* hot spots of emissions', ['stats', 'gistar', '--table', statsIn, '--field', 'ce', '--id', 'unit', '--zones', S('zones.tif'), '--contiguity', 'queen', '--out', c.path('stats', 'gistar_ce.csv')], [c.path('stats', 'gistar_ce.csv')]);
  const hot = records(table(c.path('stats', 'gistar_ce.csv'))).filter((r) => /Hot/.test(r.class)).length;
  await c.step('cluster', 'Ward clustering of units (ce, cs, gdp, pop; z-scored)', ['stats', 'cluster', '--table', statsIn, '--fields', 'ce,cs,gdp,pop', '--standardize', '--k', '4', '--out', c.path('stats', 'cluster')], [c.path('stats', 'cluster', 'linkage.csv')]);
  const gdText = await c.step('geodetector', 'geographical detector of emissions (built-up share, forest share, city)', ['stats', 'geodetector', '--table', statsIn, '--y', 'ce', '--factors', 'built_share,forest_share,city', '--discretize', 'built_share=quantile:5,forest_share=quantile:5', '--json']);
  const gd = jsonOf(gdText, 'geodetector');
  c.note(`## Spatial statistics\n\nMoran's I of the budget ${f3(moran.I)} (z ${f3(moran.z_rand)}, p ${f3(moran.p_rand)}, permutation p ${f3(moran.p_sim)}); ${hot} emission hot-spot units (Gi*); geographical detector q: ${(gd.factor as Array<{ factor: string; q: number; p: number }>).map((x) => `${x.factor} ${f3(x.q)} (p ${f3(x.p)})`).join(', ')}.`);
}
