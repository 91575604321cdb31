import { describe, it, expect, afterAll } from 'vitest';
import { Engine } from '../../src/tiling/engine.js';
import { runFlus, enforceDemand, tiePermute, tieUnpermute, updateInertia, checkDemandFeasible, classCounts, checkFlusConfig } from '../../src/models/flus.js';
import { RngKey, rngF64, rngU32 } from '../../src/kernels/rng.ref.js';
import { synth } from './flus-synth.js';

const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => {
  await e1.close();
  await e2.close();
});

function shifted(counts: number[], moves: Array<[number, number, number]>): number[] {
  const d = counts.slice();
  for (const [from, to, n] of moves) {
    d[from] -= n;
    d[to] += n;
  }
  return d;
}

describe('FLUS simulation loop (sync update)', () => {
  const inp = synth(67, 45, 4, 1, 0.1);
  const c0 = classCounts(inp.landuse, 4);
  const demands = [shifted(c0, [[0, 1, 60], [2, 3, 25]]), shifted(c0, [[0, 1, 120], [2, 3, 40], [0, 3, 10]])];
  const cfg = { classes: 4, n: 3, weights: [0.3, 1, 0.5, 0.8], allowed: new Array(16).fill(1), seed: 11, maxIterations: 300 };

  it('meets each year\'s demand exactly and never changes restricted or NoData cells', async () => {
    const res = await runFlus(e1, inp, demands, cfg);
    expect(res.map((r) => r.counts)).toEqual(demands);
    expect(res.every((r) => r.converged)).toBe(true);
    for (const r of res) {
      for (let i = 0; i < inp.landuse.length; i++) {
        if (inp.landuse[i] === 255 || inp.restricted![i]) expect(r.map[i]).toBe(inp.landuse[i]);
      }
    }
  });

  it('byte-identical maps for 1 vs 2 threads, any strip height, SIMD or scalar counts', async () => {
    const base = await runFlus(e1, inp, demands, cfg);
    const variants = [
      await runFlus(e2, inp, demands, cfg),
      await runFlus(e2, inp, demands, { ...cfg, tileRows: 1 }),
      await runFlus(e1, inp, demands, { ...cfg, tileRows: 7 }),
      await runFlus(e2, inp, demands, { ...cfg, tileRows: 13, simd: false }),
    ];
    for (const v of variants) {
      v.forEach((r, y) => {
        expect(Buffer.from(r.map).equals(Buffer.from(base[y].map))).toBe(true);
        expect(r.iterations).toBe(base[y].iterations);
      });
    }
  });

  it('respects the conversion matrix (rows = current class), also over many iterations', async () => {
    // rows = current: 0 -> {0, 1}, 1 -> {1}, 2 -> {2, 3}, 3 -> {3}; closed under chaining, so
    // whatever path a cell takes over the iterations it must end in its row's set
    const allowed = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1];
    const [r] = await runFlus(e1, inp, [demands[0]], { ...cfg, allowed });
    expect(r.counts).toEqual(demands[0]);
    const ok = [[0, 1], [1], [2, 3], [3]];
    for (let i = 0; i < inp.landuse.length; i++) {
      if (inp.landuse[i] !== 255) expect(ok[inp.landuse[i]]).toContain(r.map[i]);
    }
  });

  it('different seeds give different maps, same seed the same', async () => {
    const a = await runFlus(e1, inp, [demands[0]], cfg);
    const b = await runFlus(e1, inp, [demands[0]], { ...cfg, seed: 12 });
    const c = await runFlus(e1, inp, [demands[0]], cfg);
    expect(Buffer.from(a[0].map).equals(Buffer.from(b[0].map))).toBe(false);
    expect(Buffer.from(a[0].map).equals(Buffer.from(c[0].map))).toBe(true);
  });

  it('tolerance stops early; progress reports iteration and gap per class', async () => {
    const seen: number[] = [];
    const [r] = await runFlus(e1, inp, [demands[1]], { ...cfg, tolerance: 0.5 }, (p) => seen.push(p.totalGap));
    // total gap at start = 2 * (120 + 40 + 10) = 340 <= 0.5 * valid: no iteration needed
    expect(r.iterations).toBe(0);
    expect(seen).toEqual([]);
    const gaps: number[][] = [];
    await runFlus(e1, inp, [demands[1]], cfg, (p) => gaps.push(p.gap));
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps[gaps.length - 1]).toEqual([0, 0, 0, 0]);
  });

  it('stops after maxIterations when demand cannot be reached in time', async () => {
    const [r] = await runFlus(e1, inp, [demands[1]], { ...cfg, maxIterations: 1 });
    expect(r.iterations).toBe(1);
    // one iteration of proposals may or may not suffice; either way the gap is reported consistently
    expect(r.converged).toBe(r.gap.every((g) => g === 0));
  });
});

describe('flus update (official sweep)', () => {
  it('meets demand, keeps restricted cells, and is reproducible with a seed', async () => {
    const inp = synth(40, 30, 3, 5, 0.1);
    const c0 = classCounts(inp.landuse, 3);
    const d = shifted(c0, [[0, 1, 30], [2, 1, 10]]);
    const cfg = { classes: 3, weights: [0.5, 1, 0.5], allowed: new Array(9).fill(1), seed: 3, update: 'flus' as const };
    const [a] = await runFlus(e1, inp, [d], cfg);
    const [b] = await runFlus(e1, inp, [d], cfg);
    expect(a.counts).toEqual(d);
    expect(Buffer.from(a.map).equals(Buffer.from(b.map))).toBe(true);
    for (let i = 0; i < inp.landuse.length; i++) if (inp.restricted![i]) expect(a.map[i]).toBe(inp.landuse[i]);
  });
});

/** float32 bits of x (the kernel's priority encoding: sp_k / sp_c). */
const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
const keys = (xs: number[]) => Uint32Array.from(xs, bits);

describe('demand enforcement rule', () => {
  it('accepts shrinking -> growing conversions in descending priority within the budgets (hand-checked)', () => {
    // cells 0..5, current classes 0,0,0,1,2,0; proposals 0->1, 0->1, 0->2, 1->2, 2->0, 0->2
    // priorities (higher first): cell 2 (5), cell 0 (4), cell 4 (3), cell 1 (2), cell 3 (1.5), cell 5 (1)
    // gap = [-2, +1, +1], fraction 1: class 0 may lose 2, classes 1 and 2 may gain 1 each
    //   cell 2: 0->2 accepted (loss_0 = 1, gain_2 = 1); cell 0: 0->1 accepted (loss_0 = 2, gain_1 = 1)
    //   every growing budget is now used: cells 4 (2->0: 2 is growing, cannot lose), 1, 3, 5 rejected
    const cur = Uint8Array.from([0, 0, 0, 1, 2, 0]);
    const prop = Uint8Array.from([1, 1, 2, 2, 0, 2]);
    const net = [0, 0, 0];
    const r = enforceDemand(cur, prop, keys([4, 2, 5, 1.5, 3, 1]), [-2, 1, 1], net);
    expect(Array.from(cur)).toEqual([1, 0, 2, 1, 2, 0]);
    expect(net).toEqual([-2, 1, 1]);
    expect(r).toEqual({ accepted: 2, proposed: 6 });
  });

  it('the priority, not the raster position, decides (reversed priorities -> other cells); +Infinity first', () => {
    const cur = Uint8Array.from([0, 0, 0, 0]);
    const prop = Uint8Array.from([1, 1, 1, 1]);
    const a = cur.slice(), b = cur.slice(), c = cur.slice();
    enforceDemand(a, prop, keys([4, 3, 2, 1]), [-2, 2], [0, 0]);
    enforceDemand(b, prop, keys([1, 2, 3, 4]), [-2, 2], [0, 0]);
    enforceDemand(c, prop, keys([1, Infinity, 3, 2]), [-2, 2], [0, 0]);
    expect(Array.from(a)).toEqual([1, 1, 0, 0]);
    expect(Array.from(b)).toEqual([0, 0, 1, 1]);
    expect(Array.from(c)).toEqual([0, 1, 1, 0]);
  });

  it('closes at most ceil(fraction * |gap|) of each gap per iteration', () => {
    // 10 cells of class 0 all proposing 1, priority 10 - i; gap [-10, +10]
    const prop = new Uint8Array(10).fill(1);
    const key = keys(Array.from({ length: 10 }, (_, i) => 10 - i));
    const cur = new Uint8Array(10), net = [0, 0];
    // fraction 0.25: budget ceil(2.5) = 3 -> the 3 highest priorities (cells 0, 1, 2)
    expect(enforceDemand(cur, prop, key, [-10, 10], net, { fraction: 0.25 }).accepted).toBe(3);
    expect(Array.from(cur)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(net).toEqual([-3, 3]);
    // gap now [-7, 7]: ceil(0.25 * 7) = 2 more (cells 3, 4); a gap of 1 still moves 1 cell
    expect(enforceDemand(cur, prop, key, [-7, 7], net, { fraction: 0.25 }).accepted).toBe(2);
    expect(Array.from(cur)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(enforceDemand(cur, prop, key, [-1, 1], net, { fraction: 0.25 }).accepted).toBe(1);
  });

  it('equal priorities: a seeded permutation decides, not the raster order', () => {
    const n = 1000;
    const prop = new Uint8Array(n).fill(1);
    const key = keys(new Array(n).fill(1));
    const run = (seed: number, iteration: number) => {
      const cur = new Uint8Array(n);
      enforceDemand(cur, prop, key, [-100, 100], [0, 0], { seed, iteration });
      return cur;
    };
    const a = run(1, 0);
    const idx = [...a.keys()].filter((i) => a[i] === 1);
    expect(idx.length).toBe(100);
    // spread over the raster (raster order would take cells 0..99): mean index near 500
    const mean = idx.reduce((s, i) => s + i, 0) / idx.length;
    expect(mean).toBeGreaterThan(400);
    expect(mean).toBeLessThan(600);
    expect(Array.from(run(1, 0))).toEqual(Array.from(a)); // same seed and iteration: same cells
    expect(Array.from(run(2, 0))).not.toEqual(Array.from(a));
    expect(Array.from(run(1, 1))).not.toEqual(Array.from(a));
  });

  it('tie-break permutation is a bijection of 32-bit indices', () => {
    for (const k of [0, 1, 0x9e3779b9, 0xffffffff]) {
      for (const i of [0, 1, 2, 12345, 2 ** 31, 2 ** 32 - 1]) expect(tieUnpermute(tiePermute(i, k), k)).toBe(i);
      const seen = new Set<number>();
      for (let i = 0; i < 1 << 16; i++) seen.add(tiePermute(i, k));
      expect(seen.size).toBe(1 << 16);
    }
  });

  it('equals the rule stated plainly: candidates sorted by (priority desc, tie permutation), then the greedy loop', () => {
    // reference: comparator sort of the candidate cells (no 64-bit packing), then the budget loop; random
    // inputs with many ties, spread priorities and +Infinity
    const tieKeyOf = (seed: number, it: number) => rngU32(new RngKey(seed, 2 ** 32 + it), 0);
    function plain(cur: Uint8Array, prop: Uint8Array, key: Uint32Array, gap: number[], fraction: number, seed: number, it: number): number[] {
      const tk = tieKeyOf(seed, it);
      const cand: number[] = [];
      for (let i = 0; i < cur.length; i++) if (prop[i] !== cur[i] && prop[i] !== 255 && gap[prop[i]] > 0 && gap[cur[i]] < 0) cand.push(i);
      const hiOf = (i: number) => ~key[i] >>> 0;
      cand.sort((a, b) => hiOf(a) - hiOf(b) || tiePermute(a, tk) - tiePermute(b, tk));
      const budget = gap.map((g) => Math.sign(g) * Math.ceil(fraction * Math.abs(g)));
      const net = gap.map(() => 0);
      for (const i of cand) {
        const c = cur[i], k = prop[i];
        if (net[k] < budget[k] && -net[c] < -budget[c]) {
          cur[i] = k;
          net[k]++;
          net[c]--;
        }
      }
      return net;
    }
    const rk = new RngKey(77, 0);
    let q = 0;
    const rnd = () => rngF64(rk, q++);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(rnd() * 3000), K = 2 + Math.floor(rnd() * 5);
      const cur = Uint8Array.from({ length: n }, () => (rnd() < 0.05 ? 255 : Math.floor(rnd() * K)));
      const prop = cur.map((c) => (c === 255 ? 255 : rnd() < 0.5 ? c : Math.floor(rnd() * K)));
      // few distinct priorities (ties, shared 16-bit groups), spread ones, +Infinity
      const mode = trial % 3;
      const key = keys(Array.from({ length: n }, () => (mode === 0 ? 1 + Math.floor(rnd() * 4) : mode === 1 ? rnd() * 1e6 : rnd() < 0.1 ? Infinity : rnd())));
      const gap = Array.from({ length: K }, () => Math.round((rnd() - 0.5) * n * 0.3));
      const fraction = [1, 0.5, 0.1][trial % 3];
      const a = cur.slice(), b = cur.slice(), net = gap.map(() => 0);
      enforceDemand(a, prop, key, gap, net, { fraction, seed: trial, iteration: 3 });
      const netRef = plain(b, prop, key, gap, fraction, trial, 3);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(net).toEqual(netRef);
    }
  });

  it('a class already at its demand is frozen', () => {
    const cur = Uint8Array.from([0, 1, 2]);
    const prop = Uint8Array.from([1, 0, 1]);
    const net = [0, 0, 0];
    enforceDemand(cur, prop, keys([3, 2, 1]), [0, 1, -1], net);
    // 0 is frozen (gap 0): cell 0 (0->1) and cell 1 (1->0) rejected; cell 2 (2->1) accepted
    expect(Array.from(cur)).toEqual([0, 1, 1]);
  });
});

describe('adaptive inertia (paper rule, methods.md section 3)', () => {
  it('keeps inertia while the gap does not widen', () => {
    expect(updateInertia(1.5, 10, 20)).toBe(1.5); // |10| <= |20|
    expect(updateInertia(1.5, -5, -5)).toBe(1.5);
  });
  it('scales by D2/D1 when a surplus widens and by D1/D2 when a deficit widens', () => {
    expect(updateInertia(1, -20, -10)).toBe(0.5); // 0 > -10 > -20: * (-10 / -20)
    expect(updateInertia(1, 30, 10)).toBe(3); // 30 > 10 > 0: * 30 / 10
    expect(updateInertia(2, 30, 10, true, 1)).toBe(18); // flus mode: 2 * 3^2
  });
  it('keeps inertia when the gap changes sign', () => {
    expect(updateInertia(1, 30, -10)).toBe(1);
  });
});

describe('validation', () => {
  const start = Uint8Array.from([0, 0, 0, 1, 1, 2, 255]);
  const names = { source: 'demand.csv', classNames: ['forest', 'built', 'other'], years: [2030] };
  const cfg = { classes: 3, allowed: new Array(9).fill(1) };
  it('a demand row that does not sum to the valid cells', () => {
    expect(() => checkDemandFeasible(start, null, [[3, 2, 2]], cfg, names)).toThrow('demand.csv: year 2030 sums to 7 cells but the land-use map has 6 valid cells');
  });
  it('a class that must lose more cells than are unrestricted', () => {
    const restricted = Uint8Array.from([1, 1, 0, 0, 0, 0, 0]);
    expect(() => checkDemandFeasible(start, restricted, [[0, 4, 2]], cfg, names)).toThrow('demand.csv: year 2030: forest must lose 3 cells but only 1 of its cells are unrestricted (demand cannot be met)');
  });
  it('growth that the conversion matrix does not allow', () => {
    // rows = current: forest -> {forest, other}, built -> {built}, other -> {built, other}.
    // start forest 3, built 2, other 1; demand 1 / 4 / 1: forest -2, built +2, other 0.
    // forest -> built is forbidden and other is at its demand (frozen): 0 of 2 cells can move
    const allowed = [1, 0, 1, 0, 1, 0, 0, 1, 1];
    expect(() => checkDemandFeasible(start, null, [[1, 4, 1]], { classes: 3, allowed }, names)).toThrow(
      'demand.csv: year 2030: demand cannot be met under the conversion matrix: only 0 of the 2 cells that must change can move from shrinking to growing classes (growing: built; conversion rows = current class)',
    );
    // demand 3 / 3 / 0: other -> built is allowed and carries the whole change
    expect(() => checkDemandFeasible(start, null, [[3, 3, 0]], { classes: 3, allowed }, names)).not.toThrow();
  });
  it('growth of a class with no cells', () => {
    const s = Uint8Array.from([0, 0, 1, 1]);
    expect(() => checkDemandFeasible(s, null, [[1, 2, 1]], cfg, names)).toThrow('demand.csv: year 2030: demand for other is 1 cells but it has no cells to grow from');
  });
  it('a negative or fractional demand', () => {
    expect(() => checkDemandFeasible(start, null, [[3.5, 1.5, 1]], cfg, names)).toThrow('demand.csv: year 2030, forest: expected a whole number of cells >= 0, got 3.5');
  });
  it('config checks', () => {
    const base = { classes: 2, weights: [1, 1], allowed: [1, 1, 1, 1], seed: 1 };
    expect(() => checkFlusConfig({ ...base, allowed: [1, 1, 1] })).toThrow('conversion matrix: expected 2x2 = 4 values, got 3');
    expect(() => checkFlusConfig({ ...base, allowed: [1, 0.5, 1, 1] })).toThrow('conversion matrix: row 1, column 2: expected 0 or 1, got 0.5');
    expect(() => checkFlusConfig({ ...base, weights: [1] })).toThrow('weights: expected 2 values (one per class), got 1');
    expect(() => checkFlusConfig({ ...base, weights: [1, 2] })).toThrow('weights[1]: expected a number in [0, 1], got 2');
    expect(() => checkFlusConfig({ ...base, n: 4 })).toThrow('neighbourhood size: expected an odd number in 3..11, got 4');
    expect(() => checkFlusConfig({ ...base, update: 'async' as never })).toThrow('update: expected "sync" or "flus", got "async"');
    expect(() => checkFlusConfig({ ...base, demandKernel: 'js' as never })).toThrow('demand kernel: expected "wasm" or "ref", got "js"');
    expect(() => checkFlusConfig({ ...base, seed: -1 })).toThrow('seed: expected an integer >= 0 (at most 2^53 - 1), got -1');
    expect(() => checkFlusConfig({ ...base, acceptFraction: 0 })).toThrow(/accept fraction: expected a number in/);
    expect(() => checkFlusConfig({ ...base, acceptFraction: 1.5 })).toThrow(/accept fraction: expected a number in/);
    expect(checkFlusConfig(base).acceptFraction).toBe(0.1);
  });
});
