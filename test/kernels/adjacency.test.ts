import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/tiling/engine.js';
import { zoneAdjacencyKernel } from '../../src/kernels/adjacency.js';
import { zoneAdjacencyRef } from '../../src/kernels/adjacency.ref.js';

// Workers run dist/: run `npx tsc -p tsconfig.json` before this file.
const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => { await e1.close(); await e2.close(); });

const R = JSON.parse(readFileSync(new URL('../golden/spdep_golden.json', import.meta.url), 'utf8'));

describe('zone_adjacency kernel', () => {
  it('3 x 3 example: rook and queen pairs', async () => {
    const z = Int32Array.from([1, 1, 2, 3, 4, 2, 3, 3, 5]);
    const rook = await zoneAdjacencyKernel(e1, z, 3, 3, null, 'rook');
    expect(Array.from(rook.pairs)).toEqual([0, 1, 0, 2, 0, 3, 1, 3, 1, 4, 2, 3, 2, 4]);
    const queen = await zoneAdjacencyKernel(e1, z, 3, 3, null, 'queen');
    expect(Array.from(queen.pairs)).toEqual([0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 1, 4, 2, 3, 2, 4, 3, 4]);
  });

  it('golden 40 x 28 raster: equals the R pairs for 1 and 2 threads and any tile height', async () => {
    const g = JSON.parse(readFileSync(new URL('../golden/zones_grid.json', import.meta.url), 'utf8'));
    const data = Float32Array.from(g.data);
    for (const rule of ['rook', 'queen'] as const) {
      for (const [e, tileRows] of [[e1, 1], [e1, 5], [e2, 3], [e2, 28], [e2, undefined]] as const) {
        const a = await zoneAdjacencyKernel(e, data, g.width, g.height, g.nodata, rule, { tileRows });
        const pairs: number[][] = [];
        for (let p = 0; p < a.pairs.length; p += 2) pairs.push([a.codes[a.pairs[p]], a.codes[a.pairs[p + 1]]]);
        expect(pairs).toEqual(R[`zones_${rule}`].pairs);
      }
    }
  });

  it('property: kernel == reference on random rasters (odd sizes, NoData, float and int codes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 6 }), fc.boolean(),
        fc.array(fc.integer({ min: -1, max: 9 }), { minLength: 143, maxLength: 143 }),
        async (w, h, tileRows, queen, vals) => {
          const data = Float64Array.from(vals.slice(0, w * h), (v) => (v < 0 ? NaN : v * 10 + 0.5));
          const rule = queen ? 'queen' : 'rook';
          const ref = zoneAdjacencyRef(data, w, h, null, rule);
          const k = await zoneAdjacencyKernel(e2, data, w, h, null, rule, { tileRows });
          expect(Array.from(k.codes)).toEqual(Array.from(ref.codes));
          expect(Array.from(k.pairs)).toEqual(Array.from(ref.pairs));
          expect(Array.from(k.cells)).toEqual(Array.from(ref.cells));
        },
      ),
      { numRuns: 80 },
    );
  });
});
