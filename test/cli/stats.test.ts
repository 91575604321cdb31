import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';


const G = (f: string) => new URL(`../golden/${f}`, import.meta.url).pathname;
const R = JSON.parse(readFileSync(G('spdep_golden.json'), 'utf8'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const dir = mkdtempSync(join(tmpdir(), 'lc-stats-'));
const COL = ['--table', G('columbus.csv'), '--id', 'POLYID'];

describe('landcarbon stats moran', () => {
  it('--gal --json: the issue keys, equal to spdep moran.test (Columbus CRIME, row-standardised)', async () => {
    const r = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['I', 'EI', 'VI_norm', 'VI_rand', 'z_norm', 'z_rand', 'p_norm', 'p_rand']) expect(j).toHaveProperty(k);
    expect(j).not.toHaveProperty('p_sim');
    const ref = R.columbus_CRIME_W;
    expect(rel(j.I, Number(ref.norm.I))).toBeLessThan(1e-9);
    expect(rel(j.VI_rand, Number(ref.rand.VI))).toBeLessThan(1e-9);
    expect(rel(j.z_norm, Number(ref.norm.z))).toBeLessThan(1e-9);
    expect(rel(j.p_norm, 2 * Number(ref.norm.p_greater))).toBeLessThan(1e-8); // two-sided = 2 x one-sided here
  });
  it('--permutations/--seed give p_sim, identical on repeat; human output is labelled and rounded', async () => {
    const a = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--permutations', '199', '--seed', '3', '--json');
    const b = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--permutations', '199', '--seed', '3', '--json');
    expect(JSON.parse(a.out).p_sim).toBe(JSON.parse(b.out).p_sim);
    expect(JSON.parse(a.out).p_sim).toBe(1 / 200); // I = 0.50 is larger than every permuted I
    const h = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--permutations', '99');
    expect(h.code).toBe(0);
    expect(h.out).toContain("Global Moran's I of \"CRIME\"");
    expect(h.out).toMatch(/I\s+0\.5002\s+\(expected -0\.02083\)/);
    expect(h.out).toContain('p_sim 0.0100 (99 permutations, seed 0');
  });
  it('--zones Z.tif --contiguity rook: equals spdep on the golden zone raster (island kept with --allow-islands)', async () => {
    const g = JSON.parse(readFileSync(G('zones_grid.json'), 'utf8'));
    const tif = join(dir, 'zones.tif');
    await writeGeoTIFF(tif, { grid: { width: g.width, height: g.height, transform: [0, 30, 0, 0, 0, -30], crs: null, nodata: g.nodata }, dtype: 'int32', data: Int32Array.from(g.data) });
    const base = ['stats', 'moran', '--table', G('zones.csv'), '--id', 'zone', '--field', 'value', '--zones', tif, '--contiguity', 'rook'];
    const refused = await cli(...base);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('rook contiguity of ' + tif + ': 1 unit has no neighbours (999); pass --allow-islands');
    const r = await cli(...base, '--allow-islands', '--json', '--write-weights', join(dir, 'zones.gal'));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(rel(j.I, Number(R.zones_rook.norm.I))).toBeLessThan(1e-9);
    expect(rel(j.z_rand, Number(R.zones_rook.rand.z))).toBeLessThan(1e-9);
    expect(j.islands).toEqual(['999']);
    expect(readFileSync(join(dir, 'zones.gal'), 'utf8')).toMatch(/^0 31 landcarbon id\n103 /);
  });
  it('--knn and --distance on --coords run; bad input exits 2 with a one-line message', async () => {
    expect((await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--knn', '4', '--coords', 'X,Y', '--json')).code).toBe(0);
    expect((await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--distance', '15', '--coords', 'X,Y', '--transform', 'b', '--json')).code).toBe(0);
    const none = await cli('stats', 'moran', ...COL, '--field', 'CRIME');
    expect(none.code).toBe(2);
    expect(none.err).toContain('weights: give exactly one of --gal, --gwt, --zones, --knn, --distance (got none)');
    const two = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--knn', '3', '--gal', G('columbus_queen.gal'), '--coords', 'X,Y');
    expect(two.code).toBe(2);
    const miss = await cli('stats', 'moran', ...COL, '--field', 'NOPE', '--knn', '3', '--coords', 'X,Y');
    expect(miss.code).toBe(2);
    expect(miss.err).toContain('missing column "NOPE"');
    const t = join(dir, 'const.csv');
    writeFileSync(t, 'id,v,x,y\n1,5,0,0\n2,5,1,0\n3,5,2,0\n4,5,3,0\n5,5,4,0\n');
    const c = await cli('stats', 'moran', '--table', t, '--field', 'v', '--knn', '2', '--coords', 'x,y');
    expect(c.code).toBe(2);
    expect(c.err).toContain('the variable is constant (5) for all 5 units');
    const badk = await cli('stats', 'moran', ...COL, '--field', 'CRIME', '--knn', 'x', '--coords', 'X,Y');
    expect(badk.code).toBe(2);
  });
});

describe('landcarbon stats gistar', () => {
  it('--out writes id,gi,z,p,class; z equals spdep localG (include.self, style B)', async () => {
    const out = join(dir, 'g.csv');
    const r = await cli('stats', 'gistar', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--transform', 'b', '--out', out);
    expect(r.code).toBe(0);
    const t = parseCsv(readFileSync(out, 'utf8'), out);
    expect(t.columns).toEqual(['id', 'gi', 'z', 'p', 'class']);
    const ref: string[] = R.columbus_localGstar_CRIME_B;
    t.rows.forEach((row, i) => expect(rel(Number(row[2]), Number(ref[i]))).toBeLessThan(1e-9));
    expect(t.rows.some((row) => row[4].startsWith('Hot Spot'))).toBe(true);
    expect(r.out).toMatch(/Hot Spot - 99% Confidence\s+\d+/);
  });
});

describe('weights files and Gi', () => {
  it('--write-weights x.gwt then --gwt x.gwt reproduces the same Moran result; --gi (no self) runs', async () => {
    const gwt = join(dir, 'w.gwt');
    const a = await cli('stats', 'moran', ...COL, '--field', 'HOVAL', '--knn', '5', '--coords', 'X,Y', '--json', '--write-weights', gwt);
    const b = await cli('stats', 'moran', ...COL, '--field', 'HOVAL', '--gwt', gwt, '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out).I).toBeCloseTo(JSON.parse(a.out).I, 14);
    const g = await cli('stats', 'gistar', ...COL, '--field', 'CRIME', '--gal', G('columbus_queen.gal'), '--gi', '--transform', 'b', '--json');
    expect(g.code).toBe(0);
    const j = JSON.parse(g.out);
    expect(j.statistic).toBe('Gi');
    const ref: string[] = R.columbus_localG_CRIME_B;
    j.units.forEach((u: { z: number }, i: number) => expect(rel(u.z, Number(ref[i]))).toBeLessThan(1e-9));
  });
});

describe('landcarbon stats cluster', () => {
  it('--standardize --k 4 --out: linkage.csv (a,b,height,size), clusters.csv, dendrogram.svg', async () => {
    const out = join(dir, 'cl');
    const r = await cli('stats', 'cluster', ...COL, '--fields', 'CRIME,HOVAL,INC', '--standardize', '--k', '4', '--out', out);
    expect(r.code).toBe(0);
    const l = parseCsv(readFileSync(join(out, 'linkage.csv'), 'utf8'), 'l');
    expect(l.columns).toEqual(['a', 'b', 'height', 'size']);
    expect(l.rows.length).toBe(48);
    const S = JSON.parse(readFileSync(G('scipy_golden.json'), 'utf8')).ward.columbus_z.Z;
    l.rows.forEach((row, i) => expect(rel(Number(row[2]), Number(S[i][2]))).toBeLessThan(1e-12));
    const c = parseCsv(readFileSync(join(out, 'clusters.csv'), 'utf8'), 'c');
    expect(c.columns).toEqual(['id', 'cluster']);
    expect(new Set(c.rows.map((x) => x[1])).size).toBe(4);
    expect(existsSync(join(out, 'dendrogram.svg'))).toBe(true);
    expect(r.out).toContain('cut at k = 4');
  });
  it('--k larger than the number of units exits 2', async () => {
    const r = await cli('stats', 'cluster', ...COL, '--fields', 'CRIME', '--k', '50');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--k: expected an integer in [1, 49], got 50');
  });
});

describe('landcarbon stats geodetector', () => {
  const t = join(dir, 'gd.csv');
  writeFileSync(t, 'y,x,z,c\n1.2,d,a,1\n1.5,d,a,2\n2.1,d,b,3\n3.3,c,b,4\n3.6,c,a,5\n4.3,c,a,6\n1.2,d,b,7\n1.5,d,b,8\n1.9,d,a,9\n2.8,c,b,10\n');
  it('--json: factor q and noncentral-F p, interaction with type, risk and ecological', async () => {
    const r = await cli('stats', 'geodetector', '--table', t, '--y', 'y', '--factors', 'x,z', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.factor[0].q).toBeCloseTo(0.8287755604828775, 13);
    expect(j.interaction[0].type).toBe('enhance, nonlinear');
    expect(j.risk[0].pairs[0].significant).toBe(true);
    expect(j.ecological.length).toBe(1);
  });
  it('human output: seed 001 layout (q row with stars, lower-triangular interaction matrix)', async () => {
    const r = await cli('stats', 'geodetector', '--table', t, '--y', 'y', '--factors', 'x,z,c', '--discretize', 'c=quantile:2-4');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/q value\s+0\.829\*\*\*\s+0\.024\s+/);
    expect(r.out).toMatch(/\n {2}z\s+0\.904\s+0\.024\n/);
    expect(r.out).toContain('c: quantile breaks');
  });
  it('missing --factors and a bad --discretize exit 2', async () => {
    expect((await cli('stats', 'geodetector', '--table', t, '--y', 'y')).code).toBe(2);
    const b = await cli('stats', 'geodetector', '--table', t, '--y', 'y', '--factors', 'c', '--discretize', 'jenks:3');
    expect(b.code).toBe(2);
  });
});

describe('landcarbon stats ols', () => {
  it('--stepwise --json on Georgia', async () => {
    const r = await cli('stats', 'ols', '--table', G('georgia.csv'), '--y', 'PctBach', '--x', 'PctRural,PctPov,PctBlack,PctFB,PctEld', '--stepwise', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.terms.slice(1).sort()).toEqual(['PctFB', 'PctPov', 'PctRural']);
    for (const k of ['coef', 'se', 't', 'p', 'r2', 'r2_adj', 'vif', 'steps']) expect(j).toHaveProperty(k);
  });
  it('collinear regressors exit 2 naming the column', async () => {
    const t = join(dir, 'col.csv');
    writeFileSync(t, 'y,a,b\n1,1,2\n2,2,4\n3,3,6\n5,4,8\n4,5,10\n');
    const r = await cli('stats', 'ols', '--table', t, '--y', 'y', '--x', 'a,b');
    expect(r.code).toBe(2);
    expect(r.err).toContain('regressor "b" is collinear with the intercept and "a"');
  });
});

describe('landcarbon stats gwr', () => {
  it('--json bandwidth/aicc/r2/trS and DIR/local.csv (Georgia, searched bandwidth 93)', async () => {
    const out = join(dir, 'gwr');
    const r = await cli('stats', 'gwr', '--table', G('georgia.csv'), '--y', 'PctBach', '--x', 'PctRural,PctPov,PctBlack', '--coords', 'X,Y', '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.bandwidth).toBe(93);
    for (const k of ['aicc', 'r2', 'trS']) expect(typeof j[k]).toBe('number');
    const l = parseCsv(readFileSync(join(out, 'local.csv'), 'utf8'), 'l');
    expect(l.rows.length).toBe(159);
    expect(l.columns.slice(0, 5)).toEqual(['id', 'b_(Intercept)', 'b_PctRural', 'b_PctPov', 'b_PctBlack']);
    expect(l.columns).toContain('local_r2');
  });
  it('--bw below the local parameter count exits 2', async () => {
    const r = await cli('stats', 'gwr', '--table', G('georgia.csv'), '--y', 'PctBach', '--x', 'PctRural,PctPov,PctBlack', '--coords', 'X,Y', '--bw', '3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('singular with bandwidth 3');
  });
});
