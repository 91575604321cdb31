/**
 * `landcarbon carbon <emissions|storage|nep|spatialize>`: carbon accounting of land-use maps
 * (methods.md section 6). One subcommand per method; all outputs written atomically to --out.
 */
import { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { fmtHuman } from '../io/numbers.js';
import { parseCarbonUnit } from '../models/carbon/coefficients.js';
import { checkNumber } from '../errors.js';
import { emissionsStep } from '../pipeline/steps/carbon.js';
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
          const budget = parseBudget(o);
          const { result: r } = await emissionsStep({
            landuse: o.landuse, coefficients: o.coefficients, zones: zr.path, units: o.units, out: o.out,
            coefficientUnit: o.coefficientUnit ? parseCarbonUnit(o.coefficientUnit, '--coefficient-unit') : undefined,
            unit: o.unit ? parseCarbonUnit(o.unit, '--unit') : undefined,
            pixelAreaHa: optNumber('--pixel-area-ha', o.pixelAreaHa),
            threads: parseThreads(o.threads), memory: budget.memory, blockRows: budget.maxRows,
          });
          process.stdout.write(`emissions: CE ${fmtHuman(r.total.ce)} CS ${fmtHuman(r.total.cs)} budget ${fmtHuman(r.total.budget)} ${r.unit}/yr -> ${o.out}
`);
          if (zr.path && r.cellsOutsideUnits > 0) process.stderr.write(`landcarbon carbon emissions: note: ${r.cellsOutsideUnits} land-use cells lie outside every unit of ${o.zones} (not in by_unit.csv)
`);
        } finally {
          zr.cleanup();
        }
      }),
    );
}

export function register(program: Command): void {
  const carbon = program.command('carbon').description('carbon accounting: emissions (coefficients), storage (InVEST), nep (CASA), spatialize (sector inventory)');
  registerEmissions(carbon);
  registerStorage(carbon);
  registerNep(carbon);
  registerSpatialize(carbon);
}
