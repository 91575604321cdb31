/**
 * `landcarbon accuracy --start S.tif --observed O.tif --simulated M.tif [--classes 1=forest,...]
 *  [--json] [--out report.json]`
 *
 * Accuracy of a simulation (methods.md section 5): confusion matrix O x M, OA, kappa, figure of
 * merit with hits / misses / wrong hits / false alarms, producer's and user's accuracy, per-class
 * counts real vs simulated (seed 000 Table 4). The three maps must share one grid.
 */
import { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { checkSameGrid } from '../io/grid.js';
import { readRaster } from '../io/geotiff.js';
import { accuracy, formatAccuracy } from '../models/accuracy.js';
import { parseClassTable } from '../models/markov.js';
import { run } from './common.js';
import { patchStats } from '../models/patches.js';

interface Opts {
  start: string;
  observed: string;
  simulated: string;
  classes?: string;
  json?: boolean;
  out?: string;
  patches?: boolean;
}

export function register(program: Command): void {
  program
    .command('accuracy')
    .description('accuracy of a simulated land-use map: OA, kappa, figure of merit, confusion matrix, class counts')
    .requiredOption('--start <S.tif>', 'land-use map the simulation started from')
    .requiredOption('--observed <O.tif>', 'observed (real) land-use map at the target year')
    .requiredOption('--simulated <M.tif>', 'simulated land-use map at the target year')
    .option('--classes <code=name,...>', 'class codes and names (default: codes found in the maps)')
    .option('--json', 'print one JSON object {oa, kappa, fom, hits, misses, wrong_hits, false_alarms, producers, users, confusion, classes, counts, ...}')
    .option('--out <report.json>', 'also write the JSON object to a file')
    .option('--patches', 'also patch statistics per class (8-connected): number of patches, mean and largest patch size in cells, observed vs simulated')
    .action(
      run('accuracy', (o: Opts) => ({ inputs: { '--start': o.start, '--observed': o.observed, '--simulated': o.simulated }, outputs: { '--out': o.out } }), async (o: Opts) => {
        const classes = o.classes ? parseClassTable(o.classes) : undefined;
        const S = await readRaster(o.start);
        const O = await readRaster(o.observed);
        const M = await readRaster(o.simulated);
        checkSameGrid(S.grid, o.start, O.grid, o.observed);
        checkSameGrid(S.grid, o.start, M.grid, o.simulated);
        const r = accuracy({
          start: S.data,
          observed: O.data,
          simulated: M.data,
          nodata: { start: S.grid.nodata, observed: O.grid.nodata, simulated: M.grid.nodata },
          codes: classes?.map((c) => c.code),
          names: { start: o.start, observed: o.observed, simulated: o.simulated },
          width: S.grid.width,
        });
        const W = S.grid.width, H = S.grid.height;
        const patches = o.patches
          ? { observed: patchStats(O.data, W, H, O.grid.nodata, r.classes), simulated: patchStats(M.data, W, H, M.grid.nodata, r.classes) }
          : undefined;
        const json = JSON.stringify({ ...r, names: classes ? Object.fromEntries(classes.map((c) => [String(c.code), c.name])) : null, ...(patches ? { patches } : {}) });
        if (o.out) writeFileAtomic(o.out, json + '\n');
        if (o.json) {
          process.stdout.write(json + '\n');
          return;
        }
        process.stdout.write(formatAccuracy(r, classes ? Object.fromEntries(classes.map((c) => [c.code, c.name])) : undefined));
        if (patches) {
          const nm = (c: number) => classes?.find((x) => x.code === c)?.name ?? String(c);
          const rows = ['patches (8-connected, cells): class  observed: patches / mean / largest   simulated: patches / mean / largest'];
          patches.observed.forEach((ob, j) => {
            const si = patches.simulated[j];
            rows.push(`  ${nm(ob.code)}  ${ob.patches} / ${ob.meanSize.toFixed(1)} / ${ob.largest}   ${si.patches} / ${si.meanSize.toFixed(1)} / ${si.largest}`);
          });
          process.stdout.write(rows.join('\n') + '\n');
        }
        if (o.out) process.stdout.write(`report written to ${o.out}\n`);
      }),
    );
}
