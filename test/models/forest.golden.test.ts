/**
 * Random forest vs scikit-learn on real data (../shared/data, read in place): the LEAS binary
 * problems of bench/forest_cases.ts (pie 1985 -> 1991, sibuyan 1997 -> 2011; per class,
 * expanded vs not; the same seeded sample with 30 % held out), 50 trees, mtry floor(sqrt(D)),
 * min leaf 1, fully grown. Mean hold-out accuracy and AUC over 5 seeds, ours vs
 * RandomForestClassifier's (test/golden/forest_sklearn.json, made by forest_sklearn.py), within 0.01.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { auc, FOREST_CASES, forestProblems, haveData, type ForestProblem } from '../../bench/forest_cases.js';
import { flattenForest, trainForest } from '../../src/models/forest.js';
import { forestPredictRef } from '../../src/kernels/forest.ref.js';

const golden = JSON.parse(readFileSync(new URL('../golden/forest_sklearn.json', import.meta.url), 'utf8')) as {
  trees: number; problems: Array<{ case: string; code: number; train: number; holdout: number; mtry: number; meanAccuracy: number; meanAuc: number }>;
};
const has = haveData();
if (!has) console.log('forest.golden: ../shared/data (pie, sibuyan) not found beside the project; skipped');

async function ours(p: ForestProblem, seeds: number[]): Promise<{ acc: number; auc: number }> {
  const D = p.D, nh = p.holdout.y.length;
  const planes = Array.from({ length: D }, (_, d) => Float32Array.from({ length: nh }, (_, r) => p.holdout.X[r * D + d]));
  let sa = 0, su = 0;
  for (const seed of seeds) {
    const f = await trainForest(null, { n: p.train.y.length, D, K: 2, X: p.train.X, y: p.train.y }, { trees: golden.trees, seed });
    const [, p1] = forestPredictRef({ forest: flattenForest(f), planes, nodata: new Float32Array(D).fill(NaN) });
    let correct = 0;
    for (let r = 0; r < nh; r++) if ((p1[r] > 0.5 ? 1 : 0) === p.holdout.y[r]) correct++;
    sa += correct / nh;
    su += auc(p1, p.holdout.y);
  }
  return { acc: sa / seeds.length, auc: su / seeds.length };
}

describe.skipIf(!has)('random forest vs scikit-learn (hold-out accuracy and AUC, mean of 5 seeds)', () => {
  for (const c of FOREST_CASES) {
    it(`${c.name}: every class within 0.01 of RandomForestClassifier`, async () => {
      const problems = await forestProblems(c);
      const want = golden.problems.filter((g) => g.case === c.name);
      expect(problems.map((p) => [p.code, p.train.y.length, p.holdout.y.length]), 'sample changed: rerun test/golden/forest_sklearn.py').toEqual(want.map((g) => [g.code, g.train, g.holdout]));
      for (const p of problems) {
        const g = want.find((w) => w.code === p.code)!;
        const o = await ours(p, [1, 2, 3, 4, 5]);
        console.log(`forest.golden ${c.name} class ${p.code} (${p.train.y.length} train / ${p.holdout.y.length} hold-out): accuracy ${o.acc.toFixed(4)} vs sklearn ${g.meanAccuracy.toFixed(4)}, AUC ${o.auc.toFixed(4)} vs ${g.meanAuc.toFixed(4)}`);
        expect(Math.abs(o.acc - g.meanAccuracy)).toBeLessThanOrEqual(0.01);
        expect(Math.abs(o.auc - g.meanAuc)).toBeLessThanOrEqual(0.01);
      }
    }, 120_000);
  }
});
