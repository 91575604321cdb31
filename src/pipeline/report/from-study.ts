/**
 * The report's RunResult from a study run: the typed StudyResult of runStudy (totals, choices,
 * per-unit carbon, accuracy, forecasts, statistics) and, for the tables behind them, the files
 * the steps declared as their outputs (per-class carbon, zones per unit, network edges and
 * centrality, Gi* per unit, the Ward linkage). Those files are the steps' recorded outputs:
 * when a step was skipped as up to date, its files are the ones its record hashes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readCsv, type Table } from '../../io/table.js';
import { LANDUSE_PALETTE, type Rgba } from '../../io/png.js';
import { gm11 } from '../../models/grey.js';
import { loadScheme } from '../../models/schemes.js';
import type { StudyResult } from '../plan.js';
import type { Runner } from '../runner.js';
import { SUITABILITY_DEFAULTS } from '../steps/suitability.js';
import { studyValues } from '../study-file.js';
import type { RunResult } from './result.js';

function records(path: string): Record<string, string>[] {
  const t: Table = readCsv(path);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, String(r[i])])));
}

const num = (s: string | undefined): number | null => (s === undefined || s.trim() === '' || s === 'null' ? null : Number(s));

/** Leaves of a JSON value as (section, dotted key, text): the study's parameters, one per row. */
function flatten(section: string, v: unknown, key: string, out: RunResult['parameters']): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) {
    out.push({ step: section, name: key, value: v.join(', ') });
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => flatten(section, x, `${key}[${i + 1}]`, out));
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(section, x, key ? `${key}.${k}` : k, out);
  } else {
    out.push({ step: section, name: key, value: String(v) });
  }
}

export interface StudyMeta {
  /** Output directory of the run. */
  dir: string;
  threads: number;
  totalSeconds: number;
  version: string;
  /** Title of the report (default: the study's report.title). */
  title?: string;
  /** Words on where the data come from, and whether they are synthetic. */
  dataSource?: string;
  synthetic?: boolean;
  /** Files read before the study (e.g. the sample generator's), for the provenance table. */
  extraInputs?: string[];
}

/** Sample regions written by `landcarbon sample` carry a manifest saying so. */
function sampleManifest(studyDir: string | null): { size: number; seed: number; units: number; cities: unknown[]; pixel_size_m: number; name: string } | null {
  if (!studyDir) return null;
  const f = join(studyDir, 'manifest.json');
  if (!existsSync(f)) return null;
  try {
    const m = JSON.parse(readFileSync(f, 'utf8'));
    return m && m.name === 'landcarbon sample region' ? m : null;
  } catch {
    return null;
  }
}

export function studyRunResult(res: StudyResult, runner: Runner, m: StudyMeta): RunResult {
  const s = res.prepared; // zone raster and driver rasters (prepared from vectors when the study gave them)
  const P = (...p: string[]) => join(m.dir, ...p);
  const pixelHa = res.pixelAreaHa;
  const epochs = s.landuse.epochs;
  const base = epochs[epochs.length - 1];
  const classes = s.landuse.classes.map((c) => ({ code: c.code, name: c.name, color: (LANDUSE_PALETTE[c.code as keyof typeof LANDUSE_PALETTE] ?? [128, 128, 128, 255]) as Rgba }));
  const units = res.units.map((u) => ({ id: u, name: res.unitNames[String(u)] ?? String(u) }));

  // land-use maps: observed epochs, the validation simulation, scenarios x target years
  const landuse: RunResult['landuse'] = epochs.map((e) => ({ year: e.year, scenario: 'observed', file: e.file }));
  if (res.accuracy) landuse.push({ year: base.year, scenario: 'validation', file: P('simulation', `sim_${base.year}_validation.tif`) });
  for (const sc of res.scenarios) for (const y of sc.years) landuse.push({ year: y.year, scenario: sc.name, file: y.map });

  // class areas: observed from the zonal step, scenario years from their emission tables
  const areas: RunResult['areas'] = epochs.map((e) => ({ year: e.year, scenario: 'observed', ha: Object.fromEntries(Object.entries(res.classCells[e.year] ?? {}).map(([c, n]) => [Number(c), n * pixelHa])) }));
  const carbon: RunResult['carbon'] = res.carbon.map((c) => {
    const dir = P('carbon', `emissions_${c.label}`);
    const byClass = records(join(dir, 'by_class.csv')).map((r) => ({ code: Number(r.code), areaHa: Number(r.area_ha), emission: Number(r.emission) }));
    return { label: c.scenario === null ? String(c.year) : `${c.year} ${c.scenario}`, year: c.year, scenario: c.scenario ?? 'observed', unit: `${c.unit}/yr`, byClass, byUnit: c.byUnit, raster: join(dir, 'emissions.tif') };
  });
  for (const c of carbon) if (c.scenario !== 'observed') areas.push({ year: c.year, scenario: c.scenario, ha: Object.fromEntries(c.byClass.map((b) => [b.code, b.areaHa])) });

  // Markov demand per scenario (cells per class and year)
  const demand: RunResult['demand'] = res.scenarios.map((sc) => ({
    scenario: sc.name,
    rows: records(P('simulation', `demand_${sc.name}.csv`)).map((r) => ({ year: Number(r.year), cells: Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'year').map(([k, v]) => [Number(k), Number(v)])) })),
  }));

  const a = res.accuracy;
  const accuracy = a && a.oa !== null && a.kappa !== null && a.fom !== null
    ? { fromYear: epochs[epochs.length - 2].year, year: a.year, oa: a.oa, kappa: a.kappa, fom: a.fom, hits: a.hits, misses: a.misses, wrongHits: a.wrongHits, falseAlarms: a.falseAlarms }
    : undefined;

  const coefRows = records(s.carbon.coefficients);
  const coefficients = coefRows.filter((r) => r.region === undefined || r.region === coefRows[0].region).map((r) => ({
    code: Number(r.code),
    value: Number(r.coefficient),
    unit: `${r.unit ?? s.carbon.coefficientUnit ?? 't'}/ha/yr`,
    source: r.source ?? relative(s.file ? dirname(s.file) : m.dir, s.carbon.coefficients),
  }));

  // storage: the last epoch against each scenario's last map
  const storage: RunResult['storage'] = res.storage.map((x, i) => {
    const sc = res.scenarios[i];
    const dir = P('carbon', `storage_${sc.name}`);
    const last = sc.years[sc.years.length - 1];
    return {
      fromLabel: String(base.year),
      toLabel: `${last.year} ${sc.name}`,
      storageT: x.storageT,
      futureStorageT: x.futureStorageT ?? x.storageT,
      changeT: x.changeT ?? 0,
      byClass: records(join(dir, 'by_class.csv')).map((r) => ({ code: Number(r.code), densityTPerHa: Number(r.density_t_per_ha), areaHa: Number(r.area_ha), storageT: Number(r.storage_t), futureAreaHa: Number(r.future_area_ha), futureStorageT: Number(r.future_storage_t) })),
      changeRaster: join(dir, 'c_change_bas_alt.tif'),
    };
  });

  // zoning: every scheme on the last epoch, then the first scheme on each scenario map
  const schemeInfo = new Map<string, { name: string; source: string }>();
  const info = (scheme: string) => {
    if (!schemeInfo.has(scheme)) {
      const x = loadScheme(scheme);
      schemeInfo.set(scheme, { name: x.id, source: x.name || x.source || x.id });
    }
    return schemeInfo.get(scheme)!;
  };
  const label = (l: string) => l.replace('_', ' ');
  const balance: RunResult['balance'] = res.balance
    .filter((b) => b.label === String(base.year) || b.scheme === res.balance[0].scheme)
    .map((b) => ({
      scheme: info(b.scheme).name,
      source: info(b.scheme).source,
      label: label(b.label),
      units: records(b.file).map((r) => ({ unit: Number(r.unit), esc: num(r.esc), ecc: num(r.ecc), zone: r.zone, reason: r.reason ?? '' })),
    }));

  // scenario choice: the last target year (the comparison of every year is in balance/)
  const ch = res.choice[res.choice.length - 1];
  const choice: RunResult['choice'] = ch
    ? {
        year: ch.year,
        reason: ch.reason,
        rows: records(ch.file).map((r) => ({ scenario: r.scenario, netEmissions: Number(r.net_emissions), unitsEscGt1: Number(r.units_esc_gt_1), lowestEmissions: r.lowest_emissions === '1', mostEscGt1: r.most_esc_gt_1 === '1', chosen: r.choice === '1' })),
      }
    : undefined;

  // GM(1,1) of the regional sums of the unit table's series (the per-unit fits are in tables/grey_by_unit.csv)
  const grey: RunResult['grey'] = [];
  if (res.forecasts && s.units.table) {
    const t = records(s.units.table);
    for (const [prefix, what] of [[s.units.gdpPrefix, 'GDP'], [s.units.populationPrefix, 'population']] as const) {
      const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{4})$`);
      const years = Object.keys(t[0] ?? {}).map((c) => re.exec(c)).filter((x): x is RegExpExecArray => x !== null).map((x) => Number(x[1])).sort((p, q) => p - q);
      if (years.length < 4) continue;
      const observed = years.map((y) => t.reduce((acc, r) => acc + Number(r[`${prefix}${y}`]), 0));
      const lastY = years[years.length - 1];
      const h = Math.max(1, ...s.simulation.targetYears.map((y) => y - lastY));
      const g = gm11(observed, h, `${s.units.table}: sum of ${prefix}YYYY`);
      grey.push({ label: `regional ${what}`, unit: `sum of ${prefix}YYYY over units`, years, observed, fitted: g.fitted, forecastYears: g.forecast.map((_, i) => lastY + 1 + i), forecast: g.forecast, a: g.a, b: g.b, C: g.C, P: g.P, grade: g.grade });
    }
  }

  // network of the last epoch
  const net = res.network.find((n) => n.label === String(base.year)) ?? res.network[0];
  const network: RunResult['network'] = net
    ? (() => {
        const links = new Map(records(join(net.dir, 'linkage.csv')).map((r) => [Number(r.unit), r.linkage_area]));
        return {
          threshold: `${s.network.threshold} (${label(net.label)})`,
          edges: records(join(net.dir, 'edges.csv')).map((r) => ({ from: Number(r.from), to: Number(r.to), weight: Number(r.gravity), distanceKm: num(r.distance_km) ?? undefined })),
          nodes: records(join(net.dir, 'centrality.csv')).map((r) => ({ unit: Number(r.unit), outDegree: Number(r.out_degree), inDegree: Number(r.in_degree), betweenness: Number(r.betweenness), roles: r.roles ?? '', linkageArea: links.get(Number(r.unit)) ?? '' })),
        };
      })()
    : undefined;

  const st = res.stats;
  const moran: RunResult['moran'] = st.moran
    ? { field: 'carbon budget', I: st.moran.I, z: st.moran.z, p: st.moran.p, pSim: st.moran.pSim, permutations: s.stats.permutations, weights: 'queen contiguity of the zone raster, row-standardised', points: [] }
    : undefined;
  const giFile = P('stats', 'gistar_ce.csv');
  const gistar: RunResult['gistar'] = st.hotSpots !== undefined && existsSync(giFile)
    ? { field: 'CE (emissions)', units: records(giFile).map((r) => ({ unit: Number(r.id), z: Number(r.z), p: Number(r.p), cls: r.class })) }
    : undefined;
  const clDir = P('stats', 'cluster');
  const haveMasses = !!s.units.table && grey.length > 0;
  const cluster: RunResult['cluster'] = st.clusters
    ? (() => {
        const cl = records(join(clDir, 'clusters.csv'));
        return {
          fields: ['ce', 'cs', ...(haveMasses ? ['gdp', 'pop'] : [])],
          k: st.clusters.length,
          linkage: records(join(clDir, 'linkage.csv')).map((r) => [Number(r.a), Number(r.b), Number(r.height), Number(r.size)] as [number, number, number, number]),
          units: cl.map((r) => Number(r.id)),
          cluster: cl.map((r) => Number(r.cluster)),
        };
      })()
    : undefined;

  // provenance: every input file of the study, hashed (the runner's cached SHA-256)
  const studyDir = s.file ? dirname(s.file) : null;
  const files = new Set<string>([
    ...(s.file ? [s.file] : []),
    ...epochs.map((e) => e.file),
    s.units.zones,
    res.study.units.zones,
    ...res.study.drivers.flatMap((d) => (d.distanceTo ? [d.distanceTo] : [])),
    ...(s.units.table ? [s.units.table] : []),
    ...s.drivers.flatMap((d) => (d.file ? [d.file] : [])),
    ...s.restricted,
    s.carbon.coefficients,
    ...(s.carbon.pools ? [s.carbon.pools] : []),
    ...s.balance.schemes.filter((x) => existsSync(x)),
    ...(m.extraInputs ?? []),
  ]);
  const inputs: RunResult['inputs'] = [...files].filter((f) => existsSync(f)).map((f) => ({ path: relative(m.dir, f), sha256: runner.hash(f), bytes: statSync(f).size }));

  // parameters: the study as its file gives them, and the fixed settings of the steps
  const parameters: RunResult['parameters'] = [];
  const values = studyValues(s, studyDir ?? m.dir);
  for (const [section, v] of Object.entries(values)) flatten(section, v, '', parameters);
  for (const [k, v] of Object.entries(SUITABILITY_DEFAULTS)) if (k !== 'seed') parameters.push({ step: 'suitability (fixed)', name: k, value: String(v) });

  const sample = sampleManifest(studyDir);
  const synthetic = m.synthetic ?? sample !== null;
  const dataSource = m.dataSource ?? (sample
    ? `synthetic sample region made by \`landcarbon sample\` (size ${sample.size}, seed ${sample.seed}): ${sample.units} units in ${sample.cities.length} cities, ${sample.pixel_size_m} m cells`
    : `study file ${s.file ?? '(built in)'}`);

  return {
    title: m.title ?? s.report.title,
    date: new Date().toISOString(),
    version: m.version,
    synthetic,
    dataSource,
    seed: s.simulation.seed,
    threads: m.threads,
    zones: s.units.zones,
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
    geodetector: st.geodetector,
    parameters,
    inputs,
    steps: runner.records.map((x) => ({ name: x.name, title: x.title, seconds: x.seconds, skipped: x.skipped, runSeconds: x.runSeconds })),
    totalSeconds: m.totalSeconds,
  };
}
