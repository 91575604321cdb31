import { describe, it, expect } from 'vitest';
import { carbonStorage, correctSoil, parsePoolTable, poolsFromSoil, precipitationK, soilDensityFromPrecip, totalDensity, valuation } from '../../../src/models/carbon/storage.js';
import { CARBON_NODATA } from '../../../src/models/carbon/common.js';
import { parseCsv } from '../../../src/io/table.js';
import { Grid, Raster } from '../../../src/io/grid.js';

const GRID: Grid = { width: 3, height: 2, transform: [0, 100, 0, 200, 0, -100], crs: { epsg: 32650 }, nodata: 0 };
const ras = (d: number[]): Raster => ({ grid: GRID, dtype: 'uint8', data: Uint8Array.from(d) });
const POOLS = parsePoolTable(parseCsv('code,name,c_above,c_below,c_soil,c_dead\n1,forest,15,10,60,1\n2,grass,5,3,20,0\n', 'P.csv'));

describe('InVEST carbon storage', () => {
  it("InVEST's test: 15/10/60/1 -> 86 t/ha, 5/3/20/0 -> 28, change -58 t/ha", () => {
    expect(totalDensity(POOLS[0])).toBe(86); // 15 + 10 + 60 + 1
    expect(totalDensity(POOLS[1])).toBe(28); // 5 + 3 + 20 + 0
    const r = carbonStorage({ landuse: ras([1, 1, 1, 1, 1, 0]), landuseName: 'L.tif', future: ras([2, 2, 2, 2, 1, 0]), futureName: 'F.tif', pools: POOLS, poolsName: 'P.csv', pixelAreaHa: 1 });
    expect(Array.from(r.perHa.data.slice(0, 5))).toEqual([86, 86, 86, 86, 86]);
    expect(r.perHa.data[5]).toBe(CARBON_NODATA);
    expect(Array.from(r.changePerHa!.data.slice(0, 5))).toEqual([-58, -58, -58, -58, 0]); // 28 - 86
    expect(r.storageT).toBe(430); // 5 cells x 1 ha x 86
    expect(r.futureStorageT).toBe(198); // 4 x 28 + 86
    expect(r.changeT).toBe(-232); // 4 x -58
  });

  it('totals use the pixel area (100 m pixels = 1 ha; 30 m = 0.09 ha)', () => {
    const r = carbonStorage({ landuse: ras([1, 2, 2, 0, 0, 0]), landuseName: 'L.tif', pools: POOLS, poolsName: 'P.csv', pixelAreaHa: 0.09 });
    expect(r.storageT).toBeCloseTo(0.09 * (86 + 2 * 28), 12);
    expect(r.byClass.map((c) => [c.code, c.cells, c.density])).toEqual([[1, 1, 86], [2, 2, 28]]);
    expect(r.futureStorageT).toBeUndefined();
  });

  it('validation: code with no row in the pool table, negative density, non-numeric density, grid mismatch', () => {
    expect(() => carbonStorage({ landuse: ras([1, 3, 3, 7, 0, 0]), landuseName: 'L.tif', pools: POOLS, poolsName: 'P.csv', pixelAreaHa: 1 })).toThrow('L.tif: land-use codes 3, 7 have no row in P.csv');
    expect(() => carbonStorage({ landuse: ras([1, 1, 1, 1, 1, 1]), landuseName: 'L.tif', future: ras([1, 1, 1, 1, 1, 9]), futureName: 'F.tif', pools: POOLS, poolsName: 'P.csv', pixelAreaHa: 1 })).toThrow('F.tif: land-use codes 9 have no row in P.csv');
    expect(() => parsePoolTable(parseCsv('code,c_above,c_below,c_soil,c_dead\n1,1,-2,3,4\n', 'P.csv'))).toThrow('P.csv: row 1 (code 1), column "c_below": a negative carbon density -2, expected >= 0 t/ha');
    expect(() => parsePoolTable(parseCsv('code,c_above,c_below,c_soil,c_dead\n1,1,x,3,4\n', 'P.csv'))).toThrow('column "c_below": expected a number (t/ha), got "x"');
    expect(() => parsePoolTable(parseCsv('code,c_above,c_below,c_soil\n1,1,2,3\n', 'P.csv'))).toThrow('P.csv: missing column "c_dead"');
    const wide: Raster = { grid: GRID, dtype: 'int32', data: Int32Array.from([1, 1, 1, 1, 1, 100000000]) };
    const widePools = parsePoolTable(parseCsv('code,c_above,c_below,c_soil,c_dead\n1,1,1,1,1\n100000000,1,1,1,1\n', 'P.csv'));
    expect(() => carbonStorage({ landuse: wide, landuseName: 'L.tif', pools: widePools, poolsName: 'P.csv', pixelAreaHa: 1 })).toThrow('L.tif: integer codes span 1..100000000, wider than the 67108864 codes a look-up table may hold');
    const other: Raster = { grid: { ...GRID, width: 2, height: 3 }, dtype: 'uint8', data: new Uint8Array(6).fill(1) };
    expect(() => carbonStorage({ landuse: ras([1, 1, 1, 1, 1, 1]), landuseName: 'L.tif', future: other, futureName: 'F.tif', pools: POOLS, poolsName: 'P.csv', pixelAreaHa: 1 })).toThrow('F.tif: grid 2x3');
  });
});

describe('seed 004 precipitation correction and Table 6', () => {
  // K = (3.3968 x 1999.4 + 3996.1) / (3.3968 x 671.1 + 3996.1) = 10787.66 / 6275.69 = 1.71896
  const K = precipitationK(1999.4, 671.1);
  it('K from Zhanjiang 1999.4 mm vs national 671.1 mm', () => {
    expect(soilDensityFromPrecip(671.1)).toBeCloseTo(6275.69, 2);
    expect(K).toBeCloseTo(1.71896, 5);
  });
  it('national soil densities (Table 4) x K give the soil column of Table 6', () => {
    const national = parsePoolTable(parseCsv('code,name,c_above,c_below,c_soil,c_dead\n1,cropland,0,0,108.4,0\n2,forest,0,0,158.8,0\n3,grassland,0,0,99.9,0\n6,unused,0,0,21.6,0\n', 'T4.csv'));
    expect(correctSoil(national, K).map((p) => +p.c_soil.toFixed(1))).toEqual([186.3, 273.0, 171.7, 37.1]);
  });
  it('the pool split of Xi et al. with the Table 5 ratios gives Table 6 (to its rounding)', () => {
    const other = { biomass: 0.26, soil: 0.72, dead: 0.02 };
    const built = { biomass: 0.21, soil: 0.79, dead: 0 };
    // Table 6 rows (above, below, soil, dead); seed 004 works from the rounded soil values
    const cases: Array<[number, typeof other, number, number[]]> = [
      [186.3, other, 0.66, [40.5, 26.8, 186.3, 5.2]], // cropland
      [273.0, other, 0.2, [82.2, 16.4, 273.0, 7.6]], // forest: above = 273 / 0.72 x 0.26 / 1.2 = 82.15
      [171.7, other, 1.2, [28.2, 33.8, 171.7, 4.8]], // grassland
      [25.3, built, 0.2, [5.6, 1.1, 25.3, 0]], // construction land (soil 25.3 from Xi et al.)
      [37.1, other, 0.2, [11.2, 2.2, 37.1, 1.0]], // unutilised land
    ];
    for (const [soil, shares, ratio, expected] of cases) {
      const p = poolsFromSoil(soil, shares, ratio);
      const got = [p.c_above, p.c_below, p.c_soil, p.c_dead];
      // within 0.06 t/ha: the paper rounds intermediates (cropland below = 67.3 - 40.5 = 26.8, unrounded 26.748)
      got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(0.06));
    }
  });
  it('bad precipitation is a config error', () => {
    expect(() => precipitationK(-1, 600)).toThrow('--precip-local: expected an annual precipitation >= 0 mm, got -1');
  });
});

describe('InVEST valuation', () => {
  it('V * sum_{t<T} 1/((1+r)^t (1+c)^t) * dC / T', () => {
    // T = 2, r = 10 %, c = 0: 100 x (1 + 1/1.1) x (-58) / 2 = -5536.3636...
    expect(valuation(-58, { price: 100, discountRate: 10, priceChange: 0, years: 2 })).toBeCloseTo(-5536.363636, 5);
    // r = c = 0: V x dC
    expect(valuation(10, { price: 3, discountRate: 0, priceChange: 0, years: 7 })).toBeCloseTo(30, 12);
    expect(() => valuation(1, { price: 1, discountRate: 0, priceChange: 0, years: 0 })).toThrow('--years: expected an integer >= 1, got 0');
  });
});
