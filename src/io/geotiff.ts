/**
 * GeoTIFF I/O for the engine.
 *
 * Reading (geotiff.js parses; DEFLATE via node:zlib; block rows copied with typed-array set):
 *   readRasterInfo(path)                  -> grid, dtype, bands, tiling, compression, BigTIFF
 *   readRaster(path, {window?, band?})    -> one band (0-based), typed array of the file's dtype
 *   readBands(path, {window?})            -> every band (K-band probability rasters)
 * Writing (the engine's own writer: tiled, DEFLATE, BigTIFF, GeoKeys, NoData; atomic):
 *   createGeoTIFFWriter(path, opts)       -> streaming writer (rows in order, bounded memory)
 *   writeGeoTIFF(path, raster | rasters, opts)
 * Errors: missing or unreadable files and unsupported data types are InputErrors naming the file.
 */
import { ConfigError } from '../errors.js';
import { checkSameGrid, dtypeOf, type Raster } from './grid.js';
import { createGeoTIFFWriter, type WriterOptions } from './tiff/writer.js';

export { readRasterInfo, readRaster, readBands, openRaster, allocShared, registerZlibDecoder, requireSingleBand } from './tiff/reader.js';
export type { RasterInfo, RasterReader, Window, ReadOptions } from './tiff/reader.js';
export { createGeoTIFFWriter, formatNoData, needsBigTiff } from './tiff/writer.js';
export type { GeoTIFFWriter, WriterOptions } from './tiff/writer.js';

export type WriteOptions = Omit<WriterOptions, 'grid' | 'dtype' | 'bands'>;

/** Rows per writeRows call when writing an in-memory raster (a tile row or more). */
const CHUNK_ROWS = 1024;

/**
 * Writes one raster or several bands (same grid and dtype) as a tiled GeoTIFF, atomically.
 *   await writeGeoTIFF('out/lu_2030.tif', raster, { compress: 'deflate' });
 */
export async function writeGeoTIFF(path: string, rasters: Raster | Raster[], opts: WriteOptions = {}): Promise<void> {
  const list = Array.isArray(rasters) ? rasters : [rasters];
  if (list.length === 0) throw new ConfigError(`${path}: no bands to write`);
  const first = list[0];
  list.forEach((r, i) => {
    const n = r.grid.width * r.grid.height;
    if (r.data.length !== n) {
      throw new ConfigError(`${path}: band ${i} has ${r.data.length} values, its grid ${r.grid.width}x${r.grid.height} needs ${n}`);
    }
    if (dtypeOf(r.data) !== r.dtype) throw new ConfigError(`${path}: band ${i} data is ${dtypeOf(r.data)} but its dtype says ${r.dtype}`);
    if (i > 0) {
      if (r.dtype !== first.dtype) throw new ConfigError(`${path}: band ${i} is ${r.dtype}, band 0 is ${first.dtype}`);
      checkSameGrid(first.grid, `${path} band 0`, r.grid, `${path} band ${i}`);
      if (!Object.is(r.grid.nodata, first.grid.nodata) && !(r.grid.nodata === first.grid.nodata)) {
        throw new ConfigError(`${path}: band ${i} NoData ${r.grid.nodata} differs from band 0 NoData ${first.grid.nodata}`);
      }
    }
  });
  const { width, height } = first.grid;
  const w = createGeoTIFFWriter(path, { ...opts, grid: first.grid, dtype: first.dtype, bands: list.length });
  try {
    for (let r = 0; r < height; r += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, height - r);
      await w.writeRows(r, list.map((b) => b.data.subarray(r * width, (r + n) * width)));
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
