/**
 * `landcarbon zonal --zones Z.tif --classes L.tif [--values V.tif ...] [--pixel-area-ha X] --out table.csv`
 * Per (zone, class): cells, area (ha) and the sum of each value raster, NoData skipped.
 */
import { Command } from 'commander';
import { checkInt } from '../errors.js';
import { writeCsv } from '../io/table.js';
import { exactProduct, fmtHuman } from '../io/numbers.js';
import { zonalFiles } from '../pipeline/zonal.js';
import { Engine } from '../tiling/engine.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { parseThreads, run, threadsOption } from './common.js';
import { zonesIdOption, zonesRaster } from './zones-option.js';

export function register(program: Command): void {
  program
    .command('zonal')
    .description('count cells and sum value rasters per (zone, class): zone, class, cells, area_ha, <value>...')
    .requiredOption('--zones <tif|geojson|shp>', 'zone raster (integer unit ids), or polygon units with --zones-id')
    .addOption(zonesIdOption())
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
      run('zonal', (o: { zones: string; classes: string; values?: string[]; out: string }) => ({ inputs: { '--zones': o.zones, '--classes': o.classes, '--values': o.values }, outputs: { '--out': o.out } }), async (o: { zones: string; zonesId?: string; classes: string; values?: string[]; pixelAreaHa?: string; out: string; threads?: string; tileRows?: string; quiet?: boolean; memory?: string; blockRows?: string }) => {
        const budget = parseBudget(o);
        const zones = await zonesRaster(o.zones, o.zonesId, o.classes, o);
        const engine = new Engine({ threads: parseThreads(o.threads) });
        try {
          const t = await zonalFiles(engine, {
            zones: zones.path!,
            classes: o.classes,
            values: o.values,
            pixelAreaHa: o.pixelAreaHa === undefined ? undefined : Number(o.pixelAreaHa),
            tileRows: o.tileRows === undefined ? undefined : checkInt('--tile-rows', o.tileRows, 1),
            memory: budget.memory,
            maxRows: budget.maxRows,
            note: (m) => process.stderr.write(`note: ${m}\n`),
          });
          writeCsv(o.out, t.columns, t.rows);
          const cells = t.result.counts.reduce((a, b) => a + b, 0);
          if (!o.quiet) {
            process.stderr.write(
              `${o.out}: ${t.rows.length} rows, ${t.result.zoneIds.length} zones x ${t.result.classCodes.length} classes, ${cells} cells (${fmtHuman(exactProduct(cells, t.pixelAreaHa))} ha)\n`,
            );
          }
          // All-NoData policy (README): an empty table is a correct sum over no cells (e.g. a tile
          // outside the study area), so zonal warns, even with --quiet, instead of refusing.
          if (cells === 0) {
            process.stderr.write(`landcarbon zonal: warning: no cell is valid in both ${o.zones} and ${o.classes} (every cell is NoData in one of them); ${o.out} has a header and no rows\n`);
          }
        } finally {
          await engine.close();
          zones.cleanup();
        }
      }),
    );
}
