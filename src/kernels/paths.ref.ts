/**
 * Plain TypeScript reference of assembly/paths.ts (Brandes betweenness + closeness sums on a
 * CSR graph), plus the host-side pieces shared with the WASM wrapper: CSR building and
 * validation, the source-chunk plan, sampling, and the final normalisations (networkx's).
 *
 * Definitions (methods.md section 9), for a directed graph of n nodes, as networkx 3.x:
 *   out_degree(v) = outdeg(v) / (n - 1), in_degree(v) = indeg(v) / (n - 1)   (n = 1: 1)
 *   betweenness(v) = sum_{s != v != t} sigma_st(v) / sigma_st / ((n - 1)(n - 2))   (n <= 2: raw)
 *     = networkx betweenness_centrality(G, normalized=True[, weight])
 *   in_closeness(v)  = (r / S) * (r / (n - 1)), r = #{u != v : u reaches v}, S = sum_u d(u, v)
 *     = networkx closeness_centrality(G, wf_improved=True) (networkx uses INCOMING distance on a
 *       DiGraph); 0 when S = 0 or n = 1
 *   out_closeness(v) = the same over d(v, u) = networkx closeness_centrality(G.reverse())
 * Shortest-path ties on weighted graphs: exactly equal f64 lengths only (networkx's rule);
 * igraph's 1e-10 relative tolerance can move betweenness on float distances.
 * The reference processes sources in the same chunks as the WASM wrapper and reduces the
 * per-chunk partial sums in chunk order, so both give bit-identical results.
 */
import { ConfigError, InputError } from '../errors.js';
import { RngKey, rngF64 } from './rng.ref.js';

export interface CsrGraph {
  n: number;
  /** i32[n + 1] */
  offsets: Int32Array;
  /** i32[m], sorted by target within each row */
  targets: Int32Array;
  /** f64[m] (> 0, finite) or null for hop counts */
  weights: Float64Array | null;
}

export interface BuildCsrOptions {
  /** Where the edges came from, for messages (a file name). */
  source?: string;
  /** Node labels for messages (default: the index). */
  labels?: ArrayLike<string>;
  /** Add both directions of every edge (undirected graph). */
  undirected?: boolean;
}

/**
 * Builds a CSR graph from an edge list, validating it. Rules (each an InputError naming the
 * source, the edge and the value): node index outside [0, n); a self-loop (u -> u); a duplicate
 * edge (the same ordered pair twice; for undirected graphs u-v and v-u are the same edge);
 * a weight that is not finite, negative, or zero (shortest paths need weights > 0).
 */
export function buildCsr(n: number, from: ArrayLike<number>, to: ArrayLike<number>, weight: ArrayLike<number> | null = null, opts: BuildCsrOptions = {}): CsrGraph {
  const src = opts.source ?? 'graph';
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new ConfigError(`${src}: node count must be a non-negative integer, got ${n}`);
  const m0 = from.length;
  if (to.length !== m0 || (weight && weight.length !== m0)) throw new ConfigError(`${src}: from/to/weight lengths differ (${from.length}, ${to.length}, ${weight?.length})`);
  const lab = (i: number): string => (opts.labels ? String(opts.labels[i]) : String(i));
  const edgeName = (e: number): string => `edge ${e + 1} (${lab(from[e])} -> ${lab(to[e])})`;
  for (let e = 0; e < m0; e++) {
    const a = from[e];
    const b = to[e];
    if (!Number.isInteger(a) || a < 0 || a >= n || !Number.isInteger(b) || b < 0 || b >= n) {
      throw new InputError(`${src}: edge ${e + 1}: node index (${a}, ${b}) outside [0, ${n})`);
    }
    if (a === b) throw new InputError(`${src}: ${edgeName(e)} is a self-loop; remove it (self-loops carry no shortest paths and would count in degree)`);
    if (weight) {
      const w = weight[e];
      if (!Number.isFinite(w)) throw new InputError(`${src}: ${edgeName(e)}: weight ${w} is not a finite number`);
      if (w < 0) throw new InputError(`${src}: ${edgeName(e)}: negative weight ${w}; shortest paths need weights > 0`);
      if (w === 0) throw new InputError(`${src}: ${edgeName(e)}: zero weight; shortest paths need weights > 0`);
    }
  }
  const m = opts.undirected ? 2 * m0 : m0;
  const ea = new Int32Array(m);
  const eb = new Int32Array(m);
  const ew = weight ? new Float64Array(m) : null;
  for (let e = 0; e < m0; e++) {
    ea[e] = from[e];
    eb[e] = to[e];
    if (ew) ew[e] = weight![e];
    if (opts.undirected) {
      ea[m0 + e] = to[e];
      eb[m0 + e] = from[e];
      if (ew) ew[m0 + e] = weight![e];
    }
  }
  // counting sort by source, then sort each row by target (stable, deterministic)
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) offsets[ea[e] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const fill = offsets.slice(0, n);
  const order = new Int32Array(m);
  for (let e = 0; e < m; e++) order[fill[ea[e]]++] = e;
  const targets = new Int32Array(m);
  const weights = ew ? new Float64Array(m) : null;
  for (let v = 0; v < n; v++) {
    const a = offsets[v];
    const b = offsets[v + 1];
    const row = Array.from(order.subarray(a, b)).sort((x, y) => eb[x] - eb[y] || x - y);
    for (let k = 0; k < row.length; k++) {
      const e = row[k];
      if (k > 0 && eb[e] === eb[row[k - 1]]) {
        const orig = (x: number) => (x >= m0 ? x - m0 : x);
        throw new InputError(`${src}: ${edgeName(orig(e))} duplicates ${edgeName(orig(row[k - 1]))}`);
      }
      targets[a + k] = eb[e];
      if (weights) weights[a + k] = ew![e];
    }
  }
  return { n, offsets, targets, weights };
}

export function outDegrees(g: CsrGraph): Int32Array {
  const d = new Int32Array(g.n);
  for (let v = 0; v < g.n; v++) d[v] = g.offsets[v + 1] - g.offsets[v];
  return d;
}

export function inDegrees(g: CsrGraph): Int32Array {
  const d = new Int32Array(g.n);
  for (let e = 0; e < g.targets.length; e++) d[g.targets[e]]++;
  return d;
}

export interface PathsOptions {
  /** Brandes–Pich sampling: use k sources drawn without replacement (seeded); default all n. */
  sample?: number;
  /** Seed of the source sample (default 0). */
  seed?: number;
  /** Compute betweenness (default true). */
  betweenness?: boolean;
  /** Compute closeness (default true; not available with sampling). */
  closeness?: boolean;
}

export interface SamplingReport {
  /** Sources used. */
  k: number;
  seed: number;
  /** Per-node estimated standard error of the (normalised) betweenness estimate. */
  stdErr: Float64Array;
  maxStdErr: number;
  meanStdErr: number;
}

export interface Centrality {
  n: number;
  outDegree: Float64Array;
  inDegree: Float64Array;
  /** NaN when not computed (sampling or closeness: false). */
  outCloseness: Float64Array;
  inCloseness: Float64Array;
  /** NaN when not computed. */
  betweenness: Float64Array;
  weighted: boolean;
  sampling: SamplingReport | null;
}

/** Raw sums of one run (after the fixed-order reduction of task partials). */
export interface PathSums {
  betw: Float64Array | null;
  bsq: Float64Array | null;
  inSum: Float64Array | null;
  inReach: Int32Array | null;
  outSum: Float64Array | null;
  outReach: Int32Array | null;
}

/** Zeroed sums for a run over n nodes (bsq only when sources are sampled, for the error estimate). */
export function newPathSums(n: number, doBetw: boolean, doClose: boolean, sampled: boolean): PathSums {
  return {
    betw: doBetw ? new Float64Array(n) : null,
    bsq: doBetw && sampled ? new Float64Array(n) : null,
    inSum: doClose ? new Float64Array(n) : null,
    inReach: doClose ? new Int32Array(n) : null,
    outSum: doClose ? new Float64Array(n) : null,
    outReach: doClose ? new Int32Array(n) : null,
  };
}

/** Sources of a run: all nodes 0..n-1 (null) or a seeded sample (Fisher–Yates on rng stream 0x5041 "PA"). */
export function chooseSources(n: number, opts: PathsOptions): Int32Array | null {
  if (opts.sample === undefined) return null;
  const k = opts.sample;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ConfigError(`sample: expected an integer in [1, ${n}] sources, got ${k}`);
  if (k === n) return null;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) throw new ConfigError(`seed: expected a non-negative integer, got ${seed}`);
  const key = new RngKey(BigInt(seed), 0x5041);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rngF64(key, i) * (n - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, k).sort();
}

/**
 * The fixed chunk plan over source positions [0, K): depends only on K (never on threads), so
 * partial sums are reduced identically for any thread count. At most 64 chunks of >= 8 sources.
 */
export function sourceChunks(K: number): Array<[number, number]> {
  const chunks = Math.max(1, Math.min(64, Math.ceil(K / 8)));
  const size = Math.ceil(K / chunks);
  const out: Array<[number, number]> = [];
  for (let a = 0; a < K; a += size) out.push([a, Math.min(K, a + size)]);
  if (out.length === 0) out.push([0, 0]);
  return out;
}

/** networkx-style normalisation of the raw sums into centralities. */
export function finishCentrality(g: CsrGraph, sums: PathSums, sources: Int32Array | null, seed: number): Centrality {
  const n = g.n;
  const od = outDegrees(g);
  const id = inDegrees(g);
  const outDegree = new Float64Array(n);
  const inDegree = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    outDegree[v] = n <= 1 ? 1 : od[v] / (n - 1);
    inDegree[v] = n <= 1 ? 1 : id[v] / (n - 1);
  }
  const closeness = (sum: Float64Array | null, reach: Int32Array | null): Float64Array => {
    const c = new Float64Array(n);
    if (!sum || !reach) return c.fill(NaN);
    for (let v = 0; v < n; v++) {
      const tot = sum[v];
      const r = reach[v];
      c[v] = tot > 0 && n > 1 ? (r / tot) * (r / (n - 1)) : 0;
    }
    return c;
  };
  const K = sources ? sources.length : n;
  const betweenness = new Float64Array(n);
  let sampling: SamplingReport | null = null;
  if (!sums.betw) betweenness.fill(NaN);
  else {
    let scale = n <= 2 ? 1 : 1 / ((n - 1) * (n - 2));
    if (sources) scale = (scale * n) / K;
    for (let v = 0; v < n; v++) betweenness[v] = sums.betw[v] * scale;
    if (sources && sums.bsq) {
      // estimator B = (n/K) sum_s x_s over K sources drawn without replacement; its standard
      // error sqrt((1 - K/n) s^2 / K) * n, s^2 the sample variance of x_s, then normalised
      const base = n <= 2 ? 1 : 1 / ((n - 1) * (n - 2));
      const stdErr = new Float64Array(n);
      let mx = 0;
      let tot = 0;
      for (let v = 0; v < n; v++) {
        const s1 = sums.betw[v];
        const s2 = sums.bsq[v];
        const s2v = K > 1 ? Math.max(0, (s2 - (s1 * s1) / K) / (K - 1)) : 0;
        const se = base * n * Math.sqrt(((1 - K / n) * s2v) / K);
        stdErr[v] = se;
        mx = Math.max(mx, se);
        tot += se;
      }
      sampling = { k: K, seed, stdErr, maxStdErr: mx, meanStdErr: n > 0 ? tot / n : 0 };
    }
  }
  return {
    n,
    outDegree,
    inDegree,
    outCloseness: sources ? new Float64Array(n).fill(NaN) : closeness(sums.outSum, sums.outReach),
    inCloseness: sources ? new Float64Array(n).fill(NaN) : closeness(sums.inSum, sums.inReach),
    betweenness,
    weighted: g.weights !== null,
    sampling,
  };
}

export function checkPathsOptions(g: CsrGraph, opts: PathsOptions): { sources: Int32Array | null; doBetw: boolean; doClose: boolean } {
  const sources = chooseSources(g.n, opts);
  const doBetw = opts.betweenness ?? true;
  const doClose = (opts.closeness ?? true) && !sources;
  if (opts.closeness === true && sources) throw new ConfigError('closeness: not available with source sampling (it needs every source); pass closeness: false');
  return { sources, doBetw, doClose };
}

/**
 * One chunk of sources [k0, k1): the reference of paths_brandes. Accumulates into betw, bsq,
 * inSum, inReach (+=) and writes outSum[s], outReach[s] (=).
 */
export function brandesChunkRef(g: CsrGraph, src: Int32Array | null, k0: number, k1: number, out: PathSums): void {
  const { n, offsets: off, targets: tgt, weights: wgt } = g;
  const dist = new Float64Array(n).fill(Infinity);
  const sigma = new Float64Array(n);
  const coef = new Float64Array(n);
  const stack = new Int32Array(n);
  const hkey = new Float64Array(n);
  const hnode = new Int32Array(n);
  const pos = new Int32Array(n).fill(-1);
  const { betw, bsq, inSum, inReach, outSum, outReach } = out;
  for (let k = k0; k < k1; k++) {
    const s = src ? src[k] : k;
    let cnt = 0;
    dist[s] = 0;
    sigma[s] = 1;
    if (!wgt) {
      stack[cnt++] = s;
      let head = 0;
      while (head < cnt) {
        const v = stack[head++];
        const dv1 = dist[v] + 1;
        const sv = sigma[v];
        for (let e = off[v]; e < off[v + 1]; e++) {
          const w = tgt[e];
          const dw = dist[w];
          if (dw === Infinity) {
            dist[w] = dv1;
            sigma[w] = sv;
            stack[cnt++] = w;
          } else if (dw === dv1) sigma[w] += sv;
        }
      }
    } else {
      hkey[0] = 0;
      hnode[0] = s;
      pos[s] = 0;
      let hsize = 1;
      while (hsize > 0) {
        const v = hnode[0];
        pos[v] = -1;
        hsize--;
        if (hsize > 0) {
          const lk = hkey[hsize];
          const ln = hnode[hsize];
          let i = 0;
          for (;;) {
            let c = 2 * i + 1;
            if (c >= hsize) break;
            let ck = hkey[c];
            if (c + 1 < hsize && hkey[c + 1] < ck) {
              c = c + 1;
              ck = hkey[c];
            }
            if (!(ck < lk)) break;
            hkey[i] = ck;
            hnode[i] = hnode[c];
            pos[hnode[c]] = i;
            i = c;
          }
          hkey[i] = lk;
          hnode[i] = ln;
          pos[ln] = i;
        }
        stack[cnt++] = v;
        const dv = dist[v];
        const sv = sigma[v];
        for (let e = off[v]; e < off[v + 1]; e++) {
          const w = tgt[e];
          const nd = dv + wgt[e];
          const dw = dist[w];
          if (nd < dw) {
            dist[w] = nd;
            sigma[w] = sv;
            let i = pos[w];
            if (i < 0) i = hsize++;
            while (i > 0) {
              const p = (i - 1) >> 1;
              if (!(nd < hkey[p])) break;
              hkey[i] = hkey[p];
              hnode[i] = hnode[p];
              pos[hnode[p]] = i;
              i = p;
            }
            hkey[i] = nd;
            hnode[i] = w;
            pos[w] = i;
          } else if (nd === dw) sigma[w] += sv;
        }
      }
    }
    if (outSum || inSum) {
      let tot = 0;
      for (let i = 1; i < cnt; i++) {
        const v = stack[i];
        tot += dist[v];
        if (inSum) {
          inSum[v] += dist[v];
          inReach![v]++;
        }
      }
      if (outSum) {
        outSum[s] = tot;
        outReach![s] = cnt - 1;
      }
    }
    if (betw) {
      for (let i = cnt - 1; i >= 0; i--) {
        const v = stack[i];
        const dv = dist[v];
        let acc = 0;
        if (!wgt) {
          const dv1 = dv + 1;
          for (let e = off[v]; e < off[v + 1]; e++) if (dist[tgt[e]] === dv1) acc += coef[tgt[e]];
        } else {
          for (let e = off[v]; e < off[v + 1]; e++) if (dist[tgt[e]] === dv + wgt[e]) acc += coef[tgt[e]];
        }
        const sv = sigma[v];
        const dlt = sv * acc;
        if (v !== s) {
          betw[v] += dlt;
          if (bsq) bsq[v] += dlt * dlt;
        }
        coef[v] = (1 + dlt) / sv;
      }
    }
    for (let i = 0; i < cnt; i++) dist[stack[i]] = Infinity;
  }
}

/** Reference centralities: same chunks and reduction order as the WASM wrapper. */
export function centralityRef(g: CsrGraph, opts: PathsOptions = {}): Centrality {
  const { sources, doBetw, doClose } = checkPathsOptions(g, opts);
  const n = g.n;
  const K = sources ? sources.length : n;
  const total = newPathSums(n, doBetw, doClose, sources !== null);
  if (doBetw || doClose) {
    for (const [k0, k1] of sourceChunks(K)) {
      const part: PathSums = {
        betw: total.betw ? new Float64Array(n) : null,
        bsq: total.bsq ? new Float64Array(n) : null,
        inSum: total.inSum ? new Float64Array(n) : null,
        inReach: total.inReach ? new Int32Array(n) : null,
        outSum: total.outSum,
        outReach: total.outReach,
      };
      brandesChunkRef(g, sources, k0, k1, part);
      reduceInto(total, part);
    }
  }
  return finishCentrality(g, total, sources, opts.seed ?? 0);
}

/** total += part for the per-task partial arrays, element by element (fixed order by caller). */
export function reduceInto(total: PathSums, part: { betw: ArrayLike<number> | null; bsq: ArrayLike<number> | null; inSum: ArrayLike<number> | null; inReach: ArrayLike<number> | null }): void {
  const add = (t: Float64Array | Int32Array | null, p: ArrayLike<number> | null) => {
    if (!t || !p) return;
    for (let v = 0; v < t.length; v++) t[v] += p[v];
  };
  add(total.betw, part.betw);
  add(total.bsq, part.bsq);
  add(total.inSum, part.inSum);
  add(total.inReach, part.inReach);
}
