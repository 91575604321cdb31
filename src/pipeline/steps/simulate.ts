/**
 * FLUS / PLUS simulation step (src/models/flus.ts, src/models/plus.ts): from a start map, a
 * K-band suitability and a demand table (or the scenario's Markov demand, or rows per region
 * with `regions`), one map per demand year. The last year's map is `out`; earlier years go
 * beside it as <stem>_<year>.tif. Inputs are read and outputs written window by window; the
 * sync update holds the map, suitability and scratch in block groups of WebAssembly memories
 * (one when the raster fits: docs/block-groups.md), so the raster is bounded by the memory
 * budget, not by one 4 GiB memory; --update flus and PLUS hold whole float32 arrays. The one
 * body of `landcarbon simulate` and the study runner.
 */
import { basename, dirname, extname, join } from 'node:path';
import { ConfigError, InputError } from '../../errors.js';
import { failpoint } from '../../io/failpoint.js';
import { createGeoTIFFWriter, readBands, readRaster, readRasterInfo } from '../../io/geotiff.js';
import { probabilityScale } from '../../io/prob.js';
import { allocArray, checkSameGrid, DTYPE_BYTES, isIntegerDType, type Raster } from '../../io/grid.js';
import { Engine } from '../../tiling/engine.js';
import { checkDemandFeasibleCounts, runFlus, type FlusOutput, type FlusProgress, type FlusRowSource, type UpdateMode } from '../../models/flus.js';
import { readScenario, scenarioArrays, type SimScenario } from '../../models/scenario.js';
import { readDemandCsv, readRegionDemandCsv, type Demand } from '../../models/demand.js';
import { codesPresent, transitions, markovDemand, BUILTIN_SCENARIOS } from '../../models/markov.js';
import { needsWhole, parseBudget, writerBytes } from '../../tiling/blocks.js';
import { caGroupBytesPerRow } from '../../kernels/ca-groups.js';
import { declareInputs, declareOutputs } from '../../io/session.js';
import { runPlus } from '../../models/plus.js';

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
  /** Integer raster of region codes: the demand table has rows per (region, year), each region meets its own. */
  regions?: string;
  /** Suitability held in memory (auto: uint16 when the file is UInt16 or float32 planes would pass 2 GiB). */
  probMemory?: 'auto' | 'float32' | 'uint16';
  /** Memory budget in bytes (default: the block plan's share of RAM), and forced rows per block group. */
  memory?: number;
  blockRows?: number;
  /** Cloud-optimised GeoTIFF outputs (internal overviews). */
  cog?: boolean;
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

/** Rows per window when reading and writing (a whole number of the usual 256-row tiles). */
const WINDOW_ROWS = 256;

/** Float32 suitability planes above this many bytes are held as uint16 by default (--prob-memory auto). */
export const AUTO_U16_BYTES = 2 ** 31;

function toCodes(r: Raster, codes: number[], name: string, row0 = 0): Uint8Array {
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
      throw new InputError(`${name}: class code ${v} at row ${row0 + Math.floor(i / W)}, column ${i % W} is not one of the classes ${codes.join(', ')}`);
    }
    out[i] = k;
  }
  return out;
}

function windows(H: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let y0 = 0; y0 < H; y0 += WINDOW_ROWS) out.push([y0, Math.min(H, y0 + WINDOW_ROWS)]);
  return out;
}

/** Restricted flags (0/1) of a window of the restricted raster; other values are an InputError. */
function restrictedFlags(r: Raster, path: string, row0: number): Uint8Array {
  const W = r.grid.width;
  const out = new Uint8Array(r.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = r.data[i];
    if (v !== v || v === r.grid.nodata || v === 0) continue;
    if (v !== 1) throw new InputError(`${path}: value ${v} at row ${row0 + Math.floor(i / W)}, column ${i % W}: expected 0 (free) or 1 (restricted)`);
    out[i] = 1;
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
  const luInfo = await readRasterInfo(o.landuse);
  if (!isIntegerDType(luInfo.dtype)) throw new InputError(`${o.landuse}: land-use map must have integer class codes, got ${luInfo.dtype}`);
  const W = luInfo.grid.width, H = luInfo.grid.height, cells = W * H;
  const rpath = o.restricted ?? sc?.restricted;
  if (rpath) checkSameGrid(luInfo.grid, o.landuse, (await readRasterInfo(rpath)).grid, rpath);
  const gpath = o.regions;
  const gInfo = gpath ? await readRasterInfo(gpath) : null;
  if (gpath && gInfo) {
    checkSameGrid(luInfo.grid, o.landuse, gInfo.grid, gpath);
    if (!isIntegerDType(gInfo.dtype)) throw new InputError(`${gpath}: regions must have integer codes, got ${gInfo.dtype}`);
  }
  // with regions: cells per (region code, land-use code) and restricted ones, keyed "region,code"
  const perRegion = new Map<string, number>();
  const fixedPerRegion = new Map<string, number>();
  const regionCodes = new Set<number>();
  // pass 1 over the land use (window by window): the codes present, cells per code, restricted cells per code
  const perCode = new Map<number, number>();
  const fixedPerCode = new Map<number, number>();
  for (const [y0, y1] of windows(H)) {
    const window = { col0: 0, row0: y0, width: W, height: y1 - y0 };
    const r = await readRaster(o.landuse, { window });
    const rf = rpath ? restrictedFlags(await readRaster(rpath, { window }), rpath, y0) : null;
    const present = codesPresent(r.data, luInfo.grid.nodata, o.landuse);
    if (gpath) {
      const g = await readRaster(gpath, { window });
      const gnd = g.grid.nodata;
      const lnd = luInfo.grid.nodata;
      for (let i = 0; i < r.data.length; i++) {
        const v = r.data[i];
        if (v !== v || v === lnd) continue;
        const rg = g.data[i];
        if (rg === gnd) continue; // outside every region: keeps its class
        regionCodes.add(rg);
        const key = `${rg},${v}`;
        perRegion.set(key, (perRegion.get(key) ?? 0) + 1);
        if (rf && rf[i]) fixedPerRegion.set(key, (fixedPerRegion.get(key) ?? 0) + 1);
      }
    }
    if (present.length === 1 && !rf) {
      // one code (and perhaps NoData): count without a per-cell map lookup
      let n = 0;
      for (let i = 0; i < r.data.length; i++) if (r.data[i] === present[0]) n++;
      perCode.set(present[0], (perCode.get(present[0]) ?? 0) + n);
      continue;
    }
    const idx = new Map(present.map((c, j) => [c, j]));
    const cnt = new Float64Array(present.length), fx = new Float64Array(present.length);
    for (let i = 0; i < r.data.length; i++) {
      const j = idx.get(r.data[i]);
      if (j === undefined) continue;
      cnt[j]++;
      if (rf && rf[i]) fx[j]++;
    }
    present.forEach((c, j) => {
      perCode.set(c, (perCode.get(c) ?? 0) + cnt[j]);
      fixedPerCode.set(c, (fixedPerCode.get(c) ?? 0) + fx[j]);
    });
  }
  const mapCodes = [...perCode.keys()].sort((a, b) => a - b);
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
  const counts0 = codes.map((c) => perCode.get(c) ?? 0);
  const fixed0 = codes.map((c) => fixedPerCode.get(c) ?? 0);
  const valid = counts0.reduce((a, b) => a + b, 0);

  // suitability
  const pinfo = await readRasterInfo(o.prob);
  if (pinfo.bands !== K) {
    throw new InputError(`${o.prob}: ${pinfo.bands} probability band(s) but ${o.landuse}${sc ? ` / ${sc.source}` : ''} has ${K} classes (${codes.join(', ')})`);
  }
  checkSameGrid(luInfo.grid, o.landuse, pinfo.grid, o.prob);
  const probU16 = pinfo.dtype === 'uint16';
  const probMemory = o.probMemory ?? 'auto';
  if (!['auto', 'float32', 'uint16'].includes(probMemory)) throw new ConfigError(`--prob-memory: expected auto, float32 or uint16, got ${JSON.stringify(probMemory)}`);

  // demand
  let demand: Demand;
  let demandSource: string;
  const dpath = o.demand ?? sc?.demand;
  const regionList = [...regionCodes].sort((a, b) => a - b);
  let regionIndex: Uint16Array | null = null;
  if (gpath) {
    if (!dpath) throw new ConfigError('--regions: give --demand <file> with rows per (region, year)');
    if ((o.update ?? sc?.update) === 'flus') throw new ConfigError('--regions: per-region demand needs the sync update (--update flus updates one national counter per class)');
    if (regionList.length === 0) throw new InputError(`${gpath}: no valid land-use cell is in a region`);
    if (regionList.length > 65535) throw new InputError(`${gpath}: ${regionList.length} regions; at most 65535 are supported`);
    const regionCells = new Map(regionList.map((rg) => [rg, codes.reduce((a, c) => a + (perRegion.get(`${rg},${c}`) ?? 0), 0)]));
    const rd = readRegionDemandCsv(dpath, { codes, regionCells });
    demand = { years: rd.years, codes: rd.codes, counts: rd.years.map((_, y) => rd.counts[y].flat()) };
    demandSource = dpath;
    regionList.forEach((rg, j) => {
      checkDemandFeasibleCounts(
        codes.map((c) => perRegion.get(`${rg},${c}`) ?? 0), codes.map((c) => fixedPerRegion.get(`${rg},${c}`) ?? 0),
        rd.counts.map((row) => row[j]), { classes: K, allowed: arrays.allowed }, { source: `${dpath} (region ${rg})`, classNames: arrays.names, years: rd.years },
        counts0, // neighbourhoods cross region borders: a class may grow into a region from its neighbours
      );
    });
    // region index of every cell (65535 = outside every region)
    const lut = new Map(regionList.map((rg, j) => [rg, j]));
    regionIndex = new Uint16Array(cells);
    for (const [y0, y1] of windows(H)) {
      const g = await readRaster(gpath, { window: { col0: 0, row0: y0, width: W, height: y1 - y0 } });
      for (let i = 0; i < g.data.length; i++) regionIndex[y0 * W + i] = lut.get(g.data[i]) ?? 65535;
    }
  } else if (dpath) {
    demand = readDemandCsv(dpath, {
      codes,
      validCells: valid,
      startYear: o.demandStartYear,
    });
    demandSource = dpath;
  } else if (sc?.markov) {
    // the Markov chain counts transitions over whole maps (held in memory for this step)
    const m = sc.markov;
    const prev = await readRaster(m.previous);
    const lu = await readRaster(o.landuse);
    checkSameGrid(lu.grid, o.landuse, prev.grid, m.previous);
    const tr = transitions(prev.data, lu.data, { codes, nodataFrom: prev.grid.nodata, nodataTo: lu.grid.nodata, nameFrom: m.previous, nameTo: o.landuse, width: W });
    const md = markovDemand(tr, { t0: m.t0, t1: m.t1, targetYears: m.years, scenario: BUILTIN_SCENARIOS[m.scenario], classes: sc.classes });
    for (const n of md.notes) log(`simulate: markov: ${n}`);
    demand = { years: m.years, codes, counts: md.projections.map((p) => p.demand) };
    demandSource = `${sc.source} (markov ${m.t0}-${m.t1})`;
  } else {
    throw new ConfigError('demand: give --demand <file>, or "demand" / "markov" in the scenario');
  }
  if (!gpath) checkDemandFeasibleCounts(counts0, fixed0, demand.counts, { classes: K, allowed: arrays.allowed }, { source: demandSource, classNames: arrays.names, years: demand.years });

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
  if (model === 'plus' && gpath) throw new ConfigError('--regions: per-region demand runs with --model flus (PLUS CARS keeps one demand per class)');
  // auto: uint16 in memory only on the sync FLUS path (block groups); the whole-array paths
  // (--update flus, --model plus) read a UInt16 file as p = v / 65535 into float32
  const wholeArrays = update === 'flus' || model === 'plus';
  const u16 = probMemory === 'uint16' || (probMemory === 'auto' && !wholeArrays && (probU16 || cells * K * 4 > AUTO_U16_BYTES));
  if (model === 'plus' && u16) {
    throw new ConfigError('--model plus: the CARS kernel holds float32 development probability for the whole raster in one memory; --prob-memory uint16 was asked (use --model flus for block groups)');
  }
  if (update === 'flus' && u16) {
    throw new ConfigError('--update flus: the official sweep holds float32 suitability for the whole raster in one memory; --prob-memory uint16 was asked (use the sync update)');
  }

  // memory: the CA holds its state for the whole raster (in block groups of WebAssembly memories);
  // inputs are read and outputs written by windows beside it
  const budget = parseBudget({ memory: o.memory, blockRows: o.blockRows });
  const probBytes = DTYPE_BYTES[pinfo.dtype] ?? 4;
  const windowBytes = WINDOW_ROWS * W * (DTYPE_BYTES[luInfo.dtype] + 1 + K * (probBytes + (u16 ? 2 : 4)) + (rpath ? 2 : 0)) + writerBytes(W, 1, luInfo.dtype);
  const state = update === 'flus' ? cells * (2 + K * 4 + (rpath ? 1 : 0)) : H * caGroupBytesPerRow(W, K, u16, !!rpath);
  needsWhole(`simulate: the CA state of ${W}x${H} cells, K = ${K}, ${update === 'flus' ? 'float32 arrays (--update flus)' : `${u16 ? 'uint16' : 'float32'} suitability`}, plus read/write windows,`, state + windowBytes, budget.memory);

  // the inputs window by window: class indices, suitability (NoData -> 0: the cell keeps its class), restricted flags
  let noProb = 0;
  const source: FlusRowSource = {
    width: W, height: H, hasRestricted: !!rpath || !!gpath, readRows: WINDOW_ROWS,
    async read(y0, y1) {
      const window = { col0: 0, row0: y0, width: W, height: y1 - y0 };
      const landuse = toCodes(await readRaster(o.landuse, { window }), codes, o.landuse, y0);
      const n = landuse.length;
      const bands = await readBands(o.prob, { window });
      const pnd = pinfo.grid.nodata === null ? NaN : probU16 ? pinfo.grid.nodata : Math.fround(pinfo.grid.nodata);
      const prob = probU16 ? new Uint16Array(n * K) : new Float32Array(n * K);
      bands.forEach((b, k) => {
        const off = k * n;
        for (let i = 0; i < n; i++) {
          if (landuse[i] === 255) continue;
          const v = b.data[i];
          if (v !== v || v === pnd) {
            if (k === 0) noProb++;
            continue;
          }
          if (!(v >= 0) || v === Infinity) {
            throw new InputError(`${o.prob}: band ${k + 1} at row ${y0 + Math.floor(i / W)}, column ${i % W}: expected a probability >= 0, got ${v}`);
          }
          prob[off + i] = v;
        }
      });
      let restricted = rpath ? restrictedFlags(await readRaster(rpath, { window }), rpath, y0) : null;
      if (regionIndex) {
        // cells outside every region keep their class
        restricted ??= new Uint8Array(n);
        for (let i = 0; i < n; i++) if (regionIndex[y0 * W + i] === 65535) restricted[i] = 1;
      }
      if (y1 === H && noProb > 0) log(`simulate: ${noProb} valid land-use cells have NoData suitability in ${o.prob}; they keep their class`);
      return { landuse, prob, restricted };
    },
  };
  const outNodata = luInfo.grid.nodata ?? (luInfo.dtype === 'uint8' ? 255 : -1);
  const output: FlusOutput = {
    async write(y, rows) {
      const metadata = o.classes ? { bands: [{ description: `simulated land use ${demand.years[y]}`, unit: 'class code' }], classes: o.classes } : undefined;
      const w = createGeoTIFFWriter(outPath(y), { grid: { ...luInfo.grid, nodata: outNodata }, dtype: luInfo.dtype, compress: 'deflate', cog: !!o.cog, metadata });
      try {
        for (const [y0, y1] of windows(H)) {
          const m = rows(y0, y1);
          const data = allocArray(luInfo.dtype, m.length);
          for (let i = 0; i < m.length; i++) data[i] = m[i] === 255 ? outNodata : codes[m[i]];
          await w.writeRows(y0, [data]);
        }
        await w.close();
      } catch (e) {
        w.abort();
        throw e;
      }
      if (y < demand.years.length - 1) await failpoint('simulate:year-written'); // tests kill a run here
    },
  };

  const engine = new Engine({ threads });
  const years: SimulateYear[] = [];
  const t0 = Date.now();
  try {
    const progress = (p: FlusProgress) => {
      if (p.iteration % 10 !== 1 && p.totalGap !== 0 && p.iteration !== maxIterations) return;
      const gaps = p.gap.map((g, k) => `${arrays.names[k]} ${g > 0 ? '+' : ''}${g}`).join(', ');
      log(`simulate ${demand.years[p.yearIndex]}: iteration ${p.iteration}: gap ${gaps} (total ${p.totalGap}; accepted ${p.accepted} of ${p.proposed} proposed)`);
    };
    const config = { classes: K, n: sc?.neighbourhood ?? 3, weights: arrays.weights, inertia: arrays.inertia, allowed: arrays.allowed, seed, maxIterations, tolerance, acceptFraction, update, tileRows };
    let res;
    if (update === 'flus' || model === 'plus') {
      // the official sweep and PLUS CARS run on whole arrays (one memory)
      const landuse = new Uint8Array(cells), prob = new Float32Array(cells * K);
      const restricted = rpath ? new Uint8Array(cells) : null;
      for (const [y0, y1] of windows(H)) {
        const r = await source.read(y0, y1);
        const n = r.landuse.length;
        landuse.set(r.landuse, y0 * W);
        if (r.prob instanceof Uint16Array) {
          // a UInt16 file holds v = round(p x 65535) (src/io/prob.ts); CARS thresholds and the
          // official sweep's gate are not scale-free, so p is restored here
          const s = probabilityScale('uint16', o.prob);
          for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) prob[k * cells + y0 * W + i] = r.prob[k * n + i] * s;
        } else {
          for (let k = 0; k < K; k++) prob.set(r.prob.subarray(k * n, (k + 1) * n), k * cells + y0 * W);
        }
        if (restricted && r.restricted) restricted.set(r.restricted, y0 * W);
      }
      const inp = { width: W, height: H, landuse, prob, restricted };
      res = model === 'plus'
        ? await runPlus(engine, inp, demand.counts, { ...config, ...plus }, progress)
        : await runFlus(engine, inp, demand.counts, config, progress);
      for (let y = 0; y < res.length; y++) await output.write(y, (y0, y1) => res![y].map.subarray(y0 * W, y1 * W));
    } else {
      res = await runFlus(engine, source, demand.counts, config, progress, {
        output, probMemory: u16 ? 'uint16' : 'float32', groupRows: budget.maxRows,
        regions: regionIndex ? { index: regionIndex, count: regionList.length } : undefined,
      });
    }
    for (let y = 0; y < res.length; y++) {
      const r = res[y];
      const byClass = (gap: number[], j0: number) => gap.slice(j0, j0 + K).map((g, k) => `${arrays.names[k]} ${g}`).join(', ');
      if (regionIndex) {
        regionList.forEach((rg, j) => {
          const left = r.gap.slice(j * K, (j + 1) * K).reduce((a, g) => a + Math.abs(g), 0);
          log(`simulate ${demand.years[y]}: region ${rg}: ${left === 0 ? 'demand met' : `remaining gap ${byClass(r.gap, j * K)}`}`);
        });
      }
      const state = r.converged ? 'demand met' : `NOT converged after ${r.iterations} iterations, remaining gap ${regionIndex ? `${r.gap.reduce((a, g) => a + Math.abs(g), 0)} cells over the regions` : byClass(r.gap, 0)}`;
      log(`simulate ${demand.years[y]}: ${state} (${r.iterations} iterations) -> ${outPath(y)}`);
      years.push({ year: demand.years[y], path: outPath(y), converged: r.converged, iterations: r.iterations, gap: [...r.gap] });
    }
    log(`simulate: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${model === 'plus' ? 'PLUS CARS' : `${update} update`}, seed ${seed}, ${threads} thread(s), suitability ${u16 ? 'uint16' : 'float32'} in memory)`);
  } finally {
    await engine.close();
  }
  return { codes, names: arrays.names, years, seed, update, seconds: (Date.now() - t0) / 1000 };
}

