/**
 * The engine's GeoTIFF writer: tiled, DEFLATE (node:zlib, tiles of one tile row compressed in
 * parallel on libuv's thread pool), classic TIFF or BigTIFF, little-endian, one plane per band
 * (PlanarConfiguration 2), GeoKeys + GDAL_NODATA. Rows are streamed in order; memory is bounded
 * by one tile row of every band. Tile data is appended as it is produced, the IFD goes at the
 * end of the file and the header is patched to point at it. The file is written under a
 * temporary name and renamed on close(); abort() or any failure removes it.
 *
 * TIFF 6.0 (Adobe 1992) §§2, 15; BigTIFF (libtiff design note); GeoTIFF 1.1 (OGC 19-008r4).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { deflate } from 'node:zlib';
import { ConfigError, InputError, InternalError } from '../../errors.js';
import { asWriteError, commitTemp, discardTemp, tempPathFor, writeFileAtomic } from '../atomic.js';
import { DTYPE_BYTES, dtypeOf, isIntegerDType, type DType, type Grid, type RasterArray } from '../grid.js';
import { auxXml, colorMapValues, gdalMetadataXml, type RasterMetadata } from './metadata.js';
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
  /** TIFF predictor: 1 none (default), 2 horizontal differencing (integer types), 3 floating point (float types). */
  predictor?: 1 | 2 | 3;
  /** true: BigTIFF; false: classic TIFF (error if it would pass 4 GiB); 'auto' (default): BigTIFF when the uncompressed size could pass 4 GiB. */
  bigtiff?: boolean | 'auto';
  /** Band descriptions and units, class names and colours (src/io/tiff/metadata.ts). */
  metadata?: RasterMetadata;
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
  const predictor = o.predictor ?? 1;
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) throw new ConfigError(`${path}: predictor must be 1, 2 or 3, got ${predictor}`);
  if (predictor === 2 && !isIntegerDType(o.dtype)) throw new ConfigError(`${path}: predictor 2 needs an integer dtype, got ${o.dtype}`);
  if (predictor === 3 && isIntegerDType(o.dtype)) throw new ConfigError(`${path}: predictor 3 needs a float dtype, got ${o.dtype}`);
  if (predictor !== 1 && compress === 'none') throw new ConfigError(`${path}: a predictor needs compress 'deflate'`);
  const bigtiff = o.bigtiff ?? 'auto';
  if (bigtiff !== true && bigtiff !== false && bigtiff !== 'auto') throw new ConfigError(`${path}: bigtiff must be true, false or 'auto', got ${JSON.stringify(bigtiff)}`);
  if (g.nodata !== null && g.nodata !== undefined && typeof g.nodata !== 'number') throw new ConfigError(`${path}: nodata must be a number or null`);
  return { grid: g, dtype: o.dtype, bands, tileSize, compress, level, predictor, bigtiff };
}

/** GDAL_NODATA text: integers plainly, floats with enough digits to round-trip. */
export function formatNoData(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function deflateAsync(buf: Uint8Array, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => deflate(buf, { level }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Horizontal differencing per row of a tile (TIFF predictor 2), in place. */
function predictHorizontal(tile: Uint8Array, dtype: DType, ts: number): void {
  const n = ts * ts;
  const a =
    dtype === 'uint8' ? tile : dtype === 'uint16' || dtype === 'int16'
      ? new Uint16Array(tile.buffer, tile.byteOffset, n)
      : new Uint32Array(tile.buffer, tile.byteOffset, n);
  for (let r = 0; r < ts; r++) {
    const o = r * ts;
    for (let c = ts - 1; c > 0; c--) a[o + c] = a[o + c] - a[o + c - 1];
  }
}

/** Floating-point predictor (TIFF Technical Note 3): bytes of each row split MSB-first, then byte differencing. */
function predictFloat(tile: Uint8Array, bytes: number, ts: number): void {
  const rowBytes = ts * bytes;
  const tmp = new Uint8Array(rowBytes);
  for (let r = 0; r < ts; r++) {
    const row = tile.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = 0; i < ts; i++) {
      for (let b = 0; b < bytes; b++) tmp[(bytes - b - 1) * ts + i] = row[i * bytes + b];
    }
    for (let k = rowBytes - 1; k > 0; k--) row[k] = (tmp[k] - tmp[k - 1]) & 0xff;
    row[0] = tmp[0];
  }
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
  const { grid, dtype, bands, tileSize: ts, compress, level, predictor } = o;
  const { width, height } = grid;
  const bytes = DTYPE_BYTES[dtype];
  const across = Math.ceil(width / ts);
  const down = Math.ceil(height / ts);
  const tilesPerBand = across * down;
  const nTiles = tilesPerBand * bands;
  const tileBytes = ts * ts * bytes;
  const big = o.bigtiff === 'auto' ? needsBigTiff(width, height, bands, dtype, ts) : o.bigtiff;
  const colorMap = colorMapValues(options.metadata, dtype, bands);

  const tmp = tempPathFor(path);
  let fd: number | null;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    discardTemp(tmp);
    throw asWriteError(path, e);
  }
  let pos = 0;
  let nextRow = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const offsets = new Float64Array(nTiles);
  const counts = new Float64Array(nTiles);
  // one tile row of every band
  const rowBuf = Array.from({ length: bands }, () => new Uint8Array(Math.min(ts, height) * width * bytes));
  let bufRows = 0; // rows currently held in rowBuf
  let busy = false; // a writeRows call is in progress (callers must await each call)
  let tileRow = 0;

  const write = (data: Uint8Array, at?: number): void => {
    let done = 0;
    while (done < data.byteLength) {
      done += writeSync(fd!, data, done, data.byteLength - done, (at ?? pos) + done);
    }
    if (at === undefined) pos += data.byteLength;
  };

  // header with a placeholder IFD offset
  const header = new Uint8Array(big ? 16 : 8);
  const hv = new DataView(header.buffer);
  header[0] = 0x49; header[1] = 0x49;
  if (big) {
    hv.setUint16(2, 43, true); hv.setUint16(4, 8, true); hv.setUint16(6, 0, true);
  } else {
    hv.setUint16(2, 42, true);
  }
  try {
    write(header);
  } catch (e) {
    abort();
    throw asWriteError(path, e);
  }

  function abort(): void {
    if (state === 'aborted' || state === 'closed') return;
    state = 'aborted';
    if (fd !== null) {
      try { closeSync(fd); } catch { /* already failing */ }
      fd = null;
    }
    discardTemp(tmp);
  }

  async function flushTileRow(): Promise<void> {
    const rows = bufRows;
    const jobs: Promise<Uint8Array>[] = [];
    for (let b = 0; b < bands; b++) {
      const src = rowBuf[b];
      for (let tx = 0; tx < across; tx++) {
        const c0 = tx * ts;
        const w = Math.min(ts, width - c0);
        const tile = new Uint8Array(tileBytes);
        for (let r = 0; r < rows; r++) {
          const s = (r * width + c0) * bytes;
          tile.set(src.subarray(s, s + w * bytes), r * ts * bytes);
        }
        if (compress === 'none') {
          jobs.push(Promise.resolve(tile));
        } else {
          if (predictor === 2) predictHorizontal(tile, dtype, ts);
          else if (predictor === 3) predictFloat(tile, bytes, ts);
          jobs.push(deflateAsync(tile, level));
        }
      }
    }
    const encoded = await Promise.all(jobs);
    if (state !== 'open') return;
    for (let b = 0; b < bands; b++) {
      for (let tx = 0; tx < across; tx++) {
        const data = encoded[b * across + tx];
        if (!big && pos + data.byteLength >= FOUR_GIB) {
          throw new InputError(`${path}: output passes 4 GiB; write it as BigTIFF (bigtiff: true or 'auto')`);
        }
        const idx = b * tilesPerBand + tileRow * across + tx;
        offsets[idx] = pos;
        counts[idx] = data.byteLength;
        write(data);
      }
    }
    tileRow++;
    bufRows = 0;
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
      let done = 0;
      while (done < n) {
        const rowsLeftInTileRow = Math.min(ts, height - tileRow * ts) - bufRows;
        const take = Math.min(rowsLeftInTileRow, n - done);
        for (let b = 0; b < bands; b++) {
          const a = data[b];
          const src = new Uint8Array(a.buffer, a.byteOffset + done * width * bytes, take * width * bytes);
          rowBuf[b].set(src, bufRows * width * bytes);
        }
        bufRows += take;
        done += take;
        nextRow += take;
        if (bufRows === Math.min(ts, height - tileRow * ts)) await flushTileRow();
        if (state !== 'open') throw new InternalError(`${path}: writer aborted during writeRows`);
      }
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

  function encodeIfd(at: number): Uint8Array {
    const longOrShort = (v: number) => (v > 65535 ? T_LONG : T_SHORT);
    const entries: Entry[] = [
      { tag: 256, type: longOrShort(width), values: [width] },
      { tag: 257, type: longOrShort(height), values: [height] },
      { tag: 258, type: T_SHORT, values: new Array(bands).fill(bytes * 8) },
      { tag: 259, type: T_SHORT, values: [compress === 'deflate' ? 8 : 1] },
      { tag: 262, type: T_SHORT, values: [colorMap ? 3 : 1] }, // palette when a colour map is written
      { tag: 277, type: T_SHORT, values: [bands] },
      { tag: 284, type: T_SHORT, values: [bands > 1 ? 2 : 1] },
      { tag: 322, type: T_SHORT, values: [ts] },
      { tag: 323, type: T_SHORT, values: [ts] },
      { tag: 324, type: big ? T_LONG8 : T_LONG, values: Array.from(offsets) },
      { tag: 325, type: big ? T_LONG8 : T_LONG, values: Array.from(counts) },
      { tag: 339, type: T_SHORT, values: new Array(bands).fill(SAMPLE_FORMAT[dtype]) },
      ...geoEntries(),
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
    // next IFD offset = 0 (already zero)
    return buf;
  }

  async function close(): Promise<void> {
    if (state !== 'open') throw new InternalError(`${path}: close after ${state === 'closed' ? 'close' : 'abort'}`);
    if (busy) {
      abort();
      throw new InternalError(`${path}: close called before writeRows finished (await each call)`);
    }
    try {
      if (nextRow !== height) throw new InternalError(`${path}: close() after ${nextRow} of ${height} rows`);
      if (pos & 1) write(new Uint8Array(1)); // IFDs start on a word boundary
      const at = pos;
      const ifd = encodeIfd(at);
      if (!big && at + ifd.byteLength >= FOUR_GIB) throw new InputError(`${path}: output passes 4 GiB; write it as BigTIFF (bigtiff: true or 'auto')`);
      write(ifd);
      const ptr = new Uint8Array(big ? 8 : 4);
      const pv = new DataView(ptr.buffer);
      if (big) pv.setBigUint64(0, BigInt(at), true); else pv.setUint32(0, at, true);
      write(ptr, big ? 8 : 4);
      closeSync(fd!);
      fd = null;
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
