/**
 * Minimal PNG writer (8-bit RGBA, no interlace, filter 0 per row, zlib via node:zlib) for maps,
 * plus class palettes. PNG structure per the W3C PNG specification (3rd ed.): signature, IHDR,
 * IDAT (zlib stream of filtered scanlines), IEND; each chunk = length, type, data, CRC-32 of
 * type + data.
 */
import { deflateSync } from 'node:zlib';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309 / PNG), e.g. crc32("IEND") = 0xAE426082. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encodes an RGBA image (width * height * 4 bytes, row-major) as PNG bytes. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ConfigError(`png: expected a positive integer size, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new ConfigError(`png: expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let r = 0; r < height; r++) {
    raw[r * (stride + 1)] = 0;
    raw.set(rgba.subarray(r * stride, (r + 1) * stride), r * (stride + 1) + 1);
  }
  const idat = deflateSync(raw, { level: 6 });
  const sig = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(idat.buffer, idat.byteOffset, idat.length)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Writes an RGBA image as a PNG file (atomically). */
export function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  writeFileAtomic(path, encodePng(width, height, rgba));
}

export type Rgba = [number, number, number, number];

/** Colours of the 7 land-use classes of the sample region (index = class code). */
export const LANDUSE_PALETTE: Record<number, Rgba> = {
  1: [240, 228, 130, 255], // cropland
  2: [34, 120, 50, 255], // forest
  3: [128, 170, 90, 255], // shrub
  4: [190, 220, 140, 255], // grassland
  5: [50, 110, 210, 255], // water
  6: [210, 40, 40, 255], // built-up
  7: [185, 175, 165, 255], // unused
};

/**
 * RGBA pixels of a class raster: `palette[code]`, transparent for NoData, and `other` for codes
 * without a colour.
 */
export function classesToRgba(data: ArrayLike<number>, nodata: number | null, palette: Record<number, Rgba> = LANDUSE_PALETTE, other: Rgba = [255, 0, 255, 255]): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (nodata !== null && v === nodata) continue; // transparent
    const c = palette[v] ?? other;
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = c[3];
  }
  return out;
}

/**
 * RGBA pixels of a continuous raster on a colour ramp between lo and hi (linear stops),
 * transparent where the value is NoData or NaN.
 */
export function rampToRgba(data: ArrayLike<number>, nodata: number | null, lo: number, hi: number, stops: Rgba[] = [[68, 1, 84, 255], [59, 82, 139, 255], [33, 145, 140, 255], [94, 201, 98, 255], [253, 231, 37, 255]]): Uint8Array {
  if (!(hi > lo)) throw new ConfigError(`png ramp: expected lo < hi, got ${lo} and ${hi}`);
  const out = new Uint8Array(data.length * 4);
  const nd = nodata === null ? null : Math.fround(nodata);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v || (nd !== null && (v === nd || v === nodata))) continue;
    const t = Math.min(Math.max((v - lo) / (hi - lo), 0), 1) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let ch = 0; ch < 4; ch++) out[4 * i + ch] = Math.round(stops[k][ch] + (stops[k + 1][ch] - stops[k][ch]) * f);
  }
  return out;
}
