import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { forestPredict, forestPredictRef, validateForest } from '../../src/kernels/forest.js';
import { flattenForest, trainForest } from '../../src/models/forest.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

/** A forest trained on random rows (so every structure is a real one) and random planes with NoData. */
async function makeCase(seed: number, D: number, K: number, W: number, H: number, trees: number) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const n = 40 + Math.floor(u() * 200);
  const X = Float32Array.from({ length: n * D }, () => Math.round(u() * 50) / 5 - 3);
  const y = Uint8Array.from({ length: n }, (_, r) => (X[r * D] > 2 ? 1 : 0) + (K > 2 && u() < 0.3 ? 1 : 0));
  const f = await trainForest(null, { n, D, K, X, y }, { trees, seed, minLeaf: 1 + Math.floor(u() * 3), maxDepth: Math.floor(u() * 6) });
  const flat = flattenForest(f);
  const nodata = Float32Array.from({ length: D }, (_, d) => (d % 2 ? NaN : -9999));
  const planes = Array.from({ length: D }, (_, d) =>
    Float32Array.from({ length: W * H }, () => {
      const r = u();
      if (r < 0.07) return d % 2 ? NaN : -9999;
      if (r < 0.09) return NaN;
      return Math.round(u() * 70) / 5 - 4; // some values exactly on thresholds' neighbours
    }),
  );
  return { flat, planes, nodata };
}

describe('forest_predict kernel', () => {
  it('equals the reference bit for bit on random forests and rasters (NoData, single rows/columns, odd sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 9 }),
        async (seed, D, K, W, H, T) => {
          const { flat, planes, nodata } = await makeCase(seed, D, K, W, H, T);
          validateForest(flat);
          const ref = forestPredictRef({ forest: flat, planes, nodata });
          const [got] = await forestPredict(engine, [{ forest: flat }], planes, nodata, W, H, { tileRows: 1 + (seed % 5) });
          for (let k = 0; k < K; k++) expect(Buffer.from(got[k].buffer).equals(Buffer.from(ref[k].buffer))).toBe(true);
          const sub = forestPredictRef({ forest: flat, planes, nodata, kFirst: K - 1, kOut: 1 });
          const [g2] = await forestPredict(engine, [{ forest: flat, kFirst: K - 1, kOut: 1 }], planes, nodata, W, H);
          expect(Buffer.from(g2[0].buffer).equals(Buffer.from(sub[0].buffer))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the same bits for any thread count, tile and strip size', async () => {
    const W = 301, H = 67;
    const { flat, planes, nodata } = await makeCase(12345, 4, 2, W, H, 7);
    const [a] = await forestPredict(engine, [{ forest: flat }], planes, nodata, W, H);
    const [b] = await forestPredict(engine2, [{ forest: flat }], planes, nodata, W, H, { tileRows: 3, stripCells: 5000 });
    const [c] = await forestPredict(engine2, [{ forest: flat }], planes, nodata, W, H, { tileRows: 64 });
    for (let k = 0; k < 2; k++) {
      expect(Buffer.from(b[k].buffer).equals(Buffer.from(a[k].buffer))).toBe(true);
      expect(Buffer.from(c[k].buffer).equals(Buffer.from(a[k].buffer))).toBe(true);
    }
    // probabilities sum to 1 on valid cells, NaN on invalid ones
    let nan = 0;
    for (let i = 0; i < W * H; i++) {
      if (Number.isNaN(a[0][i])) { nan++; expect(Number.isNaN(a[1][i])).toBe(true); continue; }
      expect(a[0][i] + a[1][i]).toBeCloseTo(1, 6);
    }
    expect(nan).toBeGreaterThan(0);
  });

  it('rejects malformed forests with a message', async () => {
    const { flat } = await makeCase(7, 2, 2, 3, 3, 2);
    const bad = { ...flat, info: flat.info.slice() };
    const j = bad.info.findIndex((v) => (v & 255) !== 255);
    bad.info[j] = (bad.info[j] & ~255) | 9; // driver 9 of 2
    expect(() => validateForest(bad)).toThrow(/node 0: driver 9 is not below 2/);
    const bad2 = { ...flat, info: flat.info.slice() };
    bad2.info[j] = (0 << 8) | (bad2.info[j] & 255); // child pointing at itself
    expect(() => validateForest(bad2)).toThrow(/child 0 out of range/);
    await expect(forestPredict(engine, [{ forest: flat }], [new Float32Array(9)], new Float32Array(2), 3, 3)).rejects.toThrow(/1 driver planes given, the forest has 2 drivers/);
    await expect(forestPredict(engine, [{ forest: flat, kFirst: 1, kOut: 2 }], [new Float32Array(9), new Float32Array(9)], new Float32Array(2), 3, 3)).rejects.toThrow(/output classes: expected an integer in \[1, 1\], got 2/);
  });
});
