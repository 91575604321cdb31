import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseAllocation, parseInventory, sectorTotals, spatialize } from '../../../src/models/carbon/spatialize.js';
import { CARBON_NODATA } from '../../../src/models/carbon/common.js';
import { parseCsv } from '../../../src/io/table.js';
import { Grid, Raster } from '../../../src/io/grid.js';

const G: Grid = { width: 4, height: 2, transform: [0, 10, 0, 20, 0, -10], crs: { epsg: 32650 }, nodata: 0 };
const lu: Raster = { grid: G, dtype: 'uint8', data: Uint8Array.from([1, 1, 1, 1, 2, 2, 3, 0]) };
const poi: Raster = { grid: { ...G, nodata: -1 }, dtype: 'float32', data: Float32Array.from([1, 1, 2, 0, 5, 5, 5, 5]) };

describe('sector inventory (seed 003 eq. 1-7: sums of activity x factor)', () => {
  it('sector totals', () => {
    const a = parseInventory(parseCsv('sector,activity,amount,factor\nindustry,coal,100,2.5\nindustry,gas,10,2\nsink,forest,50,-0.6\n', 'I.csv'));
    const t = sectorTotals(a);
    expect(t.get('industry')).toBe(270); // 100 x 2.5 + 10 x 2
    expect(t.get('sink')).toBe(-30); // 50 x -0.6
    expect(() => parseInventory(parseCsv('sector,activity,amount,factor\nx,a,abc,1\n', 'I.csv'))).toThrow('I.csv: row 1 (sector "x"), column "amount": expected a number, got "abc"');
  });
});

describe('spatialisation', () => {
  it('in proportion to the weight raster (POI) or to area, summed per class and unit', () => {
    const rules = parseAllocation(parseCsv('sector,classes,weight\nindustry,1,poi\nsink,2;3,area\n', 'A.csv'));
    const zones: Raster = { grid: G, dtype: 'uint8', data: Uint8Array.from([1, 1, 2, 2, 1, 2, 2, 2]) };
    const r = spatialize({
      landuse: lu, landuseName: 'L.tif', totals: new Map([['industry', 100], ['sink', -30]]), rules, rulesName: 'A.csv',
      weights: new Map([['poi', { raster: poi, name: 'poi.tif' }]]), zones, zonesName: 'Z.tif',
    });
    // industry: POI weights 1,1,2,0 on class 1 -> 25, 25, 50, 0; sink: 3 cells of classes 2, 3 -> -10 each
    expect(Array.from(r.map.data)).toEqual([25, 25, 50, 0, -10, -10, -10, CARBON_NODATA]);
    expect(r.sectors[0].allocated).toBe(100);
    expect(r.sectors[1].byClass.get(2)).toBe(-20);
    expect(r.sectors[1].byClass.get(3)).toBe(-10);
    // unit 1: 25 + 25 industry, -10 sink; unit 2: 50 + 0, -20
    expect(r.byUnit).toEqual([
      { unit: 1, bySector: [50, -10], ce: 50, cs: 10, budget: 40 },
      { unit: 2, bySector: [50, -20], ce: 50, cs: 20, budget: 30 },
    ]);
  });

  it('property: every sector sums back exactly (===) to its total, row-major f64 sum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 23 }), fc.integer({ min: 1, max: 17 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 23 * 17, maxLength: 23 * 17 }),
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 23 * 17, maxLength: 23 * 17 }),
        fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (w, h, codes, weights, totals) => {
          const n = w * h;
          const g: Grid = { ...G, width: w, height: h };
          const L: Raster = { grid: g, dtype: 'uint8', data: Uint8Array.from(codes.slice(0, n)) };
          L.data[0] = 1; L.data[n - 1] = 2; // every sector has a cell (c also takes class 1)
          const Wr: Raster = { grid: { ...g, nodata: null }, dtype: 'float64', data: Float64Array.from(weights.slice(0, n), (v) => v + 1e-3) };
          const rules = [{ sector: 'a', classes: [1, 4], weight: 'w' }, { sector: 'b', classes: [2], weight: 'area' }, { sector: 'c', classes: [3, 1], weight: 'w' }];
          const T = new Map(rules.map((r, i) => [r.sector, totals[i]]));
          const res = spatialize({ landuse: L, landuseName: 'L', totals: T, rules, rulesName: 'A', weights: new Map([['w', { raster: Wr, name: 'w.tif' }]]) });
          for (const s of res.sectors) expect(s.allocated === T.get(s.sector)).toBe(true); // === (so -0 equals 0)
        },
      ),
      { numRuns: 200 },
    );
  });

  it('validation: sector without allocation row, unknown weight, NoData/negative weight, nothing to allocate to', () => {
    const base = { landuse: lu, landuseName: 'L.tif', rulesName: 'A.csv' };
    expect(() => spatialize({ ...base, totals: new Map([['x', 1], ['y', 2]]), rules: [{ sector: 'x', classes: [1], weight: 'area' }] })).toThrow('A.csv: sectors "y" of the inventory have no allocation row');
    expect(() => spatialize({ ...base, totals: new Map([['x', 1]]), rules: [{ sector: 'x', classes: [1], weight: 'pop' }] })).toThrow('sector "x" uses weight "pop", but no --weight pop=FILE was given');
    const bad: Raster = { grid: { ...G, nodata: -1 }, dtype: 'float32', data: Float32Array.from([1, -1, 1, 1, 1, 1, 1, 1]) };
    expect(() => spatialize({ ...base, totals: new Map([['x', 1]]), rules: [{ sector: 'x', classes: [1], weight: 'poi' }], weights: new Map([['poi', { raster: bad, name: 'poi.tif' }]]) })).toThrow('poi.tif: NoData at row 0, column 1, a cell of class 1 that receives sector "x"');
    expect(() => spatialize({ ...base, totals: new Map([['x', 5]]), rules: [{ sector: 'x', classes: [9], weight: 'area' }] })).toThrow('sector "x" (total 5) cannot be allocated: no cell of L.tif has its classes 9 (classes 9 are absent from the map)');
    const zero: Raster = { grid: { ...G, nodata: null }, dtype: 'float32', data: new Float32Array(8) };
    expect(() => spatialize({ ...base, totals: new Map([['x', 5]]), rules: [{ sector: 'x', classes: [1], weight: 'poi' }], weights: new Map([['poi', { raster: zero, name: 'poi.tif' }]]) })).toThrow('the weights (poi.tif) sum to 0 on its 4 cells');
    expect(() => parseAllocation(parseCsv('sector,classes\nx,1;a\n', 'A.csv'))).toThrow('A.csv: row 1 (sector "x"), column "classes": "a" is not an integer land-use code');
    expect(() => parseAllocation(parseCsv('sector,classes\nx,1\nx,2\n', 'A.csv'))).toThrow('sector "x" has two allocation rows');
  });
});
