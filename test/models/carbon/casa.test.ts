import { describe, it, expect, afterAll } from 'vitest';
import { casaNep, CasaMonthRasters, parseCasaParams, percentileSorted, DEFAULT_EPS_MAX } from '../../../src/models/carbon/casa.js';
import { CASA_DEFAULTS, casaMonthRef } from '../../../src/kernels/casa.ref.js';
import { parseCsv } from '../../../src/io/table.js';
import { Grid, Raster } from '../../../src/io/grid.js';
import { Engine } from '../../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

const G: Grid = { width: 3, height: 2, transform: [0, 1000, 0, 2000, 0, -1000], crs: { epsg: 32650 }, nodata: -9999 };
const f32 = (v: number[]): Raster => ({ grid: G, dtype: 'float32', data: Float32Array.from(v) });
const veg: Raster = { grid: { ...G, nodata: 0 }, dtype: 'uint8', data: Uint8Array.from([1, 1, 1, 2, 2, 0]) };
const names = { ndvi: 'ndvi.tif', temp: 't.tif', prec: 'p.tif', sol: 's.tif', w: 'w.tif', eet: 'eet.tif', pet: 'pet.tif' };
const month = (ndvi: number[], temp: number[]): CasaMonthRasters => ({
  ndvi: f32(ndvi), temp: f32(temp), prec: f32([50, 60, 70, 80, 90, 100]), sol: f32([300, 310, 320, 330, 340, 350]), w: f32([0.6, 0.7, 0.8, 0.9, 1, 0.75]), names,
});
const M = [month([0.2, 0.4, 0.6, 0.3, 0.5, 0.1], [10, 12, 14, 16, 18, 20]), month([0.3, 0.5, 0.7, 0.2, 0.6, -9999], [20, 22, 24, 6, 28, 30])];
const P = parseCasaParams(parseCsv('code,name,eps_max\n1,forest,0.985\n2,grass,\n', 'casa.csv'));

describe('percentiles (numpy linear)', () => {
  it('5 % and 95 % of 1..4 are 1.15 and 3.85', () => {
    const s = Float64Array.of(1, 2, 3, 4);
    expect(percentileSorted(s, 5)).toBeCloseTo(1.15, 12); // h = 3 * 0.05 = 0.15
    expect(percentileSorted(s, 95)).toBeCloseTo(3.85, 12);
    expect(percentileSorted(Float64Array.of(7), 5)).toBe(7);
  });
});

describe('CASA model', () => {
  it('parameters: eps_max default 0.389 (Potter et al. 1993); Topt from the NDVI peak; percentiles per type from the data', async () => {
    expect(P[1].epsMax).toBe(DEFAULT_EPS_MAX);
    const r = await casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: M, params: P, paramsName: 'casa.csv' });
    // Topt: cell 0 NDVI 0.2 -> 0.3 peaks in month 2 (T 20); cell 3 0.3 -> 0.2 peaks in month 1 (T 16)
    expect(r.topt[0]).toBe(20);
    expect(r.topt[3]).toBe(16);
    // forest NDVI samples (f32): 0.2 0.4 0.6 0.3 0.5 0.7 -> sorted 0.2 .. 0.7, 5 %: h = 0.25 -> 0.2 + 0.25 * 0.1 = 0.225
    expect(r.types[0].ndviMin).toBeCloseTo(0.225, 6);
    expect(r.types[0].ndviMax).toBeCloseTo(0.675, 6); // h = 4.75 -> 0.6 + 0.75 * 0.1
    expect(r.types[0].samples).toBe(6);
    expect(r.types[1].samples).toBe(4);
    // equals the reference with the same parameters
    const npp = new Float64Array(6), rh = new Float64Array(6);
    const typeIndex = Int32Array.from([0, 0, 0, 1, 1, -1]);
    const kt = r.types.map((t) => ({ epsMax: t.epsMax, ndviMin: t.ndviMin, ndviMax: t.ndviMax, srMin: t.srMin, srMax: t.srMax }));
    for (const m of M) {
      const nd = Float32Array.from(m.ndvi.data as Float32Array, (v) => (v === -9999 ? NaN : v));
      casaMonthRef({ ndvi: nd, temp: m.temp.data as Float32Array, prec: m.prec.data as Float32Array, sol: m.sol.data as Float32Array, w: m.w!.data as Float32Array }, r.topt, typeIndex, kt, CASA_DEFAULTS, npp, rh);
    }
    for (let i = 0; i < 5; i++) {
      expect(r.npp[i]).toBeCloseTo(npp[i], 9);
      expect(r.nep[i]).toBeCloseTo(npp[i] - rh[i], 9);
      expect(r.npp[i]).toBeGreaterThan(0);
    }
    expect(r.npp[5]).toBeNaN(); // vegetation NoData
  });

  it('validation messages', async () => {
    const P1 = parseCasaParams(parseCsv('code,eps_max\n1,0.5\n', 'casa.csv'));
    await expect(casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: M, params: P1, paramsName: 'casa.csv' })).rejects.toThrow('veg.tif: vegetation codes 2 have no row in casa.csv');
    const bad = [month([0.2, 1, 0.6, 0.3, 0.5, 0.1], [10, 12, 14, 16, 18, 20])];
    await expect(casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: bad, params: P, paramsName: 'casa.csv' })).rejects.toThrow('ndvi.tif: 1 at row 0, column 1: NDVI outside [-1, 1)');
    const pet0: CasaMonthRasters = { ...M[0], w: undefined, eet: f32([1, 1, 1, 1, 1, 1]), pet: f32([1, 0, 1, 1, 1, 1]) };
    await expect(casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: [pet0], params: P, paramsName: 'casa.csv' })).rejects.toThrow('pet.tif: 0 at row 0, column 1: value <= 0');
    const flat = [month([0.4, 0.4, 0.4, 0.3, 0.5, 0.1], [10, 12, 14, 16, 18, 20])];
    await expect(casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: flat, params: P, paramsName: 'casa.csv' })).rejects.toThrow('vegetation code 1 (forest): NDVI range [0.4');
    expect(() => parseCasaParams(parseCsv('code,eps_max\n1,9\n', 'casa.csv'))).toThrow('casa.csv: row 1 (code 1), column "eps_max": 9 g C/MJ is outside [0, 5]');
    const mixed = [M[0], { ...M[1], w: undefined, eet: f32([1, 1, 1, 1, 1, 1]), pet: f32([2, 2, 2, 2, 2, 2]) }];
    await expect(casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: mixed, params: P, paramsName: 'casa.csv' })).rejects.toThrow('month 2: give W for every month, or EET and PET for every month');
  });

  it('table bounds override the data percentiles', async () => {
    const P2 = parseCasaParams(parseCsv('code,eps_max,ndvi_min,ndvi_max,sr_min,sr_max\n1,0.5,0,0.8,1,9\n2,0.5,,,,\n', 'casa.csv'));
    const r = await casaNep(engine, { vegetation: veg, vegetationName: 'veg.tif', months: M, params: P2, paramsName: 'casa.csv' });
    expect([r.types[0].ndviMin, r.types[0].ndviMax, r.types[0].srMin, r.types[0].srMax]).toEqual([0, 0.8, 1, 9]);
    expect(r.types[0].source).toContain('from the table');
    expect(r.types[1].source).toContain('NDVI 5/95 % percentiles of 4 samples');
  });
});
