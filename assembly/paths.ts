// Single-source shortest paths with Brandes dependency accumulation and closeness sums.
//
// Rule (Brandes 2001, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25(2)):
// for each source s: shortest-path DAG by BFS (hop counts, unweighted) or Dijkstra (binary heap,
// positive f64 weights); sigma[v] = number of shortest s-v paths; then in reverse settle order
//   delta[v] = sigma[v] * sum_{w : d(s,w) = d(s,v) + w(v,w)} (1 + delta[w]) / sigma[w]
// and betweenness[v] += delta[v] for v != s (unnormalised; the host scales by 1/((n-1)(n-2))).
// Two path lengths tie only when EXACTLY equal in f64 (networkx's rule: `vw_dist == seen[w]`);
// igraph treats lengths within 1e-10 relative as equal, which can differ on float distances.
// Closeness sums (units: hops, or the weights' unit): for each source s,
//   outSum[s] = sum_v d(s, v), outReach[s] = #{v != s reachable from s}   (out-closeness of s)
//   inSum[v] += d(s, v), inReach[v] += 1 for every v != s reached            (in-closeness of v)
// The host forms Wasserman–Faust closeness ((r)/(n-1)) * (r / sum d) like networkx.
//
// Graph: CSR laid out by the host, offsets i32[n+1], targets i32[m], weights f64[m] (wPtr = 0:
// unweighted, BFS). Weights must be finite and > 0 (validated by the host; release builds do
// not check). Sources: src i32[K] (src = 0: identity), taken by position in chunks.
// Scratch (host-provided, 44 bytes per node per thread, no allocation here):
//   dist f64[n] | sigma f64[n] | coef f64[n] | heapKey f64[n] | stack i32[n] | heapNode i32[n] | pos i32[n]
// Outputs (any of them may be skipped): betw f64[n] and bsq f64[n] (sum of squared per-source
// dependencies, for sampling error estimates), inSum f64[n], inReach i32[n] are per-chunk
// partial sums (accumulated +=); outSum f64[n], outReach i32[n] are indexed by source node and
// written (=), so chunks (disjoint sources) write disjoint entries.
//
// Threads: paths_brandes_chunks is called once per thread, each with its own scratch (and its own
// copy of the graph, which the host may provide: see src/kernels/paths.ts); the threads
// claim source chunks from a shared counter (atomic add, dynamic load balancing, no per-chunk
// round trip to the host). Chunk c is sources [c*chunk, min(K, (c+1)*chunk)) and owns its own
// zeroed partial block at parts + c*stride, so every chunk's partial sums are the same whichever
// thread computed them; paths_reduce_f64/_i32 then add the partials in chunk order (the fixed
// float order that makes results bit-identical for any thread count).

// @ts-ignore: decorator
@inline function ldI(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function stI(p: usize, i: i32, v: i32): void { store<i32>(p + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline function ldF(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function stF(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }

/** Bytes of scratch one task needs for n nodes. */
export function paths_scratch_bytes(n: i32): i32 {
  return n * 44;
}

/** Scratch ready for runSources: every dist = Infinity, every heap position = -1. */
function initScratch(n: i32, scratch: usize): void {
  const dist = scratch;
  const pos = scratch + <usize>n * 40;
  for (let v = 0; v < n; v++) {
    stF(dist, v, Infinity);
    stI(pos, v, -1);
  }
}

/**
 * One thread's share of a run: claims chunks c = atomic next++ until c >= nChunks; zeroes the
 * chunk's partial block (stride bytes at parts + c*stride), then runs its sources with the
 * partial arrays at byte offsets betwOff, bsqOff, inSumOff, inReachOff of the block (< 0: skip).
 * Returns the number of chunks this call processed.
 */
export function paths_brandes_chunks(
  n: i32, off: usize, tgt: usize, wgt: usize, src: usize,
  K: i32, chunk: i32, nChunks: i32, next: usize, scratch: usize,
  parts: usize, stride: i32, betwOff: i32, bsqOff: i32, inSumOff: i32, inReachOff: i32,
  outSum: usize, outReach: usize,
): i32 {
  initScratch(n, scratch);
  let done = 0;
  while (true) {
    const c = atomic.add<i32>(next, 1);
    if (c >= nChunks) break;
    const base = parts + <usize>c * <usize>stride;
    memory.fill(base, 0, <usize>stride);
    const k0 = c * chunk;
    const k1 = min(K, k0 + chunk);
    runSources(
      n, off, tgt, wgt, src, k0, k1, scratch,
      betwOff < 0 ? 0 : base + <usize>betwOff, bsqOff < 0 ? 0 : base + <usize>bsqOff,
      inSumOff < 0 ? 0 : base + <usize>inSumOff, inReachOff < 0 ? 0 : base + <usize>inReachOff,
      outSum, outReach,
    );
    done++;
  }
  return done;
}

/** dst[v] += part_c[v] for c = 0, 1, ..., nChunks - 1 in order (part_c = parts + c*stride + at). */
export function paths_reduce_f64(n: i32, parts: usize, stride: i32, nChunks: i32, at: i32, dst: usize): void {
  for (let c = 0; c < nChunks; c++) {
    const p = parts + <usize>c * <usize>stride + <usize>at;
    for (let v = 0; v < n; v++) stF(dst, v, ldF(dst, v) + ldF(p, v));
  }
}

/** The same for i32 partials (reach counts). */
export function paths_reduce_i32(n: i32, parts: usize, stride: i32, nChunks: i32, at: i32, dst: usize): void {
  for (let c = 0; c < nChunks; c++) {
    const p = parts + <usize>c * <usize>stride + <usize>at;
    for (let v = 0; v < n; v++) stI(dst, v, ldI(dst, v) + ldI(p, v));
  }
}

/** Sources at positions [k0, k1); expects dist = Infinity and pos = -1 everywhere and leaves them so. */
function runSources(
  n: i32, off: usize, tgt: usize, wgt: usize,
  src: usize, k0: i32, k1: i32, scratch: usize,
  betw: usize, bsq: usize, inSum: usize, inReach: usize, outSum: usize, outReach: usize,
): void {
  const dist = scratch;
  const sigma = dist + (<usize>n << 3);
  const coef = sigma + (<usize>n << 3);
  const hkey = coef + (<usize>n << 3);
  const stack = hkey + (<usize>n << 3);
  const hnode = stack + (<usize>n << 2);
  const pos = hnode + (<usize>n << 2);
  for (let k = k0; k < k1; k++) {
    const s = src != 0 ? ldI(src, k) : k;
    let cnt = 0;
    stF(dist, s, 0.0);
    stF(sigma, s, 1.0);
    if (wgt == 0) {
      // ---- BFS: the stack doubles as the FIFO queue (BFS order = settle order)
      stI(stack, 0, s);
      cnt = 1;
      let head = 0;
      while (head < cnt) {
        const v = ldI(stack, head++);
        const dv1 = ldF(dist, v) + 1.0;
        const sv = ldF(sigma, v);
        const e1 = ldI(off, v + 1);
        for (let e = ldI(off, v); e < e1; e++) {
          const w = ldI(tgt, e);
          const dw = ldF(dist, w);
          if (dw == Infinity) {
            stF(dist, w, dv1);
            stF(sigma, w, sv);
            stI(stack, cnt++, w);
          } else if (dw == dv1) {
            stF(sigma, w, ldF(sigma, w) + sv);
          }
        }
      }
    } else {
      // ---- Dijkstra with an indexed binary heap (decrease-key), keys beside nodes
      stF(hkey, 0, 0.0);
      stI(hnode, 0, s);
      stI(pos, s, 0);
      let hsize = 1;
      while (hsize > 0) {
        const v = ldI(hnode, 0);
        stI(pos, v, -1);
        hsize--;
        if (hsize > 0) {
          // move the last entry to the root and sift it down
          const lk = ldF(hkey, hsize);
          const ln = ldI(hnode, hsize);
          let i = 0;
          while (true) {
            let c = 2 * i + 1;
            if (c >= hsize) break;
            let ck = ldF(hkey, c);
            const c2 = c + 1;
            if (c2 < hsize) {
              const k2 = ldF(hkey, c2);
              if (k2 < ck) { c = c2; ck = k2; }
            }
            if (!(ck < lk)) break;
            const cn = ldI(hnode, c);
            stF(hkey, i, ck);
            stI(hnode, i, cn);
            stI(pos, cn, i);
            i = c;
          }
          stF(hkey, i, lk);
          stI(hnode, i, ln);
          stI(pos, ln, i);
        }
        stI(stack, cnt++, v);
        const dv = ldF(dist, v);
        const sv = ldF(sigma, v);
        const e1 = ldI(off, v + 1);
        for (let e = ldI(off, v); e < e1; e++) {
          const w = ldI(tgt, e);
          const nd = dv + ldF(wgt, e);
          const dw = ldF(dist, w);
          if (nd < dw) {
            stF(dist, w, nd);
            stF(sigma, w, sv);
            let i = ldI(pos, w);
            if (i < 0) i = hsize++;
            // sift up from i
            while (i > 0) {
              const p = (i - 1) >> 1;
              const pk = ldF(hkey, p);
              if (!(nd < pk)) break;
              const pn = ldI(hnode, p);
              stF(hkey, i, pk);
              stI(hnode, i, pn);
              stI(pos, pn, i);
              i = p;
            }
            stF(hkey, i, nd);
            stI(hnode, i, w);
            stI(pos, w, i);
          } else if (nd == dw) {
            stF(sigma, w, ldF(sigma, w) + sv);
          }
        }
      }
    }
    // ---- closeness sums, in settle order (networkx sums its path-length dict in this order)
    if (outSum != 0 || inSum != 0) {
      let tot = 0.0;
      for (let i = 1; i < cnt; i++) {
        const v = ldI(stack, i);
        const dv = ldF(dist, v);
        tot += dv;
        if (inSum != 0) {
          stF(inSum, v, ldF(inSum, v) + dv);
          stI(inReach, v, ldI(inReach, v) + 1);
        }
      }
      if (outSum != 0) {
        stF(outSum, s, tot);
        stI(outReach, s, cnt - 1);
      }
    }
    // ---- dependency accumulation in reverse settle order, pulling from successors
    if (betw != 0) {
      for (let i = cnt - 1; i >= 0; i--) {
        const v = ldI(stack, i);
        const dv = ldF(dist, v);
        let acc = 0.0;
        const e1 = ldI(off, v + 1);
        if (wgt == 0) {
          const dv1 = dv + 1.0;
          for (let e = ldI(off, v); e < e1; e++) {
            const w = ldI(tgt, e);
            if (ldF(dist, w) == dv1) acc += ldF(coef, w);
          }
        } else {
          for (let e = ldI(off, v); e < e1; e++) {
            const w = ldI(tgt, e);
            if (ldF(dist, w) == dv + ldF(wgt, e)) acc += ldF(coef, w);
          }
        }
        const sv = ldF(sigma, v);
        const dlt = sv * acc;
        if (v != s) {
          stF(betw, v, ldF(betw, v) + dlt);
          if (bsq != 0) stF(bsq, v, ldF(bsq, v) + dlt * dlt);
        }
        stF(coef, v, (1.0 + dlt) / sv);
      }
    }
    // ---- reset what this source touched
    for (let i = 0; i < cnt; i++) stF(dist, ldI(stack, i), Infinity);
  }
}
