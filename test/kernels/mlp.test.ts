import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mlpForwardRef, MlpNet, MlpNorm } from '../../src/kernels/mlp.ref.js';
import { expSimd, mlpForward } from '../../src/kernels/mlp.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

const f32 = (a: number[]) => Float32Array.from(a);

/** A random network and planes from fast-check: weights in [-3, 3], ~15 % NoData cells. */
const caseArb = fc
  .record({
    D: fc.integer({ min: 1, max: 5 }),
    H: fc.integer({ min: 1, max: 7 }),
    K: fc.integer({ min: 1, max: 5 }),
    width: fc.constantFrom(1, 3, 5, 17, 4, 8, 9, 15),
    height: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ D, H, K, width, height, seed }) => {
    // small LCG only to expand one fast-check seed into many test values
    let s = seed >>> 0;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const r = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * u());
    const net: MlpNet = { D, H, K, w1: r(H * D, -3, 3), b1: r(H, -1, 1), w2: r(K * H, -3, 3), b2: r(K, -1, 1) };
    const nodata = Float32Array.from({ length: D }, (_, d) => (d % 2 === 0 ? -9999 : NaN));
    const norm: MlpNorm = { min: r(D, -5, 5), scale: r(D, 0.01, 0.5), nodata };
    const n = width * height;
    const planes = Array.from({ length: D }, (_, d) =>
      Float32Array.from({ length: n }, () => {
        const q = u();
        if (q < 0.07) return NaN;
        if (q < 0.15 && d % 2 === 0) return -9999;
        return -10 + 20 * u();
      }),
    );
    return { net, norm, planes, width, height };
  });

describe('mlp forward pass', () => {
  it('hand-checked example: D=1, H=1, K=2', async () => {
    // x = (2 - 0) * 0.5 = 1; y = sigmoid(0 * 1 + 0) = 0.5; z = [2 * 0.5, 0] = [1, 0]
    // p = [e / (e + 1), 1 / (e + 1)] = [0.7310586, 0.2689414]; cell 2 is NoData (-1) -> NaN
    const net: MlpNet = { D: 1, H: 1, K: 2, w1: f32([0]), b1: f32([0]), w2: f32([2, 0]), b2: f32([0, 0]) };
    const norm: MlpNorm = { min: f32([0]), scale: f32([0.5]), nodata: f32([-1]) };
    const planes = [f32([2, -1, 2])];
    for (const impl of ['scalar', 'simd'] as const) {
      const [p0, p1] = await mlpForward(engine, net, norm, planes, 3, 1, { impl });
      expect(p0[0]).toBeCloseTo(Math.E / (Math.E + 1), 6);
      expect(p1[0]).toBeCloseTo(1 / (Math.E + 1), 6);
      expect(p0[1]).toBeNaN();
      expect(p1[1]).toBeNaN();
      expect(p0[2]).toBe(p0[0]);
    }
    const ref = mlpForwardRef(net, norm, planes, 3, 1);
    expect(ref[0][0]).toBe(Math.fround(Math.E / (Math.E + 1)));
  });

  it('WASM scalar equals the TS reference (same f64 operations; stated tolerance 1 float32 ulp)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ net, norm, planes, width, height }) => {
        const ref = mlpForwardRef(net, norm, planes, width, height);
        const got = await mlpForward(engine, net, norm, planes, width, height, { impl: 'scalar' });
        for (let k = 0; k < net.K; k++) {
          for (let i = 0; i < width * height; i++) {
            const a = got[k][i], b = ref[k][i];
            if (Number.isNaN(b)) expect(a).toBeNaN();
            else expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(Math.abs(b), 1e-30) * 2 ** -23);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('WASM SIMD is within 1e-5 absolute of the reference, NaN exactly where the reference has NaN; odd cell counts', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ net, norm, planes, width, height }) => {
        const ref = mlpForwardRef(net, norm, planes, width, height);
        const got = await mlpForward(engine, net, norm, planes, width, height, { impl: 'simd' });
        for (let k = 0; k < net.K; k++) {
          for (let i = 0; i < width * height; i++) {
            if (Number.isNaN(ref[k][i])) expect(got[k][i]).toBeNaN();
            else expect(Math.abs(got[k][i] - ref[k][i])).toBeLessThanOrEqual(1e-5);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('probabilities sum to 1 (within 1e-6 for float32) on valid cells, both paths', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ net, norm, planes, width, height }) => {
        for (const impl of ['scalar', 'simd'] as const) {
          const got = await mlpForward(engine, net, norm, planes, width, height, { impl });
          for (let i = 0; i < width * height; i++) {
            if (Number.isNaN(got[0][i])) continue;
            let s = 0;
            for (let k = 0; k < net.K; k++) {
              expect(got[k][i]).toBeGreaterThanOrEqual(0);
              s += got[k][i];
            }
            expect(Math.abs(s - 1)).toBeLessThanOrEqual(1e-6 * net.K);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('SIMD exp approximation: max relative error < 2e-7 vs Math.exp over [-87, 88] (measured 8.1e-8)', () => {
    // 2^21 evenly spaced float32 inputs (step ~8e-5) plus the ends and values near 0
    const n = 1 << 21;
    const src = new Float32Array(n + 5);
    for (let i = 0; i < n; i++) src[i] = Math.fround(-87 + (175 * i) / (n - 1));
    src.set([0, -0, 1e-8, -1e-8, 0.34657359], n);
    const got = expSimd(engine, src);
    let worst = 0;
    for (let i = 0; i < src.length; i++) {
      const e = Math.exp(src[i]);
      worst = Math.max(worst, Math.abs(got[i] - e) / e);
    }
    expect(worst).toBeLessThan(2e-7);
    expect(expSimd(engine, f32([0]))[0]).toBe(1);
    // odd lengths use the padded tail: same values as in a full block
    const full = expSimd(engine, f32([-1, 0.5, 3, 7]));
    expect(Array.from(expSimd(engine, f32([-1, 0.5, 3])))).toEqual(Array.from(full.subarray(0, 3)));
  });

  it('all-NoData blocks and a single cell give NaN', async () => {
    const net: MlpNet = { D: 2, H: 2, K: 3, w1: f32([1, 1, 1, 1]), b1: f32([0, 0]), w2: f32([1, 1, 1, 1, 1, 1]), b2: f32([0, 0, 0]) };
    const norm: MlpNorm = { min: f32([0, 0]), scale: f32([1, 1]), nodata: f32([0, NaN]) };
    for (const impl of ['scalar', 'simd'] as const) {
      const p = await mlpForward(engine, net, norm, [f32([0, 0, 0, 0, 0]), f32([1, 1, 1, 1, 1])], 5, 1, { impl });
      for (const pl of p) for (const v of pl) expect(v).toBeNaN();
      const q = await mlpForward(engine, net, norm, [f32([1]), f32([NaN])], 1, 1, { impl });
      expect(q[2][0]).toBeNaN();
    }
  });

  it('tile size, strip size and thread count do not change a single bit', async () => {
    const W = 37, Hh = 23;
    const [{ net, norm }] = fc.sample(caseArb, { seed: 7, numRuns: 1 });
    // planes of the sampled network's D, larger raster
    let s = 12345;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const planes = Array.from({ length: net.D }, () => Float32Array.from({ length: W * Hh }, () => (u() < 0.1 ? NaN : -10 + 20 * u())));
    for (const impl of ['simd', 'scalar'] as const) {
      const one = await mlpForward(engine, net, norm, planes, W, Hh, { impl, tileRows: Hh });
      const variants = [
        await mlpForward(engine, net, norm, planes, W, Hh, { impl, tileRows: 1 }),
        await mlpForward(engine, net, norm, planes, W, Hh, { impl, tileRows: 5, stripCells: 7 * W }),
        await mlpForward(engine2, net, norm, planes, W, Hh, { impl, tileRows: 3 }),
        await mlpForward(engine2, net, norm, planes, W, Hh, { impl }),
      ];
      for (const v of variants) {
        for (let k = 0; k < net.K; k++) expect(Buffer.from(v[k].buffer).equals(Buffer.from(one[k].buffer))).toBe(true);
      }
    }
  });

  it('validation messages', async () => {
    const net: MlpNet = { D: 1, H: 1, K: 2, w1: f32([0]), b1: f32([0]), w2: f32([2, 0]), b2: f32([0, 0]) };
    const norm: MlpNorm = { min: f32([0]), scale: f32([0.5]), nodata: f32([-1]) };
    await expect(mlpForward(engine, net, norm, [f32([1]), f32([1])], 1, 1)).rejects.toThrow('mlp: 2 driver planes given, the model has 1 inputs');
    await expect(mlpForward(engine, net, norm, [f32([1, 2])], 1, 1)).rejects.toThrow('mlp: driver plane 0 has 2 cells, expected 1x1 = 1');
    await expect(mlpForward(engine, { ...net, w2: f32([1]) }, norm, [f32([1])], 1, 1)).rejects.toThrow('model: w2 has 1 values, expected 2 (D=1, H=1, K=2)');
    await expect(mlpForward(engine, { ...net, b1: f32([NaN]) }, norm, [f32([1])], 1, 1)).rejects.toThrow('model: b1[0] is NaN, expected a finite number');
    await expect(mlpForward(engine, net, norm, [f32([1])], 1, 1, { impl: 'gpu' as never })).rejects.toThrow('mlp impl: expected "simd" or "scalar", got "gpu"');
  });
});
