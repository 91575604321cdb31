/**
 * What `landcarbon demo` runs on the sample region, step by step, as CLI commands. Each
 * capability adds its steps here.
 */
import { readFileSync } from 'node:fs';
import { DemoContext } from './demo.js';
import { parseCsv } from '../io/table.js';

export interface PlanOptions {
  size: number;
  seed: number;
}

const YEARS = [2000, 2010, 2020];
const CLASS_TABLE = '1=cropland,2=forest,3=shrub,4=grassland,5=water,6=built-up,7=unused';

export async function demoPlan(c: DemoContext, o: PlanOptions): Promise<void> {
  const S = (f: string) => c.path('sample', f);
  const T = c.threads;

  // 1. the sample region
  await c.step('sample', 'generate the sample region', ['sample', '--out', c.path('sample'), '--size', String(o.size), '--seed', String(o.seed)], [S('manifest.json'), S('units.csv')]);
  const manifest = c.readJson('sample', 'manifest.json');
  c.note(`## Sample region\n\n${manifest.units} units in ${manifest.cities.length} cities, ${manifest.valid_cells} valid cells, EPSG:${manifest.crs.epsg}.`);

  // 2. zonal sums: land use per unit, with GDP and population density summed per unit and class
  const zonalRows: string[] = [];
  for (const y of YEARS) {
    const out = c.path('zonal', `landuse_${y}_by_unit.csv`);
    await c.step(`zonal-${y}`, `zonal sums of ${y} land use by unit`, ['zonal', '--zones', S('zones.tif'), '--classes', S(`landuse_${y}.tif`), '--values', S('gdp_density.tif'), S('pop_density.tif'), '--out', out, '--threads', T, '--quiet'], [out]);
    const t = parseCsv(readFileSync(out, 'utf8'), out);
    const byClass = new Map<string, number>();
    for (const r of t.rows) byClass.set(r[1], (byClass.get(r[1]) ?? 0) + Number(r[3]));
    zonalRows.push(`| ${y} | ${[...byClass.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k}: ${Math.round(v)}`).join(', ')} |`);
  }
  c.note(`## Land use by class (ha, from zonal sums)\n\n| year | class: area |\n|---|---|\n${zonalRows.join('\n')}`);

  // 3. Markov demand: calibrated on 2000 -> 2010, projected to 2020 (validation) and 2030
  for (const scenario of ['natural', 'ecological']) {
    const out = c.path('markov', `demand_${scenario}.csv`);
    await c.step(`markov-${scenario}`, `Markov demand (${scenario})`, ['markov', '--from', S('landuse_2000.tif'), '--to', S('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020,2030', '--classes', CLASS_TABLE, '--scenario', scenario, '--out', out], [out]);
  }
  c.note(`## Markov demand\n\nDemand tables for 2020 and 2030 under the natural and ecological scenarios: markov/demand_natural.csv, markov/demand_ecological.csv.`);
}
