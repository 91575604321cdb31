// Messages that mislead (issue 11 items 10, 12, 13, 17): each case runs the command.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';
import { fmtHuman, fmtTable, exactProduct, exactSum } from '../../src/io/numbers.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-messages-'));
const p = (f: string) => join(dir, f);
// the origin (926786.885, 4365315.428), 30 m pixels
const grid = (x0 = 926786.885, nodata = 255): Grid => ({ width: 4, height: 3, transform: [x0, 30, 0, 4365315.428, 0, -30], crs: { epsg: 32650 }, nodata });
const lu = Uint8Array.from([1, 1, 2, 2, 1, 4, 4, 2, 255, 1, 2, 4]);
const zones = Uint16Array.from([1, 1, 1, 2, 1, 1, 2, 2, 2, 2, 2, 2]);

beforeAll(async () => {
  await writeGeoTIFF(p('lu.tif'), { grid: grid(), dtype: 'uint8', data: lu });
  await writeGeoTIFF(p('zones.tif'), { grid: { ...grid(), nodata: 0 }, dtype: 'uint16', data: zones });
  // shifted by 0.0004 m: prints as the same origin to 3 decimals, beyond the 3e-5 m tolerance
  await writeGeoTIFF(p('shifted.tif'), { grid: { ...grid(926786.8854), nodata: 0 }, dtype: 'uint16', data: zones });
  await writeGeoTIFF(p('nd.tif'), { grid: grid(), dtype: 'uint8', data: new Uint8Array(12).fill(255) });
  await writeGeoTIFF(p('ndz.tif'), { grid: { ...grid(), nodata: 0 }, dtype: 'uint16', data: new Uint16Array(12) });
  // coefficients with decimals that binary floating point cannot hold (0.14, 0.62, 0.42)
  writeFileSync(p('coef.csv'), 'code,name,coefficient\n1,cropland,0.42\n2,forest,-0.62\n4,grassland,-0.14\n');
});

describe('item 10: grid mismatch prints the difference and the tolerance', () => {
  it('zonal with origins equal to 3 decimals', async () => {
    const r = await cli('zonal', '--zones', p('shifted.tif'), '--classes', p('lu.tif'), '--out', p('z.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not match');
    // 926786.8854 - 926786.885 = 0.0004 (to 3 figures); tolerance 1e-6 x 30 m = 3e-5 m
    expect(r.err).toMatch(/: origin x differs by -0\.0004 map units \(.*lu\.tif 926786\.885, .*shifted\.tif 926786\.8854; tolerance 0\.00003 = 1e-6 pixel\)\n$/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('item 12: all-NoData inputs', () => {
  it('carbon emissions refuses an all-NoData land-use map (was exit 0 with CE 0)', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('nd.tif'), '--coefficients', p('coef.csv'), '--out', p('em-nd'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`landcarbon carbon emissions: ${p('nd.tif')}: every cell of this land-use map is NoData (12 cells, NoData 255); nothing to compute\n`);
    expect(existsSync(p('em-nd/by_class.csv')) || existsSync(p('em-nd/emissions.tif'))).toBe(false); // only the run record (landcarbon-run.json, status failed)
  });

  it('markov and accuracy refuse; zonal warns and writes an empty table', async () => {
    const m = await cli('markov', '--from', p('nd.tif'), '--to', p('lu.tif'), '--years', '2000,2010', '--target-year', '2020');
    expect(m.code).toBe(2);
    expect(m.err).toContain(`${p('nd.tif')}: every cell of this land-use map is NoData`);
    const a = await cli('accuracy', '--start', p('lu.tif'), '--observed', p('nd.tif'), '--simulated', p('lu.tif'));
    expect(a.code).toBe(2);
    expect(a.err).toContain(`${p('nd.tif')}: every cell of this land-use map is NoData`);
    const z = await cli('zonal', '--zones', p('ndz.tif'), '--classes', p('lu.tif'), '--out', p('z-nd.csv'), '--quiet');
    expect(z.code).toBe(0);
    expect(z.err).toBe(`landcarbon zonal: warning: no cell is valid in both ${p('ndz.tif')} and ${p('lu.tif')} (every cell is NoData in one of them); ${p('z-nd.csv')} has a header and no rows\n`);
    expect(readFileSync(p('z-nd.csv'), 'utf8')).toBe('zone,class,cells,area_ha\n');
  });

  it('carbon storage refuses an all-NoData map', async () => {
    writeFileSync(p('pools.csv'), 'code,c_above,c_below,c_soil,c_dead\n1,1,1,1,1\n2,2,2,2,2\n4,3,3,3,3\n');
    const r = await cli('carbon', 'storage', '--landuse', p('nd.tif'), '--pools', p('pools.csv'), '--out', p('st-nd'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${p('nd.tif')}: every cell of this land-use map is NoData (12 cells, NoData 255); nothing to compute`);
    expect(existsSync(p('st-nd/totals.json'))).toBe(false);
  });

  it('info warns on stderr and still describes the file', async () => {
    const r = await cli('info', p('nd.tif'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('band 1:      0 valid cells (0.00 %), 12 NoData; every cell is NoData');
    expect(r.err).toBe(`landcarbon info: warning: ${p('nd.tif')} band 1: every cell is NoData (12 cells)\n`);
  });
});

describe('item 13: --threads above the core count', () => {
  it('is capped at the core count with a note (zonal --threads 256)', async () => {
    const r = await cli('zonal', '--zones', p('zones.tif'), '--classes', p('lu.tif'), '--out', p('z256.csv'), '--threads', '256', '--quiet');
    expect(r.code).toBe(0);
    const c = availableParallelism();
    expect(r.err).toBe(`note: --threads 256 is more than the ${c} cores of this machine; using ${c} (results do not depend on the thread count)\n`);
    const one = await cli('zonal', '--zones', p('zones.tif'), '--classes', p('lu.tif'), '--out', p('z1.csv'), '--threads', '1', '--quiet');
    expect(one.err).toBe('');
    expect(readFileSync(p('z256.csv'), 'utf8')).toBe(readFileSync(p('z1.csv'), 'utf8'));
  });
});

describe('item 17: numbers', () => {
  it('by_unit.csv holds the exact decimal products; the CLI line has sensible figures', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('coef.csv'), '--zones', p('zones.tif'), '--out', p('em'));
    expect(r.code, r.err).toBe(0);
    // 30 m pixels = 0.09 ha. Zone 1: cropland 3 cells, forest 1, grassland 1; zone 2: cropland 1, forest 3, grassland 2.
    // zone 1: 3 x 0.09 x 0.42 = 0.1134; 1 x 0.09 x -0.62 = -0.0558; 1 x 0.09 x -0.14 = -0.0126; budget 0.1134 - 0.0684 = 0.045
    // zone 2: 1 x 0.09 x 0.42 = 0.0378; 3 x 0.09 x -0.62 = -0.1674; 2 x 0.09 x -0.14 = -0.0252; budget 0.0378 - 0.1926 = -0.1548
    // In plain doubles (the code before) 1 x (-0.62 x 0.09) is -0.055799999999999995.
    expect(1 * (-0.62 * 0.09)).toBe(-0.055799999999999995);
    const t = readFileSync(p('em/by_unit.csv'), 'utf8');
    expect(t).toBe('unit,ce,cs,budget,class_1,class_2,class_4\n1,0.1134,0.0684,0.045,0.1134,-0.0558,-0.0126\n2,0.0378,0.1926,-0.1548,0.0378,-0.1674,-0.0252\n');
    // CE = 0.1134 + 0.0378 = 0.1512; CS = 0.0684 + 0.1926 = 0.261; budget = -0.1098
    expect(r.out).toBe(`emissions: CE 0.1512 CS 0.261 budget -0.1098 table units/yr -> ${p('em')}\n`);
  });

  it('info: the mean of class codes with 6 significant figures (was 2.41479322306153-like)', async () => {
    const r = await cli('info', p('lu.tif'));
    // (1+1+2+2+1+4+4+2+1+2+4) / 11 = 24/11 = 2.181818...
    expect(r.out).toContain('min 1, max 4, mean 2.18182');
  });

  it('the shared formatter', () => {
    expect(fmtTable(-11.600000000000001)).toBe('-11.600000000000001'); // tables: round-trip, never rounded
    expect(fmtTable(NaN)).toBe('');
    expect(fmtHuman(15745831.229999997)).toBe('15745831');
    expect(fmtHuman(2.41479322306153)).toBe('2.41479');
    expect(fmtHuman(-0.000012345678)).toBe('-1.23457e-5');
    expect(fmtHuman(0)).toBe('0');
    expect(fmtHuman(null)).toBe('n/a');
    // -2.9 x 4 ha: exact decimal product -11.6; 0.1 + 0.2 = 0.3 exactly in decimal
    expect(exactProduct(-2.9, 4)).toBe(-11.6);
    expect(exactProduct(39, 100, -0.14)).toBe(-546);
    expect(-0.14 * 100 * 39).toBe(-546.0000000000001); // the by_unit value, from plain doubles
    expect(exactSum([0.1, 0.2])).toBe(0.3);
    expect(exactSum([1e-7, 1e21, -1e21])).toBe(1e-7);
  });
});

describe('item 16: the scenario choice says "tie" and what decided it', () => {
  it('balance with two tables tied on units with ESC > 1', async () => {
    // ND net 21 - 4 = 17, ESC > 1: c only ((2/4)/(1/21) = 10.5); EP net 18 - 5 = 13, ESC > 1: c only ((2/5)/(1/18) = 7.2)
    writeFileSync(p('ND.csv'), 'unit,ce,cs,gdp\na,10,1,5\nb,10,1,5\nc,1,2,5\n');
    writeFileSync(p('EP.csv'), 'unit,ce,cs,gdp\na,9,2,5\nb,8,1,5\nc,1,2,5\n');
    const r = await cli('balance', '--table', p('ND.csv'), '--table', p('EP.csv'), '--scheme', 'suzhou', '--out', p('bal'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('ND: net emissions 17, units with ESC > 1: 1 of 3');
    expect(r.out).toContain('low-carbon choice: EP (tie on units with ESC > 1 (ND, EP: 1 each); decided by net emissions: EP has the lowest (13))');
    expect(r.out).not.toContain('and the most units with ESC > 1');
    const j = await cli('balance', '--table', p('ND.csv'), '--table', p('EP.csv'), '--scheme', 'suzhou', '--out', p('bal'), '--json');
    expect(JSON.parse(j.out).comparison).toMatchObject({ choice: 'EP', decidedBy: 'net emissions', mostEscAbove1: ['ND', 'EP'] });
  });

  it('equal on both criteria: "tie", no choice', async () => {
    writeFileSync(p('EP2.csv'), readFileSync(p('EP.csv')));
    const t = await cli('balance', '--table', p('EP.csv'), '--table', p('EP2.csv'), '--scheme', 'suzhou', '--out', p('bal3'));
    expect(t.out).toContain('low-carbon choice: none (tie: EP, EP2 are equal on both criteria (net emissions 13, 1 units with ESC > 1); no choice)');
  });
});

describe('item 14: geographic coordinates for gwr / --knn / --distance', () => {
  // 3 x 4 lattice of units: lon/lat in degrees (0.1 degree apart) and the same in UTM metres
  const rows = Array.from({ length: 12 }, (_, i) => {
    const r = Math.floor(i / 4), c = i % 4;
    const y = ((i * 7) % 5) + r + 0.5 * c; // a field with some spatial trend
    return `${i + 1},${(116.1 + 0.1 * c).toFixed(2)},${(39.5 + 0.1 * r).toFixed(2)},${420000 + 8500 * c},${4372000 + 11100 * r},${y},${c},${r}`;
  });
  const table = () => {
    writeFileSync(p('units.csv'), `unit,lon,lat,x,y,v,a,b\n${rows.join('\n')}\n`);
    return p('units.csv');
  };
  it('stats moran --knn on lon/lat warns that they look geographic; projected x,y does not', async () => {
    const t = table();
    const g = await cli('stats', 'moran', '--table', t, '--field', 'v', '--id', 'unit', '--knn', '3', '--coords', 'lon,lat');
    expect(g.code, g.err).toBe(0);
    expect(g.err).toContain(`warning: --knn: --coords lon,lat in ${t} look like longitude/latitude in degrees (named like lon/lat, values within +-180 and +-90); distances here are planar (Euclidean), so project the coordinates (e.g. to UTM) first`);
    const m = await cli('stats', 'moran', '--table', t, '--field', 'v', '--id', 'unit', '--knn', '3', '--coords', 'x,y');
    expect(m.code, m.err).toBe(0);
    expect(m.err).not.toContain('warning');
  });
  it('--distance and gwr warn too', async () => {
    const t = table();
    const d = await cli('stats', 'moran', '--table', t, '--field', 'v', '--id', 'unit', '--distance', '0.15', '--coords', 'lon,lat');
    expect(d.err).toContain('warning: --distance: --coords lon,lat');
    const g = await cli('stats', 'gwr', '--table', t, '--y', 'v', '--x', 'a', '--coords', 'lon,lat', '--bw', '8', '--out', p('gwr'));
    expect(g.err).toContain('warning: gwr: --coords lon,lat');
  });
});
