import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  contiguityFromZones, distanceBandWeights, fromPairs, includeSelf, islands, knnWeights, readGal, readGwt,
  transformWeights, writeGal, writeGwt, zoneAdjacency,
} from '../../src/models/stats/weights.js';
import { parseCsv, stringColumn, numberColumn } from '../../src/io/table.js';
import { InputError } from '../../src/errors.js';

const golden = (f: string) => readFileSync(new URL(`../golden/${f}`, import.meta.url), 'utf8');
const R = JSON.parse(golden('spdep_golden.json'));

describe('zone adjacency (contiguity from a zone raster)', () => {
  // 3 x 3 zone raster:      1 1 2
  //                         3 4 2
  //                         3 3 5
  // rook pairs: 1-2, 1-4, 1-3, 2-4, 2-5, 3-4, 3-5, 4-3; 4-5? (row 1 col 1 = 4, below = 3, right = 2) -> no 4-5 edge
  // queen adds the corner contacts 4-5 ((1,1)-(2,2)) and 2-3 ((1,2)-(2,1)); the other diagonals repeat rook pairs
  const data = Int32Array.from([1, 1, 2, 3, 4, 2, 3, 3, 5]);
  it('rook: cells sharing an edge; codes sorted; each pair once', () => {
    const a = zoneAdjacency(data, 3, 3, null, 'rook');
    expect(Array.from(a.codes)).toEqual([1, 2, 3, 4, 5]);
    const pairs = [];
    for (let p = 0; p < a.pairs.length; p += 2) pairs.push(`${a.codes[a.pairs[p]]}-${a.codes[a.pairs[p + 1]]}`);
    expect(pairs).toEqual(['1-2', '1-3', '1-4', '2-4', '2-5', '3-4', '3-5']);
    expect(Array.from(a.cells)).toEqual([2, 2, 3, 1, 1]);
  });
  it('queen adds corner contacts (2-3, 4-5)', () => {
    const a = zoneAdjacency(data, 3, 3, null, 'queen');
    const pairs = [];
    for (let p = 0; p < a.pairs.length; p += 2) pairs.push(`${a.codes[a.pairs[p]]}-${a.codes[a.pairs[p + 1]]}`);
    expect(pairs).toEqual(['1-2', '1-3', '1-4', '2-3', '2-4', '2-5', '3-4', '3-5', '4-5']);
  });
  it('NoData cells separate zones (float32 NoData compared as fround)', () => {
    const f = Float32Array.from([1, -3.4e38, 2, 1, -3.4e38, 2]);
    const a = zoneAdjacency(f, 3, 2, -3.4e38, 'queen');
    expect(Array.from(a.codes)).toEqual([1, 2]);
    expect(a.pairs.length).toBe(0);
  });

  for (const rule of ['rook', 'queen'] as const) {
    it(`${rule}: pairs equal R's independent shift-compare on the 40 x 28 golden raster; island zone 999 found`, () => {
      const g = JSON.parse(golden('zones_grid.json'));
      const adj = zoneAdjacency(Float64Array.from(g.data), g.width, g.height, g.nodata, rule);
      const ours: number[][] = [];
      for (let p = 0; p < adj.pairs.length; p += 2) ours.push([adj.codes[adj.pairs[p]], adj.codes[adj.pairs[p + 1]]]);
      expect(ours).toEqual(R[`zones_${rule}`].pairs);
      const t = parseCsv(golden('zones.csv'), 'zones.csv');
      const w = contiguityFromZones(stringColumn(t, 'zone'), adj, rule, 'zones.tif', 'zones.csv');
      expect(islands(w).map((i) => w.ids[i])).toEqual(['999']);
    });
  }

  it('the dense-bitmap path (<= 4096 zones) and the hash path agree on random rasters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 81, maxLength: 81 }), (w, h, vals) => {
        const data = Int32Array.from(vals.slice(0, w * h));
        for (const rule of ['rook', 'queen'] as const) {
          const a = zoneAdjacency(data, w, h, 0, rule);
          // brute force: every pair of touching cells
          const set = new Set<string>();
          for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
            for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
              if ((dr === 0 && dc === 0) || (rule === 'rook' && dr !== 0 && dc !== 0)) continue;
              const rr = r + dr, cc = c + dc;
              if (rr < 0 || cc < 0 || rr >= h || cc >= w) continue;
              const x = data[r * w + c], y = data[rr * w + cc];
              if (x === 0 || y === 0 || x === y) continue;
              set.add(`${Math.min(x, y)}-${Math.max(x, y)}`);
            }
          }
          const got = new Set<string>();
          for (let p = 0; p < a.pairs.length; p += 2) got.add(`${a.codes[a.pairs[p]]}-${a.codes[a.pairs[p + 1]]}`);
          expect(got).toEqual(set);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a zone in the raster without a table row is an error naming it', () => {
    const a = zoneAdjacency(data, 3, 3, null, 'rook');
    expect(() => contiguityFromZones(['1', '2', '3', '4'], a, 'rook', 'z.tif', 't.csv')).toThrow('z.tif: zone code 5 has no row in t.csv');
    expect(() => contiguityFromZones(['1', '2', '3', '4', 'x'], a, 'rook', 'z.tif', 't.csv')).toThrow(/unit id "x" is not a zone code/);
  });
});

describe('GAL / GWT', () => {
  it('reads spdep write.nb.gal output (Columbus queen) and writes it back identically up to the header', () => {
    const t = parseCsv(golden('columbus.csv'), 'columbus.csv');
    const ids = stringColumn(t, 'POLYID');
    const w = readGal(golden('columbus_queen.gal'), 'columbus_queen.gal', ids);
    expect(w.ids.length).toBe(49);
    // spdep: 49 regions, 236 links for columbus queen contiguity
    expect(w.neighbors.reduce((s, n) => s + n.length, 0)).toBe(236);
    const text = writeGal(w);
    const back = readGal(text, 'back.gal', ids);
    expect(back.neighbors.map((n) => Array.from(n))).toEqual(w.neighbors.map((n) => Array.from(n)));
  });
  it('GAL errors: count mismatch, unknown id, short neighbour line', () => {
    const ids = ['a', 'b', 'c'];
    expect(() => readGal('2\na 1\nb\nb 1\na\n', 'w.gal', ids)).toThrow('w.gal: 2 units in the GAL header, the table has 3');
    expect(() => readGal('3\na 1\nz\nb 0\n\nc 0\n', 'w.gal', ids)).toThrow('w.gal: line 3: unit id "z" is not in the table');
    expect(() => readGal('3\na 2\nb\nb 1\na\nc 0\n', 'w.gal', ids)).toThrow('w.gal: line 3: expected 2 neighbour ids for unit a, got 1');
  });
  it('islands are listed with count 0 and read back as empty rows', () => {
    const w = fromPairs(['a', 'b', 'c'], [0, 1], 'test');
    expect(islands(w)).toEqual([2]);
    const back = readGal(writeGal(w), 'x.gal', ['a', 'b', 'c']);
    expect(islands(back)).toEqual([2]);
  });
  it('GWT round trip keeps weights', () => {
    const w = transformWeights(fromPairs(['a', 'b', 'c'], [0, 1, 1, 2], 'test'), 'r');
    const back = readGwt(writeGwt(w), 'x.gwt', ['a', 'b', 'c']);
    expect(Array.from(back.weights[1])).toEqual([0.5, 0.5]);
    const r = transformWeights(back, 'r');
    expect(Array.from(r.weights[0])).toEqual([1]);
  });
});

describe('knn, distance band, transforms', () => {
  const ids = ['a', 'b', 'c', 'd'];
  const x = [0, 1, 3, 7], y = [0, 0, 0, 0];
  it('knn k=1 and k=2 (ties by lower index); asymmetric', () => {
    const w1 = knnWeights(ids, x, y, 1);
    expect(w1.neighbors.map((n) => Array.from(n))).toEqual([[1], [0], [1], [2]]);
    const w2 = knnWeights(ids, x, y, 2);
    expect(w2.neighbors.map((n) => Array.from(n))).toEqual([[1, 2], [0, 2], [0, 1], [1, 2]]);
    expect(() => knnWeights(ids, x, y, 4)).toThrow('--knn 4: needs at least 5 units, the table has 4');
  });
  it('distance band: d = 2 links a-b, b-c; d is inclusive; d is unit of x', () => {
    const w = distanceBandWeights(ids, x, y, 2);
    expect(w.neighbors.map((n) => Array.from(n))).toEqual([[1], [0, 2], [1], []]);
    expect(islands(w)).toEqual([3]);
  });
  it('row standardisation sums rows to 1, islands stay empty; binary puts 1', () => {
    const w = transformWeights(distanceBandWeights(ids, x, y, 2), 'r');
    expect(Array.from(w.weights[1])).toEqual([0.5, 0.5]);
    expect(w.weights[3].length).toBe(0);
    expect(Array.from(transformWeights(w, 'b').weights[1])).toEqual([1, 1]);
  });
  it('includeSelf adds the unit to its own set', () => {
    const w = includeSelf(distanceBandWeights(ids, x, y, 2));
    expect(w.neighbors.map((n) => Array.from(n))).toEqual([[0, 1], [0, 1, 2], [1, 2], [3]]);
  });
  it('non-finite coordinates are an InputError', () => {
    expect(() => knnWeights(ids, [0, NaN, 1, 2], y, 1)).toThrow(InputError);
  });
});

describe('tables', () => {
  it('a quoted WKT column full of commas parses (Columbus polygons)', () => {
    const t = parseCsv(golden('columbus.csv'), 'columbus.csv');
    expect(t.columns).toEqual(['POLYID', 'CRIME', 'HOVAL', 'INC', 'X', 'Y', 'wkt']);
    expect(t.rows.length).toBe(49);
    expect(stringColumn(t, 'wkt')[0]).toMatch(/^POLYGON \(\(8\.624129295 14\.23698044, /);
    expect(numberColumn(t, 'CRIME')[0]).toBe(15.72598);
  });
});
