import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { polygonize, ringArea } from '../../../src/pipeline/report/polygonize.js';

/** Even-odd point-in-polygon of a cell centre against all rings of a zone. */
function covers(polys: Array<Array<Array<[number, number]>>>, x: number, y: number): boolean {
  let c = false;
  for (const p of polys) for (const r of p) {
    for (let i = 0, j = r.length - 2; i < r.length - 1; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
  }
  return c;
}

describe('polygonize (zone raster -> polygons)', () => {
  it('a hand-checkable 4x4 grid: areas equal cell counts, a hole, a corner-touching part, NoData left out', () => {
    const d = new Float64Array([
      1, 1, 2, 2,
      1, 3, 3, 2,
      1, 3, 1, 2,
      0, 1, 2, 1,
    ]);
    const z = polygonize(d, 4, 4, 0);
    expect(z.map((p) => p.code)).toEqual([1, 2, 3]);
    // zone 1: (0,0) (1,0) (0,1) (0,2) (an L of 4) + (2,2) + (1,3) + (3,3) = 7 cells
    expect(z[0].cells).toBe(7);
    for (const p of z) expect(p.polygons.reduce((a, poly) => a + poly.reduce((s, r) => s + ringArea(r), 0), 0)).toBe(p.cells);
    // (2,2), (1,3) and (3,3) touch the L and each other only at corners: 1 + 3 = 4 polygons
    expect(z[0].polygons.length).toBe(4);
    // zone 3 is one L of 3 cells: one ring, 6 vertices + closing point (collinear ones dropped)
    expect(z[2].polygons).toEqual([[[[1, 1], [3, 1], [3, 2], [2, 2], [2, 3], [1, 3], [1, 1]]]]);
  });

  it('a zone with a hole: outer ring clockwise on screen (area > 0), hole counter-clockwise (< 0)', () => {
    const d = new Uint8Array([
      1, 1, 1,
      1, 2, 1,
      1, 1, 1,
    ]);
    const z = polygonize(d, 3, 3, null);
    expect(z[0].polygons.length).toBe(1);
    expect(z[0].polygons[0].map(ringArea)).toEqual([9, -1]); // 9 - 1 = 8 cells of zone 1
    expect(z[1].polygons[0].map(ringArea)).toEqual([1]);
    expect(z[1].centroid).toEqual([1.5, 1.5]);
  });

  it('random rasters: every zone area equals its cell count and every cell centre is covered by its zone only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.infiniteStream(fc.integer({ min: 0, max: 3 })), (w, h, s) => {
        const it = s[Symbol.iterator]();
        const d = new Int32Array(w * h).map(() => it.next().value as number);
        const z = polygonize(d, w, h, 0);
        for (const p of z) {
          expect(p.polygons.reduce((a, poly) => a + poly.reduce((q, r) => q + ringArea(r), 0), 0)).toBe(p.cells);
          for (const poly of p.polygons) expect(ringArea(poly[0])).toBeGreaterThan(0);
          for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) expect(covers(p.polygons, c + 0.5, r + 0.5)).toBe(d[r * w + c] === p.code);
        }
      }),
      { numRuns: 300 },
    );
  });
});
