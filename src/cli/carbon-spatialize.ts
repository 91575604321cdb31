/**
 * `landcarbon carbon spatialize`: sector inventory (seed 003 eq. 1-7) allocated to land-use
 * cells in proportion to weight rasters (POI, population, road length) or area; every sector's
 * cells sum back exactly to its total (methods.md section 6).
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { readRaster, writeGeoTIFF } from '../io/geotiff.js';
import { Raster } from '../io/grid.js';
import { readCsv, writeCsv } from '../io/table.js';
import { parseAllocation, parseInventory, sectorTotals, spatialize } from '../models/carbon/spatialize.js';
import { writeFileAtomic } from '../io/atomic.js';
import { run } from './common.js';

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

interface SpatOpts { landuse: string; inventory: string; allocation: string; weight?: string[]; zones?: string; out: string }

export function registerSpatialize(carbon: Command): void {
  carbon
    .command('spatialize')
    .description('allocate sector inventory totals (activity x factor) to land-use cells by weight rasters or area; exact sector sums (seed 003)')
    .requiredOption('--landuse <tif>', 'land-use raster (integer codes)')
    .requiredOption('--inventory <csv>', 'sector,activity,amount,factor (sector total = sum of amount x factor; sinks negative)')
    .requiredOption('--allocation <csv>', 'sector,classes,weight: land-use codes separated by ";", weight "area" or a --weight name')
    .option('--weight <name=tif>', 'a weight raster (POI count, population, road length); repeat for several', collect)
    .option('--zones <tif>', 'unit raster: adds by_unit.csv (unit, ce, cs, budget, one column per sector)')
    .requiredOption('--out <dir>', 'output directory: emissions.tif, by_sector.csv, by_sector_class.csv [, by_unit.csv], summary.json')
    .action(
      run('carbon spatialize', (o: SpatOpts) => ({
        inputs: { '--landuse': o.landuse, '--inventory': o.inventory, '--allocation': o.allocation, '--weight': (o.weight ?? []).map((w) => w.slice(w.indexOf('=') + 1)), '--zones': o.zones },
        dirs: { '--out': { dir: o.out, files: ['emissions.tif', 'by_sector.csv', 'by_sector_class.csv', 'by_unit.csv', 'summary.json'] } },
      }), async (o: SpatOpts) => {
        const totals = sectorTotals(parseInventory(readCsv(o.inventory)));
        const rules = parseAllocation(readCsv(o.allocation));
        const weights = new Map<string, { raster: Raster; name: string }>();
        for (const w of o.weight ?? []) {
          const i = w.indexOf('=');
          if (i <= 0 || i === w.length - 1) throw new ConfigError(`--weight: expected NAME=FILE, got ${JSON.stringify(w)}`);
          const name = w.slice(0, i);
          if (name === 'area') throw new ConfigError('--weight: "area" is reserved (cell area, no raster needed)');
          if (weights.has(name)) throw new ConfigError(`--weight: ${name} given twice`);
          weights.set(name, { raster: await readRaster(w.slice(i + 1)), name: w.slice(i + 1) });
        }
        const landuse = await readRaster(o.landuse);
        const zones = o.zones ? await readRaster(o.zones) : undefined;
        const r = spatialize({ landuse, landuseName: o.landuse, totals, rules, rulesName: o.allocation, weights, zones, zonesName: o.zones });
        await writeGeoTIFF(join(o.out, 'emissions.tif'), r.map, { compress: 'deflate' });
        writeCsv(join(o.out, 'by_sector.csv'), ['sector', 'total', 'allocated', 'cells', 'weight', 'classes'],
          r.sectors.map((s) => [s.sector, s.total, s.allocated, s.cells, s.weight, s.classes.join(';')]));
        const rows: (string | number)[][] = [];
        for (const s of r.sectors) for (const [code, v] of s.byClass) rows.push([s.sector, code, v, s.total]);
        writeCsv(join(o.out, 'by_sector_class.csv'), ['sector', 'code', 'emission', 'sector_total'], rows);
        if (r.byUnit) {
          writeCsv(join(o.out, 'by_unit.csv'), ['unit', 'ce', 'cs', 'budget', ...r.sectors.map((s) => s.sector)],
            r.byUnit.map((u) => [u.unit, u.ce, u.cs, u.budget, ...u.bySector]));
        }
        let total = 0;
        for (const s of r.sectors) total += s.total;
        writeFileAtomic(join(o.out, 'summary.json'), JSON.stringify({ total, sectors: r.sectors.map((s) => ({ sector: s.sector, total: s.total, share_pct: total !== 0 ? (100 * s.total) / total : null, cells: s.cells })), raster: { file: 'emissions.tif', value: 'inventory units per cell per year', nodata: r.map.grid.nodata } }, null, 2) + '\n');
        process.stdout.write(`spatialize: ${r.sectors.length} sectors, total ${total} -> ${o.out}\n`);
      }),
    );
}
