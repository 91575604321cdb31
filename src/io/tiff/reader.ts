/**
 * GeoTIFF reading on top of geotiff.js: geotiff.js parses the IFDs and decodes blocks; the
 * engine copies whole block rows with typed-array `set` (geotiff.js's own per-pixel DataView
 * copy is the slow part of `readRasters`). DEFLATE is decoded by node:zlib on libuv's thread
 * pool, so the blocks of one window inflate in parallel. Big-endian files and unusual layouts
 * fall back to geotiff.js's `readRasters`.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { inflate } from 'node:zlib';
import { fromFile, addDecoder, BaseDecoder, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { ConfigError, InputError, InternalError } from '../../errors.js';
import { allocArray, DTYPE_BYTES, type DType, type Grid, type Raster, type RasterArray } from '../grid.js';
import type { DecodeParams } from './codec.js';
import { decodeInPool, decodeIntoInPool, ioQueueDepth, ioThreads, orderedPipeline } from './pool.js';
import { crsFromGeoKeys, GT_RASTER_TYPE, parseGeoKeys } from './geokeys.js';
import { checkAllBlocks, checkBlock, checkOne, unsupportedCompression, unsupportedMessage, type BlockLayout } from './blocks.js';
import { registerQuietLzw } from './quiet-lzw.js';
import { noteRead } from '../session.js';

export interface RasterInfo {
  path: string;
  grid: Grid;
  dtype: DType;
  bands: number;
  tiled: boolean;
  /** Block size: tile size for tiled files; (width, rows per strip) for striped files. */
  tileWidth: number;
  tileHeight: number;
  /** TIFF compression name: none, deflate, lzw, packbits, jpeg, zstd, lerc, webp or `code N`. */
  compression: string;
  /** TIFF Predictor tag (1 none, 2 horizontal, 3 floating point). */
  predictor: number;
  /** 'separate' (one plane per band) or 'chunky' (bands interleaved per pixel). */
  planar: 'chunky' | 'separate';
  bigtiff: boolean;
  littleEndian: boolean;
  /** Why blocks of this compression cannot be decoded here (reading is an error), or null. */
  unsupported: string | null;
}

export interface Window {
  col0: number;
  row0: number;
  width: number;
  height: number;
}

export interface ReadOptions {
  /** Pixel window; defaults to the whole raster. */
  window?: Window;
  /** 0-based band index (default 0). */
  band?: number;
  /**
   * Destination of the cells (length window width x height, the file's dtype), e.g. a view on
   * the engine's WebAssembly memory: decoded rows are written there, and it is returned as
   * the raster's data. Default: a new array (on a SharedArrayBuffer when the I/O pool runs).
   */
  into?: RasterArray;
}

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none', 2: 'ccitt-rle', 3: 'ccitt-fax3', 4: 'ccitt-fax4', 5: 'lzw', 6: 'old-jpeg', 7: 'jpeg', 8: 'deflate',
  32773: 'packbits', 32946: 'deflate', 34676: 'sgilog', 34887: 'lerc', 34925: 'lzma', 50000: 'zstd', 50001: 'webp', 50002: 'jxl',
};

// --- DEFLATE through node:zlib ------------------------------------------------------------

function inflateAsync(buf: Uint8Array, chunkSize: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    inflate(buf, { chunkSize: Math.max(64, chunkSize) }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** Aligned, exactly-sized ArrayBuffer holding the bytes of `b`. */
function ownBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

class ZlibDecoder extends BaseDecoder {
  async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBuffer> {
    const p = this.parameters as { tileWidth: number; tileHeight: number; bitsPerSample: number | ArrayLike<number>; planarConfiguration: number };
    const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
    const pixelBytes = p.planarConfiguration === 2 ? bits[0] / 8 : bits.reduce((a, b) => a + b, 0) / 8;
    const expected = p.tileWidth * p.tileHeight * pixelBytes;
    return ownBuffer(await inflateAsync(new Uint8Array(buffer), expected || 16384));
  }
}

let registered = false;
/** Registers the node:zlib DEFLATE decoder (codes 8 and 32946) with geotiff.js, once. */
export function registerZlibDecoder(): void {
  if (registered) return;
  registered = true;
  addDecoder([8, 32946], async () => ZlibDecoder as unknown as typeof BaseDecoder, undefined, false);
}

// --- opening --------------------------------------------------------------------------------

interface Opened {
  tiff: GeoTIFF;
  image: GeoTIFFImage;
  info: RasterInfo;
  layout: BlockLayout;
}

/**
 * Opens `path`, checks that every block lies inside the file (src/io/tiff/blocks.ts) and, when
 * `decode` (default), that its compression can be decoded; runs `fn`; always closes the file.
 */
async function withTiff<T>(path: string, fn: (o: Opened) => Promise<T>, decode = true): Promise<T> {
  const o = await openTiff(path, decode);
  try {
    return await fn(o);
  } finally {
    await o.tiff.close();
  }
}

/** Opens `path` and runs the checks of withTiff; the caller closes `tiff`. */
async function openTiff(path: string, decode: boolean): Promise<Opened> {
  registerZlibDecoder();
  await registerQuietLzw();
  noteRead(path);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${path}: file not found`);
  }
  if (!st.isFile()) throw new InputError(`${path}: not a file`);
  checkHeader(path, st.size);
  let tiff: GeoTIFF;
  try {
    tiff = await fromFile(path);
  } catch (e) {
    throw new InputError(`${path}: not a TIFF file (${oneLine(e)})`);
  }
  try {
    let image: GeoTIFFImage;
    try {
      image = await tiff.getImage(0);
    } catch (e) {
      throw new InputError(`${path}: unreadable TIFF directory (${oneLine(e)})`);
    }
    const info = await infoOf(path, tiff, image);
    const compressionCode = Number((await image.getFileDirectory().loadValue('Compression')) ?? 1);
    const layout: BlockLayout = { path, fileSize: st.size, compressionCode, compression: info.compression };
    if (decode && info.unsupported) throw new InputError(unsupportedMessage(path, info.compression, compressionCode, info.unsupported));
    await checkAllBlocks(layout, image, st.mtimeMs);
    return { tiff, image, info, layout };
  } catch (e) {
    await tiff.close();
    throw e;
  }
}

/** TIFF/BigTIFF signature and first-IFD offset inside the file (a truncated file is named as such). */
function checkHeader(path: string, size: number): void {
  const h = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, h, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  const order = h.toString('latin1', 0, 2);
  const le = order === 'II';
  if (n < 8 || (order !== 'II' && order !== 'MM')) throw new InputError(`${path}: not a TIFF file (no II/MM byte-order mark)`);
  const magic = le ? h.readUInt16LE(2) : h.readUInt16BE(2);
  let ifd: number;
  if (magic === 42) ifd = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
  else if (magic === 43 && n >= 16) ifd = Number(le ? h.readBigUInt64LE(8) : h.readBigUInt64BE(8));
  else throw new InputError(`${path}: not a TIFF file (version ${magic}, expected 42 or 43)`);
  if (ifd < 8 || ifd + 2 > size) {
    throw new InputError(`${path}: truncated or damaged TIFF (first directory at byte ${ifd}, file has ${size} bytes)`);
  }
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function dtypeFrom(path: string, format: number, bits: number): DType {
  if (format === 1 && bits === 8) return 'uint8';
  if (format === 1 && bits === 16) return 'uint16';
  if (format === 2 && bits === 16) return 'int16';
  if (format === 1 && bits === 32) return 'uint32';
  if (format === 2 && bits === 32) return 'int32';
  if (format === 3 && bits === 32) return 'float32';
  if (format === 3 && bits === 64) return 'float64';
  const kind = format === 1 ? 'unsigned integer' : format === 2 ? 'signed integer' : format === 3 ? 'float' : `sample format ${format}`;
  throw new InputError(
    `${path}: unsupported data type ${bits}-bit ${kind} (expected uint8, uint16, int16, uint32, int32, float32 or float64)`,
  );
}

function parseNoData(s: unknown): number | null {
  if (s === undefined || s === null) return null;
  const t = String(s).replace(/\0/g, '').trim().toLowerCase();
  if (t === '') return null;
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  const v = Number(t);
  return Number.isNaN(v) ? null : v;
}

async function infoOf(path: string, tiff: GeoTIFF, image: GeoTIFFImage): Promise<RasterInfo> {
  const fd = image.getFileDirectory();
  const bands = image.getSamplesPerPixel();
  const formats: number[] = [];
  const bitsAll: number[] = [];
  for (let i = 0; i < bands; i++) {
    formats.push(fd.hasTag('SampleFormat') ? image.getSampleFormat(i) : 1);
    bitsAll.push(image.getBitsPerSample(i));
  }
  const dtype = dtypeFrom(path, formats[0], bitsAll[0]);
  for (let i = 1; i < bands; i++) {
    if (dtypeFrom(path, formats[i], bitsAll[i]) !== dtype) {
      throw new InputError(`${path}: bands have different data types (band 0 ${dtype}, band ${i} ${dtypeFrom(path, formats[i], bitsAll[i])})`);
    }
  }
  const width = image.getWidth();
  const height = image.getHeight();
  const geoKeys = parseGeoKeys(
    await fd.loadValue('GeoKeyDirectory'),
    await fd.loadValue('GeoDoubleParams'),
    await fd.loadValue('GeoAsciiParams'),
  );
  const transform = await transformOf(fd, geoKeys);
  const compressionCode = Number((await fd.loadValue('Compression')) ?? 1);
  const grid: Grid = {
    width,
    height,
    transform,
    crs: geoKeys && Object.keys(geoKeys).length > 0 ? crsFromGeoKeys(geoKeys) : null,
    nodata: parseNoData(await fd.loadValue('GDAL_NODATA')),
  };
  return {
    path,
    grid,
    dtype,
    bands,
    tiled: image.isTiled,
    tileWidth: image.getTileWidth(),
    tileHeight: image.isTiled ? image.getTileHeight() : Math.min(image.getTileHeight(), height),
    compression: COMPRESSION_NAMES[compressionCode] ?? `code ${compressionCode}`,
    predictor: Number((await fd.loadValue('Predictor')) ?? 1),
    planar: bands > 1 && image.planarConfiguration === 2 ? 'separate' : 'chunky',
    bigtiff: Boolean((tiff as unknown as { bigTiff?: boolean }).bigTiff),
    littleEndian: image.littleEndian,
    unsupported: await unsupportedCompression(compressionCode),
  };
}

type Fd = ReturnType<GeoTIFFImage['getFileDirectory']>;

async function transformOf(fd: Fd, keys: Record<number, unknown> | null): Promise<Grid['transform']> {
  const mt = (await fd.loadValue('ModelTransformation')) as ArrayLike<number> | undefined;
  let t: Grid['transform'];
  if (mt && mt.length >= 16) {
    // x = a*col + b*row + d ; y = e*col + f*row + h
    t = [mt[3], mt[0], mt[1], mt[7], mt[4], mt[5]];
  } else {
    const scale = (await fd.loadValue('ModelPixelScale')) as ArrayLike<number> | undefined;
    const tie = (await fd.loadValue('ModelTiepoint')) as ArrayLike<number> | undefined;
    if (!scale || !tie || tie.length < 6) return [0, 1, 0, 0, 0, 1];
    const [i, j, , x, y] = Array.from(tie);
    const sx = scale[0], sy = scale[1];
    t = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (keys && keys[GT_RASTER_TYPE] === 2) {
    // PixelIsPoint: the tie point is the pixel centre; shift to the corner as GDAL does.
    t[0] -= 0.5 * t[1] + 0.5 * t[2];
    t[3] -= 0.5 * t[4] + 0.5 * t[5];
  }
  return t;
}

// --- public API -----------------------------------------------------------------------------

/**
 * Refuses a multi-band file where one band is expected (reading band 1 of it would be silently
 * wrong): InputError naming the file and its band count.
 */
export function requireSingleBand(info: RasterInfo): RasterInfo {
  if (info.bands > 1) {
    throw new InputError(`${info.path}: ${info.bands} bands, expected a single-band raster (extract the band you mean: gdal_translate -b N ${info.path} band.tif)`);
  }
  return info;
}

/** Grid, data type, band count and layout of a GeoTIFF (first image). */
export async function readRasterInfo(path: string): Promise<RasterInfo> {
  return withTiff(path, async ({ info }) => info, false);
}

function checkWindow(path: string, info: RasterInfo, w: Window | undefined): Window {
  const { width, height } = info.grid;
  if (!w) return { col0: 0, row0: 0, width, height };
  const ok =
    [w.col0, w.row0, w.width, w.height].every((v) => Number.isInteger(v)) &&
    w.col0 >= 0 && w.row0 >= 0 && w.width >= 1 && w.height >= 1 &&
    w.col0 + w.width <= width && w.row0 + w.height <= height;
  if (!ok) {
    throw new ConfigError(
      `${path}: window col0=${w.col0} row0=${w.row0} ${w.width}x${w.height} is not inside the raster ${width}x${height}`,
    );
  }
  return { col0: w.col0, row0: w.row0, width: w.width, height: w.height };
}

function windowGrid(grid: Grid, w: Window): Grid {
  const t = grid.transform;
  return {
    ...grid,
    width: w.width,
    height: w.height,
    transform: [t[0] + w.col0 * t[1] + w.row0 * t[2], t[1], t[2], t[3] + w.col0 * t[4] + w.row0 * t[5], t[4], t[5]],
  };
}

/**
 * One band of a window (default: whole raster), in the file's dtype. Without `band` the file
 * must have exactly one band (an InputError names the band count otherwise); `band` is 0-based.
 */
export async function readRaster(path: string, opts: ReadOptions = {}): Promise<Raster> {
  return withTiff(path, (o) => readOpened(o, opts));
}

async function readOpened({ image, info, layout }: Opened, opts: ReadOptions): Promise<Raster> {
  const path = info.path;
  if (opts.band === undefined) requireSingleBand(info);
  const band = opts.band ?? 0;
  if (!Number.isInteger(band) || band < 0 || band >= info.bands) {
    throw new ConfigError(`${path}: band ${band} does not exist (the file has ${info.bands} band(s), numbered from 0)`);
  }
  const w = checkWindow(path, info, opts.window);
  if (opts.into) checkInto(path, info, w, opts.into);
  const [data] = await readWindow(image, info, w, [band], layout, opts.into ? [opts.into] : undefined);
  return { grid: windowGrid(info.grid, w), dtype: info.dtype, data };
}

/** A GeoTIFF kept open for reading many windows (block by block) without parsing it again. */
export interface RasterReader {
  readonly info: RasterInfo;
  /** As readRaster(path, opts). */
  read(opts?: ReadOptions): Promise<Raster>;
  close(): Promise<void>;
}

/**
 * Opens a GeoTIFF once for many window reads (same checks as readRaster). The caller closes it.
 *   const r = await openRaster('value.tif');
 *   try { for (...) await r.read({ window, into }); } finally { await r.close(); }
 */
export async function openRaster(path: string): Promise<RasterReader> {
  const o = await openTiff(path, true);
  let closed = false;
  return {
    info: o.info,
    read: (opts = {}) => {
      if (closed) throw new InternalError(`${path}: read after close`);
      return readOpened(o, opts);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await o.tiff.close();
    },
  };
}

/** Every band of a window (default: whole raster), e.g. K-band probability rasters. */
export async function readBands(path: string, opts: { window?: Window } = {}): Promise<Raster[]> {
  return withTiff(path, async ({ image, info, layout }) => {
    const w = checkWindow(path, info, opts.window);
    const bands = Array.from({ length: info.bands }, (_, i) => i);
    const arrays = await readWindow(image, info, w, bands, layout);
    const grid = windowGrid(info.grid, w);
    return arrays.map((data) => ({ grid: { ...grid }, dtype: info.dtype, data }));
  });
}

function checkInto(path: string, info: RasterInfo, w: Window, into: RasterArray): void {
  const C = allocArray(info.dtype, 0).constructor;
  if (into.constructor !== C || into.length !== w.width * w.height) {
    throw new InternalError(`${path}: read destination is ${into.constructor.name}(${into.length}), expected ${C.name}(${w.width * w.height}) for the ${info.dtype} window ${w.width}x${w.height}`);
  }
}

/** A zero-filled array of `dtype` on a SharedArrayBuffer, so I/O workers can write into it (a reusable read destination). */
export function allocShared(dtype: DType, n: number): RasterArray {
  const C = allocArray(dtype, 0).constructor as unknown as new (b: SharedArrayBuffer) => RasterArray;
  return new C(new SharedArrayBuffer(n * DTYPE_BYTES[dtype]));
}

const FAST_COMPRESSIONS = new Set(['none', 'deflate', 'lzw', 'packbits', 'zstd']);
/** Decoded bytes per I/O task (several blocks per task keep the message overhead small). */
const TASK_BYTES = 1 << 20;
/** Decoded bytes per task on the direct path (nothing is sent back, so tasks can be larger). */
const DIRECT_TASK_BYTES = 1 << 22;
const MAX_BLOCKS_PER_TASK = 256;

interface BlockJob {
  tx: number;
  ty: number;
  sample: number;
  /** Output bands this block fills (one for separate planes, all requested for chunky). */
  slots: number[];
  /** Index into the TileOffsets / StripOffsets table. */
  index: number;
}

/**
 * Reads a window block by block: the calling thread reads the compressed bytes of a few blocks
 * at a time, the I/O pool decodes them on every core (bounded number of tasks in flight), and
 * decoded rows are copied into the output with typed-array `set`.
 */
async function readWindow(image: GeoTIFFImage, info: RasterInfo, w: Window, bands: number[], layout: BlockLayout, into?: RasterArray[]): Promise<RasterArray[]> {
  const n = w.width * w.height;
  const fast = info.littleEndian && FAST_COMPRESSIONS.has(info.compression);
  const direct = fast && (info.bands === 1 || image.planarConfiguration === 2);
  const out = into ?? bands.map(() => (direct && ioThreads() > 0 ? allocShared(info.dtype, n) : allocArray(info.dtype, n)));
  if (!fast) {
    await checkWindowBlocks(image, w, bands, layout);
    const res = (await image.readRasters({
      window: [w.col0, w.row0, w.col0 + w.width, w.row0 + w.height],
      samples: bands,
      interleave: false,
    })) as unknown as ArrayLike<number>[];
    bands.forEach((_, i) => (out[i] as unknown as { set(a: ArrayLike<number>): void }).set(res[i]));
    return out;
  }
  const fdir = image.getFileDirectory();
  const compression = Number((await fdir.loadValue('Compression')) ?? 1);
  const tw = image.getTileWidth();
  const th = image.getTileHeight();
  const bitsRaw = await fdir.loadValue('BitsPerSample');
  const bitsPerSample = typeof bitsRaw === 'number' ? [bitsRaw] : Array.from(bitsRaw as ArrayLike<number>);
  const offsetsTag = (await fdir.loadValue(image.isTiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number | bigint>;
  const countsTag = (await fdir.loadValue(image.isTiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number | bigint>;
  const separate = info.bands === 1 || image.planarConfiguration === 2;
  const spp = info.bands;
  const pixelBytes = separate ? bitsPerSample[0] / 8 : bitsPerSample.reduce((a, b) => a + b, 0) / 8;
  const blockBytes = tw * th * pixelBytes;
  const across = Math.ceil(info.grid.width / tw);
  const perPlane = across * Math.ceil(info.grid.height / th);
  const params: DecodeParams = {
    compression, tileWidth: tw, tileHeight: th, predictor: info.predictor, bitsPerSample,
    planarConfiguration: separate ? 2 : 1,
  };
  if (!separate) params.planarConfiguration = image.planarConfiguration;

  const tx0 = Math.floor(w.col0 / tw), tx1 = Math.floor((w.col0 + w.width - 1) / tw);
  const ty0 = Math.floor(w.row0 / th), ty1 = Math.floor((w.row0 + w.height - 1) / th);
  const jobs: BlockJob[] = [];
  for (const [sample, slots] of separate ? bands.map((b, slot) => [b, [slot]] as const) : [[0, bands.map((_, i) => i)] as const]) {
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        jobs.push({ tx, ty, sample, slots: [...slots], index: (separate && info.bands > 1 ? sample * perPlane : 0) + ty * across + tx });
      }
    }
  }
  const perTask = Math.max(1, Math.min(MAX_BLOCKS_PER_TASK, Math.floor((direct ? DIRECT_TASK_BYTES : TASK_BYTES) / blockBytes)));
  const tasks: BlockJob[][] = [];
  for (let i = 0; i < jobs.length; ) {
    // a task stays within one band (one destination)
    let j = i + 1;
    while (j < jobs.length && j < i + perTask && jobs[j].slots[0] === jobs[i].slots[0]) j++;
    tasks.push(jobs.slice(i, j));
    i = j;
  }
  if (direct) {
    await readDirect(image, info, w, layout, params, offsetsTag, countsTag, tasks, out);
    return out;
  }

  const Ctor = out[0].constructor as { new (b: ArrayBufferLike, o: number, l: number): RasterArray; BYTES_PER_ELEMENT: number };
  const place = (job: BlockJob, buf: ArrayBufferLike, byteOffset: number, byteLength: number): void => {
    const bx = job.tx * tw, by = job.ty * th;
    const c0 = Math.max(w.col0, bx), c1 = Math.min(w.col0 + w.width, bx + tw, info.grid.width);
    const r0 = Math.max(w.row0, by), r1 = Math.min(w.row0 + w.height, by + th, info.grid.height);
    const perPixel = separate ? 1 : spp;
    const avail = Math.floor(byteLength / Ctor.BYTES_PER_ELEMENT);
    const src = new Ctor(buf, byteOffset, avail);
    for (let r = r0; r < r1; r++) {
      const srcRow = (r - by) * tw * perPixel;
      const dstRow = (r - w.row0) * w.width - w.col0;
      if (separate) {
        const a = srcRow + (c0 - bx), b = srcRow + (c1 - bx);
        if (b > avail) throw new InputError(`${info.path}: block (${job.tx}, ${job.ty}) is truncated`);
        (out[job.slots[0]] as Uint8Array).set((src as Uint8Array).subarray(a, b), dstRow + c0);
      } else {
        if (srcRow + (c1 - bx) * spp > avail) throw new InputError(`${info.path}: block (${job.tx}, ${job.ty}) is truncated`);
        for (const slot of job.slots) {
          const o = out[slot];
          const s = bands[slot];
          for (let c = c0; c < c1; c++) o[dstRow + c] = src[srcRow + (c - bx) * spp + s];
        }
      }
    }
  };
  // a block with no bytes (GDAL SPARSE_OK) holds NoData, or 0 without NoData, as GDAL reads it
  const fillValue = info.grid.nodata ?? 0;
  const sparse = (job: BlockJob): void => {
    const buf = allocArray(info.dtype, blockBytes / DTYPE_BYTES[info.dtype]);
    buf.fill(fillValue as never);
    place(job, buf.buffer, 0, blockBytes);
  };

  const fd = openSync(info.path, 'r');
  const size = fstatSync(fd).size;
  try {
    await orderedPipeline(
      tasks,
      ioQueueDepth(),
      (task) => {
        const offs: number[] = [], lens: number[] = [];
        let total = 0;
        for (const job of task) {
          const off = Number(offsetsTag[job.index] ?? 0), len = Number(countsTag[job.index] ?? 0);
          // past the end of the file, or an uncompressed block shorter than its cells (src/io/tiff/blocks.ts)
          checkOne({ ...layout, fileSize: size }, image, job.index, off, len);
          offs.push(off);
          lens.push(len);
          total += len;
        }
        const src = new Uint8Array(total);
        const packed: number[] = [];
        let at = 0;
        for (let i = 0; i < task.length; i++) {
          packed.push(at);
          // contiguous blocks (the usual layout) are read with one call
          let j = i, end = offs[i] + lens[i];
          while (j + 1 < task.length && lens[j + 1] > 0 && offs[j + 1] === end && lens[i] > 0) {
            j++;
            end += lens[j];
          }
          if (lens[i] > 0) readFully(info.path, fd, src, at, end - offs[i], offs[i]);
          for (let k = i + 1; k <= j; k++) packed.push(at + (offs[k] - offs[i]));
          at += end - offs[i];
          i = j;
        }
        const live = task.map((_, i) => i).filter((i) => lens[i] > 0);
        if (live.length === 0) return Promise.resolve(null);
        return decodeInPool({
          params, src: src.buffer, blockBytes,
          offsets: live.map((i) => packed[i]), lengths: live.map((i) => lens[i]),
        }).then((res) => {
          if (res.failed) {
            const j = task[live[res.failed.block]];
            throw new InputError(`${info.path}: cannot decode block (${j.tx}, ${j.ty}) band ${j.sample}: ${res.failed.message}`);
          }
          return res;
        });
      },
      (res, task) => {
        let k = 0;
        for (let i = 0; i < task.length; i++) {
          const len = Number(countsTag[task[i].index] ?? 0);
          if (len === 0 || !res) {
            sparse(task[i]);
            continue;
          }
          place(task[i], res.data, k * blockBytes, res.lengths[k]);
          k++;
        }
      },
    );
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * The separate-planes path: tasks of whole blocks go to the I/O pool, each worker reads its
 * blocks' bytes, decodes them and writes their rows into the destination (shared memory);
 * the calling thread only checks block extents and dispatches. Without workers (or with a
 * destination that is not shared) the same code runs here.
 */
async function readDirect(
  image: GeoTIFFImage, info: RasterInfo, w: Window, layout: BlockLayout, params: DecodeParams,
  offsetsTag: ArrayLike<number | bigint>, countsTag: ArrayLike<number | bigint>, tasks: BlockJob[][], out: RasterArray[],
): Promise<void> {
  const fd = openSync(info.path, 'r');
  const size = fstatSync(fd).size;
  const fill = info.grid.nodata ?? 0;
  try {
    await orderedPipeline(
      tasks,
      ioQueueDepth(),
      (task) => {
        const offsets: number[] = [], lengths: number[] = [];
        for (const job of task) {
          const off = Number(offsetsTag[job.index] ?? 0), len = Number(countsTag[job.index] ?? 0);
          // past the end of the file, or an uncompressed block shorter than its cells (src/io/tiff/blocks.ts)
          checkOne({ ...layout, fileSize: size }, image, job.index, off, len);
          offsets.push(off);
          lengths.push(len);
        }
        const dst = out[task[0].slots[0]];
        return decodeIntoInPool({
          params, fd, offsets, lengths, tx: task.map((j) => j.tx), ty: task.map((j) => j.ty),
          imageWidth: info.grid.width, imageHeight: info.grid.height,
          col0: w.col0, row0: w.row0, width: w.width, height: w.height, bytesPerSample: DTYPE_BYTES[info.dtype],
          dst: dst.buffer, dstByteOffset: dst.byteOffset, fill, dtype: info.dtype,
        }).then((res) => {
          if (res.failed) {
            const j = task[res.failed.block];
            if (res.failed.message === 'truncated') throw new InputError(`${info.path}: block (${j.tx}, ${j.ty}) is truncated`);
            throw new InputError(`${info.path}: cannot decode block (${j.tx}, ${j.ty}) band ${j.sample}: ${res.failed.message}`);
          }
        });
      },
      () => {},
    );
  } finally {
    closeSync(fd);
  }
}

/** Per-block extent check for the blocks of a window (the geotiff.js readRasters path). */
async function checkWindowBlocks(image: GeoTIFFImage, w: Window, bands: number[], layout: BlockLayout): Promise<void> {
  const tw = image.getTileWidth(), th = image.getTileHeight();
  const samples = image.planarConfiguration === 2 ? bands : [0];
  for (let ty = Math.floor(w.row0 / th); ty <= Math.floor((w.row0 + w.height - 1) / th); ty++) {
    for (let tx = Math.floor(w.col0 / tw); tx <= Math.floor((w.col0 + w.width - 1) / tw); tx++) {
      for (const s of samples) await checkBlock(layout, image, tx, ty, s);
    }
  }
}

function readFully(path: string, fd: number, buf: Uint8Array, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, at + done, length - done, position + done);
    if (n <= 0) throw new InputError(`${path}: truncated or damaged TIFF (read ${done} of ${length} bytes at byte ${position})`);
    done += n;
  }
}
