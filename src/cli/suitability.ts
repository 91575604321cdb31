/**
 * `landcarbon suitability --landuse L.tif --drivers a.tif,b.tif,... --out prob.tif [--seed S]
 * [--threads N] [--sampling uniform|proportional] [--sample-rate R] [--hidden H] [--epochs E]
 * [--model-out model.json] [--model model.json] [--prob-type uint16|float32|auto] [--cog]`
 *
 * BP-ANN suitability (methods.md section 2): trains on L.tif (or loads --model, predict only),
 * predicts with the WASM forward pass over row tiles in worker threads, and writes a K-band
 * GeoTIFF: band k = k-th land-use code in ascending order, NoData wherever any driver is NoData.
 * Float32 (NoData NaN) or UInt16 (round(p x 65535) capped at 65534, NoData 65535; see
 * src/io/prob.ts); --prob-type auto = UInt16 above 4096 x 4096 cells. Prints training and hold-out accuracy.
 */
import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { ConfigError, InputError, checkInt, checkNumber } from '../errors.js';
import { allocArray, checkSameGrid, DTYPE_BYTES, Grid } from '../io/grid.js';
import { encodeProbU16, probFileOptions, resolveProbType } from '../io/prob.js';
import { allocShared, openRaster, readRasterInfo, requireSingleBand, type RasterInfo, type RasterReader } from '../io/geotiff.js';
import { AnnModel, loadModel, modelNet, modelNorm, saveModel, Sampling, trainAnnBlocks, type TrainBlock } from '../models/ann.js';
import { mlpRunPlaced, placeMlp } from '../kernels/mlp.js';
import { viewOf } from '../wasm/arena.js';
import { openBlockOutput, parseBudget, planBlocks, READER_BYTES, runBlocks, writerBytes } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption, MiB } from '../tiling/memory.js';
import { Engine } from '../tiling/engine.js';
import { parseThreads, run, threadsOption, fileList } from './common.js';

/** Raster data of one prediction block (drivers in, probabilities out): about this much, in whole tile rows. */
const PREDICT_BLOCK_BYTES = 256 * MiB;

interface Opts {
  landuse?: string;
  drivers: string;
  out: string;
  seed: string;
  threads: string;
  sampling: string;
  sampleRate: string;
  minPerClass: string;
  maxSamples: string;
  holdout: string;
  hidden?: string;
  epochs: string;
  modelOut?: string;
  model?: string;
  impl: string;
  tileRows?: string;
  json?: boolean;
  memory?: string;
  blockRows?: string;
  probType: string;
  cog?: boolean;
}

export function register(program: Command): void {
  program
    .command('suitability')
    .description('BP-ANN suitability: train on a land-use map and driver rasters, write a K-band probability GeoTIFF')
    .option('--landuse <file>', 'land-use raster (integer class codes) to train on; optional with --model')
    .requiredOption('--drivers <files>', 'comma-separated driver rasters (same grid), in the model\'s order')
    .requiredOption('--out <file>', 'output K-band probability GeoTIFF (band k = k-th class code, ascending)')
    .addOption(
      new Option('--prob-type <type>', 'stored probabilities: uint16 = round(p x 65535) capped at 65534, NoData 65535; float32 = p, NoData NaN; auto = uint16 above 4096x4096 cells')
        .choices(['auto', 'uint16', 'float32'])
        .default('auto'),
    )
    .option('--seed <n>', 'seed of sampling, initial weights and batch order', '1')
    .addOption(threadsOption())
    .addOption(new Option('--sampling <mode>', 'training sample: equal count per class, or the classes\' shares').choices(['uniform', 'proportional']).default('uniform'))
    .option('--sample-rate <r>', 'fraction of valid cells sampled (uniform: of all; proportional: of each class)', '0.01')
    .option('--min-per-class <n>', 'at least this many samples per class (capped by the class size)', '300')
    .option('--max-samples <n>', 'at most this many samples in all (scaled down per class)', '20000')
    .option('--holdout <f>', 'hold-out fraction of each class\'s sample', '0.2')
    .option('--hidden <n>', 'hidden neurons (default floor(sqrt(D)) + 10)')
    .option('--epochs <n>', 'maximum epochs (early stopping on hold-out loss, patience 10)', '100')
    .option('--model-out <file>', 'save the trained model (JSON)')
    .option('--model <file>', 'load a model and only predict (no training)')
    .addOption(new Option('--impl <impl>', 'forward-pass kernel').choices(['simd', 'scalar']).default('simd'))
    .option('--tile-rows <n>', 'rows per task (results do not depend on it)')
    .option('--cog', 'write a Cloud-Optimized GeoTIFF (internal overviews: band means over valid cells)')
    .option('--json', 'print the training summary as one JSON object')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(run('suitability', (o: Opts) => ({
      inputs: { '--landuse': o.landuse, '--drivers': fileList(o.drivers), '--model': o.model },
      outputs: { '--out': o.out, '--model-out': o.modelOut },
    }), (o: Opts) => suitability(o)));
}

async function suitability(o: Opts): Promise<void> {
  const threads = parseThreads(o.threads);
  const driverFiles = o.drivers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (driverFiles.length === 0) throw new ConfigError('--drivers: expected a comma-separated list of rasters, got none');
  if (!o.model && !o.landuse) throw new ConfigError('--landuse is required unless --model gives a trained model');
  if (o.model && o.modelOut) throw new ConfigError('--model-out: nothing is trained when --model is given');
  const taskRows = o.tileRows !== undefined ? checkInt('--tile-rows', o.tileRows, 1) : undefined;

  const budget = parseBudget(o);

  // headers only: the rasters are read block by block (training passes, then prediction)
  const lui: RasterInfo | null = o.landuse ? requireSingleBand(await readRasterInfo(o.landuse)) : null;
  const dis: RasterInfo[] = [];
  for (const f of driverFiles) {
    const r = requireSingleBand(await readRasterInfo(f));
    if (lui) checkSameGrid(lui.grid, o.landuse!, r.grid, f);
    else if (dis.length) checkSameGrid(dis[0].grid, driverFiles[0], r.grid, f);
    dis.push(r);
  }
  const grid: Grid = (lui ?? dis[0]).grid;
  const { width, height } = grid;
  const driverBytes = dis.reduce((a, d) => a + DTYPE_BYTES[d.dtype] + 4, 0); // as read + as float32


  let model: AnnModel;
  if (o.model) {
    model = loadModel(o.model);
  } else {
    // blocks of whole tile rows (about PREDICT_BLOCK_BYTES), read into buffers allocated once and
    // reused on every pass (the sampler copies what it keeps; no fresh pages per block)
    const trainBytes = DTYPE_BYTES[lui!.dtype] + driverBytes;
    const plan = planBlocks({
      width, height, ...budget, what: 'suitability (training)', bytesPerCell: trainBytes, fixedBytes: READER_BYTES + 8 * MiB /* the sample */,
      maxRows: Math.min(budget.maxRows ?? Infinity, Math.max(256, Math.floor(PREDICT_BLOCK_BYTES / (width * trainBytes) / 256) * 256)),
    });
    const cells = plan.rows * width;
    const luBuf = allocShared(lui!.dtype, cells);
    const dBufs = dis.map(() => allocShared('float32', cells) as Float32Array);
    const dConv = dis.map((d) => (d.dtype === 'float32' ? null : allocShared(d.dtype, cells)));
    const trainReaders: RasterReader[] = [];
    try {
      for (const f of [o.landuse!, ...driverFiles]) trainReaders.push(await openRaster(f));
      model = await trainAnnBlocks(
        {
          width,
          height,
          landuse: { name: o.landuse!, nodata: lui!.grid.nodata },
          drivers: dis.map((d, i) => ({ name: driverFiles[i], nodata: d.grid.nodata === null ? NaN : Math.fround(d.grid.nodata) })),
          async *blocks(): AsyncIterable<TrainBlock> {
            for (const b of plan.blocks) {
              const n = b.rows * width;
              const window = { col0: 0, row0: b.row0, width, height: b.rows };
              await Promise.all(trainReaders.map((r, i) => r.read({ window, into: i === 0 ? luBuf.subarray(0, n) : (dConv[i - 1] ?? dBufs[i - 1]).subarray(0, n) })));
              dConv.forEach((c, d) => c && dBufs[d].set(c.subarray(0, n))); // as driverPlane: the value as float32
              yield { row0: b.row0, rows: b.rows, landuse: luBuf.subarray(0, n), drivers: dBufs.map((x) => x.subarray(0, n)) };
            }
          },
        },
      {
        seed: checkInt('--seed', o.seed, 0, 2 ** 53 - 1),
        sampling: o.sampling as Sampling,
        sampleRate: checkNumber('--sample-rate', o.sampleRate, 1e-9, 1),
        minPerClass: checkInt('--min-per-class', o.minPerClass, 1),
        maxSamples: checkInt('--max-samples', o.maxSamples, 2),
        holdout: checkNumber('--holdout', o.holdout, 0, 0.9),
        hidden: o.hidden !== undefined ? checkInt('--hidden', o.hidden, 1, 4096) : undefined,
        epochs: checkInt('--epochs', o.epochs, 1, 100000),
      },
      );
    } finally {
      for (const r of trainReaders) await r.close();
    }
    model.drivers = driverFiles.map((f) => basename(f));
    if (o.modelOut) saveModel(o.modelOut, model);
  }

  // prediction, block by block (tile rows of the output): the drivers are read straight into the
  // kernel's input planes in the engine memory and the K probabilities come out of its output
  // planes; every buffer is allocated once and reused, so no block touches fresh pages
  const K = model.classes.length;
  const D = dis.length;
  if (D !== model.drivers.length) {
    throw new InputError(`drivers: ${D} given (${driverFiles.join(', ')}), the model was trained on ${model.drivers.length} (${model.drivers.join(', ')})`);
  }
  const probType = resolveProbType(o.probType, width * height);
  const pf = probFileOptions(probType);
  const convBytes = dis.reduce((a, d) => a + (d.dtype === 'float32' ? 0 : DTYPE_BYTES[d.dtype]), 0);
  const bytesPerCell = 4 * D + 4 * K + (probType === 'uint16' ? 2 * K : 0) + convBytes;
  const tileRows = 256; // the writer's tile size
  const plan = planBlocks({
    width, height, ...budget, what: 'suitability (prediction)', bytesPerCell,
    maxRows: Math.min(budget.maxRows ?? Infinity, Math.max(tileRows, Math.floor(PREDICT_BLOCK_BYTES / (width * bytesPerCell) / tileRows) * tileRows)),
    fixedBytes: writerBytes(width, K, pf.dtype) + READER_BYTES,
  });
  const outGrid: Grid = { ...grid, nodata: pf.nodata };
  const out = openBlockOutput(o.out, { grid: outGrid, dtype: pf.dtype, bands: K, predictor: pf.predictor, strategy: pf.strategy, cog: !!o.cog, metadata: { bands: model.classes.map((c) => ({ description: `probability of class ${c}`, unit: probType === 'uint16' ? 'probability x 65535' : 'probability (0-1)' })) } });
  const engine = new Engine({ threads });
  const readers: RasterReader[] = [];
  try {
    const sc = plan.rows * width;
    const placed = placeMlp(engine, modelNet(model), modelNorm(model, dis.map((d) => (d.grid.nodata === null ? NaN : Math.fround(d.grid.nodata)))));
    const xb = engine.arena.alloc<Float32Array>('float32', D * sc, 'suitability driver planes');
    const ob = engine.arena.alloc<Float32Array>('float32', K * sc, 'suitability probability planes');
    const conv = dis.map((d) => (d.dtype === 'float32' ? null : allocArray(d.dtype, sc)));
    const u16 = probType === 'uint16' ? Array.from({ length: K }, () => new Uint16Array(sc)) : null;
    for (const f of driverFiles) readers.push(await openRaster(f));
    await runBlocks(plan, [out], async (b) => {
      const n = b.rows * width;
      const window = { col0: 0, row0: b.row0, width, height: b.rows };
      await Promise.all(readers.map((r, d) => r.read({ window, into: conv[d] ? conv[d]!.subarray(0, n) : viewOf(engine.memory, 'float32', xb.ptr + 4 * d * sc, n) })));
      conv.forEach((c, d) => {
        if (c) xb.view().set(c.subarray(0, n), d * sc); // as driverPlane: the value as float32
      });
      await mlpRunPlaced(engine, placed, xb.ptr, sc, ob.ptr, sc, width, b.rows, { impl: o.impl as 'simd' | 'scalar', tileRows: taskRows });
      const ov = ob.view();
      const bands = Array.from({ length: K }, (_, k) => ov.subarray(k * sc, k * sc + n));
      if (!u16) await out.write(b, bands);
      else {
        for (let k = 0; k < K; k++) {
          const src = bands[k], dst = u16[k];
          for (let i = 0; i < n; i++) dst[i] = encodeProbU16(src[i]);
        }
        await out.write(b, u16.map((a) => a.subarray(0, n)));
      }
    });
  } finally {
    for (const r of readers) await r.close();
    await engine.close();
  }

  const summary = {
    out: o.out,
    probType,
    classes: model.classes,
    drivers: model.drivers,
    hidden: model.hidden,
    accuracy: model.accuracy,
    trained: !o.model,
    samples: o.model ? undefined : { train: model.training.trainSamples, holdout: model.training.holdoutSamples },
    epochs: o.model ? undefined : model.training.epochsRun,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)} %`);
  const lines = [
    `suitability: ${model.classes.length} classes [${model.classes.join(', ')}], ${model.drivers.length} drivers, ${model.hidden} hidden neurons`,
    o.model
      ? `model ${o.model}: training accuracy ${pct(model.accuracy.train)}, hold-out accuracy ${pct(model.accuracy.holdout)} (as trained)`
      : `training accuracy ${pct(model.accuracy.train)} (${model.training.trainSamples.reduce((a, b) => a + b, 0)} cells), ` +
        `hold-out accuracy ${pct(model.accuracy.holdout)} (${model.training.holdoutSamples.reduce((a, b) => a + b, 0)} cells), ` +
        `${model.training.epochsRun} epochs (best ${model.training.bestEpoch})`,
    `wrote ${o.out} (${model.classes.length} bands, ${probType === 'uint16' ? 'UInt16 p x 65535, NoData 65535' : 'Float32, NoData NaN'})` + (o.modelOut ? `; model ${o.modelOut}` : ''),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
