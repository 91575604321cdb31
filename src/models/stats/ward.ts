/**
 * Hierarchical clustering with Ward linkage (methods.md section 10), the same algorithm and
 * output layout as scipy.cluster.hierarchy.linkage(X, method='ward'):
 *
 *  - distances are Euclidean; merging clusters s and t into u, the distance to any v is the
 *    Lance-Williams Ward update d(u,v) = sqrt(((n_v+n_s) d(v,s)^2 + (n_v+n_t) d(v,t)^2
 *    - n_v d(s,t)^2) / (n_v+n_s+n_t)); a merge height is therefore sqrt(2 * increase in the
 *    within-cluster sum of squared (Euclidean) distances), as scipy reports;
 *  - merges found with the nearest-neighbour chain (scipy's nn_chain), then stably sorted by
 *    height and relabelled with a union-find: row r merges clusters a < b (ids < n are units,
 *    n + r' is the cluster made by row r'), height, size.
 *
 * cutTree(Z, n, k) gives each unit a cluster 1..k after the first n - k merges; clusters are
 * numbered in the order of their first unit (row order).
 */
import { InputError } from '../../errors.js';

export interface Merge {
  a: number;
  b: number;
  height: number;
  size: number;
}

/** z-scores of each column (sample standard deviation, n - 1, like SPSS/R scale()). */
export function zscoreColumns(cols: Float64Array[], names: string[], source: string): Float64Array[] {
  return cols.map((c, k) => {
    const n = c.length;
    let m = 0;
    for (const v of c) m += v;
    m /= n;
    let ss = 0;
    for (const v of c) ss += (v - m) ** 2;
    const sd = Math.sqrt(ss / (n - 1));
    if (!(sd > 0)) throw new InputError(`${source}: column "${names[k]}" is constant; cannot z-score it (drop it or run without --standardize)`);
    return Float64Array.from(c, (v) => (v - m) / sd);
  });
}

function condensedIndex(n: number, i: number, j: number): number {
  if (i > j) { const t = i; i = j; j = t; }
  return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

/** Ward linkage of the rows of the given columns (unit i = (cols[0][i], cols[1][i], ...)). */
export function wardLinkage(cols: Float64Array[], source = 'cluster'): Merge[] {
  if (cols.length === 0) throw new InputError(`${source}: no columns to cluster on`);
  const n = cols[0].length;
  if (n < 2) throw new InputError(`${source}: clustering needs at least 2 units, got ${n}`);
  const D = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (const c of cols) s += (c[i] - c[j]) ** 2;
      D[condensedIndex(n, i, j)] = Math.sqrt(s);
    }
  }
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  let chainLen = 0;
  const Z: Merge[] = [];
  for (let k = 0; k < n - 1; k++) {
    if (chainLen === 0) {
      chainLen = 1;
      for (let i = 0; i < n; i++) if (size[i] > 0) { chain[0] = i; break; }
    }
    let x = 0, y = 0, currentMin = Infinity;
    for (;;) {
      x = chain[chainLen - 1];
      if (chainLen > 1) {
        y = chain[chainLen - 2];
        currentMin = D[condensedIndex(n, x, y)];
      } else currentMin = Infinity;
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || x === i) continue;
        const d = D[condensedIndex(n, x, i)];
        if (d < currentMin) {
          currentMin = d;
          y = i;
        }
      }
      if (chainLen > 1 && y === chain[chainLen - 2]) break;
      chain[chainLen++] = y;
    }
    chainLen -= 2;
    if (x > y) { const t = x; x = y; y = t; }
    const nx = size[x], ny = size[y];
    Z.push({ a: x, b: y, height: currentMin, size: nx + ny });
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      const ni = size[i];
      if (ni === 0 || i === y) continue;
      const dxi = D[condensedIndex(n, i, x)], dyi = D[condensedIndex(n, i, y)];
      const t = 1 / (nx + ny + ni);
      D[condensedIndex(n, i, y)] = Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * currentMin * currentMin);
    }
  }
  // stable sort by height (scipy: argsort kind='mergesort'), then relabel
  const order = Z.map((_, i) => i).sort((p, q) => Z[p].height - Z[q].height || p - q);
  const sorted = order.map((i) => ({ ...Z[i] }));
  const parent = new Int32Array(2 * n - 1).map((_, i) => i);
  const csize = new Int32Array(2 * n - 1).fill(1);
  let next = n;
  const find = (v: number): number => {
    let r = v;
    while (parent[r] !== r) r = parent[r];
    while (parent[v] !== r) { const p = parent[v]; parent[v] = r; v = p; }
    return r;
  };
  for (const m of sorted) {
    const xr = find(m.a), yr = find(m.b);
    m.a = Math.min(xr, yr);
    m.b = Math.max(xr, yr);
    parent[xr] = next;
    parent[yr] = next;
    csize[next] = csize[xr] + csize[yr];
    m.size = csize[next];
    next++;
  }
  return sorted;
}

/** Cluster labels 1..k after the first n - k merges, numbered by first unit in row order. */
export function cutTree(Z: Merge[], n: number, k: number): Int32Array {
  if (!(k >= 1 && k <= n)) throw new InputError(`--k ${k}: expected 1 <= k <= ${n} (number of units)`);
  const parent = new Int32Array(2 * n - 1).map((_, i) => i);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (let r = 0; r < n - k; r++) {
    parent[find(Z[r].a)] = n + r;
    parent[find(Z[r].b)] = n + r;
  }
  const label = new Map<number, number>();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (!label.has(root)) label.set(root, label.size + 1);
    out[i] = label.get(root)!;
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A dendrogram as SVG: leaves along the bottom in tree order (left child first), merge heights
 * on a linear axis, leaf labels coloured by cluster.
 */
export function dendrogramSvg(Z: Merge[], ids: string[], labels: Int32Array, opts: { title?: string } = {}): string {
  const n = ids.length;
  // leaf order by depth-first traversal from the root
  const order: number[] = [];
  const stack = [2 * n - 2];
  while (stack.length) {
    const v = stack.pop()!;
    if (v < n) order.push(v);
    else {
      const m = Z[v - n];
      stack.push(m.b, m.a);
    }
  }
  if (n === 1) order.push(0);
  const step = Math.max(6, Math.min(24, 900 / n));
  const left = 60, top = 40, plotH = 360, labelH = 90;
  const width = Math.round(left + 20 + step * n);
  const height = top + plotH + labelH;
  const maxH = Z.length ? Math.max(...Z.map((m) => m.height)) || 1 : 1;
  const yOf = (h: number) => top + plotH - (h / maxH) * plotH;
  const xPos = new Float64Array(2 * n - 1);
  const yPos = new Float64Array(2 * n - 1);
  order.forEach((leaf, i) => { xPos[leaf] = left + step * (i + 0.5); yPos[leaf] = yOf(0); });
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const parts: string[] = [];
  Z.forEach((m, r) => {
    const v = n + r;
    xPos[v] = (xPos[m.a] + xPos[m.b]) / 2;
    yPos[v] = yOf(m.height);
    parts.push(`<path d="M${xPos[m.a].toFixed(1)},${yPos[m.a].toFixed(1)}V${yPos[v].toFixed(1)}H${xPos[m.b].toFixed(1)}V${yPos[m.b].toFixed(1)}" fill="none" stroke="#333" stroke-width="1"/>`);
  });
  order.forEach((leaf) => {
    const x = xPos[leaf].toFixed(1), y = (top + plotH + 8).toFixed(1);
    parts.push(`<text x="${x}" y="${y}" transform="rotate(90 ${x} ${y})" font-size="${Math.min(12, step).toFixed(0)}" fill="${colors[(labels[leaf] - 1) % colors.length]}">${esc(ids[leaf])}</text>`);
  });
  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const h = (maxH * i) / 4, y = yOf(h).toFixed(1);
    ticks.push(`<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/><text x="${left - 6}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle">${Number(h.toPrecision(3))}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${esc(opts.title ?? 'Ward linkage')}</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="14" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">merge height</text>`,
    ...ticks,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
