// Damaged and unsupported GeoTIFFs (issue 11 items 2, 7, 8): one error line naming the file and
// the block, exit 2, never cells read as zeros. Fixtures: test/io/fixtures/make-bad-fixtures.sh
// (GDAL 3.6; GDAL itself reports TIFFReadEncodedStrip/TIFFFillTile read errors on the truncated ones).
import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDecoder } from 'geotiff';
import { cli } from '../cli/helpers.js';
import { readRaster, readRasterInfo } from '../../src/io/geotiff.js';
import { InputError } from '../../src/errors.js';

const F = join(import.meta.dirname, 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'lc-damaged-'));

describe('truncated uncompressed GeoTIFF (item 2)', () => {
  it('info: exit 2, one line naming the file and the strip (not "code 0: N cells")', async () => {
    const f = join(F, 'truncated-strips.tif');
    const r = await cli('info', f);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    // 41 x 29 int16, 4-row strips of 41*4*2 = 328 bytes; the file was cut to 1403 bytes: strip 2 ends past it
    expect(r.err).toBe(`landcarbon info: ${f}: truncated file: strip 2 (rows 8-11) needs bytes 1084-1411 but the file ends at byte 1402; re-copy or re-export the file\n`);
  });

  it('tiled: the tile cut short is named with its rows and columns', async () => {
    const f = join(F, 'truncated-tiles.tif');
    const r = await cli('info', '--no-stats', f);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${f}: truncated file: tile (0, 1) (rows 16-28, columns 0-15) needs bytes`);
  });

  it('zonal on a truncated file: exit 2 and no output table', async () => {
    const f = join(F, 'truncated-strips.tif');
    const out = join(tmp, 'z.csv');
    const r = await cli('zonal', '--zones', f, '--classes', f, '--out', out, '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/truncated file: strip 2/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('library: readRaster throws InputError; a block shorter than its uncompressed size is named', async () => {
    await expect(readRaster(join(F, 'truncated-strips.tif'))).rejects.toThrow(InputError);
    // Patch strip 0's byte count (StripByteCounts, SHORT or LONG) to 100 in a copy: inside the file, but short.
    const raw = join(F, 'truncated-strips.tif');
    const buf = Buffer.from(readFileSync(raw));
    const ifd = buf.readUInt32LE(4);
    const n = buf.readUInt16LE(ifd);
    let patched = false;
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      if (buf.readUInt16LE(e) !== 279) continue; // StripByteCounts
      const type = buf.readUInt16LE(e + 2), count = buf.readUInt32LE(e + 4), size = type === 3 ? 2 : 4;
      const at = count * size <= 4 ? e + 8 : buf.readUInt32LE(e + 8);
      // strip 0's count becomes 100 (strip 2 still lies past the cut, but strip 0 is checked first)
      if (size === 2) buf.writeUInt16LE(100, at); else buf.writeUInt32LE(100, at);
      patched = true;
    }
    expect(patched).toBe(true);
    const p = join(tmp, 'short.tif');
    writeFileSync(p, buf);
    await expect(readRasterInfo(p)).rejects.toThrow(`${p}: damaged file: uncompressed strip 0 (rows 0-3) has 100 bytes, its 41 x 4 cells need 328`);
  });
});

describe('unsupported compression (item 7)', () => {
  const f = join(F, 'lzma.tif');
  it('reading an LZMA file: exit 2 naming the codec and the gdal_translate fix', async () => {
    const r = await cli('info', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `landcarbon info: ${f}: compression lzma (TIFF code 34925) is not supported (no decoder for it); re-save the file with: gdal_translate -co COMPRESS=DEFLATE ${f} out.tif\n`,
    );
    const z = await cli('zonal', '--zones', f, '--classes', f, '--out', join(tmp, 'l.csv'));
    expect(z.code).toBe(2);
    expect(z.err).toContain('compression lzma (TIFF code 34925) is not supported');
  });

  it('info --no-stats: exit 0 and says the file cannot be read, with the fix', async () => {
    const r = await cli('info', '--no-stats', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain('layout:      striped, 29 rows per strip, lzma, classic TIFF');
    expect(r.out).toContain(`warning:     compression lzma cannot be read by landcarbon (no decoder for it); re-save with gdal_translate -co COMPRESS=DEFLATE ${f} out.tif`);
    const j = await cli('info', '--no-stats', '--json', f);
    expect(JSON.parse(j.out)).toMatchObject({ compression: 'lzma', unsupported: 'no decoder for it' });
  });
});

describe('truncated LZW (item 8)', () => {
  it('one line only: no "ran off the end of the buffer" from geotiff.js', async () => {
    const f = join(F, 'truncated-lzw.tif');
    const warn = vi.spyOn(console, 'warn');
    const r = await cli('info', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`landcarbon info: ${f}: truncated file: strip 1 (rows 8-15) needs bytes 1188-1958 but the file ends at byte 1914; re-copy or re-export the file\n`);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('an LZW stream that ends early inside the file is an error, not console output', async () => {
    await readRasterInfo(join(F, 'int16-lzw-pred2-strips.tif')); // registers the quiet decoder
    const dec = await getDecoder(5, { tileWidth: 41, tileHeight: 7, planarConfiguration: 1, bitsPerSample: [16], predictor: 1 } as never);
    // the first 40 bytes of a valid LZW strip: no end-of-information code
    const buf = readFileSync(join(F, 'truncated-lzw.tif'));
    const warn = vi.spyOn(console, 'warn');
    const start = 1188; // strip 1 starts at byte 1188 (the open-time check above names its bytes 1188-1958)
    await expect(dec.decode(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + 40))).rejects.toThrow(/LZW data ends early/);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
