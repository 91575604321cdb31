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
import { ConfigError, checkInt, checkNumber } from '../errors.js';
import { checkSameGrid, DTYPE_BYTES, Grid } from '../io/grid.js';
import { probFileOptions, resolveProbType, storedProbabilities } from '../io/prob.js';
import { readRasterInfo, requireSingleBand, type RasterInfo } from '../io/geotiff.js';
import { AnnModel, driverPlane, loadModel, predictAnn, saveModel, Sampling, trainAnnBlocks, type TrainBlock } from '../models/ann.js';
import { openBlockOutput, parseBudget, planBlocks, readBlock, READER_BYTES, runBlocks, writerBytes, type Block } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption, MiB } from '../tiling/memory.js';
import { Engine } from '../tiling/engine.js';
import { parseThreads, run, threadsOption, fileList } from './common.js';

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
  const tileRows = o.tileRows !== undefined ? checkInt('--tile-rows', o.tileRows, 1) : undefined;

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
  const readDrivers = async (b: Block) => {
    const planes = [];
    for (let d = 0; d < driverFiles.length; d++) planes.push(driverPlane(await readBlock(driverFiles[d], b, width), driverFiles[d]));
    return planes;
  };

  let model: AnnModel;
  if (o.model) {
    model = loadModel(o.model);
  } else {
    const plan = planBlocks({ width, height, ...budget, what: 'suitability (training)', bytesPerCell: DTYPE_BYTES[lui!.dtype] + driverBytes, fixedBytes: READER_BYTES + 8 * MiB /* the sample */ });
    model = await trainAnnBlocks(
      {
        width,
        height,
        landuse: { name: o.landuse!, nodata: lui!.grid.nodata },
        drivers: dis.map((d, i) => ({ name: driverFiles[i], nodata: d.grid.nodata === null ? NaN : Math.fround(d.grid.nodata) })),
        async *blocks(): AsyncIterable<TrainBlock> {
          for (const b of plan.blocks) {
            const lu = await readBlock(o.landuse!, b, width);
            yield { row0: b.row0, rows: b.rows, landuse: lu.data, drivers: (await readDrivers(b)).map((p) => p.data) };
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
    model.drivers = driverFiles.map((f) => basename(f));
    if (o.modelOut) saveModel(o.modelOut, model);
  }

  // prediction, block by block: drivers in, K float32 bands out (the kernel works in strips)
  const K = model.classes.length;
  const plan = planBlocks({
    width, height, ...budget, what: 'suitability (prediction)',
    bytesPerCell: driverBytes + 4 * K + 4 * (dis.length + K), // + the kernel's strips in its memory
    fixedBytes: writerBytes(width, K, 'float32') + READER_BYTES,
  });
  const probType = resolveProbType(o.probType, width * height);
  const pf = probFileOptions(probType);
  const outGrid: Grid = { ...grid, nodata: pf.nodata };
  const out = openBlockOutput(o.out, { grid: outGrid, dtype: pf.dtype, bands: K, predictor: pf.predictor, cog: !!o.cog, metadata: { bands: model.classes.map((c) => ({ description: `probability of class ${c}`, unit: probType === 'uint16' ? 'probability x 65535' : 'probability (0-1)' })) } });
  const engine = new Engine({ threads });
  try {
    await runBlocks(plan, [out], async (b) => {
      const probs = await predictAnn(engine, model, await readDrivers(b), width, b.rows, { impl: o.impl as 'simd' | 'scalar', tileRows });
      await out.write(b, storedProbabilities(probs, probType));
    });
  } finally {
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
