/**
 * FLUS and PLUS on the larger real data sets in ../shared/data (read in place; the run prints one
 * line and exits 0 when they are absent): dongguan (the official GeoSOS-FLUS V2.4 sample) and
 * bencat (a MOLUSCE case on GLAD land cover). Results: bench/results/real-lucc.json (the README
 * tables come from it). Long (minutes on a quiet machine): a benchmark, not a test.
 *
 *   npx tsc -p tsconfig.json && nice -n 10 node dist/bench/real_lucc.js [--only dongguan|bencat] [--threads 2]
 *
 * dongguan, 2001 -> 2006, FLUS's own settings (as shipped with the sample): demand
 *   [80016, 54427, 43599, 42433, 28446], neighbourhood weights [1, 0.9, 0.5, 1, 0.1], 3x3, the
 *   cost matrix (rows = current class), restricted where restricted_area == 0 (the 2001 water).
 *   FLUS: BP-ANN trained on the 2001 map (FLUS trains on the latest map), sync update, and the
 *   official sweep (35 iterations, FLUS's setting). PLUS: LEAS on 2001 -> 2006 (the set has one
 *   interval, so LEAS is in-sample, as on sibuyan), CARS defaults. Gap analysis (issue 15): the
 *   same allocation with an "oracle" suitability (0.9 for the class observed in 2006, 0.05
 *   otherwise) bounds what any suitability can reach, and the hit bounds below bound any run.
 * bencat, calibrate 2000 -> 2010, simulate 2010 -> 2020, score against 2020: FLUS BP-ANN on the
 *   2010 map, PLUS LEAS on the 2000 -> 2010 expansion; demand either the real 2020 counts or the
 *   Markov projection of 2010 by the 2000 -> 2010 matrix (one step, largest remainders); built-up
 *   may not convert (GLAD built-up is cumulative: no built -> other cell in either interval);
 *   weights 1. Slope 0 % is stored as NoData 0 in that file (data README): read as 0.
 * Metrics: OA, kappa, FoM (Pontius 2008) and its parts, plus the "change-only" FoM (hits counted
 * wherever both maps change, whatever the class: (B + C) / (A + B + C + D)), and 8-connected
 * patch statistics per class.
 */
import { existsSync } from 'node:fs';
import { Engine } from '../src/tiling/engine.js';
import { readRaster } from '../src/io/geotiff.js';
import type { Raster } from '../src/io/grid.js';
import { driverPlane, predictAnn, trainAnn, type DriverPlane } from '../src/models/ann.js';
import { predictLeas, trainLeas } from '../src/models/leas.js';
import { accuracy } from '../src/models/accuracy.js';
import { classCounts, runFlus, type FlusConfig } from '../src/models/flus.js';
import { runPlus } from '../src/models/plus.js';
import { patchStats } from '../src/models/patches.js';
import { largestRemainder, vecMat } from '../src/models/markov.js';
import { writeResults } from './machine.js';
import { flags, runMain } from './common.js';

export const SHARED = new URL('../../shared/data/', import.meta.url).pathname;

const toIndex = (d: ArrayLike<number>, codes: number[]) => Uint8Array.from(d as ArrayLike<number>, (v) => (codes.includes(v) ? codes.indexOf(v) : 255));
const fromIndex = (m: Uint8Array, codes: number[]) => m.map((v) => (v === 255 ? 255 : codes[v]));

/** K planes of suitability, 0 where the start map or the plane has no data (the cell keeps its class). */
function stack(p: Float32Array[], start: Uint8Array): Float32Array {
  const n = start.length, out = new Float32Array(n * p.length);
  p.forEach((pl, k) => { for (let i = 0; i < n; i++) out[k * n + i] = start[i] === 255 || !(pl[i] >= 0) ? 0 : pl[i]; });
  return out;
}

/** Hits a run can make at most: observed changes c -> j with c -> j allowed, c unrestricted, j gaining (gainOnly) or any j. */
export function hitBound(s: Uint8Array, o: Uint8Array, restricted: Uint8Array | null, allowed: number[], K: number, gaining: boolean[] | null): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i], j = o[i];
    if (c === 255 || j === 255 || c === j || (restricted && restricted[i])) continue;
    if (!allowed[c * K + j]) continue;
    if (gaining && !gaining[j]) continue;
    n++;
  }
  return n;
}

/**
 * Hits a run that meets `demand` can make at most (swaps allowed): into each class j, at most the
 * observed allowed changes into j from unrestricted cells, and at most demand_j minus the
 * restricted cells of j (they stay j, so they take up part of j's demand without being hits).
 */
export function hitBoundDemand(s: Uint8Array, o: Uint8Array, restricted: Uint8Array | null, allowed: number[], K: number, demand: number[]): number {
  const into = new Array(K).fill(0), fixed = new Array(K).fill(0);
  for (let i = 0; i < s.length; i++) {
    const c = s[i], j = o[i];
    if (c === 255) continue;
    if (restricted && restricted[i]) { fixed[c]++; continue; }
    if (j === 255 || c === j || !allowed[c * K + j]) continue;
    into[j]++;
  }
  return into.reduce((a, v, j) => a + Math.max(0, Math.min(v, demand[j] - fixed[j])), 0);
}

interface Case {
  name: string;
  codes: number[];
  calFrom: Raster; calTo: Raster; start: Raster; observed: Raster;
  drivers: DriverPlane[];
  restricted: Uint8Array | null;
  weights: number[];
  allowed: number[];
  demands: Record<string, number[]>;
  flusIterations?: number;
  oracle?: boolean;
}

async function runCase(engine: Engine, c: Case): Promise<Record<string, unknown>> {
  const { width: W, height: H } = c.start.grid;
  const K = c.codes.length;
  const start = toIndex(c.start.data, c.codes), obs = toIndex(c.observed.data, c.codes);
  const t0 = Date.now();
  const ann = trainAnn({ name: c.name, data: c.start.data, nodata: c.start.grid.nodata }, c.drivers, { seed: 7 });
  const pFlus = stack(await predictAnn(engine, ann, c.drivers, W, H), start);
  const tAnn = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const leas = await trainLeas(engine, { name: 'from', data: c.calFrom.data, nodata: c.calFrom.grid.nodata }, { name: 'to', data: c.calTo.data, nodata: c.calTo.grid.nodata }, c.drivers, { trees: 20, seed: 7 });
  const pPlus = stack(await predictLeas(engine, leas.model, c.drivers, W, H), start);
  const tLeas = (Date.now() - t1) / 1000;
  const inp = (prob: Float32Array) => ({ width: W, height: H, landuse: start, prob, restricted: c.restricted });
  const cfg: FlusConfig = { classes: K, n: 3, weights: c.weights, allowed: c.allowed, seed: 42, maxIterations: 1000 };
  const acc = (m: Uint8Array) => {
    const a = accuracy({ start: c.start.data, observed: c.observed.data, simulated: fromIndex(m, c.codes), nodata: { start: c.start.grid.nodata, observed: c.observed.grid.nodata, simulated: 255 }, codes: c.codes });
    const r4 = (v: number) => +v.toFixed(4);
    return {
      oa: r4(a.oa!), kappa: r4(a.kappa!), fom: r4(a.fom!), fom_change_only: r4((a.hits + a.wrong_hits) / (a.misses + a.hits + a.wrong_hits + a.false_alarms)),
      hits: a.hits, misses: a.misses, wrong_hits: a.wrong_hits, false_alarms: a.false_alarms,
    };
  };
  const pat = (m: ArrayLike<number>) => Object.fromEntries(patchStats(m, W, H, 255, c.codes).map((p) => [p.code, [p.patches, +p.meanSize.toFixed(1), p.largest]]));
  const runs: Record<string, unknown>[] = [];
  const oracle = new Float32Array(W * H * K);
  if (c.oracle) for (let k = 0; k < K; k++) for (let i = 0; i < W * H; i++) oracle[k * W * H + i] = start[i] === 255 ? 0 : obs[i] === k ? 0.9 : 0.05;
  for (const [dname, demand] of Object.entries(c.demands)) {
    const add = async (model: string, f: () => Promise<{ map: Uint8Array; iterations: number; converged: boolean }>) => {
      const t = Date.now();
      const r = await f();
      runs.push({ demand: dname, model, iterations: r.iterations, converged: r.converged, demand_met: classCounts(r.map, K).every((v, k) => v === demand[k]), seconds: (Date.now() - t) / 1000, ...acc(r.map), patches: pat(fromIndex(r.map, c.codes)) });
      console.log(c.name, dname, model, JSON.stringify(runs[runs.length - 1]));
    };
    await add('FLUS (BP-ANN, sync)', async () => (await runFlus(engine, inp(pFlus), [demand], cfg))[0]);
    await add('FLUS (BP-ANN, sync, acceptFraction 1)', async () => (await runFlus(engine, inp(pFlus), [demand], { ...cfg, acceptFraction: 1 }))[0]);
    await add('FLUS (BP-ANN, official sweep)', async () => (await runFlus(engine, inp(pFlus), [demand], { ...cfg, update: 'flus', maxIterations: c.flusIterations ?? 300 }))[0]);
    await add('PLUS (LEAS + CARS)', async () => (await runPlus(engine, inp(pPlus), [demand], cfg))[0]);
    await add('FLUS CA on LEAS probability (sync)', async () => (await runFlus(engine, inp(pPlus), [demand], cfg))[0]);
    if (c.oracle) {
      await add('oracle suitability, sync', async () => (await runFlus(engine, inp(oracle), [demand], cfg))[0]);
      await add('oracle suitability, official sweep', async () => (await runFlus(engine, inp(oracle), [demand], { ...cfg, update: 'flus', maxIterations: c.flusIterations ?? 300 }))[0]);
    }
  }
  // bounds on the hits of any run (gap analysis): conversions the rules allow at all, and
  // those into classes the demand makes grow (the sync update never lets a class both gain and lose)
  const first = Object.values(c.demands)[0];
  const counts = classCounts(start, K);
  const gaining = counts.map((v, k) => first[k] > v);
  let changed = 0;
  for (let i = 0; i < start.length; i++) if (start[i] !== 255 && obs[i] !== 255 && start[i] !== obs[i]) changed++;
  const allowedHits = hitBound(start, obs, c.restricted, c.allowed, K, null);
  const gainHits = hitBound(start, obs, c.restricted, c.allowed, K, gaining);
  const demandHits = hitBoundDemand(start, obs, c.restricted, c.allowed, K, first);
  return {
    name: c.name, width: W, height: H, codes: c.codes, start_counts: counts, observed_counts: classCounts(obs, K), demands: c.demands,
    observed_changes: changed,
    hit_bound_allowed: allowedHits, fom_bound_allowed: +(allowedHits / changed).toFixed(4),
    hit_bound_demand: demandHits, fom_bound_demand: +(demandHits / changed).toFixed(4),
    hit_bound_growing_classes: gainHits, fom_bound_growing_classes: +(gainHits / changed).toFixed(4),
    ann: { holdout: ann.accuracy.holdout, train: ann.accuracy.train, seconds: tAnn },
    leas: { oob: leas.model.classes.map((x) => x.oobAccuracy), seconds: tLeas },
    observed_patches: pat(c.observed.data),
    runs,
  };
}

const rd = (f: string) => readRaster(SHARED + f);

export async function dongguanCase(): Promise<Case> {
  const codes = [1, 2, 3, 4, 5];
  const [s, o, r] = await Promise.all([rd('dongguan/landuse_2001.tif'), rd('dongguan/landuse_2006.tif'), rd('dongguan/restricted_area.tif')]);
  const names = ['dem', 'slope', 'aspect', 'dist_city_center', 'dist_town', 'dist_highway', 'dist_road', 'dist_railway'];
  const drivers = await Promise.all(names.map(async (n) => driverPlane(await rd(`dongguan/drivers/${n}.tif`), n)));
  return {
    name: 'dongguan 2001 -> 2006', codes, calFrom: s, calTo: o, start: s, observed: o, drivers,
    restricted: Uint8Array.from(r.data as Int32Array, (v) => (v === 0 ? 1 : 0)),
    weights: [1, 0.9, 0.5, 1, 0.1],
    allowed: [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1],
    demands: { 'FLUS sample demand': [80016, 54427, 43599, 42433, 28446] },
    flusIterations: 35,
    oracle: true,
  };
}

export async function bencatCase(): Promise<Case> {
  const codes = [1, 2, 3, 4];
  const [a, b, c] = await Promise.all([rd('bencat/landcover_2000.tif'), rd('bencat/landcover_2010.tif'), rd('bencat/landcover_2020.tif')]);
  const names = ['dem', 'slope_percent', 'hillshade', 'population_density_2015', 'dist_river_m', 'dist_road_m_resampled'];
  const drivers = await Promise.all(names.map(async (n) => {
    const r = await rd(`bencat/drivers/${n}.tif`);
    // slope 0 % is stored as the NoData value 0 (data README): read it as 0
    if (n === 'slope_percent') r.grid = { ...r.grid, nodata: null };
    return driverPlane(r, n);
  }));
  const K = codes.length;
  const i0 = toIndex(a.data, codes), i1 = toIndex(b.data, codes), i2 = toIndex(c.data, codes);
  const n = Array.from({ length: K }, () => new Array(K).fill(0));
  for (let i = 0; i < i0.length; i++) if (i0[i] !== 255 && i1[i] !== 255) n[i0[i]][i1[i]]++;
  const P = n.map((row) => { const s = row.reduce((x, y) => x + y, 0); return row.map((v) => (s ? v / s : 0)); });
  const c10 = classCounts(i1, K);
  const markov = largestRemainder(vecMat(c10, P), c10.reduce((x, y) => x + y, 0));
  const allowed = new Array(K * K).fill(1);
  for (let j = 0; j < K; j++) if (j !== 2) allowed[2 * K + j] = 0; // built-up (code 3) never converts
  return {
    name: 'bencat 2010 -> 2020', codes, calFrom: a, calTo: b, start: b, observed: c, drivers, restricted: null,
    weights: new Array(K).fill(1), allowed,
    demands: { 'real 2020 counts': classCounts(i2, K), 'Markov 2000 -> 2010, one step': markov },
  };
}

async function main(): Promise<void> {
  const get = flags();
  const only = get('--only');
  const threads = Number(get('--threads') ?? 2);
  if (!existsSync(SHARED + 'dongguan/landuse_2001.tif') || !existsSync(SHARED + 'bencat/landcover_2000.tif')) {
    console.log('real_lucc: ../shared/data (dongguan, bencat) is not beside the project; nothing to run');
    return;
  }
  const engine = new Engine({ threads });
  const cases: Record<string, unknown>[] = [];
  try {
    if (!only || only === 'dongguan') cases.push(await runCase(engine, await dongguanCase()));
    if (!only || only === 'bencat') cases.push(await runCase(engine, await bencatCase()));
  } finally {
    await engine.close();
  }
  writeResults(only ? `real-lucc-${only}.json` : 'real-lucc.json', {
    suite: 'real-lucc',
    description: 'FLUS (BP-ANN + CA, sync and the official sweep) and PLUS (LEAS + CARS) on dongguan (official FLUS V2.4 sample, its own settings) and bencat (2000 -> 2010 calibration, 2010 -> 2020 validation); seed 42 / 7; see bench/real_lucc.ts',
    threads,
    cases,
  });
}

runMain(import.meta, main);
