import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { caCoef, caStepRef, caStepWasm, CaStepInput, CaKernel } from '../../src/kernels/ca.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';

const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

/** A random CA input from fast-check values (NoData ~ share `nd`, some restricted cells). */
const arbInput = fc
  .record({
    width: fc.integer({ min: 1, max: 40 }),
    height: fc.integer({ min: 1, max: 25 }),
    classes: fc.integer({ min: 1, max: 12 }), // > 8 exercises the generic (not unrolled) path
    n: fc.constantFrom(3, 5, 7, 9, 11),
    seed: fc.nat(2 ** 40),
    iteration: fc.nat(1000),
    gen: fc.nat(2 ** 30),
    withRestr: fc.boolean(),
  })
  .map((r) => makeInput(r));

function makeInput(r: { width: number; height: number; classes: number; n: number; seed: number; iteration: number; gen: number; withRestr: boolean }): CaStepInput {
  const { width: W, height: H, classes: K } = r;
  const key = new RngKey(r.gen, 0);
  let q = 0;
  const rnd = () => rngF64(key, q++);
  const cur = new Uint8Array(W * H);
  for (let i = 0; i < cur.length; i++) cur[i] = rnd() < 0.15 ? 255 : Math.floor(rnd() * K);
  const sp = new Float32Array(W * H * K);
  for (let i = 0; i < sp.length; i++) sp[i] = rnd() < 0.05 ? 0 : Math.fround(rnd());
  const restricted = r.withRestr ? Uint8Array.from({ length: W * H }, () => (rnd() < 0.2 ? 1 : 0)) : null;
  const w = Array.from({ length: K }, () => rnd());
  const inertia = Array.from({ length: K }, () => 0.5 + rnd());
  const allowed = Array.from({ length: K * K }, (_, j) => (j % (K + 1) === 0 ? 1 : rnd() < 0.3 ? 0 : 1));
  return { width: W, height: H, classes: K, n: r.n, cur, sp, restricted, coef: caCoef(K, r.n, w, inertia, allowed), seed: r.seed, iteration: r.iteration };
}

/**
 * Mixed maps for the K <= 8 SIMD paths: rows of 8-cell runs that are uniform (inactive cells),
 * random (fully active 16-cell blocks: quads) or patchy (partly active blocks: the row list in
 * pairs, odd counts, the row tail), with a NoData share `nd` (0 gives NoData-free rows).
 */
function makeMixed(r: { width: number; height: number; classes: number; n: number; seed: number; iteration: number; gen: number; nd: number; withRestr: boolean }): CaStepInput {
  const { width: W, height: H, classes: K } = r;
  const key = new RngKey(r.gen, 1);
  let q = 0;
  const rnd = () => rngF64(key, q++);
  const cur = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    let mode = 0, cls = 0;
    for (let x = 0; x < W; x++) {
      if (x % 8 === 0) {
        mode = Math.floor(rnd() * 3);
        cls = Math.floor(rnd() * K);
      }
      const v = mode === 0 ? cls : mode === 1 ? Math.floor(rnd() * K) : rnd() < 0.2 ? Math.floor(rnd() * K) : cls;
      cur[y * W + x] = rnd() < r.nd ? 255 : v;
    }
  }
  const sp = new Float32Array(W * H * K);
  for (let i = 0; i < sp.length; i++) sp[i] = rnd() < 0.05 ? 0 : Math.fround(rnd());
  const restricted = r.withRestr ? Uint8Array.from({ length: W * H }, () => (rnd() < 0.1 ? 1 : 0)) : null;
  const w = Array.from({ length: K }, () => rnd());
  const inertia = Array.from({ length: K }, () => 0.5 + rnd());
  const allowed = Array.from({ length: K * K }, (_, j) => (j % (K + 1) === 0 ? 1 : rnd() < 0.3 ? 0 : 1));
  return { width: W, height: H, classes: K, n: r.n, cur, sp, restricted, coef: caCoef(K, r.n, w, inertia, allowed), seed: r.seed, iteration: r.iteration };
}

function ref(inp: CaStepInput) {
  const prop = new Uint8Array(inp.width * inp.height);
  const key = new Uint32Array(inp.width * inp.height);
  const changes = caStepRef(inp, prop, key);
  return { prop, key, changes };
}

/**
 * The SIMD and scalar kernel paths give the reference's changes, proposals and keys, byte for
 * byte, with float32 suitability and with the same suitability held as uint16 (q = round(p * 65535)).
 */
async function expectBothPathsEqualRef(inp0: CaStepInput): Promise<void> {
  const asU16 = { ...inp0, sp: Uint16Array.from(inp0.sp, (p) => Math.round(p * 65535)) };
  for (const inp of [inp0, asU16]) {
    const r = ref(inp);
    for (const simd of [true, false]) {
      const w = await caStepWasm(engine, inp, { simd });
      expect(w.changes).toBe(r.changes);
      expect(Buffer.from(w.prop).equals(Buffer.from(r.prop))).toBe(true);
      expect(Buffer.from(w.key.buffer).equals(Buffer.from(r.key.buffer))).toBe(true);
    }
  }
}

describe('CA kernel (assembly/ca.ts) equals the TS reference', () => {
  it('SIMD and scalar paths, random maps with NoData, odd sizes, N in 3..11', async () => {
    await fc.assert(
      fc.asyncProperty(arbInput, expectBothPathsEqualRef),
      { numRuns: 150 },
    );
  });

  it('K <= 8 (specialised code): uniform, random and patchy runs, NoData-free or not, SIMD and scalar', async () => {
    const arbMixed = fc
      .record({
        width: fc.integer({ min: 1, max: 90 }),
        height: fc.integer({ min: 1, max: 9 }),
        classes: fc.integer({ min: 1, max: 8 }),
        n: fc.constantFrom(3, 3, 5),
        seed: fc.nat(2 ** 40),
        iteration: fc.nat(1000),
        gen: fc.nat(2 ** 30),
        nd: fc.constantFrom(0, 0.02, 0.3),
        withRestr: fc.boolean(),
      })
      .map((r) => makeMixed(r));
    await fc.assert(
      fc.asyncProperty(arbMixed, expectBothPathsEqualRef),
      { numRuns: 200 },
    );
  });

  it('2 threads and any strip height give the reference output (all three rule paths)', async () => {
    for (const [W, H, K, nd] of [[83, 37, 6, 0.01], [64, 20, 8, 0], [35, 19, 11, 0.05]] as const) {
      const inp = makeMixed({ width: W, height: H, classes: K, n: 3, seed: 123, iteration: 4, gen: W + H + K, nd, withRestr: K === 8 });
      const r = ref(inp);
      for (const tileRows of [1, 3, 8, H]) {
        const w = await caStepWasm(engine2, inp, { tileRows });
        expect(w.changes).toBe(r.changes);
        expect(Buffer.from(w.prop).equals(Buffer.from(r.prop))).toBe(true);
        expect(Buffer.from(w.key.buffer).equals(Buffer.from(r.key.buffer))).toBe(true);
      }
    }
  });

  it('1xN and Nx1 rasters', async () => {
    for (const [W, H] of [[1, 37], [37, 1], [1, 1], [17, 1], [1, 16]]) {
      for (const n of [3, 11]) {
        const inp = makeInput({ width: W, height: H, classes: 3, n, seed: 7, iteration: 2, gen: W * 100 + H + n, withRestr: false });
        const r = ref(inp);
        const w = await caStepWasm(engine, inp);
        expect(Array.from(w.prop)).toEqual(Array.from(r.prop));
      }
    }
  });

  it('any strip height gives the same output', async () => {
    const inp = makeInput({ width: 53, height: 41, classes: 5, n: 5, seed: 99, iteration: 3, gen: 5, withRestr: true });
    const r = ref(inp);
    for (const tileRows of [1, 2, 7, 41]) {
      const w = await caStepWasm(engine, inp, { tileRows });
      expect(Buffer.from(w.prop).equals(Buffer.from(r.prop))).toBe(true);
    }
  });

  it('hand-checked cell: counts exclude the centre, NoData and out-of-raster', () => {
    // 3x3 map, K = 2, centre class 0; neighbours: 0 0 1 / 1 [c] 255 / 1 1 0
    // class 0 neighbours: 3 (two top-left, one bottom-right); class 1: 4; NoData not counted.
    // w = [1, 1], inertia 1, allowed all 1: coef = 1/8. sp = [0.5, 0.5] ->
    // TP_0 = 0.5 * 3 / 8 = 0.1875, TP_1 = 0.5 * 4 / 8 = 0.25; S = 0.4375.
    const cur = Uint8Array.from([0, 0, 1, 1, 0, 255, 1, 1, 0]);
    const sp = new Float32Array(18).fill(0.5);
    const coef = caCoef(2, 3, [1, 1], [1, 1], [1, 1, 1, 1]);
    expect(Array.from(coef)).toEqual([0.125, 0.125, 0.125, 0.125]);
    const inp: CaStepInput = { width: 3, height: 3, classes: 2, n: 3, cur, sp, restricted: null, coef, seed: 1, iteration: 0 };
    const r = ref(inp);
    const u = rngF64(new RngKey(1, 0), 4);
    // first k whose cumulative sum exceeds u * S: class 0 iff 0.1875 > u * 0.4375
    expect(r.prop[4]).toBe(0.1875 > u * 0.4375 ? 0 : 1);
    expect(r.prop[5]).toBe(255);
  });

  it('hand-checked priority key: float32 bits of sp_k / sp_c, +Infinity when sp_c = 0', async () => {
    // 2x1 map [0, 1]: each cell's only neighbour has the other class, so TP_own = 0 and the
    // roulette proposes the other class whatever the draw.
    // sp plane 0 = [0, 0.5], plane 1 = [0.75, 0.25]:
    //   cell 0 (0 -> 1): 0.75 / 0   = +Infinity -> 0x7f800000
    //   cell 1 (1 -> 0): 0.5 / 0.25 = 2          -> 0x40000000
    const inp: CaStepInput = {
      width: 2, height: 1, classes: 2, n: 3, cur: Uint8Array.from([0, 1]), sp: Float32Array.from([0, 0.5, 0.75, 0.25]),
      restricted: null, coef: caCoef(2, 3, [1, 1], [1, 1], [1, 1, 1, 1]), seed: 4, iteration: 9,
    };
    const r = ref(inp);
    expect(Array.from(r.prop)).toEqual([1, 0]);
    expect(Array.from(r.key)).toEqual([0x7f800000, 0x40000000]);
    const w = await caStepWasm(engine, inp);
    expect(Array.from(w.key)).toEqual([0x7f800000, 0x40000000]);
  });

  it('restricted cells and zero total probability keep their class', async () => {
    const W = 8, H = 8, K = 2;
    const cur = new Uint8Array(W * H).map((_, i) => i % 2);
    const sp = new Float32Array(W * H * K).fill(0.5);
    const restricted = new Uint8Array(W * H).fill(1);
    const coef = caCoef(K, 3, [1, 1], [1, 1], [1, 1, 1, 1]);
    const w = await caStepWasm(engine, { width: W, height: H, classes: K, n: 3, cur, sp, restricted, coef, seed: 3, iteration: 0 });
    expect(Array.from(w.prop)).toEqual(Array.from(cur));
    expect(w.changes).toBe(0);
    const w2 = await caStepWasm(engine, { width: W, height: H, classes: K, n: 3, cur, sp: new Float32Array(W * H * K), restricted: null, coef, seed: 3, iteration: 0 });
    expect(Array.from(w2.prop)).toEqual(Array.from(cur));
  });

  it('conversion matrix is respected: a forbidden target is never proposed', async () => {
    const inp = makeInput({ width: 30, height: 30, classes: 3, n: 3, seed: 5, iteration: 0, gen: 11, withRestr: false });
    // forbid 0 -> 2 and 1 -> 0 (rows = current class)
    inp.coef = caCoef(3, 3, [1, 1, 1], [1, 1, 1], [1, 1, 0, 0, 1, 1, 1, 1, 1]);
    const w = await caStepWasm(engine, inp);
    for (let i = 0; i < inp.cur.length; i++) {
      if (inp.cur[i] === 0) expect(w.prop[i]).not.toBe(2);
      if (inp.cur[i] === 1) expect(w.prop[i]).not.toBe(0);
    }
  });

  it('validates the layout', () => {
    expect(() => new CaKernel(engine, { width: 4, height: 4, classes: 2, n: 4 })).toThrow(/neighbourhood size: expected an odd number in 3..11, got 4/);
    expect(() => new CaKernel(engine, { width: 4, height: 4, classes: 2, n: 13 })).toThrow(/neighbourhood size: expected an integer in \[3, 11\], got 13/);
    expect(() => new CaKernel(engine, { width: 4, height: 4, classes: 255, n: 3 })).toThrow(/number of classes/);
  });
});
