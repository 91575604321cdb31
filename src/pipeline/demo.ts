/**
 * The main job: generate the embedded sample region (with its study.yaml) and run its study,
 * through the same runner and step functions as `landcarbon run`. Each step's log goes to
 * DIR/logs/<step>.log; DIR/summary.md, summary.json and report.html are written last.
 */
import { join } from 'node:path';
import { SAMPLE_FILES, writeSampleRegion } from '../../fixtures/sample.js';
import { runToDir, RunResult } from './run.js';
import { SAMPLE_STUDY_FILES, writeSampleStudy } from './sample-study.js';
import { loadStudyFile } from './study-file.js';

export interface DemoOptions {
  out: string;
  size?: number;
  seed?: number;
  threads: number;
  log?: (line: string) => void;
  progress?: (step: string, line: string) => void;
  force?: string[];
  /** Also write each report figure as PNG. */
  png?: boolean;
}

export async function runDemo(o: DemoOptions): Promise<RunResult> {
  const size = o.size ?? 1000;
  const seed = o.seed ?? 1;
  const sampleDir = join(o.out, 'sample');
  return runToDir(null, {
    out: o.out,
    threads: o.threads,
    say: o.log,
    progress: o.progress,
    force: o.force,
    png: o.png,
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
          writeSampleStudy(sampleDir, seed);
          return { units: man.units, cities: man.cities.length, validCells: man.valid_cells, epsg: man.crs.epsg };
        },
      });
      // the demo is `landcarbon run` on the sample's study.yaml
      const s = await loadStudyFile(join(sampleDir, 'study.yaml'));
      return { study: s, notes: [`## Sample region\n\n${m.units} units in ${m.cities} cities, ${m.validCells} valid cells, EPSG:${m.epsg}.`] };
    },
  });
}
