import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

let demoDir = '';

/** Shoelace area of a closed ring in map units. */
function ringArea(r: number[][]): number {
  let s = 0;
  for (let i = 0; i + 1 < r.length; i++) s += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return s / 2;
}

describe('landcarbon demo (the main job) on a small sample region', () => {
  it('runs every step and writes its outputs and summary; a second thread count gives the same maps', () => {
    const runs = ['1', '2'].map((threads) => {
      const out = mkdtempSync(join(tmpdir(), `lc-demo-${threads}-`));
      const r = spawnSync(process.execPath, [BIN, 'demo', '--out', out, '--size', '160', '--seed', '3', '--threads', threads, '--quiet'], { encoding: 'utf8', cwd: ROOT });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      return out;
    });
    const [a, b] = runs;
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const steps = summary.steps.map((s: { name: string }) => s.name);
    for (const s of ['sample', 'zonal-2020', 'suitability-2010', 'simulate-2020', 'accuracy-2020', 'emissions-2020', 'storage', 'balance-suzhou', 'grey', 'network', 'moran', 'geodetector']) {
      expect(steps).toContain(s);
    }
    expect(readFileSync(join(a, 'summary.md'), 'utf8')).toMatch(/figure of merit/);
    demoDir = a;
    for (const f of ['simulation/sim_2020.tif', 'simulation/sim_2030_natural.tif', 'simulation/prob_2020.tif', 'carbon/emissions_2020/by_unit.csv', 'zonal/landuse_2020_by_unit.csv', 'network/edges.csv']) {
      expect(existsSync(join(a, f)), f).toBe(true);
      // determinism: same seed, other thread count -> byte-identical outputs
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between --threads 1 and 2`).toBe(true);
    }
  }, 600_000);

  it('writes the report: summary first with the choice, zones, key units and hot spots by name; every section; figures and GIS layers', () => {
    expect(demoDir, 'the demo run above failed').not.toBe('');
    const html = readFileSync(join(demoDir, 'report.html'), 'utf8');
    const ids = [...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(['summary', 'landuse', 'accuracy', 'carbon', 'storage', 'balance', 'network', 'stats', 'forecast', 'units', 'methods', 'provenance', 'timings', 'files']);
    const units = readFileSync(join(demoDir, 'sample', 'units.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="landuse">'));
    expect(summary).toMatch(/Recommended scenario for 2030: (natural|ecological)|No scenario is recommended/);
    expect(summary).toMatch(/Zones \(Suzhou[^)]*\), 2020\):<\/b> [a-z -]+ \d+ units \(\d+ %\)/);
    expect(summary).toMatch(/Key units of the carbon linkage network/);
    expect(summary).toMatch(/Emission hot spots \(Gi\*/);
    // names, never bare codes: at least one unit name appears in the summary
    expect(units.some((u) => summary.includes(u[1]))).toBe(true);
    for (const idx of ['OA (overall accuracy)', 'kappa', 'FoM (figure of merit)', '<b>ESC</b>', '<b>ECC</b>', '<b>Gi*</b>', '<b>q</b>', "<b>Moran's I</b>"]) expect(html).toContain(idx);
    expect(html).not.toMatch(/src="(?!data:)/); // self-contained
    const figs = [...html.matchAll(/<img alt="[^"]*" src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
    expect(figs.length).toBeGreaterThanOrEqual(25);
    for (const svg of figs) {
      expect(svg).toMatch(/^<svg /);
      if (svg.includes('class="frame"')) for (const k of ['class="scalebar"', 'class="north"', 'class="legend"', 'CRS: EPSG:32650']) expect(svg).toContain(k);
    }
    for (const f of ['figures/landuse_2030_ecological.svg', 'figures/units_budget.svg', 'figures/network.svg', 'figures/gistar.svg', 'figures/moran_scatter.svg', 'figures/dendrogram.svg', 'figures/gm11_1.svg', 'figures/transitions_1.svg', 'layers/network_nodes.geojson', 'layers/network_edges.geojson']) expect(existsSync(join(demoDir, f)), f).toBe(true);
    // units layer: one feature per unit, each polygon's area = its cells x pixel area (100 m cells of the sample)
    const gj = JSON.parse(readFileSync(join(demoDir, 'layers', 'units.geojson'), 'utf8'));
    expect(gj.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::32650');
    const cells = new Map(units.map((u) => [Number(u[0]), Number(u[7])]));
    expect(gj.features.length).toBe(cells.size);
    const px = JSON.parse(readFileSync(join(demoDir, 'sample', 'manifest.json'), 'utf8')).pixel_size_m;
    for (const f of gj.features) {
      const area = f.geometry.coordinates.reduce((a: number, poly: number[][][]) => a + poly.reduce((s, r) => s + ringArea(r), 0), 0);
      expect(area, `unit ${f.properties.unit}`).toBeCloseTo(cells.get(f.properties.unit)! * px * px, 3);
      expect(f.properties.name).toBeTypeOf('string');
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
