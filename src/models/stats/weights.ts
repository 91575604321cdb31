/**
 * Spatial weights (methods.md section 10): contiguity from a zone raster (rook: cells sharing
 * an edge, queen: sharing an edge or a corner), k nearest neighbours and distance band on
 * centroids, GAL/GWT files read and written; binary or row-standardised.
 *
 * A weights object is sparse by rows: unit i's neighbours (indices into `ids`, ascending) and
 * their weights. Islands (units without neighbours) are kept as empty rows and reported by
 * `islands()`; what a statistic does with them is stated by that statistic.
 */
import { ConfigError, InputError } from '../../errors.js';
import type { RasterArray } from '../../io/grid.js';

export type Transform = 'b' | 'r';

export interface SpatialWeights {
  /** Unit ids in table order. */
  ids: string[];
  /** Neighbour indices of each unit, ascending, without the unit itself (unless includeSelf). */
  neighbors: Int32Array[];
  /** Weight of each neighbour, parallel to `neighbors`. */
  weights: Float64Array[];
  /** 'b' binary (1 per neighbour), 'r' row-standardised, 'o' as read from a GWT file. */
  transform: Transform | 'o';
  /** Where the weights came from, for messages (e.g. "queen contiguity of zones.tif"). */
  source: string;
}

/** Builds binary weights from neighbour lists (indices). Lists are sorted and de-duplicated. */
export function fromNeighborLists(ids: string[], lists: ArrayLike<number>[], source: string): SpatialWeights {
  if (lists.length !== ids.length) throw new InputError(`${source}: ${lists.length} neighbour lists for ${ids.length} units`);
  const neighbors = lists.map((l, i) => {
    const s = Int32Array.from(new Set(Array.from(l))).sort();
    for (const j of s) {
      if (j === i) throw new InputError(`${source}: unit ${ids[i]} lists itself as a neighbour`);
      if (!(j >= 0 && j < ids.length)) throw new InputError(`${source}: unit ${ids[i]} has a neighbour index ${j} out of range`);
    }
    return s;
  });
  return { ids, neighbors, weights: neighbors.map((s) => new Float64Array(s.length).fill(1)), transform: 'b', source };
}

/** Builds binary weights from unordered pairs (i, j), i != j; each pair makes i~j and j~i. */
export function fromPairs(ids: string[], pairs: ArrayLike<number>, source: string): SpatialWeights {
  const lists: number[][] = ids.map(() => []);
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p], b = pairs[p + 1];
    lists[a].push(b);
    lists[b].push(a);
  }
  return fromNeighborLists(ids, lists, source);
}

/** Indices of units without neighbours. */
export function islands(w: SpatialWeights): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.neighbors.length; i++) if (w.neighbors[i].length === 0) out.push(i);
  return out;
}

/** Binary ('b': every neighbour 1) or row-standardised ('r': each row sums to 1; islands stay empty). */
export function transformWeights(w: SpatialWeights, t: Transform): SpatialWeights {
  const weights = w.neighbors.map((nb, i) => {
    const out = new Float64Array(nb.length);
    if (t === 'b') out.fill(1);
    else {
      const src = w.transform === 'o' ? w.weights[i] : null;
      let s = 0;
      for (let k = 0; k < nb.length; k++) s += src ? src[k] : 1;
      if (nb.length > 0 && s === 0) throw new InputError(`${w.source}: unit ${w.ids[i]} has neighbours but its weights sum to 0; cannot row-standardise`);
      for (let k = 0; k < nb.length; k++) out[k] = (src ? src[k] : 1) / s;
    }
    return out;
  });
  return { ...w, weights, transform: t };
}

/** Adds each unit to its own neighbour set with weight 1 (binary), as spdep's include.self(); transform afterwards. */
export function includeSelf(w: SpatialWeights): SpatialWeights {
  const neighbors = w.neighbors.map((nb, i) => Int32Array.from([...nb, i]).sort());
  return { ...w, neighbors, weights: neighbors.map((s) => new Float64Array(s.length).fill(1)), transform: 'b', source: `${w.source} (self included)` };
}

/** Summary numbers for reports. */
export function weightsSummary(w: SpatialWeights): { n: number; links: number; meanNeighbors: number; minNeighbors: number; maxNeighbors: number; islands: string[] } {
  let links = 0, mn = Infinity, mx = 0;
  for (const nb of w.neighbors) {
    links += nb.length;
    mn = Math.min(mn, nb.length);
    mx = Math.max(mx, nb.length);
  }
  const n = w.ids.length;
  return { n, links, meanNeighbors: n ? links / n : 0, minNeighbors: n ? mn : 0, maxNeighbors: mx, islands: islands(w).map((i) => w.ids[i]) };
}

function checkCoords(ids: string[], x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== ids.length || y.length !== ids.length) throw new InputError(`${what}: ${x.length}/${y.length} coordinates for ${ids.length} units`);
  for (let i = 0; i < ids.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new InputError(`${what}: unit ${ids[i]} has a non-finite coordinate (${x[i]}, ${y[i]})`);
  }
}

/**
 * k nearest neighbours on centroids (Euclidean). Ties at the k-th distance are broken by the
 * lower row index. The relation is not symmetric (as in PySAL/spdep knearneigh).
 */
export function knnWeights(ids: string[], x: ArrayLike<number>, y: ArrayLike<number>, k: number): SpatialWeights {
  const n = ids.length;
  checkCoords(ids, x, y, `--knn ${k}`);
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`--knn: expected an integer >= 1, got ${k}`);
  if (k > n - 1) throw new ConfigError(`--knn ${k}: needs at least ${k + 1} units, the table has ${n}`);
  const lists: number[][] = [];
  const idx = new Int32Array(n - 1);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = x[j] - x[i], dy = y[j] - y[i];
      d2[j] = dx * dx + dy * dy;
      idx[m++] = j;
    }
    const order = Array.from(idx).sort((a, b) => d2[a] - d2[b] || a - b);
    lists.push(order.slice(0, k));
  }
  return fromNeighborLists(ids, lists, `${k} nearest neighbours`);
}

/** Distance band: j is a neighbour of i when 0 < |x_i - x_j| <= d (coincident points too). Symmetric. */
export function distanceBandWeights(ids: string[], x: ArrayLike<number>, y: ArrayLike<number>, d: number): SpatialWeights {
  const n = ids.length;
  checkCoords(ids, x, y, `--distance ${d}`);
  if (!(d > 0) || !Number.isFinite(d)) throw new ConfigError(`--distance: expected a distance > 0, got ${d}`);
  const lists: number[][] = ids.map(() => []);
  const d2max = d * d;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[j] - x[i], dy = y[j] - y[i];
      if (dx * dx + dy * dy <= d2max) {
        lists[i].push(j);
        lists[j].push(i);
      }
    }
  }
  return fromNeighborLists(ids, lists, `distance band ${d}`);
}

export type Contiguity = 'rook' | 'queen';

export interface ZoneAdjacency {
  /** Distinct zone codes found (ascending). */
  codes: Float64Array;
  /** Pairs of indices into `codes`, (a, b) with a < b, each pair once, sorted. */
  pairs: Int32Array;
  /** Number of cells of each zone. */
  cells: Float64Array;
}

/**
 * Which zones touch: one pass over a zone raster (row-major, width x height). Rook compares
 * each cell with its right and lower neighbours; queen also with the lower-left and
 * lower-right ones, so each touching cell pair is seen once. Cells equal to `nodata` (or NaN)
 * belong to no zone. Zone codes must be finite numbers (integers in practice).
 */
export function zoneAdjacency(data: RasterArray, width: number, height: number, nodata: number | null, rule: Contiguity): ZoneAdjacency {
  const { codes, zi, cells } = zoneIndex(data, width, height, nodata);
  const nz = codes.length;
  // touching pairs; a dense bitmap for few zones, a hash set otherwise
  const dense = nz <= DENSE_MAX_ZONES;
  const bits = dense ? new Uint8Array(nz * nz) : null;
  const set = dense ? null : new Set<number>();
  const add = (a: number, b: number) => {
    if (a === b || b < 0) return;
    const lo = a < b ? a : b, hi = a < b ? b : a;
    if (bits) bits[lo * nz + hi] = 1;
    else set!.add(lo * nz + hi);
  };
  const queen = rule === 'queen';
  for (let r = 0; r < height; r++) {
    const row = r * width;
    const below = r + 1 < height;
    for (let c = 0; c < width; c++) {
      const a = zi[row + c];
      if (a < 0) continue;
      if (c + 1 < width) add(a, zi[row + c + 1]);
      if (below) {
        add(a, zi[row + width + c]);
        if (queen) {
          if (c + 1 < width) add(a, zi[row + width + c + 1]);
          if (c > 0) add(a, zi[row + width + c - 1]);
        }
      }
    }
  }
  const pairs = bits ? pairsFromBitmap(bits, nz) : pairsFromKeys(Array.from(set!).sort((a, b) => a - b), nz);
  return { codes, pairs, cells };
}

/** Zones up to this count use a dense nz x nz bitmap (16 MiB at most) in the reference and the kernel. */
export const DENSE_MAX_ZONES = 4096;

/**
 * Dense zone indices of a zone raster: codes ascending, zi[cell] = index of its code or -1 for
 * NoData/NaN, cells per zone.
 */
export function zoneIndex(data: RasterArray, width: number, height: number, nodata: number | null, out?: Int32Array): { codes: Float64Array; zi: Int32Array; cells: Float64Array } {
  if (data.length !== width * height) throw new InputError(`zone raster: ${data.length} cells for ${width}x${height}`);
  const isFloat32 = data instanceof Float32Array;
  const nd = nodata === null ? null : isFloat32 ? Math.fround(nodata) : nodata;
  const zi = out ?? new Int32Array(data.length);
  // integer codes in a moderate range: a look-up table instead of a Map (same result)
  let lo = Infinity, hi = -Infinity, allInt = true;
  for (let c = 0; c < data.length; c++) {
    const v = data[c];
    if (v !== v || v === nd) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (allInt && !Number.isInteger(v)) allInt = false;
  }
  if (allInt && hi >= lo && hi - lo < 1 << 24) {
    const lut = new Int32Array(hi - lo + 1);
    for (let c = 0; c < data.length; c++) {
      const v = data[c];
      if (v !== v || v === nd) continue;
      lut[v - lo] = 1;
    }
    const codes: number[] = [];
    for (let k = 0; k < lut.length; k++) lut[k] = lut[k] ? (codes.push(lo + k), codes.length - 1) : -1;
    const cells = new Float64Array(codes.length);
    for (let c = 0; c < data.length; c++) {
      const v = data[c];
      const k = v !== v || v === nd ? -1 : lut[v - lo];
      zi[c] = k;
      if (k >= 0) cells[k]++;
    }
    return { codes: Float64Array.from(codes), zi, cells };
  }
  const codeIndex = new Map<number, number>();
  const codeList: number[] = [];
  let last = NaN, lastIdx = -1;
  for (let c = 0; c < data.length; c++) {
    const v = data[c];
    if (v !== v || v === nd) {
      zi[c] = -1;
      continue;
    }
    if (v === last) {
      zi[c] = lastIdx;
      continue;
    }
    let k = codeIndex.get(v);
    if (k === undefined) {
      k = codeList.length;
      codeIndex.set(v, k);
      codeList.push(v);
    }
    zi[c] = k;
    last = v;
    lastIdx = k;
  }
  // renumber so that indices follow ascending codes
  const order = codeList.map((_, i) => i).sort((a, b) => codeList[a] - codeList[b]);
  const rank = new Int32Array(codeList.length);
  order.forEach((o, r) => (rank[o] = r));
  const cells = new Float64Array(codeList.length);
  for (let c = 0; c < zi.length; c++) if (zi[c] >= 0) { zi[c] = rank[zi[c]]; cells[zi[c]]++; }
  return { codes: Float64Array.from(order.map((o) => codeList[o])), zi, cells };
}

/** Pairs (a < b) from an upper-triangular nz x nz bitmap, in key order. */
export function pairsFromBitmap(bits: Uint8Array, nz: number): Int32Array {
  const keys: number[] = [];
  for (let k = 0; k < nz * nz; k++) if (bits[k]) keys.push(k);
  return pairsFromKeys(keys, nz);
}

function pairsFromKeys(keys: number[], nz: number): Int32Array {
  const pairs = new Int32Array(keys.length * 2);
  keys.forEach((k, p) => {
    pairs[2 * p] = Math.floor(k / nz);
    pairs[2 * p + 1] = k % nz;
  });
  return pairs;
}

/**
 * Contiguity weights of the table's units from a zone raster. `ids` are the table's zone codes
 * (strings holding numbers). Every zone in the raster must have a row in the table; a unit
 * whose code is not in the raster (or touches no other zone) is an island.
 */
export function contiguityFromZones(ids: string[], adj: ZoneAdjacency, rule: Contiguity, rasterName: string, tableName: string): SpatialWeights {
  const pos = new Map<number, number>();
  ids.forEach((s, i) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) throw new InputError(`${tableName}: unit id ${JSON.stringify(s)} is not a zone code of ${rasterName} (expected a number)`);
    if (pos.has(v)) throw new InputError(`${tableName}: zone code ${s} appears twice`);
    pos.set(v, i);
  });
  const missing: number[] = [];
  const map = new Int32Array(adj.codes.length);
  adj.codes.forEach((c, k) => {
    const i = pos.get(c);
    if (i === undefined) missing.push(c);
    map[k] = i ?? -1;
  });
  if (missing.length) {
    throw new InputError(`${rasterName}: zone code${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} ha${missing.length > 1 ? 've' : 's'} no row in ${tableName}`);
  }
  const pairs = new Int32Array(adj.pairs.length);
  for (let p = 0; p < adj.pairs.length; p++) pairs[p] = map[adj.pairs[p]];
  return fromPairs(ids, pairs, `${rule} contiguity of ${rasterName}`);
}

// ---- GAL / GWT files ----------------------------------------------------------------------

/**
 * Reads a GAL file (GeoDa/PySAL/spdep): a header line ("n" or "0 n shapefile idvar"), then for
 * each unit a line "id k" followed by a line of k neighbour ids. Ids are matched to `ids`
 * (the table's id column, or 1-based row numbers).
 */
export function readGal(text: string, source: string, ids: string[]): SpatialWeights {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  let li = 0;
  while (li < lines.length && lines[li] === '') li++;
  if (li >= lines.length) throw new InputError(`${source}: empty GAL file`);
  const head = lines[li++].split(/\s+/);
  const n = Number(head.length >= 2 ? head[1] : head[0]);
  if (!Number.isInteger(n) || n < 0) throw new InputError(`${source}: line 1: expected "n" or "0 n name idvar", got ${JSON.stringify(lines[li - 1])}`);
  if (n !== ids.length) throw new InputError(`${source}: ${n} units in the GAL header, the table has ${ids.length}`);
  const pos = new Map<string, number>();
  ids.forEach((s, i) => {
    if (pos.has(s)) throw new InputError(`${source}: unit id ${JSON.stringify(s)} appears twice in the table`);
    pos.set(s, i);
  });
  const lists: number[][] = ids.map(() => []);
  const seen = new Uint8Array(n);
  const look = (s: string, line: number) => {
    const i = pos.get(s);
    if (i === undefined) throw new InputError(`${source}: line ${line}: unit id ${JSON.stringify(s)} is not in the table`);
    return i;
  };
  for (let u = 0; u < n; u++) {
    while (li < lines.length && lines[li] === '') li++;
    if (li >= lines.length) throw new InputError(`${source}: ended after ${u} of ${n} units`);
    const hl = li + 1;
    const h = lines[li++].split(/\s+/);
    if (h.length !== 2) throw new InputError(`${source}: line ${hl}: expected "id count", got ${JSON.stringify(lines[hl - 1])}`);
    const i = look(h[0], hl);
    const k = Number(h[1]);
    if (!Number.isInteger(k) || k < 0) throw new InputError(`${source}: line ${hl}: expected a neighbour count, got ${JSON.stringify(h[1])}`);
    if (seen[i]) throw new InputError(`${source}: line ${hl}: unit ${h[0]} listed twice`);
    seen[i] = 1;
    const nl = li + 1;
    const nb = k === 0 ? (lines[li] === '' ? (li++, []) : []) : lines[li++]?.split(/\s+/) ?? [];
    if (k > 0 && nb.length !== k) throw new InputError(`${source}: line ${nl}: expected ${k} neighbour ids for unit ${h[0]}, got ${nb.length}`);
    for (const s of nb) lists[i].push(look(s, nl));
  }
  return fromNeighborLists(ids, lists, source);
}

/** Writes a GAL file ("0 n landcarbon id" header). Only the neighbour sets are written. */
export function writeGal(w: SpatialWeights): string {
  const out = [`0 ${w.ids.length} landcarbon id`];
  w.neighbors.forEach((nb, i) => {
    out.push(`${w.ids[i]} ${nb.length}`);
    out.push(Array.from(nb, (j) => w.ids[j]).join(' '));
  });
  return out.join('\n') + '\n';
}

/** Reads a GWT file: header "0 n name idvar" (or "n"), then lines "id_i id_j w_ij". */
export function readGwt(text: string, source: string, ids: string[]): SpatialWeights {
  const lines = text.split(/\r?\n/);
  const pos = new Map<string, number>();
  ids.forEach((s, i) => pos.set(s, i));
  const head = lines[0]?.trim().split(/\s+/) ?? [];
  const n = Number(head.length >= 2 ? head[1] : head[0]);
  if (!Number.isInteger(n)) throw new InputError(`${source}: line 1: expected "0 n name idvar", got ${JSON.stringify(lines[0])}`);
  if (n !== ids.length) throw new InputError(`${source}: ${n} units in the GWT header, the table has ${ids.length}`);
  const rows: Map<number, number>[] = ids.map(() => new Map());
  for (let l = 1; l < lines.length; l++) {
    const t = lines[l].trim();
    if (t === '') continue;
    const f = t.split(/\s+/);
    const i = pos.get(f[0]), j = pos.get(f[1]), v = Number(f[2]);
    if (f.length !== 3 || i === undefined || j === undefined || !Number.isFinite(v)) {
      throw new InputError(`${source}: line ${l + 1}: expected "id id weight" with ids from the table, got ${JSON.stringify(t)}`);
    }
    if (i === j) throw new InputError(`${source}: line ${l + 1}: unit ${f[0]} lists itself`);
    rows[i].set(j, v);
  }
  const neighbors = rows.map((m) => Int32Array.from([...m.keys()]).sort());
  const weights = rows.map((m, i) => Float64Array.from(neighbors[i], (j) => m.get(j)!));
  return { ids, neighbors, weights, transform: 'o', source };
}

/** Writes a GWT file with the current weights. */
export function writeGwt(w: SpatialWeights): string {
  const out = [`0 ${w.ids.length} landcarbon id`];
  w.neighbors.forEach((nb, i) => nb.forEach((j, k) => out.push(`${w.ids[i]} ${w.ids[j]} ${w.weights[i][k]}`)));
  return out.join('\n') + '\n';
}
