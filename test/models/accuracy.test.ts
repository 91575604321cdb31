import { describe, it, expect } from 'vitest';
import { itShared } from '../shared-data.js';
import fc from 'fast-check';
import { fromFile } from 'geotiff';
import { accuracy, formatAccuracy } from '../../src/models/accuracy.js';

const PIE = '../shared/data/pie/';

async function readTif(p: string): Promise<{ data: Uint8Array; nodata: number | null }> {
  const img = await (await fromFile(p)).getImage();
  const [data] = (await img.readRasters()) as unknown as Uint8Array[];
  return { data, nodata: img.getGDALNoData() };
}

// F = 1, A = 2, U = 3
const code = (s: string) => Uint8Array.from(s, (ch) => ({ F: 1, A: 2, U: 3, N: 255 })[ch as 'F']!);

describe('accuracy: methods.md section 5 worked example', () => {
  // cell:  1 2 3 4 5 6 7 8 9 10
  // S      F F F F F A A A U U
  // O      U U A F F A A U U U
  // M      U A F U F A U U U U
  //        B C A D . . D B . .    -> A = 1, B = 2, C = 1, D = 2
  const S = code('FFFFFAAAUU'), O = code('UUAFFAAUUU'), M = code('UAFUFAUUUU');

  it('A=1, B=2, C=1, D=2, FoM = 1/3, OA = 0.6, kappa = 1/3', () => {
    const r = accuracy({ start: S, observed: O, simulated: M });
    expect([r.misses, r.hits, r.wrong_hits, r.false_alarms]).toEqual([1, 2, 1, 2]);
    expect(r.fom).toBeCloseTo(1 / 3, 15); // 2 / (1 + 2 + 1 + 2)
    expect(r.producers).toBe(0.5); // 2 / (1 + 2 + 1)
    expect(r.users).toBe(0.4); // 2 / (2 + 1 + 2)
    // confusion O x M: F row = cells 4 (U), 5 (F); A row = 3 (F), 6 (A), 7 (U); U row = 1 U, 2 A, 8-10 U
    expect(r.confusion).toEqual([[1, 0, 1], [1, 1, 1], [0, 1, 4]]);
    expect(r.oa).toBe(0.6); // (1 + 1 + 4) / 10
    // r = [2, 3, 5], c = [2, 2, 6], sum r c = 4 + 6 + 30 = 40; (10*6 - 40) / (100 - 40) = 20/60
    expect(r.kappa).toBeCloseTo(1 / 3, 15);
    expect(r.class_producers).toEqual([1 / 2, 1 / 3, 4 / 5]);
    expect(r.class_users).toEqual([1 / 2, 1 / 2, 4 / 6]);
    expect(r.counts).toEqual({ start: [5, 3, 2], real: [2, 3, 5], simulated: [2, 2, 6] });
    expect(r.classes).toEqual([1, 2, 3]);
    expect(r.n).toBe(10);
    expect(r.notes).toEqual([]);
  });

  it('the JSON has the documented keys', () => {
    const r = JSON.parse(JSON.stringify(accuracy({ start: S, observed: O, simulated: M })));
    for (const k of ['oa', 'kappa', 'fom', 'hits', 'misses', 'wrong_hits', 'false_alarms', 'producers', 'users', 'confusion', 'classes', 'counts']) {
      expect(r).toHaveProperty(k);
    }
  });

  it('cells NoData in any of S, O, M are left out', () => {
    // append three cells, each NoData in one map: result unchanged
    const r = accuracy({
      start: code('FFFFFAAAUUNFF'),
      observed: code('UUAFFAAUUUFNF'),
      simulated: code('UAFUFAUUUUFFN'),
      nodata: { start: 255, observed: 255, simulated: 255 },
    });
    expect([r.misses, r.hits, r.wrong_hits, r.false_alarms, r.n]).toEqual([1, 2, 1, 2, 10]);
  });

  it('float32 maps (generic path) give the same result as uint8 maps', () => {
    const f = (a: Uint8Array) => Float32Array.from(a, (v) => (v === 255 ? -3.4e38 : v));
    const r = accuracy({ start: f(S), observed: f(O), simulated: f(M), nodata: { start: -3.4e38, observed: -3.4e38, simulated: -3.4e38 } });
    expect(r).toEqual(accuracy({ start: S, observed: O, simulated: M }));
  });

  it('the text table', () => {
    const t = formatAccuracy(accuracy({ start: S, observed: O, simulated: M }), { 1: 'F', 2: 'A', 3: 'U' });
    expect(t).toContain('Overall accuracy: 0.6000    kappa: 0.3333');
    expect(t).toContain('Figure of merit: 0.3333    hits 2, misses 1, wrong hits 1, false alarms 2');
    expect(t).toContain("producer's accuracy 0.5000    user's accuracy 0.4000");
    expect(t).toMatch(/3 U\s+0\s+1\s+4\s+5\s+0\.8000/);
    expect(t).toMatch(/simulated - real\s+0\s+-1\s+1/);
  });
});

describe('accuracy: degenerate cases give null, not NaN', () => {
  it('no change anywhere: FoM, producers, users are null with notes; one class: kappa null', () => {
    const a = Uint8Array.from([1, 1, 1]);
    const r = accuracy({ start: a, observed: a, simulated: a });
    expect(r.fom).toBeNull();
    expect(r.producers).toBeNull();
    expect(r.users).toBeNull();
    expect(r.kappa).toBeNull(); // N^2 = 9 = sum r c = 3 * 3
    expect(r.oa).toBe(1);
    expect(r.notes).toContain('figure of merit (no observed or simulated change) is undefined (zero denominator): reported as null');
    expect(r.notes).toContain('kappa is undefined (N^2 = sum r_i c_i: one class only): reported as null');
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('no valid cells: OA null', () => {
    const a = Uint8Array.from([255, 255]);
    const r = accuracy({ start: a, observed: a, simulated: a, nodata: { start: 255, observed: 255, simulated: 255 }, codes: [1, 2] });
    expect(r.n).toBe(0);
    expect(r.oa).toBeNull();
    expect(r.class_producers).toEqual([null, null]);
  });
});

describe('accuracy: validation', () => {
  it('a value that is not a class code names the file, value and cell', () => {
    const a = Uint8Array.from([1, 2, 1, 2]);
    expect(() =>
      accuracy({ start: a, observed: a, simulated: Uint8Array.from([1, 2, 1, 5]), codes: [1, 2], names: { simulated: 'sim.tif' }, width: 2 }),
    ).toThrow('sim.tif: value 5 at row 1, column 1 is not one of the class codes 1, 2');
    expect(() => accuracy({ start: Uint8Array.from([1, 2, 3, 1]), observed: a, simulated: a, codes: [1, 2], names: { start: 'S.tif' } })).toThrow(
      'S.tif: value 3 at cell 2 is not one of the class codes 1, 2',
    );
  });

  it('sizes that differ, duplicate codes', () => {
    expect(() => accuracy({ start: new Uint8Array(4), observed: new Uint8Array(3), simulated: new Uint8Array(4), names: { start: 'S.tif', observed: 'O.tif' } })).toThrow(
      'O.tif: 3 cells do not match S.tif 4 cells',
    );
    expect(() => accuracy({ start: new Uint8Array(4), observed: new Uint8Array(4), simulated: new Uint8Array(3), names: { start: 'S.tif', simulated: 'M.tif' } })).toThrow(
      'M.tif: 3 cells do not match S.tif 4 cells',
    );
    expect(() => accuracy({ start: new Uint8Array(1), observed: new Uint8Array(1), simulated: new Uint8Array(1), codes: [0, 0] })).toThrow('class codes: duplicates in 0, 0');
    const many = Uint16Array.from({ length: 300 }, (_, i) => i);
    expect(() => accuracy({ start: many, observed: many, simulated: many })).toThrow('start, observed, simulated: 300 distinct class codes (0, 1, 2, 3, 4, ...); accuracy supports up to 256 land-use classes');
  });
});

describe('accuracy: property against a naive per-cell count', () => {
  it('random small maps with NoData, uint8 and int32', () => {
    const cell = fc.integer({ min: 0, max: 4 }); // 4 = NoData
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 300 }), (t) => {
        const S = Uint8Array.from(t.map((x) => x[0])), O = Uint8Array.from(t.map((x) => x[1])), M = Uint8Array.from(t.map((x) => x[2]));
        const nd = { start: 4, observed: 4, simulated: 4 };
        const r = accuracy({ start: S, observed: O, simulated: M, nodata: nd, codes: [0, 1, 2, 3] });
        let A = 0, B = 0, C = 0, D = 0, N = 0, diag = 0;
        const conf = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
        for (const [s, o, m] of t) {
          if (s === 4 || o === 4 || m === 4) continue;
          N++;
          conf[o][m]++;
          if (o === m) diag++;
          if (o !== s && m === s) A++;
          if (o !== s && m === o) B++;
          if (o !== s && m !== s && m !== o) C++;
          if (o === s && m !== s) D++;
        }
        expect([r.misses, r.hits, r.wrong_hits, r.false_alarms, r.n]).toEqual([A, B, C, D, N]);
        expect(r.confusion).toEqual(conf);
        expect(r.oa).toBe(N ? diag / N : null);
        const r32 = accuracy({ start: Int32Array.from(S), observed: Int32Array.from(O), simulated: Int32Array.from(M), nodata: nd, codes: [0, 1, 2, 3] });
        expect(r32).toEqual(r);
      }),
    );
  });
});

describe('accuracy: property with a different NoData per map (word-at-a-time path included)', () => {
  it('runs of equal cells; a value that is neither a code nor the NoData of its own map is an error', () => {
    // codes 1..3; NoData S = 0, O = 4, M = 5: a 0 in O or M, a 4 in S or M, a 5 in S or O are unknown
    const run = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 40 }), (runs) => {
        const t = runs.flatMap(([s, o, m, len]) => Array.from({ length: len }, () => [s, o, m] as const));
        const S = Uint8Array.from(t.map((x) => x[0])), O = Uint8Array.from(t.map((x) => x[1])), M = Uint8Array.from(t.map((x) => x[2]));
        const nd = [0, 4, 5];
        let unknown = -1;
        const conf = [1, 2, 3].map(() => [0, 0, 0]);
        let A = 0, B = 0, C = 0, D = 0;
        t.forEach(([s, o, m], c) => {
          const v = [s, o, m];
          if (unknown < 0 && v.some((x, k) => x !== nd[k] && (x < 1 || x > 3))) unknown = c;
          if (unknown >= 0 || v.some((x, k) => x === nd[k])) return;
          conf[o - 1][m - 1]++;
          if (o !== s) {
            if (m === s) A++;
            else if (m === o) B++;
            else C++;
          } else if (m !== s) D++;
        });
        const f = () => accuracy({ start: S, observed: O, simulated: M, nodata: { start: 0, observed: 4, simulated: 5 }, codes: [1, 2, 3] });
        if (unknown >= 0) {
          expect(f).toThrow(`value ${t[unknown].find((x, k) => x !== nd[k] && (x < 1 || x > 3))} at cell ${unknown} is not one of the class codes 1, 2, 3`);
        } else {
          const r = f();
          expect(r.confusion).toEqual(conf);
          expect([r.misses, r.hits, r.wrong_hits, r.false_alarms]).toEqual([A, B, C, D]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('accuracy on pie (real data)', () => {
  itShared('1999 vs 1999 from 1991: OA = 1, kappa = 1, FoM = 1; 1991 as a null prediction of 1999: FoM = 0', async () => {
    const s = await readTif(PIE + 'lu_pie_1991.tif');
    const o = await readTif(PIE + 'lu_pie_1999.tif');
    const nodata = { start: 255, observed: 255, simulated: 255 };
    const perfect = accuracy({ start: s.data, observed: o.data, simulated: o.data, nodata });
    expect(perfect.n).toBe(113563);
    expect(perfect.counts.real).toEqual([45377, 43455, 24731]); // the data README's 1999 counts
    expect([perfect.oa, perfect.kappa, perfect.fom]).toEqual([1, 1, 1]);
    expect(perfect.hits).toBe(4756); // cells that changed 1991 -> 1999
    // Null prediction M = S: no cell is simulated to change, so B = C = D = 0 and A = every
    // observed change: FoM = 0 / 4756 = 0, producer's = 0, user's = 0/0 -> null (noted).
    const nul = accuracy({ start: s.data, observed: o.data, simulated: s.data, nodata });
    expect([nul.hits, nul.misses, nul.wrong_hits, nul.false_alarms]).toEqual([0, 4756, 0, 0]);
    expect(nul.fom).toBe(0);
    expect(nul.producers).toBe(0);
    expect(nul.users).toBeNull();
    // OA = 1 - 4756 / 113563 (the null model agrees everywhere except on the changes)
    expect(nul.oa).toBeCloseTo(1 - 4756 / 113563, 15);
    expect(nul.kappa).toBeCloseTo(0.9354, 4);
  });
});
