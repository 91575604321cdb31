/**
 * Markov demand step (methods.md section 1): transitions between two maps, scenario
 * adjustment, projection to the target years and integer demand; optional demand table.
 * Called by `landcarbon markov` and by the study runner.
 */
import { checkSameGrid } from '../../io/grid.js';
import { readRaster } from '../../io/geotiff.js';
import { writeDemandCsv } from '../../models/demand.js';
import { ClassDef, MarkovDemand, Scenario, markovDemand, transitions } from '../../models/markov.js';

export interface MarkovStepInput {
  from: string;
  to: string;
  t0: number;
  t1: number;
  targetYears: number[];
  scenario: Scenario;
  classes?: ClassDef[];
  /** Demand table (year,<code>,...) for `simulate`. */
  out?: string;
}

export interface MarkovStepResult {
  demand: MarkovDemand;
  out?: string;
}

export async function markovStep(i: MarkovStepInput): Promise<MarkovStepResult> {
  const a = await readRaster(i.from);
  const b = await readRaster(i.to);
  checkSameGrid(a.grid, i.from, b.grid, i.to);
  const tr = transitions(a.data, b.data, {
    codes: i.classes?.map((c) => c.code),
    nodataFrom: a.grid.nodata,
    nodataTo: b.grid.nodata,
    nameFrom: i.from,
    nameTo: i.to,
    width: a.grid.width,
  });
  const md = markovDemand(tr, { t0: i.t0, t1: i.t1, targetYears: i.targetYears, scenario: i.scenario, classes: i.classes });
  if (i.out) writeDemandCsv(i.out, { years: md.projections.map((p) => p.year), codes: md.codes, counts: md.projections.map((p) => p.demand) });
  return { demand: md, out: i.out };
}
