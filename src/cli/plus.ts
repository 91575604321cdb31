/**
 * `landcarbon plus leas --from T0.tif --to T1.tif --drivers a.tif,b.tif,... --out devprob.tif
 *  [--trees 50] [--sample-rate 0.01] [--mtry N] [--min-leaf 1] [--max-depth 0] [--seed S]
 *  [--contributions c.csv] [--model-out m.json] [--threads N] [--memory 4G] [--json]`
 *
 * PLUS's land expansion analysis (LEAS, Liang et al. 2021; src/models/leas.ts): the expansion
 * map T0 -> T1, one random forest per class (expanded to k vs not), and a K-band Float32
 * development-probability GeoTIFF (band k = k-th class code ascending, NoData NaN), the input of
 * `landcarbon simulate --model plus`. Driver contributions per class (mean decrease in impurity
 * and OOB permutation importance) go to a CSV (default <out stem>_contributions.csv) and --json.
 * Rasters are read block by block on the block plan (--memory): the maps and drivers are never
 * whole in memory; only the sample (at most --max-samples rows) and the forests are.
 */
import { Command } from 'commander';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ConfigError, InputError, checkInt, checkNumber } from '../errors.js';
import { checkSameGrid, DTYPE_BYTES, isIntegerDType, type Grid } from '../io/grid.js';
import { readRasterInfo, requireSingleBand } from '../io/geotiff.js';
import type { RasterInfo } from '../io/tiff/reader.js';
import { writeFileAtomic } from '../io/atomic.js';
import { driverPlane } from '../models/ann.js';
import {
  expansionBlock, LeasSampler, leasModelJson, leasRates, leasSampleBytes, leasScanCodes, leasStrata, newLeasScan, predictLeas, resolveLeasOptions, scanLeasBlock, trainLeasSample, type LeasModel,
} from '../models/leas.js';
import { openBlockOutput, parseBudget, planBlocks, readBlock, READER_BYTES, runBlocks, writerBytes, type Block } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { Engine } from '../tiling/engine.js';
import { fileList, parseThreads, run, threadsOption } from './common.js';

interface LeasOpts {
  from: string;
  to: string;
  drivers: string;
  out: string;
  trees: string;
  sampleRate: string;
  minPerStratum: string;
  maxSamples: string;
  mtry?: string;
  minLeaf: string;
  maxDepth: string;
  seed: string;
  contributions?: string;
  modelOut?: string;
  threads: string;
  tileRows?: string;
  json?: boolean;
  memory?: string;
  blockRows?: string;
}

export function register(program: Command): void {
  const plus = program.command('plus').description('PLUS model (Liang et al. 2021): land expansion analysis (leas); simulate with `simulate --model plus`');
  plus
    .command('leas')
    .description('land expansion analysis: random forest per class on the T0 -> T1 expansion, writes a K-band development-probability GeoTIFF')
    .requiredOption('--from <file>', 'land-use map at the start of the calibration period (integer class codes)')
    .requiredOption('--to <file>', 'land-use map at its end (same grid and codes)')
    .requiredOption('--drivers <files>', 'comma-separated driver rasters (same grid)')
    .requiredOption('--out <file>', 'output K-band Float32 GeoTIFF (band k = k-th class code, ascending; NoData NaN)')
    .option('--trees <n>', 'trees per class forest', '50')
    .option('--sample-rate <r>', 'share of each stratum (no change, expanded to each class) sampled, in (0, 1]', '0.01')
    .option('--min-per-stratum <n>', 'at least this many samples per stratum (capped by its size)', '300')
    .option('--max-samples <n>', 'at most this many samples in all (rates scaled down)', '200000')
    .option('--mtry <n>', 'drivers tried per split (default floor(sqrt(number of drivers)))')
    .option('--min-leaf <n>', 'minimum distinct samples per leaf', '1')
    .option('--max-depth <n>', 'maximum tree depth (0 = unlimited)', '0')
    .option('--seed <n>', 'seed of sampling, bootstrap and split draws', '1')
    .option('--contributions <file>', 'driver contributions CSV (default: <out stem>_contributions.csv beside --out)')
    .option('--model-out <file>', 'save the forests (JSON)')
    .addOption(threadsOption())
    .option('--tile-rows <n>', 'rows per prediction task (results do not depend on it)')
    .option('--json', 'print the summary as one JSON object')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(run('plus leas', (o: LeasOpts) => ({
      inputs: { '--from': o.from, '--to': o.to, '--drivers': fileList(o.drivers) },
      outputs: { '--out': o.out, '--contributions': contribPath(o), '--model-out': o.modelOut },
    }), (o: LeasOpts) => leas(o)));
}

function contribPath(o: LeasOpts): string {
  return o.contributions ?? join(dirname(o.out), `${basename(o.out, extname(o.out))}_contributions.csv`);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function leas(o: LeasOpts): Promise<void> {
  const threads = parseThreads(o.threads);
  const driverFiles = o.drivers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (driverFiles.length === 0) throw new ConfigError('--drivers: expected a comma-separated list of rasters, got none');
  if (driverFiles.length > 254) throw new ConfigError(`--drivers: ${driverFiles.length} rasters given, at most 254 supported`);
  const D = driverFiles.length;
  const trees = checkInt('--trees', o.trees, 1, 100_000);
  const sampleRate = checkNumber('--sample-rate', o.sampleRate, Number.MIN_VALUE, 1);
  const minPerStratum = checkInt('--min-per-stratum', o.minPerStratum, 0);
  const maxSamples = checkInt('--max-samples', o.maxSamples, 1, 2 ** 23);
  const mtry = o.mtry !== undefined ? checkInt('--mtry', o.mtry, 1, D) : undefined;
  const minLeaf = checkInt('--min-leaf', o.minLeaf, 1);
  const maxDepth = checkInt('--max-depth', o.maxDepth, 0, 512);
  const seed = checkInt('--seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  const tileRows = o.tileRows !== undefined ? checkInt('--tile-rows', o.tileRows, 1) : undefined;
  const contrib = contribPath(o);
  const inputs = [o.from, o.to, ...driverFiles].map((f) => resolve(f));
  for (const [flag, path] of [['--out', o.out], ['--contributions', contrib], ['--model-out', o.modelOut]] as const) {
    if (path !== undefined && inputs.includes(resolve(path))) throw new ConfigError(`${flag}: ${path} is one of the inputs; it would be overwritten`);
  }
  const budget = parseBudget(o);
  const t0 = Date.now();

  // headers only: the rasters are read block by block (the block plan, src/tiling/blocks.ts):
  // pass 1 counts the strata, pass 2 draws the sample (keyed by global cell index, so the same
  // cells for any block size), then the forests are trained and pass 3 predicts and writes
  const fi = requireSingleBand(await readRasterInfo(o.from));
  const ti = requireSingleBand(await readRasterInfo(o.to));
  for (const [r, f] of [[fi, o.from], [ti, o.to]] as Array<[RasterInfo, string]>) {
    if (!isIntegerDType(r.dtype)) throw new InputError(`${f}: land-use map must have integer class codes, got ${r.dtype}`);
  }
  checkSameGrid(fi.grid, o.from, ti.grid, o.to);
  const dis: RasterInfo[] = [];
  for (const f of driverFiles) {
    const r = requireSingleBand(await readRasterInfo(f));
    checkSameGrid(fi.grid, o.from, r.grid, f);
    dis.push(r);
  }
  const grid: Grid = fi.grid;
  const { width, height } = grid;
  const names = driverFiles.map((f) => basename(f));
  // per cell: both maps as read, each driver as read and as float32, class indices and strata
  const inBytes = DTYPE_BYTES[fi.dtype] + DTYPE_BYTES[ti.dtype] + dis.reduce((a, d) => a + DTYPE_BYTES[d.dtype] + 4, 0) + 3;
  const readInputs = async (b: Block) => {
    const [f, t] = [await readBlock(o.from, b, width), await readBlock(o.to, b, width)];
    const drivers = [];
    for (let d = 0; d < D; d++) drivers.push(driverPlane(await readBlock(driverFiles[d], b, width), names[d]));
    return { from: { name: o.from, data: f.data, nodata: f.grid.nodata }, to: { name: o.to, data: t.data, nodata: t.grid.nodata }, drivers };
  };
  const opts = { trees, sampleRate, minPerStratum, maxSamples, mtry, minLeaf, maxDepth, seed };
  const lo = resolveLeasOptions(opts, D);
  // every block's arrays are freed only when the garbage collector runs, so the previous block's
  // may still be held while the next is read: the plan counts two blocks in flight (measured on
  // 8192^2: peak RSS 1.5-2x the single-block figure without this)
  const sampling = planBlocks({ width, height, ...budget, what: 'plus leas (sampling)', bytesPerCell: 2 * inBytes, fixedBytes: READER_BYTES + leasSampleBytes(maxSamples, D) });
  const scan = newLeasScan();
  for (const b of sampling.blocks) {
    const x = await readInputs(b);
    scanLeasBlock(scan, x.from, x.to, x.drivers, b.row0 * width);
  }
  const codes = leasScanCodes(scan, o.from, o.to);
  const strata = leasStrata(scan, codes);
  const sampler = new LeasSampler(codes, D, leasRates(strata, lo), seed, lo.holdout);
  for (const b of sampling.blocks) {
    const x = await readInputs(b);
    sampler.addBlock(x.from, x.to, x.drivers, b.row0 * width);
  }
  const sample = sampler.finish();
  const K = codes.length;
  const engine = new Engine({ threads });
  let m: LeasModel;
  let predicting: ReturnType<typeof planBlocks>;
  try {
    m = await trainLeasSample(engine, codes, names, strata, scan.valid, sample.train, opts);
    // the forests are held twice during prediction (as trained, and in the kernel's memory)
    const forestBytes = m.classes.reduce((a, c) => a + (c.forest ? 2 * (c.forest.info.byteLength + c.forest.thr.byteLength + c.forest.trees.byteLength + c.forest.leaf.byteLength) + 8 * c.forest.info.length : 0), 0);
    predicting = planBlocks({
      width, height, ...budget, what: 'plus leas (prediction)',
      // + K float32 outputs (two blocks in flight, as above), and the kernel's strip of drivers and
      // outputs in its own memory (never more than the block)
      bytesPerCell: 2 * (inBytes + 4 * K) + 4 * (D + K),
      fixedBytes: READER_BYTES + writerBytes(width, K, 'float32') + forestBytes,
    });
    const out = openBlockOutput(o.out, { grid: { ...grid, nodata: NaN }, dtype: 'float32', bands: K, compress: 'deflate' });
    await runBlocks(predicting, [out], async (b) => {
      const x = await readInputs(b);
      const valid = expansionBlock(x.from, x.to, x.drivers, codes).a;
      await out.write(b, await predictLeas(engine, m, x.drivers, width, b.rows, { tileRows, valid }));
    });
  } finally {
    await engine.close();
  }
  const res = { sample: { train: sample.train.cells, holdout: sample.holdout.cells } };
  const lines = ['class,driver,mdi,permutation_importance,oob_accuracy,positives,negatives'];
  for (const c of m.classes) {
    m.drivers.forEach((d, j) => {
      lines.push([c.code, csvField(d), c.mdi[j], c.permutation[j], c.oobAccuracy ?? '', c.positives, c.negatives].join(','));
    });
  }
  writeFileAtomic(contrib, lines.join('\n') + '\n');
  if (o.modelOut) writeFileAtomic(o.modelOut, leasModelJson(m));
  const summary = {
    out: o.out,
    contributions: contrib,
    model: o.modelOut ?? null,
    codes: m.codes,
    drivers: m.drivers,
    validCells: m.validCells,
    samples: { train: res.sample.train.length, holdout: res.sample.holdout.length },
    forest: m.forest,
    classes: m.classes.map((c) => ({
      code: c.code, expanded: c.expanded, positives: c.positives, negatives: c.negatives, oobAccuracy: c.oobAccuracy,
      contributions: Object.fromEntries(m.drivers.map((d, j) => [d, { mdi: c.mdi[j], permutation: c.permutation[j] }])),
    })),
    seconds: (Date.now() - t0) / 1000,
    // the block plan of each pass (rows per block, blocks, bytes the plan expects at peak)
    blocks: Object.fromEntries(([['sampling', sampling], ['prediction', predicting!]] as const).map(([k, p]) => [k, { rows: p.rows, blocks: p.blocks.length, peakBytes: p.peakBytes }])),
    memory: budget.memory,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const out = [`plus leas: ${m.codes.length} classes [${m.codes.join(', ')}], ${D} drivers, ${res.sample.train.length} sampled cells, ${trees} trees per class (mtry ${m.forest.mtry})`];
  for (const c of m.classes) {
    if (!c.forest) {
      out.push(`  class ${c.code}: never expanded, development probability 0`);
      continue;
    }
    const top = m.drivers.map((d, j) => [d, c.mdi[j]] as const).sort((x, y) => y[1] - x[1]).slice(0, 3).map(([d, v]) => `${d} ${v.toFixed(3)}`).join(', ');
    out.push(`  class ${c.code}: ${c.expanded} cells expanded, ${c.positives} / ${c.negatives} samples, OOB accuracy ${(100 * (c.oobAccuracy ?? NaN)).toFixed(2)} %, top drivers (MDI) ${top}`);
  }
  out.push(`wrote ${o.out} (${m.codes.length} bands, Float32, NoData NaN), ${contrib}` + (o.modelOut ? `, ${o.modelOut}` : ''));
  process.stdout.write(out.join('\n') + '\n');
}
