/**
 * `landcarbon carbon <emissions|storage|nep|spatialize>`: carbon accounting of land-use maps
 * (methods.md section 6). One subcommand per method; all outputs written atomically to --out.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readRasterInfo, requireSingleBand } from '../io/geotiff.js';
import { checkSameGrid, DTYPE_BYTES } from '../io/grid.js';
import { openBlockOutput, parseBudget, planBlocks, readBlock, READER_BYTES, writerBytes } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { readCsv, writeCsv } from '../io/table.js';
import { fmtHuman } from '../io/numbers.js';
import { carbonEmissionsBlocks, parseCarbonUnit, parseCoefficientTable, parseUnitRegions } from '../models/carbon/coefficients.js';
import { CARBON_NODATA, pixelAreaHa } from '../models/carbon/common.js';
import { withEngine } from '../tiling/engine.js';
import { checkNumber } from '../errors.js';
import { parseThreads, run, threadsOption } from './common.js';
import { zonesIdOption, zonesRaster } from './zones-option.js';
import { registerStorage } from './carbon-storage.js';
import { registerNep } from './carbon-nep.js';
import { registerSpatialize } from './carbon-spatialize.js';

export function optNumber(name: string, v: string | undefined, min = -Infinity, max = Infinity): number | undefined {
  return v === undefined ? undefined : checkNumber(name, v, min, max);
}

export function writeJson(path: string, obj: unknown): void {
  writeFileAtomic(path, JSON.stringify(obj, null, 2) + '\n');
}

interface EmissionsOpts {
  landuse: string;
  coefficients: string;
  zones?: string;
  units?: string;
  pixelAreaHa?: string;
  unit?: string;
  coefficientUnit?: string;
  out: string;
  threads: string;
  memory?: string;
  blockRows?: string;
  zonesId?: string;
}

function registerEmissions(carbon: Command): void {
  carbon
    .command('emissions')
    .description('coefficient method: per-cell emission raster, per-class and per-unit CE, CS, budget (seeds 000, 001)')
    .requiredOption('--landuse <tif>', 'land-use raster (integer codes)')
    .requiredOption('--coefficients <csv>', 'code,name,coefficient (t/ha/yr, + optional region, unit)')
    .option('--zones <tif|geojson|shp>', 'unit raster (integer unit ids) for by_unit.csv, or polygon units with --zones-id')
    .addOption(zonesIdOption())
    .option('--units <csv>', 'unit table: unit,region (required with region-specific coefficients)')
    .option('--pixel-area-ha <x>', 'hectares per cell (default: from the geotransform, projected metres)')
    .option('--unit <u>', 'output unit tC | tCO2 (default: the table\'s; converted with 44/12 only when different)')
    .option('--coefficient-unit <u>', 'declares the table\'s unit (tC | tCO2) when it has no unit column')
    .requiredOption('--out <dir>', 'output directory: by_class.csv, by_unit.csv, emissions.tif, summary.json')
    .addOption(threadsOption())
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('carbon emissions', (o: EmissionsOpts) => ({
        inputs: { '--landuse': o.landuse, '--coefficients': o.coefficients, '--zones': o.zones, '--units': o.units },
        dirs: { '--out': { dir: o.out, files: ['by_class.csv', 'by_unit.csv', 'emissions.tif', 'summary.json'] } },
      }), async (o: EmissionsOpts) => {
        const zr = await zonesRaster(o.zones, o.zonesId, o.landuse, o);
        try {
          await emissions(o, zr.path);
        } finally {
          zr.cleanup();
        }
      }),
    );
}

/** carbon emissions with the zone raster resolved (`zonesFile`: --zones, or its polygons rasterised). */
async function emissions(o: EmissionsOpts, zonesFile: string | undefined): Promise<void> {
    const threads = parseThreads(o.threads);
    const budget = parseBudget(o);
    const tableUnit = o.coefficientUnit ? parseCarbonUnit(o.coefficientUnit, '--coefficient-unit') : undefined;
    const outUnit = o.unit ? parseCarbonUnit(o.unit, '--unit') : undefined;
    const coefficients = parseCoefficientTable(readCsv(o.coefficients), tableUnit);
    if (o.units && !zonesFile) throw new ConfigError('--units needs --zones (the unit raster)');
    const landuse = requireSingleBand(await readRasterInfo(o.landuse));
    const zones = zonesFile ? requireSingleBand(await readRasterInfo(zonesFile)) : undefined;
    if (zones) checkSameGrid(landuse.grid, o.landuse, zones.grid, o.zones!);
    const units = o.units ? parseUnitRegions(readCsv(o.units)) : undefined;
    const pa = pixelAreaHa(landuse.grid, o.landuse, optNumber('--pixel-area-ha', o.pixelAreaHa));
    // per cell: land use (+ its copy in the kernel's memory), zones, the f64 map (+ its kernel copy)
    const { width, height } = landuse.grid;
    const plan = planBlocks({
      width, height, ...budget, what: 'carbon emissions',
      bytesPerCell: 2 * DTYPE_BYTES[landuse.dtype] + (zones ? DTYPE_BYTES[zones.dtype] : 0) + 16,
      fixedBytes: writerBytes(width, 1, 'float64') + READER_BYTES,
    });
    const map = openBlockOutput(join(o.out, 'emissions.tif'), { grid: { ...landuse.grid, nodata: CARBON_NODATA }, dtype: 'float64', compress: 'deflate', metadata: { bands: [{ description: 'land-use carbon emissions per cell per year (negative: sequestration)', unit: outUnit ?? tableUnit ?? 't CO2' }] } });
    let r;
    try {
      r = await withEngine({ threads }, (engine) =>
        carbonEmissionsBlocks(
          engine,
          { landuse, landuseName: o.landuse, coefficients, pixelAreaHa: pa.ha, zones, zonesName: o.zones, units, unitsName: o.units, outUnit },
          {
            blocks: plan.blocks,
            read: async (b) => ({ landuse: await readBlock(o.landuse, b, width), zones: zonesFile ? await readBlock(zonesFile, b, width) : undefined }),
            write: (b, m) => map.write(b, [m]),
          },
        ),
      );
      await map.close();
    } catch (e) {
      map.abort();
      throw e;
    }
    writeCsv(join(o.out, 'by_class.csv'), ['code', 'name', 'area_ha', 'emission', 'cells', 'unit'], r.byClass.map((c) => [c.code, c.name, c.areaHa, c.emission, c.cells, `${r.unit}/yr`]));
    if (r.byUnit) {
      const regional = r.byUnit.some((u) => u.region !== null);
      writeCsv(
        join(o.out, 'by_unit.csv'),
        ['unit', 'ce', 'cs', 'budget', ...r.classCodes.map((c) => `class_${c}`), ...(regional ? ['region'] : [])],
        r.byUnit.map((u) => [u.unit, u.ce, u.cs, u.budget, ...u.byClass, ...(regional ? [u.region ?? ''] : [])]),
      );
    }
    writeJson(join(o.out, 'summary.json'), {
      unit: `${r.unit}/yr`,
      conversion_factor: r.factor,
      pixel_area_ha: pa.ha,
      pixel_area_source: pa.source,
      ce: r.total.ce,
      cs: r.total.cs,
      budget: r.total.budget,
      cells_outside_units: zones ? r.cellsOutsideUnits : null,
      raster: { file: 'emissions.tif', value: `${r.unit}/yr per cell`, dtype: 'float64', nodata: CARBON_NODATA },
    });
    process.stdout.write(`emissions: CE ${fmtHuman(r.total.ce)} CS ${fmtHuman(r.total.cs)} budget ${fmtHuman(r.total.budget)} ${r.unit}/yr -> ${o.out}\n`);
    if (zones && r.cellsOutsideUnits > 0) process.stderr.write(`landcarbon carbon emissions: note: ${r.cellsOutsideUnits} land-use cells lie outside every unit of ${o.zones} (not in by_unit.csv)\n`);
}

export function register(program: Command): void {
  const carbon = program.command('carbon').description('carbon accounting: emissions (coefficients), storage (InVEST), nep (CASA), spatialize (sector inventory)');
  registerEmissions(carbon);
  registerStorage(carbon);
  registerNep(carbon);
  registerSpatialize(carbon);
}
