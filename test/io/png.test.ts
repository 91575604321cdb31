import { describe, it, expect } from 'vitest';
import { inflateSync } from 'node:zlib';
import { classesToRgba, crc32, encodePng, LANDUSE_PALETTE, rampToRgba } from '../../src/io/png.js';

describe('png writer', () => {
  it('crc32 matches the PNG IEND chunk CRC', () => {
    // the IEND chunk is always 00 00 00 00 49 45 4E 44 AE 42 60 82
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('encodes signature, IHDR, filtered scanlines and IEND', () => {
    // 2 x 1 image: red, transparent
    const png = encodePng(2, 1, Uint8Array.of(255, 0, 0, 255, 0, 0, 0, 0));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect(dv.getUint32(8)).toBe(13); // IHDR length
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect(dv.getUint32(16)).toBe(2); // width
    expect(dv.getUint32(20)).toBe(1); // height
    expect(png[24]).toBe(8); // bit depth
    expect(png[25]).toBe(6); // RGBA
    const idatLen = dv.getUint32(33);
    expect(new TextDecoder().decode(png.subarray(37, 41))).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    // filter byte 0, then 8 bytes of pixels
    expect([...raw]).toEqual([0, 255, 0, 0, 255, 0, 0, 0, 0]);
    expect([...png.subarray(png.length - 12)]).toEqual([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => encodePng(2, 2, new Uint8Array(4))).toThrow('png: expected 16 RGBA bytes for 2x2, got 4');
  });

  it('palettes: NoData transparent, classes coloured, ramps clamped', () => {
    const rgba = classesToRgba(Uint8Array.of(255, 6), 255);
    expect([...rgba.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...rgba.subarray(4, 8)]).toEqual(LANDUSE_PALETTE[6]);
    const ramp = rampToRgba(Float32Array.of(-5, 10, Math.fround(-3.4e38)), -3.4e38, 0, 10, [[0, 0, 0, 255], [200, 100, 50, 255]]);
    expect([...ramp]).toEqual([0, 0, 0, 255, 200, 100, 50, 255, 0, 0, 0, 0]);
  });
});
