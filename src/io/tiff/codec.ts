/**
 * Block codecs of the GeoTIFF reader and writer, as plain functions of byte buffers so the same
 * code runs on the calling thread (serial path) and in the I/O worker pool (parallel path) and
 * gives the same bytes on both.
 *
 * Decoding: geotiff.js's decoders (LZW, PackBits, ZSTD through zstddec, none) and its predictor
 * code; DEFLATE through node:zlib's inflateSync (faster than geotiff.js's pako).
 * Encoding: TIFF predictor 2 (horizontal differencing, integer types) or 3 (floating point,
 * TIFF Technical Note 3, Adobe 2005), then node:zlib deflateSync at the given level.
 * TIFF 6.0 (Adobe 1992) section 14 (predictor 2).
 */
import { readSync } from 'node:fs';
import { constants, deflateSync, inflateSync } from 'node:zlib';

// --- decoding -----------------------------------------------------------------------------

export interface DecodeParams {
  /** TIFF Compression tag value. */
  compression: number;
  tileWidth: number;
  tileHeight: number;
  predictor: number;
  bitsPerSample: number[];
  /** PlanarConfiguration tag (1 chunky, 2 separate). */
  planarConfiguration: number;
}

/** Compressed blocks packed in one buffer: block i is src[offsets[i], offsets[i] + lengths[i]). */
export interface DecodeJob {
  params: DecodeParams;
  src: ArrayBuffer;
  offsets: number[];
  lengths: number[];
  /** Uncompressed bytes of a full block (tileWidth x tileHeight x bytes per pixel). */
  blockBytes: number;
}

/** Decoded blocks, each at i * blockBytes of `data`; `lengths[i]` bytes of it are valid. */
export interface DecodeResult {
  data: ArrayBuffer;
  lengths: number[];
  /** Set when a block could not be decoded: its position in the job and the decoder's message. */
  failed?: { block: number; message: string };
}

/** One DEFLATE block: one output chunk one byte larger than a full block, so zlib finishes in one call (exact-length view, no concatenation). */
function inflateBlock(src: Uint8Array, blockBytes: number): Buffer {
  return inflateSync(src, { chunkSize: Math.max(64, blockBytes + 1) });
}

type GeoTiffCodecs = { getDecoder: (code: number, params: unknown) => Promise<{ decode(b: ArrayBufferLike): Promise<ArrayBufferLike> }> };
let codecs: Promise<GeoTiffCodecs> | null = null;

/**
 * geotiff.js's decoders (LZW, PackBits, ZSTD, predictors), imported on first need: DEFLATE
 * without a predictor (the engine's own files) never loads the library in an I/O worker.
 */
function geotiffCodecs(): Promise<GeoTiffCodecs> {
  codecs ??= import('geotiff').then(({ addDecoder, BaseDecoder, getDecoder }) => {
    class SyncZlibDecoder extends BaseDecoder {
      decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
        const p = this.parameters as { tileWidth: number; tileHeight: number; bitsPerSample: number[]; planarConfiguration: number };
        const pixelBytes = p.planarConfiguration === 2 ? p.bitsPerSample[0] / 8 : p.bitsPerSample.reduce((x, y) => x + y, 0) / 8;
        const out = inflateBlock(new Uint8Array(buffer), p.tileWidth * p.tileHeight * pixelBytes);
        return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
      }
    }
    addDecoder([8, 32946], async () => SyncZlibDecoder as unknown as typeof BaseDecoder, undefined, false);
    return { getDecoder: getDecoder as unknown as GeoTiffCodecs['getDecoder'] };
  });
  return codecs;
}

/** Compression codes this module decodes (none, LZW, DEFLATE, Adobe DEFLATE, PackBits, ZSTD). */
export const DECODABLE = new Set([1, 5, 8, 32946, 32773, 50000]);

export async function decodeBlocks(job: DecodeJob): Promise<DecodeResult> {
  const { params, src, offsets, lengths, blockBytes } = job;
  const decoder = await (await geotiffCodecs()).getDecoder(params.compression, params);
  const data = new Uint8Array(offsets.length * blockBytes);
  const out: number[] = [];
  for (let i = 0; i < offsets.length; i++) {
    // geotiff.js decoders want an ArrayBuffer of exactly the block's bytes
    const block = src.slice(offsets[i], offsets[i] + lengths[i]);
    let dec: Uint8Array;
    try {
      dec = new Uint8Array(await decoder.decode(block));
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      return { data: new ArrayBuffer(0), lengths: [], failed: { block: i, message } };
    }
    const n = Math.min(dec.byteLength, blockBytes);
    data.set(dec.subarray(0, n), i * blockBytes);
    out.push(n);
  }
  return { data: data.buffer, lengths: out };
}

/**
 * Blocks of one band to decode straight into a window of the destination raster: the worker
 * reads the compressed bytes itself (`fd` is the caller's descriptor; descriptors are shared by
 * the threads of a process), decodes each block and copies its rows into `dst`, a
 * SharedArrayBuffer in the pool (an ArrayBuffer on the calling thread). Blocks write disjoint
 * cells, so tasks run in any order on any thread with the same result.
 */
export interface DecodeIntoJob {
  params: DecodeParams;
  fd: number;
  /** Per block: file offset and byte count (0 = sparse block: filled with `fill`), block column and row. */
  offsets: number[];
  lengths: number[];
  tx: number[];
  ty: number[];
  /** Raster size (edge blocks are clipped to it). */
  imageWidth: number;
  imageHeight: number;
  /** Window of the raster that `dst` holds, row-major, `bytesPerSample` bytes per cell. */
  col0: number;
  row0: number;
  width: number;
  height: number;
  bytesPerSample: number;
  dst: ArrayBufferLike;
  dstByteOffset: number;
  /** Value of a sparse block's cells (NoData, or 0), written with `dtype`'s byte layout. */
  fill: number;
  dtype: 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
}

export interface DecodeIntoResult {
  /** Set when a block could not be read or decoded, or decoded to fewer bytes than its rows need. */
  failed?: { block: number; message: string };
}

const FILL_CTORS = { uint8: Uint8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

/** Read buffers of this thread, reused (no allocation per task); a list because calls may overlap on the calling thread. */
const readBufs: Uint8Array[] = [];

export async function decodeInto(job: DecodeIntoJob): Promise<DecodeIntoResult> {
  const { params, lengths } = job;
  // DEFLATE or no compression without a predictor: decoded here, straight from the read buffer
  const fast = params.predictor === 1 && [1, 8, 32946].includes(params.compression) ? params.compression : 0;
  const decoder = fast ? null : await (await geotiffCodecs()).getDecoder(params.compression, params);
  const dst = new Uint8Array(job.dst, job.dstByteOffset, job.width * job.height * job.bytesPerSample);
  let total = 0;
  for (const n of lengths) total += n;
  let readBuf = readBufs.pop() ?? new Uint8Array(0);
  if (readBuf.byteLength < total) readBuf = new Uint8Array(Math.max(total, 2 * readBuf.byteLength));
  try {
    return await decodeBlocksInto(job, decoder, fast, readBuf, dst);
  } finally {
    readBufs.push(readBuf);
  }
}

async function decodeBlocksInto(
  job: DecodeIntoJob, decoder: { decode(b: ArrayBufferLike): Promise<ArrayBufferLike> } | null, fast: number, readBuf: Uint8Array, dst: Uint8Array,
): Promise<DecodeIntoResult> {
  const { params, fd, offsets, lengths, bytesPerSample: bps, col0, row0, width, height } = job;
  const tw = params.tileWidth, th = params.tileHeight;
  // contiguous blocks (the usual layout) are read with one call
  const at: number[] = [];
  let pos = 0;
  for (let i = 0; i < offsets.length; i++) {
    let j = i, end = offsets[i] + lengths[i];
    while (j + 1 < offsets.length && lengths[j + 1] > 0 && offsets[j + 1] === end && lengths[i] > 0) end += lengths[++j];
    const len = end - offsets[i];
    let done = 0;
    while (done < len) {
      const n = readSync(fd, readBuf, pos + done, len - done, offsets[i] + done);
      if (n <= 0) return { failed: { block: i, message: `truncated or damaged TIFF (read ${done} of ${len} bytes at byte ${offsets[i]})` } };
      done += n;
    }
    for (let k = i; k <= j; k++) at.push(pos + (offsets[k] - offsets[i]));
    pos += len;
    i = j;
  }
  let fillBlock: Uint8Array | null = null;
  for (let i = 0; i < offsets.length; i++) {
    let dec: Uint8Array;
    if (lengths[i] === 0) {
      // a block with no bytes (GDAL SPARSE_OK) holds NoData, or 0 without NoData, as GDAL reads it
      if (!fillBlock) {
        const f = new FILL_CTORS[job.dtype](tw * th);
        f.fill(job.fill);
        fillBlock = new Uint8Array(f.buffer);
      }
      dec = fillBlock;
    } else {
      try {
        const comp = readBuf.subarray(at[i], at[i] + lengths[i]);
        if (fast === 1) dec = comp;
        else if (fast) dec = inflateBlock(comp, tw * th * bps);
        // geotiff.js decoders want an ArrayBuffer of exactly the block's bytes
        else dec = new Uint8Array(await decoder!.decode(comp.slice().buffer));
      } catch (e) {
        return { failed: { block: i, message: (e instanceof Error ? e.message : String(e)).split('\n')[0] } };
      }
    }
    const bx = job.tx[i] * tw, by = job.ty[i] * th;
    const c0 = Math.max(col0, bx), c1 = Math.min(col0 + width, bx + tw, job.imageWidth);
    const r0 = Math.max(row0, by), r1 = Math.min(row0 + height, by + th, job.imageHeight);
    // the last row used must lie inside the decoded bytes
    if (r1 > r0 && ((r1 - 1 - by) * tw + (c1 - bx)) * bps > dec.byteLength) return { failed: { block: i, message: 'truncated' } };
    const rowBytes = (c1 - c0) * bps;
    for (let r = r0; r < r1; r++) {
      const s = ((r - by) * tw + (c0 - bx)) * bps;
      dst.set(dec.subarray(s, s + rowBytes), ((r - row0) * width + (c0 - col0)) * bps);
    }
  }
  return {};
}

// --- encoding -----------------------------------------------------------------------------

export interface EncodeJob {
  /** n tiles of tileBytes each, packed (uncompressed, row-major, padded to the tile size). */
  src: ArrayBuffer;
  tiles: number;
  tileSize: number;
  /** Bytes per sample: 1, 2, 4 or 8 (predictor 2 only with 1, 2 or 4). */
  bytes: number;
  /** 1 none, 2 horizontal (integer types), 3 floating point (float types). */
  predictor: 1 | 2 | 3;
  /** zlib level 1..9; 0 stores the tiles uncompressed (Compression 1). */
  level: number;
  /** zlib strategy Z_RLE instead of the default. */
  rle?: boolean;
}

/** Encoded tiles packed in `data`: tile i is data[offsets[i], offsets[i] + lengths[i]). */
export interface EncodeResult {
  data: ArrayBuffer;
  offsets: number[];
  lengths: number[];
}

/** Horizontal differencing per row of a tile (TIFF predictor 2), in place. */
function predictHorizontal(tile: Uint8Array, bytes: number, ts: number): void {
  const n = ts * ts;
  const a =
    bytes === 1 ? tile : bytes === 2
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

export function encodeTiles(job: EncodeJob): EncodeResult {
  const { tiles, tileSize: ts, bytes, predictor, level } = job;
  const opts = job.rle ? { level, strategy: constants.Z_RLE } : { level };
  const tileBytes = ts * ts * bytes;
  const src = new Uint8Array(job.src);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < tiles; i++) {
    const tile = src.subarray(i * tileBytes, (i + 1) * tileBytes);
    if (level === 0) {
      parts.push(tile);
      continue;
    }
    if (predictor === 2) predictHorizontal(tile, bytes, ts);
    else if (predictor === 3) predictFloat(tile, bytes, ts);
    parts.push(deflateSync(tile, opts));
  }
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const data = new Uint8Array(total);
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    offsets.push(at);
    lengths.push(p.byteLength);
    at += p.byteLength;
  }
  return { data: data.buffer, offsets, lengths };
}
