/**
 * `landcarbon prepare zones|distance|slope`: vector and DEM inputs onto the land-use grid.
 *   prepare zones units.geojson --like lu.tif --id ADCODE [--name NAME] --out zones.tif [--table units.csv]
 *   prepare distance roads.geojson|targets.tif [--like lu.tif] [--values 1,2] --out dist.tif
 *   prepare slope dem.tif --out slope.tif
 */
import { Command } from 'commander';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { distanceStep, slopeStep, SLOPE_NODATA } from '../pipeline/steps/prepare-raster.js';
import { zonesStep } from '../pipeline/steps/prepare.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { run } from './common.js';

/** zones.tif -> zones.csv: the unit table beside the zone raster. */
export function defaultTablePath(out: string): string {
  const ext = extname(out);
  return (ext ? out.slice(0, -ext.length) : out) + '.csv';
}

interface ZonesOpts { like: string; id: string; name?: string; out: string; table?: string; allTouched?: boolean; quiet?: boolean; memory?: string; blockRows?: string }

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
    .option('--all-touched', "also every cell a unit's outline touches (gdal_rasterize -at); later units still win overlaps")
    .option('--quiet', 'no summary on stderr (warnings still)')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('prepare zones', (units: string, o: ZonesOpts) => ({ inputs: { '<units>': units, '--like': o.like }, outputs: { '--out': o.out, '--table': o.table ?? defaultTablePath(o.out) } }), async (units: string, o: ZonesOpts) => {
        const table = o.table ?? defaultTablePath(o.out);
        if (table === o.out) throw new ConfigError(`--table: ${table} is also --out; give the unit table another name`);
        const r = await zonesStep({ units, like: o.like, id: o.id, name: o.name, out: o.out, table, allTouched: o.allTouched === true, ...parseBudget(o) });
        for (const w of r.warnings) process.stderr.write(`landcarbon prepare zones: warning: ${w}\n`);
        if (!o.quiet) {
          process.stderr.write(`${o.out}: ${r.units.length} units, ${r.cells} cells (${r.dtype}, NoData 0; ${r.crs.from} -> ${r.crs.to}); table ${table}\n`);
        }
      }),
    );
}

/** --values 1,2: whole numbers. */
export function parseValues(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map((s) => (/^-?\d+$/.test(s) ? Number(s) : NaN));
  const bad = parts.find((_, k) => !Number.isSafeInteger(out[k]));
  if (bad !== undefined || parts.length === 0) throw new ConfigError(`--values: expected whole numbers separated by commas (e.g. 1,2), got ${JSON.stringify(v)}`);
  return out;
}

interface DistanceOpts { like?: string; values?: string; out: string; quiet?: boolean; memory?: string; blockRows?: string }

function registerDistance(prepare: Command): void {
  prepare
    .command('distance')
    .description("Euclidean distance in map units from each cell centre to the nearest target cell centre (gdal_proximity -distunits GEO); exact linear-time distance transform")
    .argument('<targets>', 'features (GeoJSON / shapefile: polygons, lines and points, burned as gdal_rasterize does) or a raster (non-zero cells, NoData never)')
    .option('--like <tif>', 'grid of the output (needed for vector targets; a raster target must be on it)')
    .option('--values <list>', 'raster targets: the cell values that are targets, e.g. 1,2 (default: every non-zero cell)')
    .requiredOption('--out <tif>', 'distance raster (Float32, map units)')
    .option('--quiet', 'no summary on stderr')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('prepare distance', (targets: string, o: DistanceOpts) => ({ inputs: { '<targets>': targets, '--like': o.like }, outputs: { '--out': o.out } }), async (targets: string, o: DistanceOpts) => {
        const r = await distanceStep({ to: targets, like: o.like, values: parseValues(o.values), out: o.out, ...parseBudget(o) });
        if (!o.quiet) process.stderr.write(`${o.out}: distance to ${r.targets} target cells, at most ${+r.max.toPrecision(6)} map units\n`);
      }),
    );
}

interface SlopeOpts { out: string; quiet?: boolean; memory?: string; blockRows?: string }

function registerSlope(prepare: Command): void {
  prepare
    .command('slope')
    .description(`slope in degrees by Horn's method (gdaldem slope); edge rows and columns and cells beside NoData are NoData (${SLOPE_NODATA}), as gdaldem without -compute_edges`)
    .argument('<dem>', 'elevation raster, north-up, elevation in the units of the grid (metres)')
    .requiredOption('--out <tif>', 'slope raster (Float32, degrees)')
    .option('--quiet', 'no summary on stderr')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('prepare slope', (dem: string, o: SlopeOpts) => ({ inputs: { '<dem>': dem }, outputs: { '--out': o.out } }), async (dem: string, o: SlopeOpts) => {
        const r = await slopeStep({ dem, out: o.out, ...parseBudget(o) });
        if (!o.quiet) process.stderr.write(`${o.out}: slope of ${r.valid} cells, at most ${+r.max.toPrecision(6)} degrees\n`);
      }),
    );
}

export function register(program: Command): void {
  const prepare = program.command('prepare').description('vector and DEM inputs onto the land-use grid: zones (polygon units), distance (to features), slope (from a DEM)');
  registerZones(prepare);
  registerDistance(prepare);
  registerSlope(prepare);
}
