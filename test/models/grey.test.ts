import { describe, it, expect } from 'vitest';
import { gm11, greyGrade, parseSeries } from '../../src/models/grey.js';

const X0 = [2.874, 3.278, 3.337, 3.39, 3.679];

describe('GM(1,1)', () => {
  it('reproduces the worked example of methods.md section 8', () => {
    const r = gm11(X0, 3);
    expect(r.a).toBeCloseTo(-0.0372044, 7);
    expect(r.b).toBeCloseTo(3.0653633, 7);
    expect(r.forecast[0]).toBeCloseTo(3.7506558, 7);
    expect(r.forecast[1]).toBeCloseTo(3.8928249, 7);
    expect(r.forecast[2]).toBeCloseTo(4.0403829, 7);
    expect(r.C).toBeCloseTo(0.21247, 5);
    expect(r.P).toBe(1);
    expect(r.grade).toBe('good');
    expect(r.fitted[0]).toBe(2.874); // x0^(1) = x0(1)
    expect(r.residuals[0]).toBe(0);
  });

  it('an exact exponential series is fitted with tiny error and a matching growth rate', () => {
    // x0(k) = 2 * 1.05^k: GM(1,1) is nearly exact for geometric series, -a ~ ln(1.05) = 0.04879
    const x = Array.from({ length: 8 }, (_, k) => 2 * 1.05 ** k);
    const r = gm11(x, 2);
    expect(-r.a).toBeCloseTo(Math.log(1.05), 3);
    expect(r.forecast[0]).toBeCloseTo(2 * 1.05 ** 8, 2);
    expect(r.grade).toBe('good');
  });

  it('a linear series (a near 0) still forecasts close to the trend', () => {
    const x = [10, 10.1, 10.2, 10.3, 10.4];
    const r = gm11(x, 1);
    expect(r.forecast[0]).toBeCloseTo(10.5, 1);
  });

  it('grades follow the C/P table', () => {
    expect(greyGrade(0.35, 0.95)).toBe('good');
    expect(greyGrade(0.36, 0.95)).toBe('qualified');
    expect(greyGrade(0.5, 0.8)).toBe('qualified');
    expect(greyGrade(0.65, 0.7)).toBe('barely qualified');
    expect(greyGrade(0.66, 1)).toBe('unqualified');
    expect(greyGrade(0.1, 0.69)).toBe('unqualified');
  });

  it('rejects too-short, non-positive, non-finite and constant series, and bad horizons', () => {
    expect(() => gm11([1, 2, 3])).toThrow('series: GM(1,1) needs at least 4 values, got 3');
    expect(() => gm11([1, 2, 0, 3])).toThrow('series: value 3 is 0, GM(1,1) expects positive values');
    expect(() => gm11([1, 2, NaN, 3])).toThrow('series: value 3 is null, expected a finite number');
    expect(() => gm11([2, 2, 2, 2])).toThrow('the series is constant');
    expect(() => gm11(X0, -1)).toThrow('--horizon: expected an integer in [0, 1000], got -1');
    expect(() => parseSeries('1,2,x,4')).toThrow('--series: value 3 is "x", expected a number');
  });
});
