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

// steps of the chain as functions (the CLI commands and the study runner call these)
export { markovStep } from './pipeline/steps/markov.js';
export { suitabilityStep } from './pipeline/steps/suitability.js';
export { simulateStep } from './pipeline/steps/simulate.js';
export { accuracyStep } from './pipeline/steps/accuracy.js';
export { emissionsStep, storageStep } from './pipeline/steps/carbon.js';
export { balanceStep } from './pipeline/steps/balance.js';
export { networkStep } from './pipeline/steps/network.js';
export { centralityStep } from './pipeline/steps/centrality.js';
export { moranStep, gistarStep, clusterStep, geodetectorStep } from './pipeline/steps/stats.js';
export { Runner, hashFile } from './pipeline/runner.js';
export { runStudy, type StudyResult } from './pipeline/plan.js';
export { runToDir } from './pipeline/run.js';
export type { Study } from './pipeline/study.js';
export { trainForest, flattenForest, binData, resolveForestOptions, type Forest, type ForestData, type ForestOptions } from './models/forest.js';
export { forestPredict, validateForest, type FlatForest } from './kernels/forest.js';
export { forestPredictRef } from './kernels/forest.ref.js';
export { trainLeas, predictLeas, expansionMap, leasSample, leasModelJson, parseLeasModel, type LeasModel, type LeasOptions } from './models/leas.js';

// Every type a public function takes is nameable here, and the opaque ones have their producer
// exported too (a caller must be able to build each argument from 'landcarbon' alone).
export { zoneAdjacencyKernel } from './kernels/adjacency.js';
export type { AdjacencyOptions } from './kernels/adjacency.js';
export { zoneAdjacency, fromNeighborLists, fromPairs, transformWeights, includeSelf, readGwt, writeGwt } from './models/stats/weights.js';
export type { ZoneAdjacency, SpatialWeights, Contiguity, Transform } from './models/stats/weights.js';
export { loadScheme, compileScheme, BUILTIN_SCHEME_SPECS } from './models/schemes.js';
export type { Scheme, SchemeSpec } from './models/schemes.js';
export { readUnits, unitsFromTable } from './models/network.js';
export type { Units, NetworkOptions } from './models/network.js';
export { buildCsr } from './kernels/paths.ref.js';
export type { CsrGraph, BuildCsrOptions } from './kernels/paths.ref.js';
export type { CentralityRunOptions } from './kernels/paths.js';
export { driverPlane } from './models/ann.js';
export type { LandUseLayer, DriverPlane, TrainOptions } from './models/ann.js';
export type { PlanOptions } from './tiling/plan.js';
export type { ReadOptions, WriteOptions, WriterOptions } from './io/geotiff.js';
export type { Rgba } from './io/png.js';
export type { ZonalOptions, ZonalPlan } from './kernels/zonal.js';
export type { ZonalRefInput } from './kernels/zonal.ref.js';
export type { MlpNet, MlpNorm } from './kernels/mlp.ref.js';
export type { MlpForwardOptions } from './kernels/mlp.js';
export type { CaKernelOptions } from './kernels/ca.js';
export type { ZonalFilesOptions } from './pipeline/zonal.js';
export type { TransitionOptions, MarkovDemandOptions, ProjectionOptions } from './models/markov.js';
export type { ReadDemandOptions } from './models/demand.js';
export type { AccuracyInput } from './models/accuracy.js';
export type { FlusInput, FlusConfig, EnforceOptions, EnforceWasmOptions } from './models/flus.js';
export type { EmissionsInput } from './models/carbon/coefficients.js';
export type { StorageInput, ValuationOptions } from './models/carbon/storage.js';
export type { CasaModelInput } from './models/carbon/casa.js';
export type { SpatializeInput } from './models/carbon/spatialize.js';
export type { UnitInput } from './models/balance.js';
export type { Strata } from './models/stats/geodetector.js';
export type { GwrOptions } from './models/stats/gwr.js';
export type { SampleOptions } from '../fixtures/sample.js';
export type { ReadBlockOptions } from './tiling/blocks.js';
export type { ForestOutput, ForestPredictOptions } from './kernels/forest.js';
export type { ForestPredictInput } from './kernels/forest.ref.js';
export type { LeasMap } from './models/leas.js';
// argument types of the study steps, the runner and the block-group CA (test/api/public-api.test.ts)
export type { CsvOptions } from './io/table.js';
export type { FlusRowSource, FlusRunOptions } from './models/flus.js';
export { CaGroups, type CaGroupsOptions } from './kernels/ca-groups.js';
export { planRowGroups, type RowGroup, type GroupPlanOptions } from './tiling/groups.js';
export type { MarkovStepInput } from './pipeline/steps/markov.js';
export type { SuitabilityStepInput } from './pipeline/steps/suitability.js';
export type { SimulateStepInput } from './pipeline/steps/simulate.js';
export type { AccuracyStepInput } from './pipeline/steps/accuracy.js';
export type { EmissionsStepInput, StorageStepInput } from './pipeline/steps/carbon.js';
export type { BalanceStepInput } from './pipeline/steps/balance.js';
export type { NetworkStepInput } from './pipeline/steps/network.js';
export type { CentralityStepInput } from './pipeline/steps/centrality.js';
export type { MoranStepInput, GistarStepInput, ClusterStepInput, GeodetectorStepInput } from './pipeline/steps/stats.js';
export type { RunnerOptions, StepDef } from './pipeline/runner.js';
export type { RunOptions } from './pipeline/run.js';
// the report (issue 14): RunResult from a study run, the HTML report with figures and GIS layers, single figures
export { buildReport, type ReportOptions, type ReportOutput } from './pipeline/report/build.js';
export { studyRunResult, type StudyMeta } from './pipeline/report/from-study.js';
export type { RunResult } from './pipeline/report/result.js';
export { drawFigure, svgToPng, type FigureOptions } from './pipeline/report/figure.js';
export { renderMapSvg, metresPerCell, crsLabel, type MapSpec, type Legend, type ScaleBar } from './pipeline/report/cartography.js';
export { polygonize, type ZonePolygons, type Ring } from './pipeline/report/polygonize.js';
export { unitsGeoJson, type Props as LayerProps } from './pipeline/report/geojson.js';
// vector input (issue 13): prepare zones / distance / slope
export { zonesStep, type ZonesStepInput, type ZonesStepResult, type UnitRow } from './pipeline/steps/prepare.js';
export { readVector, type VectorLayer, type VectorFeature } from './io/vector/read.js';
export { distanceStep, slopeStep, type DistanceStepInput, type SlopeStepInput } from './pipeline/steps/prepare-raster.js';
export { openRaster, allocShared } from './io/geotiff.js';
export type { RasterReader } from './io/geotiff.js';
