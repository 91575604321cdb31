/**
 * Real-data random-forest comparison cases (LEAS binary problems on the lulcc data sets beside
 * the project), shared by the scikit-learn golden script (test/golden/forest_sklearn.py via
 * test/golden/forest_samples.mjs), its test (test/models/forest.golden.test.ts) and bench/forest.ts.
 * Each case: the LEAS expansion map from -> to, the seeded stratified sample with 30 % held out,
 * one binary problem per class (expanded to k vs not, start class != k) with enough positives.
 */
import { existsSync } from 'node:fs';
import { readRaster } from '../src/io/geotiff.js';
import { driverPlane } from '../src/models/ann.js';
import { expansionMap, leasCodes, leasRows, leasSample } from '../src/models/leas.js';

export interface ForestCase {
  name: string;
  from: string;
  to: string;
  drivers: string[];
  sampleRate: number;
}

export const FOREST_CASES: ForestCase[] = [
  { name: 'pie', from: 'pie/lu_pie_1985.tif', to: 'pie/lu_pie_1991.tif', drivers: ['pie/ef_001.tif', 'pie/ef_002.tif', 'pie/ef_003.tif'], sampleRate: 0.03 },
  {
    name: 'sibuyan', from: 'sibuyan/lu_sib_1997.tif', to: 'sibuyan/lu_sib_2011.tif',
    drivers: Array.from({ length: 13 }, (_, j) => `sibuyan/ef_${String(j + 1).padStart(3, '0')}.tif`), sampleRate: 0.3,
  },
];

export const FOREST_CASE_SEED = 1;
export const FOREST_CASE_HOLDOUT = 0.3;
export const FOREST_CASE_MIN_POSITIVES = 30;

export interface ForestProblem {
  case: string;
  code: number;
  D: number;
  train: { X: Float32Array; y: Uint8Array };
  holdout: { X: Float32Array; y: Uint8Array };
}

export function dataDir(): string {
  return new URL('../../shared/data/', import.meta.url.includes('/dist/') ? new URL('../', import.meta.url) : import.meta.url).pathname;
}

export function haveData(dir = dataDir()): boolean {
  return FOREST_CASES.every((c) => existsSync(dir + c.from));
}

/** The binary problems of one case. */
export async function forestProblems(c: ForestCase, dir = dataDir()): Promise<ForestProblem[]> {
  const from = await readRaster(dir + c.from), to = await readRaster(dir + c.to);
  const drivers = await Promise.all(c.drivers.map(async (d) => driverPlane(await readRaster(dir + d), d)));
  const fm = { name: c.from, data: from.data, nodata: from.grid.nodata }, tm = { name: c.to, data: to.data, nodata: to.grid.nodata };
  const codes = leasCodes(fm, tm);
  const { a, e } = expansionMap(fm, tm, drivers, codes);
  const s = leasSample(e, codes.length, { seed: FOREST_CASE_SEED, sampleRate: c.sampleRate, minPerStratum: 300, maxSamples: 200_000, holdout: FOREST_CASE_HOLDOUT });
  const out: ForestProblem[] = [];
  codes.forEach((code, k) => {
    const tr = leasRows(s.train, a, e, drivers, k), ho = leasRows(s.holdout, a, e, drivers, k);
    const pos = tr.y.reduce((x, v) => x + v, 0), hpos = ho.y.reduce((x, v) => x + v, 0);
    if (pos < FOREST_CASE_MIN_POSITIVES || hpos < 10 || hpos === ho.y.length) return;
    out.push({ case: c.name, code, D: drivers.length, train: { X: tr.X, y: tr.y }, holdout: { X: ho.X, y: ho.y } });
  });
  return out;
}

/** Area under the ROC curve (Mann-Whitney U, tied scores count 1/2). */
export function auc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((p, q) => score[p] - score[q]);
  let rankSumPos = 0, nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    const r = (i + j) / 2 + 1; // mean rank of the tie group
    for (let q = i; q <= j; q++) if (y[idx[q]] === 1) { rankSumPos += r; nPos++; }
    i = j + 1;
  }
  const nNeg = y.length - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
