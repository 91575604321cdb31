/**
 * `landcarbon suitability --landuse L.tif --drivers a.tif,b.tif,... --out prob.tif [--seed S]
 * [--threads N] [--sampling uniform|proportional] [--sample-rate R] [--hidden H] [--epochs E]
 * [--model-out model.json] [--model model.json]`
 *
 * BP-ANN suitability (methods.md section 2): trains on L.tif (or loads --model, predict only),
 * predicts with the WASM forward pass over row tiles in worker threads, and writes a K-band
 * Float32 GeoTIFF: band k = k-th land-use code in ascending order, NoData NaN wherever any
 * driver is NoData. Prints training and hold-out accuracy.
 */
import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { ConfigError, checkInt, checkNumber } from '../errors.js';
import { checkSameGrid, Grid, Raster } from '../io/grid.js';
import { readRaster, writeGeoTIFF } from '../io/geotiff.js';
import { AnnModel, driverPlane, loadModel, predictAnn, saveModel, Sampling, trainAnn } from '../models/ann.js';
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
}

export function register(program: Command): void {
  program
    .command('suitability')
    .description('BP-ANN suitability: train on a land-use map and driver rasters, write a K-band probability GeoTIFF')
    .option('--landuse <file>', 'land-use raster (integer class codes) to train on; optional with --model')
    .requiredOption('--drivers <files>', 'comma-separated driver rasters (same grid), in the model\'s order')
    .requiredOption('--out <file>', 'output K-band Float32 GeoTIFF (band k = k-th class code, ascending; NoData NaN)')
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
    .option('--json', 'print the training summary as one JSON object')
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

  let lu: Raster | null = null;
  if (o.landuse) lu = await readRaster(o.landuse);
  const drivers: Raster[] = [];
  for (const f of driverFiles) {
    const r = await readRaster(f);
    if (lu) checkSameGrid(lu.grid, o.landuse!, r.grid, f);
    else if (drivers.length) checkSameGrid(drivers[0].grid, driverFiles[0], r.grid, f);
    drivers.push(r);
  }
  const grid: Grid = (lu ?? drivers[0]).grid;
  const planes = drivers.map((r, i) => driverPlane(r, driverFiles[i]));

  let model: AnnModel;
  if (o.model) {
    model = loadModel(o.model);
  } else {
    model = trainAnn({ name: o.landuse!, data: lu!.data, nodata: lu!.grid.nodata }, planes, {
      seed: checkInt('--seed', o.seed, 0, 2 ** 53 - 1),
      sampling: o.sampling as Sampling,
      sampleRate: checkNumber('--sample-rate', o.sampleRate, 1e-9, 1),
      minPerClass: checkInt('--min-per-class', o.minPerClass, 1),
      maxSamples: checkInt('--max-samples', o.maxSamples, 2),
      holdout: checkNumber('--holdout', o.holdout, 0, 0.9),
      hidden: o.hidden !== undefined ? checkInt('--hidden', o.hidden, 1, 4096) : undefined,
      epochs: checkInt('--epochs', o.epochs, 1, 100000),
    });
    model.drivers = driverFiles.map((f) => basename(f));
    if (o.modelOut) saveModel(o.modelOut, model);
  }

  const engine = new Engine({ threads });
  let probs: Float32Array[];
  try {
    probs = await predictAnn(engine, model, planes, grid.width, grid.height, { impl: o.impl as 'simd' | 'scalar', tileRows });
  } finally {
    await engine.close();
  }
  const outGrid: Grid = { ...grid, nodata: NaN };
  await writeGeoTIFF(o.out, probs.map((data) => ({ grid: outGrid, dtype: 'float32' as const, data })), { metadata: { bands: model.classes.map((c) => ({ description: `probability of class ${c}`, unit: 'probability (0-1)' })) } });

  const summary = {
    out: o.out,
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
    `wrote ${o.out} (${model.classes.length} bands, Float32, NoData NaN)` + (o.modelOut ? `; model ${o.modelOut}` : ''),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
