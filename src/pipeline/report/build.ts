/**
 * The report of a run: from a RunResult, every figure (maps and charts, as SVG in figures/),
 * the GIS layers (layers/units.geojson, network_nodes.geojson, network_edges.geojson) and one
 * self-contained report.html with the figures embedded. The summary for planners comes first;
 * step timings go to an appendix.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../../io/atomic.js';
import { cellArea, type Grid } from '../../io/grid.js';
import { classesToRgba, encodePng, rampToRgba, type Rgba } from '../../io/png.js';
import { zoneAdjacency } from '../../models/stats/weights.js';
import { barChart, dendrogram, ECHARTS_VERSION, greyChart, heatTable, moranScatter } from './charts.js';
import { classify, crsLabel, esc, fmt, quantileBreaks, renderMapSvg, thousands, type Legend, type MapSpec } from './cartography.js';
import { linesGeoJson, pointsGeoJson, unitsGeoJson, type Props } from './geojson.js';
import { polygonize } from './polygonize.js';
import { svgToPng } from './figure.js';
import { clearSamples, crossTabs, readWhole, sampleRaster } from './rasters.js';
import type { RunResult } from './result.js';
import { renderHtml, type Figure, type Section } from './html.js';

export interface ReportOutput {
  html: string;
  figures: string[];
  layers: string[];
  seconds: number;
}

const css = (c: Rgba) => `rgb(${c[0]},${c[1]},${c[2]})`;
const hex = (h: string): Rgba => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), 255];

/** Colour schemes (ColorBrewer, Brewer 2003): sequential and diverging, 5 classes. */
export const YLORRD = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
export const GREENS = ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'];
const RDYLGN = ['#d7191c', '#fdae61', '#ffffbf', '#a6d96a', '#1a9641'];
const ZONE_COLORS: Record<string, string> = {
  // built-in schemes (src/models/schemes.ts): green for sinks and low carbon, red for high carbon
  'carbon sink functional': '#1a9641',
  'ecological conservation': '#1a9641',
  'carbon sink balance': '#66bd63',
  'low-carbon economic': '#a6d96a',
  'low-carbon optimisation': '#d9ef8b',
  'carbon source control': '#fdae61',
  'carbon intensity control': '#fdae61',
  'low-carbon control': '#fdae61',
  'emission linkage control': '#f46d43',
  'high-carbon optimisation': '#d73027',
  unclassified: '#bdbdbd',
};
const OTHER_ZONES = ['#4575b4', '#74add1', '#abd9e9', '#e0f3f8', '#fee090', '#f46d43', '#a50026', '#313695'];
const GISTAR: Array<[string, string]> = [
  ['Hot Spot - 99% Confidence', '#d7301f'],
  ['Hot Spot - 95% Confidence', '#fc8d59'],
  ['Hot Spot - 90% Confidence', '#fdcc8a'],
  ['Not Significant', '#f0f0f0'],
  ['Cold Spot - 90% Confidence', '#c6dbef'],
  ['Cold Spot - 95% Confidence', '#6baed6'],
  ['Cold Spot - 99% Confidence', '#2171b5'],
];

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;
const ha = (x: number) => `${thousands(x)} ha`;
const signed = (x: number, f: (v: number) => string) => (x > 0 ? '+' : x < 0 ? '−' : '±') + f(Math.abs(x));

export interface ReportOptions {
  /** Also write each figure as PNG (figures/<name>.png, 1 px per SVG unit, resvg). */
  png?: boolean;
}

export async function buildReport(r: RunResult, outDir: string, o: ReportOptions = {}): Promise<ReportOutput> {
  const t0 = performance.now();
  const figDir = join(outDir, 'figures');
  const layerDir = join(outDir, 'layers');
  mkdirSync(figDir, { recursive: true });
  mkdirSync(layerDir, { recursive: true });
  const figures: string[] = [];
  const layers: string[] = [];
  const className = new Map(r.classes.map((c) => [c.code, c.name]));
  const cname = (c: number) => className.get(c) ?? `class ${c}`;
  const unitName = new Map(r.units.map((u) => [u.id, u.name]));
  const uname = (u: number) => unitName.get(u) ?? `unit ${u}`;
  const codes = r.classes.map((c) => c.code);
  const palette: Record<number, Rgba> = Object.fromEntries(r.classes.map((c) => [c.code, c.color]));
  /** Unit of the carbon flows, e.g. "t CO2/yr". */
  const CU = (r.carbon[0]?.unit ?? 'tCO2/yr').replace(/^t ?(CO2|C)\b/, 't $1');

  // units: polygons of the zone raster (every cell; exact), centroids, areas
  const zr = await readWhole(r.zones);
  const grid: Grid = zr.grid;
  const zones = polygonize(zr.data, grid.width, grid.height, zr.nodata);
  const zoneOf = new Map(zones.map((z) => [z.code, z]));
  const pixelHa = cellArea(grid) / 1e4;
  const unitHa = (u: number) => (zoneOf.get(u)?.cells ?? 0) * pixelHa;

  // figures
  const fig = (name: string, title: string, svg: string, caption?: string): Figure => {
    const file = join(figDir, `${name}.svg`);
    writeFileAtomic(file, svg);
    figures.push(file);
    return { name, title, svg, caption };
  };
  const map = (name: string, spec: MapSpec, caption?: string) => fig(name, spec.title, renderMapSvg(spec).svg, caption);
  const classLegend = (title: string): Legend => ({ kind: 'classes', title, items: r.classes.map((c) => ({ label: c.name, color: css(c.color) })) });
  const mapLabel = (m: { year: number; scenario: string }) => (m.scenario === 'observed' ? `${m.year} (observed)` : m.scenario === 'validation' ? `${m.year} (simulated, validation)` : `${m.year}, ${m.scenario} scenario`);
  const sections: Section[] = [];

  // ---- land use
  const luFigs: Figure[] = [];
  for (const m of r.landuse) {
    const s = await sampleRaster(m.file);
    const png = encodePng(s.w, s.h, classesToRgba(s.data, s.nodata, palette));
    luFigs.push(map(`landuse_${m.year}_${m.scenario}`, { title: `Land use ${mapLabel(m)}`, grid: s.grid, png, units: zones, stroke: 'rgba(40,40,40,0.45)', legend: classLegend('Land use') }));
  }
  const observed = r.landuse.filter((m) => m.scenario === 'observed');
  const baseMap = observed[observed.length - 1];
  const futures = r.landuse.filter((m) => m.scenario !== 'observed' && m.scenario !== 'validation');
  const changeFigs: Figure[] = [];
  const transitions: Array<{ from: string; to: string; m: number[][] }> = [];
  const pairs: Array<[typeof baseMap, typeof baseMap]> = [];
  for (let i = 1; i < observed.length; i++) pairs.push([observed[i - 1], observed[i]]);
  for (const f of futures) pairs.push([baseMap, f]);
  const tabs = await crossTabs(pairs.map(([a, b]) => [a.file, b.file]), codes);
  pairs.forEach(([a, b], i) => transitions.push({ from: mapLabel(a), to: mapLabel(b), m: tabs[i].map((row) => row.map((c) => c * pixelHa)) }));
  for (const f of futures) {
    const [sa, sb] = await Promise.all([sampleRaster(baseMap.file), sampleRaster(f.file)]);
    const d = new Float64Array(sa.data.length);
    for (let i = 0; i < d.length; i++) d[i] = sa.data[i] === sa.nodata || sb.data[i] === sb.nodata ? -1 : sa.data[i] === sb.data[i] ? 0 : sb.data[i];
    const pal: Record<number, Rgba> = { 0: [232, 232, 232, 255], ...palette };
    const png = encodePng(sa.w, sa.h, classesToRgba(d, -1, pal));
    changeFigs.push(map(`change_${baseMap.year}_${f.year}_${f.scenario}`, { title: `Land-use change ${baseMap.year} → ${f.year}, ${f.scenario} scenario`, grid: sa.grid, png, units: zones, stroke: 'rgba(40,40,40,0.45)', legend: { kind: 'classes', title: 'Changed to', items: [{ label: 'unchanged', color: 'rgb(232,232,232)' }, ...r.classes.map((c) => ({ label: c.name, color: css(c.color) }))] } }));
  }
  const areaRows = r.areas;
  const first = areaRows[0];
  const areaLabel = (a: { year: number; scenario: string }) => (a.scenario === 'observed' ? String(a.year) : `${a.year} ${a.scenario}`);
  const areaChart = fig('class_areas', 'Class areas by year and scenario', barChart({
    title: 'Land-use class areas by year and scenario',
    subtitle: 'ha; observed epochs and simulated scenario years',
    categories: r.classes.map((c) => c.name),
    series: areaRows.map((a) => ({ name: areaLabel(a), values: codes.map((c) => Math.round(a.ha[c] ?? 0)) })),
    yName: 'area (ha)',
    xName: 'land-use class',
  }));
  const transFigs = transitions.map((t, i) => fig(`transitions_${i + 1}`, `Transitions ${t.from} → ${t.to}`, heatTable({
    title: `Land-use transitions ${t.from} → ${t.to}`,
    subtitle: 'area (ha) moving from the row class to the column class',
    rows: r.classes.map((c) => c.name),
    cols: r.classes.map((c) => c.name),
    values: t.m,
    rowName: `class in ${t.from}`,
    colName: `class in ${t.to}`,
    unit: 'ha',
  })));
  const last = areaRows.map((a) => a);
  const areaTable = `<table class="num"><tr><th>class</th>${last.map((a) => `<th>${esc(areaLabel(a))} (ha)</th>`).join('')}${last.slice(1).map((a) => `<th>change ${esc(areaLabel(first))} → ${esc(areaLabel(a))}</th>`).join('')}</tr>${r.classes.map((c) => {
    const v0 = first.ha[c.code] ?? 0;
    return `<tr><td>${esc(c.name)}</td>${last.map((a) => `<td>${thousands(a.ha[c.code] ?? 0)}</td>`).join('')}${last.slice(1).map((a) => {
      const dv = (a.ha[c.code] ?? 0) - v0;
      return `<td>${signed(dv, ha)} (${v0 > 0 ? signed(dv / v0, (x) => pct(x)) : 'n/a'})</td>`;
    }).join('')}</tr>`;
  }).join('')}</table>`;
  const demandTable = r.demand.length ? `<p>Markov demand (the class areas the simulation must reach; cells of ${fmt(pixelHa)} ha):</p><table class="num"><tr><th>scenario</th><th>year</th>${r.classes.map((c) => `<th>${esc(c.name)} (ha)</th>`).join('')}</tr>${r.demand.flatMap((d) => d.rows.map((row) => `<tr><td>${esc(d.scenario)}</td><td>${row.year}</td>${codes.map((c) => `<td>${thousands((row.cells[c] ?? 0) * pixelHa)}</td>`).join('')}</tr>`)).join('')}</table>` : '';
  sections.push({
    id: 'landuse',
    title: 'Land use',
    html: `<p>Land use of every observed epoch and simulated scenario year, with unit boundaries. Areas in hectares; changes against ${esc(areaLabel(first))}.</p>${areaTable}${demandTable}`,
    figures: [...luFigs, ...changeFigs, areaChart, ...transFigs],
  });

  // ---- accuracy
  if (r.accuracy) {
    const a = r.accuracy;
    sections.push({
      id: 'accuracy',
      title: 'Simulation accuracy',
      html: `<p>The model simulated ${a.year} from ${a.fromYear} with the observed ${a.year} class areas as demand, and was compared cell by cell with the observed ${a.year} map.</p>
<table><tr><th>index</th><th>value</th><th>what it says</th></tr>
<tr><td>OA (overall accuracy)</td><td>${fmt(a.oa)}</td><td>share of cells whose simulated class equals the observed one.</td></tr>
<tr><td>kappa</td><td>${fmt(a.kappa)}</td><td>agreement beyond what chance would give with the same class shares (1 perfect, 0 chance).</td></tr>
<tr><td>FoM (figure of merit)</td><td>${fmt(a.fom)}</td><td>of the cells that changed in reality or in the simulation, the share the simulation changed correctly: hits / (hits + misses + wrong hits + false alarms) = ${a.hits} / (${a.hits} + ${a.misses} + ${a.wrongHits} + ${a.falseAlarms}).</td></tr></table>`,
      figures: [],
    });
  }

  // ---- carbon per unit
  const c0 = r.carbon[0];
  const byUnit0 = new Map(c0.byUnit.map((u) => [u.unit, u]));
  const choro = (name: string, title: string, values: Map<number, number | null>, scheme: string[], unit: string, undefLabel?: string, fixed?: { breaks: number[]; labels: string[] }) => {
    const vals = [...values.values()].filter((v): v is number => v !== null && Number.isFinite(v));
    const br = fixed ? fixed.breaks : quantileBreaks(vals, scheme.length);
    const nCls = br.length - 1;
    const colors = nCls === scheme.length ? scheme : scheme.slice(scheme.length - nCls);
    const fill = new Map<number, string>();
    for (const z of zones) {
      const v = values.get(z.code);
      fill.set(z.code, v === null || v === undefined || !Number.isFinite(v) ? '#d9d9d9' : colors[classify(v, br)]);
    }
    const items = colors.map((c, i) => ({ label: fixed ? fixed.labels[i] : `${fmt(br[i])} – ${fmt(br[i + 1])}`, color: c }));
    if (undefLabel && [...values.values()].some((v) => v === null || !Number.isFinite(v as number))) items.push({ label: undefLabel, color: '#d9d9d9' });
    return map(name, { title, grid, units: zones, fill, legend: { kind: 'classes', title: unit, items } }, fixed ? undefined : 'quantile classes');
  };
  const ceMap = choro('units_ce', `Carbon emissions CE per unit, ${c0.label}`, new Map(c0.byUnit.map((u) => [u.unit, u.ce])), YLORRD, CU);
  const csMap = choro('units_cs', `Carbon sequestration CS per unit, ${c0.label}`, new Map(c0.byUnit.map((u) => [u.unit, u.cs])), GREENS, CU);
  const budgets = c0.byUnit.map((u) => u.budget);
  const posBr = quantileBreaks(budgets.filter((b) => b >= 0), 4);
  const minB = Math.min(...budgets);
  const budgetMap = choro('units_budget', `Carbon budget CE − CS per unit, ${c0.label}`, new Map(c0.byUnit.map((u) => [u.unit, u.budget])), ['#1a9641', ...YLORRD.slice(1)], CU, undefined, {
    breaks: [Math.min(minB, 0) - 1, 0, ...posBr.slice(1)],
    labels: ['net sink (below 0)', ...posBr.slice(0, -1).map((b, i) => `${fmt(b)} – ${fmt(posBr[i + 1])}`)],
  });
  const emChart = fig('emissions_by_class', 'Emissions by scenario and class', barChart({
    title: 'Carbon emissions (+) and sequestration (−) by land-use class',
    subtitle: `${CU} per map; coefficient method`,
    categories: r.classes.map((c) => c.name),
    series: r.carbon.map((c) => ({ name: c.label, values: codes.map((k) => Math.round(c.byClass.find((b) => b.code === k)?.emission ?? 0)) })),
    yName: CU,
    xName: 'land-use class',
  }));
  const carbonTable = `<table class="num"><tr><th>map</th><th>emissions CE (${CU})</th><th>sequestration CS (${CU})</th><th>budget CE − CS (${CU})</th><th>change of budget vs ${esc(c0.label)}</th></tr>${r.carbon.map((c) => {
    const ce = c.byUnit.reduce((s, u) => s + u.ce, 0), cs = c.byUnit.reduce((s, u) => s + u.cs, 0);
    const b0 = c0.byUnit.reduce((s, u) => s + u.budget, 0);
    return `<tr><td>${esc(c.label)}</td><td>${fmt(ce)}</td><td>${fmt(cs)}</td><td>${fmt(ce - cs)}</td><td>${c === c0 ? '' : `${signed(ce - cs - b0, (x) => fmt(x))} (${signed((ce - cs - b0) / b0, (x) => pct(x, 2))})`}</td></tr>`;
  }).join('')}</table>`;
  const coefTable = `<table class="num"><tr><th>class</th><th>coefficient (${CU.replace('/yr', '/ha/yr')})</th></tr>${r.coefficients.map((k) => `<tr><td>${esc(cname(k.code))}</td><td>${k.value}</td></tr>`).join('')}</table>`;
  sections.push({
    id: 'carbon',
    title: 'Carbon emissions and sequestration',
    html: `<p><b>CE</b> (carbon emissions) is the sum over a unit's source classes of area x emission coefficient; <b>CS</b> (carbon sequestration) the same over its sink classes, counted positive; the <b>budget</b> is CE − CS (t CO2 per year).</p>${carbonTable}<p>Emission coefficients (negative: sequestration). Source: ${esc(r.coefficients[0]?.source ?? '')}.</p>${coefTable}`,
    figures: [ceMap, csMap, budgetMap, emChart],
  });

  // ---- storage
  if (r.storage.length) {
    const figs: Figure[] = [];
    for (const [i, s] of r.storage.entries()) {
      if (!s.changeRaster) continue;
      const sm = await sampleRaster(s.changeRaster);
      const v = Array.from(sm.data).filter((x) => Number.isFinite(x) && x !== sm.nodata && x !== 0).map(Math.abs).sort((a, b) => a - b);
      const M = v.length ? v[Math.floor(0.99 * (v.length - 1))] || 1 : 1;
      const png = encodePng(sm.w, sm.h, rampToRgba(sm.data, sm.nodata, -M, M, RDYLGN.map(hex)));
      figs.push(map(`storage_change_${i + 1}`, { title: `Carbon storage change ${s.fromLabel} → ${s.toLabel}`, grid: sm.grid, png, units: zones, stroke: 'rgba(40,40,40,0.5)', legend: { kind: 'ramp', title: 't C/ha', lo: -M, hi: M, stops: RDYLGN, ticks: [-M, -M / 2, 0, M / 2, M] } }, 'red: storage lost, green: gained; colours saturate at the 99th percentile of |change|'));
    }
    const s0 = r.storage[0];
    sections.push({
      id: 'storage',
      title: 'Carbon storage',
      html: `<p>Carbon stored in four pools (above-ground, below-ground, soil, dead matter; InVEST carbon model) from class densities (t C/ha).</p><table class="num"><tr><th>map</th><th>storage (t C)</th><th>change from ${esc(s0.fromLabel)}</th></tr><tr><td>${esc(s0.fromLabel)}</td><td>${fmt(s0.storageT)}</td><td></td></tr>${r.storage.map((s) => `<tr><td>${esc(s.toLabel)}</td><td>${fmt(s.futureStorageT)}</td><td>${signed(s.changeT, (x) => fmt(x))} t C (${signed(s.changeT / s.storageT, (x) => pct(x, 2))})</td></tr>`).join('')}</table>
<table class="num"><tr><th>class</th><th>density (t C/ha)</th><th>area ${esc(s0.fromLabel)} (ha)</th>${r.storage.map((s) => `<th>area ${esc(s.toLabel)} (ha)</th>`).join('')}<th>storage ${esc(s0.fromLabel)} (t C)</th>${r.storage.map((s) => `<th>storage ${esc(s.toLabel)} (t C)</th>`).join('')}</tr>${s0.byClass.map((b, k) => `<tr><td>${esc(cname(b.code))}</td><td>${fmt(b.densityTPerHa)}</td><td>${thousands(b.areaHa)}</td>${r.storage.map((s) => `<td>${thousands(s.byClass[k]?.futureAreaHa ?? NaN)}</td>`).join('')}<td>${fmt(b.storageT)}</td>${r.storage.map((s) => `<td>${fmt(s.byClass[k]?.futureStorageT ?? NaN)}</td>`).join('')}</tr>`).join('')}</table>`,
      figures: figs,
    });
  }

  // ---- balance zones
  const zoneColor = new Map<string, string>();
  const colorOfZone = (z: string) => {
    if (!zoneColor.has(z)) zoneColor.set(z, ZONE_COLORS[z] ?? OTHER_ZONES[zoneColor.size % OTHER_ZONES.length]);
    return zoneColor.get(z)!;
  };
  const balFigs: Figure[] = [];
  /** Attribute / figure name of a zoning: zone_<scheme> for the first map, zone_<scheme>_<map> for later ones. */
  const zoneKey = (b: (typeof r.balance)[number]) => `zone_${b.scheme}${b.label === r.balance[0].label ? '' : '_' + b.label.replace(/[^A-Za-z0-9]+/g, '_')}`;
  const b0 = r.balance[0];
  if (b0) {
    const escV = new Map(b0.units.map((u) => [u.unit, u.esc]));
    const eccV = new Map(b0.units.map((u) => [u.unit, u.ecc]));
    const fixed = { breaks: [-Infinity, 0.5, 1, 2, Infinity], labels: ['below 0.5', '0.5 – 1', '1 – 2', 'above 2'] };
    balFigs.push(choro('units_esc', `ESC (economic contributive coefficient), ${b0.label}`, escV, ['#d7191c', '#fdae61', '#a6d96a', '#1a9641'], 'ESC', 'undefined (CE = 0)', fixed));
    balFigs.push(choro('units_ecc', `ECC (ecological support coefficient), ${b0.label}`, eccV, ['#d7191c', '#fdae61', '#a6d96a', '#1a9641'], 'ECC', 'undefined (CE = 0)', fixed));
  }
  for (const b of r.balance) {
    const fill = new Map<number, string>();
    const names = [...new Set(b.units.map((u) => u.zone))];
    for (const u of b.units) fill.set(u.unit, colorOfZone(u.zone));
    balFigs.push(map(zoneKey(b).replace('zone_', 'zones_'), { title: `Carbon balance zones, ${b.source}, ${b.label}`, grid, units: zones, fill, legend: { kind: 'classes', title: 'Zone', items: names.map((n) => ({ label: `${n} (${b.units.filter((u) => u.zone === n).length})`, color: colorOfZone(n) })) } }));
  }
  const zoneCountTable = (b: (typeof r.balance)[number]) => {
    const m = new Map<string, { n: number; area: number }>();
    for (const u of b.units) {
      const e = m.get(u.zone) ?? { n: 0, area: 0 };
      e.n++;
      e.area += unitHa(u.unit);
      m.set(u.zone, e);
    }
    const tot = b.units.length, totA = b.units.reduce((s, u) => s + unitHa(u.unit), 0);
    return `<table class="num"><tr><th>zone (${esc(b.source)})</th><th>units</th><th>share of units</th><th>area (ha)</th><th>share of area</th><th>units</th></tr>${[...m.entries()].map(([z, e]) => `<tr><td>${esc(z)}</td><td>${e.n}</td><td>${pct(e.n / tot)}</td><td>${thousands(e.area)}</td><td>${pct(e.area / totA)}</td><td class="names">${esc(b.units.filter((u) => u.zone === z).map((u) => uname(u.unit)).join(', '))}</td></tr>`).join('')}</table>`;
  };
  const choiceTable = r.choice ? `<table class="num"><tr><th>scenario (${r.choice.year})</th><th>net emissions (${CU})</th><th>units with ESC &gt; 1</th><th>lowest net emissions</th><th>most units with ESC &gt; 1</th><th>chosen</th></tr>${r.choice.rows.map((c) => `<tr><td>${esc(c.scenario)}</td><td>${fmt(c.netEmissions)}</td><td>${c.unitsEscGt1}</td><td>${c.lowestEmissions ? 'yes' : 'no'}</td><td>${c.mostEscGt1 ? 'yes' : 'no'}</td><td>${c.chosen ? '<b>yes</b>' : 'no'}</td></tr>`).join('')}</table>` : '';
  sections.push({
    id: 'balance',
    title: 'Carbon balance zones',
    html: `<p><b>ESC</b> (economic contributive coefficient) = a unit's share of GDP / its share of emissions: above 1, the unit produces more economy per tonne than the region. <b>ECC</b> (ecological support coefficient) = its share of sequestration / its share of emissions: above 1, it absorbs more than it emits, relative to the region. Both are undefined where CE = 0. Each scheme turns them into zones.</p>${r.balance.map(zoneCountTable).join('')}<h3>Scenario choice</h3><p>The low-carbon scenario is the one with the lowest net emissions and the most units with ESC &gt; 1; when the two criteria disagree, none is chosen.</p>${choiceTable}`,
    figures: balFigs,
  });

  // ---- network
  const netFigs: Figure[] = [];
  let netHtml = '';
  if (r.network) {
    const n = r.network;
    const c = (u: number) => zoneOf.get(u)?.centroid ?? [0, 0];
    const wmax = Math.max(...n.edges.map((e) => e.weight), 1);
    const key = n.nodes.filter((x) => x.roles);
    netFigs.push(map('network', {
      title: 'Carbon linkage network (gravity model)',
      grid,
      units: zones,
      fill: new Map(zones.map((z) => [z.code, n.nodes.find((x) => x.unit === z.code)?.linkageArea ? '#fff3d6' : '#f7f7f7'])),
      stroke: '#888',
      lines: n.edges.map((e) => ({ from: c(e.from) as [number, number], to: c(e.to) as [number, number], width: 0.8 + 3.2 * Math.sqrt(e.weight / wmax) })),
      points: [
        ...zones.filter((z) => !key.some((k) => k.unit === z.code)).map((z) => ({ at: z.centroid, r: 2, color: '#555' })),
        ...key.map((k) => ({ at: c(k.unit) as [number, number], r: 5, color: '#d7301f', label: uname(k.unit) })),
      ],
      legend: { kind: 'classes', title: 'Network', items: [{ label: 'edge (width ~ √gravity)', color: '#1f4e9c' }, { label: 'key unit (any role)', color: '#d7301f' }, { label: 'other unit centroid', color: '#555' }, { label: 'in a linkage area', color: '#fff3d6' }] },
    }, `${n.edges.length} edges (${n.threshold})`));
    netHtml = `<p>Edges link units whose gravity-model linkage R<sub>ij</sub> = k<sub>ij</sub> √(P<sub>i</sub>G<sub>i</sub>C<sub>i</sub>) √(P<sub>j</sub>G<sub>j</sub>C<sub>j</sub>) / d<sub>ij</sub>² (population, GDP, emissions, distance) is in the ${esc(n.threshold)}. Key units take roles from their degree and betweenness centrality (core: high degree; bridge: high betweenness; promotion and improvement as defined by the zoning scheme).</p>
<table class="num"><tr><th>key unit</th><th>roles</th><th>out-degree</th><th>in-degree</th><th>betweenness</th><th>linkage area</th></tr>${key.sort((a, b) => b.inDegree + b.outDegree - a.inDegree - a.outDegree).map((k) => `<tr><td>${esc(uname(k.unit))}</td><td>${esc(k.roles.replace(/;/g, ', '))}</td><td>${fmt(k.outDegree)}</td><td>${fmt(k.inDegree)}</td><td>${fmt(k.betweenness)}</td><td>${esc(k.linkageArea)}</td></tr>`).join('')}</table>`;
  }
  sections.push({ id: 'network', title: 'Carbon linkage network', html: netHtml || '<p>No network in this run.</p>', figures: netFigs });

  // ---- spatial statistics
  const statFigs: Figure[] = [];
  let statHtml = '';
  if (r.moran) {
    const mo = r.moran;
    let pts = mo.points;
    if (pts.length === 0) {
      // z-scores and row-standardised queen lags of the budget, from the zone raster
      const adj = zoneAdjacency(zr.data, grid.width, grid.height, zr.nodata, 'queen');
      const ids = Array.from(adj.codes);
      const v = ids.map((u) => byUnit0.get(u)?.budget ?? NaN);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      const z = v.map((x) => (x - mean) / sd);
      const nb: number[][] = ids.map(() => []);
      for (let p = 0; p < adj.pairs.length; p += 2) { nb[adj.pairs[p]].push(adj.pairs[p + 1]); nb[adj.pairs[p + 1]].push(adj.pairs[p]); }
      pts = ids.map((u, i) => ({ unit: u, z: z[i], lag: nb[i].length ? nb[i].reduce((a, j) => a + z[j], 0) / nb[i].length : 0 }));
    }
    statFigs.push(fig('moran_scatter', "Moran's I scatterplot", moranScatter({ title: `Moran scatterplot of the ${mo.field}`, subtitle: `I = ${fmt(mo.I)}, z = ${fmt(mo.z)}, p = ${fmt(mo.p)}; ${mo.weights}`, points: pts.map((p) => ({ z: p.z, lag: p.lag, label: uname(p.unit) })), slope: mo.I, field: mo.field })));
    statHtml += `<p><b>Moran's I</b> measures whether neighbouring units have similar values (from −1, dispersed, through 0, random, to +1, clustered): I = ${fmt(mo.I)} for the ${esc(mo.field)} (z = ${fmt(mo.z)}, p = ${fmt(mo.p)}${mo.pSim !== null ? `, permutation p = ${fmt(mo.pSim)} from ${mo.permutations} permutations` : ''}).</p>`;
  }
  if (r.gistar) {
    const gi = r.gistar;
    const fill = new Map(gi.units.map((u) => [u.unit, GISTAR.find(([k]) => k === u.cls)?.[1] ?? '#f0f0f0']));
    statFigs.push(map('gistar', { title: `Getis-Ord Gi* hot and cold spots of ${gi.field}`, grid, units: zones, fill, legend: { kind: 'classes', title: 'Gi* class', items: GISTAR.map(([k, col]) => ({ label: `${k} (${gi.units.filter((u) => u.cls === k).length})`, color: col })) } }));
    statHtml += `<p><b>Gi*</b> (Getis-Ord) is a z-score of a unit's value summed with its neighbours' against the regional mean: a significant positive z marks a hot spot (a cluster of high values), a negative one a cold spot.</p>`;
  }
  if (r.cluster) {
    const cl = r.cluster;
    statFigs.push(fig('dendrogram', 'Ward dendrogram of units', dendrogram({ title: 'Ward clustering of units', subtitle: `variables ${cl.fields.join(', ')} (z-scored); ${cl.k} clusters`, linkage: cl.linkage, labels: cl.units.map(uname), heightName: 'merge height (Ward distance)' })));
    statHtml += `<p>Ward clustering joins, at each step, the two groups whose merge increases the within-group sum of squares least; the dendrogram shows the merge heights.</p>`;
  }
  if (r.geodetector?.length) {
    statHtml += `<p>The geographical detector's <b>q</b> is the share of the variance of emissions explained by a factor's strata (0 none, 1 all).</p><table class="num"><tr><th>factor</th><th>q</th><th>p</th></tr>${r.geodetector.map((g) => `<tr><td>${esc(g.factor.replace(/_/g, ' '))}</td><td>${fmt(g.q)}</td><td>${g.p === null ? '' : fmt(g.p)}</td></tr>`).join('')}</table>`;
  }
  sections.push({ id: 'stats', title: 'Spatial statistics', html: statHtml, figures: statFigs });

  // ---- forecasts
  const greyFigs = r.grey.map((g, i) => fig(`gm11_${i + 1}`, `GM(1,1) ${g.label}`, greyChart({ title: `GM(1,1) fit and forecast of ${g.label}`, subtitle: `a = ${fmt(g.a)}, b = ${fmt(g.b)}; posterior variance ratio C = ${fmt(g.C)}, small-error probability P = ${fmt(g.P)}: ${g.grade}`, years: g.years, observed: g.observed, fitted: g.fitted, forecastYears: g.forecastYears, forecast: g.forecast, yName: `${g.label} (${g.unit})` })));
  sections.push({
    id: 'forecast',
    title: 'GM(1,1) forecasts',
    html: `<p>GM(1,1) fits dx/dt + a x = b to the accumulated series; its quality is graded by C (residual over data standard deviation, good below 0.35) and P (share of small residuals, good above 0.95).</p><table class="num"><tr><th>series</th><th>last observed</th><th>forecast ${r.grey[0]?.forecastYears.at(-1) ?? ''}</th><th>C</th><th>P</th><th>grade</th></tr>${r.grey.map((g) => `<tr><td>${esc(g.label)} (${esc(g.unit)})</td><td>${fmt(g.observed.at(-1) ?? NaN)}</td><td>${fmt(g.forecast.at(-1) ?? NaN)}</td><td>${fmt(g.C)}</td><td>${fmt(g.P)}</td><td>${esc(g.grade)}</td></tr>`).join('')}</table>`,
    figures: greyFigs,
  });

  // ---- per-unit table and layers
  const gi = new Map(r.gistar?.units.map((u) => [u.unit, u]) ?? []);
  const nodes = new Map(r.network?.nodes.map((u) => [u.unit, u]) ?? []);
  const bal = new Map(r.balance[0]?.units.map((u) => [u.unit, u]) ?? []);
  const parent = new Map(r.units.map((u) => [u.id, u.parent ?? '']));
  const hasParent = r.units.some((u) => u.parent);
  const props = (code: number): Props => {
    const c = byUnit0.get(code), b = bal.get(code), g = gi.get(code), nd = nodes.get(code);
    const p: Props = { unit: code, name: uname(code), parent: parent.get(code) ?? '', cells: zoneOf.get(code)?.cells ?? 0, area_ha: unitHa(code), ce_t: c?.ce ?? null, cs_t: c?.cs ?? null, budget_t: c?.budget ?? null, esc: b?.esc ?? null, ecc: b?.ecc ?? null };
    for (const bb of r.balance) p[zoneKey(bb)] = bb.units.find((u) => u.unit === code)?.zone ?? null;
    Object.assign(p, { gi_z: g?.z ?? null, gi_p: g?.p ?? null, gi_class: g?.cls ?? null, out_degree: nd?.outDegree ?? null, in_degree: nd?.inDegree ?? null, betweenness: nd?.betweenness ?? null, roles: nd?.roles ?? '', linkage_area: nd?.linkageArea ?? '' });
    if (r.cluster) { const i = r.cluster.units.indexOf(code); p.cluster = i >= 0 ? r.cluster.cluster[i] : null; }
    return p;
  };
  const uj = join(layerDir, 'units.geojson');
  writeFileAtomic(uj, unitsGeoJson(grid, zones, props));
  layers.push(uj);
  if (r.network) {
    const nn = join(layerDir, 'network_nodes.geojson'), ne = join(layerDir, 'network_edges.geojson');
    writeFileAtomic(nn, pointsGeoJson(grid, 'network_nodes', zones.map((z) => ({ at: z.centroid, props: { unit: z.code, name: uname(z.code), roles: nodes.get(z.code)?.roles ?? '', out_degree: nodes.get(z.code)?.outDegree ?? null, in_degree: nodes.get(z.code)?.inDegree ?? null, betweenness: nodes.get(z.code)?.betweenness ?? null, linkage_area: nodes.get(z.code)?.linkageArea ?? '' } }))));
    writeFileAtomic(ne, linesGeoJson(grid, 'network_edges', r.network.edges.map((e) => ({ from: zoneOf.get(e.from)?.centroid ?? [0, 0], to: zoneOf.get(e.to)?.centroid ?? [0, 0], props: { from: e.from, to: e.to, from_name: uname(e.from), to_name: uname(e.to), gravity: e.weight, distance_km: e.distanceKm ?? null } }))));
    layers.push(nn, ne);
  }
  const unitTable = `<table class="num small"><tr><th>unit</th>${hasParent ? '<th>in</th>' : ''}<th>area (ha)</th><th>CE (${CU})</th><th>CS (${CU})</th><th>budget</th><th>ESC</th><th>ECC</th><th>zone (${esc(r.balance[0]?.scheme ?? '')})</th><th>Gi* class</th><th>network roles</th></tr>${zones.map((z) => {
    const p = props(z.code);
    return `<tr><td>${esc(String(p.name))}</td>${hasParent ? `<td>${esc(String(p.parent))}</td>` : ''}<td>${thousands(Number(p.area_ha))}</td><td>${p.ce_t === null ? '' : fmt(Number(p.ce_t))}</td><td>${p.cs_t === null ? '' : fmt(Number(p.cs_t))}</td><td>${p.budget_t === null ? '' : fmt(Number(p.budget_t))}</td><td>${p.esc === null ? 'undefined' : fmt(Number(p.esc))}</td><td>${p.ecc === null ? 'undefined' : fmt(Number(p.ecc))}</td><td>${esc(String((r.balance[0] ? p[zoneKey(r.balance[0])] : '') ?? ''))}</td><td>${esc(String(p.gi_class ?? ''))}</td><td>${esc(String(p.roles).replace(/;/g, ', '))}</td></tr>`;
  }).join('')}</table>`;
  sections.push({ id: 'units', title: 'Results per unit', html: `<p>${zones.length} units; the same values are in <code>layers/units.geojson</code> (unit polygons, ${esc(crsLabel(grid))}) for QGIS.</p>${unitTable}`, figures: [] });

  // ---- summary first
  const summary: string[] = [];
  if (r.choice) {
    const rows = r.choice.rows;
    const chosen = rows.find((x) => x.chosen);
    const sorted = [...rows].sort((a, b) => a.netEmissions - b.netEmissions);
    const netTie = rows.every((x) => x.netEmissions === rows[0].netEmissions);
    const escTie = rows.every((x) => x.unitsEscGt1 === rows[0].unitsEscGt1);
    const why = `Decided by: ${esc(r.choice.reason)}.`;
    if (chosen) {
      const other = sorted.find((x) => x !== chosen);
      const diff = other ? other.netEmissions - chosen.netEmissions : 0;
      summary.push(`<p class="lead"><b>Recommended scenario for ${r.choice.year}: ${esc(chosen.scenario)}.</b> It has the lowest net emissions (${fmt(chosen.netEmissions)} ${CU}${other ? `, ${fmt(diff)} t or ${pct(diff / other.netEmissions, 2)} less than ${esc(other.scenario)}` : ''})${escTie ? `; the second criterion, units with ESC &gt; 1, is a tie (${chosen.unitsEscGt1} units in every scenario), so net emissions alone decided.` : ` and the most units with ESC &gt; 1 (${chosen.unitsEscGt1} of ${r.units.length}).`} ${why}</p>`);
    } else if (netTie && escTie) {
      summary.push(`<p class="lead"><b>No scenario is recommended for ${r.choice.year}: it is a tie.</b> Every scenario has the same net emissions (${fmt(rows[0].netEmissions)} ${CU}) and the same number of units with ESC &gt; 1 (${rows[0].unitsEscGt1}). ${why}</p>`);
    } else {
      const most = [...rows].sort((a, b) => b.unitsEscGt1 - a.unitsEscGt1)[0];
      summary.push(`<p class="lead"><b>No scenario is recommended for ${r.choice.year}:</b> the criteria disagree: ${esc(sorted[0].scenario)} has the lowest net emissions (${fmt(sorted[0].netEmissions)} ${CU}) but ${esc(most.scenario)} has the most units with ESC &gt; 1 (${most.unitsEscGt1}). ${why}</p>`);
    }
  }
  const b = r.balance[0];
  if (b) {
    const m = new Map<string, number>();
    for (const u of b.units) m.set(u.zone, (m.get(u.zone) ?? 0) + 1);
    const why = (z: string) => (z === 'unclassified' ? ` (${esc(b.units.find((u) => u.zone === z)?.reason ?? '')})` : '');
    summary.push(`<p><b>Zones (${esc(b.source)}, ${esc(b.label)}):</b> ${[...m.entries()].sort((x, y) => y[1] - x[1]).map(([z, n]) => `${esc(z)} ${n} unit${n === 1 ? '' : 's'} (${pct(n / b.units.length, 0)})${why(z)}`).join('; ')}.</p>`);
  }
  if (r.network) {
    const key = r.network.nodes.filter((x) => x.roles).sort((a, c) => c.inDegree + c.outDegree - a.inDegree - a.outDegree);
    summary.push(`<p><b>Key units of the carbon linkage network (${key.length}):</b> ${key.map((k) => `${esc(uname(k.unit))} (${esc(k.roles.replace(/;/g, ', '))})`).join('; ') || 'none'}.</p>`);
  }
  if (r.gistar) {
    const hot = r.gistar.units.filter((u) => /^Hot/.test(u.cls)).sort((a, c) => c.z - a.z);
    const cold = r.gistar.units.filter((u) => /^Cold/.test(u.cls)).sort((a, c) => a.z - c.z);
    summary.push(`<p><b>Emission hot spots (Gi*, ${hot.length} units):</b> ${hot.map((u) => `${esc(uname(u.unit))} (${u.cls.replace('Hot Spot - ', '')})`).join(', ') || 'none'}. <b>Cold spots (${cold.length}):</b> ${cold.map((u) => esc(uname(u.unit))).join(', ') || 'none'}.</p>`);
  }
  if (r.accuracy) summary.push(`<p><b>Model check:</b> simulating ${r.accuracy.year} from ${r.accuracy.fromYear} reproduced ${pct(r.accuracy.oa)} of cells (kappa ${fmt(r.accuracy.kappa)}); of the cells that changed, ${pct(r.accuracy.fom)} were caught (figure of merit).</p>`);
  if (r.storage.length) summary.push(`<p><b>Carbon storage</b> from ${esc(r.storage[0].fromLabel)}: ${r.storage.map((s) => `${s.changeT < 0 ? 'falls' : 'rises'} by ${fmt(Math.abs(s.changeT))} t C (${pct(Math.abs(s.changeT / s.storageT), 2)}) to ${esc(s.toLabel)}`).join('; ')}.</p>`);
  if (r.synthetic) summary.push(`<p class="warn">These data are synthetic (${esc(r.dataSource)}); names and numbers illustrate the method, not a real region.</p>`);
  sections.unshift({ id: 'summary', title: 'Summary for planners', html: summary.join('\n'), figures: [] });

  // ---- methods, provenance, timings
  const byStep = new Map<string, Array<{ name: string; value: string }>>();
  for (const p of r.parameters) {
    if (!byStep.has(p.step)) byStep.set(p.step, []);
    byStep.get(p.step)!.push(p);
  }
  const methods = `<p>Every parameter of the study, section by section as its study file gives them (defaults filled in), and the fixed settings of the steps. Seed of every random step: ${r.seed}; threads: ${r.threads} (results do not depend on the thread count).</p><table class="small"><tr><th>section</th><th>parameter</th><th>value</th></tr>${[...byStep.entries()].map(([s, ps]) => ps.map((p, i) => `<tr>${i === 0 ? `<td rowspan="${ps.length}">${esc(s)}</td>` : ''}<td>${esc(p.name)}</td><td>${esc(p.value)}</td></tr>`).join('')).join('')}</table>
<p>Software: landcarbon ${esc(r.version)}, Node.js ${esc(process.versions.node)}, Apache ECharts ${esc(ECHARTS_VERSION)} (charts, server-side SVG).</p>`;
  sections.push({ id: 'methods', title: 'Methods and parameters', html: methods, figures: [] });
  const prov = `<table class="small"><tr><th>date of the run</th><td>${esc(r.date)}</td></tr><tr><th>version</th><td>landcarbon ${esc(r.version)}</td></tr><tr><th>data</th><td>${r.synthetic ? '<b>synthetic</b>: ' : ''}${esc(r.dataSource)}</td></tr><tr><th>grid</th><td>${grid.width} x ${grid.height} cells of ${fmt(pixelHa)} ha; ${esc(crsLabel(grid))}</td></tr></table>
<table class="small"><tr><th>input file</th><th>bytes</th><th>SHA-256</th></tr>${r.inputs.map((f) => `<tr><td>${esc(f.path)}</td><td>${thousands(f.bytes)}</td><td><code>${f.sha256}</code></td></tr>`).join('')}</table>`;
  sections.push({ id: 'provenance', title: 'Provenance', html: prov, figures: [] });
  const timings = `<table class="num small"><tr><th>step</th><th>what</th><th>seconds</th></tr>${r.steps.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.title)}</td><td>${s.skipped ? `${(s.runSeconds ?? s.seconds).toFixed(2)} (up to date, skipped)` : s.seconds.toFixed(2)}</td></tr>`).join('')}<tr><td colspan="2"><b>total of the run</b></td><td><b>${r.totalSeconds.toFixed(1)}</b></td></tr></table>`;
  const seconds = (performance.now() - t0) / 1000;
  sections.push({ id: 'timings', title: 'Appendix: step timings', html: `${timings}<p>This report took ${seconds.toFixed(2)} s to build (figures, layers and HTML).</p>`, figures: [] });

  clearSamples();
  if (o.png) {
    const svgs = figures.slice();
    const pngs = await Promise.all(svgs.map(async (f) => [f.replace(/\.svg$/, '.png'), await svgToPng(readFileSync(f, 'utf8'), 1)] as const));
    for (const [f, png] of pngs) {
      writeFileAtomic(f, png);
      figures.push(f);
    }
  }
  const html = join(outDir, 'report.html');
  writeFileAtomic(html, renderHtml(r, sections, { figures: figures.map((f) => f.slice(outDir.length + 1)), layers: layers.map((f) => f.slice(outDir.length + 1)) }));
  return { html, figures, layers, seconds: (performance.now() - t0) / 1000 };
}
