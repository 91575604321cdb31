/**
 * `landcarbon carbon storage --landuse L.tif [--future F.tif] --pools P.csv --out DIR`
 * InVEST-style carbon storage (methods.md section 6): per-hectare rasters and totals.
 */
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { storageStep } from '../pipeline/steps/carbon.js';
import { checkInt, checkNumber } from '../errors.js';
import { fmtHuman } from '../io/numbers.js';
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
    .option('--precip-local <mm>', 'annual precipitation of the study area: c_soil x K (Qin et al. 2023, eq. 10-11)')
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
        if ((o.precipLocal === undefined) !== (o.precipNational === undefined)) throw new ConfigError('--precip-local and --precip-national go together');
        if (o.price !== undefined && (!o.future || o.years === undefined)) throw new ConfigError('--price: valuation needs --future and --years');
        const { result: r, value } = await storageStep({
          landuse: o.landuse,
          future: o.future,
          pools: o.pools,
          out: o.out,
          pixelAreaHa: o.pixelAreaHa === undefined ? undefined : checkNumber('--pixel-area-ha', o.pixelAreaHa),
          precipLocal: o.precipLocal === undefined ? undefined : checkNumber('--precip-local', o.precipLocal, 0),
          precipNational: o.precipNational === undefined ? undefined : checkNumber('--precip-national', o.precipNational, 0),
          price: o.price === undefined ? undefined : checkNumber('--price', o.price),
          discountRate: checkNumber('--discount-rate', o.discountRate, -99.999),
          priceChange: checkNumber('--price-change', o.priceChange, -99.999),
          years: o.price === undefined ? undefined : checkInt('--years', o.years, 1),
        });
        const fut = !!r.futurePerHa;
        process.stdout.write(`storage: ${fmtHuman(r.storageT)} t C${fut ? `, future ${fmtHuman(r.futureStorageT!)} t C, change ${fmtHuman(r.changeT!)} t C` : ''}${value !== null ? `, value ${fmtHuman(value)}` : ''} -> ${o.out}\n`);
      }),
    );
}
