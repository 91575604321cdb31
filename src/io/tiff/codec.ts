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
import { deflateSync, inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder, getDecoder } from 'geotiff';

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

class SyncZlibDecoder extends BaseDecoder {
  decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = inflateSync(new Uint8Array(buffer));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  addDecoder([8, 32946], async () => SyncZlibDecoder as unknown as typeof BaseDecoder, undefined, false);
}

/** Compression codes this module decodes (none, LZW, DEFLATE, Adobe DEFLATE, PackBits, ZSTD). */
export const DECODABLE = new Set([1, 5, 8, 32946, 32773, 50000]);

export async function decodeBlocks(job: DecodeJob): Promise<DecodeResult> {
  register();
  const { params, src, offsets, lengths, blockBytes } = job;
  const decoder = await getDecoder(params.compression, params as never);
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
    parts.push(deflateSync(tile, { level }));
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
