/**
 * `landcarbon carbon storage --landuse L.tif [--future F.tif] --pools P.csv --out DIR`
 * InVEST-style carbon storage (methods.md section 6): per-hectare rasters and totals.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { readRaster, writeGeoTIFF } from '../io/geotiff.js';
import { readCsv, writeCsv } from '../io/table.js';
import { pixelAreaHa } from '../models/carbon/common.js';
import { carbonStorage, correctSoil, parsePoolTable, precipitationK, valuation } from '../models/carbon/storage.js';
import { checkInt, checkNumber } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { run } from './common.js';

interface StorageOpts {
  landuse: string;
  future?: string;
  pools: string;
  out: string;
  pixelAreaHa?: string;
  precipLocal?: string;
  precipNational?: string;
  price?: string;
  discountRate: string;
  priceChange: string;
  years?: string;
}

export function registerStorage(carbon: Command): void {
  carbon
    .command('storage')
    .description('InVEST-style carbon storage: 4 pools per class, t/ha rasters, totals, change, optional precipitation correction and valuation')
    .requiredOption('--landuse <tif>', 'baseline land-use raster (integer codes)')
    .option('--future <tif>', 'future (e.g. simulated) land-use raster on the same grid')
    .requiredOption('--pools <csv>', 'code,c_above,c_below,c_soil,c_dead (t/ha)')
    .requiredOption('--out <dir>', 'output directory: totals.json, by_class.csv, c_storage_bas.tif [, c_storage_alt.tif, c_change_bas_alt.tif]')
    .option('--pixel-area-ha <x>', 'hectares per cell (default: from the geotransform)')
    .option('--precip-local <mm>', 'annual precipitation of the study area: c_soil x K (seed 004 eq. 10-11)')
    .option('--precip-national <mm>', 'annual precipitation the pool table refers to (e.g. national 671.1 mm)')
    .option('--price <v>', 'valuation: price per t C (needs --future and --years)')
    .option('--discount-rate <pct>', 'valuation: annual market discount rate, %', '0')
    .option('--price-change <pct>', 'valuation: annual change in the price of carbon, %', '0')
    .option('--years <n>', 'valuation: years between the baseline and the future map')
    .action(
      run('carbon storage', (o: StorageOpts) => ({
        inputs: { '--landuse': o.landuse, '--future': o.future, '--pools': o.pools },
        dirs: { '--out': { dir: o.out, files: ['totals.json', 'by_class.csv', 'c_storage_bas.tif', 'c_storage_alt.tif', 'c_change_bas_alt.tif'] } },
      }), async (o: StorageOpts) => {
        let pools = parsePoolTable(readCsv(o.pools));
        let k: number | null = null;
        if ((o.precipLocal === undefined) !== (o.precipNational === undefined)) throw new ConfigError('--precip-local and --precip-national go together');
        if (o.precipLocal !== undefined) {
          k = precipitationK(checkNumber('--precip-local', o.precipLocal, 0), checkNumber('--precip-national', o.precipNational, 0));
          pools = correctSoil(pools, k);
        }
        if (o.price !== undefined && (!o.future || o.years === undefined)) throw new ConfigError('--price: valuation needs --future and --years');
        const landuse = await readRaster(o.landuse);
        const future = o.future ? await readRaster(o.future) : undefined;
        const pa = pixelAreaHa(landuse.grid, o.landuse, o.pixelAreaHa === undefined ? undefined : checkNumber('--pixel-area-ha', o.pixelAreaHa));
        const r = carbonStorage({ landuse, landuseName: o.landuse, future, futureName: o.future, pools, poolsName: o.pools, pixelAreaHa: pa.ha });
        let value: number | null = null;
        if (o.price !== undefined) {
          value = valuation(r.changeT!, {
            price: checkNumber('--price', o.price),
            discountRate: checkNumber('--discount-rate', o.discountRate, -99.999),
            priceChange: checkNumber('--price-change', o.priceChange, -99.999),
            years: checkInt('--years', o.years, 1),
          });
        }
        await writeGeoTIFF(join(o.out, 'c_storage_bas.tif'), r.perHa, { compress: 'deflate', metadata: { bands: [{ description: 'carbon storage, base map (4 pools)', unit: 't C/ha' }] } });
        if (r.futurePerHa) await writeGeoTIFF(join(o.out, 'c_storage_alt.tif'), r.futurePerHa, { compress: 'deflate', metadata: { bands: [{ description: 'carbon storage, future map (4 pools)', unit: 't C/ha' }] } });
        if (r.changePerHa) await writeGeoTIFF(join(o.out, 'c_change_bas_alt.tif'), r.changePerHa, { compress: 'deflate', metadata: { bands: [{ description: 'carbon storage change, future minus base', unit: 't C/ha' }] } });
        const fut = !!r.futurePerHa;
        writeCsv(
          join(o.out, 'by_class.csv'),
          ['code', 'name', 'density_t_per_ha', 'area_ha', 'storage_t', ...(fut ? ['future_area_ha', 'future_storage_t'] : [])],
          r.byClass.map((c) => [c.code, c.name, c.density, c.areaHa, c.storageT, ...(fut ? [c.futureCells! * pa.ha, c.futureStorageT!] : [])]),
        );
        const totals: Record<string, unknown> = { storage_t: r.storageT };
        if (fut) Object.assign(totals, { future_storage_t: r.futureStorageT, change_t: r.changeT });
        Object.assign(totals, {
          unit: 't C',
          pixel_area_ha: pa.ha,
          pixel_area_source: pa.source,
          soil_correction_k: k,
          valuation: value === null ? null : { value, price: Number(o.price), discount_rate_pct: Number(o.discountRate), price_change_pct: Number(o.priceChange), years: Number(o.years) },
          rasters: { c_storage_bas: 'c_storage_bas.tif', ...(fut ? { c_storage_alt: 'c_storage_alt.tif', c_change_bas_alt: 'c_change_bas_alt.tif' } : {}), unit: 't C/ha', nodata: r.perHa.grid.nodata },
        });
        writeFileAtomic(join(o.out, 'totals.json'), JSON.stringify(totals, null, 2) + '\n');
        process.stdout.write(`storage: ${r.storageT} t C${fut ? `, future ${r.futureStorageT} t C, change ${r.changeT} t C` : ''}${value !== null ? `, value ${value}` : ''} -> ${o.out}\n`);
      }),
    );
}
