import { describe, it, expect, afterAll } from 'vitest';
import { runPlus, checkPlusConfig } from '../../src/models/plus.js';
import { classCounts } from '../../src/models/flus.js';
import { Engine } from '../../src/tiling/engine.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

/** 3 classes on a W x H grid: class 0 background, a class-1 block, class 2 in the right third; P from a hash with a class-1 hot spot far from its block. */
function world(W: number, H: number) {
  const cells = W * H, K = 3;
  const lu = new Uint8Array(cells);
  const prob = new Float32Array(K * cells);
  const key = new RngKey(4, 0);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      lu[i] = x > (2 * W) / 3 ? 2 : x < 10 && y < 10 ? 1 : 0;
      if (x === 0 && y === H - 1) lu[i] = 255;
      const hot = Math.hypot(x - W / 2, y - H / 2) < 8 ? 0.9 : 0.1;
      prob[i] = 0.3 * rngF64(key, i);
      prob[cells + i] = hot * rngF64(key, cells + i);
      prob[2 * cells + i] = 0.2 * rngF64(key, 2 * cells + i);
    }
  }
  return { W, H, K, lu, prob };
}

describe('runPlus (CARS)', () => {
  it('meets the demand, keeps restricted cells, grows new patches from seeds; threads 1 == 2, tiles any', async () => {
    const { W, H, K, lu, prob } = world(60, 50);
    const restricted = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i += 7) restricted[i] = 1;
    const c0 = classCounts(lu, K);
    const demand = [c0[0] - 300, c0[1] + 300, c0[2]];
    const cfg = { classes: K, weights: [1, 1, 1], allowed: new Array(9).fill(1), seed: 3, seedPercentage: 0.01, expansionCoefficient: 0.5, maxIterations: 500 };
    const inp = { width: W, height: H, landuse: lu, prob, restricted };
    const [a] = await runPlus(engine, inp, [demand], cfg);
    expect(a.converged).toBe(true);
    expect(a.counts).toEqual(demand);
    expect(classCounts(a.map, K)).toEqual(demand);
    for (let i = 0; i < W * H; i++) if (restricted[i] || lu[i] === 255) expect(a.map[i]).toBe(lu[i]);
    // class 1 appears at the hot spot, 15+ cells from its original block: only seeds get it there
    let hot = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot(x - W / 2, y - H / 2) < 8 && a.map[y * W + x] === 1) hot++;
    expect(hot).toBeGreaterThan(20);
    const [b] = await runPlus(engine2, inp, [demand], { ...cfg, tileRows: 3 });
    expect(Buffer.from(b.map).equals(Buffer.from(a.map))).toBe(true);
    const [c] = await runPlus(engine, inp, [demand], { ...cfg, demandKernel: 'ref' });
    expect(Buffer.from(c.map).equals(Buffer.from(a.map))).toBe(true);
  });

  it('without seeds a class only grows from its own edge; the threshold decays when proposals run short', async () => {
    const { W, H, K, lu, prob } = world(60, 50);
    const c0 = classCounts(lu, K);
    const demand = [c0[0] - 200, c0[1] + 200, c0[2]];
    const inp = { width: W, height: H, landuse: lu, prob, restricted: null };
    const [r] = await runPlus(engine, inp, [demand], { classes: K, weights: [1, 1, 1], allowed: new Array(9).fill(1), seed: 1, seedPercentage: 0, maxIterations: 2000 });
    expect(r.converged).toBe(true);
    let hot = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot(x - W / 2, y - H / 2) < 8 && r.map[y * W + x] === 1) hot++;
    expect(hot).toBe(0); // the block grows from (0..9, 0..9); 200 cells cannot reach the centre 17+ cells away
    // P_1 <= 0.1 away from the hot spot, tau starts at 0.9: it must decay (0.9 * 0.9^l * r1 < 0.1 needs l >= ~14 at r1 ~ 1)
    expect(r.decaySteps).toBeGreaterThan(5);
    expect(r.threshold).toBeLessThan(0.9);
  });

  it('runs several target years in turn and follows the conversion matrix', async () => {
    const { W, H, K, lu, prob } = world(40, 30);
    const c0 = classCounts(lu, K);
    const d1 = [c0[0] - 50, c0[1] + 50, c0[2]], d2 = [c0[0] - 120, c0[1] + 100, c0[2] + 20];
    // 2 -> anything forbidden except staying; 0 -> 2 allowed
    const allowed = [1, 1, 1, 1, 1, 1, 0, 0, 1];
    const res = await runPlus(engine, { width: W, height: H, landuse: lu, prob, restricted: null }, [d1, d2], { classes: K, weights: [1, 1, 1], allowed, seed: 9, seedPercentage: 0.001, maxIterations: 2000 });
    expect(res.map((r) => r.counts)).toEqual([d1, d2]);
    for (let i = 0; i < W * H; i++) if (lu[i] === 2) expect(res[1].map[i]).toBe(2);
  });

  it('validates the PLUS parameters with messages', () => {
    const base = { classes: 2, weights: [1, 1], allowed: [1, 1, 1, 1], seed: 1 };
    expect(() => checkPlusConfig({ ...base, patchThreshold: 0 })).toThrow('patch threshold: expected a number in [5e-324, 1], got 0');
    expect(() => checkPlusConfig({ ...base, patchThreshold: 1.5 })).toThrow('patch threshold: expected a number in [5e-324, 1], got 1.5');
    expect(() => checkPlusConfig({ ...base, decay: 1 })).toThrow('decay: expected a number in (0, 1), got 1');
    expect(() => checkPlusConfig({ ...base, decay: 0 })).toThrow('decay: expected a number in (0, 1), got 0');
    expect(() => checkPlusConfig({ ...base, expansionCoefficient: -0.1 })).toThrow('expansion coefficient: expected a number in [0, 1], got -0.1');
    expect(() => checkPlusConfig({ ...base, seedPercentage: 2 })).toThrow('seed percentage: expected a number in [0, 1], got 2');
    const d = checkPlusConfig(base);
    expect([d.patchThreshold, d.decay, d.expansionCoefficient, d.seedPercentage]).toEqual([0.9, 0.9, 0.1, 0.0001]);
  });
});
