/**
 * PLUS simulation loop, CARS (Liang et al. 2021; methods.md section 4): iterate the CARS kernel
 * (assembly/cars.ts via src/kernels/cars.ts; rule in src/kernels/cars.ref.ts) until every class
 * meets its demand, for one or more target years in turn, on the same machinery as FLUS's sync
 * update (src/models/flus.ts): synchronous proposals from the previous map, then demand
 * enforcement without raster-order bias (flus.ts enforceDemandWasm / enforceDemand: per-class
 * budgets ceil(f |gap|), proposals ranked by priority = P_k of the proposed class, ties by a
 * seeded permutation of cells), so maps are bit-identical for any thread count and tile size.
 *
 * Per iteration t (counted over all target years; kernel stream = t):
 *   the roulette draws among the cell's current class and the classes it may convert to this
 *   iteration: allowed by the conversion matrix, k still below its demand and the cell's class
 *   above its own (choice: PLUS converts a cell only while the winning class is below its
 *   demand, so a win for any other class is a lost draw; leaving those out of the roulette is
 *   what lets the synchronous update close the gaps instead of stalling on rejected proposals);
 *   OP_k = P_k * Omega_k * D_k, random patch seeds where Omega_k = 0 (see cars.ref.ts);
 *   D_k: the paper's adaptive driving coefficient, the same rule as FLUS's inertia
 *     (flus.ts updateInertia), starting at 1 (or the scenario's inertia);
 *   decreasing threshold tau = patchThreshold * decay^l; l (the paper's decay steps) starts at 0
 *     each target year and grows by 1 after an iteration that closed less of the gap than its
 *     budget (the paper: "if the demand gap shrank by less than Step"; our Step is the
 *     iteration's budget sum_k ceil(f |gap_k|) over growing classes: a threshold that lets too
 *     few cells through is lowered).
 * Stop: sum_k |gap_k| <= tolerance * valid cells, or maxIterations per target year.
 * Defaults (PLUS_DEFAULTS): patch threshold 0.9, expansion coefficient 0.1 and percentage of
 * seeds 0.0001 as methods.md gives for the PLUS software; decay 0.9 is our choice (the paper
 * gives no value).
 */
import { ConfigError, checkNumber } from '../errors.js';
import type { Engine } from '../tiling/engine.js';
import { CarsKernel, carsCoef } from '../kernels/cars.js';
import { classCounts, checkFlusConfig, checkFlusInput, enforceDemand, enforceDemandWasm, updateInertia, type FlusConfig, type FlusInput, type FlusProgress, type FlusYearResult } from './flus.js';
import type { CaKernel } from '../kernels/ca.js';

export interface PlusConfig extends Omit<FlusConfig, 'update' | 'flusAcceleration' | 'simd'> {
  /** Initial threshold of the decreasing threshold rule, (0, 1] (default 0.9). */
  patchThreshold?: number;
  /** Decay factor delta of the threshold per decay step, (0, 1) (default 0.9). */
  decay?: number;
  /** Expansion coefficient mu of a random patch seed's OP, [0, 1] (default 0.1). */
  expansionCoefficient?: number;
  /** Share of cells with Omega_k = 0 tested as a random patch seed of k per iteration, [0, 1] (default 0.0001). */
  seedPercentage?: number;
}

export const PLUS_DEFAULTS = { patchThreshold: 0.9, decay: 0.9, expansionCoefficient: 0.1, seedPercentage: 0.0001 };

export interface PlusYearResult extends FlusYearResult {
  /** Decay steps l reached and the final threshold. */
  decaySteps: number;
  threshold: number;
}

export function checkPlusConfig(cfg: PlusConfig) {
  const base = checkFlusConfig({ ...cfg, update: 'sync' });
  return {
    ...base,
    patchThreshold: checkNumber('patch threshold', cfg.patchThreshold ?? PLUS_DEFAULTS.patchThreshold, Number.MIN_VALUE, 1),
    decay: checkOpen01('decay', cfg.decay ?? PLUS_DEFAULTS.decay),
    expansionCoefficient: checkNumber('expansion coefficient', cfg.expansionCoefficient ?? PLUS_DEFAULTS.expansionCoefficient, 0, 1),
    seedPercentage: checkNumber('seed percentage', cfg.seedPercentage ?? PLUS_DEFAULTS.seedPercentage, 0, 1),
  };
}

function checkOpen01(name: string, v: number): number {
  const x = checkNumber(name, v, 0, 1);
  if (x <= 0 || x >= 1) throw new ConfigError(`${name}: expected a number in (0, 1), got ${x}`);
  return x;
}

/**
 * Runs CARS to each demand row in turn. inp.prob holds the K development-probability planes
 * (LEAS). Deterministic: same inputs and seed give the same maps for any thread count and tileRows.
 */
export async function runPlus(engine: Engine, inp: FlusInput, demands: number[][], config: PlusConfig, onProgress?: (p: FlusProgress & { threshold: number }) => void): Promise<PlusYearResult[]> {
  const cfg = checkPlusConfig(config);
  const K = cfg.classes;
  checkFlusInput(inp, K);
  const valid = classCounts(inp.landuse, K).reduce((a, b) => a + b, 0);
  const driving = cfg.inertia.slice();
  const results: PlusYearResult[] = [];
  const kern = new CarsKernel(engine, { width: inp.width, height: inp.height, classes: K, n: cfg.n, restricted: inp.restricted !== null, tileRows: cfg.tileRows });
  try {
    const cells = inp.width * inp.height;
    const cur = () => kern.cur.view().subarray(0, cells);
    cur().set(inp.landuse);
    kern.prob.view().set(inp.prob);
    if (kern.restricted && inp.restricted) kern.restricted.view().set(inp.restricted);
    let counts = classCounts(cur(), K);
    const net = new Array(K).fill(0);
    let stream = 0;
    // the demand scan reads cur / prop / key / width / height only
    const asCa = kern as unknown as CaKernel;
    for (let y = 0; y < demands.length; y++) {
      const demand = demands[y];
      let gap = demand.map((d, k) => d - counts[k]);
      let total = gap.reduce((a, g) => a + Math.abs(g), 0);
      let it = 0, l = 0;
      let tau = cfg.patchThreshold;
      while (total > cfg.tolerance * valid && it < cfg.maxIterations) {
        tau = cfg.patchThreshold * cfg.decay ** l;
        // roulette among the current class and the conversions demand can accept this iteration
        const open = cfg.allowed.map((a, j) => {
          const c = Math.floor(j / K), k = j % K;
          return c === k ? a : gap[k] > 0 && gap[c] < 0 ? a : 0;
        });
        const coef = carsCoef(K, cfg.n, cfg.weights, driving, open, cfg.seedPercentage, cfg.expansionCoefficient, tau);
        const proposed = await kern.step(cfg.seed, stream, coef);
        const eo = { fraction: cfg.acceptFraction, seed: cfg.seed, iteration: stream };
        const { accepted } = proposed === 0
          ? { accepted: 0 }
          : cfg.demandKernel === 'ref'
            ? enforceDemand(cur(), kern.prop.view(), kern.key.view(), gap, net, eo)
            : await enforceDemandWasm(engine, asCa, gap, net, eo);
        if (proposed === 0) net.fill(0);
        stream++;
        it++;
        const budget = gap.reduce((a, g) => a + (g > 0 ? Math.ceil(cfg.acceptFraction * g) : 0), 0);
        counts = counts.map((c, k) => c + net[k]);
        const newGap = demand.map((d, k) => d - counts[k]);
        for (let k = 0; k < K; k++) driving[k] = updateInertia(driving[k], newGap[k], gap[k]);
        gap = newGap;
        total = gap.reduce((a, g) => a + Math.abs(g), 0);
        if (accepted < budget) l++;
        onProgress?.({ yearIndex: y, iteration: it, gap: gap.slice(), totalGap: total, accepted, proposed, threshold: tau });
      }
      results.push({
        map: cur().slice(), counts: counts.slice(), gap, iterations: it, converged: total <= cfg.tolerance * valid, inertia: driving.slice(),
        decaySteps: l, threshold: tau,
      });
    }
    return results;
  } finally {
    kern.release();
  }
}
