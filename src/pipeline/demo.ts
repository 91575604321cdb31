/**
 * The main job: generate the embedded sample region (with its study.yaml) and run its study,
 * through the same runner and step functions as `landcarbon run`. Each step's log goes to
 * DIR/logs/<step>.log; DIR/summary.md, summary.json and report.html are written last.
 */
import { join } from 'node:path';
import { writeSampleRegion } from '../../fixtures/sample.js';
import { runToDir, RunResult } from './run.js';
import { SAMPLE_STUDY_FILES, sampleStudy, writeSampleTables } from './sample-study.js';

export interface DemoOptions {
  out: string;
  size?: number;
  seed?: number;
  threads: number;
  log?: (line: string) => void;
  force?: string[];
}

/** Files the sample generator writes (besides the study tables). */
export const SAMPLE_FILES = [
  'landuse_2000.tif', 'landuse_2010.tif', 'landuse_2020.tif', 'restricted.tif', 'zones.tif', 'cities.tif', 'dem.tif', 'slope.tif',
  'dist_road.tif', 'dist_rail.tif', 'dist_river.tif', 'dist_centre.tif', 'gdp_density.tif', 'pop_density.tif', 'units.csv', 'manifest.json',
];

export async function runDemo(o: DemoOptions): Promise<RunResult> {
  const size = o.size ?? 1000;
  const seed = o.seed ?? 1;
  const sampleDir = join(o.out, 'sample');
  return runToDir(null, {
    out: o.out,
    threads: o.threads,
    say: o.log,
    force: o.force,
    title: 'landcarbon demo',
    intro: `Sample region: size ${size}, seed ${seed}.`,
    before: async (r) => {
      const m = await r.step({
        name: 'sample',
        title: 'generate the sample region',
        inputs: [],
        params: { size, seed },
        outputs: [...SAMPLE_FILES, ...SAMPLE_STUDY_FILES].map((f) => join(sampleDir, f)),
        run: async () => {
          const man = await writeSampleRegion(sampleDir, { size, seed });
          writeSampleTables(sampleDir);
          return { units: man.units, cities: man.cities.length, validCells: man.valid_cells, epsg: man.crs.epsg };
        },
      });
      const s = sampleStudy(sampleDir);
      s.simulation.seed = seed;
      s.report.title = 'landcarbon demo';
      return { study: s, notes: [`## Sample region\n\n${m.units} units in ${m.cities} cities, ${m.validCells} valid cells, EPSG:${m.epsg}.`] };
    },
  });
}
