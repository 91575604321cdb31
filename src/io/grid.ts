/**
 * The Grid model shared by every raster: size, affine geotransform, CRS and NoData.
 *
 * transform follows GDAL's order: [originX, pixelWidth, rowRotation, originY, colRotation,
 * pixelHeight] (pixelHeight is negative for north-up rasters). x = t0 + col*t1 + row*t2,
 * y = t3 + col*t4 + row*t5, at the pixel's top-left corner.
 */
import { InputError } from '../errors.js';

export type DType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type TypedArrayOf<T extends DType> = T extends 'uint8'
  ? Uint8Array
  : T extends 'uint16'
    ? Uint16Array
    : T extends 'int16'
      ? Int16Array
      : T extends 'uint32'
        ? Uint32Array
        : T extends 'int32'
          ? Int32Array
          : T extends 'float32'
            ? Float32Array
            : Float64Array;

export type RasterArray =
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

export interface Crs {
  /** EPSG code when the CRS is a registered one (projected or geographic). */
  epsg?: number;
  /** Raw GeoKey directory entries (key id -> value) read from or written to a GeoTIFF. */
  geoKeys?: Record<number, number | string | number[]>;
  /** Human readable name (GTCitation / PCSCitation), when known. */
  name?: string;
}

export interface Grid {
  width: number;
  height: number;
  transform: [number, number, number, number, number, number];
  /** null when the file records no CRS (e.g. sibuyan). */
  crs: Crs | null;
  /** NoData value, or null when none is recorded. */
  nodata: number | null;
}

/** A whole raster (or a window of one) in memory: one band, row-major. */
export interface Raster<A extends RasterArray = RasterArray> {
  grid: Grid;
  dtype: DType;
  data: A;
}

export const DTYPE_BYTES: Record<DType, number> = {
  uint8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

export function isIntegerDType(t: DType): boolean {
  return t !== 'float32' && t !== 'float64';
}

export function allocArray(dtype: DType, n: number): RasterArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int32': return new Int32Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

export function dtypeOf(a: RasterArray): DType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Pixel size in map units (absolute), and cell area (map units squared). */
export function pixelSize(g: Grid): { x: number; y: number } {
  return { x: Math.hypot(g.transform[1], g.transform[4]), y: Math.hypot(g.transform[2], g.transform[5]) };
}

export function cellArea(g: Grid): number {
  const t = g.transform;
  return Math.abs(t[1] * t[5] - t[2] * t[4]);
}

/** Short description used in messages: "4096x4095 @ 30 m, EPSG:32650". */
export function describeGrid(g: Grid): string {
  const p = pixelSize(g);
  const res = Math.abs(p.x - p.y) < 1e-9 * Math.max(p.x, 1) ? `${fmt(p.x)}` : `${fmt(p.x)}x${fmt(p.y)}`;
  const crs = g.crs ? (g.crs.epsg ? `EPSG:${g.crs.epsg}` : g.crs.name ?? 'custom CRS') : 'no CRS';
  return `${g.width}x${g.height} @ ${res} m, origin (${fmt(g.transform[0])}, ${fmt(g.transform[3])}), ${crs}`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(10));
}

/** Transform tolerance: 1e-6 of a pixel (map units), relative to the larger pixel side. */
function transformTolerance(a: Grid): number {
  return 1e-6 * Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]), 1e-12);
}

const TRANSFORM_TERMS = ['origin x', 'pixel width', 'row rotation', 'origin y', 'column rotation', 'pixel height'];

/** The transform term that differs most beyond the tolerance, or null when the transforms agree. */
function transformDifference(a: Grid, b: Grid): { term: number; diff: number; tol: number } | null {
  const tol = transformTolerance(a);
  let worst: { term: number; diff: number; tol: number } | null = null;
  for (let i = 0; i < 6; i++) {
    const d = b.transform[i] - a.transform[i];
    if (Math.abs(d) > tol && (!worst || Math.abs(d) > Math.abs(worst.diff))) worst = { term: i, diff: d, tol };
  }
  return worst;
}

function sameCrs(a: Crs | null, b: Crs | null): boolean {
  if (!a || !b) return !a && !b;
  if (a.epsg !== undefined || b.epsg !== undefined) return a.epsg === b.epsg;
  return JSON.stringify(a.geoKeys ?? {}) === JSON.stringify(b.geoKeys ?? {});
}

/**
 * Throws an InputError naming both files when two grids differ in size, transform or CRS.
 * No implicit resampling anywhere in the engine.
 */
export function checkSameGrid(a: Grid, nameA: string, b: Grid, nameB: string): void {
  const dt = transformDifference(a, b);
  if (a.width !== b.width || a.height !== b.height || dt) {
    // Rounded origins can print equal while differing: say which term differs, by how much, and the tolerance.
    const why = a.width !== b.width || a.height !== b.height || !dt
      ? ''
      : `: ${TRANSFORM_TERMS[dt.term]} differs by ${fmtDiff(dt.diff)} map units (${nameB} ${b.transform[dt.term]}, ` +
        `${nameA} ${a.transform[dt.term]}; tolerance ${fmtDiff(dt.tol)} = 1e-6 pixel)`;
    throw new InputError(`${nameB}: grid ${describeGrid(b)} does not match ${nameA} ${describeGrid(a)}${why}`);
  }
  if (!sameCrs(a.crs, b.crs)) {
    throw new InputError(`${nameB}: CRS ${describeGrid(b)} does not match ${nameA} ${describeGrid(a)}`);
  }
}

/** A small difference with 3 significant figures (1.23e-4, 0.5, 12.3). */
function fmtDiff(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Is v the grid's NoData (NaN NoData matches NaN; NaN is always treated as missing). */
export function isNoData(v: number, nodata: number | null): boolean {
  return v !== v || (nodata !== null && v === nodata);
}

/** Cells that are not NoData (NaN never counts). */
export function validCells(r: Raster): number {
  const d = r.data;
  const nd = r.grid.nodata !== null && r.dtype === 'float32' ? Math.fround(r.grid.nodata) : r.grid.nodata;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (!isNoData(d[i], nd)) n++;
  return n;
}

/**
 * All-NoData inputs (README "All-NoData inputs"): commands whose result is computed from valid
 * cells refuse them with exit 2 instead of reporting zeros.
 *   lu.tif: every cell is NoData (10000 cells, NoData 255); nothing to compute
 */
export function refuseAllNoData(r: Raster, name: string, what = 'raster'): void {
  if (r.data.length > 0 && validCells(r) > 0) return;
  throw allNoDataError(name, what, r.data.length, r.grid.nodata);
}

function allNoDataError(name: string, what: string, cells: number, nodata: number | null): InputError {
  return new InputError(`${name}: every cell of this ${what} is NoData (${cells} cells, NoData ${nodata}); nothing to compute`);
}

/** refuseAllNoData for a raster read block by block: add() each block once, then check(). */
export class NoDataTally {
  private cells = 0;
  private valid = 0;
  private nodata: number | null = null;
  constructor(readonly name: string, readonly what = 'raster') {}
  add(r: Raster): void {
    this.cells += r.data.length;
    this.valid += validCells(r);
    this.nodata = r.grid.nodata;
  }
  check(): void {
    if (this.cells === 0 || this.valid === 0) throw allNoDataError(this.name, this.what, this.cells, this.nodata);
  }
}
