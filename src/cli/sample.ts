/**
 * `landcarbon sample --out DIR [--size N] [--seed S]`: writes the embedded synthetic sample
 * region (fixtures/sample.ts) — land use 2000/2010/2020, restricted areas, administrative units
 * and cities, DEM, slope, six driver rasters (GeoTIFF), units.csv and manifest.json, with --png
 * also land-use previews — and prints a short summary: grid, class shares per epoch, units and
 * cities (or the manifest with --json).
 */
import { Command } from 'commander';
import { ConfigError, checkInt } from '../errors.js';
import { CLASSES, YEARS, writeSampleRegionBlocks, DEFAULT_SEED, DEFAULT_SIZE, MAX_BLOCK_SIZE, STRUCTURE_SIZE, SAMPLE_FILES } from '../../fixtures/sample.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { join } from 'node:path';
import { classesToRgba, writePng } from '../io/png.js';
import { run } from './common.js';
import { retireEarlier } from '../io/session.js';

export function register(program: Command): void {
  program
    .command('sample')
    .description('write the synthetic sample region (GeoTIFFs, units.csv, manifest.json) to a directory')
    .requiredOption('--out <dir>', 'output directory')
    .option('--size <n>', `cells per side (pixel = 100 km / size); above ${STRUCTURE_SIZE} the region is refined block by block from a ${STRUCTURE_SIZE}^2 structure`, String(DEFAULT_SIZE))
    .option('--seed <s>', 'seed (non-negative integer)', String(DEFAULT_SEED))
    .option('--png', 'also write landuse_<year>.png previews (class colours, NoData transparent)')
    .option('--json', 'print the manifest as JSON instead of the summary')
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .action(
      run('sample', (o: { out: string; png?: boolean }) => ({ dirs: { '--out': { dir: o.out, files: [...SAMPLE_FILES, ...(o.png ? YEARS.map((y) => `landuse_${y}.png`) : [])] } } }), async (opts: { out: string; size: string; seed: string; png?: boolean; json?: boolean; memory?: string; blockRows?: string }) => {
        const size = checkInt('--size', opts.size, 64, MAX_BLOCK_SIZE);
        const seed = checkInt('--seed', opts.seed, 0, Number.MAX_SAFE_INTEGER);
        const budget = parseBudget(opts);
        if (opts.png && size > STRUCTURE_SIZE) throw new ConfigError(`--png: previews are written up to --size ${STRUCTURE_SIZE} (a whole map in memory), got --size ${size}`);
        // the region's manifest.json is written last: the previous one must not outlive an unfinished run
        retireEarlier(join(opts.out, 'manifest.json'));
        const t0 = performance.now();
        const res = await writeSampleRegionBlocks(opts.out, { size, seed, ...budget });
        const manifest = res.manifest;
        const region = res.region;
        if (opts.png && region) {
          for (const y of YEARS) writePng(join(opts.out, `landuse_${y}.png`), size, size, classesToRgba(region.landuse[y].data, 255));
        }
        const t2 = performance.now();
        if (opts.json) {
          process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
          return;
        }
        const lines: string[] = [];
        lines.push(
          `sample region written to ${opts.out} in ${((t2 - t0) / 1000).toFixed(1)} s` +
            (region ? '' : ` (refined from a ${res.structureSize}^2 structure in ${res.blocks} block${res.blocks > 1 ? 's' : ''})`),
        );
        lines.push(`grid: ${size} x ${size} @ ${+manifest.pixel_size_m.toFixed(4)} m, EPSG:${manifest.crs.epsg} (${manifest.crs.name}), seed ${seed}`);
        lines.push(`valid cells: ${manifest.valid_cells} (${((100 * manifest.valid_cells) / (size * size)).toFixed(1)} % of the square)`);
        const head = ['class'.padEnd(12), ...YEARS.map((y) => String(y).padStart(8))].join('');
        lines.push(head);
        const counts = res.counts;
        for (const c of CLASSES) {
          lines.push([`${c.code} ${c.name}`.padEnd(12), ...counts.map((k) => `${((100 * k[c.code]) / manifest.valid_cells).toFixed(2)}%`.padStart(8))].join(''));
        }
        lines.push(`units: ${manifest.units} in ${manifest.cities.length} cities`);
        for (const c of manifest.cities) {
          const n = res.units.filter((u) => u.city === c.city).length;
          lines.push(`  ${c.city} ${c.name}${c.main ? ' (main)' : ''}: ${n} units, region ${c.region}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
