import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { RngKey, rngF64, rngSpecU64, rngU32 } from '../../src/kernels/rng.ref.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

function wasmU32(seed: bigint, stream: bigint, start: number, n: number): Uint32Array {
  const m = engine.arena.mark();
  const b = engine.arena.alloc<Uint32Array>('uint32', n);
  engine.exports.rng_fill_u32(seed, stream, start, n, b.ptr);
  const out = b.view().slice();
  engine.arena.release(m);
  return out;
}

function wasmF64(seed: bigint, stream: bigint, start: number, n: number): Float64Array {
  const m = engine.arena.mark();
  const b = engine.arena.alloc<Float64Array>('float64', n);
  engine.exports.rng_fill_f64(seed, stream, start, n, b.ptr);
  const out = b.view().slice();
  engine.arena.release(m);
  return out;
}

describe('counter-based RNG', () => {
  it('SplitMix64 known value: key 0 stream-free sequence starts like splitmix64(seed=0)', () => {
    // splitmix64 with state 0: first output (state += G, then mix) = 0xE220A8397B1DCDAF
    // our out(index=1) with key 0 is mix64(0 + 1*G), the same number.
    const M = (1n << 64n) - 1n;
    const G = 0x9e3779b97f4a7c15n;
    let z = G & M;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    z = z ^ (z >> 31n);
    expect(z).toBe(0xe220a8397b1dcdafn);
  });

  it('TS fast reference equals the BigInt rule', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }), fc.nat(1 << 30), fc.nat(2 ** 40), (seed, stream, index) => {
        const key = new RngKey(seed, stream);
        const spec = rngSpecU64(seed, BigInt(stream), BigInt(index));
        expect(rngU32(key, index)).toBe(Number(spec >> 32n));
        expect(rngF64(key, index)).toBe(Number(spec >> 11n) * 2 ** -53);
      }),
      { numRuns: 300 },
    );
  });

  it('WASM equals the TS reference (u32 and f64), any start offset', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }), fc.nat(1000), fc.nat(2 ** 45), fc.integer({ min: 1, max: 300 }), (seed, stream, start, n) => {
        const u = wasmU32(seed, BigInt(stream), start, n);
        const f = wasmF64(seed, BigInt(stream), start, n);
        const key = new RngKey(seed, stream);
        for (let i = 0; i < n; i++) {
          expect(u[i]).toBe(rngU32(key, start + i));
          expect(f[i]).toBe(rngF64(key, start + i));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is a pure function of (seed, stream, index): a window equals the same cells of a longer run', () => {
    const all = wasmU32(42n, 7n, 0, 10_000);
    const part = wasmU32(42n, 7n, 3_333, 1_000);
    expect(Array.from(part)).toEqual(Array.from(all.subarray(3_333, 4_333)));
  });

  it('streams and seeds differ', () => {
    const a = wasmU32(1n, 0n, 0, 64);
    const b = wasmU32(1n, 1n, 0, 64);
    const c = wasmU32(2n, 0n, 0, 64);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('f64 values are uniform on [0,1): chi-square over 100 bins, 10^6 draws', () => {
    const n = 1_000_000;
    const f = wasmF64(20261122n, 3n, 0, n);
    const bins = new Float64Array(100);
    let min = 1, max = 0, sum = 0;
    for (const v of f) {
      bins[Math.floor(v * 100)]++;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const e = n / 100;
    let chi = 0;
    for (const o of bins) chi += ((o - e) * (o - e)) / e;
    // chi-square with 99 df: the 0.999 quantile is 148.2
    expect(chi).toBeLessThan(148.2);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.002); // sd of the mean = 0.289/1000
  });

  it('u32 bits are balanced and successive indices are uncorrelated', () => {
    const n = 200_000;
    const u = wasmU32(9n, 0n, 0, n);
    const ones = new Float64Array(32);
    for (const v of u) for (let b = 0; b < 32; b++) ones[b] += (v >>> b) & 1;
    for (let b = 0; b < 32; b++) expect(Math.abs(ones[b] / n - 0.5)).toBeLessThan(0.005); // 4.5 sd
    let sxy = 0, sx = 0, sxx = 0;
    for (let i = 0; i + 1 < n; i++) {
      const x = u[i] / 2 ** 32, y = u[i + 1] / 2 ** 32;
      sxy += x * y; sx += x; sxx += x * x;
    }
    const m = sx / (n - 1);
    const corr = (sxy / (n - 1) - m * m) / (sxx / (n - 1) - m * m);
    expect(Math.abs(corr)).toBeLessThan(0.01);
  });
});
