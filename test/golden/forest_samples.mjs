// Writes the real-data random-forest problems (bench/forest_cases.ts, compiled: run `npm run build`
// first) to <dir>: <case>_<code>_{train,holdout}_{X.f32,y.u8} and problems.json. Called by
// test/golden/forest_sklearn.py.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FOREST_CASES, forestProblems, haveData } from '../../dist/bench/forest_cases.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node test/golden/forest_samples.mjs <out dir>');
if (!haveData()) throw new Error('../shared/data (pie, sibuyan) not found beside the project');
mkdirSync(dir, { recursive: true });
const list = [];
for (const c of FOREST_CASES) {
  for (const p of await forestProblems(c)) {
    const stem = `${p.case}_${p.code}`;
    for (const part of ['train', 'holdout']) {
      writeFileSync(join(dir, `${stem}_${part}_X.f32`), Buffer.from(p[part].X.buffer));
      writeFileSync(join(dir, `${stem}_${part}_y.u8`), Buffer.from(p[part].y.buffer));
    }
    list.push({ case: p.case, code: p.code, D: p.D, train: p.train.y.length, holdout: p.holdout.y.length });
  }
}
writeFileSync(join(dir, 'problems.json'), JSON.stringify(list));
