import { describe, it, expect } from 'vitest';
import { cli } from './helpers.js';

describe('landcarbon grey', () => {
  it('--json prints a, b, fitted, forecast, C, P, grade (methods.md example)', async () => {
    const r = await cli('grey', '--series', '2.874,3.278,3.337,3.390,3.679', '--horizon', '3', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.a).toBeCloseTo(-0.0372044, 7);
    expect(j.b).toBeCloseTo(3.0653633, 7);
    expect(j.fitted).toHaveLength(5);
    expect(j.forecast.map((v: number) => +v.toFixed(7))).toEqual([3.7506558, 3.8928249, 4.0403829]);
    expect(j.C).toBeCloseTo(0.21247, 5);
    expect(j.P).toBe(1);
    expect(j.grade).toBe('good');
  });

  it('prints a readable table without --json', async () => {
    const r = await cli('grey', '--series', '2.874,3.278,3.337,3.390,3.679', '--horizon', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('grade: good');
    expect(r.out).toContain('3.7506558');
  });

  it('exit 2 with a message for a non-numeric value or a bad horizon', async () => {
    const a = await cli('grey', '--series', '1,2,abc,4');
    expect(a.code).toBe(2);
    expect(a.err).toContain('landcarbon grey: --series: value 3 is "abc", expected a number');
    const b = await cli('grey', '--series', '1,2,3,4', '--horizon', 'x');
    expect(b.code).toBe(2);
    expect(b.err).toContain('--horizon: expected an integer');
  });
});
