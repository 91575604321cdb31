import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRaster, readBands, readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import { InternalError } from '../../src/errors.js';
import { fromFile } from 'geotiff';
import { ioThreads, orderedPipeline, setIoThreads } from '../../src/io/tiff/pool.js';
import type { DType } from '../../src/io/grid.js';
import { makeData, makeGrid, UTM50 } from './tiff.variants.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-parallel-'));
const FIXTURES = join(import.meta.dirname, 'fixtures');
afterAll(() => setIoThreads(null));

async function withThreads<T>(n: number, fn: () => Promise<T>): Promise<T> {
  await setIoThreads(n);
  try {
    return await fn();
  } finally {
    await setIoThreads(null);
  }
}

describe('I/O on every core gives the serial path\'s bytes', () => {
  const cases: Array<{ dtype: DType; predictor: 1 | 2 | 3; bands: number; nodata: number | null }> = [
    { dtype: 'uint16', predictor: 2, bands: 3, nodata: 65535 },
    { dtype: 'float32', predictor: 3, bands: 2, nodata: -3.4e38 },
    { dtype: 'uint8', predictor: 1, bands: 1, nodata: 255 },
  ];
  for (const c of cases) {
    it(`${c.dtype}, predictor ${c.predictor}, ${c.bands} band(s): written files identical for 0 / 1 / 3 I/O threads, read back identically`, async () => {
      // 301 x 197 with 32-pixel tiles: 10 x 7 tiles per band, ragged right and bottom edges
      const grid = makeGrid(301, 197, UTM50, c.nodata);
      const bands = Array.from({ length: c.bands }, (_, b) => ({ grid, dtype: c.dtype, data: makeData(c.dtype, 301 * 197, 40 + b, c.nodata) }));
      const files: Buffer[] = [];
      for (const n of [0, 1, 3]) {
        const p = join(dir, `${c.dtype}-${n}.tif`);
        await withThreads(n, () => writeGeoTIFF(p, bands, { tileSize: 32, predictor: c.predictor }));
        files.push(readFileSync(p));
      }
      expect(files[1].equals(files[0])).toBe(true);
      expect(files[2].equals(files[0])).toBe(true);
      for (const n of [0, 2]) {
        const back = await withThreads(n, () => readBands(join(dir, `${c.dtype}-0.tif`)));
        back.forEach((b, i) => expect(Buffer.from(b.data.buffer).equals(Buffer.from(bands[i].data.buffer)), `threads ${n} band ${i}`).toBe(true));
      }
    });
  }

  it('GDAL-written fixtures (LZW, ZSTD, PackBits, DEFLATE, strips, chunky) decode identically on 0 and 2 I/O threads', async () => {
    // lzma.tif and truncated-*.tif are the damaged-file fixtures (test/io/damaged.test.ts): refused on any thread count
    const tifs = readdirSync(FIXTURES).filter((f) => f.endsWith('.tif') && !/^(lzma|truncated-)/.test(f));
    expect(tifs.length).toBeGreaterThanOrEqual(8);
    for (const f of tifs) {
      const a = await withThreads(0, () => readBands(join(FIXTURES, f)));
      const b = await withThreads(2, () => readBands(join(FIXTURES, f)));
      a.forEach((x, i) => expect(Buffer.from(x.data.buffer).equals(Buffer.from(b[i].data.buffer)), `${f} band ${i}`).toBe(true));
    }
  });
});

  it("strategy 'rle' (UInt16 probabilities): same file on 0 and 3 I/O threads, values read back by the engine and by geotiff.js's own decoder; a bad strategy is refused", async () => {
    const grid = makeGrid(301, 197, UTM50, 65535);
    const data = makeData('uint16', 301 * 197, 9, 65535);
    const files: Buffer[] = [];
    for (const n of [0, 3]) {
      const p = join(dir, `rle-${n}.tif`);
      await withThreads(n, () => writeGeoTIFF(p, { grid, dtype: 'uint16', data }, { tileSize: 32, predictor: 2, strategy: 'rle' }));
      files.push(readFileSync(p));
    }
    expect(files[1].equals(files[0])).toBe(true);
    const back = await readRaster(join(dir, 'rle-0.tif'));
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    const img = await (await fromFile(join(dir, 'rle-0.tif'))).getImage();
    const [own] = (await img.readRasters()) as unknown as Uint16Array[];
    expect(Buffer.from(own.buffer, own.byteOffset, own.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    await expect(writeGeoTIFF(join(dir, 'rle-bad.tif'), { grid, dtype: 'uint16', data }, { strategy: 'fast' as never })).rejects.toThrow(/strategy must be 'default' or 'rle', got "fast"/);
  });

  it('openRaster reads windows straight into a view on a shared WebAssembly memory (0 and 2 I/O threads), equal to readRaster; a wrong destination is refused', async () => {
    // 301 x 197 float32 with 32-pixel tiles; windows cut tiles on every side
    const grid = makeGrid(301, 197, UTM50, -9999);
    const data = makeData('float32', 301 * 197, 7, -9999);
    const p = join(dir, 'into.tif');
    await writeGeoTIFF(p, { grid, dtype: 'float32', data }, { tileSize: 32, predictor: 3 });
    const mem = new WebAssembly.Memory({ initial: 8, maximum: 64, shared: true });
    const windows = [{ col0: 0, row0: 0, width: 301, height: 197 }, { col0: 5, row0: 31, width: 100, height: 67 }, { col0: 300, row0: 196, width: 1, height: 1 }];
    for (const n of [0, 2]) {
      await withThreads(n, async () => {
        const r = await openRaster(p);
        try {
          for (const w of windows) {
            const into = new Float32Array(mem.buffer, 4096, w.width * w.height);
            into.fill(12345);
            const got = await r.read({ window: w, into });
            expect(got.data).toBe(into);
            const ref = await readRaster(p, { window: w });
            expect(Buffer.from(into.buffer, into.byteOffset, into.byteLength).equals(Buffer.from(ref.data.buffer, ref.data.byteOffset, ref.data.byteLength)), `threads ${n} window ${JSON.stringify(w)}`).toBe(true);
          }
          await expect(r.read({ window: windows[1], into: new Float32Array(10) })).rejects.toThrow(/read destination is Float32Array\(10\), expected Float32Array\(6700\)/);
          await expect(r.read({ window: windows[2], into: new Uint16Array(1) })).rejects.toThrow(InternalError);
        } finally {
          await r.close();
        }
      });
    }
  });

describe('orderedPipeline', () => {
  it('keeps at most `depth` tasks unfinished and consumes results in item order even when later ones finish first', async () => {
    let running = 0, most = 0;
    const seen: number[] = [];
    const items = Array.from({ length: 20 }, (_, i) => i);
    await orderedPipeline(
      items,
      3,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, (20 - i) % 4)); // later items often finish first
        running--;
        return i * 10;
      },
      (r, i) => {
        expect(r).toBe(i * 10);
        seen.push(i);
      },
    );
    expect(seen).toEqual(items);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('the first failure is thrown after the started tasks settle', async () => {
    const started: number[] = [];
    await expect(
      orderedPipeline([0, 1, 2, 3, 4], 2, async (i) => {
        started.push(i);
        if (i === 1) throw new Error('block 1 is bad');
        return i;
      }, () => {}),
    ).rejects.toThrow('block 1 is bad');
    expect(started.length).toBeLessThan(5);
  });

  it('LANDCARBON_IO_THREADS is validated', async () => {
    const old = process.env.LANDCARBON_IO_THREADS;
    process.env.LANDCARBON_IO_THREADS = 'many';
    try {
      expect(() => ioThreads()).toThrow(/LANDCARBON_IO_THREADS: expected an integer in \[0, 256\], got "many"/);
    } finally {
      if (old === undefined) delete process.env.LANDCARBON_IO_THREADS; else process.env.LANDCARBON_IO_THREADS = old;
    }
  });
});
