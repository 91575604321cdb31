import { describe, it, expect, afterAll } from 'vitest';
import { carbonEmissions, ceCs, classEmissions, CO2_PER_C, parseCarbonUnit, parseCoefficientTable, parseUnitRegions, unitFactor } from '../../../src/models/carbon/coefficients.js';
import { CARBON_NODATA } from '../../../src/models/carbon/common.js';
import { parseCsv } from '../../../src/io/table.js';
import { Grid, Raster } from '../../../src/io/grid.js';
import { Engine } from '../../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

// seed 000 Table 2 (t CO2/hm2) in Table 5/6 column order:
// cultivated, forest, shrub, grassland, waterbody, unused, built-up
const K = [0.42, -0.62, -0.23, -0.14, -0.03, -0.05, 120.37];
// seed 000 Table 5, 2035 (ha)
const ND = [9236893, 5565082, 58023, 2909005, 299492, 2086, 3440079];
const EP = [9061265, 5639408, 56856, 3059093, 303338, 2905, 3387795];

const r2 = (v: number) => +(v / 1e4).toFixed(2);

describe('coefficient method: seed 000 Table 5 x Table 2 = Table 6 (10^4 t CO2)', () => {
  it('ND 2035', () => {
    // e.g. 9,236,893 x 0.42 = 3,879,495.06 t = 387.95 x 10^4; 3,440,079 x 120.37 = 414,082,309 t = 41,408.23 x 10^4
    expect(classEmissions(ND, K).map(r2)).toEqual([387.95, -345.04, -1.33, -40.73, -0.9, -0.01, 41408.23]);
    const t = ceCs(classEmissions(ND, K));
    expect(r2(t.budget)).toBe(41408.18); // text of 4.1.3: 41,408.18 x 10^4 t
  });
  it('EP 2035 and the EP - ND difference', () => {
    expect(classEmissions(EP, K).map(r2)).toEqual([380.57, -349.64, -1.31, -42.83, -0.91, -0.01, 40778.89]);
    const nd = ceCs(classEmissions(ND, K)).budget;
    const ep = ceCs(classEmissions(EP, K)).budget;
    expect(r2(ep)).toBe(40764.76);
    expect(r2(nd - ep)).toBe(643.42); // "reduce ... by 643.42 x 10^4 tons"
  });
  it('a negative area is an error', () => {
    expect(() => classEmissions([1, -2], [1, 1])).toThrow('class 2: a negative area -2 ha, expected >= 0');
  });
});

describe('units', () => {
  it('tC <-> tCO2 with 44/12, parsed from labels', () => {
    expect(unitFactor('tC', 'tCO2')).toBe(44 / 12);
    expect(unitFactor('tCO2', 'tC')).toBe(1 / CO2_PER_C);
    expect(unitFactor('tC', 'tC')).toBe(1);
    expect(parseCarbonUnit('tCO2/ha/yr', 'x')).toBe('tCO2');
    expect(parseCarbonUnit('tC', 'x')).toBe('tC');
    expect(() => parseCarbonUnit('kg', 'C.csv: row 1, column "unit"')).toThrow('C.csv: row 1, column "unit": unknown carbon unit "kg", expected tC or tCO2');
  });
});

const GRID: Grid = { width: 5, height: 4, transform: [0, 30, 0, 120, 0, -30], crs: { epsg: 32650 }, nodata: null };
const PA = 0.09; // 30 m x 30 m = 900 m2 = 0.09 ha
const ras = (data: number[], nodata: number | null = null): Raster => ({ grid: { ...GRID, nodata }, dtype: 'uint8', data: Uint8Array.from(data) });
// codes: 1 cropland 0.42, 2 forest -0.62, 5 built-up 120.37, 255 NoData
const LU = ras([1, 1, 2, 2, 5, 1, 2, 2, 5, 5, 255, 1, 1, 2, 2, 5, 5, 1, 2, 255], 255);
const Z = ras([1, 1, 1, 2, 2, 1, 1, 1, 2, 2, 1, 1, 3, 3, 3, 0, 0, 3, 3, 3], 0);
const COEF = parseCoefficientTable(parseCsv('code,name,coefficient,unit\n1,cropland,0.42,tCO2\n2,forest,-0.62,tCO2\n5,built-up,120.37,tCO2\n', 'C.csv'));

function independentPerZone(map: Float64Array, zones: Uint8Array): Map<number, { ce: number; cs: number }> {
  const m = new Map<number, { ce: number; cs: number }>();
  for (let i = 0; i < map.length; i++) {
    if (zones[i] === 0 || map[i] === CARBON_NODATA) continue;
    const e = m.get(zones[i]) ?? { ce: 0, cs: 0 };
    if (map[i] > 0) e.ce += map[i];
    else e.cs -= map[i];
    m.set(zones[i], e);
  }
  return m;
}

describe('carbonEmissions on rasters', () => {
  it('per-cell map = coefficient x pixel area; by_class areas and emissions', async () => {
    const r = await carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: COEF, pixelAreaHa: PA });
    expect(r.unit).toBe('tCO2');
    expect(r.map.data[0]).toBe(0.42 * 0.09);
    expect(r.map.data[4]).toBe(120.37 * 0.09);
    expect(r.map.data[10]).toBe(CARBON_NODATA);
    // counts: code 1 x6, code 2 x7, code 5 x5 (18 valid cells)
    expect(r.byClass.map((c) => [c.code, c.name, c.cells])).toEqual([[1, 'cropland', 6], [2, 'forest', 7], [5, 'built-up', 5]]);
    expect(r.byClass[1].areaHa).toBeCloseTo(0.63, 12); // 7 x 0.09
    expect(r.byClass[1].emission).toBeCloseTo(-0.3906, 12); // 0.63 x -0.62
    expect(r.byUnit).toBeNull();
  });

  it('per-unit CE/CS equal an independent sum over the emission raster', async () => {
    const r = await carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: COEF, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif' });
    const ind = independentPerZone(r.map.data, Z.data as Uint8Array);
    expect(r.byUnit!.map((u) => u.unit)).toEqual([1, 2, 3]);
    for (const u of r.byUnit!) {
      expect(u.ce).toBeCloseTo(ind.get(u.unit)!.ce, 10);
      expect(u.cs).toBeCloseTo(ind.get(u.unit)!.cs, 10);
      expect(u.budget).toBeCloseTo(u.ce - u.cs, 12);
    }
    // unit 2: cells 3 (forest), 4 (built-up), 8 (built-up), 9 (built-up): CE = 3 x 0.09 x 120.37, CS = 0.09 x 0.62
    expect(r.byUnit![1].ce).toBeCloseTo(3 * 0.09 * 120.37, 10);
    expect(r.byUnit![1].cs).toBeCloseTo(0.09 * 0.62, 12);
    expect(r.cellsOutsideUnits).toBe(2); // cells 15, 16: zone NoData, land use 5 and 5
    // class totals include the cells outside units (not regional)
    expect(r.byClass[2].emission).toBeCloseTo(5 * 0.09 * 120.37, 10);
  });

  it('region-specific coefficients (seed 001 built-up: North 81.2, Central-South 46.5 t/hm2) via the unit table', async () => {
    const C = parseCoefficientTable(parseCsv('code,name,coefficient,region\n1,cropland,0.497,\n2,forest,-0.581,\n5,built-up,81.2,North\n5,built-up,46.5,Central-South\n', 'C1.csv'), 'tC');
    const units = parseUnitRegions(parseCsv('unit,region\n1,North\n2,Central-South\n3,North\n', 'U.csv'));
    const r = await carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: C, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif', units, unitsName: 'U.csv' });
    expect(r.byUnit![1].region).toBe('Central-South');
    expect(r.byUnit![1].ce).toBeCloseTo(3 * 0.09 * 46.5, 10);
    expect(r.byUnit![0].ce).toBeCloseTo(4 * 0.09 * 0.497, 12); // unit 1: cells 0,1,5,11 cropland, 2,6,7 forest, 10 NoData
    expect(r.byUnit![2].cs).toBeCloseTo(3 * 0.09 * 0.581, 12); // unit 3: cells 12,17 cropland, 13,14,18 forest, 19 NoData
    // cells outside units have no region: NoData in the map, reported
    expect(r.map.data[15]).toBe(CARBON_NODATA);
    expect(r.cellsOutsideUnits).toBe(2);
    const ind = independentPerZone(r.map.data, Z.data as Uint8Array);
    for (const u of r.byUnit!) expect(u.ce).toBeCloseTo(ind.get(u.unit)!.ce, 10);
    // converted to t CO2 only when asked
    const c = await carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: C, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif', units, unitsName: 'U.csv', outUnit: 'tCO2' });
    expect(c.unit).toBe('tCO2');
    expect(c.byUnit![1].ce).toBeCloseTo((3 * 0.09 * 46.5 * 44) / 12, 9);
  });

  it('validation: code with no row, unit missing from the unit table, unknown region, unconvertible unit, float land use', async () => {
    const C2 = parseCoefficientTable(parseCsv('code,name,coefficient\n1,cropland,0.42\n2,forest,-0.62\n', 'C.csv'));
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: C2, pixelAreaHa: PA })).rejects.toThrow('L.tif: land-use codes 5 have no row in C.csv');
    const units = parseUnitRegions(parseCsv('unit,region\n1,\n2,\n', 'U.csv'));
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: COEF, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif', units, unitsName: 'U.csv' })).rejects.toThrow('Z.tif: units 3 are missing from U.csv');
    const CR = parseCoefficientTable(parseCsv('code,name,coefficient,region\n1,a,1,\n2,b,1,\n5,c,2,North\n', 'C.csv'));
    const bad = parseUnitRegions(parseCsv('unit,region\n1,Nroth\n2,North\n3,North\n', 'U.csv'));
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: CR, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif', units: bad, unitsName: 'U.csv' })).rejects.toThrow('U.csv: unit 1 has region "Nroth", which no row of C.csv names (regions: North)');
    const none = parseUnitRegions(parseCsv('unit,region\n1,\n2,North\n3,North\n', 'U.csv'));
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: CR, pixelAreaHa: PA, zones: Z, zonesName: 'Z.tif', units: none, unitsName: 'U.csv' })).rejects.toThrow('L.tif: land-use codes 5 have no row in C.csv for region "(none)" of unit 1');
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: CR, pixelAreaHa: PA })).rejects.toThrow('has region-specific coefficients: give --zones and --units');
    await expect(carbonEmissions(engine, { landuse: LU, landuseName: 'L.tif', coefficients: C2, pixelAreaHa: PA, outUnit: 'tC' })).rejects.toThrow('--unit tC: C.csv does not state its unit');
    const f: Raster = { grid: GRID, dtype: 'float32', data: new Float32Array(20) };
    await expect(carbonEmissions(engine, { landuse: f, landuseName: 'L.tif', coefficients: COEF, pixelAreaHa: PA })).rejects.toThrow('L.tif: land-use raster must hold integer codes, found float32');
    expect(() => parseCoefficientTable(parseCsv('code,name,coefficient\n1,a,x\n', 'C.csv'))).toThrow('C.csv: row 1 (code 1), column "coefficient": expected a number, got "x"');
    expect(() => parseCoefficientTable(parseCsv('code,name,coefficient\n1,a,1\n1,b,2\n', 'C.csv'))).toThrow('C.csv: row 2: duplicate coefficient for code 1');
    expect(() => parseUnitRegions(parseCsv('unit,region\nA,x\n', 'U.csv'))).toThrow('U.csv: row 1, column "unit": expected an integer zone id, got "A"');
  });
});
