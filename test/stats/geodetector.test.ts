import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  breaksFor, classify, discretize, factorDetector, geodetector, interactionType, jenksBreaks, parseDiscretize, riskDetector,
} from '../../src/models/stats/geodetector.js';

// The geodetector package's documentation example (gd() in R "GD"): y and a two-stratum factor.
const y = [1.2, 1.5, 2.1, 3.3, 3.6, 4.3, 1.2, 1.5, 1.9, 2.8];
const x = 'dddcccdddc'.split('');
const z = 'aabbaabbab'.split('');

describe('factor detector', () => {
  it('q, F, lambda and the noncentral-F p by hand (values checked with numpy/scipy)', () => {
    // N = 10, mean 2.34, SST = sum (y - 2.34)^2 = 10.824
    // stratum d: 1.2 1.5 2.1 1.2 1.5 1.9 (mean 1.5667, SS 0.6733); c: 3.3 3.6 4.3 2.8 (mean 3.5, SS 1.18)
    // SSW = 1.85333, q = 1 - 1.85333/10.824 = 0.828776; F = (10-2)/(2-1) * q/(1-q) = 38.7223
    // lambda = (1.5667^2 + 3.5^2 - (sqrt6*1.5667 + sqrt4*3.5)^2/10) / (10.824/10) = 2.73395
    // p = scipy.stats.ncf.sf(38.7223, 1, 8, 2.73395) = 0.00533706583930868
    const r = factorDetector(y, x, 'x');
    expect(r.q).toBeCloseTo(0.8287755604828775, 13);
    expect(r.F!).toBeCloseTo(38.72230215827336, 10);
    expect(r.lambda!).toBeCloseTo(2.7339525824772193, 12);
    expect(Math.abs(r.p! - 0.00533706583930868) / 0.00533706583930868).toBeLessThan(1e-8);
    expect(r.strata).toBe(2);
  });
  it('one stratum: q = 0 and F, p null; every stratum one unit: q = 1 and F, p null', () => {
    const one = factorDetector(y, new Array(10).fill('a'));
    expect(one.q).toBeCloseTo(0, 15);
    expect(one.F).toBeNull();
    expect(one.p).toBeNull();
    const each = factorDetector(y, y.map((_, i) => String(i)));
    expect(each.q).toBe(1);
    expect(each.F).toBeNull();
  });
  it('constant y -> InputError', () => {
    expect(() => geodetector(new Array(5).fill(1), [{ name: 'x', labels: ['a', 'a', 'b', 'b', 'b'] }])).toThrow(/constant/);
  });
});

describe('interaction detector', () => {
  it('q of the overlay and its type (x: 0.8288, z: 0.0237, x∩z: 0.9042 > sum -> enhance, nonlinear)', () => {
    const r = geodetector(y, [{ name: 'x', labels: x }, { name: 'z', labels: z }]);
    expect(r.interaction[0].qab).toBeCloseTo(0.9042251786154225, 13);
    expect(r.interaction[0].type).toBe('enhance, nonlinear');
  });
  it('the five types', () => {
    expect(interactionType(0.3, 0.4, 0.2)).toBe('weaken, nonlinear');
    expect(interactionType(0.3, 0.4, 0.35)).toBe('weaken, uni-');
    expect(interactionType(0.3, 0.4, 0.6)).toBe('enhance, bi-');
    expect(interactionType(0.25, 0.5, 0.75)).toBe('independent');
    expect(interactionType(0.3, 0.4, 0.8)).toBe('enhance, nonlinear');
  });
  it('property: the overlay refines both partitions, so q(a∩b) >= max(q(a), q(b))', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 4, maxLength: 40 }),
      (rows) => {
        const yy = rows.map((r) => r[0]);
        if (Math.max(...yy) - Math.min(...yy) < 1e-6) return;
        const res = geodetector(yy, [{ name: 'a', labels: rows.map((r) => String(r[1])) }, { name: 'b', labels: rows.map((r) => String(r[2])) }]);
        const it = res.interaction[0];
        expect(it.qab).toBeGreaterThanOrEqual(Math.max(it.qa, it.qb) - 1e-9);
        expect(it.qa).toBeGreaterThanOrEqual(-1e-12);
        expect(it.qa).toBeLessThanOrEqual(1 + 1e-12);
      },
    ), { numRuns: 100 });
  });
});

describe('risk and ecological detectors', () => {
  it("risk: Welch t between strata = scipy ttest_ind(equal_var=False): t = 5.5631, df = 4.3886, p = 0.0038722", () => {
    const r = riskDetector(y, x, 'x', 0.05);
    const p = r.pairs[0];
    expect(p.a).toBe('d');
    expect(p.t!).toBeCloseTo(-5.563053307089201, 11);
    expect(p.df!).toBeCloseTo(4.388602852963833, 11);
    expect(Math.abs(p.p! - 0.00387215575571538) / 0.00387215575571538).toBeLessThan(1e-9);
    expect(p.significant).toBe(true);
  });
  it('risk: a stratum with one unit gives null t/p (stated behaviour)', () => {
    const r = riskDetector([1, 2, 3, 4, 9], ['a', 'a', 'b', 'b', 'c'], 'f', 0.05);
    const withC = r.pairs.filter((p) => p.a === 'c' || p.b === 'c');
    expect(withC.length).toBe(2);
    for (const p of withC) {
      expect(p.t).toBeNull();
      expect(p.p).toBeNull();
      expect(p.significant).toBeNull();
    }
  });
  it('ecological: F = SSW_x / SSW_z = 0.175372, p = scipy f.sf(F, 9, 9) = 0.991938', () => {
    const r = geodetector(y, [{ name: 'x', labels: x }, { name: 'z', labels: z }]);
    expect(r.ecological[0].F).toBeCloseTo(0.17537219278324506, 13);
    expect(r.ecological[0].p).toBeCloseTo(0.9919383716511428, 10);
    expect(r.ecological[0].significant).toBe(false);
  });
});

describe('discretisation', () => {
  const v = [1, 2, 3, 4, 10, 11, 12, 30, 31, 32];
  it('equal interval: breaks at min + i (max-min)/k', () => {
    expect(breaksFor(v, 'equal', 3)).toEqual([11.333333333333334, 21.666666666666668]);
    expect(Array.from(classify(v, [11.333333333333334, 21.666666666666668]))).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 2, 2]);
  });
  it('quantile: type-7 quantiles; tied breaks merge classes', () => {
    expect(breaksFor(v, 'quantile', 2)).toEqual([10.5]);
    // quartiles of 1,1,1,1,2 are all 1: one break, two classes {1,1,1,1} and {2}
    expect(breaksFor([1, 1, 1, 1, 2], 'quantile', 4)).toEqual([1]);
  });
  it('natural breaks: Fisher-Jenks finds the three obvious groups and equals brute force', () => {
    expect(jenksBreaks(Float64Array.from(v), 3)).toEqual([4, 12]);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: 9 }), fc.integer({ min: 2, max: 3 }), (arr, k) => {
      const s = Float64Array.from(arr).sort();
      const br = jenksBreaks(s, k);
      const ssOf = (breaks: number[]) => {
        const cls = classify(s, breaks);
        let t = 0;
        for (let c = 0; c <= breaks.length; c++) {
          const g = Array.from(s).filter((_, i) => cls[i] === c);
          if (!g.length) continue;
          const m = g.reduce((a, b) => a + b, 0) / g.length;
          t += g.reduce((a, b) => a + (b - m) ** 2, 0);
        }
        return t;
      };
      // brute force over all choices of k-1 split points
      let best = Infinity;
      const n = s.length;
      const rec = (start: number, left: number, acc: number[]) => {
        if (left === 0) { best = Math.min(best, ssOf(acc)); return; }
        for (let i = start; i < n - 1; i++) rec(i + 1, left - 1, [...acc, s[i]]);
      };
      rec(0, k - 1, []);
      expect(ssOf(br)).toBeLessThanOrEqual(best + 1e-9);
    }), { numRuns: 60 });
  });
  it('K chosen by q within the range; constant factor -> error', () => {
    const yy = [1, 1, 1, 1, 5, 5, 5, 9, 9, 9];
    const d = discretize(v, yy, { method: 'natural', kMin: 2, kMax: 4 }, 'f');
    expect(d.q).toBeCloseTo(1, 12); // groups {1..4}, {10..12}, {30..32} carry y = 1, 5, 9 exactly
    expect(d.k).toBe(3);
    expect(() => discretize([2, 2, 2], [1, 2, 3], { method: 'equal', kMin: 2, kMax: 2 }, 't.csv "f"')).toThrow('t.csv "f": the factor is constant (2)');
  });
  it('parseDiscretize: global and per-factor specs; errors', () => {
    expect(parseDiscretize('quantile:3-5', ['a', 'b']).get('b')).toEqual({ method: 'quantile', kMin: 3, kMax: 5 });
    const m = parseDiscretize('a=natural:4', ['a', 'b']);
    expect(m.has('b')).toBe(false);
    expect(() => parseDiscretize('kmeans:3', ['a'])).toThrow(/METHOD equal\|quantile\|natural/);
    expect(() => parseDiscretize('c=equal:3', ['a'])).toThrow(/"c" is not one of --factors/);
    expect(() => parseDiscretize('equal:1', ['a'])).toThrow(/2 <= KMIN/);
  });
});
