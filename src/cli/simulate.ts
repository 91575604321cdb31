/**
 * `landcarbon simulate --landuse L.tif --prob prob.tif --demand demand.csv [--scenario S.yaml]
 *  [--restricted R.tif] --out sim.tif [--seed S] [--threads N] [--tile-rows R] [--update sync|flus]
 *  [--max-iterations M] [--tolerance T] [--accept-fraction F] [--demand-start-year Y] [--quiet]`
 *
 * FLUS cellular-automaton simulation (src/models/flus.ts) to each row of the demand table in
 * turn. The last year's map is --out; earlier years go beside it as <stem>_<year>.tif.
 * Progress (iteration, remaining gap per class) goes to stderr unless --quiet.
 */
import { Command, Option } from 'commander';
import { basename, dirname, extname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { PACKAGE_ROOT } from '../wasm/module.js';
import { ConfigError, InputError, checkInt, checkNumber } from '../errors.js';
import { readBands, readRaster, readRasterInfo, writeGeoTIFF } from '../io/geotiff.js';
import { probabilityScale } from '../io/prob.js';
import { checkSameGrid, isIntegerDType, type Raster } from '../io/grid.js';
import { Engine } from '../tiling/engine.js';
import { classCounts, checkDemandFeasible, runFlus, type FlusProgress, type UpdateMode } from '../models/flus.js';
import { readScenario, scenarioArrays, type SimScenario } from '../models/scenario.js';
import { readDemandCsv, type Demand } from '../models/demand.js';
import { codesPresent, transitions, markovDemand, BUILTIN_SCENARIOS } from '../models/markov.js';
import { parseThreads, progressWriter, run, threadsOption } from './common.js';
import { declareInputs, declareOutputs } from '../io/session.js';
import { PLUS_DEFAULTS, runPlus } from '../models/plus.js';

interface SimulateOptions {
  cog?: boolean;
  landuse: string;
  prob: string;
  demand?: string;
  demandStartYear?: string;
  scenario?: string;
  restricted?: string;
  out: string;
  seed?: string;
  threads?: string;
  tileRows?: string;
  update?: string;
  maxIterations?: string;
  tolerance?: string;
  acceptFraction?: string;
  model?: string;
  patchThreshold?: string;
  expansionCoefficient?: string;
  seedPercentage?: string;
  decay?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('FLUS cellular-automaton land-use simulation to a demand (deterministic for any thread count)')
    .requiredOption('--landuse <file>', 'land-use map at the start (integer class codes)')
    .requiredOption('--prob <file>', 'suitability: one Float32 band per class, ascending class code (landcarbon suitability)')
    .option('--demand <file>', 'demand table: year,<code>,<code>,... one row per target year (or lulcc V1..VK with --demand-start-year)')
    .option('--demand-start-year <year>', 'first year of a lulcc-layout demand table (V1..VK, no year column)')
    .option('--scenario <file>', 'scenario (YAML/JSON): classes, neighbourhood, weights, conversion matrix, restricted, demand, seed ...')
    .option('--restricted <file>', '0/1 raster: 1 = restricted, never changes (overrides the scenario)')
    .requiredOption('--out <file>', 'simulated map of the last demand year (earlier years: <stem>_<year>.tif beside it)')
    .option('--seed <n>', 'random seed (default: scenario seed, else 1)')
    .addOption(threadsOption())
    .option('--tile-rows <n>', 'rows per strip (speed/memory only: results do not depend on it)')
    .addOption(new Option('--update <mode>', 'sync: deterministic parallel update (default); flus: official FLUS sweep').choices(['sync', 'flus']))
    .option('--max-iterations <n>', 'iterations per target year (default: scenario, else 300)')
    .option('--tolerance <f>', 'stop when sum |gap| <= f * valid cells (default: scenario, else 0 = exact)')
    .option('--accept-fraction <f>', 'sync update: share of each class gap closed per iteration, in (0, 1] (default: scenario, else 0.1)')
    .option('--cog', 'write the maps as Cloud-Optimized GeoTIFFs (internal overviews, nearest class)')
    .addOption(new Option('--model <m>', 'flus: FLUS CA on suitability (default); plus: PLUS CARS on LEAS development probability (landcarbon plus leas)').choices(['flus', 'plus']))
    .option('--patch-threshold <f>', `plus: initial decreasing threshold, in (0, 1] (default: scenario, else ${PLUS_DEFAULTS.patchThreshold})`)
    .option('--expansion-coefficient <f>', `plus: expansion coefficient of random patch seeds, in [0, 1] (default: scenario, else ${PLUS_DEFAULTS.expansionCoefficient})`)
    .option('--seed-percentage <f>', `plus: share of cells without neighbours of a class tested as its seed per iteration, in [0, 1] (default: scenario, else ${PLUS_DEFAULTS.seedPercentage})`)
    .option('--decay <f>', `plus: decay factor of the threshold per decay step, in (0, 1) (default: scenario, else ${PLUS_DEFAULTS.decay})`)
    .option('--quiet', 'no progress on stderr')
    .action(run('simulate', (o: SimulateOptions) => ({
      inputs: { '--landuse': o.landuse, '--prob': o.prob, '--demand': o.demand, '--scenario': scenarioPath(o.scenario), '--restricted': o.restricted },
      outputs: { '--out': o.out },
    }), simulate));
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

async function simulate(o: SimulateOptions): Promise<void> {
  const log = progressWriter(!!o.quiet);
  const sc: SimScenario | null = o.scenario ? readScenario(scenarioPath(o.scenario)!) : null;
  const plus = plusOptions(o, sc);
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
  const pscale = probabilityScale(pinfo.dtype, o.prob); // uint16 files hold p x 65535 (src/io/prob.ts)
  const pnd = pinfo.grid.nodata === null ? NaN : pinfo.dtype === 'uint16' ? pinfo.grid.nodata : Math.fround(pinfo.grid.nodata);
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
      prob[off + i] = pscale === 1 ? v : v * pscale;
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
      startYear: o.demandStartYear !== undefined ? checkInt('--demand-start-year', o.demandStartYear, -100000, 100000) : undefined,
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

  const seed = o.seed !== undefined ? checkInt('--seed', o.seed, 0, Number.MAX_SAFE_INTEGER) : sc?.seed ?? 1;
  const update = (o.update ?? sc?.update ?? 'sync') as UpdateMode;
  const maxIterations = o.maxIterations !== undefined ? checkInt('--max-iterations', o.maxIterations, 1, 1_000_000) : sc?.maxIterations ?? 300;
  const tolerance = o.tolerance !== undefined ? checkNumber('--tolerance', o.tolerance, 0, 1) : sc?.tolerance ?? 0;
  const acceptFraction = o.acceptFraction !== undefined ? checkNumber('--accept-fraction', o.acceptFraction, Number.MIN_VALUE, 1) : sc?.acceptFraction;
  const threads = parseThreads(o.threads);
  const tileRows = o.tileRows !== undefined ? checkInt('--tile-rows', o.tileRows, 1) : undefined;
  const model = (o.model ?? sc?.model ?? 'flus') as 'flus' | 'plus';
  if (model === 'plus' && update === 'flus') throw new ConfigError('--update flus: the official FLUS sweep applies to --model flus only (PLUS runs the sync update)');

  const engine = new Engine({ threads });
  try {
    const t0 = Date.now();
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
      await writeGeoTIFF(path, { grid: { ...lu.grid, nodata: outNodata }, dtype: lu.dtype, data }, { compress: 'deflate', cog: !!o.cog });
      const state = r.converged ? 'demand met' : `NOT converged after ${r.iterations} iterations, remaining gap ${r.gap.map((g, k) => `${arrays.names[k]} ${g}`).join(', ')}`;
      log(`simulate ${demand.years[y]}: ${state} (${r.iterations} iterations) -> ${path}`);
    }
    log(`simulate: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${model === 'plus' ? 'PLUS CARS' : `${update} update`}, seed ${seed}, ${threads} thread(s))`);
  } finally {
    await engine.close();
  }
}

/**
 * A built-in scenario name (scenarios/<name>.yaml shipped with the package, e.g.
 * seed004-ecological: Qin et al.'s Beibu Gulf ecological priority settings) when no file of that
 * name exists; otherwise the path as given.
 */
export function scenarioPath(p: string | undefined): string | undefined {
  if (p === undefined || existsSync(p) || !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(p)) return p;
  const f = join(PACKAGE_ROOT, 'scenarios', `${p}.yaml`);
  if (existsSync(f)) return f;
  const have = readdirSync(join(PACKAGE_ROOT, 'scenarios')).filter((n) => n.endsWith('.yaml')).map((n) => n.slice(0, -5));
  throw new ConfigError(`--scenario ${p}: no such file, and not a built-in scenario (built-ins: ${have.join(', ')})`);
}

/** PLUS CARS parameters from the options, else the scenario (validated here; defaults in runPlus). */
function plusOptions(o: SimulateOptions, sc: SimScenario | null) {
  const pick = (flag: string, v: string | undefined, scv: number | undefined, min: number, max: number, open = false) => {
    if (v === undefined) return scv;
    const x = checkNumber(flag, v, min, max);
    if (open && (x <= min || x >= max)) throw new ConfigError(`${flag}: expected a number in (${min}, ${max}), got ${x}`);
    return x;
  };
  const pt = pick('--patch-threshold', o.patchThreshold, sc?.patchThreshold, 0, 1);
  if (o.patchThreshold !== undefined && pt === 0) throw new ConfigError('--patch-threshold: expected a number in (0, 1], got 0');
  return {
    patchThreshold: pt,
    expansionCoefficient: pick('--expansion-coefficient', o.expansionCoefficient, sc?.expansionCoefficient, 0, 1),
    seedPercentage: pick('--seed-percentage', o.seedPercentage, sc?.seedPercentage, 0, 1),
    decay: pick('--decay', o.decay, sc?.decay, 0, 1, true),
  };
}
