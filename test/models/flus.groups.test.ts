/**
 * Block groups (several WebAssembly memories, src/tiling/groups.ts): the CA over groups forced
 * to a few rows must give the one-memory results bit for bit — proposals and keys of one step,
 * and whole multi-year runs with restricted masks — for 1/2/3 threads, chunk heights, N = 3/5/7
 * (halo rows from several groups when groups are thinner than the halo), K <= 8 (specialised
 * kernels) and K = 9 (generic), float32 and uint16 suitability.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { Engine } from '../../src/tiling/engine.js';
import { planRowGroups } from '../../src/tiling/groups.js';
import { CaKernel, caCoef } from '../../src/kernels/ca.js';
import { CaGroups, planCaGroups } from '../../src/kernels/ca-groups.js';
import { runFlus, classCounts, probToU16, type FlusRowSource } from '../../src/models/flus.js';
import { synth } from './flus-synth.js';

const engines = [new Engine({ threads: 1 }), new Engine({ threads: 2 }), new Engine({ threads: 3 })];
afterAll(async () => {
  for (const e of engines) await e.close();
});

function shifted(counts: number[], moves: Array<[number, number, number]>): number[] {
  const d = counts.slice();
  for (const [from, to, n] of moves) {
    d[from] -= n;
    d[to] += n;
  }
  return d;
}

type Typed = Uint8Array | Uint16Array | Uint32Array | Float32Array;
const bytes = (a: Typed) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Typed, b: Typed) => bytes(a).equals(bytes(b));

describe('block-group plan', () => {
  it('splits rows evenly into the fewest groups that fit', () => {
    // 100 rows of 10 bytes, 250 bytes per group -> 25 rows each -> 4 groups
    expect(planRowGroups(100, { bytesPerRow: 10, maxBytes: 250 })).toEqual([
      { row0: 0, row1: 25 }, { row0: 25, row1: 50 }, { row0: 50, row1: 75 }, { row0: 75, row1: 100 },
    ]);
    // forced 3 rows: ceil(10 / 3) = 4 groups of 2-3 rows
    expect(planRowGroups(10, { bytesPerRow: 1, rows: 3 }).map((g) => g.row1 - g.row0)).toEqual([2, 3, 2, 3]);
    // 15500^2, K = 6, uint16 suitability: 18 bytes per cell -> 2 groups of 7750 rows
    expect(planCaGroups({ width: 15500, height: 15500, classes: 6, n: 3, u16: true }).length).toBe(2);
  });
});

describe('CA step over block groups', () => {
  for (const [K, n, u16] of [[4, 3, false], [6, 5, true], [9, 7, false], [3, 3, true]] as Array<[number, number, boolean]>) {
    it(`K = ${K}, N = ${n}, ${u16 ? 'uint16' : 'float32'}: proposals and keys equal one memory for group rows 1, 2, 5`, async () => {
      const W = 37, H = 23;
      const inp = synth(W, H, K, 3 + K, 0.1);
      const sp = u16 ? Uint16Array.from(inp.prob, (p) => probToU16(p)) : inp.prob;
      const coef = caCoef(K, n, Array.from({ length: K }, (_, k) => 0.3 + k / (2 * K)), new Array(K).fill(1.5), new Array(K * K).fill(1));
      const one = new CaKernel(engines[0], { width: W, height: H, classes: K, n, restricted: true, u16 });
      one.cur.view().set(inp.landuse);
      one.sp.view().set(sp as never);
      one.restricted!.view().set(inp.restricted!);
      one.key.view().fill(0);
      const c1 = await one.step(5, 2, coef);
      const prop1 = one.prop.view().slice(0, W * H), key1 = one.key.view().slice(0, W * H);
      one.release();
      for (const [e, rows] of [[engines[0], 1], [engines[1], 2], [engines[2], 5]] as Array<[Engine, number]>) {
        const o = { width: W, height: H, classes: K, n, restricted: true, u16, tileRows: 2 };
        const g = new CaGroups(e, o, planCaGroups(o, rows));
        try {
          for (let y = 0; y < H; y++) {
            g.map.row(y).set(inp.landuse.subarray(y * W, (y + 1) * W));
            g.restricted!.row(y).set(inp.restricted!.subarray(y * W, (y + 1) * W));
            for (let k = 0; k < K; k++) g.sp.row(y, k).set(sp.subarray(k * W * H + y * W, k * W * H + (y + 1) * W) as never);
            g.key.row(y).fill(0);
          }
          const c = await g.step(5, 2, coef);
          expect(c).toBe(c1);
          for (let y = 0; y < H; y++) {
            expect(same(g.prop.row(y), prop1.subarray(y * W, (y + 1) * W))).toBe(true);
            expect(same(g.key.row(y), key1.subarray(y * W, (y + 1) * W))).toBe(true);
          }
        } finally {
          await g.release();
        }
      }
    });
  }
});

describe('runFlus over block groups', () => {
  const W = 61, H = 47, K = 4;
  const inp = synth(W, H, K, 1, 0.1);
  const c0 = classCounts(inp.landuse, K);
  const demands = [shifted(c0, [[0, 1, 60], [2, 3, 25]]), shifted(c0, [[0, 1, 120], [2, 3, 40], [0, 3, 10]])];
  const cfg = { classes: K, n: 3, weights: [0.3, 1, 0.5, 0.8], allowed: new Array(16).fill(1), seed: 11, maxIterations: 300 };

  for (const probMemory of ['float32', 'uint16'] as const) {
    it(`${probMemory}: multi-year maps bit-identical to one memory for group rows 1/3/8, 1/2/3 threads, chunk rows`, async () => {
      const base = await runFlus(engines[0], inp, demands, cfg, undefined, { probMemory });
      expect(base.map((r) => r.counts)).toEqual(demands);
      const variants = [
        await runFlus(engines[0], inp, demands, cfg, undefined, { probMemory, groupRows: 1 }),
        await runFlus(engines[1], inp, demands, { ...cfg, tileRows: 1 }, undefined, { probMemory, groupRows: 3 }),
        await runFlus(engines[2], inp, demands, { ...cfg, tileRows: 5 }, undefined, { probMemory, groupRows: 8 }),
        await runFlus(engines[1], inp, demands, { ...cfg, simd: false }, undefined, { probMemory, groupBytes: 64 * 1024 }),
      ];
      for (const v of variants) {
        v.forEach((r, y) => {
          expect(same(r.map, base[y].map)).toBe(true);
          expect(r.iterations).toBe(base[y].iterations);
          expect(r.counts).toEqual(base[y].counts);
        });
      }
    });
  }

  it('a row source (read window by window) gives the same maps, written by rows', async () => {
    const base = await runFlus(engines[1], inp, demands, cfg);
    const source: FlusRowSource = {
      width: W, height: H, hasRestricted: true, readRows: 7,
      async read(y0, y1) {
        const n = (y1 - y0) * W;
        const prob = new Float32Array(n * K);
        for (let k = 0; k < K; k++) prob.set(inp.prob.subarray(k * W * H + y0 * W, k * W * H + y1 * W), k * n);
        return { landuse: inp.landuse.slice(y0 * W, y1 * W), prob, restricted: inp.restricted!.slice(y0 * W, y1 * W) };
      },
    };
    const written: Uint8Array[] = [];
    const res = await runFlus(engines[2], source, demands, cfg, undefined, {
      groupRows: 10,
      output: { async write(y, rows) { written[y] = rows(0, H).slice(); } },
    });
    expect(res.map((r) => r.map.length)).toEqual([0, 0]);
    written.forEach((m, y) => expect(same(m, base[y].map)).toBe(true));
  });

  it('rejects what block groups cannot do', async () => {
    await expect(runFlus(engines[0], inp, demands, { ...cfg, demandKernel: 'ref' }, undefined, { groupRows: 4 })).rejects.toThrow(
      'demand kernel "ref": runs on one memory; block groups use the wasm demand kernel');
    const u = { ...inp, prob: Uint16Array.from(inp.prob, (p) => probToU16(p)) };
    await expect(runFlus(engines[0], u, demands, { ...cfg, update: 'flus' })).rejects.toThrow(
      'update "flus": the official sweep runs on whole float32 arrays in one memory; rasters read by rows or held as uint16 need the sync update');
    const bad = { ...inp, prob: inp.prob.map((p, j) => (j === 5 ? 1.5 : p)) };
    const at = bad.landuse[5] === 255 ? null : 'probabilities: band 1 at row 0, column 5: expected a probability in [0, 1] to hold as uint16 (p x 65535), got 1.5';
    if (at) await expect(runFlus(engines[0], bad, demands, cfg, undefined, { probMemory: 'uint16' })).rejects.toThrow(at);
  });
});
