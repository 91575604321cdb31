/**
 * A study: what `landcarbon run` does, as one typed object with absolute paths. It comes from a
 * study file (src/pipeline/study-file.ts validates it) or, for the sample region, from the
 * sample generator (which also writes it as study.yaml).
 */
import type { CarbonUnit } from '../models/carbon/coefficients.js';
import type { Scenario } from '../models/markov.js';

export type ClassRole = 'source' | 'sink' | 'neutral';

export interface StudyClass {
  code: number;
  name: string;
  role: ClassRole;
}

export interface StudyScenario {
  name: string;
  /** Markov transition adjustments (built-in scenario or given inline). */
  markov: Scenario;
}

export type StudyAnalysis = 'moran' | 'gistar' | 'cluster' | 'geodetector';

export interface Study {
  /** The study file, when there is one. */
  file: string | null;
  landuse: {
    /** Increasing years, at least two. */
    epochs: { year: number; file: string }[];
    classes: StudyClass[];
  };
  units: {
    /**
     * Zone raster of unit ids on the land-use grid, or a polygon layer (GeoJSON / shapefile)
     * that the run rasterises onto the grid (step prepare-zones) with gdal_rasterize's rule.
     */
    zones: string;
    /** Attribute of the polygon layer holding the unit id (whole numbers >= 1). */
    id?: string;
    /** Polygon units: also the cells their outlines touch (gdal_rasterize -at). */
    allTouched?: boolean;
    /** Optional unit table (CSV): an id column matching the zone ids, names, series. */
    table?: string;
    /** Column of the unit table holding the zone id. */
    tableId: string;
    /** Column of the unit table (or attribute of the polygon layer) holding the unit name. */
    name?: string;
    /** Columns with a yearly series, as prefix + year (e.g. gdp_2014 ... gdp_2020). */
    gdpPrefix: string;
    populationPrefix: string;
  };
  /**
   * Suitability drivers: a raster on the land-use grid (`file`), or the distance to features of
   * a vector layer or to cells of a raster (`distanceTo`, prepared by the run: step
   * prepare-distance-<name>, gdal_proximity's definition; `values` selects raster cells).
   */
  drivers: { name: string; file?: string; distanceTo?: string; values?: number[] }[];
  /** 0/1 rasters (1 = never converted), merged (a cell restricted in any is restricted). */
  restricted: string[];
  simulation: {
    model: 'flus';
    /** Markov calibration epochs (years of two land-use epochs). */
    calibration: [number, number];
    /** Simulate the last epoch from the one before with its real class counts, and report accuracy. */
    validate: boolean;
    targetYears: number[];
    scenarios: StudyScenario[];
    seed: number;
    maxIterations: number;
  };
  carbon: {
    coefficients: string;
    /** Unit of the coefficient table when it has no unit column. */
    coefficientUnit?: CarbonUnit;
    /** InVEST pool table (t/ha): storage per unit when given. */
    pools?: string;
  };
  balance: { schemes: string[] };
  network: { threshold: string; weighted: boolean };
  stats: {
    analyses: StudyAnalysis[];
    /** Geographical-detector factors: columns of the per-unit table (share_<class>, unit-table columns). */
    factors: string[];
    /** Ward clusters. */
    clusters: number;
    permutations: number;
  };
  report: { title: string; language: 'en' | 'zh' };
}
