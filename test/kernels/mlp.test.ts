import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mlpForwardRef, MlpNet, MlpNorm } from '../../src/kernels/mlp.ref.js';
import { exp2Simd, mlpForward, placeMlp, sigmoid2Simd } from '../../src/kernels/mlp.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

const f32 = (a: number[]) => Float32Array.from(a);

interface CaseOpts {
  /** W2 in [-w2, w2] (default 3). */
  w2?: number;
  /** Drivers with an odd index get min in [offset, 2 * offset] and values around it (default: none). */
  offset?: number;
}

/**
 * A random network and planes: weights in [-3, 3], ~15 % NoData/NaN cells; values in
 * [-10, 10] (or near the driver's min when opts.offset is set).
 */
function makeCase(D: number, H: number, K: number, width: number, height: number, seed: number, opts: CaseOpts = {}) {
  // small LCG only to expand one fast-check seed into many test values
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const r = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * u());
  const w2 = opts.w2 ?? 3;
  const net: MlpNet = { D, H, K, w1: r(H * D, -3, 3), b1: r(H, -1, 1), w2: r(K * H, -w2, w2), b2: r(K, -1, 1) };
  const nodata = Float32Array.from({ length: D }, (_, d) => (d % 2 === 0 ? -9999 : NaN));
  const norm: MlpNorm = { min: r(D, -5, 5), scale: r(D, 0.01, 0.5), nodata };
  const off = opts.offset;
  if (off !== undefined) {
    for (let d = 1; d < D; d += 2) {
      norm.min[d] = Math.fround(off * (1 + u()));
      norm.scale[d] = Math.fround(1 / (1 + 99 * u()));
    }
  }
  const n = width * height;
  const planes = Array.from({ length: D }, (_, d) =>
    Float32Array.from({ length: n }, () => {
      const q = u();
      if (q < 0.07) return NaN;
      if (q < 0.15 && d % 2 === 0) return -9999;
      if (off !== undefined && d % 2 === 1) return norm.min[d] + (-0.5 + 2 * u()) / norm.scale[d];
      return -10 + 20 * u();
    }),
  );
  return { net, norm, planes, width, height };
}

const caseArb = fc
  .record({
    D: fc.integer({ min: 1, max: 5 }),
    H: fc.integer({ min: 1, max: 7 }),
    K: fc.integer({ min: 1, max: 5 }),
    width: fc.constantFrom(1, 3, 5, 17, 4, 8, 9, 15),
    height: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ D, H, K, width, height, seed }) => makeCase(D, H, K, width, height, seed));

type Case = ReturnType<typeof makeCase>;

/** Largest |SIMD - reference| over valid cells; NaN exactly where the reference has NaN. */
async function simdError({ net, norm, planes, width, height }: Case): Promise<number> {
  const ref = mlpForwardRef(net, norm, planes, width, height);
  const got = await mlpForward(engine, net, norm, planes, width, height, { impl: 'simd' });
  let worst = 0;
  for (let k = 0; k < net.K; k++) {
    for (let i = 0; i < width * height; i++) {
      if (Number.isNaN(ref[k][i])) expect(got[k][i]).toBeNaN();
      else worst = Math.max(worst, Math.abs(got[k][i] - ref[k][i]));
    }
  }
  return worst;
}

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
      fc.asyncProperty(caseArb, async (c) => {
        expect(await simdError(c)).toBeLessThanOrEqual(1e-5);
      }),
      { numRuns: 150 },
    );
  });

  it('WASM SIMD within 1e-5: larger shapes (12-16-6 and odd sizes, K = 1, 2), mins folded or not, per-cell max softmax', async () => {
    const shapes: Array<[number, number, number]> = [[12, 16, 6], [13, 17, 7], [3, 5, 1], [4, 3, 2], [1, 1, 3]];
    let worst = 0;
    for (const [D, H, K] of shapes) {
      for (let seed = 1; seed <= 4; seed++) {
        // plain; drivers far from 0 (min 1000-2000 with ranges 1-100: subtracted per cell);
        // W2 in [-40, 40] (output range over 200 log2 units: the per-cell max path)
        for (const opts of [{}, { offset: 1000 }, { w2: 40 }]) worst = Math.max(worst, await simdError(makeCase(D, H, K, 37, 2, seed * 7919, opts)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
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

  it('SIMD 2^x (softmax): max relative error < 7e-7 vs 2^x in f64 over [-126, 126] (measured 5.87e-7)', () => {
    // 2^21 evenly spaced float32 inputs (step ~1.2e-4, so every fraction f = x - nearest(x) is
    // sampled densely) plus a dense grid in [-1, 1] and the ends
    const n = 1 << 21, m = 1 << 16;
    const src = new Float32Array(n + m + 4);
    for (let i = 0; i < n; i++) src[i] = Math.fround(-126 + (252 * i) / (n - 1));
    for (let i = 0; i < m; i++) src[n + i] = Math.fround(-1 + (2 * i) / (m - 1));
    src.set([0, -0, 126, -126], n + m);
    const got = exp2Simd(engine, src);
    let worst = 0;
    for (let i = 0; i < src.length; i++) {
      const e = 2 ** src[i];
      worst = Math.max(worst, Math.abs(got[i] - e) / e);
    }
    expect(worst).toBeLessThan(7e-7);
    expect(worst).toBeGreaterThan(5e-7); // the header states the measured 5.87e-7
    // odd lengths use the padded tail: same values as in a full block
    const full = exp2Simd(engine, f32([-1, 0.5, 3, 7]));
    expect(Array.from(exp2Simd(engine, f32([-1, 0.5, 3])))).toEqual(Array.from(full.subarray(0, 3)));
  });

  it('SIMD sigmoid 1 / (1 + 2^u): max |error| < 2.5e-7 vs f64 over [-30, 30] (measured 1.81e-7); clamped beyond +-64; NaN stays NaN', () => {
    const n = 1 << 21, m = 1 << 16;
    const src = new Float32Array(n + m);
    for (let i = 0; i < n; i++) src[i] = Math.fround(-30 + (60 * i) / (n - 1));
    for (let i = 0; i < m; i++) src[n + i] = Math.fround(-1 + (2 * i) / (m - 1));
    const got = sigmoid2Simd(engine, src);
    let worst = 0;
    for (let i = 0; i < src.length; i++) worst = Math.max(worst, Math.abs(got[i] - 1 / (1 + 2 ** src[i])));
    expect(worst).toBeLessThan(2.5e-7);
    expect(worst).toBeGreaterThan(1.5e-7); // the header states the measured 1.81e-7
    // u = 0 -> 1/2 exactly (f = 0: E = 1, O = 0, y = 1 / (1 + 1)); beyond +-64 the clamp: y(64) = 2^-64 / (1 + 2^-64)
    const edge = sigmoid2Simd(engine, f32([0, 64, 1e30, -64, -1e30, Infinity, -Infinity, NaN, 100]));
    expect(edge[0]).toBe(0.5);
    expect(Math.abs(edge[1] - 2 ** -64) / 2 ** -64).toBeLessThan(1e-6);
    expect(edge[2]).toBe(edge[1]);
    expect(edge[8]).toBe(edge[1]);
    expect(edge[5]).toBe(edge[1]);
    expect(edge[3]).toBe(1);
    expect(edge[4]).toBe(1);
    expect(edge[6]).toBe(1);
    expect(edge[7]).toBeNaN();
  });

  it('SIMD prepared parameters: shifted softmax when the output range allows it, mins folded when |min * scale| <= 1', () => {
    const mark = engine.arena.mark();
    try {
      const flags = (c: Case) => {
        const p = placeMlp(engine, c.net, c.norm);
        const h = new Int32Array(engine.memory.buffer, p.prepPtr, 3);
        return { shifted: h[0], k0: h[1], folded: h[2] };
      };
      // range of log2(e) (z_k - z_0) over y in [0, 1]^16, computed in f64 from these weights:
      // W2 in [-3, 3]: 53.5 <= 200 log2 units -> shifted, output 0 free
      expect(flags(makeCase(12, 16, 6, 1, 1, 5))).toMatchObject({ shifted: 1, k0: 1 });
      // W2 in [-40, 40]: 712.5 > 200 -> per-cell max, all K outputs
      expect(flags(makeCase(12, 16, 6, 1, 1, 5, { w2: 40 }))).toMatchObject({ shifted: 0, k0: 0 });
      // min 0 (folded) for every driver; min 1000-2000 with ranges 1-100 on odd drivers: not folded
      const c = makeCase(6, 3, 2, 1, 1, 9, { offset: 1000 });
      c.norm.min.fill(0, 0, 1);
      c.norm.min[2] = 0;
      c.norm.min[4] = 0;
      expect(flags(c).folded).toBe(3);
    } finally {
      engine.arena.release(mark);
    }
  });

  it('SIMD: a cell gives the same bits at every position of a 16-cell step and in the padded tail', async () => {
    // 40 cells: the same 8 distinct cells (one with NoData) repeated with a period of 8 + 1 = 9,
    // so each appears at many offsets mod 16, in full steps and in the tail (cells 32-39)
    const [{ net, norm }] = fc.sample(caseArb.filter((c) => c.net.D >= 2), { seed: 11, numRuns: 1 });
    const base = Array.from({ length: net.D }, (_, d) => Array.from({ length: 9 }, (_, i) => (i === 4 && d === 0 ? -9999 : -5 + 1.25 * i + 0.1 * d)));
    const n = 40;
    const planes = base.map((b) => Float32Array.from({ length: n }, (_, i) => b[i % 9]));
    for (const width of [n, 8, 5]) {
      const got = await mlpForward(engine, net, norm, planes, width, n / width, { impl: 'simd' });
      for (let k = 0; k < net.K; k++) {
        for (let i = 9; i < n; i++) expect(Object.is(got[k][i], got[k][i % 9]) || (Number.isNaN(got[k][i]) && Number.isNaN(got[k][i % 9]))).toBe(true);
        expect(got[k][4]).toBeNaN();
      }
      const bits = new Uint32Array(got[0].buffer);
      for (let i = 9; i < n; i++) expect(bits[i]).toBe(bits[i % 9]);
    }
  });

  it('SIMD: NaN drivers are NoData even when the first hidden neuron ignores them; K = 1 gives 1', async () => {
    // hidden neuron 0 has zero weights, neuron 1 reads both drivers; NaN in driver 1 must still give NaN
    const net: MlpNet = { D: 2, H: 2, K: 3, w1: f32([0, 0, 1, -1]), b1: f32([0.5, 0]), w2: f32([1, 2, -1, 0, 0.5, 0.5]), b2: f32([0, 0.1, 0.2]) };
    const norm: MlpNorm = { min: f32([0, 10]), scale: f32([0.1, 0.5]), nodata: f32([NaN, NaN]) };
    const v0 = Float32Array.from({ length: 37 }, (_, i) => i);
    const v1 = Float32Array.from({ length: 37 }, (_, i) => (i % 5 === 2 || i >= 16 && i < 32 ? NaN : 10 + i / 4));
    const ref = mlpForwardRef(net, norm, [v0, v1], 37, 1);
    const got = await mlpForward(engine, net, norm, [v0, v1], 37, 1, { impl: 'simd' });
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 37; i++) {
        if (Number.isNaN(v1[i])) expect(got[k][i]).toBeNaN();
        else expect(Math.abs(got[k][i] - ref[k][i])).toBeLessThanOrEqual(1e-6);
      }
    }
    const one: MlpNet = { D: 2, H: 2, K: 1, w1: net.w1, b1: net.b1, w2: f32([3, -2]), b2: f32([0.3]) };
    const [p] = await mlpForward(engine, one, norm, [v0, v1], 37, 1, { impl: 'simd' });
    for (let i = 0; i < 37; i++) expect(p[i]).toBe(Number.isNaN(v1[i]) ? NaN : 1);
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
