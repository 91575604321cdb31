/**
 * `landcarbon zonal --zones Z.tif --classes L.tif [--values V.tif ...] [--pixel-area-ha X] --out table.csv`
 * Per (zone, class): cells, area (ha) and the sum of each value raster, NoData skipped.
 */
import { Command } from 'commander';
import { checkInt } from '../errors.js';
import { writeCsv } from '../io/table.js';
import { zonalFiles } from '../pipeline/zonal.js';
import { Engine } from '../tiling/engine.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { parseThreads, run, threadsOption } from './common.js';

export function register(program: Command): void {
  program
    .command('zonal')
    .description('count cells and sum value rasters per (zone, class): zone, class, cells, area_ha, <value>...')
    .requiredOption('--zones <tif>', 'zone raster (integer unit ids)')
    .requiredOption('--classes <tif>', 'class raster (integer land-use codes)')
    .option('--values <tif...>', 'value rasters to sum (one column each, named after the file)')
    .option('--pixel-area-ha <x>', 'hectares per cell (default: from the grid, map units in metres)')
    .requiredOption('--out <csv>', 'output table')
    .addOption(threadsOption())
    .option('--tile-rows <n>', 'rows per task (rounded to whole accumulation blocks)')
    .option('--quiet', 'no summary on stderr')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('zonal', (o: { zones: string; classes: string; values?: string[]; out: string }) => ({ inputs: { '--zones': o.zones, '--classes': o.classes, '--values': o.values }, outputs: { '--out': o.out } }), async (o: { zones: string; classes: string; values?: string[]; pixelAreaHa?: string; out: string; threads?: string; tileRows?: string; quiet?: boolean; memory?: string; blockRows?: string }) => {
        const budget = parseBudget(o);
        const engine = new Engine({ threads: parseThreads(o.threads) });
        try {
          const t = await zonalFiles(engine, {
            zones: o.zones,
            classes: o.classes,
            values: o.values,
            pixelAreaHa: o.pixelAreaHa === undefined ? undefined : Number(o.pixelAreaHa),
            tileRows: o.tileRows === undefined ? undefined : checkInt('--tile-rows', o.tileRows, 1),
            memory: budget.memory,
            maxRows: budget.maxRows,
            note: (m) => process.stderr.write(`note: ${m}\n`),
          });
          writeCsv(o.out, t.columns, t.rows);
          if (!o.quiet) {
            const cells = t.result.counts.reduce((a, b) => a + b, 0);
            process.stderr.write(
              `${o.out}: ${t.rows.length} rows, ${t.result.zoneIds.length} zones x ${t.result.classCodes.length} classes, ${cells} cells (${(cells * t.pixelAreaHa).toFixed(2)} ha)\n`,
            );
          }
        } finally {
          await engine.close();
        }
      }),
    );
}
