/**
 * The engine's GeoTIFF writer: tiled, DEFLATE (node:zlib; predictor and compression of tiles run
 * on every core in the I/O pool, written in tile order with a bounded number of tasks in flight), classic TIFF or BigTIFF, little-endian, one plane per band
 * (PlanarConfiguration 2), GeoKeys + GDAL_NODATA. Rows are streamed in order; memory is bounded
 * by one tile row of every band plus the encode tasks in flight. Tile data is appended as it is produced, the IFD goes at the
 * end of the file and the header is patched to point at it. The file is written under a
 * temporary name and renamed on close(); abort() or any failure removes it.
 *
 * TIFF 6.0 (Adobe 1992) §§2, 15; BigTIFF (libtiff design note); GeoTIFF 1.1 (OGC 19-008r4).
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { ConfigError, InputError, InternalError } from '../../errors.js';
import { asWriteError, commitTemp, discardTemp, tempPathFor, writeFileAtomic } from '../atomic.js';
import { auxXml, colorMapValues, gdalMetadataXml, type RasterMetadata } from './metadata.js';
import { registerTemp, releaseTemp } from '../session.js';
import { DTYPE_BYTES, dtypeOf, isIntegerDType, type DType, type Grid, type RasterArray } from '../grid.js';
import type { EncodeResult } from './codec.js';
import { encodeInPool, ioQueueDepth } from './pool.js';
import { encodeGeoKeys, geoKeysForCrs, TAG_GEO_ASCII_PARAMS, TAG_GEO_DOUBLE_PARAMS, TAG_GEO_KEY_DIRECTORY } from './geokeys.js';

export interface WriterOptions {
  grid: Grid;
  dtype: DType;
  /** Number of bands (default 1). */
  bands?: number;
  /** Square tile size, a multiple of 16 (default 256). */
  tileSize?: number;
  /** 'deflate' (default) or 'none'. */
  compress?: 'deflate' | 'none';
  /** zlib level 1..9 (default 6). */
  level?: number;
  /**
   * zlib strategy: 'default', or 'rle' (matches of distance 1 only: still standard DEFLATE, read
   * by any decoder; on predictor-2 probability planes it compresses as well as the default at
   * about 3x its speed, bench/results/e2e-suitability.json).
   */
  strategy?: 'default' | 'rle';
  /** TIFF predictor: 1 none (default), 2 horizontal differencing (integer types), 3 floating point (float types). */
  predictor?: 1 | 2 | 3;
  /** true: BigTIFF; false: classic TIFF (error if it would pass 4 GiB); 'auto' (default): BigTIFF when the uncompressed size could pass 4 GiB. */
  bigtiff?: boolean | 'auto';
  /** Band descriptions and units, class names and colours (src/io/tiff/metadata.ts). */
  metadata?: RasterMetadata;
  /**
   * Cloud-Optimized GeoTIFF: internal overviews (halving until one tile holds the level; float
   * types averaged over valid cells, integer types nearest) and GDAL's COG layout (directories
   * first, then tile data from the smallest overview to full resolution). Default false.
   */
  cog?: boolean;
}

export interface GeoTIFFWriter {
  readonly path: string;
  /** Next row expected by writeRows. */
  readonly nextRow: number;
  /**
   * Appends rows [row0, row0 + n) for every band; `bands[b]` holds n*width values (row-major)
   * of the writer's dtype. Rows must arrive in order; n may be any positive count.
   */
  writeRows(row0: number, bands: RasterArray[]): Promise<void>;
  /** Writes the directory and renames the file into place. All rows must have been written. */
  close(): Promise<void>;
  /** Removes the temporary file. Safe to call more than once or after a failure. */
  abort(): void;
}

const T_ASCII = 2, T_SHORT = 3, T_LONG = 4, T_DOUBLE = 12, T_LONG8 = 16;
const TYPE_SIZE: Record<number, number> = { [T_ASCII]: 1, [T_SHORT]: 2, [T_LONG]: 4, [T_DOUBLE]: 8, [T_LONG8]: 8 };
const SAMPLE_FORMAT: Record<DType, number> = { uint8: 1, uint16: 1, uint32: 1, int16: 2, int32: 2, float32: 3, float64: 3 };
const FOUR_GIB = 2 ** 32;
/** Uncompressed bytes per encode task (whole tiles of one band and tile row). */
const TASK_BYTES = 1 << 20;

interface Entry {
  tag: number;
  type: number;
  values: number[] | string;
}

function checkOptions(path: string, o: WriterOptions): Required<Omit<WriterOptions, 'metadata'>> {
  const g = o.grid;
  if (!g || !Number.isInteger(g.width) || !Number.isInteger(g.height) || g.width < 1 || g.height < 1) {
    throw new ConfigError(`${path}: grid size must be positive integers, got ${g?.width}x${g?.height}`);
  }
  if (g.width > 0xffffffff || g.height > 0xffffffff) throw new ConfigError(`${path}: grid ${g.width}x${g.height} is too large for TIFF`);
  if (!g.transform || g.transform.length !== 6 || !g.transform.every(Number.isFinite)) {
    throw new ConfigError(`${path}: grid transform must be 6 finite numbers, got ${JSON.stringify(g.transform)}`);
  }
  if (!(o.dtype in DTYPE_BYTES)) throw new ConfigError(`${path}: unsupported dtype ${JSON.stringify(o.dtype)}`);
  const bands = o.bands ?? 1;
  if (!Number.isInteger(bands) || bands < 1 || bands > 65535) throw new ConfigError(`${path}: bands must be an integer in [1, 65535], got ${bands}`);
  const tileSize = o.tileSize ?? 256;
  if (!Number.isInteger(tileSize) || tileSize < 16 || tileSize > 4096 || tileSize % 16 !== 0) {
    throw new ConfigError(`${path}: tileSize must be a multiple of 16 in [16, 4096], got ${tileSize}`);
  }
  const compress = o.compress ?? 'deflate';
  if (compress !== 'deflate' && compress !== 'none') throw new ConfigError(`${path}: compress must be 'deflate' or 'none', got ${JSON.stringify(compress)}`);
  const level = o.level ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new ConfigError(`${path}: level must be an integer in [1, 9], got ${level}`);
  const strategy = o.strategy ?? 'default';
  if (strategy !== 'default' && strategy !== 'rle') throw new ConfigError(`${path}: strategy must be 'default' or 'rle', got ${JSON.stringify(strategy)}`);
  const predictor = o.predictor ?? 1;
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) throw new ConfigError(`${path}: predictor must be 1, 2 or 3, got ${predictor}`);
  if (predictor === 2 && !isIntegerDType(o.dtype)) throw new ConfigError(`${path}: predictor 2 needs an integer dtype, got ${o.dtype}`);
  if (predictor === 3 && isIntegerDType(o.dtype)) throw new ConfigError(`${path}: predictor 3 needs a float dtype, got ${o.dtype}`);
  if (predictor !== 1 && compress === 'none') throw new ConfigError(`${path}: a predictor needs compress 'deflate'`);
  const bigtiff = o.bigtiff ?? 'auto';
  if (bigtiff !== true && bigtiff !== false && bigtiff !== 'auto') throw new ConfigError(`${path}: bigtiff must be true, false or 'auto', got ${JSON.stringify(bigtiff)}`);
  if (g.nodata !== null && g.nodata !== undefined && typeof g.nodata !== 'number') throw new ConfigError(`${path}: nodata must be a number or null`);
  const cog = o.cog ?? false;
  if (typeof cog !== 'boolean') throw new ConfigError(`${path}: cog must be true or false, got ${JSON.stringify(cog)}`);
  return { grid: g, dtype: o.dtype, bands, tileSize, compress, level, strategy, predictor, bigtiff, cog };
}

/** GDAL_NODATA text: integers plainly, floats with enough digits to round-trip. */
export function formatNoData(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/**
 * Whether a tiled file could pass 4 GiB: every tile stored at its padded uncompressed size plus
 * zlib's worst-case expansion (~0.1 % + 64 bytes), tile tables and directory. Used by bigtiff 'auto'.
 */
export function needsBigTiff(width: number, height: number, bands: number, dtype: DType, tileSize = 256): boolean {
  const nTiles = Math.ceil(width / tileSize) * Math.ceil(height / tileSize) * bands;
  const tileBytes = tileSize * tileSize * DTYPE_BYTES[dtype];
  const estimate = nTiles * (tileBytes + Math.ceil(tileBytes / 1000) + 64) + nTiles * 16 + 65536;
  return estimate >= FOUR_GIB;
}

/**
 * Opens a streaming GeoTIFF writer. Write every row with writeRows (in order), then close().
 *
 *   const w = createGeoTIFFWriter('out/carbon.tif', { grid, dtype: 'float32' });
 *   for (let r = 0; r < grid.height; r += 512) await w.writeRows(r, [rows]);
 *   await w.close();
 */
export function createGeoTIFFWriter(path: string, options: WriterOptions): GeoTIFFWriter {
  if (endianness() !== 'LE') throw new InternalError('the GeoTIFF writer needs a little-endian host');
  const o = checkOptions(path, options);
  const { grid, dtype, bands, tileSize: ts, compress, level, strategy, predictor, cog } = o;
  const { width, height } = grid;
  const bytes = DTYPE_BYTES[dtype];
  const tileBytes = ts * ts * bytes;
  const colorMap = colorMapValues(options.metadata, dtype, bands);
  // overviews (COG): halve until the level fits in one tile (as GDAL's COG driver does)
  const dims: Array<[number, number]> = [[width, height]];
  if (cog) {
    while (Math.max(...dims[dims.length - 1]) > ts) {
      const [w, h] = dims[dims.length - 1];
      dims.push([Math.ceil(w / 2), Math.ceil(h / 2)]);
    }
  }
  const big = o.bigtiff === 'auto' ? needsBigTiff(width, cog ? Math.ceil(height * 1.34) : height, bands, dtype, ts) : o.bigtiff;
  const headerBytes = big ? 16 : 8;

  const tmp = tempPathFor(path);
  let nextRow = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';
  let busy = false; // a writeRows call is in progress (callers must await each call)
  const depth = ioQueueDepth();

  /**
   * One resolution level. Plain files: level 0 only, its tiles written to the file after the
   * header (directory at the end). COG: every level's tiles go to a side file, assembled on
   * close as header, directories, then tile data from the smallest overview to full resolution.
   */
  interface Level {
    width: number;
    height: number;
    across: number;
    tilesPerBand: number;
    file: string;
    fd: number | null;
    pos: number;
    offsets: Float64Array;
    counts: Float64Array;
    /** One tile row of every band. */
    rowBuf: Uint8Array[];
    bufRows: number;
    tileRow: number;
    rowsIn: number;
    perTask: number;
    pending: Array<{ p: Promise<EncodeResult>; first: number }>;
    /** COG: an even row of this level waiting for its odd partner, per band. */
    carry: Uint8Array[] | null;
  }
  const levels: Level[] = [];
  const closeFds = (): void => {
    for (const l of levels) {
      if (l.fd !== null) {
        try { closeSync(l.fd); } catch { /* already failing */ }
        l.fd = null;
      }
    }
  };
  function abort(): void {
    if (state === 'aborted' || state === 'closed') return;
    state = 'aborted';
    closeFds();
    removeSideFiles();
    discardTemp(tmp);
  }
  function removeSideFiles(): void {
    if (!cog) return;
    for (const l of levels) {
      rmSync(l.file, { force: true });
      releaseTemp(l.file);
    }
  }
  try {
    dims.forEach(([w, h], i) => {
      const across = Math.ceil(w / ts);
      const tilesPerBand = across * Math.ceil(h / ts);
      const file = cog ? `${tmp}.level${i}` : tmp;
      if (cog) registerTemp(file); // removed on SIGINT/SIGTERM like the temporary file itself
      levels.push({
        width: w, height: h, across, tilesPerBand, file, fd: null, pos: cog ? 0 : headerBytes,
        offsets: new Float64Array(tilesPerBand * bands), counts: new Float64Array(tilesPerBand * bands),
        rowBuf: Array.from({ length: bands }, () => new Uint8Array(Math.min(ts, h) * w * bytes)),
        bufRows: 0, tileRow: 0, rowsIn: 0, perTask: Math.max(1, Math.min(across, Math.floor(TASK_BYTES / tileBytes))),
        pending: [], carry: null,
      });
      levels[i].fd = openSync(file, cog ? 'w+' : 'w');
    });
  } catch (e) {
    abort();
    throw asWriteError(path, e);
  }

  const writeAt = (fd: number, data: Uint8Array, at: number): void => {
    let done = 0;
    while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done, at + done);
  };

  const writeEncoded = (l: Level, res: EncodeResult, first: number): void => {
    for (let i = 0; i < res.lengths.length; i++) {
      const len = res.lengths[i];
      if (!big && l.pos + len >= FOUR_GIB) {
        throw new InputError(`${path}: output passes 4 GiB; write it as BigTIFF (bigtiff: true or 'auto')`);
      }
      l.offsets[first + i] = l.pos;
      l.counts[first + i] = len;
      writeAt(l.fd!, new Uint8Array(res.data, res.offsets[i], len), l.pos);
      l.pos += len;
    }
  };

  // Encoded tiles go to the file in tile order; at most `depth` encode tasks per level are
  // unfinished (bounded memory: depth x TASK_BYTES), each on an I/O worker (src/io/tiff/pool.ts).
  async function drain(l: Level, keep: number): Promise<void> {
    while (l.pending.length > keep) {
      const head = l.pending.shift()!;
      const res = await head.p;
      if (state !== 'open') return;
      writeEncoded(l, res, head.first);
    }
  }

  async function flushTileRow(l: Level): Promise<void> {
    const rows = l.bufRows;
    for (let b = 0; b < bands; b++) {
      const src = l.rowBuf[b];
      for (let tx0 = 0; tx0 < l.across; tx0 += l.perTask) {
        const nt = Math.min(l.perTask, l.across - tx0);
        const buf = new Uint8Array(nt * tileBytes);
        for (let t = 0; t < nt; t++) {
          const c0 = (tx0 + t) * ts;
          const w = Math.min(ts, l.width - c0);
          for (let r = 0; r < rows; r++) {
            const s0 = (r * l.width + c0) * bytes;
            buf.set(src.subarray(s0, s0 + w * bytes), t * tileBytes + r * ts * bytes);
          }
        }
        const p = encodeInPool({ src: buf.buffer, tiles: nt, tileSize: ts, bytes, predictor, level: compress === 'none' ? 0 : level, rle: strategy === 'rle' });
        p.catch(() => {}); // surfaced when awaited, in order
        l.pending.push({ p, first: b * l.tilesPerBand + l.tileRow * l.across + tx0 });
        await drain(l, depth);
        if (state !== 'open') return;
      }
    }
    l.tileRow++;
    l.bufRows = 0;
  }

  const nodata = grid.nodata ?? null;
  const isFloat = dtype === 'float32' || dtype === 'float64';
  /**
   * One overview row from two rows of the level above (b null: the last row of an odd height).
   * Float types: mean of the valid cells of each 2 x 2 block (NoData when none is valid);
   * integer types (class maps): nearest, the top-left cell, as gdaladdo's default.
   */
  function downsample(a: Uint8Array, b: Uint8Array | null, w: number, cw: number): Uint8Array {
    const out = new Uint8Array(cw * bytes);
    if (!isFloat) {
      for (let c = 0; c < cw; c++) out.set(a.subarray(2 * c * bytes, (2 * c + 1) * bytes), c * bytes);
      return out;
    }
    const A = dtype === 'float32' ? new Float32Array(a.buffer, a.byteOffset, w) : new Float64Array(a.buffer, a.byteOffset, w);
    const B = b ? (dtype === 'float32' ? new Float32Array(b.buffer, b.byteOffset, w) : new Float64Array(b.buffer, b.byteOffset, w)) : null;
    const O = dtype === 'float32' ? new Float32Array(out.buffer) : new Float64Array(out.buffer);
    const nd = nodata === null ? null : dtype === 'float32' ? Math.fround(nodata) : nodata;
    const ok = (v: number) => v === v && v !== nd;
    for (let c = 0; c < cw; c++) {
      let s = 0, n = 0;
      const x0 = 2 * c, x1 = Math.min(2 * c + 1, w - 1);
      const v00 = A[x0], v01 = A[x1];
      if (ok(v00)) { s += v00; n++; }
      if (x1 !== x0 && ok(v01)) { s += v01; n++; }
      if (B) {
        const v10 = B[x0], v11 = B[x1];
        if (ok(v10)) { s += v10; n++; }
        if (x1 !== x0 && ok(v11)) { s += v11; n++; }
      }
      O[c] = n > 0 ? s / n : nd ?? NaN;
    }
    return out;
  }

  /** Appends `n` rows (`rows[b]`: n x l.width values as bytes) to level `li`, and passes row pairs down. */
  async function pushRows(li: number, rows: Uint8Array[], n: number): Promise<void> {
    const l = levels[li];
    const rowBytes = l.width * bytes;
    let done = 0;
    while (done < n) {
      const take = Math.min(Math.min(ts, l.height - l.tileRow * ts) - l.bufRows, n - done);
      for (let b = 0; b < bands; b++) l.rowBuf[b].set(rows[b].subarray(done * rowBytes, (done + take) * rowBytes), l.bufRows * rowBytes);
      l.bufRows += take;
      done += take;
      if (l.bufRows === Math.min(ts, l.height - l.tileRow * ts)) await flushTileRow(l);
      if (state !== 'open') throw new InternalError(`${path}: writer aborted during writeRows`);
    }
    if (li + 1 >= levels.length) {
      l.rowsIn += n;
      return;
    }
    const child = levels[li + 1];
    for (let r = 0; r < n; r++) {
      const row = rows.map((x) => x.subarray(r * rowBytes, (r + 1) * rowBytes));
      const last = l.rowsIn + r === l.height - 1;
      if (l.carry === null && !last) {
        l.carry = row.map((x) => x.slice());
        continue;
      }
      const pair = l.carry;
      l.carry = null;
      const out = pair ? pair.map((top, b) => downsample(top, row[b], l.width, child.width)) : row.map((x) => downsample(x, null, l.width, child.width));
      await pushRows(li + 1, out, 1);
    }
    l.rowsIn += n;
  }

  async function writeRows(row0: number, data: RasterArray[]): Promise<void> {
    if (state !== 'open') throw new InternalError(`${path}: writeRows after ${state === 'closed' ? 'close' : 'abort'}`);
    if (busy) {
      abort();
      throw new InternalError(`${path}: writeRows called before the previous call finished (await each call)`);
    }
    busy = true;
    try {
      if (row0 !== nextRow) throw new InternalError(`${path}: rows must be written in order: expected row ${nextRow}, got ${row0}`);
      if (!Array.isArray(data) || data.length !== bands) throw new InternalError(`${path}: expected ${bands} band array(s), got ${Array.isArray(data) ? data.length : typeof data}`);
      const len = data[0].length;
      for (let b = 0; b < bands; b++) {
        if (dtypeOf(data[b]) !== dtype) throw new InternalError(`${path}: band ${b} rows are ${dtypeOf(data[b])}, the file is ${dtype}`);
        if (data[b].length !== len) throw new InternalError(`${path}: band ${b} has ${data[b].length} values, band 0 has ${len}`);
      }
      if (len === 0 || len % width !== 0) throw new InternalError(`${path}: ${len} values is not a whole number of rows of width ${width}`);
      const n = len / width;
      if (row0 + n > height) throw new InternalError(`${path}: rows ${row0}..${row0 + n - 1} pass the raster height ${height}`);
      await pushRows(0, data.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)), n);
      nextRow += n;
    } catch (e) {
      abort();
      throw asWriteError(path, e);
    } finally {
      busy = false;
    }
  }

  function geoEntries(): Entry[] {
    const e: Entry[] = [];
    const t = grid.transform;
    const defaultTransform = t[0] === 0 && t[1] === 1 && t[2] === 0 && t[3] === 0 && t[4] === 0 && t[5] === 1;
    if (!defaultTransform || grid.crs) {
      if (t[2] === 0 && t[4] === 0 && t[5] < 0) {
        e.push({ tag: 33550, type: T_DOUBLE, values: [t[1], -t[5], 0] });
        e.push({ tag: 33922, type: T_DOUBLE, values: [0, 0, 0, t[0], t[3], 0] });
      } else {
        e.push({ tag: 34264, type: T_DOUBLE, values: [t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1] });
      }
    }
    if (grid.crs) {
      const k = encodeGeoKeys(geoKeysForCrs(grid.crs));
      e.push({ tag: TAG_GEO_KEY_DIRECTORY, type: T_SHORT, values: k.directory });
      if (k.doubles.length) e.push({ tag: TAG_GEO_DOUBLE_PARAMS, type: T_DOUBLE, values: k.doubles });
      if (k.ascii.length) e.push({ tag: TAG_GEO_ASCII_PARAMS, type: T_ASCII, values: k.ascii });
    }
    if (grid.nodata !== null && grid.nodata !== undefined) e.push({ tag: 42113, type: T_ASCII, values: formatNoData(grid.nodata) });
    const md = gdalMetadataXml(options.metadata);
    if (md) e.push({ tag: 42112, type: T_ASCII, values: md });
    if (colorMap) e.push({ tag: 320, type: T_SHORT, values: colorMap });
    return e;
  }

  /** Directory of level `li` at byte `at`; tile offsets shifted by `base`; `next`: the next directory (0: none). */
  function encodeIfd(at: number, li: number, base: number, next: number): Uint8Array {
    const lv = levels[li];
    const longOrShort = (v: number) => (v > 65535 ? T_LONG : T_SHORT);
    const entries: Entry[] = [
      { tag: 256, type: longOrShort(lv.width), values: [lv.width] },
      { tag: 257, type: longOrShort(lv.height), values: [lv.height] },
      { tag: 258, type: T_SHORT, values: new Array(bands).fill(bytes * 8) },
      { tag: 259, type: T_SHORT, values: [compress === 'deflate' ? 8 : 1] },
      { tag: 262, type: T_SHORT, values: [colorMap ? 3 : 1] }, // palette when a colour map is written
      { tag: 277, type: T_SHORT, values: [bands] },
      { tag: 284, type: T_SHORT, values: [bands > 1 ? 2 : 1] },
      { tag: 322, type: T_SHORT, values: [ts] },
      { tag: 323, type: T_SHORT, values: [ts] },
      { tag: 324, type: big ? T_LONG8 : T_LONG, values: Array.from(lv.offsets, (v) => v + base) },
      { tag: 325, type: big ? T_LONG8 : T_LONG, values: Array.from(lv.counts) },
      { tag: 339, type: T_SHORT, values: new Array(bands).fill(SAMPLE_FORMAT[dtype]) },
      // overviews: NewSubfileType 1 (reduced resolution); georeferencing and NoData on every level (GDAL COG does the same for NoData)
      ...(li > 0 ? [{ tag: 254, type: T_LONG, values: [1] }] : []),
      ...(li === 0 ? geoEntries() : geoEntries().filter((e) => e.tag === 42113)),
    ];
    if (predictor !== 1) entries.push({ tag: 317, type: T_SHORT, values: [predictor] });
    if (bands > 1) entries.push({ tag: 338, type: T_SHORT, values: new Array(bands - 1).fill(0) });
    entries.sort((a, b) => a.tag - b.tag);

    const entrySize = big ? 20 : 12;
    const inline = big ? 8 : 4;
    const headSize = (big ? 8 : 2) + entries.length * entrySize + (big ? 8 : 4);
    // sizes of out-of-line values
    const payloads = entries.map((e) => {
      const count = typeof e.values === 'string' ? e.values.length + 1 : e.values.length;
      return { count, size: count * TYPE_SIZE[e.type] };
    });
    let extra = 0;
    for (const p of payloads) if (p.size > inline) extra += p.size + (p.size & 1);
    const buf = new Uint8Array(headSize + extra);
    const v = new DataView(buf.buffer);
    const put = (off: number, type: number, values: number[] | string): void => {
      if (typeof values === 'string') {
        for (let i = 0; i < values.length; i++) buf[off + i] = values.charCodeAt(i) & 0x7f;
        buf[off + values.length] = 0;
        return;
      }
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        switch (type) {
          case T_SHORT: v.setUint16(off + i * 2, x, true); break;
          case T_LONG: v.setUint32(off + i * 4, x, true); break;
          case T_DOUBLE: v.setFloat64(off + i * 8, x, true); break;
          case T_LONG8: v.setBigUint64(off + i * 8, BigInt(x), true); break;
        }
      }
    };
    let p = 0;
    if (big) { v.setBigUint64(0, BigInt(entries.length), true); p = 8; } else { v.setUint16(0, entries.length, true); p = 2; }
    let dataOff = headSize;
    entries.forEach((e, i) => {
      const { count, size } = payloads[i];
      v.setUint16(p, e.tag, true);
      v.setUint16(p + 2, e.type, true);
      if (big) v.setBigUint64(p + 4, BigInt(count), true); else v.setUint32(p + 4, count, true);
      const valueAt = p + (big ? 12 : 8);
      if (size <= inline) {
        put(valueAt, e.type, e.values);
      } else {
        const abs = at + dataOff;
        if (big) v.setBigUint64(valueAt, BigInt(abs), true); else v.setUint32(valueAt, abs, true);
        put(dataOff, e.type, e.values);
        dataOff += size + (size & 1);
      }
      p += entrySize;
    });
    if (big) v.setBigUint64(headSize - 8, BigInt(next), true); else v.setUint32(headSize - 4, next, true);
    return buf;
  }

  function headerWith(ifdAt: number): Uint8Array {
    const header = new Uint8Array(headerBytes);
    const hv = new DataView(header.buffer);
    header[0] = 0x49; header[1] = 0x49;
    if (big) {
      hv.setUint16(2, 43, true); hv.setUint16(4, 8, true); hv.setUint16(6, 0, true); hv.setBigUint64(8, BigInt(ifdAt), true);
    } else {
      hv.setUint16(2, 42, true); hv.setUint32(4, ifdAt, true);
    }
    return header;
  }

  async function close(): Promise<void> {
    if (state !== 'open') throw new InternalError(`${path}: close after ${state === 'closed' ? 'close' : 'abort'}`);
    if (busy) {
      abort();
      throw new InternalError(`${path}: close called before writeRows finished (await each call)`);
    }
    try {
      if (nextRow !== height) throw new InternalError(`${path}: close() after ${nextRow} of ${height} rows`);
      for (const l of levels) await drain(l, 0);
      if (state !== 'open') throw new InternalError(`${path}: writer aborted during close`);
      const fail = (): never => { throw new InputError(`${path}: output passes 4 GiB; write it as BigTIFF (bigtiff: true or 'auto')`); };
      if (!cog) {
        const l = levels[0];
        if (l.pos & 1) { writeAt(l.fd!, new Uint8Array(1), l.pos); l.pos++; } // IFDs start on a word boundary
        const at = l.pos;
        const ifd = encodeIfd(at, 0, 0, 0);
        if (!big && at + ifd.byteLength >= FOUR_GIB) fail();
        writeAt(l.fd!, ifd, at);
        writeAt(l.fd!, headerWith(at), 0);
      } else {
        // COG layout: header, directories (full resolution first, then overviews by decreasing
        // size), then tile data from the smallest overview to full resolution
        const sizes = levels.map((_, i) => encodeIfd(0, i, 0, 0).byteLength);
        const ifdAt: number[] = [];
        let p = headerBytes;
        for (const sz of sizes) {
          ifdAt.push(p);
          p += sz + (sz & 1);
        }
        const base: number[] = new Array(levels.length);
        for (let i = levels.length - 1; i >= 0; i--) {
          base[i] = p;
          p += levels[i].pos;
        }
        if (!big && p >= FOUR_GIB) fail();
        const fd = openSync(tmp, 'w');
        try {
          writeAt(fd, headerWith(ifdAt[0]), 0);
          levels.forEach((_, i) => writeAt(fd, encodeIfd(ifdAt[i], i, base[i], i + 1 < levels.length ? ifdAt[i + 1] : 0), ifdAt[i]));
          const chunk = new Uint8Array(8 << 20);
          for (let i = levels.length - 1; i >= 0; i--) {
            const l = levels[i];
            for (let off = 0; off < l.pos; off += chunk.byteLength) {
              const n = readSync(l.fd!, chunk, 0, Math.min(chunk.byteLength, l.pos - off), off);
              writeAt(fd, chunk.subarray(0, n), base[i] + off);
            }
          }
        } finally {
          closeSync(fd);
        }
      }
      closeFds();
      removeSideFiles();
      commitTemp(tmp, path);
      const aux = auxXml(options.metadata); // category names: GDAL's PAM sidecar
      if (aux) writeFileAtomic(`${path}.aux.xml`, aux);
      state = 'closed';
    } catch (e) {
      abort();
      throw asWriteError(path, e);
    }
  }

  return {
    path,
    get nextRow() { return nextRow; },
    writeRows,
    close,
    abort,
  };
}
