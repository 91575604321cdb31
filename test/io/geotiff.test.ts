import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { InputError, ConfigError, InternalError } from '../../src/errors.js';
import { allocArray, type Raster, type RasterArray } from '../../src/io/grid.js';
import {
  createGeoTIFFWriter, needsBigTiff, readBands, readRaster, readRasterInfo, writeGeoTIFF,
} from '../../src/io/geotiff.js';
import { makeData, makeGrid, makeVariants, UTM50, type Variant } from './tiff.variants.js';

const PIE = join(import.meta.dirname, '../../../shared/data/pie/lu_pie_1985.tif');
const SIB = join(import.meta.dirname, '../../../shared/data/sibuyan/ef_001.tif');
const FIXTURES = join(import.meta.dirname, 'fixtures');

const dir = mkdtempSync(join(tmpdir(), 'lc-geotiff-'));
let variants: Variant[] = [];
beforeAll(async () => {
  variants = await makeVariants(dir);
});

/** Values equal bit for bit (NaN == NaN). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(a[i] === b[i])) return false;
  return true;
}

function windowOf(data: RasterArray, width: number, c0: number, r0: number, w: number, h: number): RasterArray {
  const out = allocArray(dtypeName(data), w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r * w + c] = data[(r0 + r) * width + c0 + c];
  return out;
}
function dtypeName(a: RasterArray) {
  return ({ Uint8Array: 'uint8', Uint16Array: 'uint16', Int16Array: 'int16', Uint32Array: 'uint32', Int32Array: 'int32', Float32Array: 'float32', Float64Array: 'float64' } as const)[
    a.constructor.name as 'Uint8Array'
  ];
}

describe('file variants read back identical values, grid, CRS and NoData', () => {
  it('produces the variant set', () => {
    // 7 dtypes x 6 layouts + 7 special + 4 striped geotiff.js files
    expect(variants.length).toBe(7 * 6 + 7 + 4);
  });

  it('every variant: values, dtype, bands, grid, CRS, NoData', async () => {
    for (const v of variants) {
      const info = await readRasterInfo(v.path);
      expect(info.dtype, v.name).toBe(v.dtype);
      expect(info.bands, v.name).toBe(v.data.length);
      expect(info.grid.width, v.name).toBe(v.grid.width);
      expect(info.grid.height, v.name).toBe(v.grid.height);
      expect(info.grid.transform, v.name).toEqual(v.grid.transform);
      expect(Object.is(info.grid.nodata, v.grid.nodata), `${v.name} nodata ${info.grid.nodata}`).toBe(true);
      expect(info.grid.crs?.epsg ?? null, v.name).toBe(v.grid.crs?.epsg ?? null);
      const bands = await readBands(v.path);
      expect(bands.length).toBe(v.data.length);
      bands.forEach((b, i) => {
        expect(b.dtype).toBe(v.dtype);
        expect(b.data.constructor).toBe(v.data[i].constructor);
        expect(sameValues(b.data, v.data[i]), `${v.name} band ${i}`).toBe(true);
      });
      const last = await readRaster(v.path, { band: v.data.length - 1 });
      expect(sameValues(last.data, v.data[v.data.length - 1]), `${v.name} readRaster last band`).toBe(true);
    }
  });

  it('geotiff.js itself reads the engine writer\'s files identically (its own readRasters path)', async () => {
    for (const v of variants.filter((x) => !x.name.includes('geotiffjs'))) {
      const t = await fromFile(v.path);
      try {
        const im = await t.getImage();
        const res = (await im.readRasters({ interleave: false })) as unknown as ArrayLike<number>[];
        res.forEach((r, i) => expect(sameValues(r, v.data[i]), v.name).toBe(true));
        expect(im.getGDALNoData()).toBe(v.grid.nodata === null ? null : Number.isNaN(v.grid.nodata) ? NaN : v.grid.nodata);
      } finally {
        await t.close();
      }
    }
  });

  it('layout info: tiles, compression, predictor, BigTIFF, planar', async () => {
    const info = (name: string) => readRasterInfo(variants.find((v) => v.name === name)!.path);
    expect(await info('int16-deflate-t16')).toMatchObject({ tiled: true, tileWidth: 16, tileHeight: 16, compression: 'deflate', bigtiff: false, predictor: 1 });
    expect(await info('int16-none-t32')).toMatchObject({ tileWidth: 32, compression: 'none' });
    expect(await info('int16-bigtiff')).toMatchObject({ bigtiff: true, tileWidth: 64 });
    expect(await info('float32-predictor')).toMatchObject({ predictor: 3 });
    expect(await info('uint8-predictor')).toMatchObject({ predictor: 2 });
    expect(await info('float32-3band')).toMatchObject({ bands: 3, planar: 'separate' });
    expect(await info('uint8-geotiffjs-striped')).toMatchObject({ tiled: false, compression: 'none' });
  });

  it('windows crossing tile edges equal the same cells of the whole raster, with shifted transforms', async () => {
    // 257x131 in 16x16 tiles: windows start/end inside tiles, span several, touch the right/bottom edge
    const windows = [
      { col0: 10, row0: 5, width: 40, height: 30 },
      { col0: 0, row0: 0, width: 1, height: 1 },
      { col0: 256, row0: 0, width: 1, height: 131 },
      { col0: 200, row0: 120, width: 57, height: 11 },
      { col0: 15, row0: 15, width: 2, height: 2 },
    ];
    for (const name of ['float32-deflate-t16', 'int16-predictor', 'uint32-bigtiff', 'float64-none-t32', 'uint8-deflate-t256-l1']) {
      const v = variants.find((x) => x.name === name)!;
      for (const w of windows) {
        const r = await readRaster(v.path, { window: w });
        expect(sameValues(r.data, windowOf(v.data[0], 257, w.col0, w.row0, w.width, w.height)), `${name} ${JSON.stringify(w)}`).toBe(true);
        // origin moves by col0 pixels east and row0 pixels south: 436000 + col0*30, 1383000 - row0*30
        expect(r.grid.transform).toEqual([436000 + w.col0 * 30, 30, 0, 1383000 - w.row0 * 30, 0, -30]);
        expect(r.grid.width).toBe(w.width);
      }
    }
    // multi-band window, and a window of a striped file
    const k = variants.find((x) => x.name === 'uint16-k8-probabilities')!;
    const kb = await readBands(k.path, { window: { col0: 30, row0: 31, width: 40, height: 19 } });
    kb.forEach((b, i) => expect(sameValues(b.data, windowOf(k.data[i], 70, 30, 31, 40, 19))).toBe(true));
    const s = variants.find((x) => x.name === 'float32-geotiffjs-striped')!;
    const sw = await readRaster(s.path, { window: { col0: 3, row0: 7, width: 30, height: 9 } });
    expect(sameValues(sw.data, windowOf(s.data[0], 37, 3, 7, 30, 9))).toBe(true);
  });

  it('rotated transforms go through ModelTransformation', async () => {
    const v = variants.find((x) => x.name === 'int32-rotated')!;
    expect((await readRasterInfo(v.path)).grid.transform).toEqual([1000, 10, 2, 5000, 3, -10]);
  });
});

describe('streaming writer', () => {
  it('rows in uneven chunks give the same file content as one write; memory is one tile row', async () => {
    const grid = makeGrid(100, 77, UTM50, -1);
    const data = makeData('int32', 100 * 77, 99, -1) as Int32Array;
    const p1 = join(dir, 'stream-a.tif');
    await writeGeoTIFF(p1, { grid, dtype: 'int32', data }, { tileSize: 32 });
    const p2 = join(dir, 'stream-b.tif');
    const w = createGeoTIFFWriter(p2, { grid, dtype: 'int32', tileSize: 32 });
    let r = 0;
    for (const n of [1, 7, 31, 2, 33, 3]) { // 1+7+31+2+33+3 = 77 rows
      await w.writeRows(r, [data.subarray(r * 100, (r + n) * 100)]);
      r += n;
    }
    expect(w.nextRow).toBe(77);
    await w.close();
    expect(readFileSync(p2).equals(readFileSync(p1))).toBe(true);
  });

  it('auto BigTIFF: needed when the padded uncompressed size could pass 4 GiB', () => {
    // 32768 x 32768 float32 = 2^30 cells * 4 bytes = 4 GiB (+ zlib bound): BigTIFF
    expect(needsBigTiff(32768, 32768, 1, 'float32')).toBe(true);
    // 32768 x 32768 uint8 = 1 GiB; 8 bands of it = 8 GiB
    expect(needsBigTiff(32768, 32768, 1, 'uint8')).toBe(false);
    expect(needsBigTiff(32768, 32768, 8, 'uint8')).toBe(true);
    // 30000 x 30000 float32 = 3.35 GiB padded to 118 x 118 tiles of 256 KiB = 3.40 GiB: classic
    expect(needsBigTiff(30000, 30000, 1, 'float32')).toBe(false);
  });

  it('concurrent writeRows calls are refused (each call must be awaited)', async () => {
    const sub = mkdtempSync(join(dir, 'busy-'));
    const w = createGeoTIFFWriter(join(sub, 'c.tif'), { grid: makeGrid(16, 32, null, null), dtype: 'uint8', tileSize: 16 });
    const first = w.writeRows(0, [new Uint8Array(16 * 16)]);
    await expect(w.writeRows(16, [new Uint8Array(16 * 16)])).rejects.toThrow(/c\.tif: writeRows called before the previous call finished/);
    await expect(first).rejects.toThrow(/c\.tif: writer aborted during writeRows/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('auto BigTIFF stays classic for small files; forced BigTIFF files read the same', async () => {
    const grid = makeGrid(20, 20, UTM50, null);
    const data = makeData('uint8', 400, 5, null);
    const p = join(dir, 'auto.tif');
    await writeGeoTIFF(p, { grid, dtype: 'uint8', data }, { bigtiff: 'auto' });
    expect((await readRasterInfo(p)).bigtiff).toBe(false);
    expect(readFileSync(p).subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 42, 0]));
  });

  it('abort and failures leave no file behind (temporary name, renamed on close)', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const grid = makeGrid(40, 40, UTM50, null);
    const w = createGeoTIFFWriter(join(sub, 'a.tif'), { grid, dtype: 'float32', tileSize: 16 });
    expect(readdirSync(sub).length).toBe(1); // the temporary file
    expect(readdirSync(sub)[0]).toMatch(/^\.a\.tif\..*\.tmp$/);
    await w.writeRows(0, [new Float32Array(40 * 20)]);
    w.abort();
    expect(readdirSync(sub)).toEqual([]);

    const w2 = createGeoTIFFWriter(join(sub, 'b.tif'), { grid, dtype: 'float32', tileSize: 16 });
    await expect(w2.writeRows(5, [new Float32Array(40)])).rejects.toThrow(/b\.tif: rows must be written in order: expected row 0, got 5/);
    expect(readdirSync(sub)).toEqual([]);

    const w3 = createGeoTIFFWriter(join(sub, 'c.tif'), { grid, dtype: 'float32', tileSize: 16 });
    await w3.writeRows(0, [new Float32Array(40)]);
    await expect(w3.close()).rejects.toThrow(/c\.tif: close\(\) after 1 of 40 rows/);
    expect(readdirSync(sub)).toEqual([]);

    const w4 = createGeoTIFFWriter(join(sub, 'd.tif'), { grid, dtype: 'float32', tileSize: 16 });
    await expect(w4.writeRows(0, [new Int16Array(40)])).rejects.toThrow(/d\.tif: band 0 rows are int16, the file is float32/);
    await expect(createGeoTIFFWriter(join(sub, 'e.tif'), { grid, dtype: 'float32' }).writeRows(0, [new Float32Array(41)]))
      .rejects.toThrow(/e\.tif: 41 values is not a whole number of rows of width 40/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('option checks name the file and the bad value', () => {
    const grid = makeGrid(10, 10, null, null);
    const mk = (o: object) => () => createGeoTIFFWriter(join(dir, 'x.tif'), { grid, dtype: 'uint8', ...o } as never);
    expect(mk({ tileSize: 100 })).toThrow(/x\.tif: tileSize must be a multiple of 16 in \[16, 4096\], got 100/);
    expect(mk({ compress: 'lzw' })).toThrow(/x\.tif: compress must be 'deflate' or 'none', got "lzw"/);
    expect(mk({ level: 0 })).toThrow(/x\.tif: level must be an integer in \[1, 9\], got 0/);
    expect(mk({ predictor: 3 })).toThrow(/x\.tif: predictor 3 needs a float dtype, got uint8/);
    expect(mk({ predictor: 2, compress: 'none' })).toThrow(/x\.tif: a predictor needs compress 'deflate'/);
    expect(mk({ bands: 0 })).toThrow(/x\.tif: bands must be an integer in \[1, 65535\], got 0/);
    expect(mk({ dtype: 'int8' })).toThrow(/x\.tif: unsupported dtype "int8"/);
    expect(mk({ grid: { ...grid, width: 0 } })).toThrow(ConfigError);
    expect(existsSync(join(dir, 'x.tif'))).toBe(false);
  });

  it('writeGeoTIFF rejects bands with different grids or dtypes', async () => {
    const a: Raster = { grid: makeGrid(10, 10, UTM50, null), dtype: 'uint8', data: new Uint8Array(100) };
    const b: Raster = { grid: makeGrid(10, 9, UTM50, null), dtype: 'uint8', data: new Uint8Array(90) };
    const c: Raster = { grid: makeGrid(10, 10, UTM50, null), dtype: 'int16', data: new Int16Array(100) };
    await expect(writeGeoTIFF(join(dir, 'm.tif'), [a, b])).rejects.toThrow(/m\.tif band 1: grid 10x9 @ 30 m.*does not match .*m\.tif band 0 10x10/);
    await expect(writeGeoTIFF(join(dir, 'm.tif'), [a, c])).rejects.toThrow(/m\.tif: band 1 is int16, band 0 is uint8/);
    await expect(writeGeoTIFF(join(dir, 'm.tif'), { ...a, data: new Uint8Array(99) })).rejects.toThrow(/m\.tif: band 0 has 99 values, its grid 10x10 needs 100/);
    expect(existsSync(join(dir, 'm.tif'))).toBe(false);
  });
});

describe('real data', () => {
  it('pie lu_pie_1985.tif: Byte, NoData 255, LCC CRS from GeoKeys, class counts', async () => {
    const info = await readRasterInfo(PIE);
    expect(info).toMatchObject({ dtype: 'uint8', bands: 1, tiled: false, compression: 'deflate', bigtiff: false });
    expect(info.grid.width).toBe(497);
    expect(info.grid.height).toBe(434);
    expect(info.grid.nodata).toBe(255);
    expect(info.grid.transform).toEqual([213729.92125984, 99.92125984251513, 0, 954550.31602709, 0, -99.95485327313365]);
    expect(info.grid.crs?.epsg).toBeUndefined();
    expect(info.grid.crs?.geoKeys?.[3075]).toBe(8); // ProjCoordTransGeoKey = CT_LambertConfConic_2SP
    expect(info.grid.crs?.geoKeys?.[3078]).toEqual([42.6833333333333]); // standard parallel 1
    expect(info.grid.crs?.name).toBe('Lambert Conformal Conic (2SP) (user-defined)');
    const r = await readRaster(PIE);
    const counts = new Map<number, number>();
    for (const v of r.data) counts.set(v, (counts.get(v) ?? 0) + 1);
    // 49013 + 37122 + 27428 = 113563 valid; 497*434 = 215698 cells; 215698 - 113563 = 102135 NoData
    expect(Object.fromEntries(counts)).toEqual({ 1: 49013, 2: 37122, 3: 27428, 255: 102135 });

    const out = join(dir, 'pie-rt.tif');
    await writeGeoTIFF(out, r);
    const back = await readRaster(out);
    expect(sameValues(back.data, r.data)).toBe(true);
    expect(back.grid).toEqual(r.grid); // transform, CRS GeoKeys (all 22), NoData
  });

  it('sibuyan ef_001.tif: Float32, NoData -3.4e38, no CRS', async () => {
    const info = await readRasterInfo(SIB);
    expect(info).toMatchObject({ dtype: 'float32', bands: 1 });
    expect(info.grid.crs).toBeNull();
    expect(info.grid.nodata).toBe(-3.4e38);
    expect(info.grid.transform).toEqual([436000, 250, 0, 1383000, 0, -250]);
    const r = await readRaster(SIB);
    const nd = Math.fround(-3.4e38);
    let valid = 0;
    for (const v of r.data) if (v !== nd) valid++;
    expect(valid).toBeGreaterThan(0);
    expect(valid).toBeLessThan(128 * 108);
    for (const opts of [{}, { predictor: 3 as const, tileSize: 64 }, { compress: 'none' as const, bigtiff: true }]) {
      const out = join(dir, `sib-rt-${JSON.stringify(opts).replace(/\W/g, '')}.tif`);
      await writeGeoTIFF(out, r, opts);
      const back = await readRaster(out);
      expect(sameValues(back.data, r.data)).toBe(true);
      expect(back.grid).toEqual(r.grid);
    }
  });

  it('GDAL-written fixtures (chunky multi-band, LZW, ZSTD, PackBits, predictors, strips) read as generated', async () => {
    const golden = JSON.parse(readFileSync(join(FIXTURES, 'gdal.json'), 'utf8')) as {
      files: Array<{ file: string; seed: number; dtype: string; bands: number; width: number; height: number; nodata: number | null }>;
    };
    for (const f of golden.files) {
      const p = join(FIXTURES, f.file);
      const bands = await readBands(p);
      expect(bands.length, f.file).toBe(f.bands);
      bands.forEach((b, i) => {
        expect(b.dtype, f.file).toBe(f.dtype);
        // GDAL records a float32 band's NoData rounded to float32 (-3.39999995214436425e+38)
        const nd = (x: number | null) => (x !== null && f.dtype === 'float32' ? Math.fround(x) : x);
        expect(Object.is(nd(b.grid.nodata), nd(f.nodata)), `${f.file} nodata ${b.grid.nodata}`).toBe(true);
        const expected = makeData(f.dtype as never, f.width * f.height, f.seed + 17 * i, f.nodata);
        expect(sameValues(b.data, expected), `${f.file} band ${i}`).toBe(true);
      });
      expect(bands[0].grid.crs?.epsg).toBe(32650);
      const w = await readRaster(p, { window: { col0: 3, row0: 2, width: 20, height: 15 }, band: f.bands - 1 });
      const exp = makeData(f.dtype as never, f.width * f.height, f.seed + 17 * (f.bands - 1), f.nodata);
      expect(sameValues(w.data, windowOf(exp, f.width, 3, 2, 20, 15)), f.file).toBe(true);
    }
  });
});

describe('errors', () => {
  it('missing file', async () => {
    await expect(readRasterInfo(join(dir, 'nope.tif'))).rejects.toThrow(InputError);
    await expect(readRaster(join(dir, 'nope.tif'))).rejects.toThrow(/nope\.tif: file not found$/);
  });

  it('not a TIFF', async () => {
    const p = join(dir, 'notes.tif');
    writeFileSync(p, 'class,carbon\n1,12.5\n');
    await expect(readRasterInfo(p)).rejects.toThrow(InputError);
    await expect(readRasterInfo(p)).rejects.toThrow(/notes\.tif: not a TIFF file \(no II\/MM byte-order mark\)$/);
    writeFileSync(p, Buffer.from([0x49, 0x49, 41, 0, 8, 0, 0, 0, 0, 0]));
    await expect(readRasterInfo(p)).rejects.toThrow(/notes\.tif: not a TIFF file \(version 41, expected 42 or 43\)$/);
    await expect(readRaster(dir)).rejects.toThrow(/: not a file$/);
  });

  it('truncated or damaged files are errors, not zeros', async () => {
    const p = join(dir, 'whole.tif');
    const data = new Float32Array(64 * 64).map((_, i) => i % 97);
    await writeGeoTIFF(p, { grid: makeGrid(64, 64, null, null), dtype: 'float32', data }, { tileSize: 16 });
    const b = readFileSync(p);
    const cut = join(dir, 'cut.tif');
    writeFileSync(cut, b.subarray(0, b.length >> 1)); // the directory (at the end) is gone
    await expect(readRasterInfo(cut)).rejects.toThrow(/cut\.tif: truncated or damaged TIFF \(first directory at byte \d+, file has \d+ bytes\)/);
    const bad = join(dir, 'bad.tif');
    writeFileSync(bad, Buffer.from(b).fill(0xab, 20, b.length >> 1)); // tile data overwritten
    await expect(readRaster(bad)).rejects.toThrow(/bad\.tif: cannot decode block \(0, 0\) band 0: /);
  });

  it('unsupported data type (8-bit signed) names the file and the type', async () => {
    const p = join(dir, 'int8.tif');
    await writeGeoTIFF(p, { grid: makeGrid(4, 4, null, null), dtype: 'uint8', data: new Uint8Array(16) });
    patchShortTag(p, 339, 2); // SampleFormat 1 -> 2: 8-bit signed integer
    await expect(readRasterInfo(p)).rejects.toThrow(InputError);
    await expect(readRasterInfo(p)).rejects.toThrow(
      /int8\.tif: unsupported data type 8-bit signed integer \(expected uint8, uint16, int16, uint32, int32, float32 or float64\)/,
    );
  });

  it('bad window and band', async () => {
    const v = variants.find((x) => x.name === 'uint8-deflate-t16')!;
    await expect(readRaster(v.path, { window: { col0: 250, row0: 0, width: 8, height: 1 } })).rejects.toThrow(
      /uint8-deflate-t16\.tif: window col0=250 row0=0 8x1 is not inside the raster 257x131/,
    );
    await expect(readRaster(v.path, { band: 1 })).rejects.toThrow(/uint8-deflate-t16\.tif: band 1 does not exist \(the file has 1 band\(s\), numbered from 0\)/);
  });

  it('internal misuse is an InternalError, not a user error', async () => {
    const w = createGeoTIFFWriter(join(dir, 'y.tif'), { grid: makeGrid(4, 4, null, null), dtype: 'uint8' });
    await expect(w.writeRows(1, [new Uint8Array(4)])).rejects.toThrow(InternalError);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

/** Sets a one-value SHORT tag in a classic little-endian TIFF's first IFD. */
function patchShortTag(path: string, tag: number, value: number): void {
  const b = readFileSync(path);
  const ifd = b.readUInt32LE(4);
  const n = b.readUInt16LE(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (b.readUInt16LE(e) === tag) {
      b.writeUInt16LE(value, e + 8);
      writeFileSync(path, b);
      return;
    }
  }
  throw new Error(`tag ${tag} not found`);
}
