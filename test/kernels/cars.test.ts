import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { carsCoef, carsStepRef, carsStepWasm, type CarsStepInput } from '../../src/kernels/cars.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

function makeCase(seed: number, W: number, H: number, K: number, n: number, o: { seedPct?: number; tau?: number } = {}): CarsStepInput {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const cells = W * H;
  const cur = Uint8Array.from({ length: cells }, () => (u() < 0.08 ? 255 : Math.floor(u() * K)));
  const prob = Float32Array.from({ length: cells * K }, () => (u() < 0.1 ? 0 : u()));
  const restricted = u() < 0.5 ? Uint8Array.from({ length: cells }, () => (u() < 0.1 ? 1 : 0)) : null;
  const weights = Array.from({ length: K }, () => (u() < 0.2 ? 0 : u()));
  const driving = Array.from({ length: K }, () => 0.5 + u());
  const allowed = Array.from({ length: K * K }, (_, j) => (j % (K + 1) === 0 ? 1 : u() < 0.8 ? 1 : 0));
  return { width: W, height: H, classes: K, n, cur, prob, restricted, coef: carsCoef(K, n, weights, driving, allowed, o.seedPct ?? u() * 0.5, 0.1 + 0.9 * u(), o.tau ?? u()), seed: seed * 7, stream: seed % 13 };
}

describe('cars_step kernel', () => {
  it('equals the reference bit for bit (NoData, restricted, single rows/columns, odd sizes, N 3..7)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 1, max: 29 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(3, 5, 7), fc.integer({ min: 1, max: 5 }),
        async (seed, W, H, K, n, tileRows) => {
          const inp = makeCase(seed, W, H, K, n);
          const ref = carsStepRef(inp);
          const got = await carsStepWasm(engine, inp, { tileRows });
          expect(got.proposals).toBe(ref.proposals);
          expect(Buffer.from(got.prop).equals(Buffer.from(ref.prop))).toBe(true);
          expect(Buffer.from(got.key.buffer).equals(Buffer.from(ref.key.buffer))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same proposals for any thread count and tile height', async () => {
    const inp = makeCase(99, 173, 61, 5, 5);
    const a = await carsStepWasm(engine, inp);
    const b = await carsStepWasm(engine2, inp, { tileRows: 3 });
    const c = await carsStepWasm(engine2, inp, { tileRows: 40 });
    expect(a.proposals).toBeGreaterThan(0);
    for (const x of [b, c]) {
      expect(Buffer.from(x.prop).equals(Buffer.from(a.prop))).toBe(true);
      expect(Buffer.from(x.key.buffer).equals(Buffer.from(a.key.buffer))).toBe(true);
    }
  });

  it('seeds new patches only where a class has no neighbours, at about the seed percentage', async () => {
    // 1 class-0 sea with a single class-1 cell; P_1 = 1 everywhere, threshold 0: class 1 can only
    // appear by neighbourhood around (50, 50) or as a random seed elsewhere
    const W = 101, H = 101, K = 2, cells = W * H;
    const cur = new Uint8Array(cells);
    cur[50 * W + 50] = 1;
    const prob = new Float32Array(2 * cells).fill(1);
    const allowed = [1, 1, 1, 1];
    const run = async (seedPct: number) => carsStepRef({ width: W, height: H, classes: K, n: 3, cur, prob, restricted: null, coef: carsCoef(K, 3, [1, 1], [1, 1], allowed, seedPct, 1, 0), seed: 5, stream: 0 });
    const none = await run(0);
    let far = 0;
    for (let i = 0; i < cells; i++) if (none.prop[i] === 1 && Math.max(Math.abs((i % W) - 50), Math.abs(Math.floor(i / W) - 50)) > 1) far++;
    expect(far).toBe(0); // without seeds, class 1 spreads only next to its cell
    const some = await run(0.1);
    far = 0;
    for (let i = 0; i < cells; i++) if (some.prop[i] === 1 && Math.max(Math.abs((i % W) - 50), Math.abs(Math.floor(i / W) - 50)) > 1) far++;
    // a seed needs s < 0.1, r < P = 1 and then wins the roulette against OP_0 = 1 * 8/8 * 1 with
    // OP_1 = r * mu = r: expected share 0.1 * E[r / (1 + r)] = 0.1 * (1 - ln 2) = 0.0307 of 10192 cells
    expect(far).toBeGreaterThan(0.0307 * 10192 * 0.8);
    expect(far).toBeLessThan(0.0307 * 10192 * 1.2);
  });

  it('the threshold blocks winners whose P_k <= tau * r1', async () => {
    const inp = makeCase(3, 40, 30, 3, 3, { seedPct: 0.3, tau: 0 });
    const open = carsStepRef(inp);
    const closed = carsStepRef({ ...inp, coef: carsCoef(3, 3, [1, 1, 1], [1, 1, 1], new Array(9).fill(1), 0.3, 0.5, 2) }); // tau * r1 up to 4 > every P
    expect(open.proposals).toBeGreaterThan(0);
    // r1 in [0, 2]: with tau = 2 only cells whose r1 < P_k / 2 pass: few
    expect(closed.proposals).toBeLessThan(open.proposals * 0.5);
  });
});
