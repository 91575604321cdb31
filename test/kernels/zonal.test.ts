import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { zonalSums, Layer, canonicalBlockRows, ZonalAccumulator, scanCodes, mergeScans } from '../../src/kernels/zonal.js';
import { zonalSumsRef } from '../../src/kernels/zonal.ref.js';
import { DType, Grid, Raster, RasterArray, allocArray } from '../../src/io/grid.js';
import { InputError } from '../../src/errors.js';

const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => {
  await e1.close();
  await e2.close();
});

function grid(w: number, h: number, nodata: number | null): Grid {
  return { width: w, height: h, transform: [500000, 30, 0, 4000000, 0, -30], crs: { epsg: 32650 }, nodata };
}
function layer(r: Raster, name: string): Layer {
  return { dtype: r.dtype, data: r.data, nodata: r.grid.nodata, name };
}
function raster(w: number, h: number, dtype: DType, nodata: number | null, vals: number[]): Raster {
  const data = allocArray(dtype, w * h);
  (data as RasterArray).set(vals as never);
  return { grid: grid(w, h, nodata), dtype, data };
}

describe('zonal sums: worked example', () => {
  it('counts and sums per (zone, class)', async () => {
    // zones [1,1,2,2,0] (0 = NoData) + classes [5,6,5,5,5] + values [1,2,3,4,9]
    // (1,5): 1 cell, 1; (1,6): 1 cell, 2; (2,5): 2 cells, 3 + 4 = 7; (2,6): 0 cells
    const z = raster(5, 1, 'uint16', 0, [1, 1, 2, 2, 0]);
    const c = raster(5, 1, 'uint8', 255, [5, 6, 5, 5, 5]);
    const v = raster(5, 1, 'float32', -9999, [1, 2, 3, 4, 9]);
    const r = await zonalSums(e1, { width: 5, height: 1, zones: layer(z, 'z.tif'), classes: layer(c, 'c.tif'), values: [layer(v, 'v.tif')] });
    expect(r.zoneIds).toEqual([1, 2]);
    expect(r.classCodes).toEqual([5, 6]);
    expect(Array.from(r.counts)).toEqual([1, 1, 2, 0]);
    expect(Array.from(r.sums[0])).toEqual([1, 2, 7, 0]);
    expect(Array.from(r.missing[0])).toEqual([0, 0, 0, 0]);
  });

  it('value NoData and NaN are skipped and counted as missing; float32 NoData compared in float32', async () => {
    // -3.4e38 stored in a float32 raster is fround(-3.4e38), not -3.4e38
    const z = raster(4, 1, 'uint8', null, [1, 1, 1, 1]);
    const c = raster(4, 1, 'uint8', null, [1, 1, 1, 1]);
    const v = raster(4, 1, 'float32', -3.4e38, [2, -3.4e38, NaN, 5]);
    const r = await zonalSums(e1, { width: 4, height: 1, zones: layer(z, 'z'), classes: layer(c, 'c'), values: [layer(v, 'v')] });
    expect(Array.from(r.counts)).toEqual([4]);
    expect(Array.from(r.sums[0])).toEqual([7]); // 2 + 5
    expect(Array.from(r.missing[0])).toEqual([2]);
  });

  it('32-bit zone ids (county codes) and negative int16 classes', async () => {
    const z = raster(3, 2, 'int32', -1, [110101, 110101, 659004, -1, 659004, 110101]);
    const c = raster(3, 2, 'int16', -32768, [-5, 7, 7, 7, -32768, -5]);
    const r = await zonalSums(e2, { width: 3, height: 2, zones: layer(z, 'z'), classes: layer(c, 'c') });
    expect(r.zoneIds).toEqual([110101, 659004]);
    expect(r.classCodes).toEqual([-5, 7]);
    // (110101,-5): cells 0 and 5; (110101,7): cell 1; (659004,7): cell 2; cell 3 zone NoData; cell 4 class NoData
    expect(Array.from(r.counts)).toEqual([2, 1, 0, 1]);
  });

  it('rejects a non-integer zone raster and mismatched sizes with messages', async () => {
    const z = raster(2, 1, 'float32', null, [1, 2]);
    const c = raster(2, 1, 'uint8', null, [1, 2]);
    await expect(zonalSums(e1, { width: 2, height: 1, zones: layer(z, 'zones.tif'), classes: layer(c, 'lu.tif') })).rejects.toThrow(
      /zones.tif: zone raster must hold integer codes, found float32/,
    );
    const c3 = raster(3, 1, 'uint8', null, [1, 2, 3]);
    await expect(zonalSums(e1, { width: 2, height: 1, zones: layer(c, 'zones.tif'), classes: layer(c3, 'lu.tif') })).rejects.toThrow(InputError);
  });

  it('rejects zone ids spanning more than a look-up table can hold', async () => {
    const z = raster(2, 1, 'int32', null, [0, 2 ** 30]);
    const c = raster(2, 1, 'uint8', null, [1, 1]);
    await expect(zonalSums(e1, { width: 2, height: 1, zones: layer(z, 'zones.tif'), classes: layer(c, 'lu.tif') })).rejects.toThrow(
      /zones.tif: integer codes span 0..1073741824/,
    );
  });

  it('known zone ids: absent ones get zero rows, unknown ones are an error', async () => {
    const z = raster(3, 1, 'uint16', null, [2, 2, 4]);
    const c = raster(3, 1, 'uint8', null, [1, 1, 1]);
    const r = await zonalSums(e1, { width: 3, height: 1, zones: layer(z, 'z'), classes: layer(c, 'c') }, { zoneIds: [2, 3, 4] });
    expect(r.zoneIds).toEqual([2, 3, 4]);
    expect(Array.from(r.counts)).toEqual([2, 0, 1]);
    await expect(zonalSums(e1, { width: 3, height: 1, zones: layer(z, 'zones.tif'), classes: layer(c, 'c') }, { zoneIds: [2] })).rejects.toThrow(
      /zones.tif: zone ids 4 are not in the unit table/,
    );
  });
});

// random rasters with NoData, odd sizes, several dtypes
const arb = fc
  .record({
    w: fc.integer({ min: 1, max: 37 }),
    h: fc.integer({ min: 1, max: 41 }),
    zt: fc.constantFrom<DType>('uint8', 'uint16', 'int32'),
    ct: fc.constantFrom<DType>('uint8', 'uint16', 'int16'),
    nz: fc.integer({ min: 1, max: 12 }),
    nc: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    nv: fc.integer({ min: 0, max: 2 }),
    block: fc.integer({ min: 1, max: 200 }),
    tileRows: fc.integer({ min: 1, max: 20 }),
    // chance that a cell repeats the previous cell's zone and class: 0 = every cell drawn
    // afresh, 0.95 = patchy like a land-use map (exercises the kernel's 16-cell chunk path)
    runs: fc.constantFrom(0, 0.95, 0.995),
  });

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomInputs(p: { w: number; h: number; zt: DType; ct: DType; nz: number; nc: number; seed: number; nv: number; runs?: number }) {
  const rnd = lcg(p.seed);
  const n = p.w * p.h;
  const zn = p.zt === 'int32' ? -7 : 0;
  const cn = 255;
  const zs: number[] = [], cs: number[] = [];
  // a patch state (zone, class) kept from cell to cell with probability `runs`; zone NoData
  // ("holes") sprinkled over patches independently
  let zone = 0, cls = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || rnd() >= (p.runs ?? 0)) {
      zone = rnd() < 0.05 ? zn : 1 + Math.floor(rnd() * p.nz) * (p.zt === 'int32' ? 1001 : 1);
      cls = rnd() < 0.1 ? cn : 1 + Math.floor(rnd() * p.nc);
    }
    zs.push(rnd() < 0.05 ? zn : zone);
    cs.push(cls);
  }
  const z = raster(p.w, p.h, p.zt, zn, zs);
  const c = raster(p.w, p.h, p.ct, cn, cs);
  const values: Raster[] = [];
  for (let v = 0; v < p.nv; v++) {
    const dt: DType = v === 0 ? 'float32' : 'float64';
    values.push(
      raster(p.w, p.h, dt, -9999, Array.from({ length: n }, () => (rnd() < 0.05 ? -9999 : rnd() < 0.02 ? NaN : (rnd() - 0.3) * 10 ** Math.floor(rnd() * 8)))),
    );
  }
  return { z, c, values };
}

describe('zonal sums: kernel equals reference', () => {
  it('random rasters with NoData, odd sizes, any dtype: counts exact, sums bit-identical to the blockwise reference', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (p) => {
        const { z, c, values } = randomInputs(p);
        const input = { width: p.w, height: p.h, zones: layer(z, 'z'), classes: layer(c, 'c'), values: values.map((v, i) => layer(v, `v${i}`)) };
        const got = await zonalSums(e1, input, { minBlockCells: p.block, tileRows: p.tileRows });
        const ref = zonalSumsRef({ zones: z, classes: c, values }, got.blockCells);
        expect(got.blockCells % p.w).toBe(0); // whole rows
        expect(got.blockCells).toBeGreaterThanOrEqual(Math.min(p.block, p.w * p.h));
        expect(got.zoneIds).toEqual(ref.zoneIds);
        expect(got.classCodes).toEqual(ref.classCodes);
        expect(Array.from(got.counts)).toEqual(Array.from(ref.counts));
        for (let v = 0; v < values.length; v++) {
          expect(Array.from(got.sums[v])).toEqual(Array.from(ref.sums[v]));
          expect(Array.from(got.missing[v])).toEqual(Array.from(ref.missing[v]));
        }
        // and within 1e-9 relative of one plain sequential sum (an independent order)
        const plain = zonalSumsRef({ zones: z, classes: c, values }, Infinity);
        for (let v = 0; v < values.length; v++) {
          for (let b = 0; b < plain.sums[v].length; b++) {
            const a = got.sums[v][b], e = plain.sums[v][b];
            const scale = Math.max(1, ...Array.from(values[v].data as Float64Array).filter((x) => Number.isFinite(x) && x !== -9999).map(Math.abs));
            expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-9 * scale * p.w * p.h);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('tiling invariance: any thread count and tile size gives bit-identical results', async () => {
    const p = { w: 301, h: 257, zt: 'uint16' as DType, ct: 'uint8' as DType, nz: 60, nc: 7, seed: 99, nv: 2, runs: 0.95 };
    const { z, c, values } = randomInputs(p);
    const input = { width: p.w, height: p.h, zones: layer(z, 'z'), classes: layer(c, 'c'), values: values.map((v, i) => layer(v, `v${i}`)) };
    const base = await zonalSums(e1, input, { minBlockCells: 2000, tileRows: 1000 });
    // dense bins: 60 zones x 7 classes -> 32 * 420 = 13440 cells per block -> 45 rows of 301
    expect(base.blockCells).toBe(canonicalBlockRows(301, 60 * 7, 2000) * 301);
    expect(base.blockCells).toBe(45 * 301);
    for (const [eng, tileRows] of [[e1, 7], [e2, 7], [e2, 14], [e2, 50], [e1, undefined], [e2, undefined]] as const) {
      const r = await zonalSums(eng, input, { minBlockCells: 2000, tileRows });
      expect(Array.from(r.counts)).toEqual(Array.from(base.counts));
      for (let v = 0; v < 2; v++) {
        expect(Buffer.from(r.sums[v].buffer).equals(Buffer.from(base.sums[v].buffer))).toBe(true);
        expect(Array.from(r.missing[v])).toEqual(Array.from(base.missing[v]));
      }
    }
  });

  it('zero-copy: a layer that already lives in the shared memory is used in place', async () => {
    const m = e2.arena.mark();
    const zb = e2.arena.alloc<Uint16Array>('uint16', 1000);
    const cb = e2.arena.alloc<Uint8Array>('uint8', 1000);
    zb.view().forEach((_, i, a) => (a[i] = 1 + (i % 13)));
    cb.view().forEach((_, i, a) => (a[i] = 1 + (i % 3)));
    const used = e2.arena.used;
    const r = await zonalSums(e2, { width: 100, height: 10, zones: { dtype: 'uint16', data: zb.view(), nodata: null, name: 'z' }, classes: { dtype: 'uint8', data: cb.view(), nodata: null, name: 'c' } });
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(e2.arena.used).toBe(used); // scratch released
    e2.arena.release(m);
  });
});

describe('zonal sums: strips and sparse codes', () => {
  it('strips added top to bottom give bit-identical results to one pass (rasters larger than one memory)', async () => {
    const p = { w: 123, h: 200, zt: 'uint16' as DType, ct: 'uint8' as DType, nz: 30, nc: 5, seed: 7, nv: 2 };
    const { z, c, values } = randomInputs(p);
    const whole = await zonalSums(e2, { width: p.w, height: p.h, zones: layer(z, 'z'), classes: layer(c, 'c'), values: values.map((v, i) => layer(v, `v${i}`)) }, { minBlockCells: 500 });
    // pass 1: scan codes strip by strip; pass 2: accumulate strips
    const cut = (r: Raster, r0: number, r1: number): Layer => ({ dtype: r.dtype, data: r.data.subarray(r0 * p.w, r1 * p.w), nodata: r.grid.nodata, name: 'strip' });
    let zs = { minmax: null } as Awaited<ReturnType<typeof scanCodes>>;
    let cs = zs;
    for (let r = 0; r < p.h; r += 50) {
      zs = mergeScans(zs, await scanCodes(e2, cut(z, r, Math.min(p.h, r + 50)), p.w, Math.min(50, p.h - r)));
      cs = mergeScans(cs, await scanCodes(e2, cut(c, r, Math.min(p.h, r + 50)), p.w, Math.min(50, p.h - r)));
    }
    const acc = new ZonalAccumulator(e2, { width: p.w, zones: { dtype: 'uint16', nodata: 0, name: 'z' }, classes: { dtype: 'uint8', nodata: 255, name: 'c' }, values: values.map((v, i) => ({ dtype: v.dtype, nodata: v.grid.nodata, name: `v${i}` })), zoneScan: zs, classScan: cs }, { minBlockCells: 500 });
    const strip = acc.blockRows * 3;
    for (let r = 0; r < p.h; r += strip) {
      const r1 = Math.min(p.h, r + strip);
      await acc.addRows(r1 - r, { zones: cut(z, r, r1), classes: cut(c, r, r1), values: values.map((v) => cut(v, r, r1)) });
    }
    const got = acc.finish();
    expect(got.zoneIds).toEqual(whole.zoneIds);
    expect(Array.from(got.counts)).toEqual(Array.from(whole.counts));
    for (let v = 0; v < 2; v++) expect(Buffer.from(got.sums[v].buffer).equals(Buffer.from(whole.sums[v].buffer))).toBe(true);
  });

  it('sparse 32-bit zone ids (wider than a dense table) are compacted by a presence pass', async () => {
    // ids 1 and 5,000,000: 5M codes is more than the 2^21 dense bins, fewer than 2^26 look-up entries
    const z = raster(4, 1, 'uint32', 0, [1, 5_000_000, 5_000_000, 0]);
    const c = raster(4, 1, 'uint8', null, [3, 3, 4, 4]);
    const v = raster(4, 1, 'float64', null, [1.5, 2.5, 4, 8]);
    const r = await zonalSums(e2, { width: 4, height: 1, zones: layer(z, 'z'), classes: layer(c, 'c'), values: [layer(v, 'v')] });
    expect(r.zoneIds).toEqual([1, 5_000_000]);
    expect(r.classCodes).toEqual([3, 4]);
    expect(Array.from(r.counts)).toEqual([1, 0, 1, 1]);
    expect(Array.from(r.sums[0])).toEqual([1.5, 0, 2.5, 4]);
  });
});
