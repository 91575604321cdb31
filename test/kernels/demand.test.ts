import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { MAX_TASKS } from '../../src/kernels/demand.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';
import {
  enforceDemand, enforceDemandWasm, tiePermute, runFlus, classCounts,
  type EnforceWasmOptions, type FlusConfig, type FlusProgress,
} from '../../src/models/flus.js';
import { synth } from '../models/flus-synth.js';

const e1 = new Engine({ threads: 1 });
const e2 = new Engine({ threads: 2 });
afterAll(async () => {
  await e1.close();
  await e2.close();
});

/** float32 bits of x (the CA kernel's priority encoding). */
const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];

interface Case {
  W: number;
  H: number;
  cur: Uint8Array;
  prop: Uint8Array;
  key: Uint32Array;
  gap: number[];
}

/** JS reference on copies. */
function ref(c: Case, opts: EnforceWasmOptions) {
  const cur = c.cur.slice();
  const net: number[] = [];
  const r = enforceDemand(cur, c.prop, c.key, c.gap, net, opts);
  return { cur, net, accepted: r.accepted, proposed: r.proposed };
}

/** WASM path on the same inputs, laid out in the engine's arena like the CA kernel's buffers. */
async function wasm(engine: Engine, c: Case, opts: EnforceWasmOptions) {
  const a = engine.arena;
  const m = a.mark();
  try {
    const n = c.W * c.H;
    const cur = a.alloc<Uint8Array>('uint8', n + 16, 'cur');
    const prop = a.alloc<Uint8Array>('uint8', n, 'prop');
    const key = a.alloc<Uint32Array>('uint32', n, 'key');
    cur.view().fill(255);
    cur.view().set(c.cur);
    prop.view().set(c.prop);
    key.view().set(c.key);
    const net: number[] = [];
    const r = await enforceDemandWasm(engine, { cur, prop, key, width: c.W, height: c.H }, c.gap, net, opts);
    return { cur: cur.view().slice(0, n), net, accepted: r.accepted, proposed: r.proposed, rounds: r.rounds, batches: r.batches };
  } finally {
    a.release(m);
  }
}

async function expectSame(engine: Engine, c: Case, opts: EnforceWasmOptions) {
  const r = ref(c, opts);
  const w = await wasm(engine, c, opts);
  expect(Buffer.from(w.cur).equals(Buffer.from(r.cur))).toBe(true);
  expect(w.net).toEqual(r.net);
  expect(w.accepted).toBe(r.accepted);
  expect(w.proposed).toBe(r.proposed);
  return w;
}

type KeyMode = 'ties' | 'spread' | 'inf' | 'equal' | 'any';

/**
 * Seeded random case: K classes, `nodata` share of NoData cells, `share` of valid cells proposing
 * another class; keys: few distinct priorities (ties), spread floats, some +Infinity, all equal, or
 * arbitrary 32-bit patterns; gaps: about a third zero, the rest random of either sign. odd: also
 * NoData cells with a valid proposal and proposals of classes >= K (not 255).
 */
function makeCase(seed: number, W: number, H: number, K: number, mode: KeyMode, share: number, nodata = 0.05, odd = false): Case {
  const rk = new RngKey(seed, 99);
  let q = 0;
  const rnd = () => rngF64(rk, q++);
  const n = W * H;
  const cur = new Uint8Array(n), prop = new Uint8Array(n), key = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rnd() < nodata ? 255 : Math.floor(rnd() * K);
    cur[i] = c;
    prop[i] = c;
    if (c === 255) {
      if (odd && rnd() < 0.3) prop[i] = Math.floor(rnd() * K);
    } else if (rnd() < share) {
      prop[i] = odd && rnd() < 0.1 ? K + Math.floor(rnd() * (255 - K)) : Math.floor(rnd() * K);
    }
    if (prop[i] !== cur[i]) {
      key[i] =
        mode === 'ties' ? bits(1 + Math.floor(rnd() * 4))
        : mode === 'spread' ? bits(rnd() * 1e6)
        : mode === 'inf' ? (rnd() < 0.2 ? bits(Infinity) : bits(rnd() * 3))
        : mode === 'equal' ? bits(1.5)
        : Math.floor(rnd() * 2 ** 32) >>> 0;
    } else {
      key[i] = Math.floor(rnd() * 2 ** 32) >>> 0; // garbage where nothing is proposed (never read)
    }
  }
  const gap = Array.from({ length: K }, () => (rnd() < 0.3 ? 0 : Math.round((rnd() - 0.5) * n * 0.4)));
  return { W, H, cur, prop, key, gap };
}

const arbOpts = fc.record({
  fraction: fc.oneof(fc.constantFrom(1, 0.5, 0.1), fc.double({ min: 0.001, max: 1, noNaN: true })),
  seed: fc.integer({ min: 0, max: 2 ** 40 }),
  iteration: fc.integer({ min: 0, max: 10_000 }),
  taskCells: fc.constantFrom(undefined, 16, 37, 250, 1000),
  minBatch: fc.constantFrom(undefined, 1, 2, 7, 100),
  maxCollect: fc.constantFrom(undefined, 1, 5, 64),
  binBits: fc.constantFrom(undefined, 8, 11, 16),
  simd: fc.boolean(),
});

describe('enforceDemandWasm equals enforceDemand (the JS reference)', () => {
  it('tiePermute in WASM is bit-identical to the JS one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (i, k) => {
        expect(e1.exports.demand_tie_permute(i, k) >>> 0).toBe(tiePermute(i, k));
      }),
      { numRuns: 2000 },
    );
    for (const [i, k] of [[0, 0], [2 ** 32 - 1, 0], [0, 2 ** 32 - 1], [2 ** 31, 12345]]) expect(e1.exports.demand_tie_permute(i, k) >>> 0).toBe(tiePermute(i, k));
  });

  it('random inputs, K = 2..8: same map, net, accepted and proposed, 1 and 2 threads, any task size and batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 0, max: 1e9 }),
          W: fc.integer({ min: 1, max: 48 }),
          H: fc.integer({ min: 1, max: 40 }),
          K: fc.integer({ min: 2, max: 8 }),
          mode: fc.constantFrom<KeyMode>('ties', 'spread', 'inf', 'equal', 'any'),
          share: fc.constantFrom(0.05, 0.3, 0.9),
          odd: fc.boolean(),
          threads: fc.constantFrom(1, 2),
        }),
        arbOpts,
        async (p, opts) => {
          const c = makeCase(p.seed, p.W, p.H, p.K, p.mode, p.share, 0.05, p.odd);
          await expectSame(p.threads === 1 ? e1 : e2, c, opts);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('K > 32 (classes >= 16 flagged: the table path, not the 16-class swizzle), up to 254 classes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 0, max: 1e9 }),
          W: fc.integer({ min: 1, max: 64 }),
          H: fc.integer({ min: 1, max: 40 }),
          K: fc.oneof(fc.integer({ min: 33, max: 254 }), fc.constant(254)),
          mode: fc.constantFrom<KeyMode>('ties', 'spread', 'inf', 'any'),
          odd: fc.boolean(),
          threads: fc.constantFrom(1, 2),
        }),
        arbOpts,
        async (p, opts) => {
          const c = makeCase(p.seed, p.W, p.H, p.K, p.mode, 0.5, 0.05, p.odd);
          await expectSame(p.threads === 1 ? e1 : e2, c, opts);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a bigger raster: several collect rounds and sorted batches (tiny minBatch), long runs of equal keys', async () => {
    // 200 x 150 cells, K = 4; every class-0 and class-2 cell proposes; classes 0 and 2 shrink, 1 and 3
    // grow, the budgets are small against the candidates so the first groups fill the budgets of
    // the classes with high priorities and later groups (and passes) are needed for the rest
    const W = 200, H = 150, n = W * H;
    const rk = new RngKey(5, 1);
    let q = 0;
    const rnd = () => rngF64(rk, q++);
    const cur = new Uint8Array(n), prop = new Uint8Array(n), key = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      cur[i] = i % 4;
      prop[i] = cur[i];
      if (cur[i] === 0) {
        prop[i] = 1;
        key[i] = bits(10 + Math.floor(rnd() * 50)); // high priorities, many ties (runs > 32)
      } else if (cur[i] === 2) {
        prop[i] = rnd() < 0.5 ? 1 : 3;
        key[i] = bits(rnd() * 5);
      }
    }
    const c: Case = { W, H, cur, prop, key, gap: [-50, 300, -300, 100] };
    for (const engine of [e1, e2]) {
      for (const [minBatch, maxCollect] of [[1, undefined], [10, 40], [1000, undefined], [undefined, 1], [undefined, undefined]]) {
        for (const [taskCells, binBits] of [[undefined, undefined], [999, 16], [4096, 8]]) {
          const w = await expectSame(engine, c, { fraction: 1, seed: 3, iteration: 9, minBatch, maxCollect, taskCells, binBits });
          if (minBatch === 1 || maxCollect !== undefined) {
            expect(w.rounds).toBeGreaterThan(1);
            // several sorted groups per pass, unless maxCollect makes a pass one group
            if (maxCollect === undefined) expect(w.batches).toBeGreaterThan(w.rounds);
          }
        }
      }
    }
  });

  it('every candidate in one bin (all priorities equal): one bin cannot be split, still exact', async () => {
    const c = makeCase(17, 97, 61, 5, 'equal', 0.6);
    c.gap = [-400, 300, -200, 250, 50];
    for (const engine of [e1, e2]) {
      for (const [minBatch, maxCollect] of [[1, 1], [undefined, undefined]]) {
        const w = await expectSame(engine, c, { fraction: 0.7, seed: 8, iteration: 2, minBatch, maxCollect, taskCells: 1000 });
        expect(w.rounds).toBe(1);
        expect(w.batches).toBe(1);
      }
    }
  });

  it('no candidates, no proposals, zero gaps, one cell', async () => {
    const none = makeCase(3, 30, 20, 3, 'spread', 0);
    none.gap = [5, -5, 0];
    const w = await expectSame(e2, none, { fraction: 1 });
    expect(w.proposed).toBe(0);
    const frozen = makeCase(4, 30, 20, 3, 'spread', 0.5);
    frozen.gap = [0, 0, 0];
    const f = await expectSame(e1, frozen, { fraction: 1 });
    expect(f.accepted).toBe(0);
    expect(f.proposed).toBeGreaterThan(0);
    const one: Case = { W: 1, H: 1, cur: Uint8Array.of(0), prop: Uint8Array.of(1), key: Uint32Array.of(bits(2)), gap: [-1, 1] };
    expect((await expectSame(e1, one, {})).accepted).toBe(1);
  });

  it('the sort kernel orders 16-byte records by their 64-bit key (short and long runs of equal high words)', () => {
    const rk = new RngKey(11, 0);
    let q = 0;
    const rnd = () => rngF64(rk, q++);
    // [records, distinct high words, range of the low words]: low words below 2^24 or 2^8 leave
    // an odd number of radix passes on a long run (the run ends in the scratch buffer)
    const cases: Array<[number, number, number]> = [
      [0, 1, 2 ** 32], [1, 1, 2 ** 32], [2, 1, 2 ** 32], [33, 1, 2 ** 32], [500, 3, 2 ** 32], [3000, 40, 2 ** 32], [3000, 2 ** 32, 2 ** 32],
      [2000, 2, 2 ** 24], [200, 1, 256], [40, 1, 2 ** 16],
    ];
    for (const [m, his, loRange] of cases) {
      const a = e1.arena;
      const mk = a.mark();
      try {
        const recs = a.alloc<Uint32Array>('uint32', 4 * Math.max(1, m));
        const tmp = a.alloc<Uint32Array>('uint32', 4 * Math.max(1, m));
        const count = a.alloc<Uint32Array>('uint32', 1024);
        const v = recs.view();
        const used = new Set<number>();
        for (let j = 0; j < m; j++) {
          let lo: number;
          do lo = Math.floor(rnd() * loRange); while (used.has(lo)); // the low words are unique (a bijection of cells)
          used.add(lo);
          v[4 * j] = lo;
          v[4 * j + 1] = his === 2 ** 32 ? Math.floor(rnd() * 2 ** 32) : 0xc0000000 + Math.floor(rnd() * his);
          v[4 * j + 2] = j;
          v[4 * j + 3] = j * 7;
        }
        const expected = Array.from({ length: m }, (_, j) => j).sort((x, y) => v[4 * x + 1] - v[4 * y + 1] || v[4 * x] - v[4 * y]);
        const ptr = e1.exports.demand_sort(recs.ptr, tmp.ptr, m, count.ptr) >>> 0;
        const s = new Uint32Array(e1.memory.buffer, ptr, 4 * m);
        const got = Array.from({ length: m }, (_, j) => s[4 * j + 2]);
        expect(got).toEqual(expected);
        for (let j = 0; j < m; j++) expect(s[4 * j + 3]).toBe(s[4 * j + 2] * 7); // payload moved with its key
      } finally {
        a.release(mk);
      }
    }
  });

  it('rejects a raster of 2^32 cells or more, more than 255 classes, too many tasks, bad batch sizes or histogram bits', async () => {
    const c = makeCase(1, 40, 30, 3, 'spread', 0.3);
    const fake = { cur: { ptr: 0, length: 0, dtype: 'uint8' as const, view: () => new Uint8Array(0) }, width: 65536, height: 65536 };
    await expect(enforceDemandWasm(e1, { ...fake, prop: fake.cur, key: { ...fake.cur, dtype: 'uint32' as const, view: () => new Uint32Array(0) } }, [1, -1], [])).rejects.toThrow(
      'demand enforcement: 4294967296 cells, at most 2^32 - 1 supported',
    );
    await expect(wasm(e1, { ...c, gap: new Array(256).fill(0) }, {})).rejects.toThrow('demand enforcement: 256 classes, at most 255');
    await expect(wasm(e1, c, { taskCells: 1 })).rejects.toThrow(`demand enforcement: 1200 tasks of 1 cells, at most ${MAX_TASKS} (a histogram each): use more cells per task`);
    await expect(wasm(e1, c, { minBatch: 0 })).rejects.toThrow('demand batch: expected an integer >= 1 (at most 2^53 - 1), got 0');
    await expect(wasm(e1, c, { maxCollect: 1.5 })).rejects.toThrow('demand collect limit: expected an integer, got 1.5');
    await expect(wasm(e1, c, { binBits: 17 })).rejects.toThrow('histogram bits: expected an integer in [8, 16], got 17');
  });
});


describe('runFlus (sync) with the WASM enforcement', () => {
  it('gives the same maps, counts, iterations and per-iteration progress as with the JS enforcement (demandKernel ref)', async () => {
    const K = 4;
    const inp = synth(83, 57, K, 21, 0.05);
    const c0 = classCounts(inp.landuse, K);
    const d1 = c0.slice();
    d1[0] -= 300; d1[1] += 220; d1[2] -= 40; d1[3] += 120;
    const d2 = d1.slice();
    d2[1] -= 50; d2[3] += 50;
    const base = { classes: K, n: 3, weights: [0.4, 1, 0.6, 0.9], allowed: new Array(K * K).fill(1), seed: 5, maxIterations: 200 };
    for (const [engine, extra] of [[e1, {}], [e2, { acceptFraction: 1 }], [e2, { acceptFraction: 0.03, tileRows: 5 }], [e1, { simd: false, n: 5 }]] as Array<[Engine, Partial<FlusConfig>]>) {
      const cfg = { ...base, ...extra };
      const pw: FlusProgress[] = [], pj: FlusProgress[] = [];
      const w = await runFlus(engine, inp, [d1, d2], cfg, (p) => pw.push(p));
      const j = await runFlus(engine, inp, [d1, d2], { ...cfg, demandKernel: 'ref' }, (p) => pj.push(p));
      expect(w.length).toBe(2);
      w.forEach((r, y) => {
        expect(Buffer.from(r.map).equals(Buffer.from(j[y].map))).toBe(true);
        expect(r.counts).toEqual(j[y].counts);
        expect(r.iterations).toBe(j[y].iterations);
        expect(r.converged).toBe(j[y].converged);
      });
      expect(pw).toEqual(pj);
      expect(pw.some((p) => p.accepted > 0)).toBe(true);
    }
  });
});
