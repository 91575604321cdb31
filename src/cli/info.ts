/**
 * `landcarbon info <raster> [--json] [--no-stats]`: grid (size, pixel size, origin, CRS), data
 * type, bands, tiling/compression, NoData and, per band, valid cells, min/max/mean and for
 * integer rasters a class histogram (code, cells, share of valid cells). The raster is scanned
 * in row blocks, so memory stays bounded for any size.
 */
import { Command } from 'commander';
import { readRasterInfo, type RasterInfo } from '../io/geotiff.js';
import { DTYPE_BYTES, isIntegerDType, isNoData, pixelSize } from '../io/grid.js';
import { parseBudget, planBlocks, readBlock, READER_BYTES, type BlockBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { run } from './common.js';

/** Classes beyond this many distinct values: the histogram is omitted (continuous data). */
export const MAX_CLASSES = 1000;

export interface BandStats {
  band: number;
  valid: number;
  nodata: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Integer rasters: classes sorted by code; null for floats or more than MAX_CLASSES codes. */
  histogram: Array<{ code: number; cells: number; share: number }> | null;
  distinct: number | null;
}

/** Scans every band of `path` in row blocks. Sums in f64, counts exact. */
export async function bandStats(path: string, info: RasterInfo, budget: BlockBudget = { memory: 256 * 2 ** 20 }): Promise<BandStats[]> {
  const { width, height, nodata } = info.grid;
  const nd = nodata !== null && info.dtype === 'float32' ? Math.fround(nodata) : nodata;
  // one band of a block at a time (its values in the file's dtype), blocks of whole file tile rows
  const plan = planBlocks({ width, height, ...budget, bytesPerCell: DTYPE_BYTES[info.dtype], fixedBytes: READER_BYTES, multipleOf: info.tileHeight, what: path });
  const integer = isIntegerDType(info.dtype);
  const out: BandStats[] = [];
  for (let band = 0; band < info.bands; band++) {
    let valid = 0, missing = 0, sum = 0, min = Infinity, max = -Infinity;
    let counts: Map<number, number> | null = integer ? new Map() : null;
    for (const b of plan.blocks) {
      const { data } = await readBlock(path, b, width, { band });
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (isNoData(v, nd)) { missing++; continue; }
        valid++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
        if (counts) {
          counts.set(v, (counts.get(v) ?? 0) + 1);
          if (counts.size > MAX_CLASSES) counts = null;
        }
      }
    }
    const distinct = counts ? counts.size : null;
    out.push({
      band: band + 1,
      valid,
      nodata: missing,
      min: valid ? min : null,
      max: valid ? max : null,
      mean: valid ? sum / valid : null,
      histogram: counts
        ? [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([code, cells]) => ({ code, cells, share: cells / valid }))
        : null,
      distinct,
    });
  }
  return out;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(15));
}

function jsonNoData(v: number | null): number | string | null {
  if (v === null) return null;
  return Number.isFinite(v) ? v : String(v).toLowerCase();
}

export function register(program: Command): void {
  program
    .command('info')
    .description('describe a GeoTIFF: grid, CRS, data type, layout, NoData and per-band statistics / class histogram')
    .argument('<raster>', 'GeoTIFF file')
    .option('--json', 'print one JSON object')
    .option('--no-stats', 'skip the scan for statistics and histograms')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('info', (path: string, _o: unknown) => ({ inputs: { '<raster>': path } }), async (path: string, opts: { json?: boolean; stats: boolean; memory?: string; blockRows?: string }) => {
        const budget = parseBudget(opts);
        const info = await readRasterInfo(path);
        const stats = opts.stats ? await bandStats(path, info, budget) : null;
        const g = info.grid;
        const px = pixelSize(g);
        if (opts.json) {
          process.stdout.write(
            JSON.stringify({
              path,
              width: g.width,
              height: g.height,
              transform: g.transform,
              pixelSize: [px.x, px.y],
              crs: g.crs,
              nodata: jsonNoData(g.nodata),
              dtype: info.dtype,
              bands: info.bands,
              tiled: info.tiled,
              tileWidth: info.tileWidth,
              tileHeight: info.tileHeight,
              compression: info.compression,
              predictor: info.predictor,
              planar: info.planar,
              bigtiff: info.bigtiff,
              stats,
            }) + '\n',
          );
          return;
        }
        const crs = g.crs
          ? [g.crs.epsg !== undefined ? `EPSG:${g.crs.epsg}` : null, g.crs.name ?? null].filter(Boolean).join(' ') || 'custom'
          : 'none';
        const t = g.transform;
        const lines = [
          `file:        ${path}`,
          `size:        ${g.width} x ${g.height} (${(g.width * g.height).toLocaleString('en-US')} cells), ${info.bands} band${info.bands > 1 ? 's' : ''}, ${info.dtype}`,
          `pixel size:  ${num(px.x)} x ${num(px.y)}`,
          `origin:      (${num(t[0])}, ${num(t[3])})`,
          ...(t[2] !== 0 || t[4] !== 0 ? [`transform:   [${t.map(num).join(', ')}] (rotated)`] : []),
          `crs:         ${crs}${g.crs?.geoKeys ? ` (${Object.keys(g.crs.geoKeys).length} GeoKeys)` : ''}`,
          `layout:      ${info.tiled ? `tiled ${info.tileWidth}x${info.tileHeight}` : `striped, ${info.tileHeight} rows per strip`}, ${info.compression}` +
            `${info.predictor !== 1 ? `, predictor ${info.predictor}` : ''}${info.bands > 1 ? `, ${info.planar}` : ''}, ${info.bigtiff ? 'BigTIFF' : 'classic TIFF'}`,
          `nodata:      ${g.nodata === null ? 'none' : num(g.nodata)}`,
        ];
        for (const s of stats ?? []) {
          const total = s.valid + s.nodata;
          lines.push(
            `band ${s.band}:      ${s.valid} valid cells (${((100 * s.valid) / total).toFixed(2)} %), ${s.nodata} NoData` +
              (s.valid ? `; min ${num(s.min!)}, max ${num(s.max!)}, mean ${num(s.mean!)}` : ''),
          );
          if (s.histogram) {
            lines.push('  code        cells     share');
            for (const h of s.histogram) {
              lines.push(`  ${String(h.code).padStart(4)}  ${String(h.cells).padStart(11)}  ${(100 * h.share).toFixed(2).padStart(6)} %`);
            }
          } else if (isIntegerDType(info.dtype) && s.valid) {
            lines.push(`  more than ${MAX_CLASSES} distinct values: histogram omitted`);
          }
        }
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
