/**
 * Carbon steps (methods.md section 6): coefficient emissions per cell, class and unit, and
 * InVEST-style storage. Each writes its output directory and returns the numbers. Called by
 * `landcarbon carbon emissions|storage` and the study runner.
 */
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { readRaster, writeGeoTIFF } from '../../io/geotiff.js';
import { checkSameGrid, refuseAllNoData } from '../../io/grid.js';
import { readCsv, writeCsv } from '../../io/table.js';
import { CarbonUnit, carbonEmissions, EmissionsResult, parseCoefficientTable, parseUnitRegions } from '../../models/carbon/coefficients.js';
import { PixelArea, pixelAreaHa } from '../../models/carbon/common.js';
import { carbonStorage, correctSoil, parsePoolTable, precipitationK, StorageResult, valuation } from '../../models/carbon/storage.js';
import { withEngine } from '../../tiling/engine.js';

export interface EmissionsStepInput {
  landuse: string;
  coefficients: string;
  /** Declares the table's unit when it has no unit column. */
  coefficientUnit?: CarbonUnit;
  /** Output unit (converted with 44/12 only when it differs from the table's). */
  unit?: CarbonUnit;
  zones?: string;
  /** Unit table unit,region (regional coefficients). */
  units?: string;
  pixelAreaHa?: number;
  /** Directory: by_class.csv, by_unit.csv (with zones), emissions.tif, summary.json. */
  out: string;
  threads: number;
}

export interface EmissionsStepResult {
  result: EmissionsResult;
  pixelArea: PixelArea;
  files: string[];
}

export async function emissionsStep(i: EmissionsStepInput): Promise<EmissionsStepResult> {
  const coefficients = parseCoefficientTable(readCsv(i.coefficients), i.coefficientUnit);
  if (i.units && !i.zones) throw new ConfigError('--units needs --zones (the unit raster)');
  const landuse = await readRaster(i.landuse);
  const zones = i.zones ? await readRaster(i.zones) : undefined;
  if (zones) checkSameGrid(landuse.grid, i.landuse, zones.grid, i.zones!);
  const units = i.units ? parseUnitRegions(readCsv(i.units)) : undefined;
  const pa = pixelAreaHa(landuse.grid, i.landuse, i.pixelAreaHa);
  const r = await withEngine({ threads: i.threads }, (engine) =>
    carbonEmissions(engine, { landuse, landuseName: i.landuse, coefficients, pixelAreaHa: pa.ha, zones, zonesName: i.zones, units, unitsName: i.units, outUnit: i.unit }),
  );
  const files = [join(i.out, 'by_class.csv')];
  writeCsv(files[0], ['code', 'name', 'area_ha', 'emission', 'cells', 'unit'], r.byClass.map((c) => [c.code, c.name, c.areaHa, c.emission, c.cells, `${r.unit}/yr`]));
  if (r.byUnit) {
    const regional = r.byUnit.some((u) => u.region !== null);
    files.push(join(i.out, 'by_unit.csv'));
    writeCsv(
      join(i.out, 'by_unit.csv'),
      ['unit', 'ce', 'cs', 'budget', ...r.classCodes.map((c) => `class_${c}`), ...(regional ? ['region'] : [])],
      r.byUnit.map((u) => [u.unit, u.ce, u.cs, u.budget, ...u.byClass, ...(regional ? [u.region ?? ''] : [])]),
    );
  }
  files.push(join(i.out, 'emissions.tif'), join(i.out, 'summary.json'));
  await writeGeoTIFF(join(i.out, 'emissions.tif'), r.map, { compress: 'deflate', metadata: { bands: [{ description: 'land-use carbon emissions per cell per year (negative: sequestration)', unit: `${r.unit}/yr` }] } });
  writeFileAtomic(
    join(i.out, 'summary.json'),
    JSON.stringify(
      {
        unit: `${r.unit}/yr`,
        conversion_factor: r.factor,
        pixel_area_ha: pa.ha,
        pixel_area_source: pa.source,
        ce: r.total.ce,
        cs: r.total.cs,
        budget: r.total.budget,
        cells_outside_units: zones ? r.cellsOutsideUnits : null,
        raster: { file: 'emissions.tif', value: `${r.unit}/yr per cell`, dtype: 'float64', nodata: r.map.grid.nodata },
      },
      null,
      2,
    ) + '\n',
  );
  return { result: r, pixelArea: pa, files };
}

export interface StorageStepInput {
  landuse: string;
  future?: string;
  pools: string;
  out: string;
  pixelAreaHa?: number;
  /** Soil correction (seed 004 eq. 10-11): both or neither. */
  precipLocal?: number;
  precipNational?: number;
  /** Valuation (needs future and years). */
  price?: number;
  discountRate?: number;
  priceChange?: number;
  years?: number;
}

export interface StorageStepResult {
  result: StorageResult;
  pixelArea: PixelArea;
  soilCorrectionK: number | null;
  value: number | null;
  totals: Record<string, unknown>;
}

export async function storageStep(o: StorageStepInput): Promise<StorageStepResult> {
  let pools = parsePoolTable(readCsv(o.pools));
  let k: number | null = null;
  if ((o.precipLocal === undefined) !== (o.precipNational === undefined)) throw new ConfigError('--precip-local and --precip-national go together');
  if (o.precipLocal !== undefined) {
    k = precipitationK(o.precipLocal, o.precipNational!);
    pools = correctSoil(pools, k);
  }
  if (o.price !== undefined && (!o.future || o.years === undefined)) throw new ConfigError('--price: valuation needs --future and --years');
  const landuse = await readRaster(o.landuse);
  const future = o.future ? await readRaster(o.future) : undefined;
  refuseAllNoData(landuse, o.landuse, 'land-use map');
  if (future) refuseAllNoData(future, o.future!, 'land-use map');
  const pa = pixelAreaHa(landuse.grid, o.landuse, o.pixelAreaHa);
  const r = carbonStorage({ landuse, landuseName: o.landuse, future, futureName: o.future, pools, poolsName: o.pools, pixelAreaHa: pa.ha });
  const discountRate = o.discountRate ?? 0;
  const priceChange = o.priceChange ?? 0;
  let value: number | null = null;
  if (o.price !== undefined) value = valuation(r.changeT!, { price: o.price, discountRate, priceChange, years: o.years! });
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
    valuation: value === null ? null : { value, price: o.price, discount_rate_pct: discountRate, price_change_pct: priceChange, years: o.years },
    rasters: { c_storage_bas: 'c_storage_bas.tif', ...(fut ? { c_storage_alt: 'c_storage_alt.tif', c_change_bas_alt: 'c_change_bas_alt.tif' } : {}), unit: 't C/ha', nodata: r.perHa.grid.nodata },
  });
  writeFileAtomic(join(o.out, 'totals.json'), JSON.stringify(totals, null, 2) + '\n');
  return { result: r, pixelArea: pa, soilCorrectionK: k, value, totals };
}
