import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { CASA_DEFAULTS, CasaMonth, casaMonthRef, CasaTypeParams } from '../../src/kernels/casa.ref.js';
import { CasaRunner } from '../../src/kernels/casa.js';
import { Engine } from '../../src/tiling/engine.js';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

const sr = (x: number) => (1 + x) / (1 - x);

describe('CASA month kernel', () => {
  it('a hand-computed pixel', async () => {
    // NDVI 0.5, type: NDVI 5/95 % = 0.1/0.9, SR = 1.2222/19, eps_max 0.389 g C/MJ
    // FPAR_NDVI = (0.5 - 0.1)/0.8 * 0.949 + 0.001 = 0.4755; SR = 3, FPAR_SR = 0.1 * 0.949 + 0.001 = 0.0959
    // FPAR = 0.5 (0.4755 + 0.0959) = 0.2857; APAR = 400 * 0.2857 * 0.5 = 57.14 MJ/m2
    // Topt = T = 20: T1 = 0.8 + 0.4 - 0.2 = 1; T2 = 1.1814 / (1 + e^-2) / (1 + e^-3) = 0.99122355
    // eps = 1 * 0.99122355 * 0.75 * 0.389 = 0.28919; NPP = 57.14 * eps = 16.5243 g C/m2
    // R_H = 0.22 (e^(0.0913*20) + ln(0.3145*100 + 1)) * 30 * 0.465 = 0.22 * (6.20900 + 3.47970) * 13.95 = 29.7346
    const types: CasaTypeParams[] = [{ epsMax: 0.389, ndviMin: 0.1, ndviMax: 0.9, srMin: sr(0.1), srMax: sr(0.9) }];
    const f = (v: number) => Float32Array.of(v);
    const r = new CasaRunner(engine, { width: 1, height: 1, topt: f(20), typeIndex: Int32Array.of(0), types, water: 'w', monthOutputs: true });
    await r.month({ ndvi: f(0.5), temp: f(20), prec: f(100), sol: f(400), w: f(0.75) });
    const s = r.sums();
    r.close();
    const t2 = 1.1814 / (1 + Math.exp(-2)) / (1 + Math.exp(-3));
    expect(t2).toBeCloseTo(0.99122355, 8);
    expect(s.npp[0]).toBeCloseTo(57.14 * t2 * 0.75 * 0.389, 9);
    expect(s.npp[0]).toBeCloseTo(16.5243, 4);
    expect(s.rh[0]).toBeCloseTo(29.7346, 4);
  });

  it('T < -10 C gives eps = 0 (NPP 0) but R_H still counts; W from EET/PET', async () => {
    const types: CasaTypeParams[] = [{ epsMax: 0.5, ndviMin: 0, ndviMax: 0.8, srMin: 1, srMax: 9 }];
    const f = (...v: number[]) => Float32Array.from(v);
    const r = new CasaRunner(engine, { width: 2, height: 1, topt: f(20, 20), typeIndex: Int32Array.of(0, 0), types, water: 'eet-pet' });
    await r.month({ ndvi: f(0.4, 0.4), temp: f(-12, 10), prec: f(10, 10), sol: f(300, 300), eet: f(50, 50), pet: f(100, 100) });
    const s = r.sums();
    r.close();
    expect(s.npp[0]).toBe(0);
    expect(s.rh[0]).toBeCloseTo(0.22 * (Math.exp(0.0913 * -12) + Math.log(0.3145 * 10 + 1)) * 30 * 0.465, 9);
    // W = 0.5 + 0.5 * 50/100 = 0.75
    const ref = { npp: new Float64Array(2), rh: new Float64Array(2) };
    casaMonthRef({ ndvi: f(0.4, 0.4), temp: f(-12, 10), prec: f(10, 10), sol: f(300, 300), w: f(0.75, 0.75) }, f(20, 20), Int32Array.of(0, 0), types, CASA_DEFAULTS, ref.npp, ref.rh);
    expect(s.npp[1]).toBeCloseTo(ref.npp[1], 12);
  });

  const cellArb = fc.record({
    t: fc.integer({ min: -1, max: 2 }),
    ndvi: fc.double({ min: -0.9, max: 0.95, noNaN: true }),
    temp: fc.double({ min: -25, max: 38, noNaN: true }),
    prec: fc.double({ min: 0, max: 400, noNaN: true }),
    sol: fc.double({ min: 0, max: 800, noNaN: true }),
    w: fc.double({ min: 0.5, max: 1, noNaN: true }),
    topt: fc.double({ min: 0, max: 32, noNaN: true }),
    nan: fc.integer({ min: 0, max: 12 }),
  });

  it('WASM (SIMD and scalar) equals the TS reference on random small rasters with NoData, odd sizes, several months (rel. 1e-12)', async () => {
    const types: CasaTypeParams[] = [
      { epsMax: 0.389, ndviMin: 0.05, ndviMax: 0.85, srMin: sr(0.05), srMax: sr(0.85) },
      { epsMax: 0.542, ndviMin: -0.1, ndviMax: 0.6, srMin: sr(-0.1), srMax: sr(0.6) },
      { epsMax: 0.985, ndviMin: 0.3, ndviMax: 0.9, srMin: sr(0.3), srMax: sr(0.9) },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.boolean(),
        fc.array(cellArb, { minLength: 13 * 9 * 3, maxLength: 13 * 9 * 3 }), fc.constantFrom('simd' as const, 'scalar' as const),
        async (w, h, months, tileRows, eetPet, cells, impl) => {
          const n = w * h;
          const typeIndex = Int32Array.from({ length: n }, (_, i) => cells[i].t);
          const topt = Float32Array.from({ length: n }, (_, i) => cells[i].topt);
          const runner = new CasaRunner(engine, { width: w, height: h, topt, typeIndex, types, water: eetPet ? 'eet-pet' : 'w', monthOutputs: true, tileRows, impl });
          const nppR = new Float64Array(n), rhR = new Float64Array(n);
          try {
            for (let m = 0; m < months; m++) {
              const c = (i: number) => cells[(i + m * n) % cells.length];
              const nanIf = (i: number, k: number, v: number) => (c(i).nan === k ? NaN : v);
              const mo: CasaMonth = {
                ndvi: Float32Array.from({ length: n }, (_, i) => nanIf(i, 1, c(i).ndvi)),
                temp: Float32Array.from({ length: n }, (_, i) => nanIf(i, 2, c(i).temp)),
                prec: Float32Array.from({ length: n }, (_, i) => nanIf(i, 3, c(i).prec)),
                sol: Float32Array.from({ length: n }, (_, i) => nanIf(i, 4, c(i).sol)),
              };
              if (eetPet) {
                mo.eet = Float32Array.from({ length: n }, (_, i) => nanIf(i, 5, c(i).w * 80));
                mo.pet = Float32Array.from({ length: n }, () => 100);
              } else mo.w = Float32Array.from({ length: n }, (_, i) => nanIf(i, 5, c(i).w));
              await runner.month(mo);
              const outR = { npp: new Float32Array(n), rh: new Float32Array(n) };
              casaMonthRef(mo, topt, typeIndex, types, CASA_DEFAULTS, nppR, rhR, outR);
              const mw = runner.monthOutputs()!;
              for (let i = 0; i < n; i++) {
                if (Number.isNaN(outR.npp[i])) expect(mw.npp[i]).toBeNaN();
                else expect(Math.abs(mw.npp[i] - outR.npp[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(outR.npp[i])));
              }
            }
            const s = runner.sums();
            for (let i = 0; i < n; i++) {
              for (const [a, b] of [[s.npp[i], nppR[i]], [s.rh[i], rhR[i]]]) {
                if (Number.isNaN(b)) expect(a).toBeNaN();
                else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
              }
            }
          } finally {
            runner.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('tiling and thread invariance: any tile size and thread count give bit-identical sums', async () => {
    const w = 17, h = 11, n = w * h;
    const types: CasaTypeParams[] = [{ epsMax: 0.6, ndviMin: 0, ndviMax: 0.9, srMin: 1, srMax: 19 }];
    const topt = Float32Array.from({ length: n }, (_, i) => 15 + (i % 7));
    const typeIndex = new Int32Array(n);
    const mo: CasaMonth = {
      ndvi: Float32Array.from({ length: n }, (_, i) => ((i * 37) % 90) / 100),
      temp: Float32Array.from({ length: n }, (_, i) => -15 + (i % 40)),
      prec: Float32Array.from({ length: n }, (_, i) => (i * 13) % 200),
      sol: Float32Array.from({ length: n }, (_, i) => 200 + (i % 300)),
      w: Float32Array.from({ length: n }, (_, i) => 0.5 + (i % 50) / 100),
    };
    for (const impl of ['simd', 'scalar'] as const) {
    const run = async (tileRows: number) => {
      const r = new CasaRunner(engine, { width: w, height: h, topt, typeIndex, types, water: 'w', tileRows, impl });
      await r.month(mo);
      await r.month(mo);
      const s = r.sums();
      r.close();
      return s;
    };
    const a = await run(h);
    for (const t of [1, 2, 5]) {
      const b = await run(t);
      expect(Array.from(b.npp)).toEqual(Array.from(a.npp));
      expect(Array.from(b.rh)).toEqual(Array.from(a.rh));
    }
    // and across 2 worker threads (runs dist/ workers: build first with npx tsc -p tsconfig.json)
    const e2 = new Engine({ threads: 2 });
    try {
      const r = new CasaRunner(e2, { width: w, height: h, topt, typeIndex, types, water: 'w', tileRows: 3, impl });
      await r.month(mo);
      await r.month(mo);
      const s = r.sums();
      r.close();
      expect(Array.from(s.npp)).toEqual(Array.from(a.npp));
      expect(Array.from(s.rh)).toEqual(Array.from(a.rh));
    } finally {
      await e2.close();
    }
    }
  });

  it('the SIMD exp: relative error <= 4e-16 against Math.exp on [-60, 60], NaN stays NaN', () => {
    const n = 20001;
    const m = engine.arena.mark();
    const x = engine.arena.alloc<Float64Array>('float64', n);
    const o = engine.arena.alloc<Float64Array>('float64', n);
    const xv = x.view();
    for (let i = 0; i < n - 1; i++) xv[i] = -60 + (120 * i) / (n - 2);
    xv[n - 1] = NaN;
    engine.exports.casa_vexp(x.ptr, o.ptr, n);
    const ov = o.view();
    let worst = 0;
    for (let i = 0; i < n - 1; i++) worst = Math.max(worst, Math.abs(ov[i] - Math.exp(xv[i])) / Math.exp(xv[i]));
    expect(ov[n - 1]).toBeNaN();
    engine.arena.release(m);
    // Taylor truncation < 2e-16 on |r| <= ln2/2 plus rounding in Horner and the reduction
    expect(worst).toBeLessThanOrEqual(4e-16);
  });

  it('SIMD and scalar paths agree to 1e-14 relative on a hand pixel set', async () => {
    const types: CasaTypeParams[] = [{ epsMax: 0.389, ndviMin: 0.1, ndviMax: 0.9, srMin: sr(0.1), srMax: sr(0.9) }];
    const f = (...v: number[]) => Float32Array.from(v);
    const mo = { ndvi: f(0.5, 0.2, 0.8), temp: f(20, -5, 31), prec: f(100, 0, 250), sol: f(400, 150, 600), w: f(0.75, 0.5, 1) };
    const out: Record<string, Float64Array> = {};
    for (const impl of ['simd', 'scalar'] as const) {
      const r = new CasaRunner(engine, { width: 3, height: 1, topt: f(20, 22, 25), typeIndex: Int32Array.of(0, 0, 0), types, water: 'w', impl });
      await r.month(mo);
      out[impl] = r.sums().npp;
      r.close();
    }
    for (let i = 0; i < 3; i++) expect(Math.abs(out.simd[i] - out.scalar[i])).toBeLessThanOrEqual(1e-14 * Math.abs(out.scalar[i]));
  });
});
