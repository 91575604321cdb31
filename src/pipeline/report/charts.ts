/**
 * Charts as SVG strings, rendered without a browser by Apache ECharts' server-side renderer
 * (`init(null, null, { renderer: 'svg', ssr: true })` + `renderToSVGString()`). ECharts was
 * chosen over Vega because it renders to SVG in-process with no canvas or DOM shim, has every
 * chart kind the report needs (grouped bars, heatmap, scatter, line) in one dependency, and is
 * an Apache project released regularly. Each chart has a title, named axes with units, and a
 * legend when it has more than one series.
 */
import * as echarts from 'echarts';
import { thousands } from './cartography.js';

export const ECHARTS_VERSION = echarts.version;

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f', '#bab0ac'];

function render(option: Record<string, unknown>, width = 760, height = 380): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: FONT }, backgroundColor: '#fff', ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const title = (text: string, sub?: string) => ({ text, subtext: sub, left: 8, top: 4, textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 11, color: '#555' } });

/** Grouped bars: one group per category, one bar per series. */
export function barChart(o: { title: string; subtitle?: string; categories: string[]; series: Array<{ name: string; values: number[] }>; yName: string; xName?: string; width?: number; height?: number }): string {
  return render(
    {
      title: title(o.title, o.subtitle),
      legend: { top: 50, left: 'center', itemGap: 14 },
      grid: { left: 88, right: 24, top: 88, bottom: 56 },
      xAxis: { type: 'category', data: o.categories, name: o.xName ?? '', nameLocation: 'middle', nameGap: 32, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', name: o.yName, nameLocation: 'middle', nameGap: 70, axisLabel: { fontSize: 11 } },
      series: o.series.map((s) => ({ type: 'bar', name: s.name, data: s.values })),
    },
    o.width,
    o.height,
  );
}

/** A from x to matrix as a heat table (cells labelled with their values). */
export function heatTable(o: { title: string; subtitle?: string; rows: string[]; cols: string[]; values: number[][]; rowName: string; colName: string; unit: string }): string {
  const data: Array<[number, number, number]> = [];
  let max = 0;
  o.values.forEach((row, i) => row.forEach((v, j) => { data.push([j, i, v]); if (v > max) max = v; }));
  return render(
    {
      title: title(o.title, o.subtitle),
      grid: { left: 110, right: 110, top: 70, bottom: 70 },
      xAxis: { type: 'category', data: o.cols, name: o.colName, nameLocation: 'middle', nameGap: 40, splitArea: { show: true }, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'category', data: o.rows, name: o.rowName, nameLocation: 'middle', nameGap: 90, inverse: true, splitArea: { show: true }, axisLabel: { fontSize: 11 } },
      visualMap: { type: 'continuous', min: 0, max: max || 1, calculable: false, orient: 'vertical', right: 8, top: 'middle', text: [`${thousands(max)} ${o.unit}`, `0 ${o.unit}`], inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] }, formatter: (v: number) => thousands(v) },
      series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10, formatter: (p: { value: number[] }) => (p.value[2] ? thousands(p.value[2]) : '') } }],
    },
    780,
    420,
  );
}

/** Moran scatterplot: standardised value against its spatial lag, with the slope-I line. */
export function moranScatter(o: { title: string; subtitle?: string; points: Array<{ z: number; lag: number; label: string }>; slope: number; field: string }): string {
  const xs = o.points.map((p) => p.z);
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return render(
    {
      title: title(o.title, o.subtitle),
      grid: { left: 80, right: 30, top: 70, bottom: 60 },
      xAxis: { type: 'value', name: `${o.field} (z-score, standard deviations)`, nameLocation: 'middle', nameGap: 32, scale: true },
      yAxis: { type: 'value', name: `spatial lag of ${o.field} (z-score)`, nameLocation: 'middle', nameGap: 50, scale: true },
      series: [
        { type: 'scatter', name: 'units', symbolSize: 7, data: o.points.map((p) => ({ value: [p.z, p.lag], name: p.label })) },
        { type: 'line', name: `slope = Moran's I = ${o.slope.toFixed(3)}`, showSymbol: false, data: [[lo, lo * o.slope], [hi, hi * o.slope]], lineStyle: { color: '#e15759' }, markLine: { silent: true, symbol: 'none', lineStyle: { color: '#999', type: 'dashed' }, data: [{ xAxis: 0 }, { yAxis: 0 }], label: { show: false } } },
      ],
      legend: { top: 42, right: 20 },
    },
    640,
    440,
  );
}

/** Dendrogram of a scipy-style linkage: leaves along x in merge order, heights on y. */
export function dendrogram(o: { title: string; subtitle?: string; linkage: Array<[number, number, number, number]>; labels: string[]; heightName: string }): string {
  const n = o.labels.length;
  const kids = new Map<number, [number, number]>();
  o.linkage.forEach(([a, b], i) => kids.set(n + i, [a, b]));
  const root = n + o.linkage.length - 1;
  const order: number[] = [];
  const stack = [root];
  while (stack.length) {
    const v = stack.pop()!;
    const k = kids.get(v);
    if (k) stack.push(k[1], k[0]);
    else order.push(v);
  }
  const xOf = new Map<number, number>();
  order.forEach((leaf, i) => xOf.set(leaf, i));
  const h = (v: number) => (v < n ? 0 : o.linkage[v - n][2]);
  const seg: Array<[number, number] | null> = [];
  o.linkage.forEach(([a, b, height], i) => {
    const xa = xOf.get(a)!, xb = xOf.get(b)!;
    xOf.set(n + i, (xa + xb) / 2);
    seg.push([xa, h(a)], [xa, height], [xb, height], [xb, h(b)], null);
  });
  return render(
    {
      title: title(o.title, o.subtitle),
      grid: { left: 70, right: 20, top: 60, bottom: 130 },
      xAxis: { type: 'value', min: -1, max: n, interval: 1, name: 'units (leaves in merge order)', nameLocation: 'middle', nameGap: 115, axisLabel: { rotate: 90, fontSize: 9, formatter: (v: number) => (Number.isInteger(v) && v >= 0 && v < n ? o.labels[order[v]] : '') }, splitLine: { show: false } },
      yAxis: { type: 'value', name: o.heightName, nameLocation: 'middle', nameGap: 45 },
      series: [{ type: 'line', data: seg.map((p) => (p ? p : '-')), showSymbol: false, connectNulls: false, lineStyle: { color: '#4e79a7', width: 1.2 } }],
    },
    Math.max(760, n * 12 + 100),
    440,
  );
}

/** Observed series, GM(1,1) fit and forecast. */
export function greyChart(o: { title: string; subtitle?: string; years: number[]; observed: number[]; fitted: number[]; forecastYears: number[]; forecast: number[]; yName: string }): string {
  const all = [...o.years, ...o.forecastYears];
  return render(
    {
      title: title(o.title, o.subtitle),
      legend: { top: 42, left: 'center' },
      grid: { left: 88, right: 30, top: 80, bottom: 56 },
      xAxis: { type: 'category', data: all.map(String), name: 'year', nameLocation: 'middle', nameGap: 32 },
      yAxis: { type: 'value', name: o.yName, nameLocation: 'middle', nameGap: 70 },
      series: [
        { type: 'line', name: 'observed', data: o.observed, symbolSize: 7, lineStyle: { width: 0 } },
        { type: 'line', name: 'GM(1,1) fit', data: o.fitted, showSymbol: false },
        { type: 'line', name: 'GM(1,1) forecast', data: [...o.years.map((_, i) => (i === o.years.length - 1 ? o.fitted[i] : '-')), ...o.forecast], showSymbol: false, lineStyle: { type: 'dashed' } },
      ],
    },
    760,
    380,
  );
}
