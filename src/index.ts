/**
 * landcarbon as a library: the engine (one WebAssembly module on a shared memory, a worker
 * pool), raster and table I/O, the kernels with their plain-TypeScript references, and the
 * models of the chain. Every function checks its inputs and throws InputError / ConfigError
 * with a message naming the file and value.
 */
export { InputError, ConfigError, InternalError, exitCodeOf } from './errors.js';
export { Engine, withEngine } from './tiling/engine.js';
export type { EngineOptions, Task } from './tiling/engine.js';
export { planStrips } from './tiling/plan.js';

// I/O
export type { Grid, Raster, DType, RasterArray, Crs } from './io/grid.js';
export { checkSameGrid, cellArea, describeGrid, isNoData } from './io/grid.js';
export { readRasterInfo, readRaster, readBands, writeGeoTIFF, createGeoTIFFWriter } from './io/geotiff.js';
export { readCsv, parseCsv, writeCsv, numberColumn, stringColumn } from './io/table.js';
export { writePng, classesToRgba, rampToRgba, LANDUSE_PALETTE } from './io/png.js';

// kernels (WASM) and references
export { zonalSums, ZonalAccumulator, scanCodes, mergeScans } from './kernels/zonal.js';
export type { ZonalResult, ZonalInput, Layer } from './kernels/zonal.js';
export { zonalSumsRef } from './kernels/zonal.ref.js';
export { RngKey, rngU32, rngF64 } from './kernels/rng.ref.js';
export { mlpForward } from './kernels/mlp.js';
export { mlpForwardRef } from './kernels/mlp.ref.js';
export { CaKernel } from './kernels/ca.js';
export { centrality } from './kernels/paths.js';
export { zonalFiles } from './pipeline/zonal.js';

// models
export { transitions, markovDemand, projectToYear, largestRemainder, BUILTIN_SCENARIOS } from './models/markov.js';
export { readDemandCsv, writeDemandCsv } from './models/demand.js';
export { accuracy } from './models/accuracy.js';
export { trainAnn, predictAnn, saveModel, loadModel } from './models/ann.js';
export { runFlus, enforceDemand, enforceDemandWasm } from './models/flus.js';
export { readScenario, parseScenario } from './models/scenario.js';
export { carbonEmissions, parseCoefficientTable } from './models/carbon/coefficients.js';
export { carbonStorage, parsePoolTable, precipitationK, valuation } from './models/carbon/storage.js';
export { casaNep, parseCasaParams } from './models/carbon/casa.js';
export { spatialize } from './models/carbon/spatialize.js';
export { computeIndices, zoneUnits, summariseZones, chooseScenario } from './models/balance.js';
export { gm11 } from './models/grey.js';
export { buildNetwork, linkageAreas, keyRoles } from './models/network.js';
export { moran } from './models/stats/moran.js';
export { localG } from './models/stats/getis.js';
export { wardLinkage, cutTree } from './models/stats/ward.js';
export { geodetector } from './models/stats/geodetector.js';
export { ols, stepwise } from './models/stats/ols.js';
export { gwr } from './models/stats/gwr.js';
export { knnWeights, distanceBandWeights, contiguityFromZones, readGal, writeGal } from './models/stats/weights.js';

// the embedded sample region
export { generateSampleRegion, writeSampleRegion } from '../fixtures/sample.js';
export { planBlocks, readBlock, readBlockBands, openBlockOutput, runBlocks, withoutHalo, writerBytes, blockWindow, parseBudget, READER_BYTES } from './tiling/blocks.js';
export type { Block, BlockPlan, BlockPlanOptions, BlockOutput, BlockBudget } from './tiling/blocks.js';
export { parseMemory, defaultMemory, formatBytes, memoryOption } from './tiling/memory.js';
export { trainForest, flattenForest, binData, resolveForestOptions, type Forest, type ForestData, type ForestOptions } from './models/forest.js';
export { forestPredict, validateForest, type FlatForest } from './kernels/forest.js';
export { forestPredictRef } from './kernels/forest.ref.js';
export { trainLeas, predictLeas, expansionMap, leasSample, leasModelJson, parseLeasModel, type LeasModel, type LeasOptions } from './models/leas.js';
