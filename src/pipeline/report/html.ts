/**
 * The report page: one self-contained HTML file (no external resource: figures are SVG data
 * URLs, the rasters inside them PNG data URLs), sections in order with a contents list.
 */
import { esc } from './cartography.js';
import type { RunResult } from './result.js';

export interface Figure {
  name: string;
  title: string;
  svg: string;
  caption?: string;
}

export interface Section {
  id: string;
  title: string;
  html: string;
  figures: Figure[];
}

const STYLE = `body{font:15px/1.5 "DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:0 auto;max-width:1480px;color:#222;padding:0 1.2em 3em}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}h3{margin-bottom:.3em}
.meta{color:#555;font-size:13px}.badge{display:inline-block;background:#b35806;color:#fff;border-radius:3px;padding:0 .5em;font-size:12px;margin-left:.5em}
nav ol{columns:3;font-size:14px}.lead{font-size:1.1em}.warn{color:#8a4b00}
table{border-collapse:collapse;margin:.6em 0;font-size:14px}td,th{border:1px solid #ccc;padding:.2em .55em;text-align:left;vertical-align:top}th{background:#f2f2f2}
table.num td{text-align:right}table.num td:first-child,table.num td.names{text-align:left}table.small{font-size:12px}td.names{font-size:12px;max-width:30em}
.figs{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;flex:0 1 calc(50% - .5em);min-width:340px}figure img{width:100%;height:auto;border:1px solid #e3e3e3}
figcaption{font-size:13px;color:#555;max-width:820px}code{font-size:12px}`;

export function renderHtml(r: RunResult, sections: Section[], files: { figures: string[]; layers: string[] }): string {
  const body = sections
    .map((s) => {
      const figs = s.figures.length
        ? `<div class="figs">${s.figures
            .map((f) => `<figure id="fig-${esc(f.name)}"><img alt="${esc(f.title)}" src="data:image/svg+xml;base64,${Buffer.from(f.svg).toString('base64')}"><figcaption>${esc(f.title)}${f.caption ? ` — ${esc(f.caption)}` : ''} (figures/${esc(f.name)}.svg)</figcaption></figure>`)
            .join('\n')}</div>`
        : '';
      return `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.html}\n${figs}</section>`;
    })
    .join('\n');
  const nav = `<nav><ol>${sections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`).join('')}<li><a href="#files">Files</a></li></ol></nav>`;
  const filesHtml = `<section id="files"><h2>Files</h2><p>Each figure is also a separate SVG file; the GIS layers open in QGIS with their attributes.</p><ul>${[...files.figures, ...files.layers].map((f) => `<li><code>${esc(f)}</code></li>`).join('')}</ul></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(r.title)}</title>
<style>${STYLE}</style></head><body>
<header><h1>${esc(r.title)}</h1><p class="meta">${esc(r.date.slice(0, 10))} · landcarbon ${esc(r.version)}${r.synthetic ? '<span class="badge">synthetic data</span>' : ''}</p></header>
${nav}
${body}
${filesHtml}
</body></html>
`;
}
