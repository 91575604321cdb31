import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

function lc(...args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr + r.stdout).toBe(0);
}

/** Shoelace area of a closed ring in map units. */
function ringArea(r: number[][]): number {
  let s = 0;
  for (let i = 0; i + 1 < r.length; i++) s += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return s / 2;
}

function csv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/** The demo's output directory (set by the first test) and the `run` one. */
let demoDir = '';
let runDir = '';

describe('landcarbon demo (the main job) on a small sample region', () => {
  it('runs every step and writes its outputs and summary; `sample` + `run` on its study.yaml with another thread count gives the same files', () => {
    const a = mkdtempSync(join(tmpdir(), 'lc-demo-1-'));
    lc('demo', '--out', a, '--size', '160', '--seed', '3', '--threads', '1', '--quiet');
    // the demo is `landcarbon run` on the sample's study.yaml
    const s = mkdtempSync(join(tmpdir(), 'lc-demo-sample-'));
    const b = mkdtempSync(join(tmpdir(), 'lc-demo-2-'));
    lc('sample', '--out', s, '--size', '160', '--seed', '3');
    expect(readFileSync(join(s, 'study.yaml')).equals(readFileSync(join(a, 'sample', 'study.yaml')))).toBe(true);
    lc('run', join(s, 'study.yaml'), '--out', b, '--threads', '2', '--quiet', '--png');
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const steps = summary.steps.map((x: { name: string }) => x.name);
    for (const x of ['sample', 'zonal-2020', 'suitability-2010', 'simulate-2020', 'accuracy-2020', 'markov-natural', 'simulate-ecological', 'emissions-2020', 'emissions-2030_natural', 'storage-ecological', 'balance-suzhou-2020', 'balance-bth-2030_ecological', 'choice-2030', 'grey', 'network-2020', 'network-2030_natural', 'moran', 'geodetector']) {
      expect(steps).toContain(x);
    }
    expect(summary.report_seconds).toBeGreaterThan(0);
    const md = readFileSync(join(a, 'summary.md'), 'utf8');
    expect(md).toMatch(/figure of merit/);
    expect(md).toContain('## Methods');
    demoDir = a;
    runDir = b;
    for (const f of ['simulation/sim_2020_validation.tif', 'simulation/sim_natural.tif', 'simulation/prob_2020.tif', 'carbon/emissions_2020/by_unit.csv', 'zonal/landuse_2020_by_unit.csv', 'network/2020/edges.csv', 'tables/grey_by_unit.csv', 'balance/zones_2030_ecological_bth.csv',
      // the report's figures and layers: the same from the demo and from `run`, for any thread count
      'figures/landuse_2030_natural.svg', 'figures/units_budget.svg', 'figures/network.svg', 'figures/class_areas.svg', 'figures/gm11_1.svg', 'layers/units.geojson', 'layers/network_edges.geojson']) {
      expect(existsSync(join(a, f)), f).toBe(true);
      // same study and seed, other thread count, demo vs run -> byte-identical outputs
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between demo --threads 1 and run --threads 2`).toBe(true);
    }
    expect(existsSync(join(b, 'report.html'))).toBe(true);
    // GeoTIFF metadata for GIS: class names on simulated maps (PAM sidecar and GDAL_METADATA), class names on probability bands, units on carbon rasters
    expect(readFileSync(join(a, 'simulation', 'sim_natural.tif.aux.xml'), 'utf8')).toContain('<Category>forest</Category>');
    expect(readFileSync(join(a, 'simulation', 'sim_natural.tif')).toString('latin1')).toContain('<Item name="CLASS_6">built-up</Item>');
    expect(readFileSync(join(a, 'simulation', 'prob_2020.tif')).toString('latin1')).toContain('probability of class 2 (forest)');
    expect(readFileSync(join(a, 'carbon', 'emissions_2020', 'emissions.tif')).toString('latin1')).toContain('role="unittype">tCO2/yr<');
    expect(readFileSync(join(a, 'carbon', 'storage_natural', 'c_change_bas_alt.tif')).toString('latin1')).toContain('role="unittype">t C/ha<');
    // --png: every figure also as PNG (the demo without it writes SVG only)
    const svgs = readdirSync(join(b, 'figures')).filter((f) => f.endsWith('.svg'));
    for (const f of svgs) {
      const png = readFileSync(join(b, 'figures', f.replace(/svg$/, 'png')));
      expect(png.subarray(1, 4).toString(), f).toBe('PNG');
    }
    expect(readdirSync(join(a, 'figures')).filter((f) => f.endsWith('.png'))).toEqual([]);
    // zone transitions: the cross-tab of the per-map zoned tables, every unit counted once per pair
    const rows = (f: string) => readFileSync(join(a, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const zoneOf = (label: string) => new Map(rows(`balance/zones_${label}_suzhou.csv`).map((r) => [r[0], r[5]]));
    const t = rows('balance/zone_transitions_suzhou.csv');
    for (const [from, to] of [['2020', '2030_natural'], ['2020', '2030_ecological']]) {
      const zf = zoneOf(from), zt = zoneOf(to);
      const want = new Map<string, number>();
      for (const [u, z] of zf) want.set(`${z}|${zt.get(u)}`, (want.get(`${z}|${zt.get(u)}`) ?? 0) + 1);
      const got = new Map(t.filter((r) => r[0] === from && r[1] === to).map((r) => [`${r[2]}|${r[3]}`, Number(r[4])]));
      expect(got).toEqual(want);
    }
    // class area change: region areas are the sums of the zonal tables, changes their differences, and the unit rows add up to them
    const zonalHa = (label: string, code: string) => rows(`zonal/landuse_${label}_by_unit.csv`).filter((r) => r[1] === code).reduce((x, r) => x + Number(r[3]), 0);
    const region = readFileSync(join(a, 'tables/class_area_change.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (n: string) => region[0].indexOf(n);
    const byUnitChange = rows('tables/class_area_change_by_unit.csv');
    for (const r of region.slice(1)) {
      expect(Number(r[col('area_ha_2020')])).toBeCloseTo(zonalHa('2020', r[0]), 6);
      expect(Number(r[col('area_ha_2030_natural')])).toBeCloseTo(zonalHa('2030_natural', r[0]), 6);
      const ch = Number(r[col('change_ha_2020_2030_natural')]);
      expect(ch).toBeCloseTo(zonalHa('2030_natural', r[0]) - zonalHa('2020', r[0]), 6);
      const units = byUnitChange.filter((u) => u[2] === r[0] && u[4] === '2020' && u[5] === '2030_natural').reduce((x, u) => x + Number(u[8]), 0);
      expect(units).toBeCloseTo(ch, 6);
    }
    const wide = rows('balance/zones_by_unit_suzhou.csv');
    const z2020 = zoneOf('2020');
    expect(wide.length).toBe(z2020.size);
    for (const r of wide) expect(r[2]).toBe(z2020.get(r[0]));
  }, 600_000);

  it('writes the report: summary first with the choice and what decided it, zones with shares, key units and hot spots by name; every section; figures and GIS layers', () => {
    expect(demoDir, 'the demo run above failed').not.toBe('');
    for (const dir of [demoDir, runDir]) {
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      const ids = [...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
      expect(ids).toEqual(['summary', 'landuse', 'accuracy', 'carbon', 'storage', 'balance', 'network', 'stats', 'forecast', 'units', 'methods', 'provenance', 'timings', 'files']);
    }
    const html = readFileSync(join(demoDir, 'report.html'), 'utf8');
    const units = csv(join(demoDir, 'sample', 'units.csv'));
    const name = new Map(units.map((u) => [u.unit, u.name]));
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="landuse">'));
    // the choice as the comparison table has it, and what decided it
    const cmp = csv(join(demoDir, 'balance', 'scenarios_2030', 'comparison.csv'));
    const chosen = cmp.find((r) => r.choice === '1');
    if (chosen) expect(summary).toContain(`Recommended scenario for 2030: ${chosen.scenario}.`);
    else expect(summary).toMatch(/No scenario is recommended for 2030/);
    expect(summary).toMatch(/Decided by: [^<]+\./);
    // units per zone with their share, counted from the zoning table
    const zones = csv(join(demoDir, 'balance', 'zones_2020_suzhou.csv'));
    const count = new Map<string, number>();
    for (const z of zones) count.set(z.zone, (count.get(z.zone) ?? 0) + 1);
    for (const [z, n] of count) expect(summary).toContain(`${z} ${n} unit${n === 1 ? '' : 's'} (${Math.round((100 * n) / zones.length)} %)`);
    // key units (any network role) and hot spots (Gi*), by name
    const key = csv(join(demoDir, 'network', '2020', 'centrality.csv')).filter((r) => r.roles !== '');
    expect(key.length).toBeGreaterThan(0);
    expect(summary).toContain(`Key units of the carbon linkage network (${key.length}):`);
    for (const k of key) expect(summary).toContain(name.get(k.unit)!);
    const hot = csv(join(demoDir, 'stats', 'gistar_ce.csv')).filter((r) => r.class.startsWith('Hot'));
    expect(summary).toContain(`Emission hot spots (Gi*, ${hot.length} units)`);
    for (const h of hot) expect(summary).toContain(name.get(h.id)!);
    // zone transitions 2020 -> 2030 natural: the units whose zone differs between the two zoned tables
    const zNat = new Map(csv(join(demoDir, 'balance', 'zones_2030_natural_suzhou.csv')).map((r) => [r.unit, r.zone]));
    const moved = zones.filter((z) => zNat.get(z.unit) !== z.zone).length;
    expect(html).toContain(`Zone transitions 2020 → 2030 natural (suzhou scheme)</h3><p>${moved} unit${moved === 1 ? '' : 's'} change zone.`);
    // every index explained where it first appears
    for (const idx of ['OA (overall accuracy)', 'kappa', 'FoM (figure of merit)', '<b>ESC</b>', '<b>ECC</b>', '<b>Gi*</b>', '<b>q</b>', "<b>Moran's I</b>"]) expect(html).toContain(idx);
    expect(html).not.toMatch(/src="(?!data:)/); // self-contained
    const figs = [...html.matchAll(/<img alt="[^"]*" src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
    expect(figs.length).toBeGreaterThanOrEqual(25);
    // maps: legend, north arrow, CRS and a scale bar whose length is right to 1 % against the sample's grid (width x cell size)
    const man = JSON.parse(readFileSync(join(demoDir, 'sample', 'manifest.json'), 'utf8'));
    const groundWidth = man.width * man.pixel_size_m;
    let maps = 0;
    for (const svg of figs) {
      expect(svg).toMatch(/^<svg /);
      if (!svg.includes('class="frame"')) continue;
      maps++;
      for (const k of ['class="scalebar"', 'class="north"', 'class="legend"', 'CRS: EPSG:32650']) expect(svg).toContain(k);
      const g = /<g class="scalebar" data-metres="([\d.e+]+)"[^>]*>(.*?)<\/g>/s.exec(svg)!;
      const barPx = [...g[2].matchAll(/<rect class="bar" [^>]*? width="([\d.]+)"/g)].reduce((a, m) => a + Number(m[1]), 0);
      const mapPx = Number(/<rect class="frame" x="0" y="0" width="([\d.]+)"/.exec(svg)![1]);
      expect(Math.abs(barPx / mapPx / (Number(g[1]) / groundWidth) - 1)).toBeLessThan(0.01);
    }
    expect(maps).toBeGreaterThanOrEqual(20);
    // charts: a title, and both axes named with their units
    const charts: Record<string, string[]> = {
      class_areas: ['Land-use class areas by year and scenario', 'area (ha)', 'land-use class'],
      emissions_by_class: ['by land-use class', 't CO2/yr', 'land-use class'],
      transitions_1: ['Land-use transitions 2000 (observed) → 2010 (observed)', 'area (ha) moving from the row class to the column class', 'class in 2000 (observed)', 'class in 2010 (observed)'],
      moran_scatter: ['Moran scatterplot of the carbon budget', 'carbon budget (z-score, standard deviations)', 'spatial lag of carbon budget (z-score)'],
      dendrogram: ['Ward clustering of units', 'merge height (Ward distance)', 'units (leaves in merge order)'],
      gm11_1: ['GM(1,1) fit and forecast of regional GDP', 'regional GDP (sum of gdp_YYYY over units)', 'year'],
    };
    for (const [f, texts] of Object.entries(charts)) {
      const svg = readFileSync(join(demoDir, 'figures', `${f}.svg`), 'utf8');
      for (const t of texts) expect(svg, `${f}: "${t}"`).toContain(t);
    }
    for (const f of ['figures/landuse_2030_ecological.svg', 'figures/units_budget.svg', 'figures/network.svg', 'figures/gistar.svg', 'figures/moran_scatter.svg', 'figures/dendrogram.svg', 'figures/gm11_1.svg', 'figures/transitions_1.svg', 'figures/storage_change_1.svg', 'layers/network_nodes.geojson', 'layers/network_edges.geojson']) expect(existsSync(join(demoDir, f)), f).toBe(true);
    // units layer: one feature per unit, each polygon's area = its cells x pixel area
    const gj = JSON.parse(readFileSync(join(demoDir, 'layers', 'units.geojson'), 'utf8'));
    expect(gj.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::32650');
    const cells = new Map(units.map((u) => [Number(u.unit), Number(u.cells)]));
    expect(gj.features.length).toBe(cells.size);
    const px = JSON.parse(readFileSync(join(demoDir, 'sample', 'manifest.json'), 'utf8')).pixel_size_m;
    for (const f of gj.features) {
      const area = f.geometry.coordinates.reduce((a: number, poly: number[][][]) => a + poly.reduce((s, r) => s + ringArea(r), 0), 0);
      expect(area, `unit ${f.properties.unit}`).toBeCloseTo(cells.get(f.properties.unit)! * px * px, 3);
      expect(f.properties.name).toBe(name.get(String(f.properties.unit)));
    }
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  it.skipIf(!chromium)('the report in headless Chromium: every section shown, every image loaded, no console errors, a screenshot', async () => {
    expect(demoDir, 'the demo run above failed').not.toBe('');
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1480, height: 1200 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url().slice(0, 80)}`));
      await page.goto('file://' + join(demoDir, 'report.html'), { waitUntil: 'load' });
      const state = await page.evaluate(async () => {
        const imgs = [...document.images];
        await Promise.all(imgs.map((i) => i.decode().catch(() => undefined)));
        return {
          sections: [...document.querySelectorAll('section')].map((s) => ({ id: s.id, h: (s as HTMLElement).offsetHeight })),
          images: imgs.length,
          broken: imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.alt),
          first: document.querySelector('section')?.id,
        };
      });
      expect(errors).toEqual([]);
      expect(state.first).toBe('summary');
      expect(state.sections.length).toBe(14);
      for (const s of state.sections) expect(s.h, `section ${s.id} is empty`).toBeGreaterThan(40);
      expect(state.images).toBeGreaterThanOrEqual(25);
      expect(state.broken).toEqual([]);
      const shot = await page.screenshot({ fullPage: false });
      // a PNG of the viewport with content (a blank page compresses to a few kB)
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      expect([shot.readUInt32BE(16), shot.readUInt32BE(20)]).toEqual([1480, 1200]);
      expect(shot.length).toBeGreaterThan(60_000);
      const fig = await page.locator('#fig-units_budget img').screenshot();
      expect(fig.length).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  }, 120_000);
  if (!chromium) it('headless Chromium report check', () => console.log('skipped: chromium is not installed (apt-get install -y chromium)'));
});
