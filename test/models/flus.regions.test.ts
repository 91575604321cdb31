/**
 * Per-region demand in one run (runFlus opts.regions): each region meets its own demand with its
 * own budgets; neighbourhoods cross region borders; the WASM enforcement equals the reference;
 * one region equals no regions; block groups give the same maps.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { Engine } from '../../src/tiling/engine.js';
import { CaKernel, caCoef } from '../../src/kernels/ca.js';
import { runFlus, enforceDemand, enforceDemandWasm, classCounts } from '../../src/models/flus.js';
import { synth } from './flus-synth.js';

const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => {
  await e1.close();
  await e2.close();
});

const W = 64, H = 48, K = 4;
const inp = synth(W, H, K, 5, 0.05);
/** Three regions: left half (0), right half top (1), right half bottom (2). */
const index = Uint16Array.from({ length: W * H }, (_, i) => ((i % W) < W / 2 ? 0 : Math.floor(i / W) < H / 2 ? 1 : 2));
const R = 3;
const regionCounts = (map: Uint8Array) => {
  const c = new Array(R * K).fill(0);
  for (let i = 0; i < map.length; i++) if (map[i] !== 255) c[index[i] * K + map[i]]++;
  return c;
};
const c0 = regionCounts(inp.landuse);
/** Region 0: class 0 -> 1 (40 cells); region 1: 2 -> 1 (30); region 2: 1 -> 0 (25), the opposite of region 0. */
const demand = c0.slice();
demand[0] -= 40; demand[1] += 40;
demand[K + 2] -= 30; demand[K + 1] += 30;
demand[2 * K + 1] -= 25; demand[2 * K + 0] += 25;
const cfg = { classes: K, n: 3, weights: [0.5, 1, 0.5, 0.8], allowed: new Array(K * K).fill(1), seed: 3, maxIterations: 300 };

describe('per-region demand', () => {
  it('every region meets its own demand exactly (classes growing in one region and shrinking in another)', async () => {
    const [r] = await runFlus(e1, inp, [demand], cfg, undefined, { regions: { index, count: R } });
    expect(r.converged).toBe(true);
    expect(r.counts).toEqual(demand);
    expect(regionCounts(r.map)).toEqual(demand);
    // national counts alone would show the regions' exchanges partly cancelling: 40 + 30 - 25 = 45 net for class 1
    expect(classCounts(r.map, K)[1] - classCounts(inp.landuse, K)[1]).toBe(40 + 30 - 25);
  });

  it('block groups, 2 threads and the reference enforcement give the same map; one region equals no regions', async () => {
    const [a] = await runFlus(e1, inp, [demand], cfg, undefined, { regions: { index, count: R } });
    const [b] = await runFlus(e2, inp, [demand], { ...cfg, tileRows: 3 }, undefined, { regions: { index, count: R }, groupRows: 5 });
    const [c] = await runFlus(e1, inp, [demand], { ...cfg, demandKernel: 'ref' }, undefined, { regions: { index, count: R } });
    expect(Buffer.from(b.map).equals(Buffer.from(a.map))).toBe(true);
    expect(Buffer.from(c.map).equals(Buffer.from(a.map))).toBe(true);
    const national = classCounts(a.map, K);
    const [n0] = await runFlus(e1, inp, [national], cfg);
    const [n1] = await runFlus(e1, inp, [national], cfg, undefined, { regions: { index: new Uint16Array(W * H), count: 1 } });
    expect(Buffer.from(n1.map).equals(Buffer.from(n0.map))).toBe(true);
  });

  it('WASM enforcement with regions equals the reference on one iteration (budgets per region)', async () => {
    const ca = new CaKernel(e2, { width: W, height: H, classes: K, n: 3, restricted: true });
    try {
      ca.cur.view().set(inp.landuse);
      ca.sp.view().set(inp.prob);
      ca.restricted!.view().set(inp.restricted!);
      await ca.step(9, 0, caCoef(K, 3, cfg.weights, [1, 1, 1, 1], cfg.allowed));
      const gap = demand.map((d, j) => d - c0[j]);
      const cur = ca.cur.view().slice(0, W * H);
      const netRef = new Array(R * K).fill(0), netW = new Array(R * K).fill(0);
      const opts = { fraction: 0.3, seed: 9, iteration: 0, regions: { index, count: R, classes: K } };
      const ref = enforceDemand(cur, ca.prop.view().slice(0, W * H), ca.key.view().slice(0, W * H), gap, netRef, opts);
      const got = await enforceDemandWasm(e2, ca, gap, netW, { ...opts, taskCells: 512, minBatch: 4 });
      expect(got.accepted).toBe(ref.accepted);
      expect(got.accepted).toBeGreaterThan(0);
      expect(netW).toEqual(netRef);
      expect(Buffer.from(ca.cur.view().subarray(0, W * H)).equals(Buffer.from(cur))).toBe(true);
      // no region gains more than ceil(0.3 * its gap) of a class: 0.3 * 40 -> 12 in region 0, class 1
      expect(netRef[1]).toBeLessThanOrEqual(12);
    } finally {
      ca.release();
    }
  });

  it('a valid cell outside every region must be restricted', async () => {
    const idx = index.slice();
    let at = -1;
    for (let i = 0; i < W * H; i++) if (inp.landuse[i] !== 255 && !inp.restricted![i]) { at = i; break; }
    idx[at] = R;
    await expect(runFlus(e1, inp, [demand], cfg, undefined, { regions: { index: idx, count: R } })).rejects.toThrow(
      `regions: the valid cell at row ${Math.floor(at / W)}, column ${at % W} is in no region and not restricted (cells outside every region must keep their class)`);
  });
});
