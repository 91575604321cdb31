/**
 * Accuracy step (methods.md section 5): OA, kappa, figure of merit of a simulated map against
 * the observed one, from the start map. Called by `landcarbon accuracy` and the study runner.
 */
import { writeFileAtomic } from '../../io/atomic.js';
import { checkSameGrid } from '../../io/grid.js';
import { readRaster } from '../../io/geotiff.js';
import { accuracy, AccuracyResult } from '../../models/accuracy.js';
import { ClassDef } from '../../models/markov.js';
import { patchStats, type ClassPatches } from '../../models/patches.js';

export interface AccuracyStepInput {
  start: string;
  observed: string;
  simulated: string;
  classes?: ClassDef[];
  /** Also write the JSON report here. */
  out?: string;
  /** Also patch statistics per class (8-connected), observed vs simulated. */
  patches?: boolean;
}

export interface AccuracyStepResult {
  accuracy: AccuracyResult;
  /** The JSON report (as printed by `landcarbon accuracy --json`). */
  json: string;
  patches?: { observed: ClassPatches[]; simulated: ClassPatches[] };
}

export async function accuracyStep(i: AccuracyStepInput): Promise<AccuracyStepResult> {
  const S = await readRaster(i.start);
  const O = await readRaster(i.observed);
  const M = await readRaster(i.simulated);
  checkSameGrid(S.grid, i.start, O.grid, i.observed);
  checkSameGrid(S.grid, i.start, M.grid, i.simulated);
  const r = accuracy({
    start: S.data,
    observed: O.data,
    simulated: M.data,
    nodata: { start: S.grid.nodata, observed: O.grid.nodata, simulated: M.grid.nodata },
    codes: i.classes?.map((c) => c.code),
    names: { start: i.start, observed: i.observed, simulated: i.simulated },
    width: S.grid.width,
  });
  const W = S.grid.width, H = S.grid.height;
  const patches = i.patches
    ? { observed: patchStats(O.data, W, H, O.grid.nodata, r.classes), simulated: patchStats(M.data, W, H, M.grid.nodata, r.classes) }
    : undefined;
  const json = JSON.stringify({ ...r, names: i.classes ? Object.fromEntries(i.classes.map((c) => [String(c.code), c.name])) : null, ...(patches ? { patches } : {}) });
  if (i.out) writeFileAtomic(i.out, json + '\n');
  return { accuracy: r, json, patches };
}
