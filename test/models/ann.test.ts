import { describe, it, expect, afterAll } from 'vitest';
import { itShared } from '../shared-data.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRaster } from '../../src/io/geotiff.js';
import { Engine } from '../../src/tiling/engine.js';
import { DriverPlane, LandUseLayer, driverPlane, loadModel, predictAnn, saveModel, trainAnn, driverStats, defaultHidden } from '../../src/models/ann.js';
import { mlpForwardRef } from '../../src/kernels/mlp.ref.js';
import { modelNet, modelNorm } from '../../src/models/ann.js';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

/** Separable synthetic problem: class = which quadrant of (a, b); a third driver is noise. */
function synthetic(W: number, H: number): { lu: LandUseLayer; drivers: DriverPlane[] } {
  const n = W * H;
  const a = new Float32Array(n), b = new Float32Array(n), c = new Float32Array(n);
  const lu = new Uint8Array(n);
  let s = 99;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    a[i] = 100 * u();
    b[i] = -5 + 10 * u();
    c[i] = u();
    lu[i] = (a[i] > 50 ? 2 : 0) + (b[i] > 0 ? 1 : 0) + 10; // codes 10..13
    if (i % 97 === 0) a[i] = -9999; // NoData in a driver
    if (i % 101 === 0) lu[i] = 255; // NoData land use
  }
  return {
    lu: { name: 'lu.tif', data: lu, nodata: 255 },
    drivers: [
      { name: 'a.tif', data: a, nodata: -9999 },
      { name: 'b.tif', data: b, nodata: NaN },
      { name: 'c.tif', data: c, nodata: NaN },
    ],
  };
}

describe('ANN suitability model', () => {
  it('learns a separable problem: hold-out accuracy > 0.9, deterministic for a seed', async () => {
    const { lu, drivers } = synthetic(120, 100);
    const opts = { seed: 5, sampleRate: 0.05, epochs: 60 };
    const m = trainAnn(lu, drivers, opts);
    expect(m.classes).toEqual([10, 11, 12, 13]);
    expect(m.hidden).toBe(defaultHidden(3)); // floor(sqrt(3)) + 10 = 11
    expect(m.accuracy.train).toBeGreaterThan(0.9);
    expect(m.accuracy.holdout!).toBeGreaterThan(0.9);
    // uniform: equal count per class; 300 minimum per class > 5 % of 11,781 cells / 4 = 147
    const per = m.training.trainSamples.map((t, k) => t + m.training.holdoutSamples[k]);
    expect(new Set(per).size).toBe(1);
    expect(per[0]).toBe(300);
    expect(m.training.holdoutSamples[0]).toBe(60); // 20 % of 300
    const again = trainAnn(lu, drivers, opts);
    expect(again).toEqual(m);
    const other = trainAnn(lu, drivers, { ...opts, seed: 6 });
    expect(other.weights.w1).not.toEqual(m.weights.w1);
  });

  it('proportional sampling follows class shares; stats are over cells valid in every driver', () => {
    const { lu, drivers } = synthetic(120, 100);
    const m = trainAnn(lu, drivers, { seed: 1, sampling: 'proportional', sampleRate: 0.1, minPerClass: 10, epochs: 3 });
    const per = m.training.trainSamples.map((t, k) => t + m.training.holdoutSamples[k]);
    per.forEach((p, k) => expect(p).toBe(Math.round(0.1 * m.training.classCells[k])));
    const st = driverStats(drivers);
    expect(m.stats.min[0]).toBe(st.min[0]);
    expect(st.min[0]).toBeGreaterThanOrEqual(0); // -9999 NoData excluded
  });

  it('save/load round-trips bit-exactly and predictions match the reference; NoData cells are NaN', async () => {
    const { lu, drivers } = synthetic(40, 30);
    const m = trainAnn(lu, drivers, { seed: 3, epochs: 5, minPerClass: 50 });
    const dir = mkdtempSync(join(tmpdir(), 'lc-ann-'));
    saveModel(join(dir, 'm.json'), m);
    const back = loadModel(join(dir, 'm.json'));
    expect(back).toEqual(m);
    const p = await predictAnn(engine, back, drivers, 40, 30, { impl: 'scalar' });
    const ref = mlpForwardRef(modelNet(m), modelNorm(m, drivers.map((d) => d.nodata)), drivers.map((d) => d.data), 40, 30);
    expect(p.length).toBe(4);
    for (let k = 0; k < 4; k++) for (let i = 0; i < 1200; i++) {
      if (Number.isNaN(ref[k][i])) expect(p[k][i]).toBeNaN();
      else expect(Math.abs(p[k][i] - ref[k][i])).toBeLessThanOrEqual(ref[k][i] * 2 ** -23);
    }
    expect(p[0][0]).toBeNaN(); // cell 0: a = -9999
    const bad = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    bad.weights.b2 = [1];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    expect(() => loadModel(join(dir, 'bad.json'))).toThrow(`${join(dir, 'bad.json')}: "weights.b2" must be 4 finite numbers, got 1 values`);
    await expect(predictAnn(engine, m, drivers.slice(0, 2), 40, 30)).rejects.toThrow('drivers: 2 given (a.tif, b.tif), the model was trained on 3 (a.tif, b.tif, c.tif)');
  });

  it('validation messages', () => {
    const { lu, drivers } = synthetic(20, 10);
    const constant = { name: 'flat.tif', data: new Float32Array(200).fill(7), nodata: NaN };
    expect(() => trainAnn(lu, [drivers[0], constant])).toThrow(
      'flat.tif: constant value 7 on every valid cell; it carries no information (min-max normalisation would divide by zero): remove it',
    );
    expect(() => trainAnn(lu, [drivers[0], { ...drivers[1], data: new Float32Array(5) }])).toThrow('b.tif: 5 cells, lu.tif has 200');
    expect(() => trainAnn({ ...lu, data: new Uint8Array(200).fill(1) }, drivers)).toThrow(
      'lu.tif: 1 land-use class(es) on cells where all drivers have data, need at least 2',
    );
    expect(() => trainAnn(lu, drivers, { sampling: 'random' as never })).toThrow('sampling: expected "uniform" or "proportional", got "random"');
    expect(() => trainAnn(lu, drivers, { sampleRate: 2 })).toThrow('sample rate: expected a number in [1e-9, 1], got 2');
  });

  itShared('pie (drivers ef_001..ef_003, land use 1991): accuracy above chance and the majority share', async () => {
    const dir = '../shared/data/pie';
    const lu = await readRaster(join(dir, 'lu_pie_1991.tif'));
    const drivers: DriverPlane[] = [];
    for (const f of ['ef_001', 'ef_002', 'ef_003']) drivers.push(driverPlane(await readRaster(join(dir, `${f}.tif`)), `${f}.tif`));
    const m = trainAnn({ name: 'lu_pie_1991.tif', data: lu.data, nodata: lu.grid.nodata }, drivers, { seed: 1, sampling: 'proportional' });
    const shares = m.training.classCells.map((c) => c / m.training.validCells);
    // reported in the closing note; assert only robust facts
    console.log('pie', JSON.stringify({ classes: m.classes, accuracy: m.accuracy, epochs: m.training.epochsRun, shares }));
    expect(m.classes).toEqual([1, 2, 3]);
    expect(m.accuracy.holdout!).toBeGreaterThan(Math.max(...shares));
  });
});
