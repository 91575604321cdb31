/**
 * Peak memory of the streamed commands on one sample region under a --memory budget: each
 * command runs under GNU time (peak RSS) and must stay near the budget (plus Node's ~100 MB)
 * whatever the raster size. Writes bench/results/memory.json.
 *
 *   node dist/bench/memory.js --region DIR (made by `landcarbon sample --size N`) --memory 512M
 *     [--steps plus-leas,...] [--trees 20] [--threads 2]
 * With --steps only those steps run and the results go to memory-<steps>.json (memory.json keeps
 * the full set). plus leas: 2000 -> 2010 with five drivers, --trees (default 20, the PLUS manual's).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { step, type StepResult } from './scale.js';
import { writeResults } from './machine.js';

const arg = (name: string, dflt?: string): string => {
  const i = process.argv.indexOf(name);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  if (dflt === undefined) throw new Error(`memory bench: ${name} is required`);
  return dflt;
};
const dir = arg('--region');
const memory = arg('--memory', '512M');
const size = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).size as number;
const out = mkdtempSync(join(tmpdir(), 'lc-memory-'));
const f = (n: string) => join(dir, n);
const m = ['--memory', memory];
writeFileSync(join(out, 'coef.csv'), 'code,name,coefficient,unit\n1,cropland,0.422,tCO2\n2,forest,-0.581,tCO2\n3,shrub,-0.214,tCO2\n4,grassland,-0.021,tCO2\n5,water,-0.253,tCO2\n6,built-up,55.8,tCO2\n7,unused,-0.005,tCO2\n');
const only = process.argv.includes('--steps') ? arg('--steps').split(',') : null;
const want = (name: string) => !only || only.includes(name.replace(/ /g, '-'));
const rows: StepResult[] = [];
const push = (name: string, args: string[]) => { if (want(name)) rows.push(step(name, size, args)); };
push('info', ['info', f('dem.tif'), '--json', ...m]);
push('markov', ['markov', '--from', f('landuse_2000.tif'), '--to', f('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020', '--json', ...m]);
push('accuracy', ['accuracy', '--start', f('landuse_2000.tif'), '--observed', f('landuse_2020.tif'), '--simulated', f('landuse_2010.tif'), '--json', ...m]);
push('carbon emissions', ['carbon', 'emissions', '--landuse', f('landuse_2020.tif'), '--coefficients', join(out, 'coef.csv'), '--zones', f('zones.tif'), '--out', join(out, 'carbon'), ...m]);
push('zonal', ['zonal', '--zones', f('zones.tif'), '--classes', f('landuse_2020.tif'), '--values', join(out, 'carbon', 'emissions.tif'), '--out', join(out, 'z.csv'), '--quiet', ...m]);
const drivers = ['dem', 'slope', 'dist_road', 'dist_rail', 'dist_river', 'dist_centre', 'gdp_density', 'pop_density'].map((d) => f(`${d}.tif`)).join(',');
push('suitability', ['suitability', '--landuse', f('landuse_2010.tif'), '--drivers', drivers, '--out', join(out, 'prob.tif'), '--epochs', '10', '--json', ...m]);
const leasDrivers = ['dem', 'slope', 'dist_centre', 'dist_road', 'pop_density'].map((d) => f(`${d}.tif`)).join(',');
push('plus leas', ['plus', 'leas', '--from', f('landuse_2000.tif'), '--to', f('landuse_2010.tif'), '--drivers', leasDrivers, '--out', join(out, 'devprob.tif'), '--trees', arg('--trees', '20'), '--threads', arg('--threads', '2'), '--json', ...m]);
const path = writeResults(only ? `memory-${only.join('-')}.json` : 'memory.json', { suite: 'memory', region: { size, cells: size * size }, memory, steps: rows });
process.stderr.write(`memory: wrote ${path}\n`);
