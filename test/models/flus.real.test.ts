/**
 * Real-data validation of the FLUS simulation (../shared/data, read in place):
 *   pie:     BP-ANN suitability (src/models/ann.ts) trained on 1991 with drivers ef_001..3,
 *            simulate 1999 from 1991 with the real 1999 class counts as demand;
 *   sibuyan: trained on 1997 with ef_001..13, simulate 2011 from 1997, restricted areas restr1
 *            (1 = protected), demand = demand1.csv's last row.
 * Each is compared with a random allocation: the same pipeline, rules and demand with uniform
 * random suitability. Figures are printed (they go to the report) and asserted loosely.
 * Measured (sync update, acceptFraction 0.1, seeds as below): pie FoM 0.0321 vs random 0.0241
 * (1.33x; before the sp_k/sp_c ranking 0.0277 vs 0.0275), sibuyan 0.307 vs 0.082 (3.7x; before
 * 0.206 vs 0.154). Pie's margin is bounded by its data: with drivers ef_001..3 nothing predicts
 * 1991 -> 1999 change well (AUC of sp_built for conversion to built 0.59 from class 1, 0.69 from
 * class 3; a logistic change model fitted in-sample on sp, neighbour counts and all three drivers
 * reaches only FoM ~0.040), so its bound is 1.2x, sibuyan's 2x. The official sweep
 * (FLUS_UPDATE=flus) is held to the looser 1.1x / 1.5x (measured 1.18x / 1.87x).
 * FLUS_UPDATE=flus runs the same checks with the official-sweep update (--update flus).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { Engine } from '../../src/tiling/engine.js';
import { readRaster } from '../../src/io/geotiff.js';
import { trainAnn, predictAnn, driverPlane } from '../../src/models/ann.js';
import { accuracy } from '../../src/models/accuracy.js';
import { runFlus, classCounts, type FlusRunOptions } from '../../src/models/flus.js';
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

function toIndex(data: ArrayLike<number>, codes: number[], nodata: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] === nodata ? 255 : codes.indexOf(data[i]);
  return out;
}

function fromIndex(map: Uint8Array, codes: number[]): Uint8Array {
  return map.map((v) => (v === 255 ? 255 : codes[v]));
}

async function scenario(opts: { start: string; observed: string; drivers: string[]; codes: number[]; restricted?: string; demand?: number[]; weights: number[]; oracle?: boolean; update?: 'sync' | 'flus'; run?: FlusRunOptions; noRandom?: boolean }) {
  const s = await readRaster(DATA + opts.start);
  const o = await readRaster(DATA + opts.observed);
  const { width: W, height: H } = s.grid;
  const K = opts.codes.length;
  let planes: Float32Array[] = Array.from({ length: K }, () => new Float32Array(W * H));
  let holdout: number | null = null;
  if (!opts.oracle) {
    const drivers = await Promise.all(opts.drivers.map(async (d) => driverPlane(await readRaster(DATA + d), d)));
    const model = trainAnn({ name: opts.start, data: s.data, nodata: 255 }, drivers, { seed: 7 });
    planes = await predictAnn(engine, model, drivers, W, H);
    holdout = model.accuracy.holdout;
  }
  const prob = new Float32Array(W * H * K);
  const start = toIndex(s.data, opts.codes, 255);
  planes.forEach((p, k) => {
    for (let i = 0; i < W * H; i++) prob[k * W * H + i] = start[i] === 255 || !(p[i] >= 0) ? 0 : p[i];
  });
  if (opts.oracle) {
    // pipeline check only: suitability 0.9 for the class observed at the end, 0.05 otherwise
    const oi = toIndex(o.data, opts.codes, 255);
    for (let k = 0; k < K; k++) for (let i = 0; i < W * H; i++) prob[k * W * H + i] = oi[i] === k ? 0.9 : 0.05;
  }
  let restricted: Uint8Array | null = null;
  if (opts.restricted) {
    const r = await readRaster(DATA + opts.restricted);
    restricted = Uint8Array.from(r.data as Uint8Array, (v) => (v === 1 ? 1 : 0));
  }
  const demand = opts.demand ?? classCounts(toIndex(o.data, opts.codes, 255), K);
  const cfg = { classes: K, n: 3, update: (process.env.FLUS_UPDATE ?? opts.update ?? 'sync') as 'sync' | 'flus', weights: opts.weights, allowed: new Array(K * K).fill(1), seed: 42, maxIterations: 300 };
  const sim = (await runFlus(engine, { width: W, height: H, landuse: start, prob, restricted }, [demand], cfg, undefined, opts.run))[0];
  // random baseline: uniform random suitability, same rules and demand
  const key = new RngKey(99, 0);
  const rprob = prob.map((_, j) => rngF64(key, j));
  const rnd = opts.noRandom ? sim : (await runFlus(engine, { width: W, height: H, landuse: start, prob: rprob, restricted }, [demand], cfg, undefined, opts.run))[0];
  const acc = (m: Uint8Array) => accuracy({ start: s.data, observed: o.data, simulated: fromIndex(m, opts.codes), nodata: { start: 255, observed: 255, simulated: 255 }, codes: opts.codes });
  return { sim, rnd, a: acc(sim.map), b: acc(rnd.map), demand, restricted, start, holdout };
}

const has = existsSync(DATA + 'pie/lu_pie_1991.tif');
/** Required FoM / random FoM: the default sync update vs the official sweep (see the header). */
const official = process.env.FLUS_UPDATE === 'flus';
const BOUND = official ? { pie: 1.1, sibuyan: 1.5 } : { pie: 1.2, sibuyan: 2 };

describe.runIf(has)('FLUS on real data', () => {
  const PIE = {
    start: 'pie/lu_pie_1991.tif', observed: 'pie/lu_pie_1999.tif',
    drivers: ['pie/ef_001.tif', 'pie/ef_002.tif', 'pie/ef_003.tif'], codes: [1, 2, 3], weights: [0.5, 1, 0.5],
  };
  const show = (name: string, r: Awaited<ReturnType<typeof scenario>>) =>
    console.log(name, JSON.stringify({ iterations: r.sim.iterations, holdout: r.holdout, oa: r.a.oa, kappa: r.a.kappa, fom: r.a.fom, hits: r.a.hits, misses: r.a.misses, wrong_hits: r.a.wrong_hits, false_alarms: r.a.false_alarms, random: { oa: r.b.oa, kappa: r.b.kappa, fom: r.b.fom, iterations: r.rnd.iterations } }));

  it('pie 1991 -> 1999 (BP-ANN suitability): demand met exactly, FoM above random', async () => {
    const r = await scenario(PIE);
    show('pie', r);
    expect(r.sim.converged).toBe(true);
    expect(r.sim.counts).toEqual(r.demand);
    expect(r.rnd.counts).toEqual(r.demand);
    // the 1991-trained ANN mostly tells where classes are, not where they change (see the header):
    // FoM 0.032 vs 0.024 (240 hits vs ~185, about 4 binomial sd apart)
    expect(r.a.fom!).toBeGreaterThan(BOUND.pie * r.b.fom!);
    expect(r.a.kappa!).toBeGreaterThan(0.8);
  });

  it('pie pipeline check: an informative suitability gives FoM far above the random allocation', async () => {
    const r = await scenario({ ...PIE, oracle: true });
    show('pie-oracle', r);
    expect(r.sim.counts).toEqual(r.demand);
    expect(r.a.fom!).toBeGreaterThan(5 * r.b.fom!);
  });

  it('sibuyan 1997 -> 2011 with restr1: demand met, restricted unchanged, FoM at least twice random', async () => {
    const r = await scenario({
      start: 'sibuyan/lu_sib_1997.tif', observed: 'sibuyan/lu_sib_2011.tif',
      drivers: Array.from({ length: 13 }, (_, i) => `sibuyan/ef_${String(i + 1).padStart(3, '0')}.tif`),
      codes: [1, 2, 3, 4, 5], restricted: 'sibuyan/restr1.tif', demand: [4160, 1408, 1088, 288, 282], weights: [0.5, 0.5, 0.5, 0.5, 0.5],
    });
    show('sibuyan', r);
    expect(r.sim.converged).toBe(true);
    expect(r.sim.counts).toEqual(r.demand);
    for (let i = 0; i < r.start.length; i++) if (r.restricted![i]) expect(r.sim.map[i]).toBe(r.start[i]);
    expect(r.a.fom!).toBeGreaterThan(BOUND.sibuyan * r.b.fom!);
  });

  // uint16 suitability in memory (q = round(p * 65535)) against float32, same seed and demand
  // (the README table comes from these lines)
  const SIB = {
    start: 'sibuyan/lu_sib_1997.tif', observed: 'sibuyan/lu_sib_2011.tif',
    drivers: Array.from({ length: 13 }, (_, i) => `sibuyan/ef_${String(i + 1).padStart(3, '0')}.tif`),
    codes: [1, 2, 3, 4, 5], restricted: 'sibuyan/restr1.tif', demand: [4160, 1408, 1088, 288, 282], weights: [0.5, 0.5, 0.5, 0.5, 0.5],
  };
  it.runIf(!official)('uint16 suitability in memory: OA / kappa / FoM on pie and sibuyan close to float32', async () => {
    for (const [name, sc] of [['pie', PIE], ['sibuyan', SIB]] as const) {
      const f = await scenario({ ...sc, noRandom: true, run: { probMemory: 'float32' } });
      const u = await scenario({ ...sc, noRandom: true, run: { probMemory: 'uint16' } });
      console.log(`${name} float32 vs uint16`, JSON.stringify({
        float32: { oa: f.a.oa, kappa: f.a.kappa, fom: f.a.fom, iterations: f.sim.iterations },
        uint16: { oa: u.a.oa, kappa: u.a.kappa, fom: u.a.fom, iterations: u.sim.iterations },
        cells_differing: f.sim.map.reduce((n, v, i) => n + (v !== u.sim.map[i] ? 1 : 0), 0),
      }));
      expect(u.sim.counts).toEqual(f.sim.counts);
      // quantisation moves p by at most 7.6e-6: the maps may differ where priorities nearly tie,
      // the accuracy must not (bound: a tenth of the FoM, a hundredth of OA and kappa)
      expect(Math.abs(u.a.fom! - f.a.fom!)).toBeLessThan(0.1 * f.a.fom!);
      expect(Math.abs(u.a.oa - f.a.oa)).toBeLessThan(0.01);
      expect(Math.abs(u.a.kappa! - f.a.kappa!)).toBeLessThan(0.01);
    }
  });

  it.runIf(!official)('sibuyan split in two regions (north / south half), demand per region: each region meets its own, national totals too', async () => {
    const lu = await readRaster(DATA + SIB.start);
    const obs = await readRaster(DATA + SIB.observed);
    const { width: W, height: H } = lu.grid;
    const index = Uint16Array.from({ length: W * H }, (_, i) => (Math.floor(i / W) < H / 2 ? 0 : 1));
    const toK = (data: ArrayLike<number>) => toIndex(data, SIB.codes, 255);
    const perRegion = (m: Uint8Array) => {
      const c = new Array(2 * 5).fill(0);
      for (let i = 0; i < m.length; i++) if (m[i] !== 255) c[index[i] * 5 + m[i]]++;
      return c;
    };
    const drivers = await Promise.all(SIB.drivers.map(async (d) => driverPlane(await readRaster(DATA + d), d)));
    const model = trainAnn({ name: SIB.start, data: lu.data, nodata: 255 }, drivers, { seed: 7 });
    const planes = await predictAnn(engine, model, drivers, W, H);
    const start = toK(lu.data);
    const prob = new Float32Array(W * H * 5);
    planes.forEach((p, k) => {
      for (let i = 0; i < W * H; i++) prob[k * W * H + i] = start[i] === 255 || !(p[i] >= 0) ? 0 : p[i];
    });
    const rr = await readRaster(DATA + SIB.restricted);
    const restricted = Uint8Array.from(rr.data as Uint8Array, (v) => (v === 1 ? 1 : 0));
    const cfg = { classes: 5, n: 3, weights: SIB.weights, allowed: new Array(25).fill(1), seed: 42, maxIterations: 300 };
    // demand per half: where the national run (demand1.csv's last row) ended in each half, shifted by
    // 20 cells of forest (class index 1) -> cropland (0) in the north and the reverse in the south:
    // the national totals stay those of the national run, the halves' must now differ from it.
    // (Each half's observed 2011 counts are not reachable: the south would need 55 more cells of
    // class 4 from 44, which this model's neighbourhoods cannot supply in 300 iterations.)
    const [nat] = await runFlus(engine, { width: W, height: H, landuse: start, prob, restricted }, [SIB.demand], cfg);
    const demand = perRegion(nat.map);
    demand[0] += 20; demand[1] -= 20; demand[5] -= 20; demand[6] += 20;
    const [sim] = await runFlus(engine, { width: W, height: H, landuse: start, prob, restricted }, [demand], cfg, undefined, { regions: { index, count: 2 } });
    const acc = accuracy({ start: lu.data, observed: obs.data, simulated: fromIndex(sim.map, SIB.codes), nodata: { start: 255, observed: 255, simulated: 255 }, codes: SIB.codes });
    console.log('sibuyan two regions', JSON.stringify({ iterations: sim.iterations, demand, oa: acc.oa, kappa: acc.kappa, fom: acc.fom }));
    expect(sim.converged).toBe(true);
    expect(perRegion(sim.map)).toEqual(demand);
    expect(classCounts(sim.map, 5)).toEqual(SIB.demand);
    for (let i = 0; i < start.length; i++) if (restricted[i]) expect(sim.map[i]).toBe(start[i]);
  });
});
