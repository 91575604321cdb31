import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gwr } from '../../src/models/stats/gwr.js';
import { parseCsv, numberColumn } from '../../src/io/table.js';

const golden = (f: string) => readFileSync(new URL(`../golden/${f}`, import.meta.url), 'utf8');
// numpy evaluation of the GWR formulas at fixed bandwidths (test/golden/scipy_golden.py)
const S = JSON.parse(golden('scipy_golden.json')).gwr;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

// Georgia counties (GWR4 / PySAL mgwr example data, 159 units, UTM coordinates)
const g = parseCsv(golden('georgia.csv'), 'georgia.csv');
const y = numberColumn(g, 'PctBach');
const cx = numberColumn(g, 'X'), cy = numberColumn(g, 'Y');
const cols = (names: string[]) => names.map((c) => numberColumn(g, c));
const RPB = ['PctRural', 'PctPov', 'PctBlack'];

describe('GWR: the published mgwr reference runs (mgwr/tests, validated there against GWR4)', () => {
  it('adaptive bisquare, golden-section search on AICc: bandwidth 93 (mgwr test_golden_adapt_AICc)', () => {
    const r = gwr(y, cols(RPB), RPB, cx, cy, {});
    expect(r.bandwidth).toBe(93);
    const ref = S.rural_pov_black_adaptive_bisquare_93;
    expect(rel(r.aicc, Number(ref.aicc))).toBeLessThan(1e-9);
    expect(rel(r.trS, Number(ref.trS))).toBeLessThan(1e-9);
    r.terms.forEach((_, k) => {
      const mean = r.params.reduce((s, p) => s + p[k], 0) / r.n;
      expect(rel(mean, Number(ref.mean_params[k]))).toBeLessThan(1e-9);
    });
  });
  it('fixed bisquare search: bandwidth 211020.83 (mgwr test_golden_fixed_AICc)', () => {
    const r = gwr(y, cols(RPB), RPB, cx, cy, { fixed: true });
    expect(r.bandwidth).toBe(211020.83);
    const ref = S['rural_pov_black_fixed_bisquare_211020.83'];
    expect(rel(r.aicc, Number(ref.aicc))).toBeLessThan(1e-9);
  });
  it('adaptive bisquare bw = 90 (mgwr test_BS_NN): R^2 0.5924, floor(AICc) = 896, floor(AIC) = 892', () => {
    const r = gwr(y, cols(RPB), RPB, cx, cy, { bandwidth: 90 });
    expect(Math.round(r.r2 * 1e4) / 1e4).toBe(0.5924);
    expect(Math.floor(r.aicc)).toBe(896);
    expect(Math.floor(r.aic)).toBe(892);
    expect(rel(r.aicc, Number(S.rural_pov_black_adaptive_bisquare_90.aicc))).toBeLessThan(1e-9);
  });
  it('fixed bisquare bw = 209267.689 (test_BS_F): floor(AICc) 894, floor(AIC) 890; gaussian adaptive 49 (test_GS_NN): 896 / 894; gaussian fixed 87308.298 (test_GS_F): 895 / 890', () => {
    const a = gwr(y, cols(RPB), RPB, cx, cy, { fixed: true, bandwidth: 209267.689 });
    expect([Math.floor(a.aicc), Math.floor(a.aic)]).toEqual([894, 890]);
    const b = gwr(y, cols(RPB), RPB, cx, cy, { kernel: 'gaussian', bandwidth: 49 });
    expect([Math.floor(b.aicc), Math.floor(b.aic)]).toEqual([896, 894]);
    expect(rel(b.aicc, Number(S.rural_pov_black_adaptive_gaussian_49.aicc))).toBeLessThan(1e-9);
    const c = gwr(y, cols(RPB), RPB, cx, cy, { kernel: 'gaussian', fixed: true, bandwidth: 87308.298 });
    expect([Math.floor(c.aicc), Math.floor(c.aic)]).toEqual([895, 890]);
  });
  it('PctFB, PctBlack, PctRural (the mgwr paper/notebook model): search gives bandwidth 117', () => {
    const names = ['PctFB', 'PctBlack', 'PctRural'];
    const r = gwr(y, cols(names), names, cx, cy, {});
    expect(r.bandwidth).toBe(117);
    const ref = S.fb_black_rural_adaptive_bisquare_117;
    expect(rel(r.aicc, Number(ref.aicc))).toBeLessThan(1e-9);
    expect(rel(r.r2, Number(ref.r2))).toBeLessThan(1e-9);
    r.terms.forEach((_, k) => {
      const mean = r.params.reduce((s, p) => s + p[k], 0) / r.n;
      expect(rel(mean, Number(ref.mean_params[k]))).toBeLessThan(1e-9);
    });
    ref.params_first3.forEach((row: string[], i: number) => row.forEach((v, k) => expect(rel(r.params[i][k], Number(v))).toBeLessThan(1e-9)));
  });
});

describe('GWR properties and degenerate inputs', () => {
  it('a huge fixed bandwidth with a gaussian kernel tends to OLS (every local fit ~ the global fit)', () => {
    const r = gwr(y, cols(RPB), RPB, cx, cy, { kernel: 'gaussian', fixed: true, bandwidth: 1e12 });
    const first = r.params[0];
    for (const p of r.params) p.forEach((v, k) => expect(Math.abs(v - first[k])).toBeLessThan(1e-6 * (Math.abs(first[k]) + 1)));
    expect(r.trS).toBeCloseTo(4, 6);
  });
  it('local R^2 in [0, 1] and influence = S_ii sums to tr(S)', () => {
    const r = gwr(y, cols(RPB), RPB, cx, cy, { bandwidth: 93 });
    let s = 0;
    for (let i = 0; i < r.n; i++) {
      expect(r.localR2[i]).toBeGreaterThanOrEqual(-1e-12);
      expect(r.localR2[i]).toBeLessThanOrEqual(1);
      s += r.influence[i];
    }
    expect(s).toBeCloseTo(r.trS, 10);
  });
  it('small data set (n = 30 <= 40 + 2p): the search covers [p + 2, n] and beats the global bandwidth n', () => {
    const idx = Array.from({ length: 30 }, (_, i) => i * 5);
    const pick = (a: ArrayLike<number>) => idx.map((i) => a[i]);
    const xx = [pick(cols(['PctRural'])[0])];
    const r = gwr(pick(y), xx, ['PctRural'], pick(cx), pick(cy), {});
    expect(r.bandwidth).toBeGreaterThanOrEqual(4);
    expect(r.bandwidth).toBeLessThanOrEqual(30);
    const all = gwr(pick(y), xx, ['PctRural'], pick(cx), pick(cy), { bandwidth: 30 });
    expect(r.aicc).toBeLessThanOrEqual(all.aicc);
    expect(r.search!.length).toBeGreaterThan(2);
  });
  it('too few units, collinear regressors, a too-small bandwidth -> InputError', () => {
    expect(() => gwr([1, 2, 3, 4], [[1, 2, 3, 5], [2, 1, 0, 3]], ['a', 'b'], [0, 1, 2, 3], [0, 0, 0, 0], {})).toThrow('gwr: 4 units for 3 local parameters; GWR needs at least 5 units');
    const xcol = cols(['PctRural'])[0];
    expect(() => gwr(y, [xcol, Float64Array.from(xcol, (v) => 2 * v)], ['a', 'b'], cx, cy, { bandwidth: 50 })).toThrow(/regressor "b" is collinear/);
    expect(() => gwr(y, cols(RPB), RPB, cx, cy, { bandwidth: 3 })).toThrow(/singular with bandwidth 3/);
    expect(() => gwr(y, cols(RPB), RPB, cx, cy, { bandwidth: 2.5 })).toThrow(/integer number of neighbours/);
  });
});
