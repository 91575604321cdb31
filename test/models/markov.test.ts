import { describe, it, expect } from 'vitest';
import { itShared } from '../shared-data.js';
import fc from 'fast-check';
import { fromFile } from 'geotiff';
import {
  ECOLOGICAL_SCENARIO,
  adjustMatrix,
  canonicalClassName,
  checkMatrix,
  largestRemainder,
  markovDemand,
  parseClassTable,
  parseScenario,
  projectSteps,
  projectToYear,
  transitions,
  transitionsFromCounts,
} from '../../src/models/markov.js';

const PIE = '../shared/data/pie/';

// Reads one band with geotiff.js (the engine's readRaster is tested in test/io).
async function readTif(p: string): Promise<{ data: Uint8Array; nodata: number | null }> {
  const img = await (await fromFile(p)).getImage();
  const [data] = (await img.readRasters()) as unknown as Uint8Array[];
  return { data, nodata: img.getGDALNoData() };
}

// 2-class chain. t0: 4 cells of class 1, 6 of class 2 (+ NoData cells that are skipped).
//   class 1: 3 stay, 1 -> 2           => P_1 = [3/4, 1/4]
//   class 2: 3 -> 1, 3 stay           => P_2 = [3/6, 3/6]
// t1 composition a = [3 + 3, 1 + 3] = [6, 4]
const ND = 255;
const T0 = Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 2, 2, ND, 1]);
const T1 = Uint8Array.from([1, 1, 1, 2, 1, 1, 1, 2, 2, 2, 1, ND]);

describe('transition counts and matrix', () => {
  it('2-class chain: counts, probabilities, compositions; cells NoData in either map skipped', () => {
    const tr = transitions(T0, T1, { nodataFrom: ND, nodataTo: ND });
    expect(tr.codes).toEqual([1, 2]);
    expect(tr.counts).toEqual([[3, 1], [3, 3]]);
    expect(tr.matrix).toEqual([[0.75, 0.25], [0.5, 0.5]]);
    expect(tr.from).toEqual([4, 6]);
    expect(tr.to).toEqual([6, 4]);
    expect(tr.validCells).toBe(10); // 12 cells - 2 NoData in one of the maps
    expect(tr.warnings).toEqual([]);
  });

  it('generic path (Float32 maps, NoData -3.4e38) gives the same counts as the lookup-table path', () => {
    const f0 = Float32Array.from(T0, (v) => (v === ND ? -3.4e38 : v));
    const f1 = Float32Array.from(T1, (v) => (v === ND ? -3.4e38 : v));
    const tr = transitions(f0, f1, { nodataFrom: -3.4e38, nodataTo: -3.4e38 });
    expect(tr.counts).toEqual([[3, 1], [3, 3]]);
  });

  it('a class absent at t0 gives an all-zero row, reported, never divided', () => {
    // t0 = 1 1 2 2, t1 = 1 3 2 2: class 3 only appears at t1
    const tr = transitions(Uint8Array.from([1, 1, 2, 2]), Uint8Array.from([1, 3, 2, 2]), { codes: [1, 2, 3] });
    expect(tr.counts).toEqual([[1, 0, 1], [0, 2, 0], [0, 0, 0]]);
    expect(tr.matrix[2]).toEqual([0, 0, 0]);
    expect(tr.warnings).toEqual([{ kind: 'zero-row', code: 3, message: 'class 3 has no cells at t0: its transition row is all zero (not estimated)' }]);
    expect(tr.matrix.flat().every(Number.isFinite)).toBe(true);
  });

  it('unknown class code: InputError naming the file, value, row and column', () => {
    expect(() =>
      transitions(Uint8Array.from([1, 2, 7, 1]), Uint8Array.from([1, 1, 1, 1]), { codes: [1, 2], nameFrom: 'a.tif', width: 2 }),
    ).toThrow('a.tif: value 7 at row 1, column 0 is not one of the class codes 1, 2');
    expect(() => transitions(Uint8Array.from([1, 2]), Uint8Array.from([1, 9]), { codes: [1, 2], nameTo: 'b.tif' })).toThrow(
      'b.tif: value 9 at cell 1 is not one of the class codes 1, 2',
    );
  });

  it('maps of different lengths, duplicate codes: errors', () => {
    expect(() => transitions(new Uint8Array(3), new Uint8Array(4), { nameFrom: 'a.tif', nameTo: 'b.tif' })).toThrow('b.tif: 4 cells do not match a.tif 3 cells');
    expect(() => transitions(new Uint8Array(3), new Uint8Array(3), { codes: [0, 0] })).toThrow('class codes: class code 0 appears twice');
  });

  it('property: runs of equal cells (word-at-a-time path), NoData 0 in one map and 4 in the other', () => {
    const run = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 40 }), (runs) => {
        const t = runs.flatMap(([a, b, len]) => Array.from({ length: len }, () => [a, b] as const));
        const a = Uint8Array.from(t.map((x) => x[0])), b = Uint8Array.from(t.map((x) => x[1]));
        // codes 1..3; a 4 in the first map or a 0 in the second is not a code
        const bad = t.findIndex(([x, y]) => x === 4 || y === 0);
        const f = () => transitions(a, b, { codes: [1, 2, 3], nodataFrom: 0, nodataTo: 4 });
        if (bad >= 0) {
          expect(f).toThrow(`at cell ${bad} is not one of the class codes 1, 2, 3`);
          return;
        }
        const counts = [0, 1, 2].map(() => [0, 0, 0]);
        for (const [x, y] of t) if (x !== 0 && y !== 4) counts[x - 1][y - 1]++;
        expect(f().counts).toEqual(counts);
      }),
      { numRuns: 300 },
    );
  });

  it('property: counts sum to the valid cells; rows of P sum to 1 or are zero', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 200 }), (pairs) => {
        // 4 plays NoData
        const a = Uint8Array.from(pairs.map((p) => p[0]));
        const b = Uint8Array.from(pairs.map((p) => p[1]));
        const tr = transitions(a, b, { codes: [0, 1, 2, 3], nodataFrom: 4, nodataTo: 4 });
        const valid = pairs.filter((p) => p[0] !== 4 && p[1] !== 4).length;
        expect(tr.validCells).toBe(valid);
        for (const row of tr.matrix) {
          const s = row.reduce((x, y) => x + y, 0);
          expect(s === 0 || Math.abs(s - 1) < 1e-12).toBe(true);
        }
      }),
    );
  });
});

describe('projection', () => {
  const P = [[0.75, 0.25], [0.5, 0.5]];
  const a = [6, 4];
  const base = { composition: a, matrix: P, codes: [1, 2], t0: 2000, t1: 2010 };

  it('1 and 2 whole steps', () => {
    // 1 step: [6*.75 + 4*.5, 6*.25 + 4*.5] = [6.5, 3.5]
    expect(projectToYear({ ...base, targetYear: 2020 }).expected).toEqual([6.5, 3.5]);
    // 2 steps: [6.5*.75 + 3.5*.5, 6.5*.25 + 3.5*.5] = [4.875 + 1.75, 1.625 + 1.75] = [6.625, 3.375]
    const p = projectToYear({ ...base, targetYear: 2030 });
    expect(p.expected).toEqual([6.625, 3.375]);
    expect(p.steps).toBe(2);
    expect(p.interpolated).toBe(false);
    expect(p.notes).toEqual([]);
    expect(projectSteps(a, P, 0)).toEqual([6, 4]);
  });

  it('1.5 steps: interpolated between 1 and 2 steps, and reported', () => {
    // 0.5 * [6.5, 3.5] + 0.5 * [6.625, 3.375] = [6.5625, 3.4375]
    const p = projectToYear({ ...base, targetYear: 2025 });
    expect(p.expected).toEqual([6.5625, 3.4375]);
    expect(p.interpolated).toBe(true);
    expect(p.steps).toBe(1.5);
    expect(p.weight).toBe(0.5);
    expect(p.lower).toEqual({ steps: 1, year: 2020, expected: [6.5, 3.5] });
    expect(p.upper).toEqual({ steps: 2, year: 2030, expected: [6.625, 3.375] });
    expect(p.notes).toEqual([
      'target year 2025 is 15/10 = 1.5 intervals of 10 years after 2010: interpolated linearly between 2020 (1 step) and 2030 (2 steps) with weight 0.5 on 2030',
    ]);
  });

  it('a zero row with cells at t1: those cells stay in their class, with a warning', () => {
    // P = [[.5, 0, .5], [0, 1, 0], [0, 0, 0]], a = [1, 2, 1]; row 3 taken as [0, 0, 1]
    // a P' = [1*.5, 2*1, 1*.5 + 1*1] = [0.5, 2, 1.5] (sum 4 kept)
    const p = projectToYear({ composition: [1, 2, 1], matrix: [[0.5, 0, 0.5], [0, 1, 0], [0, 0, 0]], codes: [1, 2, 3], t0: 0, t1: 1, targetYear: 2 });
    expect(p.expected).toEqual([0.5, 2, 1.5]);
    expect(p.warnings[0].kind).toBe('zero-row-persist');
    expect(p.warnings[0].message).toContain('class 3 has no transition row (absent at t0) but 1 cells at t1');
  });

  it('validation: years', () => {
    expect(() => projectToYear({ ...base, targetYear: 2005 })).toThrow('target year 2005 is before t1 = 2010; projection runs forward from t1');
    expect(() => projectToYear({ ...base, t0: 2010, targetYear: 2020 })).toThrow('years: t1 (2010) must be after t0 (2010)');
    expect(() => projectToYear({ ...base, targetYear: 2020.5 })).toThrow('target year: expected a whole year, got 2020.5');
    expect(() => projectSteps(a, P, 1.5)).toThrow('projection: steps must be a whole number >= 0, got 1.5');
  });
});

describe('largest remainders', () => {
  it('hand-checked roundings with exact totals', () => {
    // floors [3, 3, 3] = 9, 1 left -> largest fraction .4 (class 3)
    expect(largestRemainder([3.3, 3.3, 3.4], 10)).toEqual([3, 3, 4]);
    // floors [2, 2, 5] = 9, fractions .5 = .5 tie -> earlier class
    expect(largestRemainder([2.5, 2.5, 5], 10)).toEqual([3, 2, 5]);
    // 10/3 each: floors 9, all fractions equal -> the first class
    expect(largestRemainder([10 / 3, 10 / 3, 10 / 3], 10)).toEqual([4, 3, 3]);
    // 2-class chain at 2 steps: [6.625, 3.375] -> floors [6, 3], .625 wins -> [7, 3]
    expect(largestRemainder([6.625, 3.375], 10)).toEqual([7, 3]);
    expect(largestRemainder([0, 0], 0)).toEqual([0, 0]);
  });

  it('property: the sum is exact and every value moves by less than one cell', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1_000_000 }), (w, total) => {
        const sw = w.reduce((a, b) => a + b, 0);
        const v = sw === 0 ? w.map((_, k) => (k === 0 ? total : 0)) : w.map((x) => (x / sw) * total);
        const r = largestRemainder(v, total);
        expect(r.reduce((a, b) => a + b, 0)).toBe(total);
        r.forEach((x, k) => expect(Math.abs(x - v[k])).toBeLessThan(1));
      }),
    );
  });

  it('validation messages', () => {
    expect(() => largestRemainder([1, 2], 4, 'demand 2030')).toThrow('demand 2030: values sum to 3, expected 4 cells');
    expect(() => largestRemainder([-1, 2], 1)).toThrow('demand: value -1 of class index 0 is not a finite number >= 0');
    expect(() => largestRemainder([NaN, 2], 2)).toThrow('demand: value NaN of class index 0 is not a finite number >= 0');
    expect(() => largestRemainder([1.5, 1], 2.5)).toThrow('demand: total 2.5 is not a whole number of cells >= 0');
  });
});

describe('scenarios', () => {
  const classes = parseClassTable('1=Cultivated land,2=Forest,3=Built-up land');
  const P = [
    [0.7, 0.1, 0.2],
    [0.05, 0.85, 0.1],
    [0, 0, 1],
  ];

  it('class names and aliases', () => {
    expect(classes.map((c) => canonicalClassName(c.name))).toEqual(['cropland', 'forest', 'built']);
    expect(canonicalClassName('Water body')).toBe('water');
    expect(canonicalClassName('other')).toBe('other');
  });

  it('ecological protection: multiply, renormalise, report skipped classes', () => {
    const r = adjustMatrix(P, [1, 2, 3], ECOLOGICAL_SCENARIO, classes);
    // cropland row: forest x 1.6 -> [0.7, 0.16, 0.2], sum 1.06 -> [0.7/1.06, 0.16/1.06, 0.2/1.06]
    const crop = [0.7 / 1.06, 0.16 / 1.06, 0.2 / 1.06];
    // forest row: built x 0.8 -> [0.05, 0.85, 0.08], sum 0.98 -> [0.05/0.98, 0.85/0.98, 0.08/0.98]
    const forest = [0.05 / 0.98, 0.85 / 0.98, 0.08 / 0.98];
    r.matrix[0].forEach((v, j) => expect(v).toBeCloseTo(crop[j], 14));
    r.matrix[1].forEach((v, j) => expect(v).toBeCloseTo(forest[j], 14));
    expect(r.matrix[2]).toEqual([0, 0, 1]);
    for (const row of r.matrix) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    expect(r.applied.map((a) => [a.from, a.to, a.factor])).toEqual([[1, 2, 1.6], [2, 3, 0.8]]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'scenario "ecological": no class "shrub" in the class table (1=Cultivated land, 2=Forest, 3=Built-up land): its adjustments are skipped',
      'scenario "ecological": no class "grass" in the class table (1=Cultivated land, 2=Forest, 3=Built-up land): its adjustments are skipped',
      'scenario "ecological": no class "water" in the class table (1=Cultivated land, 2=Forest, 3=Built-up land): its adjustments are skipped',
    ]);
  });

  it('works for any code layout (codes 10/20/30 with the same names)', () => {
    const cl = parseClassTable('30=built,10=cropland,20=forest');
    const r = adjustMatrix(P, [10, 20, 30], ECOLOGICAL_SCENARIO, cl);
    expect(r.matrix[0][1]).toBeCloseTo(0.16 / 1.06, 14);
  });

  it('factors compose when pairs repeat; a zero row stays zero and is reported', () => {
    const { scenario } = parseScenario({ name: 'x', adjustments: [{ from: 1, to: 2, factor: 2 }, { from: '1', to: [2], factor: 2 }] }, 's.json');
    const r = adjustMatrix([[0.5, 0.5], [0, 0]], [1, 2], scenario);
    // [0.5, 0.5 * 4] = [0.5, 2], sum 2.5 -> [0.2, 0.8]
    expect(r.matrix).toEqual([[0.2, 0.8], [0, 0]]);
    expect(r.warnings.map((w) => w.kind)).toEqual(['zero-row']);
  });

  it('validation: unknown class in a scenario file, negative factor, bad rows', () => {
    const { scenario } = parseScenario({ adjustments: [{ from: 'wetland', to: 'built', factor: 0.5 }] }, 'ep.json');
    expect(() => adjustMatrix(P, [1, 2, 3], scenario, classes)).toThrow(
      'scenario "ep.json": adjustment 1: unknown class "wetland" (classes: 1, 2, 3; names: 1=Cultivated land, 2=Forest, 3=Built-up land)',
    );
    const code9 = parseScenario({ adjustments: [{ from: 9, to: 1, factor: 0.5 }] }, 'c.json').scenario;
    expect(() => adjustMatrix(P, [1, 2, 3], code9, classes)).toThrow('scenario "c.json": adjustment 1: unknown class 9');
    expect(() => parseScenario({ adjustments: [{ from: 1, to: 2, factor: -0.5 }] }, 'n.json')).toThrow('n.json: adjustments[0]: factor -0.5 is negative (expected >= 0)');
    expect(() => adjustMatrix(P, [1, 2, 3], { name: 'api', adjustments: [{ from: 1, to: 2, factor: -1 }] }, classes)).toThrow(
      'scenario "api": adjustment 1: factor -1 is negative (expected >= 0)',
    );
    expect(() => adjustMatrix(P, [1, 2, 3], { name: 'api', adjustments: [{ from: 1, to: 2, factor: Infinity }] }, classes)).toThrow(
      'scenario "api": adjustment 1: factor Infinity is not a finite number',
    );
    expect(() => checkMatrix([[0.5, 0.4], [0, 1]], [1, 2], 'm.json')).toThrow('m.json: row of class 1 sums to 0.9, expected 1');
    expect(() => checkMatrix([[1.5, -0.5], [0, 1]], [1, 2], 'm.json')).toThrow('m.json: P[1][1] = 1.5 is not a probability in [0, 1]');
    expect(() => checkMatrix([[1, 0]], [1, 2], 'm.json')).toThrow('m.json: expected a 2x2 matrix for classes 1, 2');
  });

  it('validation: scenario file shape, class tables', () => {
    expect(() => parseScenario([], 'a.json')).toThrow('a.json: expected a JSON object with "adjustments"');
    expect(() => parseScenario({ adjustments: [], foo: 1 }, 'a.json')).toThrow('a.json: unknown key "foo" (expected name, description, adjustments, classes)');
    expect(() => parseScenario({ adjustments: 3 }, 'a.json')).toThrow('a.json: "adjustments" must be a list of {from, to, factor}');
    expect(() => parseScenario({ adjustments: [{ from: 1.5, to: 2, factor: 1 }] }, 'a.json')).toThrow(
      'a.json: adjustments[0]: "from" must be a class name or code or a list of them, got 1.5',
    );
    expect(() => parseScenario({ adjustments: [{ from: 1, to: 2, factor: '2' }] }, 'a.json')).toThrow('a.json: adjustments[0]: "factor" must be a finite number, got "2"');
    expect(() => parseScenario({ adjustments: [], classes: { x: 'forest' } }, 'a.json')).toThrow('a.json: classes: expected "<code>": "<name>", got "x": "forest"');
    const withClasses = parseScenario({ adjustments: [], classes: { 2: 'built', 1: 'forest' } }, 'a.json');
    expect(withClasses.classes).toEqual([{ code: 1, name: 'forest' }, { code: 2, name: 'built' }]);
    expect(() => parseClassTable('1=forest,forest')).toThrow('--classes: expected code=name pairs like "1=forest,2=built", got "forest"');
    expect(() => parseClassTable('1=forest,1=built')).toThrow('--classes: class code 1 appears twice');
    expect(() => parseClassTable('1=forest,2=Forest land')).toThrow('--classes: classes 1 and 2 have the same name "forest"');
  });
});

describe('Markov demand end to end', () => {
  it('2-class chain: demand per target year sums to the valid cells', () => {
    const tr = transitions(T0, T1, { nodataFrom: ND, nodataTo: ND });
    const md = markovDemand(tr, { t0: 2000, t1: 2010, targetYears: [2020, 2025, 2030] });
    // [6.5, 3.5] -> tie .5/.5 -> [7, 3]; [6.5625, 3.4375] -> [7, 3]; [6.625, 3.375] -> [7, 3]
    expect(md.projections.map((p) => p.demand)).toEqual([[7, 3], [7, 3], [7, 3]]);
    expect(md.notes).toHaveLength(1);
    expect(() => markovDemand(tr, { t0: 2000, t1: 2010, targetYears: [2030, 2020] })).toThrow('target years: must increase, got 2030 then 2020');
  });

  itShared('pie 1985 -> 1991: counts, matrix, 1999 demand', async () => {
    const a = await readTif(PIE + 'lu_pie_1985.tif');
    const b = await readTif(PIE + 'lu_pie_1991.tif');
    const tr = transitions(a.data, b.data, { nodataFrom: a.nodata, nodataTo: b.nodata });
    expect(tr.codes).toEqual([1, 2, 3]);
    expect(tr.from).toEqual([49013, 37122, 27428]); // the data README's 1985 counts
    expect(tr.validCells).toBe(113563); // 49013 + 37122 + 27428
    expect(tr.counts).toEqual([
      [46672, 1926, 415], // 46672 + 1926 + 415 = 49013
      [0, 37085, 37], //         37085 + 37 = 37122
      [359, 1339, 25730], // 359 + 1339 + 25730 = 27428
    ]);
    expect(tr.to).toEqual([47031, 40350, 26182]);
    expect(tr.matrix[0][1]).toBeCloseTo(1926 / 49013, 15);
    // 1999 is 8/6 = 1.333 intervals after 1991: interpolated between 1997 and 2003
    const md = markovDemand(tr, { t0: 1985, t1: 1991, targetYears: [1999] });
    const p = md.projections[0];
    expect(p.interpolated).toBe(true);
    expect(p.demand).toEqual([44518, 44420, 24625]);
    expect(p.demand.reduce((x, y) => x + y, 0)).toBe(113563);
    // whole steps: 1997 = a P, 2003 = a P^2
    expect(p.lower!.expected.map(Math.round)).toEqual([45127, 43436, 25000]);
    expect(p.upper!.expected.map(Math.round)).toEqual([43299, 46387, 23877]);
    expect(transitionsFromCounts(tr.codes, tr.counts).matrix).toEqual(tr.matrix);
  });
});
