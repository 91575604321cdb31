/**
 * `landcarbon prepare zones|distance|slope`: vector and DEM inputs onto the land-use grid.
 *   prepare zones units.geojson --like lu.tif --id ADCODE [--name NAME] --out zones.tif [--table units.csv]
 */
import { Command } from 'commander';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { zonesStep } from '../pipeline/steps/prepare.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { run } from './common.js';

/** zones.tif -> zones.csv: the unit table beside the zone raster. */
export function defaultTablePath(out: string): string {
  const ext = extname(out);
  return (ext ? out.slice(0, -ext.length) : out) + '.csv';
}

interface ZonesOpts { like: string; id: string; name?: string; out: string; table?: string; quiet?: boolean; memory?: string; blockRows?: string }

function registerZones(prepare: Command): void {
  prepare
    .command('zones')
    .description("rasterise polygon units onto a grid with gdal_rasterize's rule (a cell is in a unit when its centre is inside; later units win overlaps); writes the zone raster (NoData 0) and a unit table")
    .argument('<units>', 'polygon units: GeoJSON (WGS 84 unless it has a crs member) or shapefile (.dbf, .prj, .cpg beside it)')
    .requiredOption('--like <tif>', 'grid to rasterise onto (the land-use raster): size, transform and CRS')
    .requiredOption('--id <field>', 'attribute holding the unit id (whole numbers >= 1, unique)')
    .option('--name <field>', 'attribute holding the unit name')
    .requiredOption('--out <tif>', 'zone raster (UInt16, or UInt32 for ids above 65535)')
    .option('--table <csv>', 'unit table: id, name, cells, other attributes (default: the --out name with .csv)')
    .option('--quiet', 'no summary on stderr (warnings still)')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('prepare zones', (units: string, o: ZonesOpts) => ({ inputs: { '<units>': units, '--like': o.like }, outputs: { '--out': o.out, '--table': o.table ?? defaultTablePath(o.out) } }), async (units: string, o: ZonesOpts) => {
        const table = o.table ?? defaultTablePath(o.out);
        if (table === o.out) throw new ConfigError(`--table: ${table} is also --out; give the unit table another name`);
        const r = await zonesStep({ units, like: o.like, id: o.id, name: o.name, out: o.out, table, ...parseBudget(o) });
        for (const w of r.warnings) process.stderr.write(`landcarbon prepare zones: warning: ${w}\n`);
        if (!o.quiet) {
          process.stderr.write(`${o.out}: ${r.units.length} units, ${r.cells} cells (${r.dtype}, NoData 0; ${r.crs.from} -> ${r.crs.to}); table ${table}\n`);
        }
      }),
    );
}

export function register(program: Command): void {
  const prepare = program.command('prepare').description('vector and DEM inputs onto the land-use grid: zones (polygon units), distance (to features), slope (from a DEM)');
  registerZones(prepare);
}
