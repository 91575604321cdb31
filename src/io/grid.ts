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

/** Same geotransform within a tolerance relative to the pixel size (1e-6 of a pixel). */
function sameTransform(a: Grid, b: Grid): boolean {
  const p = Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]), 1e-12);
  for (let i = 0; i < 6; i++) {
    if (Math.abs(a.transform[i] - b.transform[i]) > 1e-6 * p) return false;
  }
  return true;
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
  if (a.width !== b.width || a.height !== b.height || !sameTransform(a, b)) {
    throw new InputError(`${nameB}: grid ${describeGrid(b)} does not match ${nameA} ${describeGrid(a)}`);
  }
  if (!sameCrs(a.crs, b.crs)) {
    throw new InputError(`${nameB}: CRS ${describeGrid(b)} does not match ${nameA} ${describeGrid(a)}`);
  }
}

/** Is v the grid's NoData (NaN NoData matches NaN; NaN is always treated as missing). */
export function isNoData(v: number, nodata: number | null): boolean {
  return v !== v || (nodata !== null && v === nodata);
}
