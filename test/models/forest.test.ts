import { describe, it, expect, afterAll } from 'vitest';
import { binData, flattenForest, resolveForestOptions, trainForest, type ForestData } from '../../src/models/forest.js';
import { forestPredictRef } from '../../src/kernels/forest.ref.js';
import { Engine } from '../../src/tiling/engine.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';

const engine2 = new Engine({ threads: 2 });
afterAll(() => engine2.close());

/** n rows: x0, x1 informative (label = x0 + x1 > 1, 5 % label noise), x2, x3 uniform noise. */
function synth(n: number, seed: number): ForestData {
  const k = new RngKey(seed, 0);
  const D = 4;
  const X = new Float32Array(n * D);
  const y = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < D; d++) X[r * D + d] = rngF64(k, r * 8 + d);
    y[r] = (X[r * D] + X[r * D + 1] > 1 ? 1 : 0) ^ (rngF64(k, r * 8 + 7) < 0.05 ? 1 : 0);
  }
  return { n, D, K: 2, X, y };
}

describe('binData', () => {
  it('puts each distinct value in its own bin below maxBins, thresholds at midpoints', () => {
    // values 1, 2, 2, 5 -> distinct 1, 2, 5 -> thresholds (1+2)/2 = 1.5, (2+5)/2 = 3.5
    const b = binData({ n: 4, D: 1, K: 2, X: Float32Array.from([2, 1, 5, 2]), y: new Uint8Array(4) });
    expect(Array.from(b.thr[0])).toEqual([1.5, 3.5]);
    expect(Array.from(b.xb)).toEqual([1, 0, 2, 1]);
  });
  it('takes the lower value when the float32 midpoint rounds up to the upper one', () => {
    const lo = 1, hi = Math.fround(1 + 2 ** -23); // adjacent float32 values: the midpoint rounds to one of them
    const b = binData({ n: 2, D: 1, K: 2, X: Float32Array.from([lo, hi]), y: new Uint8Array(2) });
    expect(b.thr[0][0]).toBe(lo);
    expect(Array.from(b.xb)).toEqual([0, 1]);
  });
  it('caps distinct values at maxBins bins of about equal counts', () => {
    // 0..999, 4 bins: cuts where the cumulative count reaches 250, 500, 750 -> after 249, 499, 749
    const X = Float32Array.from({ length: 1000 }, (_, i) => i);
    const b = binData({ n: 1000, D: 1, K: 2, X, y: new Uint8Array(1000) }, 4);
    expect(Array.from(b.thr[0])).toEqual([249.5, 499.5, 749.5]);
    expect(b.xb[249]).toBe(0);
    expect(b.xb[250]).toBe(1);
    expect(b.xb[999]).toBe(3);
  });
});

describe('trainForest', () => {
  it('one tree splits a separable driver at the midpoint and predicts pure leaves', async () => {
    // labels 0 for x in {0, 1, 2}, 1 for x in {7, 8, 9}; the only useful split is (2 + 7) / 2 = 4.5
    const X = Float32Array.from([0, 1, 2, 7, 8, 9]);
    const f = await trainForest(null, { n: 6, D: 1, K: 2, X, y: Uint8Array.from([0, 0, 0, 1, 1, 1]) }, { trees: 1, seed: 3 });
    const t = f.trees[0];
    expect(t.feature[0]).toBe(0);
    expect(t.thr[0]).toBe(4.5);
    const flat = flattenForest(f);
    const p = forestPredictRef({ forest: flat, planes: [Float32Array.from([4.5, 4.6, -10, 100])], nodata: Float32Array.from([NaN]) });
    expect(Array.from(p[1])).toEqual([0, 1, 0, 1]); // v <= 4.5 goes left
    expect(f.mdi).toEqual([1]);
  });

  it('learns a noisy rule: OOB accuracy near 1 - noise, importances on the informative drivers', async () => {
    const f = await trainForest(null, synth(3000, 1), { trees: 30, seed: 5, minLeaf: 5, mtry: 2 });
    expect(f.oobAccuracy!).toBeGreaterThan(0.85);
    expect(f.oobAccuracy!).toBeLessThan(0.97); // 5 % label noise bounds it
    expect(f.oobRows).toBe(3000); // with 30 trees every row is out of bag for some tree (p = 0.368^30)
    expect(f.mdi[0] + f.mdi[1]).toBeGreaterThan(0.7);
    expect(f.mdi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(f.permutation[0]).toBeGreaterThan(0.1);
    expect(f.permutation[1]).toBeGreaterThan(0.1);
    expect(Math.abs(f.permutation[2])).toBeLessThan(0.03);
    expect(Math.abs(f.permutation[3])).toBeLessThan(0.03);
  });

  it('is bit-identical for any thread count and depends on the seed', async () => {
    const data = synth(800, 2);
    const o = { trees: 9, seed: 11, maxDepth: 12 };
    const a = flattenForest(await trainForest(null, data, o));
    const b = flattenForest(await trainForest(engine2, data, o));
    expect(Buffer.from(b.info.buffer).equals(Buffer.from(a.info.buffer))).toBe(true);
    expect(Buffer.from(b.thr.buffer).equals(Buffer.from(a.thr.buffer))).toBe(true);
    expect(Buffer.from(b.leaf.buffer).equals(Buffer.from(a.leaf.buffer))).toBe(true);
    const fa = await trainForest(null, data, o), fb = await trainForest(engine2, data, o);
    expect(fb.oobAccuracy).toBe(fa.oobAccuracy);
    expect(fb.permutation).toEqual(fa.permutation);
    expect(fb.mdi).toEqual(fa.mdi);
    const c = flattenForest(await trainForest(null, data, { ...o, seed: 12 }));
    expect(Buffer.from(c.info.buffer).equals(Buffer.from(a.info.buffer))).toBe(false);
  });

  it('respects maxDepth and minLeaf', async () => {
    const data = synth(500, 3);
    const f = await trainForest(null, data, { trees: 3, seed: 1, maxDepth: 2 });
    for (const t of f.trees) expect(t.feature.length).toBeLessThanOrEqual(7); // 1 + 2 + 4 nodes
    const g = await trainForest(null, data, { trees: 1, seed: 1, minLeaf: 50 });
    // leaves have >= 50 distinct rows of the ~316 distinct bootstrap rows (1 - 1/e of 500)
    expect(g.trees[0].leaf.length / 2).toBeLessThanOrEqual(Math.floor(320 / 50));
  });

  it('validates options and data with messages', async () => {
    expect(() => resolveForestOptions({ mtry: 5 }, 4)).toThrow('mtry: expected an integer in [1, 4], got 5');
    expect(() => resolveForestOptions({ trees: 0 }, 4)).toThrow('trees: expected an integer in [1, 100000], got 0');
    expect(() => resolveForestOptions({ minLeaf: 0 }, 4)).toThrow(/min leaf: expected an integer >= 1/);
    expect(() => resolveForestOptions({ maxBins: 1 }, 4)).toThrow('max bins: expected an integer in [2, 256], got 1');
    expect(resolveForestOptions({}, 13).mtry).toBe(3); // floor(sqrt(13))
    await expect(trainForest(null, { n: 2, D: 1, K: 2, X: Float32Array.from([1, NaN]), y: new Uint8Array(2) })).rejects.toThrow('random forest: row 1, driver 0: expected a finite value, got NaN');
    await expect(trainForest(null, { n: 2, D: 1, K: 2, X: Float32Array.from([1, 2]), y: Uint8Array.from([0, 2]) })).rejects.toThrow('random forest: label 2 of row 1 is not below 2');
  });
});
