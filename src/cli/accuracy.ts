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
import { checkSameGrid, DTYPE_BYTES } from '../io/grid.js';
import { readRaster, readRasterInfo, requireSingleBand } from '../io/geotiff.js';
import { accuracyCodes, accuracyFromHistogram, addAccuracyHistogram, formatAccuracy, mergeCodes, newAccuracyHistogram } from '../models/accuracy.js';
import { needsWhole, parseBudget, planBlocks, readBlock, READER_BYTES } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
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
  memory?: string;
  blockRows?: string;
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
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('accuracy', (o: Opts) => ({ inputs: { '--start': o.start, '--observed': o.observed, '--simulated': o.simulated }, outputs: { '--out': o.out } }), async (o: Opts) => {
        const classes = o.classes ? parseClassTable(o.classes) : undefined;
        const budget = parseBudget(o);
        const S = requireSingleBand(await readRasterInfo(o.start));
        const O = requireSingleBand(await readRasterInfo(o.observed));
        const M = requireSingleBand(await readRasterInfo(o.simulated));
        checkSameGrid(S.grid, o.start, O.grid, o.observed);
        checkSameGrid(S.grid, o.start, M.grid, o.simulated);
        const W = S.grid.width, H = S.grid.height;
        // the (S, O, M) histogram is exact counts: summed block by block
        const plan = planBlocks({ width: W, height: H, ...budget, what: 'accuracy', bytesPerCell: DTYPE_BYTES[S.dtype] + DTYPE_BYTES[O.dtype] + DTYPE_BYTES[M.dtype], fixedBytes: READER_BYTES });
        const names = { start: o.start, observed: o.observed, simulated: o.simulated };
        const nodata = { start: S.grid.nodata, observed: O.grid.nodata, simulated: M.grid.nodata };
        const maps = async (b: (typeof plan.blocks)[number]) => ({
          start: (await readBlock(o.start, b, W)).data,
          observed: (await readBlock(o.observed, b, W)).data,
          simulated: (await readBlock(o.simulated, b, W)).data,
          nodata, names, width: W, cellOffset: b.row0 * W,
        });
        let codes = accuracyCodes(classes?.map((c) => c.code));
        if (!codes) {
          codes = [];
          for (const b of plan.blocks) codes = mergeCodes(codes, await maps(b));
        }
        const hist = newAccuracyHistogram(codes, names);
        for (const b of plan.blocks) addAccuracyHistogram(await maps(b), codes, hist);
        const r = accuracyFromHistogram(codes, hist);
        let patches;
        if (o.patches) {
          // 8-connected patches span the whole map: both maps in memory, plus the labelling's int32 per cell
          needsWhole('accuracy --patches (patches of the whole observed and simulated maps)', W * H * (DTYPE_BYTES[O.dtype] + DTYPE_BYTES[M.dtype] + 8), budget.memory);
          const Od = (await readRaster(o.observed)).data, Md = (await readRaster(o.simulated)).data;
          patches = { observed: patchStats(Od, W, H, O.grid.nodata, r.classes), simulated: patchStats(Md, W, H, M.grid.nodata, r.classes) };
        }
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
