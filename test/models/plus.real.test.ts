/**
 * Real-data validation of PLUS (LEAS + CARS) beside FLUS on the lulcc data sets (../shared/data,
 * read in place; skipped with one line when absent):
 *   pie:     LEAS on the 1985 -> 1991 expansion with drivers ef_001..3; CARS from 1991 to the real
 *            1999 class counts; compared with the real 1999 map;
 *   sibuyan: LEAS on 1997 -> 2011 (in-sample, as the FLUS test trains on 1997) with ef_001..13;
 *            CARS from 1997 with restricted areas restr1 and demand1.csv's 2011 row.
 * FLUS on the same data: BP-ANN suitability trained on the start map (as flus.real.test.ts).
 * Checks: demand met exactly, restricted cells unchanged, threads 1 == 2 byte for byte; OA,
 * kappa, FoM and 8-connected patch statistics (observed vs PLUS vs FLUS) are printed for the
 * README. Defaults of runPlus (patch threshold 0.9, decay 0.9, expansion coefficient 0.1, seeds
 * 0.0001), 20 trees per class.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { Engine } from '../../src/tiling/engine.js';
import { readRaster } from '../../src/io/geotiff.js';
import { driverPlane, predictAnn, trainAnn } from '../../src/models/ann.js';
import { predictLeas, trainLeas } from '../../src/models/leas.js';
import { accuracy } from '../../src/models/accuracy.js';
import { classCounts, runFlus } from '../../src/models/flus.js';
import { runPlus } from '../../src/models/plus.js';
import { patchStats } from '../../src/models/patches.js';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const has = existsSync(DATA + 'pie/lu_pie_1991.tif') && existsSync(DATA + 'sibuyan/lu_sib_1997.tif');
if (!has) console.log('plus.real: ../shared/data (pie, sibuyan) not found beside the project; skipped');
const engine = new Engine({ threads: 1 });
const engine2 = new Engine({ threads: 2 });
afterAll(async () => {
  await engine.close();
  await engine2.close();
});

const toIndex = (d: ArrayLike<number>, codes: number[]) => Uint8Array.from(d as ArrayLike<number>, (v) => (codes.includes(v) ? codes.indexOf(v) : 255));
const fromIndex = (m: Uint8Array, codes: number[]) => m.map((v) => (v === 255 ? 255 : codes[v]));

async function compare(o: { calFrom: string; calTo: string; start: string; observed: string; drivers: string[]; codes: number[]; restricted?: string; demand?: number[] }) {
  const rd = async (f: string) => readRaster(DATA + f);
  const [cf, ct, s, ob] = await Promise.all([rd(o.calFrom), rd(o.calTo), rd(o.start), rd(o.observed)]);
  const drivers = await Promise.all(o.drivers.map(async (d) => driverPlane(await rd(d), d)));
  const { width: W, height: H } = s.grid;
  const K = o.codes.length, cells = W * H;
  const start = toIndex(s.data, o.codes);
  const planes = (p: Float32Array[]) => {
    const prob = new Float32Array(cells * K);
    p.forEach((pl, k) => { for (let i = 0; i < cells; i++) prob[k * cells + i] = start[i] === 255 || !(pl[i] >= 0) ? 0 : pl[i]; });
    return prob;
  };
  const { model } = await trainLeas(engine, { name: o.calFrom, data: cf.data, nodata: 255 }, { name: o.calTo, data: ct.data, nodata: 255 }, drivers, { trees: 20, seed: 7 });
  const pPlus = planes(await predictLeas(engine, model, drivers, W, H));
  const ann = trainAnn({ name: o.start, data: s.data, nodata: 255 }, drivers, { seed: 7 });
  const pFlus = planes(await predictAnn(engine, ann, drivers, W, H));
  let restricted: Uint8Array | null = null;
  if (o.restricted) restricted = Uint8Array.from((await rd(o.restricted)).data as Uint8Array, (v) => (v === 1 ? 1 : 0));
  const demand = o.demand ?? classCounts(toIndex(ob.data, o.codes), K);
  const cfg = { classes: K, weights: new Array(K).fill(1), allowed: new Array(K * K).fill(1), seed: 42, maxIterations: 1000 };
  const inp = (prob: Float32Array) => ({ width: W, height: H, landuse: start, prob, restricted });
  const [plus] = await runPlus(engine, inp(pPlus), [demand], cfg);
  const [plus2] = await runPlus(engine2, inp(pPlus), [demand], { ...cfg, tileRows: 7 });
  const [flus] = await runFlus(engine, inp(pFlus), [demand], cfg);
  const acc = (m: Uint8Array) => accuracy({ start: s.data, observed: ob.data, simulated: fromIndex(m, o.codes), nodata: { start: 255, observed: 255, simulated: 255 }, codes: o.codes });
  const pat = (m: ArrayLike<number>) => patchStats(m, W, H, 255, o.codes).map((c) => [c.patches, +c.meanSize.toFixed(1), c.largest]);
  return { plus, plus2, flus, demand, restricted, start, a: acc(plus.map), f: acc(flus.map), patches: { observed: pat(ob.data), plus: pat(fromIndex(plus.map, o.codes)), flus: pat(fromIndex(flus.map, o.codes)) }, model };
}

function report(name: string, r: Awaited<ReturnType<typeof compare>>) {
  const f = (a: { oa: number; kappa: number; fom: number }) => ({ oa: +a.oa.toFixed(4), kappa: +a.kappa.toFixed(4), fom: +a.fom.toFixed(4) });
  console.log(`plus.real ${name}`, JSON.stringify({ plus: { ...f(r.a), iterations: r.plus.iterations, decaySteps: r.plus.decaySteps }, flus: { ...f(r.f), iterations: r.flus.iterations }, patches: r.patches, oob: r.model.classes.map((c) => c.oobAccuracy) }));
}

function checks(r: Awaited<ReturnType<typeof compare>>, K: number) {
  expect(r.plus.converged).toBe(true);
  expect(classCounts(r.plus.map, K)).toEqual(r.demand);
  expect(Buffer.from(r.plus2.map).equals(Buffer.from(r.plus.map))).toBe(true);
  if (r.restricted) for (let i = 0; i < r.start.length; i++) if (r.restricted[i]) expect(r.plus.map[i]).toBe(r.start[i]);
  expect(r.a.fom).toBeGreaterThan(0);
}

describe.skipIf(!has)('PLUS on real data beside FLUS', () => {
  it('pie: LEAS 1985 -> 1991, CARS 1991 -> 1999 with the real 1999 counts', async () => {
    const r = await compare({ calFrom: 'pie/lu_pie_1985.tif', calTo: 'pie/lu_pie_1991.tif', start: 'pie/lu_pie_1991.tif', observed: 'pie/lu_pie_1999.tif', drivers: ['pie/ef_001.tif', 'pie/ef_002.tif', 'pie/ef_003.tif'], codes: [1, 2, 3] });
    report('pie', r);
    checks(r, 3);
  }, 300_000);

  it('sibuyan: LEAS 1997 -> 2011, CARS 1997 -> 2011 with restr1 and demand1', async () => {
    const rows = readFileSync(DATA + 'sibuyan/demand1.csv', 'utf8').trim().split(/\r?\n/);
    const last = rows[rows.length - 1].split(',').map((v) => Number(v.replace(/"/g, '')));
    const r = await compare({
      calFrom: 'sibuyan/lu_sib_1997.tif', calTo: 'sibuyan/lu_sib_2011.tif', start: 'sibuyan/lu_sib_1997.tif', observed: 'sibuyan/lu_sib_2011.tif',
      drivers: Array.from({ length: 13 }, (_, j) => `sibuyan/ef_${String(j + 1).padStart(3, '0')}.tif`), codes: [1, 2, 3, 4, 5], restricted: 'sibuyan/restr1.tif', demand: last.slice(-5),
    });
    report('sibuyan', r);
    checks(r, 5);
  }, 300_000);
});
