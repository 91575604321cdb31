/**
 * FLUS simulation step (src/models/flus.ts): from a start map, a K-band suitability and a
 * demand table (or the scenario's Markov demand), one map per demand year. The last year's map
 * is `out`; earlier years go beside it as <stem>_<year>.tif. Called by `landcarbon simulate`
 * and the study runner.
 */
import { failpoint } from '../../io/failpoint.js';
import { basename, dirname, extname, join } from 'node:path';
import { ConfigError, InputError } from '../../errors.js';
import { readBands, readRaster, readRasterInfo, writeGeoTIFF } from '../../io/geotiff.js';
import { checkSameGrid, isIntegerDType, type Raster } from '../../io/grid.js';
import { Engine } from '../../tiling/engine.js';
import { declareInputs, declareOutputs } from '../../io/session.js';
import { runPlus } from '../../models/plus.js';
import { classCounts, checkDemandFeasible, runFlus, type FlusProgress, type UpdateMode } from '../../models/flus.js';
import { readScenario, scenarioArrays, type SimScenario } from '../../models/scenario.js';
import { readDemandCsv, type Demand } from '../../models/demand.js';
import { codesPresent, transitions, markovDemand, BUILTIN_SCENARIOS } from '../../models/markov.js';

export interface SimulateStepInput {
  landuse: string;
  prob: string;
  demand?: string;
  demandStartYear?: number;
  /** Scenario file (YAML/JSON). */
  scenario?: string;
  restricted?: string;
  out: string;
  /** Defaults: the scenario's, else seed 1, sync update, 300 iterations, tolerance 0. */
  seed?: number;
  update?: UpdateMode;
  maxIterations?: number;
  tolerance?: number;
  acceptFraction?: number;
  /** flus (default; the scenario's when it says) or plus (PLUS CARS on a LEAS development probability). */
  model?: 'flus' | 'plus';
  /** PLUS CARS parameters; each defaults to the scenario's, else runPlus's. */
  plus?: { patchThreshold?: number; expansionCoefficient?: number; seedPercentage?: number; decay?: number };
  threads: number;
  tileRows?: number;
  /** Progress and notes, one line each. */
  log?: (line: string) => void;
  /** Class names (and colours) written into the output maps' metadata for GIS (src/io/tiff/metadata.ts). */
  classes?: Array<{ code: number; name: string; color?: readonly [number, number, number, number] }>;
}

export interface SimulateYear {
  year: number;
  path: string;
  converged: boolean;
  iterations: number;
  gap: number[];
}

export interface SimulateStepResult {
  codes: number[];
  names: string[];
  years: SimulateYear[];
  seed: number;
  update: UpdateMode;
  seconds: number;
}

function toCodes(r: Raster, codes: number[], name: string): Uint8Array {
  const lut = new Map(codes.map((c, k) => [c, k]));
  const nd = r.grid.nodata;
  const out = new Uint8Array(r.data.length);
  const W = r.grid.width;
  for (let i = 0; i < out.length; i++) {
    const v = r.data[i];
    if (v !== v || v === nd) {
      out[i] = 255;
      continue;
    }
    const k = lut.get(v);
    if (k === undefined) {
      throw new InputError(`${name}: class code ${v} at row ${Math.floor(i / W)}, column ${i % W} is not one of the classes ${codes.join(', ')}`);
    }
    out[i] = k;
  }
  return out;
}

export async function simulateStep(o: SimulateStepInput): Promise<SimulateStepResult> {
  const log = o.log ?? (() => {});
  const sc: SimScenario | null = o.scenario ? readScenario(o.scenario) : null;
  const plus = {
    patchThreshold: o.plus?.patchThreshold ?? sc?.patchThreshold,
    expansionCoefficient: o.plus?.expansionCoefficient ?? sc?.expansionCoefficient,
    seedPercentage: o.plus?.seedPercentage ?? sc?.seedPercentage,
    decay: o.plus?.decay ?? sc?.decay,
  };
  if (sc) {
    // files named inside the scenario are inputs of this run too (guarded like the options)
    declareInputs(`${sc.source}: restricted`, o.restricted ? undefined : sc.restricted);
    declareInputs(`${sc.source}: demand`, o.demand ? undefined : sc.demand);
    declareInputs(`${sc.source}: markov.previous`, sc.markov?.previous);
  }
  const lu = await readRaster(o.landuse);
  if (!isIntegerDType(lu.dtype)) throw new InputError(`${o.landuse}: land-use map must have integer class codes, got ${lu.dtype}`);
  const mapCodes = codesPresent(lu.data, lu.grid.nodata, o.landuse);
  let codes = mapCodes;
  if (sc) {
    const sCodes = sc.classes.map((c) => c.code).sort((a, b) => a - b);
    const missing = mapCodes.filter((c) => !sCodes.includes(c));
    if (missing.length) throw new ConfigError(`${sc.source}: classes: code(s) ${missing.join(', ')} of ${o.landuse} are missing`);
    codes = sCodes;
  }
  const K = codes.length;
  if (K === 0) throw new InputError(`${o.landuse}: no valid cells`);
  if (K > 254) throw new InputError(`${o.landuse}: ${K} classes; at most 254 are supported`);
  const arrays = sc
    ? scenarioArrays(sc, codes, o.landuse)
    : { weights: new Array(K).fill(1), inertia: new Array(K).fill(1), allowed: new Array(K * K).fill(1), names: codes.map(String) };
  const W = lu.grid.width, H = lu.grid.height, cells = W * H;
  const start = toCodes(lu, codes, o.landuse);

  // suitability
  const pinfo = await readRasterInfo(o.prob);
  if (pinfo.bands !== K) {
    throw new InputError(`${o.prob}: ${pinfo.bands} probability band(s) but ${o.landuse}${sc ? ` / ${sc.source}` : ''} has ${K} classes (${codes.join(', ')})`);
  }
  checkSameGrid(lu.grid, o.landuse, pinfo.grid, o.prob);
  const prob = new Float32Array(cells * K);
  let bands: Raster[] | null = await readBands(o.prob);
  const pnd = pinfo.grid.nodata === null ? NaN : Math.fround(pinfo.grid.nodata);
  let noProb = 0;
  bands.forEach((b, k) => {
    const off = k * cells;
    for (let i = 0; i < cells; i++) {
      if (start[i] === 255) continue;
      const v = b.data[i];
      if (v !== v || v === pnd) {
        if (k === 0) noProb++;
        continue; // 0: a cell without suitability keeps its class
      }
      if (!(v >= 0) || v === Infinity) {
        throw new InputError(`${o.prob}: band ${k + 1} at row ${Math.floor(i / W)}, column ${i % W}: expected a probability >= 0, got ${v}`);
      }
      prob[off + i] = v;
    }
  });
  bands = null; // the K planes now live in `prob` only
  if (noProb > 0) log(`simulate: ${noProb} valid land-use cells have NoData suitability in ${o.prob}; they keep their class`);

  // restricted
  const rpath = o.restricted ?? sc?.restricted;
  let restricted: Uint8Array | null = null;
  if (rpath) {
    const r = await readRaster(rpath);
    checkSameGrid(lu.grid, o.landuse, r.grid, rpath);
    restricted = new Uint8Array(cells);
    for (let i = 0; i < cells; i++) {
      const v = r.data[i];
      if (v !== v || v === r.grid.nodata || v === 0) continue;
      if (v !== 1) throw new InputError(`${rpath}: value ${v} at row ${Math.floor(i / W)}, column ${i % W}: expected 0 (free) or 1 (restricted)`);
      restricted[i] = 1;
    }
  }

  // demand
  const counts0 = classCounts(start, K);
  const valid = counts0.reduce((a, b) => a + b, 0);
  let demand: Demand;
  let demandSource: string;
  const dpath = o.demand ?? sc?.demand;
  if (dpath) {
    demand = readDemandCsv(dpath, {
      codes,
      validCells: valid,
      startYear: o.demandStartYear,
    });
    demandSource = dpath;
  } else if (sc?.markov) {
    const m = sc.markov;
    const prev = await readRaster(m.previous);
    checkSameGrid(lu.grid, o.landuse, prev.grid, m.previous);
    const tr = transitions(prev.data, lu.data, { codes, nodataFrom: prev.grid.nodata, nodataTo: lu.grid.nodata, nameFrom: m.previous, nameTo: o.landuse, width: W });
    const md = markovDemand(tr, { t0: m.t0, t1: m.t1, targetYears: m.years, scenario: BUILTIN_SCENARIOS[m.scenario], classes: sc.classes });
    for (const n of md.notes) log(`simulate: markov: ${n}`);
    demand = { years: m.years, codes, counts: md.projections.map((p) => p.demand) };
    demandSource = `${sc.source} (markov ${m.t0}-${m.t1})`;
  } else {
    throw new ConfigError('demand: give --demand <file>, or "demand" / "markov" in the scenario');
  }
  checkDemandFeasible(start, restricted, demand.counts, { classes: K, allowed: arrays.allowed }, { source: demandSource, classNames: arrays.names, years: demand.years });

  // every year's map is an output: guarded and preflighted now, before any iteration
  const outPath = (y: number) => (y === demand.years.length - 1 ? o.out : join(dirname(o.out), `${basename(o.out, extname(o.out))}_${demand.years[y]}${extname(o.out) || '.tif'}`));
  declareOutputs('--out', demand.years.map((_, y) => outPath(y)));

  const seed = o.seed ?? sc?.seed ?? 1;
  const update = (o.update ?? sc?.update ?? 'sync') as UpdateMode;
  const maxIterations = o.maxIterations ?? sc?.maxIterations ?? 300;
  const tolerance = o.tolerance ?? sc?.tolerance ?? 0;
  const acceptFraction = o.acceptFraction ?? sc?.acceptFraction;
  const threads = o.threads;
  const tileRows = o.tileRows;
  const model = (o.model ?? sc?.model ?? 'flus') as 'flus' | 'plus';
  if (model === 'plus' && update === 'flus') throw new ConfigError('--update flus: the official FLUS sweep applies to --model flus only (PLUS runs the sync update)');

  const engine = new Engine({ threads });
  const years: SimulateYear[] = [];
  const t0 = Date.now();
  try {
    const progress = (p: FlusProgress) => {
      if (p.iteration % 10 !== 1 && p.totalGap !== 0 && p.iteration !== maxIterations) return;
      const gaps = p.gap.map((g, k) => `${arrays.names[k]} ${g > 0 ? '+' : ''}${g}`).join(', ');
      log(`simulate ${demand.years[p.yearIndex]}: iteration ${p.iteration}: gap ${gaps} (total ${p.totalGap}; accepted ${p.accepted} of ${p.proposed} proposed)`);
    };
    const common = { classes: K, n: sc?.neighbourhood ?? 3, weights: arrays.weights, inertia: arrays.inertia, allowed: arrays.allowed, seed, maxIterations, tolerance, acceptFraction, tileRows };
    const inp = { width: W, height: H, landuse: start, prob, restricted };
    const res = model === 'plus'
      ? await runPlus(engine, inp, demand.counts, { ...common, ...plus }, progress)
      : await runFlus(engine, inp, demand.counts, { ...common, update }, progress);
    const outNodata = lu.grid.nodata ?? (lu.dtype === 'uint8' ? 255 : -1);
    for (let y = 0; y < res.length; y++) {
      const r = res[y];
      const data = new (lu.data.constructor as new (n: number) => typeof lu.data)(cells);
      for (let i = 0; i < cells; i++) data[i] = r.map[i] === 255 ? outNodata : codes[r.map[i]];
      const path = outPath(y);
      const metadata = o.classes ? { bands: [{ description: `simulated land use ${demand.years[y]}`, unit: 'class code' }], classes: o.classes } : undefined;
      await writeGeoTIFF(path, { grid: { ...lu.grid, nodata: outNodata }, dtype: lu.dtype, data }, { compress: 'deflate', metadata });
      const state = r.converged ? 'demand met' : `NOT converged after ${r.iterations} iterations, remaining gap ${r.gap.map((g, k) => `${arrays.names[k]} ${g}`).join(', ')}`;
      log(`simulate ${demand.years[y]}: ${state} (${r.iterations} iterations) -> ${path}`);
      years.push({ year: demand.years[y], path, converged: r.converged, iterations: r.iterations, gap: [...r.gap] });
      if (y < res.length - 1) await failpoint('simulate:year-written'); // tests kill a run here
    }
    log(`simulate: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${model === 'plus' ? 'PLUS CARS' : `${update} update`}, seed ${seed}, ${threads} thread(s))`);
  } finally {
    await engine.close();
  }
  return { codes, names: arrays.names, years, seed, update, seconds: (Date.now() - t0) / 1000 };
}
