/**
 * The chain of a study, step by step, calling the library's step functions (src/pipeline/steps)
 * through the runner (which skips what is up to date). Joins between steps happen here, in
 * code: real class counts into the validation demand, per-unit GM(1,1) forecasts of GDP and
 * population into the network and the scenario comparison, linkage areas into the BTH zoning,
 * scenarios x target years into emissions and maps.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, InputError } from '../errors.js';
import { readCsv, Table, writeCsv } from '../io/table.js';
import { LANDUSE_PALETTE } from '../io/png.js';
import { writeDemandCsv } from '../models/demand.js';
import { greyByUnit, seriesYears } from './steps/grey.js';
import { parseThreshold } from '../kernels/gravity.js';
import type { Units } from '../models/network.js';
import type { UnitInput } from '../models/balance.js';
import { withEngine } from '../tiling/engine.js';
import { Runner } from './runner.js';
import { Study } from './study.js';
import { zonalFiles } from './zonal.js';
import { markovStep } from './steps/markov.js';
import { SUITABILITY_DEFAULTS, suitabilityStep } from './steps/suitability.js';
import { simulateStep } from './steps/simulate.js';
import { accuracyStep } from './steps/accuracy.js';
import { emissionsStep, storageStep } from './steps/carbon.js';
import { balanceStep } from './steps/balance.js';
import { networkStep } from './steps/network.js';
import { clusterStep, geodetectorStep, gistarStep, moranStep } from './steps/stats.js';
import { readRaster, writeGeoTIFF } from '../io/geotiff.js';
import { checkSameGrid } from '../io/grid.js';
import { prepareVectors, writeUnitTables } from './plan-vector.js';

/** Per-unit carbon of one land-use map (t/yr in the coefficient table's unit). */
export interface UnitCarbon {
  unit: number;
  ce: number;
  cs: number;
  budget: number;
}

export interface MapCarbon {
  /** "2020" (observed) or "2030_natural" (scenario, year). */
  label: string;
  year: number;
  scenario: string | null;
  map: string;
  unit: string;
  total: { ce: number; cs: number; budget: number };
  byUnit: UnitCarbon[];
}

export interface UnitForecast {
  unit: number;
  gdp: Record<string, number>;
  population: Record<string, number>;
  gdpGrade: string;
  populationGrade: string;
}

/** The typed result of a run: what the report takes. */
export interface StudyResult {
  study: Study;
  /** The study as run: polygon units and vector drivers replaced by the rasters prepared from them. */
  prepared: Study;
  /** The polygon layer of the units, when the study gives polygons (for GIS layers). */
  polygons: { file: string; id: string } | null;
  /** Zone ids found in the zone raster (ascending). */
  units: number[];
  unitNames: Record<string, string>;
  pixelAreaHa: number;
  /** Cells per class per epoch: year -> code -> cells. */
  classCells: Record<string, Record<string, number>>;
  accuracy: { year: number; oa: number | null; kappa: number | null; fom: number | null; hits: number; misses: number; wrongHits: number; falseAlarms: number } | null;
  scenarios: { name: string; years: { year: number; map: string; converged: boolean; iterations: number }[] }[];
  carbon: MapCarbon[];
  storage: { label: string; storageT: number; futureStorageT: number | null; changeT: number | null }[];
  forecasts: UnitForecast[] | null;
  balance: { label: string; scheme: string; zones: { zone: string; count: number }[]; file: string }[];
  choice: { year: number; choice: string | null; reason: string; file: string }[];
  /** Per scheme: transition counts between consecutive maps (from, to, from_zone, to_zone, units) and the zone of each unit per map. */
  zoneTransitions: { scheme: string; file: string; byUnit: string; changed: number }[];
  network: { label: string; edges: number; linkageAreas: number; dir: string }[];
  stats: { moran?: { I: number; z: number; p: number; pSim: number | null }; hotSpots?: number; clusters?: number[]; geodetector?: { factor: string; q: number; p: number | null }[] };
  notes: string[];
}

const f3 = (x: unknown) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x));

function records(t: Table): Record<string, string>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

export async function runStudy(r: Runner, study: Study, threads: number): Promise<StudyResult> {
  const P = (...p: string[]) => join(r.dir, ...p);
  const notes: string[] = [];
  // 0. vector inputs onto the land-use grid: polygon units -> zone raster, features -> distance drivers
  const prepared = await prepareVectors(r, study, P);
  notes.push(...prepared.notes);
  const s: Study = prepared.study;
  const epochs = s.landuse.epochs;
  const base = epochs[epochs.length - 1];
  const codes = s.landuse.classes.map((c) => c.code);
  const className = new Map(s.landuse.classes.map((c) => [c.code, c.name]));
  const seed = s.simulation.seed;
  // class names and the report's colours, written into simulated maps for GIS
  const mapClasses = s.landuse.classes.map((c) => ({ code: c.code, name: c.name, color: LANDUSE_PALETTE[c.code as keyof typeof LANDUSE_PALETTE] }));

  // unit table (optional): names and series
  const unitTable = s.units.table ? readCsv(s.units.table) : null;
  const unitRows = new Map<number, Record<string, string>>();
  if (unitTable) {
    for (const [i, row] of records(unitTable).entries()) {
      const id = Number(row[s.units.tableId]);
      if (!Number.isInteger(id)) throw new InputError(`${s.units.table}: row ${i + 1}, column "${s.units.tableId}": expected an integer unit id, got ${JSON.stringify(row[s.units.tableId])}`);
      unitRows.set(id, row);
    }
  }

  // 1. class areas per unit and epoch
  const classCells: Record<string, Record<string, number>> = {};
  const unitClassCells = new Map<number, Map<number, number>>();
  let pixelAreaHa = 0;
  let unitIds: number[] = [];
  for (const e of epochs) {
    const out = P('zonal', `landuse_${e.year}_by_unit.csv`);
    const z = await r.step({
      name: `zonal-${e.year}`,
      title: `class areas of ${e.year} per unit`,
      inputs: [s.units.zones, e.file],
      params: {},
      outputs: [out],
      run: async () => {
        const t = await withEngine({ threads }, (engine) => zonalFiles(engine, { zones: s.units.zones, classes: e.file }));
        writeCsv(out, t.columns, t.rows);
        return { rows: t.rows.map((row) => row.slice(0, 3)), pixelAreaHa: t.pixelAreaHa, zones: t.result.zoneIds };
      },
    });
    pixelAreaHa = z.pixelAreaHa;
    unitIds = z.zones;
    const cc: Record<string, number> = {};
    for (const [zone, code, cells] of z.rows) {
      cc[code] = (cc[code] ?? 0) + cells;
      if (e === base) {
        const m = unitClassCells.get(zone) ?? new Map<number, number>();
        m.set(code, cells);
        unitClassCells.set(zone, m);
      }
    }
    const unknown = Object.keys(cc).map(Number).filter((c) => !className.has(c));
    if (unknown.length) throw new InputError(`${e.file}: class codes ${unknown.join(', ')} are not in landuse.classes (${codes.join(', ')})`);
    classCells[e.year] = cc;
  }
  const unitNames: Record<string, string> = Object.fromEntries(unitIds.map((u) => [String(u), (s.units.name && unitRows.get(u)?.[s.units.name]) || prepared.names.get(u) || String(u)]));
  if (unitTable) {
    const missing = unitIds.filter((u) => !unitRows.has(u));
    if (missing.length) throw new InputError(`${s.units.table}: no row for unit(s) ${missing.slice(0, 10).join(', ')} of ${s.units.zones} (column "${s.units.tableId}")`);
  }
  notes.push(
    `## Land use by class (ha)\n\n| year | ${s.landuse.classes.map((c) => c.name).join(' | ')} |\n|---|${s.landuse.classes.map(() => '---:').join('|')}|\n` +
      epochs.map((e) => `| ${e.year} | ${codes.map((c) => Math.round((classCells[e.year][c] ?? 0) * pixelAreaHa)).join(' | ')} |`).join('\n'),
  );

  // 2. restricted areas merged into one 0/1 raster
  let restricted: string | undefined;
  if (s.restricted.length === 1) restricted = s.restricted[0];
  else if (s.restricted.length > 1) {
    restricted = P('work', 'restricted.tif');
    await r.step({
      name: 'restricted',
      title: `merge ${s.restricted.length} restricted-area rasters`,
      inputs: s.restricted,
      params: {},
      outputs: [restricted],
      run: async () => {
        const first = await readRaster(s.restricted[0]);
        const out = new Uint8Array(first.data.length);
        for (const f of s.restricted) {
          const x = f === s.restricted[0] ? first : await readRaster(f);
          checkSameGrid(first.grid, s.restricted[0], x.grid, f);
          for (let i = 0; i < out.length; i++) {
            const v = x.data[i];
            if (v !== v || v === x.grid.nodata || v === 0) continue;
            if (v !== 1) throw new InputError(`${f}: value ${v} at row ${Math.floor(i / first.grid.width)}, column ${i % first.grid.width}: expected 0 (free) or 1 (restricted)`);
            out[i] = 1;
          }
        }
        await writeGeoTIFF(restricted!, { grid: { ...first.grid, nodata: null }, dtype: 'uint8', data: out }, { compress: 'deflate' });
        return null;
      },
    });
  }

  const driverFiles = s.drivers.map((d) => d.file!); // distance drivers were prepared into files (step 0)
  const suitParams = { ...SUITABILITY_DEFAULTS, seed, drivers: s.drivers.map((d) => d.name) };
  const suitability = async (e: { year: number; file: string }) => {
    const out = P('simulation', `prob_${e.year}.tif`);
    const model = P('simulation', `ann_${e.year}.json`);
    await r.step({
      name: `suitability-${e.year}`,
      title: `BP-ANN suitability trained on ${e.year}`,
      inputs: [e.file, ...driverFiles],
      params: suitParams,
      outputs: [out, model],
      run: async () => {
        const res = await suitabilityStep({ ...SUITABILITY_DEFAULTS, seed, landuse: e.file, drivers: driverFiles, out, modelOut: model, threads, classNames: Object.fromEntries(className) });
        return { holdout: res.model.accuracy.holdout };
      },
    });
    return out;
  };

  // 3. validation: the last epoch simulated from the one before with its real class counts
  let acc: StudyResult['accuracy'] = null;
  if (s.simulation.validate) {
    const prev = epochs[epochs.length - 2];
    const prob = await suitability(prev);
    const demand = P('simulation', `demand_${base.year}_observed.csv`);
    const sim = P('simulation', `sim_${base.year}_validation.tif`);
    const counts = codes.map((c) => classCells[base.year][c] ?? 0);
    await r.step({
      name: `simulate-${base.year}`,
      title: `FLUS simulation ${prev.year} -> ${base.year} to the observed ${base.year} class counts (validation)`,
      inputs: [prev.file, prob, ...(restricted ? [restricted] : [])],
      params: { counts, seed, maxIterations: s.simulation.maxIterations },
      outputs: [demand, sim, `${sim}.aux.xml`], // the sidecar holds the class names (GeoTIFF metadata)
      run: async (log) => {
        writeDemandCsv(demand, { years: [base.year], codes, counts: [counts] });
        const res = await simulateStep({ landuse: prev.file, prob, demand, restricted, out: sim, seed, maxIterations: s.simulation.maxIterations, threads, log, classes: mapClasses });
        return res.years.map((y) => ({ converged: y.converged, iterations: y.iterations }));
      },
    });
    const a = await r.step({
      name: `accuracy-${base.year}`,
      title: `accuracy of the ${base.year} simulation`,
      inputs: [prev.file, base.file, sim],
      params: {},
      outputs: [P('simulation', `accuracy_${base.year}.json`)],
      run: async () => {
        const x = (await accuracyStep({ start: prev.file, observed: base.file, simulated: sim, out: P('simulation', `accuracy_${base.year}.json`) })).accuracy;
        return { year: base.year, oa: x.oa, kappa: x.kappa, fom: x.fom, hits: x.hits, misses: x.misses, wrongHits: x.wrong_hits, falseAlarms: x.false_alarms };
      },
    });
    acc = a;
    notes.push(`## Simulation accuracy (${prev.year} -> ${base.year}, observed ${base.year} demand)\n\nOA ${f3(a.oa)}, kappa ${f3(a.kappa)}, figure of merit ${f3(a.fom)} (hits ${a.hits}, misses ${a.misses}, wrong hits ${a.wrongHits}, false alarms ${a.falseAlarms}).`);
  }

  // 4. scenarios: Markov demand calibrated on two epochs, FLUS from the last epoch to each target year
  const [c0, c1] = s.simulation.calibration;
  const epochOf = (y: number) => epochs.find((e) => e.year === y)!;
  const probBase = await suitability(base);
  const classes = s.landuse.classes.map((c) => ({ code: c.code, name: c.name }));
  const scenarios: StudyResult['scenarios'] = [];
  for (const sc of s.simulation.scenarios) {
    const demand = P('simulation', `demand_${sc.name}.csv`);
    await r.step({
      name: `markov-${sc.name}`,
      title: `Markov demand ${c0} -> ${c1} projected to ${s.simulation.targetYears.join(', ')} (${sc.name})`,
      inputs: [epochOf(c0).file, epochOf(c1).file],
      params: { c0, c1, targets: s.simulation.targetYears, scenario: sc.markov, classes },
      outputs: [demand],
      run: async () => {
        const m = await markovStep({ from: epochOf(c0).file, to: epochOf(c1).file, t0: c0, t1: c1, targetYears: s.simulation.targetYears, scenario: sc.markov, classes, out: demand });
        return m.demand.projections.map((p) => ({ year: p.year, demand: p.demand }));
      },
    });
    const out = P('simulation', `sim_${sc.name}.tif`);
    const yearsOut = s.simulation.targetYears.map((y, k, a) => (k === a.length - 1 ? out : P('simulation', `sim_${sc.name}_${y}.tif`)));
    const res = await r.step({
      name: `simulate-${sc.name}`,
      title: `FLUS simulation ${base.year} -> ${s.simulation.targetYears.join(', ')} (${sc.name})`,
      inputs: [base.file, probBase, demand, ...(restricted ? [restricted] : [])],
      params: { seed, maxIterations: s.simulation.maxIterations },
      outputs: [...yearsOut, ...yearsOut.map((f) => `${f}.aux.xml`)],
      run: async (log) => {
        const x = await simulateStep({ landuse: base.file, prob: probBase, demand, restricted, out, seed, maxIterations: s.simulation.maxIterations, threads, log, classes: mapClasses });
        return x.years.map((y) => ({ year: y.year, map: y.path, converged: y.converged, iterations: y.iterations }));
      },
    });
    scenarios.push({ name: sc.name, years: res });
    const bad = res.filter((y) => !y.converged);
    if (bad.length) notes.push(`Warning: the ${sc.name} simulation did not meet the demand in ${bad.map((y) => y.year).join(', ')} within ${s.simulation.maxIterations} iterations.`);
  }

  // 5. carbon emissions of every map (observed last epoch, scenarios x years)
  const coefTable = readCsv(s.carbon.coefficients);
  const regional = coefTable.columns.includes('region');
  if (regional && !unitTable) throw new ConfigError(`${s.carbon.coefficients}: region-specific coefficients need units.table with a "region" column`);
  const maps: { label: string; year: number; scenario: string | null; map: string }[] = [
    { label: String(base.year), year: base.year, scenario: null, map: base.file },
    ...scenarios.flatMap((sc) => sc.years.map((y) => ({ label: `${y.year}_${sc.name}`, year: y.year, scenario: sc.name, map: y.map }))),
  ];
  let regionsFile: string | undefined;
  if (regional) {
    regionsFile = P('tables', 'unit_regions.csv');
    writeCsv(regionsFile, ['unit', 'region'], unitIds.map((u) => [u, unitRows.get(u)?.region ?? '']));
  }
  const carbon: MapCarbon[] = [];
  for (const m of maps) {
    const dir = P('carbon', `emissions_${m.label}`);
    const files = ['by_class.csv', 'by_unit.csv', 'emissions.tif', 'summary.json'].map((f) => join(dir, f));
    const e = await r.step({
      name: `emissions-${m.label}`,
      title: `land-use carbon emissions ${m.label.replace('_', ' ')}`,
      inputs: [m.map, s.carbon.coefficients, s.units.zones, ...(regionsFile ? [regionsFile] : [])],
      params: { coefficientUnit: s.carbon.coefficientUnit ?? null },
      outputs: files,
      run: async () => {
        const x = await emissionsStep({ landuse: m.map, coefficients: s.carbon.coefficients, coefficientUnit: s.carbon.coefficientUnit, zones: s.units.zones, units: regionsFile, out: dir, threads });
        return { unit: x.result.unit, total: x.result.total, byUnit: x.result.byUnit!.map((u) => ({ unit: u.unit, ce: u.ce, cs: u.cs, budget: u.budget })) };
      },
    });
    carbon.push({ ...m, ...e });
  }
  const cu = carbon[0].unit;
  notes.push(
    `## Land-use carbon emissions (10^4 ${cu}/yr)\n\n| map | emissions CE | sequestration CS | budget |\n|---|---:|---:|---:|\n` +
      carbon.map((c) => `| ${c.label.replace('_', ' ')} | ${(c.total.ce / 1e4).toFixed(2)} | ${(c.total.cs / 1e4).toFixed(2)} | ${(c.total.budget / 1e4).toFixed(2)} |`).join('\n'),
  );

  // 6. carbon storage (InVEST pools) of the last epoch against each scenario's last map
  const storage: StudyResult['storage'] = [];
  if (s.carbon.pools) {
    for (const sc of scenarios) {
      const last = sc.years[sc.years.length - 1];
      const dir = P('carbon', `storage_${sc.name}`);
      const t = await r.step({
        name: `storage-${sc.name}`,
        title: `InVEST carbon storage ${base.year} -> ${last.year} (${sc.name})`,
        inputs: [base.file, last.map, s.carbon.pools],
        params: {},
        outputs: ['totals.json', 'by_class.csv', 'c_storage_bas.tif', 'c_storage_alt.tif', 'c_change_bas_alt.tif'].map((f) => join(dir, f)),
        run: async () => {
          const x = await storageStep({ landuse: base.file, future: last.map, pools: s.carbon.pools!, out: dir });
          return { label: `${base.year} -> ${last.year} ${sc.name}`, storageT: x.result.storageT, futureStorageT: x.result.futureStorageT ?? null, changeT: x.result.changeT ?? null };
        },
      });
      storage.push(t);
    }
    if (storage.length) {
      notes.push(`## Carbon storage (InVEST 4 pools)\n\n${base.year}: ${f3(storage[0].storageT / 1e6)} Mt C; ${storage.map((x) => `${x.label}: ${f3(x.futureStorageT! / 1e6)} Mt C (change ${f3(x.changeT! / 1e6)} Mt C)`).join('; ')}.`);
    }
  }

  // 7. GM(1,1) forecasts of GDP and population per unit to each target year
  let forecasts: UnitForecast[] | null = null;
  const gdpYears = unitTable ? seriesYears(unitTable, s.units.gdpPrefix) : [];
  const popYears = unitTable ? seriesYears(unitTable, s.units.populationPrefix) : [];
  const observedAt = (u: number, prefix: string, years: number[], y: number): number | undefined => {
    const row = unitRows.get(u);
    if (!row || years.length === 0) return undefined;
    const yy = years.includes(y) ? y : years.filter((x) => x <= y).pop() ?? years[years.length - 1];
    return Number(row[`${prefix}${yy}`]);
  };
  if (gdpYears.length >= 4 && popYears.length >= 4) {
    const out = P('tables', 'grey_by_unit.csv');
    forecasts = await r.step({
      name: 'grey',
      title: `GM(1,1) GDP and population per unit to ${s.simulation.targetYears.join(', ')}`,
      inputs: [s.units.table!],
      params: { targets: s.simulation.targetYears, gdpPrefix: s.units.gdpPrefix, populationPrefix: s.units.populationPrefix, units: unitIds },
      outputs: [out],
      run: () => {
        // unit table rows in the order of the zone raster's units
        const t = readCsv(s.units.table!);
        const it = t.columns.indexOf(s.units.tableId);
        const byId = new Map(t.rows.map((row) => [Number(row[it]), row]));
        const sub: Table = { ...t, rows: unitIds.map((u) => byId.get(u)!) };
        const g = greyByUnit(sub, s.units.gdpPrefix, s.simulation.targetYears, s.units.tableId);
        const p = greyByUnit(sub, s.units.populationPrefix, s.simulation.targetYears, s.units.tableId);
        const rows = unitIds.map((u, i) => ({ unit: u, gdp: g[i].at, population: p[i].at, gdpGrade: g[i].grade, populationGrade: p[i].grade }));
        writeCsv(
          out,
          ['unit', 'name', ...s.simulation.targetYears.map((y) => `gdp_${y}`), 'gdp_grade', ...s.simulation.targetYears.map((y) => `population_${y}`), 'population_grade'],
          rows.map((x) => [x.unit, unitNames[x.unit], ...s.simulation.targetYears.map((y) => x.gdp[y]), x.gdpGrade, ...s.simulation.targetYears.map((y) => x.population[y]), x.populationGrade]),
        );
        return rows;
      },
    });
    const tot = (y: number, k: 'gdp' | 'population') => forecasts!.reduce((a, f) => a + f[k][y], 0);
    notes.push(`## GM(1,1) forecasts per unit\n\nSum over units: ${s.simulation.targetYears.map((y) => `${y}: GDP ${f3(tot(y, 'gdp'))}, population ${f3(tot(y, 'population'))}`).join('; ')}. Grades (GDP): ${gradeCounts(forecasts.map((f) => f.gdpGrade))}. Table: tables/grey_by_unit.csv.`);
  } else if (unitTable) {
    notes.push(`No GM(1,1) forecasts: ${s.units.table} has fewer than 4 years of ${s.units.gdpPrefix}YYYY and ${s.units.populationPrefix}YYYY columns.`);
  }

  // 8. networks: observed last epoch, and each scenario x target year with the GM(1,1) masses
  const network: StudyResult['network'] = [];
  const linkageOf = new Map<string, Map<number, number>>();
  const haveMasses = gdpYears.length > 0 && popYears.length > 0;
  const networkFor = async (label: string, c: MapCarbon, gdp: (u: number) => number, pop: (u: number) => number) => {
    const dir = P('network', label);
    const n = unitIds.length;
    const units: Units = {
      source: `units of ${label}`,
      ids: unitIds.map(String),
      names: unitIds.map((u) => unitNames[u]),
      gdp: Float64Array.from(unitIds, gdp),
      population: Float64Array.from(unitIds, pop),
      emissions: Float64Array.from(c.byUnit, (u) => u.ce),
      lon: new Float64Array(n).fill(NaN),
      lat: new Float64Array(n).fill(NaN),
    };
    const x = await r.step({
      name: `network-${label}`,
      title: `carbon emission linkage network ${label.replace('_', ' ')} (gravity, ${s.network.threshold})`,
      inputs: [s.units.zones],
      params: { gdp: [...units.gdp], pop: [...units.population], ce: [...units.emissions], threshold: s.network.threshold, weighted: s.network.weighted },
      outputs: ['edges.csv', 'centrality.csv', 'linkage.csv', 'edges.geojson'].map((f) => join(dir, f)),
      run: async () => {
        const y = await networkStep({ units, zones: s.units.zones, threshold: parseThreshold(s.network.threshold), out: dir, threads, weighted: s.network.weighted });
        return { edges: y.network.edges.from.length, linkage: [...y.network.linkage] };
      },
    });
    linkageOf.set(label, new Map(unitIds.map((u, i) => [u, x.linkage[i] > 0 ? 1 : 0])));
    network.push({ label, edges: x.edges, linkageAreas: Math.max(0, ...x.linkage), dir });
  };
  if (haveMasses && unitIds.length >= 2) {
    await networkFor(String(base.year), carbon[0], (u) => observedAt(u, s.units.gdpPrefix, gdpYears, base.year)!, (u) => observedAt(u, s.units.populationPrefix, popYears, base.year)!);
    if (forecasts) {
      const fc = new Map(forecasts.map((f) => [f.unit, f]));
      for (const c of carbon.slice(1)) await networkFor(c.label, c, (u) => fc.get(u)!.gdp[c.year], (u) => fc.get(u)!.population[c.year]);
    }
    notes.push(`## Carbon linkage networks\n\n${network.map((x) => `${x.label.replace('_', ' ')}: ${x.edges} edges, ${x.linkageAreas} linkage areas`).join('; ')}.`);
  }

  // 9. balance zoning of every map per scheme; scenario comparison per target year
  const gdpOf = (c: MapCarbon, u: number): number | undefined => {
    if (c.scenario === null) return observedAt(u, s.units.gdpPrefix, gdpYears, c.year);
    return forecasts?.find((f) => f.unit === u)?.gdp[c.year] ?? observedAt(u, s.units.gdpPrefix, gdpYears, c.year);
  };
  const areaKm2 = (u: number) => [...(unitClassCells.get(u)?.values() ?? [])].reduce((a, b) => a + b, 0) * pixelAreaHa / 100;
  const unitInputs = (c: MapCarbon, withLinkage: boolean): UnitInput[] =>
    c.byUnit.map((b) => ({ unit: String(b.unit), ce: b.ce, cs: b.cs, gdp: gdpOf(c, b.unit), area: areaKm2(b.unit), ...(withLinkage ? { linkage: linkageOf.get(c.label)?.get(b.unit) ?? 0 } : {}) }));
  const balance: StudyResult['balance'] = [];
  for (const scheme of s.balance.schemes) {
    const bth = scheme === 'bth';
    for (const c of carbon) {
      if (bth && !linkageOf.has(c.label)) continue;
      const out = P('balance', `zones_${c.label}_${scheme.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`);
      const units = unitInputs(c, bth);
      const z = await r.step({
        name: `balance-${scheme.replace(/[^A-Za-z0-9_-]/g, '_')}-${c.label}`,
        title: `carbon balance zoning ${c.label.replace('_', ' ')} (${scheme} scheme)`,
        inputs: existsSync(scheme) ? [scheme] : [],
        params: { scheme, units },
        outputs: [out],
        run: () => {
          const x = balanceStep({ scheme, scenarios: [{ name: c.label, table: units }], out });
          return x.scenarios[0].summary.map((q) => ({ zone: q.zone, count: q.count }));
        },
      });
      balance.push({ label: c.label, scheme, zones: z, file: out });
    }
  }
  // zone transitions per scheme: base year -> each scenario's first year, then year to year
  const zoneTransitions: StudyResult['zoneTransitions'] = [];
  for (const scheme of s.balance.schemes) {
    const maps = balance.filter((b) => b.scheme === scheme);
    const byLabel = new Map(maps.map((b) => [b.label, b]));
    const pairs: [string, string][] = [];
    for (const sc of scenarios) {
      const chain = [String(base.year), ...sc.years.map((y) => `${y.year}_${sc.name}`)].filter((l) => byLabel.has(l));
      for (let i = 1; i < chain.length; i++) pairs.push([chain[i - 1], chain[i]]);
    }
    if (pairs.length === 0) continue;
    const id = scheme.replace(/[^A-Za-z0-9_-]/g, '_');
    const table = P('balance', `zone_transitions_${id}.csv`);
    const wide = P('balance', `zones_by_unit_${id}.csv`);
    const n = await r.step({
      name: `zone-transitions-${id}`,
      title: `zone transitions between years and scenarios (${scheme} scheme)`,
      inputs: maps.map((b) => b.file),
      params: { pairs, names: unitNames },
      outputs: [table, wide],
      run: () => {
        const zoneOf = new Map(maps.map((b) => {
          const t = readCsv(b.file);
          const iu = t.columns.indexOf('unit'), iz = t.columns.indexOf('zone');
          return [b.label, new Map(t.rows.map((row) => [row[iu], row[iz]]))];
        }));
        const rows: (string | number)[][] = [];
        for (const [from, to] of pairs) {
          const count = new Map<string, number>();
          for (const [u, zf] of zoneOf.get(from)!) {
            const k = `${zf}\u0000${zoneOf.get(to)!.get(u) ?? 'missing'}`;
            count.set(k, (count.get(k) ?? 0) + 1);
          }
          for (const [k, c] of [...count].sort()) rows.push([from, to, ...k.split('\u0000'), c]);
        }
        writeCsv(table, ['from', 'to', 'from_zone', 'to_zone', 'units'], rows);
        const labels = maps.map((b) => b.label);
        writeCsv(wide, ['unit', 'name', ...labels.map((l) => `zone_${l}`)], unitIds.map((u) => [u, unitNames[String(u)], ...labels.map((l) => zoneOf.get(l)!.get(String(u)) ?? '')]));
        return rows.filter((x) => x[2] !== x[3]).reduce((a, x) => a + (x[4] as number), 0);
      },
    });
    zoneTransitions.push({ scheme, file: table, byUnit: wide, changed: n });
  }
  if (balance.length) {
    notes.push(`## Carbon balance zoning\n\n| map | scheme | zones (units) |\n|---|---|---|\n${balance.map((b) => `| ${b.label.replace('_', ' ')} | ${b.scheme} | ${b.zones.map((z) => `${z.zone} ${z.count}`).join(', ')} |`).join('\n')}` +
      (zoneTransitions.length ? `\n\nZone transitions (base year to each scenario, year to year): ${zoneTransitions.map((t) => `${t.scheme} ${t.changed} unit change(s) (${relative(r.dir, t.file)})`).join('; ')}.` : ''));
  }
  const choice: StudyResult['choice'] = [];
  if (scenarios.length >= 2 && s.balance.schemes.length > 0) {
    const scheme = s.balance.schemes.find((x) => x !== 'bth') ?? s.balance.schemes[0];
    for (const y of s.simulation.targetYears) {
      const maps = carbon.filter((c) => c.year === y && c.scenario !== null);
      const dir = P('balance', `scenarios_${y}`);
      const sc = maps.map((c) => ({ name: c.scenario!, table: unitInputs(c, scheme === 'bth') }));
      const ch = await r.step({
        name: `choice-${y}`,
        title: `scenario comparison ${y} and the low-carbon choice (seed 000 criteria)`,
        inputs: existsSync(scheme) ? [scheme] : [],
        params: { scheme, sc },
        outputs: [...sc.map((x) => join(dir, `${x.name}.csv`)), join(dir, 'comparison.csv')],
        run: () => {
          const x = balanceStep({ scheme, scenarios: sc, out: dir });
          return { year: y, choice: x.comparison!.choice, reason: x.comparison!.reason, file: join(dir, 'comparison.csv') };
        },
      });
      choice.push(ch);
    }
    notes.push(`## Scenario choice\n\n${choice.map((c) => `${c.year}: ${c.choice ?? 'none'} (${c.reason})`).join('; ')}.`);
  }

  // 10. spatial statistics of the per-unit table of the last epoch
  const stats: StudyResult['stats'] = {};
  if (s.stats.analyses.length > 0 && unitIds.length >= 3) {
    const statsIn = P('tables', `units_${base.year}.csv`);
    const extra = unitTable ? unitTable.columns.filter((c) => c !== s.units.tableId && !/^(ce|cs|budget|gdp|pop)$/.test(c)) : [];
    const shareCols = s.landuse.classes.map((c) => `share_${c.name}`);
    writeCsv(statsIn, ['unit', 'ce', 'cs', 'budget', 'gdp', 'pop', ...shareCols, ...extra], carbon[0].byUnit.map((b) => {
      const m = unitClassCells.get(b.unit) ?? new Map<number, number>();
      const tot = [...m.values()].reduce((a, x) => a + x, 0) || 1;
      return [b.unit, b.ce, b.cs, b.budget, observedAt(b.unit, s.units.gdpPrefix, gdpYears, base.year) ?? '', observedAt(b.unit, s.units.populationPrefix, popYears, base.year) ?? '',
        ...codes.map((c) => (m.get(c) ?? 0) / tot), ...extra.map((c) => unitRows.get(b.unit)?.[c] ?? '')];
    }));
    const weights = { table: statsIn, id: 'unit', zones: s.units.zones, contiguity: 'queen', transform: 'r', threads: String(threads) };
    const statParams = { permutations: s.stats.permutations, seed };
    if (s.stats.analyses.includes('moran')) {
      stats.moran = await r.step({
        name: 'moran',
        title: "Moran's I of the per-unit carbon budget (queen contiguity)",
        inputs: [statsIn, s.units.zones],
        params: statParams,
        outputs: [],
        run: async () => {
          const m = (await moranStep({ ...weights, field: 'budget', permutations: s.stats.permutations, seed, allowIslands: true })).result;
          return { I: m.I, z: m.z_rand, p: m.p_rand, pSim: m.p_sim ?? null };
        },
      });
    }
    if (s.stats.analyses.includes('gistar')) {
      const out = P('stats', 'gistar_ce.csv');
      stats.hotSpots = await r.step({
        name: 'gistar',
        title: 'Getis-Ord Gi* hot spots of emissions',
        inputs: [statsIn, s.units.zones],
        params: {},
        outputs: [out],
        run: async () => {
          const g = await gistarStep({ ...weights, field: 'ce', out, allowIslands: true });
          return Object.entries(g.counts).filter(([k]) => /Hot/.test(k)).reduce((a, [, v]) => a + v, 0);
        },
      });
    }
    const dataCols = ['ce', 'cs', ...(haveMasses ? ['gdp', 'pop'] : [])];
    if (s.stats.analyses.includes('cluster')) {
      const dir = P('stats', 'cluster');
      stats.clusters = await r.step({
        name: 'cluster',
        title: `Ward clustering of units (${dataCols.join(', ')}; z-scored)`,
        inputs: [statsIn],
        params: { k: s.stats.clusters },
        outputs: ['linkage.csv', 'clusters.csv', 'dendrogram.svg'].map((f) => join(dir, f)),
        run: () => clusterStep({ table: statsIn, id: 'unit', fields: dataCols.join(','), standardize: true, k: s.stats.clusters, out: dir }).sizes, // more clusters than units: an error naming stats.clusters, not a silent cap
      });
    }
    if (s.stats.analyses.includes('geodetector') && s.stats.factors.length > 0) {
      const numeric = s.stats.factors.filter((f) => f.startsWith('share_'));
      const dir = P('stats', 'geodetector');
      stats.geodetector = await r.step({
        name: 'geodetector',
        title: `geographical detector of emissions (${s.stats.factors.join(', ')})`,
        inputs: [statsIn],
        params: { factors: s.stats.factors },
        outputs: ['factor.csv', 'interaction.csv', 'risk.csv', 'ecological.csv'].map((f) => join(dir, f)),
        run: () => {
          const g = geodetectorStep({ table: statsIn, y: 'ce', factors: s.stats.factors.join(','), discretize: numeric.map((f) => `${f}=quantile:5`).join(',') || undefined, alpha: 0.05, out: dir });
          return g.result.factor.map((f) => ({ factor: f.factor, q: f.q, p: f.p }));
        },
      });
    }
    const parts: string[] = [];
    if (stats.moran) parts.push(`Moran's I of the budget ${f3(stats.moran.I)} (z ${f3(stats.moran.z)}, p ${f3(stats.moran.p)}${stats.moran.pSim !== null ? `, permutation p ${f3(stats.moran.pSim)}` : ''})`);
    if (stats.hotSpots !== undefined) parts.push(`${stats.hotSpots} emission hot-spot units (Gi*)`);
    if (stats.clusters) parts.push(`Ward clusters of ${stats.clusters.join(', ')} units`);
    if (stats.geodetector) parts.push(`geographical detector q: ${stats.geodetector.map((x) => `${x.factor} ${f3(x.q)} (p ${f3(x.p)})`).join(', ')}`);
    notes.push(`## Spatial statistics\n\n${parts.join('; ')}.`);
  }

  // 12. per-unit tables of every map: names, area, CE, CS, budget, and the indices and zone of each scheme
  // class cells per unit of every map (the observed one is counted above): areas and storage per unit
  const classCellsOf = new Map<string, Map<number, Map<number, number>>>([[String(base.year), unitClassCells]]);
  for (const c of carbon.filter((x) => x.scenario !== null)) {
    const out = P('zonal', `landuse_${c.label}_by_unit.csv`);
    const rows = await r.step({
      name: `zonal-${c.label}`,
      title: `class areas of ${c.label.replace('_', ' ')} per unit`,
      inputs: [s.units.zones, c.map],
      params: {},
      outputs: [out],
      run: async () => {
        const t = await withEngine({ threads }, (engine) => zonalFiles(engine, { zones: s.units.zones, classes: c.map }));
        writeCsv(out, t.columns, t.rows);
        return t.rows.map((row) => row.slice(0, 3));
      },
    });
    const m = new Map<number, Map<number, number>>();
    for (const [zone, code, cells] of rows) m.set(zone, (m.get(zone) ?? new Map<number, number>()).set(code, cells));
    classCellsOf.set(c.label, m);
  }
  const unitTables = await writeUnitTables(r, P, carbon, s, unitIds, unitNames, areaKm2, unitInputs, linkageOf, prepared.polygons, { classCellsOf, pixelAreaHa });
  notes.push(`## Per-unit tables\n\n${unitTables.map((f) => relative(r.dir, f)).join(', ')}.`);
  await classAreaChange(r, s, epochs.map((e) => String(e.year)), scenarios.map((sc) => sc.years.map((y) => `${y.year}_${sc.name}`)), unitNames, notes);

  return { study, prepared: s, polygons: prepared.polygons, units: unitIds, unitNames, pixelAreaHa, classCells, accuracy: acc, scenarios, carbon, storage, forecasts, balance, choice, zoneTransitions, network, stats, notes };
}

/**
 * Class areas per map and their change (issue 13 item 5): the region's classes on every
 * epoch and scenario map, and per unit between consecutive epochs, from the last epoch to each
 * scenario's first year, and year to year (tables/class_area_change.csv,
 * tables/class_area_change_by_unit.csv; ha and % of the earlier area), from the zonal tables
 * of every map.
 */
async function classAreaChange(r: Runner, s: Study, epochs: string[], scenarios: string[][], unitNames: Record<string, string>, notes: string[]): Promise<void> {
  const P = (...p: string[]) => join(r.dir, ...p);
  // the zonal tables of the epochs and of the simulated maps (steps zonal-<label>)
  const tables = new Map([...epochs, ...scenarios.flat()].map((l) => [l, P('zonal', `landuse_${l}_by_unit.csv`)]));
  const last = epochs[epochs.length - 1];
  const pairs: [string, string][] = epochs.slice(1).map((e, i) => [epochs[i], e]);
  for (const maps of scenarios) maps.forEach((m, i) => pairs.push([i === 0 ? last : maps[i - 1], m]));
  const labels = [...tables.keys()];
  const regionFile = P('tables', 'class_area_change.csv');
  const unitFile = P('tables', 'class_area_change_by_unit.csv');
  await r.step({
    name: 'class-area-change',
    title: 'class areas per map and their change (region and units)',
    inputs: [...tables.values()],
    params: { pairs, classes: s.landuse.classes, names: unitNames },
    outputs: [regionFile, unitFile],
    run: () => {
      // unit -> class -> ha, per map (zonal tables: zone, class, cells, area_ha, ...)
      const area = new Map<string, Map<string, Map<number, number>>>();
      for (const [label, f] of tables) {
        const t = readCsv(f);
        const iz = t.columns.indexOf('zone'), ic = t.columns.indexOf('class'), ia = t.columns.indexOf('area_ha');
        const m = new Map<string, Map<number, number>>();
        for (const row of t.rows) {
          const u = m.get(row[iz]) ?? new Map<number, number>();
          u.set(Number(row[ic]), Number(row[ia]));
          m.set(row[iz], u);
        }
        area.set(label, m);
      }
      const total = (label: string, code: number) => [...area.get(label)!.values()].reduce((a, u) => a + (u.get(code) ?? 0), 0);
      const pct = (from: number, to: number) => (from === 0 ? null : (100 * (to - from)) / from);
      const cls = s.landuse.classes;
      writeCsv(regionFile, ['code', 'class', ...labels.map((l) => `area_ha_${l}`), ...pairs.flatMap(([a, b]) => [`change_ha_${a}_${b}`, `change_pct_${a}_${b}`])],
        cls.map((c) => [c.code, c.name, ...labels.map((l) => total(l, c.code)), ...pairs.flatMap(([a, b]) => [total(b, c.code) - total(a, c.code), pct(total(a, c.code), total(b, c.code))])]));
      const units = [...new Set([...area.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => Number(a) - Number(b));
      const rows: (string | number | null)[][] = [];
      for (const [a, b] of pairs) {
        for (const u of units) {
          for (const c of cls) {
            const x = area.get(a)!.get(u)?.get(c.code) ?? 0, y = area.get(b)!.get(u)?.get(c.code) ?? 0;
            if (x === 0 && y === 0) continue;
            rows.push([u, unitNames[u] ?? u, c.code, c.name, a, b, x, y, y - x, pct(x, y)]);
          }
        }
      }
      writeCsv(unitFile, ['unit', 'name', 'code', 'class', 'from', 'to', 'from_ha', 'to_ha', 'change_ha', 'change_pct'], rows);
    },
  });
  notes.push(`Class areas per map and their change (ha, % of the earlier area): ${relative(r.dir, regionFile)} (region), ${relative(r.dir, unitFile)} (units).`);
}

function gradeCounts(g: string[]): string {
  const m = new Map<string, number>();
  for (const x of g) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
}
