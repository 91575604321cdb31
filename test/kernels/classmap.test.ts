import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { classMap, ClassMapInput } from '../../src/kernels/classmap.js';
import { classMapRef } from '../../src/kernels/classmap.ref.js';
import { Layer } from '../../src/kernels/zonal.js';
import { allocArray, DType, RasterArray } from '../../src/io/grid.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { carbonEmissions, parseCoefficientTable } from '../../src/models/carbon/coefficients.js';
import { CARBON_NODATA } from '../../src/models/carbon/common.js';
import { parseCsv } from '../../src/io/table.js';

const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => {
  await e1.close();
  await e2.close();
});

function layer(dtype: DType, vals: number[], nodata: number | null, name = 'lu.tif'): Layer {
  const data = allocArray(dtype, vals.length);
  (data as RasterArray).set(vals as never);
  return { dtype, data, nodata, name };
}
function bits(a: Float32Array | Float64Array): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}
const ND = -3.4028234663852886e38;

describe('class map: worked examples', () => {
  it('coefficient map: emission per cell = coefficient x pixel area, NoData and absent codes -> NoData', async () => {
    // 30 m pixels = 0.09 ha; cropland (1) 0.42 t CO2/ha/yr -> 0.42 * 0.09 = 0.0378 t/yr per cell,
    // forest (2) -0.58 -> -0.0522; 255 = NoData; 9 outside the table; 3 has no value (NaN)
    const lut = [0.42 * 0.09, -0.58 * 0.09, NaN];
    const input: ClassMapInput = { width: 3, height: 2, classes: layer('uint8', [1, 2, 255, 9, 3, 1], 255), lut, lutMin: 1, outType: 'float64', nodata: ND };
    const r = await classMap(e1, input);
    expect(Array.from(r)).toEqual([0.42 * 0.09, -0.58 * 0.09, ND, ND, ND, 0.42 * 0.09]);
    expect(r[0]).toBeCloseTo(0.0378, 15);
  });

  it('float32 output rounds the f64 value to nearest (as a Float32Array store), NoData as float32', async () => {
    const input: ClassMapInput = { width: 2, height: 1, classes: layer('uint16', [7, 0], 0), lut: [0.1], lutMin: 7, outType: 'float32', nodata: -3.4e38 };
    const r = await classMap(e2, input);
    expect(r).toBeInstanceOf(Float32Array);
    expect(Array.from(r)).toEqual([Math.fround(0.1), Math.fround(-3.4e38)]);
  });

  it('change map: value(future) - value(baseline), NoData where either is NoData (each raster its own NoData code)', async () => {
    // InVEST's check: pools 15/10/60/1 -> 86 t/ha (code 1), 5/3/20/0 -> 28 (code 2): 1 -> 2 is -58 t/ha
    const base = layer('int16', [1, 1, 2, -1, 2, 5], -1, 'bas.tif');
    const fut = layer('int16', [2, 1, 1, 1, 5, 2], 5, 'alt.tif');
    // code 5 is a class in the baseline table range only as the future's NoData: lut[5-1] = 3
    const input: ClassMapInput = { width: 6, height: 1, classes: base, future: fut, lut: [86, 28, NaN, NaN, 3], lutMin: 1, outType: 'float64', nodata: ND };
    const r = await classMap(e1, input);
    // cell 5: baseline code 5 = 3 t/ha (valid in the baseline), future 2 = 28 -> 25
    expect(Array.from(r)).toEqual([-58, 0, 58, ND, ND, 25]);
    expect(bits(classMapRef(input))).toEqual(bits(r));
  });

  it('32-bit codes (county-style), negative table start, empty raster', async () => {
    const input: ClassMapInput = { width: 4, height: 1, classes: layer('int32', [-2147483648, 2147483647, -3, -1], null), lut: [1.5, 2.5, 3.5], lutMin: -3, outType: 'float64', nodata: -9999 };
    expect(Array.from(await classMap(e2, input))).toEqual([-9999, -9999, 1.5, 3.5]);
    const u32: ClassMapInput = { width: 2, height: 1, classes: layer('uint32', [4294967295, 4000000000], null), lut: [7], lutMin: 4294967295, outType: 'float32', nodata: -1 };
    expect(Array.from(await classMap(e1, u32))).toEqual([7, -1]);
    const empty = await classMap(e1, { width: 0, height: 0, classes: layer('uint8', [], null), lut: [1], lutMin: 0, outType: 'float32', nodata: 0 });
    expect(empty.length).toBe(0);
  });

  it('zero-copy: input and output views on engine.memory', async () => {
    const n = 37 * 5;
    const cb = e2.arena.alloc<Uint8Array>('uint8', n, 'classes');
    const ob = e2.arena.alloc<Float32Array>('float32', n, 'out');
    const v = cb.view();
    for (let i = 0; i < n; i++) v[i] = i % 9;
    const input: ClassMapInput = { width: 37, height: 5, classes: { dtype: 'uint8', data: v, nodata: 8, name: 'c' }, lut: [0, 1.25, 2.5, NaN, 4, 5, 6, 7, 8], lutMin: 0, outType: 'float32', nodata: -1 };
    const out = await classMap(e2, input, { out: ob.view(), tileRows: 2 });
    expect(out.buffer).toBe(e2.memory.buffer);
    expect(bits(out)).toEqual(bits(classMapRef(input)));
    e2.arena.reset();
  });
});

const DTYPES: DType[] = ['uint8', 'uint16', 'int16', 'uint32', 'int32'];
const LIM: Record<string, [number, number]> = { uint8: [0, 255], uint16: [0, 65535], int16: [-32768, 32767], uint32: [0, 4294967295], int32: [-2147483648, 2147483647] };

describe('class map: kernel == reference (bit-identical), thread and tile invariance', () => {
  it('random rasters with NoData, odd sizes, change maps, both output types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          dt: fc.constantFrom(...DTYPES),
          w: fc.integer({ min: 1, max: 23 }),
          h: fc.integer({ min: 1, max: 17 }),
          nCodes: fc.integer({ min: 1, max: 12 }),
          offset: fc.integer({ min: 0, max: 200 }),
          change: fc.boolean(),
          f32: fc.boolean(),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
          tileRows: fc.integer({ min: 1, max: 9 }),
          ndA: fc.option(fc.integer({ min: 0, max: 14 })),
          ndB: fc.option(fc.integer({ min: 0, max: 14 })),
        }),
        async (p) => {
          const [lo, hi] = LIM[p.dt];
          const lutMin = Math.max(lo, Math.min(hi - 15, lo + p.offset));
          let s = p.seed;
          const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32);
          // codes around the table (some below/above it), NoData codes among them
          const code = () => Math.min(hi, Math.max(lo, lutMin - 1 + Math.floor(rnd() * (p.nCodes + 3))));
          const n = p.w * p.h;
          const lut = Array.from({ length: p.nCodes }, () => (rnd() < 0.15 ? NaN : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 3)));
          const nd = (o: number | null) => (o === null ? null : Math.min(hi, lutMin + o));
          const a = layer(p.dt, Array.from({ length: n }, code), nd(p.ndA), 'a');
          const b = p.change ? layer(p.dt, Array.from({ length: n }, code), nd(p.ndB), 'b') : undefined;
          const input: ClassMapInput = { width: p.w, height: p.h, classes: a, future: b, lut, lutMin, outType: p.f32 ? 'float32' : 'float64', nodata: ND };
          const ref = bits(classMapRef(input));
          expect(bits(await classMap(e1, input))).toEqual(ref);
          expect(bits(await classMap(e2, input))).toEqual(ref);
          expect(bits(await classMap(e2, input, { tileRows: p.tileRows }))).toEqual(ref);
          expect(bits(await classMap(e1, input, { tileRows: p.tileRows }))).toEqual(ref);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('threads 1 vs 2 and tile rows 1, 7, default on a 301 x 97 raster', async () => {
    const w = 301, h = 97, n = w * h;
    const vals = Array.from({ length: n }, (_, i) => (i * 2654435761) % 11);
    const input: ClassMapInput = { width: w, height: h, classes: layer('uint8', vals, 10), future: layer('uint8', vals.slice().reverse(), 10), lut: [0.1, 0.2, 0.3, NaN, 1e-7, 5, 6, 7, 8, 9], lutMin: 0, outType: 'float32', nodata: ND };
    const ref = bits(await classMap(e1, input));
    for (const [e, t] of [[e2, undefined], [e2, 1], [e2, 7], [e1, 7]] as const) {
      expect(bits(await classMap(e, input, { tileRows: t }))).toEqual(ref);
    }
    expect(bits(classMapRef(input))).toEqual(ref);
  });
});

describe('class map: validation', () => {
  const base = (): ClassMapInput => ({ width: 2, height: 1, classes: layer('uint8', [1, 2], null), lut: [1, 2], lutMin: 1, outType: 'float32', nodata: 0 });
  it('float class raster', async () => {
    await expect(classMap(e1, { ...base(), classes: layer('float32', [1, 2], null) })).rejects.toThrow(new InputError('lu.tif: class raster must hold integer codes, found float32'));
  });
  it('wrong cell count', async () => {
    await expect(classMap(e1, { ...base(), classes: layer('uint8', [1, 2, 3], null) })).rejects.toThrow(new InputError('lu.tif: 3 cells, expected 2'));
  });
  it('future of another dtype', async () => {
    await expect(classMap(e1, { ...base(), future: layer('uint16', [1, 2], null, 'alt.tif') })).rejects.toThrow(new InputError('alt.tif: uint16 codes, expected uint8 as lu.tif'));
  });
  it('output type', async () => {
    await expect(classMap(e1, { ...base(), outType: 'int16' as never })).rejects.toThrow(ConfigError);
  });
  it('size', async () => {
    await expect(classMap(e1, { ...base(), width: 1.5 })).rejects.toThrow('class map: width and height must be integers >= 0, got 1.5 x 1');
  });
  it('empty table', async () => {
    await expect(classMap(e1, { ...base(), lut: [] })).rejects.toThrow('class map: look-up table of 0 entries, expected 1..67108864');
  });
  it('table start', async () => {
    await expect(classMap(e1, { ...base(), lutMin: 0.5 })).rejects.toThrow('class map: table start code 0.5: expected an integer >= -2^31 with the table ending <= 2^32 - 1');
    await expect(classMap(e1, { ...base(), lutMin: 2 ** 31 })).rejects.toThrow('class map: table start code 2147483648 is beyond every uint8 code');
  });
  it('output array', async () => {
    await expect(classMap(e1, base(), { out: new Float64Array(2) })).rejects.toThrow('class map: output array must be a Float32Array of 2 cells');
  });
  it('tile rows', async () => {
    await expect(classMap(e1, base(), { tileRows: 0 })).rejects.toThrow('tile rows: expected a positive integer, got 0');
  });
  it('reference validates the same way', () => {
    expect(() => classMapRef({ ...base(), lut: [] })).toThrow(ConfigError);
  });
});

describe('class map in the coefficient model (non-regional emission map)', () => {
  it('map = coefficient x factor x pixel area per class, NoData where the land use is NoData, with and without zones', async () => {
    const w = 41, h = 13, n = w * h;
    const lu = new Uint16Array(n).map((_, i) => (i % 17 === 3 ? 65535 : [1, 2, 5, 300][(i * 7) % 4]));
    const z = new Uint8Array(n).map((_, i) => (i % 11 === 0 ? 0 : 1 + (i % 3)));
    const g = (nd: number) => ({ width: w, height: h, transform: [0, 30, 0, 0, 0, -30] as [number, number, number, number, number, number], crs: null, nodata: nd });
    const C = parseCoefficientTable(parseCsv('code,name,coefficient,unit\n1,a,0.42,tCO2\n2,b,-0.62,tCO2\n5,c,120.37,tCO2\n300,e,3.3,tCO2\n', 'C.csv'));
    const k = new Map([[1, 0.42], [2, -0.62], [5, 120.37], [300, 3.3]]);
    for (const zones of [undefined, { grid: g(0), dtype: 'uint8' as const, data: z }]) {
      for (const outUnit of [undefined, 'tC' as const]) {
        const r = await carbonEmissions(e2, { landuse: { grid: g(65535), dtype: 'uint16', data: lu }, landuseName: 'L', coefficients: C, pixelAreaHa: 0.09, zones, outUnit });
        const fac = outUnit ? 1 / (44 / 12) : 1; // unitFactor('tCO2', 'tC') = 1 / CO2_PER_C
        const want = Float64Array.from(lu, (c) => (c === 65535 ? CARBON_NODATA : k.get(c)! * fac * 0.09));
        expect(bits(r.map.data)).toEqual(bits(want));
      }
    }
  });
});
