/**
 * File variants for the GeoTIFF reader/writer tests (geotiff.js's approach: a script produces
 * tiled, striped, compressed, BigTIFF, multi-band and odd-sized files; every variant must read
 * back identical values, grid, CRS and NoData).
 *
 * Values come from a fixed integer hash of (seed, index), never Math.random.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArrayBuffer } from 'geotiff';
import { allocArray, type Crs, type DType, type Grid, type RasterArray } from '../../src/io/grid.js';
import { writeGeoTIFF, type WriteOptions } from '../../src/io/geotiff.js';

export const DTYPES: DType[] = ['uint8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];

/** Integer hash (xorshift-multiply) of (seed, i) in [0, 2^32). */
export function hash(seed: number, i: number): number {
  let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15; x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const NODATA: Record<DType, number> = {
  uint8: 255, uint16: 65535, int16: -32768, uint32: 4294967295, int32: -2147483648, float32: -3.4e38, float64: -9999.5,
};

/** Deterministic values spanning each type's range, with ~5 % NoData cells. */
export function makeData(dtype: DType, n: number, seed: number, nodata: number | null): RasterArray {
  const a = allocArray(dtype, n);
  for (let i = 0; i < n; i++) {
    const h = hash(seed, i);
    let v: number;
    switch (dtype) {
      case 'uint8': v = h % 250; break;
      case 'uint16': v = h % 60000; break;
      case 'int16': v = (h % 60000) - 30000; break;
      case 'uint32': v = h % 4000000000; break;
      case 'int32': v = (h | 0) === -2147483648 ? 0 : h | 0; break;
      case 'float32': v = ((h % 2000001) - 1000000) / 7.3; break;
      default: v = ((h % 2000001) - 1000000) / 7.3 + h / 2 ** 40; break;
    }
    if (nodata !== null && hash(seed + 1, i) % 20 === 0) v = nodata;
    a[i] = v;
  }
  return a;
}

export const UTM50: Crs = { epsg: 32650 };
export const WGS84: Crs = { epsg: 4326 };

export function makeGrid(width: number, height: number, crs: Crs | null, nodata: number | null, transform?: Grid['transform']): Grid {
  return { width, height, transform: transform ?? [436000, 30, 0, 1383000, 0, -30], crs, nodata };
}

export interface Variant {
  name: string;
  path: string;
  dtype: DType;
  grid: Grid;
  data: RasterArray[];
}

/** Writes every variant into `dir`; returns what each file must read back as. */
export async function makeVariants(dir: string): Promise<Variant[]> {
  const out: Variant[] = [];
  const add = async (name: string, dtype: DType, grid: Grid, bands: number, opts: WriteOptions, seed: number) => {
    const data = Array.from({ length: bands }, (_, b) => makeData(dtype, grid.width * grid.height, seed + 17 * b, grid.nodata));
    const path = join(dir, `${name}.tif`);
    await writeGeoTIFF(path, data.map((d) => ({ grid, dtype, data: d })), opts);
    out.push({ name, path, dtype, grid, data });
  };
  let seed = 1;
  for (const dtype of DTYPES) {
    const nd = NODATA[dtype];
    const g = makeGrid(257, 131, UTM50, nd);
    await add(`${dtype}-deflate-t16`, dtype, g, 1, { tileSize: 16 }, seed++);
    await add(`${dtype}-none-t32`, dtype, g, 1, { tileSize: 32, compress: 'none' }, seed++);
    await add(`${dtype}-deflate-t256-l1`, dtype, g, 1, { tileSize: 256, level: 1 }, seed++);
    await add(`${dtype}-bigtiff`, dtype, g, 1, { tileSize: 64, bigtiff: true }, seed++);
    await add(`${dtype}-predictor`, dtype, g, 1, { tileSize: 48, predictor: dtype.startsWith('float') ? 3 : 2 }, seed++);
    await add(`${dtype}-3band`, dtype, makeGrid(45, 29, WGS84, nd, [120.5, 0.001, 0, 12.75, 0, -0.001]), 3, { tileSize: 16 }, seed++);
  }
  await add('uint8-1xN', 'uint8', makeGrid(1, 97, UTM50, 255), 1, { tileSize: 16 }, seed++);
  await add('float32-Nx1', 'float32', makeGrid(97, 1, UTM50, -3.4e38), 1, { tileSize: 16 }, seed++);
  await add('int16-1x1', 'int16', makeGrid(1, 1, UTM50, null), 1, {}, seed++);
  await add('float32-nocrs-nonodata', 'float32', makeGrid(33, 20, null, null), 1, { tileSize: 16 }, seed++);
  await add('float64-nan-nodata', 'float64', makeGrid(33, 20, UTM50, NaN), 1, { tileSize: 16 }, seed++);
  await add('int32-rotated', 'int32', makeGrid(40, 30, UTM50, -1, [1000, 10, 2, 5000, 3, -10]), 1, { tileSize: 16 }, seed++);
  await add('uint16-k8-probabilities', 'uint16', makeGrid(70, 50, UTM50, 65535), 8, { tileSize: 32 }, seed++);

  // Striped, uncompressed input written by geotiff.js (only for the dtypes its writer gets right).
  for (const dtype of ['uint8', 'uint16', 'float32', 'float64'] as DType[]) {
    const grid = makeGrid(37, 23, UTM50, 0);
    const data = makeData(dtype, 37 * 23, seed++, null);
    const bits = { uint8: 8, uint16: 16, float32: 32, float64: 64 }[dtype as 'uint8'];
    const buf = writeArrayBuffer(data as never, {
      width: 37, height: 23, BitsPerSample: [bits], SampleFormat: [dtype.startsWith('float') ? 3 : 1],
      ModelPixelScale: [30, 30, 0], ModelTiepoint: [0, 0, 0, 436000, 1383000, 0], GDAL_NODATA: '0',
      GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32650,
    } as never);
    const path = join(dir, `${dtype}-geotiffjs-striped.tif`);
    writeFileSync(path, new Uint8Array(buf));
    out.push({ name: `${dtype}-geotiffjs-striped`, path, dtype, grid: { ...grid, transform: [436000, 30, 0, 1383000, 0, -30] }, data: [data] });
  }
  return out;
}
