/**
 * BP-ANN suitability step (methods.md section 2): train on a land-use map (or load a model),
 * predict with the WASM forward pass over row tiles, write a K-band Float32 GeoTIFF (band k =
 * k-th class code ascending, NoData NaN). Called by `landcarbon suitability` and the runner.
 */
import { basename } from 'node:path';
import { checkSameGrid, Grid, Raster } from '../../io/grid.js';
import { readRaster, writeGeoTIFF } from '../../io/geotiff.js';
import { AnnModel, driverPlane, loadModel, predictAnn, saveModel, Sampling, trainAnn } from '../../models/ann.js';
import { Engine } from '../../tiling/engine.js';

export interface SuitabilityStepInput {
  /** Land-use map to train on (absent only with `model`). */
  landuse?: string;
  drivers: string[];
  out: string;
  /** A trained model to load (predict only). */
  model?: string;
  modelOut?: string;
  seed: number;
  sampling: Sampling;
  sampleRate: number;
  minPerClass: number;
  maxSamples: number;
  holdout: number;
  hidden?: number;
  epochs: number;
  impl: 'simd' | 'scalar';
  tileRows?: number;
  threads: number;
  /** Class names by code, for the band descriptions ("probability of class 2 (forest)"). */
  classNames?: Record<number, string>;
}

export interface SuitabilityStepResult {
  model: AnnModel;
  trained: boolean;
  out: string;
}

export const SUITABILITY_DEFAULTS = { seed: 1, sampling: 'uniform' as Sampling, sampleRate: 0.01, minPerClass: 300, maxSamples: 20000, holdout: 0.2, epochs: 100, impl: 'simd' as const };

export async function suitabilityStep(i: SuitabilityStepInput): Promise<SuitabilityStepResult> {
  let lu: Raster | null = null;
  if (i.landuse) lu = await readRaster(i.landuse);
  const drivers: Raster[] = [];
  for (const f of i.drivers) {
    const r = await readRaster(f);
    if (lu) checkSameGrid(lu.grid, i.landuse!, r.grid, f);
    else if (drivers.length) checkSameGrid(drivers[0].grid, i.drivers[0], r.grid, f);
    drivers.push(r);
  }
  const grid: Grid = (lu ?? drivers[0]).grid;
  const planes = drivers.map((r, k) => driverPlane(r, i.drivers[k]));

  let model: AnnModel;
  if (i.model) {
    model = loadModel(i.model);
  } else {
    model = trainAnn({ name: i.landuse!, data: lu!.data, nodata: lu!.grid.nodata }, planes, {
      seed: i.seed,
      sampling: i.sampling,
      sampleRate: i.sampleRate,
      minPerClass: i.minPerClass,
      maxSamples: i.maxSamples,
      holdout: i.holdout,
      hidden: i.hidden,
      epochs: i.epochs,
    });
    model.drivers = i.drivers.map((f) => basename(f));
    if (i.modelOut) saveModel(i.modelOut, model);
  }

  const engine = new Engine({ threads: i.threads });
  let probs: Float32Array[];
  try {
    probs = await predictAnn(engine, model, planes, grid.width, grid.height, { impl: i.impl, tileRows: i.tileRows });
  } finally {
    await engine.close();
  }
  const outGrid: Grid = { ...grid, nodata: NaN };
  const bands = model.classes.map((c) => ({ description: `probability of class ${c}${i.classNames?.[c] ? ` (${i.classNames[c]})` : ''}`, unit: 'probability (0-1)' }));
  await writeGeoTIFF(i.out, probs.map((data) => ({ grid: outGrid, dtype: 'float32' as const, data })), { metadata: { bands } });
  return { model, trained: !i.model, out: i.out };
}
