import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { planStrips } from '../../src/tiling/plan.js';
import { warmBarrier } from '../../src/tiling/warm.js';
import { ConfigError } from '../../src/errors.js';
import { MAX_PAGES, PAGE } from '../../src/wasm/module.js';

const e2 = new Engine({ threads: 2 });
afterAll(() => e2.close());

describe('engine', () => {
  it('checks its options up front', () => {
    expect(() => new Engine({ threads: 0 })).toThrow(ConfigError);
    expect(() => new Engine({ threads: 0 })).toThrow('threads: expected an integer in [1, 256], got 0');
    expect(() => new Engine({ threads: 1.5 })).toThrow('threads: expected an integer, got 1.5');
  });

  it('workers share the host memory: tasks on 2 threads write disjoint regions, results come back in task order', async () => {
    const m = e2.arena.mark();
    const n = 1000;
    const out = e2.arena.alloc<Uint32Array>('uint32', 8 * n);
    // eight tasks, each fills its own slice with the RNG stream = task index
    const tasks = Array.from({ length: 8 }, (_, t) => ({ fn: 'rng_fill_u32', args: [5n, BigInt(t), 0, n, out.ptr + 4 * t * n] }));
    await e2.run(tasks);
    const one = new Engine({ threads: 1 });
    const ref = one.arena.alloc<Uint32Array>('uint32', 8 * n);
    await one.run(tasks.map((t, i) => ({ ...t, args: [5n, BigInt(i), 0, n, ref.ptr + 4 * i * n] })));
    expect(Buffer.from(out.view().buffer, out.ptr, 32 * n).equals(Buffer.from(ref.view().buffer, ref.ptr, 32 * n))).toBe(true);
    const order = await e2.run(Array.from({ length: 6 }, () => ({ fn: 'heap_base', args: [] })));
    expect(new Set(order).size).toBe(1); // every instance sees the same static layout
    await one.close();
    e2.arena.release(m);
  });

  it('warmUp starts every worker: one barrier task each, so the thread ids are distinct (twice in a row)', async () => {
    const e3 = new Engine({ threads: 3 });
    try {
      for (let r = 0; r < 2; r++) {
        const ids = await e3.warmUp();
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3); // a plain quick task per worker could land twice on one worker
        expect(ids).not.toContain(0); // not the main thread
      }
      expect(await new Engine({ threads: 1 }).warmUp()).toEqual([]);
    } finally {
      await e3.close();
    }
  });

  it('the warm-up barrier releases the last arrival at once and gives up after its timeout (no hang)', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const c = new Int32Array(mem.buffer, 64, 1);
    c[0] = 2;
    warmBarrier(64, 3, 60_000, { memory: mem }); // third of three: returns without waiting
    expect(c[0]).toBe(3);
    c[0] = 0;
    warmBarrier(64, 2, 20, { memory: mem }); // first of two, nobody else comes: waits 20 ms, returns
    expect(c[0]).toBe(1);
  });

  it('the arena grows the shared memory on demand and views stay valid after re-reading', () => {
    const m = e2.arena.mark();
    const before = e2.memory.buffer.byteLength;
    const b = e2.arena.alloc<Float64Array>('float64', 4 * 2 ** 20); // 32 MiB
    b.view()[b.length - 1] = 42;
    expect(e2.memory.buffer.byteLength).toBeGreaterThanOrEqual(before);
    expect(b.view()[b.length - 1]).toBe(42);
    expect(b.ptr % 16).toBe(0);
    e2.arena.release(m);
  });

  it('data that cannot fit in one 4 GiB memory is a clear error, not a crash', () => {
    const m = e2.arena.mark();
    const cells = (MAX_PAGES * PAGE) / 4; // a float32 raster of exactly 4 GiB
    expect(() => e2.arena.alloc('float32', cells, 'landuse.tif')).toThrow(ConfigError);
    expect(() => e2.arena.alloc('float32', cells, 'landuse.tif')).toThrow(/landuse.tif: needs 4096.0 MiB but only .* MiB of the 4 GiB WebAssembly memory are left \(this step holds the raster in one memory; it is too large for it\)/);
    e2.arena.release(m);
  });
});

describe('tile plans', () => {
  it('strips cover every row once, in order, with halos clipped at the raster edge', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 7 }), (h, rows, halo, mult) => {
        const tiles = planStrips(h, { tileRows: rows, halo, multipleOf: mult });
        let next = 0;
        for (const t of tiles) {
          expect(t.row0).toBe(next);
          expect(t.rows % mult === 0 || t.row0 + t.rows === h).toBe(true);
          expect(t.haloTop).toBe(Math.min(halo, t.row0));
          expect(t.haloBottom).toBe(Math.min(halo, h - t.row0 - t.rows));
          next += t.rows;
        }
        expect(next).toBe(h);
      }),
    );
  });

  it('default tiles give about four per thread', () => {
    expect(planStrips(4096, { threads: 2 })).toHaveLength(8);
    expect(() => planStrips(10, { tileRows: 0 })).toThrow('tile rows: expected an integer >= 1 (at most 2^53 - 1), got 0');
  });
});
