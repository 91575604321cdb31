import { describe, it, expect } from 'vitest';
import proj4 from 'proj4';
import { metresPerCell, niceBelow, renderMapSvg, thousands } from '../../../src/pipeline/report/cartography.js';
import type { Grid } from '../../../src/io/grid.js';

/** Scale bar length (SVG px, the two halves), map image width and the labelled length, from a map SVG. */
function bar(svg: string): { px: number; mapPx: number; metres: number } {
  const g = /<g class="scalebar" data-metres="([\d.e+]+)"[^>]*>(.*?)<\/g>/s.exec(svg)!;
  const widths = [...g[2].matchAll(/<rect class="bar" [^>]*? width="([\d.]+)"/g)].map((m) => Number(m[1]));
  const frame = /<rect class="frame" x="0" y="0" width="([\d.]+)"/.exec(svg)!;
  return { px: widths.reduce((a, b) => a + b, 0), mapPx: Number(frame[1]), metres: Number(g[1]) };
}

const legend = { kind: 'classes' as const, items: [{ label: 'a', color: '#000' }] };

describe('map cartography', () => {
  it('nice lengths: 1, 2 or 5 x 10^k not above x', () => {
    expect([niceBelow(30000), niceBelow(19999), niceBelow(7), niceBelow(1)]).toEqual([20000, 10000, 5, 1]);
    expect(thousands(-1234567.4)).toBe('−1,234,567');
  });

  it('projected grid: the scale bar is its labelled ground length to 1 % (1000 cells x 100 m = 100 km across)', () => {
    const grid: Grid = { width: 1000, height: 800, transform: [420000, 100, 0, 4430000, 0, -100], crs: { epsg: 32650, name: 'WGS 84 / UTM zone 50N' }, nodata: null };
    const { svg, scale } = renderMapSvg({ title: 't', grid, legend });
    const b = bar(svg);
    expect(b.metres).toBe(scale.metres);
    // bar px / map px must equal bar metres / 100 000 m
    expect(Math.abs(b.px / b.mapPx / (b.metres / 100_000) - 1)).toBeLessThan(0.01);
    expect(svg).toContain('CRS: EPSG:32650 (WGS 84 / UTM zone 50N)');
    expect(svg).toContain('class="north"');
    expect(svg).toContain('class="legend"');
    expect(svg).toMatch(/>20 km</); // 30 % of 100 km -> 20 km
  });

  it('geographic grid: one degree of longitude at the centre latitude on WGS 84, checked with proj4 to 1 %', () => {
    // 0.5 degree wide at 40 N: 600 cells of 1/1200 degree
    const grid: Grid = { width: 600, height: 600, transform: [116, 1 / 1200, 0, 40.25, 0, -1 / 1200], crs: { epsg: 4326, name: 'WGS 84' }, nodata: null };
    const east = proj4('WGS84', '+proj=aeqd +lat_0=40 +lon_0=116 +ellps=WGS84 +units=m', [116.5, 40])[0];
    expect(Math.abs(metresPerCell(grid) * 600 / east - 1)).toBeLessThan(1e-3);
    const { svg } = renderMapSvg({ title: 't', grid, legend });
    const b = bar(svg);
    expect(Math.abs(b.px / b.mapPx / (b.metres / east) - 1)).toBeLessThan(0.01);
    expect(svg).toContain('scale at the centre latitude');
  });

  it('a grid without a CRS says so', () => {
    const grid: Grid = { width: 10, height: 10, transform: [0, 30, 0, 300, 0, -30], crs: null, nodata: null };
    expect(renderMapSvg({ title: 't', grid, legend }).svg).toContain('CRS: not recorded in the file');
  });
});
