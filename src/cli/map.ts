/**
 * `landcarbon map <raster|layer> --out fig.png|fig.svg [--field F] [--classes table] [--title T]`:
 * one figure of any output with the report's cartography (legend, scale bar, north arrow, CRS).
 */
import { Command } from 'commander';
import { extname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { drawFigure, svgToPng } from '../pipeline/report/figure.js';
import { run } from './common.js';

export function register(program: Command): void {
  program
    .command('map')
    .description('draw a raster (.tif) or a GeoJSON layer as a map figure (SVG or PNG) with legend, scale bar, north arrow and CRS')
    .argument('<input>', 'a GeoTIFF or a GeoJSON layer (e.g. layers/units.geojson of a report)')
    .requiredOption('--out <file>', 'output figure, .svg or .png')
    .option('--field <name>', 'attribute of a vector layer to colour by (numbers: quantile classes; text: categories)')
    .option('--classes <table>', 'class names of a raster: "1=cropland,2=forest" or a CSV with columns code,name[,color]')
    .option('--title <text>', 'figure title (default: the file name)')
    .option('--scale <n>', 'PNG pixels per SVG unit', '2')
    .action(
      run('map', (input: string, o: { out: string }) => ({ inputs: { '<input>': input }, outputs: { '--out': o.out } }), async (input: string, o: { out: string; field?: string; classes?: string; title?: string; scale: string }) => {
        const ext = extname(o.out).toLowerCase();
        if (ext !== '.svg' && ext !== '.png') throw new ConfigError(`--out: expected a .svg or .png file, got ${JSON.stringify(o.out)}`);
        const scale = Number(o.scale);
        if (!Number.isFinite(scale) || scale < 0.25 || scale > 8) throw new ConfigError(`--scale: expected a number in [0.25, 8], got ${JSON.stringify(o.scale)}`);
        const svg = await drawFigure(resolve(input), { field: o.field, classes: o.classes, title: o.title });
        writeFileAtomic(resolve(o.out), ext === '.svg' ? svg : await svgToPng(svg, scale));
        process.stdout.write(`wrote ${o.out}\n`);
      }),
    );
}
