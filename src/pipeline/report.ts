/**
 * Maps (PNG) and a self-contained HTML report a planner can read: the run's summary (our
 * small markdown subset: headings, paragraphs, tables) with the maps embedded beside it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readRasterInfo, readRaster } from '../io/geotiff.js';
import { classesToRgba, LANDUSE_PALETTE, rampToRgba, writePng, Rgba } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';

/** Longest side of a map picture; larger rasters are sampled (nearest cell). */
const MAX_SIDE = 1000;

async function sampled(tif: string): Promise<{ w: number; h: number; data: Float64Array; nodata: number | null; dtype: string }> {
  const info = await readRasterInfo(tif);
  const { width, height } = info.grid;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / MAX_SIDE));
  const w = Math.ceil(width / step), h = Math.ceil(height / step);
  const out = new Float64Array(w * h);
  const rows = Math.max(step, Math.floor(4_000_000 / width / step) * step);
  for (let r0 = 0; r0 < height; r0 += rows) {
    const n = Math.min(rows, height - r0);
    const { data } = await readRaster(tif, { window: { col0: 0, row0: r0, width, height: n } });
    for (let r = 0; r < n; r += step) {
      const y = (r0 + r) / step;
      for (let x = 0; x < w; x++) out[y * w + x] = data[r * width + x * step];
    }
  }
  const nd = info.grid.nodata;
  return { w, h, data: out, nodata: nd === null ? null : info.dtype === 'float32' ? Math.fround(nd) : nd, dtype: info.dtype };
}

/** A land-use map in the sample region's class colours. */
export async function classMap(tif: string, png: string, palette: Record<number, Rgba> = LANDUSE_PALETTE): Promise<void> {
  const s = await sampled(tif);
  writePng(png, s.w, s.h, classesToRgba(s.data, s.nodata, palette));
}

/** A continuous map on a colour ramp between the 2nd and 98th percentiles of its values. */
export async function rampMap(tif: string, png: string): Promise<{ lo: number; hi: number }> {
  const s = await sampled(tif);
  const v = Array.from(s.data).filter((x) => Number.isFinite(x) && x !== s.nodata).sort((a, b) => a - b);
  let lo = v[Math.floor(0.02 * (v.length - 1))] ?? 0;
  let hi = v[Math.floor(0.98 * (v.length - 1))] ?? 1;
  if (!(hi > lo)) hi = lo + 1;
  writePng(png, s.w, s.h, rampToRgba(s.data, s.nodata, lo, hi));
  return { lo, hi };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Our markdown subset -> HTML: '#'/'##' headings, '|' tables, paragraphs. */
export function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].startsWith('|')) {
        rows.push(lines[i].replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
        i++;
      }
      i--;
      const body = rows.filter((r) => !r.every((c) => /^:?-+:?$/.test(c)));
      out.push('<table>' + body.map((r, k) => `<tr>${r.map((c) => (k === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('') + '</table>');
    } else if (l.startsWith('## ')) out.push(`<h2>${esc(l.slice(3))}</h2>`);
    else if (l.startsWith('# ')) out.push(`<h1>${esc(l.slice(2))}</h1>`);
    else if (l.trim() !== '') out.push(`<p>${esc(l)}</p>`);
  }
  return out.join('\n');
}

export interface ReportImage {
  title: string;
  file: string;
  legend?: Array<[string, Rgba]>;
  caption?: string;
}

/** A self-contained report.html (pictures embedded as data URLs). */
export function writeHtmlReport(path: string, summaryMd: string, images: ReportImage[]): void {
  const figs = images
    .map((im) => {
      const src = `data:image/png;base64,${readFileSync(im.file).toString('base64')}`;
      const legend = im.legend
        ? `<div class="legend">${im.legend.map(([n, c]) => `<span><i style="background:rgb(${c[0]},${c[1]},${c[2]})"></i>${esc(n)}</span>`).join('')}</div>`
        : '';
      return `<figure><figcaption>${esc(im.title)}</figcaption><img alt="${esc(basename(im.file))}" src="${src}">${legend}${im.caption ? `<p class="cap">${esc(im.caption)}</p>` : ''}</figure>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>landcarbon report</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f2f2f2}
.maps{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;flex:1 1 320px}figure img{width:100%;image-rendering:pixelated;border:1px solid #ddd}
figcaption{font-weight:600;margin-bottom:.3em}.legend span{display:inline-block;margin:.2em .8em .2em 0;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border:1px solid #999}.cap{font-size:13px;color:#555}
</style></head><body>
${markdownToHtml(summaryMd)}
<h2>Maps</h2>
<div class="maps">
${figs}
</div>
</body></html>
`;
  writeFileAtomic(path, html);
}
