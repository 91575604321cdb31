/**
 * `landcarbon carbon nep`: CASA NPP, R_H and NEP from monthly rasters (methods.md section 6,
 * seed 002). Each monthly input is a comma-separated list of GeoTIFFs (one per month, in
 * order) or one multi-band GeoTIFF (one band per month).
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { readBands, readRaster, writeGeoTIFF } from '../io/geotiff.js';
import { checkSameGrid, Raster } from '../io/grid.js';
import { readCsv, writeCsv } from '../io/table.js';
import { casaNep, CasaMonthRasters, parseCasaParams } from '../models/carbon/casa.js';
import { CARBON_NODATA, pixelAreaHa } from '../models/carbon/common.js';
import { layerFromRaster, zonalSums } from '../kernels/zonal.js';
import { withEngine } from '../tiling/engine.js';
import { checkNumber } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { parseThreads, run, threadsOption, fileList } from './common.js';

async function monthly(list: string, what: string): Promise<{ rasters: Raster[]; names: string[] }> {
  const files = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (files.length === 0) throw new ConfigError(`--${what}: no files given`);
  if (files.length === 1) {
    const bands = await readBands(files[0]);
    return { rasters: bands, names: bands.map((_, i) => (bands.length > 1 ? `${files[0]} band ${i + 1}` : files[0])) };
  }
  return { rasters: await Promise.all(files.map((f) => readRaster(f))), names: files };
}

function f32Raster(grid: Raster['grid'], v: Float64Array): Raster<Float32Array> {
  const d = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) d[i] = v[i] === v[i] ? v[i] : CARBON_NODATA;
  return { grid: { ...grid, nodata: CARBON_NODATA }, dtype: 'float32', data: d };
}

interface NepOpts {
  ndvi: string; temp: string; precip: string; sol: string; w?: string; eet?: string; pet?: string;
  vegetation: string; params: string; zones?: string; out: string; threads: string; pixelAreaHa?: string;
  alpha?: string; fparMin?: string; fparMax?: string; t2Coef?: string; tMin?: string; percentiles?: string;
}

export function registerNep(carbon: Command): void {
  carbon
    .command('nep')
    .description('CASA NPP, heterotrophic respiration and NEP (g C/m2 summed over the months; seed 002), WASM kernel over tiles')
    .requiredOption('--ndvi <files>', 'monthly NDVI: comma-separated GeoTIFFs or one multi-band GeoTIFF')
    .requiredOption('--temp <files>', 'monthly mean temperature, C')
    .requiredOption('--precip <files>', 'monthly precipitation, mm')
    .requiredOption('--sol <files>', 'monthly total solar radiation, MJ/m2/month')
    .option('--w <files>', 'monthly water stress W (or give --eet and --pet)')
    .option('--eet <files>', 'monthly estimated evapotranspiration (W = 0.5 + 0.5 EET/PET)')
    .option('--pet <files>', 'monthly potential evapotranspiration')
    .requiredOption('--vegetation <tif>', 'vegetation-type raster (integer codes)')
    .requiredOption('--params <csv>', 'code[,name][,eps_max][,ndvi_min,ndvi_max,sr_min,sr_max]; empty = default 0.389 / data percentiles')
    .option('--zones <tif>', 'unit raster: adds by_unit.csv with NPP, R_H, NEP in t C per unit')
    .option('--pixel-area-ha <x>', 'hectares per cell for the t C totals (default: from the geotransform)')
    .option('--alpha <a>', 'weight of FPAR_NDVI (default 0.5, seed 002)')
    .option('--fpar-min <v>', 'FPAR_min (default 0.001, seed 002)')
    .option('--fpar-max <v>', 'FPAR_max (default 0.95, seed 002)')
    .option('--t2-coef <v>', 'numerator of T2 (default 1.1814; some versions 1.1919 or 1.184)')
    .option('--t-min <c>', 'months colder than this have eps = 0 (default -10 C)')
    .option('--percentiles <lo,hi>', 'percentiles for NDVI/SR bounds (default 5,95, seed 002)')
    .requiredOption('--out <dir>', 'output directory: npp.tif, rh.tif, nep.tif, casa_params.csv, summary.json [, by_unit.csv]')
    .addOption(threadsOption())
    .action(
      run('carbon nep', (o: NepOpts) => ({
        inputs: {
          '--ndvi': fileList(o.ndvi), '--temp': fileList(o.temp), '--precip': fileList(o.precip), '--sol': fileList(o.sol), '--w': fileList(o.w),
          '--eet': fileList(o.eet), '--pet': fileList(o.pet), '--vegetation': o.vegetation, '--params': o.params, '--zones': o.zones,
        },
        dirs: { '--out': { dir: o.out, files: ['npp.tif', 'rh.tif', 'nep.tif', 'casa_params.csv', 'by_unit.csv', 'summary.json'] } },
      }), async (o: NepOpts) => {
        const threads = parseThreads(o.threads);
        if (!o.w && !(o.eet && o.pet)) throw new ConfigError('give --w, or both --eet and --pet');
        if (o.w && (o.eet || o.pet)) throw new ConfigError('give either --w or --eet/--pet, not both');
        const params = parseCasaParams(readCsv(o.params));
        const constants: Record<string, number> = {};
        if (o.alpha !== undefined) constants.alpha = checkNumber('--alpha', o.alpha, 0, 1);
        if (o.fparMin !== undefined) constants.fparMin = checkNumber('--fpar-min', o.fparMin, 0, 1);
        if (o.fparMax !== undefined) constants.fparMax = checkNumber('--fpar-max', o.fparMax, 0, 1);
        if (o.t2Coef !== undefined) constants.t2Coef = checkNumber('--t2-coef', o.t2Coef, 0);
        if (o.tMin !== undefined) constants.tMin = checkNumber('--t-min', o.tMin, -90, 70);
        let percentiles: [number, number] | undefined;
        if (o.percentiles) {
          const p = o.percentiles.split(',').map((s, i) => checkNumber(`--percentiles value ${i + 1}`, s, 0, 100));
          if (p.length !== 2) throw new ConfigError(`--percentiles: expected two numbers "lo,hi", got ${JSON.stringify(o.percentiles)}`);
          percentiles = [p[0], p[1]];
        }
        const vegetation = await readRaster(o.vegetation);
        const inputs: Record<string, { rasters: Raster[]; names: string[] }> = {};
        const keys: Array<[keyof NepOpts, string]> = [['ndvi', 'ndvi'], ['temp', 'temp'], ['precip', 'prec'], ['sol', 'sol'], ['w', 'w'], ['eet', 'eet'], ['pet', 'pet']];
        for (const [opt, key] of keys) if (o[opt]) inputs[key] = await monthly(o[opt] as string, String(opt));
        const nMonths = inputs.ndvi.rasters.length;
        for (const [opt, key] of keys) {
          if (inputs[key] && inputs[key].rasters.length !== nMonths) throw new ConfigError(`--${String(opt)}: ${inputs[key].rasters.length} months, but --ndvi has ${nMonths}`);
        }
        const months: CasaMonthRasters[] = Array.from({ length: nMonths }, (_, k) => {
          const m: Partial<CasaMonthRasters> & { names: Record<string, string> } = { names: {} };
          for (const key of Object.keys(inputs)) {
            (m as Record<string, unknown>)[key] = inputs[key].rasters[k];
            m.names[key] = inputs[key].names[k];
          }
          return m as CasaMonthRasters;
        });
        const zones = o.zones ? await readRaster(o.zones) : undefined;
        if (zones) checkSameGrid(vegetation.grid, o.vegetation, zones.grid, o.zones!);
        const pa = pixelAreaHa(vegetation.grid, o.vegetation, o.pixelAreaHa === undefined ? undefined : checkNumber('--pixel-area-ha', o.pixelAreaHa));
        // g C/m2 over a cell -> t C: value * pa * 1e4 m2 / 1e6 g per t
        const toT = pa.ha * 1e4 / 1e6;
        const { r, byUnit } = await withEngine({ threads }, async (engine) => {
          const r = await casaNep(engine, { vegetation, vegetationName: o.vegetation, months, params, paramsName: o.params, constants, percentiles });
          let byUnit: (string | number)[][] | null = null;
          if (zones) {
            const g = vegetation.grid;
            const lay = (name: string, v: Float64Array) => ({ dtype: 'float64' as const, data: v, nodata: null, name });
            const zr = await zonalSums(engine, { width: g.width, height: g.height, zones: layerFromRaster(zones, o.zones!), classes: layerFromRaster(vegetation, o.vegetation), values: [lay('npp', r.npp), lay('rh', r.rh), lay('nep', r.nep)] });
            const nc = zr.classCodes.length;
            byUnit = zr.zoneIds.map((z, zi) => {
              let cells = 0, miss = 0;
              const s = [0, 0, 0];
              for (let k = 0; k < nc; k++) {
                const b = zi * nc + k;
                cells += zr.counts[b];
                miss += zr.missing[2][b];
                for (let v = 0; v < 3; v++) s[v] += zr.sums[v][b];
              }
              return [z, s[0] * toT, s[1] * toT, s[2] * toT, cells, miss];
            });
          }
          return { r, byUnit };
        });
        const g = vegetation.grid;
        await writeGeoTIFF(join(o.out, 'npp.tif'), f32Raster(g, r.npp), { compress: 'deflate' });
        await writeGeoTIFF(join(o.out, 'rh.tif'), f32Raster(g, r.rh), { compress: 'deflate' });
        await writeGeoTIFF(join(o.out, 'nep.tif'), f32Raster(g, r.nep), { compress: 'deflate' });
        writeCsv(join(o.out, 'casa_params.csv'), ['code', 'name', 'eps_max', 'ndvi_min', 'ndvi_max', 'sr_min', 'sr_max', 'samples', 'source'],
          r.types.map((t) => [t.code, t.name, t.epsMax, t.ndviMin, t.ndviMax, t.srMin, t.srMax, t.samples, t.source]));
        if (byUnit) writeCsv(join(o.out, 'by_unit.csv'), ['unit', 'npp_t', 'rh_t', 'nep_t', 'cells', 'nodata_cells'], byUnit);
        let npp = 0, rh = 0, nep = 0, valid = 0;
        for (let i = 0; i < r.nep.length; i++) if (r.nep[i] === r.nep[i]) { npp += r.npp[i]; rh += r.rh[i]; nep += r.nep[i]; valid++; }
        const summary = {
          months: nMonths,
          unit: 'g C/m2 (sum over the months) in the rasters; t C in the totals',
          valid_cells: valid,
          pixel_area_ha: pa.ha,
          mean_npp_g_m2: valid ? npp / valid : null,
          mean_rh_g_m2: valid ? rh / valid : null,
          mean_nep_g_m2: valid ? nep / valid : null,
          npp_t: npp * toT, rh_t: rh * toT, nep_t: nep * toT,
          constants: r.constants,
          sources: {
            eps_max_default: '0.389 g C/MJ, Potter et al. 1993',
            ndvi_sr_bounds: 'per-type percentiles of the data (seed 002)',
            fpar: 'alpha 0.5, FPAR 0.001..0.95 (seed 002)',
            t2: 'methods.md section 6', rh: 'seed 002 eq. 9 (Zhuang et al.)',
          },
        };
        writeFileAtomic(join(o.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
        process.stdout.write(`nep: ${nMonths} months, mean NPP ${summary.mean_npp_g_m2} g C/m2, mean NEP ${summary.mean_nep_g_m2} g C/m2, NEP total ${summary.nep_t} t C -> ${o.out}\n`);
      }),
    );
}
