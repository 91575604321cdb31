/**
 * The typed result of a run: everything the report, the figures and the GIS layers are made
 * from. The study runner fills it from runStudy's StudyResult and its steps' outputs
 * (studyRunResult in from-study.ts); a caller with results from elsewhere can fill it directly. Rasters are referenced by path (they can be any
 * size: the report samples them); tables are carried as values (one row per unit or class).
 */
import type { Rgba } from '../../io/png.js';

export interface ClassInfo {
  code: number;
  name: string;
  color: Rgba;
}

export interface UnitInfo {
  /** Zone code in the zone raster. */
  id: number;
  name: string;
  /** Parent area (city, county) name, when known. */
  parent?: string;
}

/** A land-use map: observed epoch or simulated scenario year. */
export interface LandUseMap {
  year: number;
  /** 'observed', 'validation' (simulated for an observed year) or a scenario name. */
  scenario: string;
  file: string;
}

/** Per-unit carbon of one map (t CO2/yr): CE emissions of source classes, CS sequestration of sinks. */
export interface UnitCarbon {
  unit: number;
  ce: number;
  cs: number;
  budget: number;
}

export interface CarbonOfMap {
  /** e.g. "2020" or "2030 ecological". */
  label: string;
  year: number;
  scenario: string;
  unit: string;
  byClass: Array<{ code: number; areaHa: number; emission: number }>;
  byUnit: UnitCarbon[];
  raster?: string;
}

export interface UnitBalance {
  unit: number;
  esc: number | null;
  ecc: number | null;
  zone: string;
  reason: string;
}

export interface BalanceResult {
  /** Scheme id (suzhou, mryrua, bth, ...) and its source paper in words. */
  scheme: string;
  source: string;
  label: string;
  units: UnitBalance[];
}

export interface ScenarioChoice {
  year: number;
  /** What decided the choice, in words (or why there is none). */
  reason: string;
  rows: Array<{ scenario: string; netEmissions: number; unitsEscGt1: number; lowestEmissions: boolean; mostEscGt1: boolean; chosen: boolean }>;
}

export interface GreyFit {
  label: string;
  unit: string;
  years: number[];
  observed: number[];
  fitted: number[];
  forecastYears: number[];
  forecast: number[];
  a: number;
  b: number;
  C: number;
  P: number;
  grade: string;
}

export interface NetworkResult {
  threshold: string;
  edges: Array<{ from: number; to: number; weight: number; distanceKm?: number }>;
  /** Key-unit roles (e.g. "in-degree hub", "bridge") per unit with any. */
  nodes: Array<{ unit: number; outDegree: number; inDegree: number; betweenness: number; roles: string; linkageArea: string }>;
}

export interface MoranResult {
  field: string;
  I: number;
  z: number;
  p: number;
  pSim: number | null;
  permutations: number;
  weights: string;
  /** Standardised values and their spatial lags (row-standardised weights), for the scatterplot. */
  points: Array<{ unit: number; z: number; lag: number }>;
}

export interface GiStarResult {
  field: string;
  units: Array<{ unit: number; z: number; p: number; cls: string }>;
}

export interface ClusterResult {
  fields: string[];
  k: number;
  /** scipy-style linkage: a, b (0..n-1 leaves, n.. merges), height, size; leaves in `units` order. */
  linkage: Array<[number, number, number, number]>;
  units: number[];
  cluster: number[];
}

export interface AccuracyResult {
  fromYear: number;
  year: number;
  oa: number;
  kappa: number;
  fom: number;
  hits: number;
  misses: number;
  wrongHits: number;
  falseAlarms: number;
}

export interface StorageResult {
  fromLabel: string;
  toLabel: string;
  storageT: number;
  futureStorageT: number;
  changeT: number;
  byClass: Array<{ code: number; densityTPerHa: number; areaHa: number; storageT: number; futureAreaHa: number; futureStorageT: number }>;
  changeRaster?: string;
}

export interface DemandTable {
  scenario: string;
  /** year -> class code -> cells */
  rows: Array<{ year: number; cells: Record<number, number> }>;
}

export interface InputFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface StepTiming {
  name: string;
  title: string;
  seconds: number;
  /** Up to date from an earlier run (seconds: reading its record; runSeconds: the run that made it). */
  skipped?: boolean;
  runSeconds?: number;
}

export interface RunResult {
  title: string;
  /** ISO date-time of the run. */
  date: string;
  version: string;
  synthetic: boolean;
  /** Words on where the data come from. */
  dataSource: string;
  seed: number;
  threads: number;
  /** The zone raster of the units (polygonised for maps and GeoJSON when no vector units). */
  zones: string;
  /** Vector units (GeoJSON in the grid's CRS) when the study has them. */
  unitsVector?: string;
  classes: ClassInfo[];
  units: UnitInfo[];
  landuse: LandUseMap[];
  /** Class areas (ha) per map, same order as `landuse` where known. */
  areas: Array<{ year: number; scenario: string; ha: Record<number, number> }>;
  demand: DemandTable[];
  accuracy?: AccuracyResult;
  carbon: CarbonOfMap[];
  coefficients: Array<{ code: number; value: number; unit: string; source: string }>;
  /** One per scenario: the last epoch against the scenario's last map. */
  storage: StorageResult[];
  balance: BalanceResult[];
  choice?: ScenarioChoice;
  grey: GreyFit[];
  network?: NetworkResult;
  moran?: MoranResult;
  gistar?: GiStarResult;
  cluster?: ClusterResult;
  geodetector?: Array<{ factor: string; q: number; p: number | null }>;
  /** Every parameter of the run as (step, name, value); seeds included. */
  parameters: Array<{ step: string; name: string; value: string }>;
  inputs: InputFile[];
  steps: StepTiming[];
  totalSeconds: number;
}
