// FLUS demand enforcement, candidate selection (sync update, step 2 of src/models/flus.ts; seed
// 004 eq. 3-5, Liu et al. 2017; methods.md section 3). Units: class indices 0..K-1 (255 = NoData),
// cell indices (u32, global), counts of cells; keys are bit patterns (no arithmetic on values).
//
// A cell i is a proposed conversion when prop[i] != cur[i] and prop[i] != 255 (counted as
// "proposed"); it is a candidate when additionally flags[prop[i]] has bit 0 (the target class
// may still gain cells) and flags[cur[i]] has bit 1 (the source class may still lose cells).
// flags is a 256-byte per-class table the host fills (flags[255] = 0; K may be up to 254, so a
// table, not a bit set). The host ranks candidates by the 64-bit sort key
//   hi = ~key[i]                     (key = float32 bits of sp_k / sp_c from assembly/ca.ts:
//                                     ascending hi = descending priority)
//   lo = tiePermute(i, tieKey)       (the seeded tie-break order; bit-identical to tiePermute in
//                                     src/models/flus.ts: xor with the key, then two rounds of
//                                     multiply by an odd constant mod 2^32 and xorshift 16)
//   sortKey = hi * 2^32 + lo         (stored as a little-endian u64: lo word first)
// The host gets 16-byte records: the sort key (u64), then the cell index i (u32), cur[i] (u8),
// prop[i] (u8) and 2 bytes of zero padding, so accepting needs no lookup in the map. It
// accepts them greedily in ascending sortKey (src/models/flus.ts, enforceDemandWasm). To avoid
// sorting every candidate, the candidates are bucketed by the top bits of hi (bin = hi >>> shift,
// 2^(32 - shift) bins, shift in 16..24 chosen by the host; ascending bin = descending priority)
// and collected a contiguous range of bins at a time: every key of bin b is below every key of bin b + 1, so sorting each collected range
// (or each group of consecutive bins within it) gives the same order as sorting all of them.
//
//   demand_hist(cur, prop, key, i0, i1, flags, shift, hist, simd) -> proposed
//       over cells [i0, i1): hist[bin] += 1 per candidate (hist = 2^(32 - shift) u32, zeroed here);
//       returns the number of proposed conversions in the range (u32 bits).
//   demand_collect(cur, prop, key, i0, i1, flags, shift, binLo, binHi, group, cursors, tieKey, hist, simd) -> count
//       appends the record of each candidate in [i0, i1) with binLo <= bin < binHi to the run
//       of its group g = group[bin] (u8 per bin): cursors holds this task's (next, end) byte
//       addresses per group (u32 pairs); next advances by 16 per record, nothing is written at or
//       past end. Returns the number of such candidates (the host checks that the runs took them
//       all). Groups split the range into consecutive bin sub-ranges, so the host can sort and
//       use one group at a time. If hist != 0, it also recounts hist[binHi..bins) under the
//       current flags (the lower bins are left as they were), so the host sizes the next range
//       by the classes still open.
//   demand_sort(recs, tmp, m, count) -> address of recs[0..m) sorted by key (recs or tmp):
//       LSD radix sort on the hi words (8-bit digits, passes with a single digit value skipped),
//       then each run of equal hi words sorted by lo (insertion sort, or radix for long runs).
//   demand_tie_permute(i, k) -> tiePermute(i, k) (for tests).
// simd != 0 tests 16 cells at a time for prop != cur && prop != 255 (i8x16 compare + bitmask)
// and, when no class >= 16 is flagged, the class flags too (i8x16.swizzle on flags[0..16)), then
// visits the set bits only; the scalar path (simd == 0) tests one cell at a time. Both give the
// same results. No allocation, no state: tasks over disjoint cell ranges with their own hist /
// out buffers can run in any order on any thread.

// @ts-ignore: decorator
@inline const PERM_M1: u32 = 0x1ce4e5b9;
// @ts-ignore: decorator
@inline const PERM_M2: u32 = 0x133111eb;
// @ts-ignore: decorator
@inline const NODATA: u8 = 255;

/** The seeded bijection of cell indices of src/models/flus.ts (tiePermute), u32 arithmetic. */
// @ts-ignore: decorator
@inline function tiePermute(i: u32, k: u32): u32 {
  let x = (i ^ k) * PERM_M1;
  x ^= x >>> 16;
  x *= PERM_M2;
  return x ^ (x >>> 16);
}

/** tiePermute for tests (compared bit for bit with src/models/flus.ts). */
export function demand_tie_permute(i: u32, k: u32): u32 {
  return tiePermute(i, k);
}

/** 1 when the proposed conversion c -> p (p != c, p != 255) is a candidate under flags. */
// @ts-ignore: decorator
@inline function isCandidate(flags: usize, c: u32, p: u32): bool {
  return ((<u32>load<u8>(flags + <usize>p) & 1) & (<u32>load<u8>(flags + <usize>c) >> 1)) != 0;
}

/** Proposal bits of the 16 cells at i: bit l set when prop != cur and prop != 255. */
// @ts-ignore: decorator
@inline function proposalMask(p: v128, c: v128): v128 {
  return v128.andnot(v128.not(i8x16.eq(p, c)), i8x16.eq(p, i8x16.splat(<i8>NODATA)));
}

/**
 * Candidate bits of the 16 cells at i when every class with a flag is below 16 (fl = flags[0..16)):
 * i8x16.swizzle gives flags[v] for v < 16 and 0 for v >= 16 (NoData included).
 */
// @ts-ignore: decorator
@inline function candidateMask(p: v128, c: v128, fl: v128, pm: v128): v128 {
  const gain = v128.and(i8x16.swizzle(fl, p), i8x16.splat(1));
  const lose = v128.and(i8x16.swizzle(fl, c), i8x16.splat(2));
  // gain lane is 0 or 1, lose lane 0 or 2: both set <=> the lane of gain | lose is 3
  return v128.and(pm, i8x16.eq(v128.or(gain, lose), i8x16.splat(3)));
}

/** 1 when no class >= 16 has a flag (the swizzle path applies). */
// @ts-ignore: decorator
@inline function smallFlags(flags: usize): bool {
  let any: v128 = i8x16.splat(0);
  for (let j: usize = 16; j < 256; j += 16) any = v128.or(any, v128.load(flags + j));
  return !v128.any_true(any);
}

// @ts-ignore: decorator
@inline function histAdd(key: usize, hist: usize, shift: u32, i: usize): void {
  const h = hist + (<usize>(~load<u32>(key + (i << 2)) >>> shift) << 2);
  store<u32>(h, load<u32>(h) + 1);
}

export function demand_hist(cur: usize, prop: usize, key: usize, i0: u32, i1: u32, flags: usize, shift: u32, hist: usize, simd: i32): u32 {
  memory.fill(hist, 0, <usize>(1 << (32 - shift)) << 2);
  let proposed: u32 = 0;
  let i = <usize>i0;
  const end = <usize>i1;
  if (simd != 0) {
    if (smallFlags(flags)) {
      const fl = v128.load(flags);
      for (; i + 16 <= end; i += 16) {
        const p = v128.load(prop + i), c = v128.load(cur + i);
        const pm = proposalMask(p, c);
        proposed += popcnt(<u32>i8x16.bitmask(pm));
        let m = <u32>i8x16.bitmask(candidateMask(p, c, fl, pm));
        while (m != 0) {
          histAdd(key, hist, shift, i + <usize>ctz(m));
          m &= m - 1;
        }
      }
    } else {
      for (; i + 16 <= end; i += 16) {
        let m = <u32>i8x16.bitmask(proposalMask(v128.load(prop + i), v128.load(cur + i)));
        proposed += popcnt(m);
        while (m != 0) {
          const j = i + <usize>ctz(m);
          if (isCandidate(flags, load<u8>(cur + j), load<u8>(prop + j))) histAdd(key, hist, shift, j);
          m &= m - 1;
        }
      }
    }
  }
  for (; i < end; i++) {
    const c = load<u8>(cur + i), p = load<u8>(prop + i);
    if (p == c || p == NODATA) continue;
    proposed++;
    if (isCandidate(flags, c, p)) histAdd(key, hist, shift, i);
  }
  return proposed;
}

/**
 * Candidate at cell i: if its bin is in [binLo, binHi), append its record (sort key, i, cur[i],
 * prop[i]) to its group's run (cursor pair [next, end) at cursors + 8 * group[bin]; nothing
 * written at or past end) and count it; else if hist != 0 and bin >= binHi, count it in hist.
 */
// @ts-ignore: decorator
@inline function collectCell(
  cur: usize, prop: usize, key: usize, shift: u32, binLo: u32, nBins: u32, binHi: u32, group: usize, cursors: usize, tieKey: u32, cnt: u32, hist: usize, i: usize,
): u32 {
  const hi = ~load<u32>(key + (i << 2));
  const b = hi >>> shift;
  if (b - binLo < nBins) {
    const cp = cursors + (<usize>load<u8>(group + <usize>b) << 3);
    const p = <usize>load<u32>(cp);
    if (p < <usize>load<u32>(cp, 4)) {
      store<u64>(p, (<u64>hi << 32) | <u64>tiePermute(<u32>i, tieKey));
      store<u64>(p, <u64>i | (<u64>load<u8>(cur + i) << 32) | (<u64>load<u8>(prop + i) << 40), 8);
      store<u32>(cp, <u32>(p + 16));
    }
    return cnt + 1;
  }
  if (hist != 0 && b >= binHi) {
    const h = hist + (<usize>b << 2);
    store<u32>(h, load<u32>(h) + 1);
  }
  return cnt;
}

export function demand_collect(
  cur: usize, prop: usize, key: usize, i0: u32, i1: u32, flags: usize, shift: u32,
  binLo: u32, binHi: u32, group: usize, cursors: usize, tieKey: u32, hist: usize, simd: i32,
): u32 {
  const bins: u32 = 1 << (32 - shift);
  if (binHi > bins) binHi = bins;
  if (hist != 0) memory.fill(hist + (<usize>binHi << 2), 0, <usize>(bins - binHi) << 2);
  let cnt: u32 = 0;
  const nBins = binHi > binLo ? binHi - binLo : 0;
  let i = <usize>i0;
  const end = <usize>i1;
  if (simd != 0) {
    if (smallFlags(flags)) {
      const fl = v128.load(flags);
      for (; i + 16 <= end; i += 16) {
        const p = v128.load(prop + i), c = v128.load(cur + i);
        let m = <u32>i8x16.bitmask(candidateMask(p, c, fl, proposalMask(p, c)));
        while (m != 0) {
          cnt = collectCell(cur, prop, key, shift, binLo, nBins, binHi, group, cursors, tieKey, cnt, hist, i + <usize>ctz(m));
          m &= m - 1;
        }
      }
    } else {
      for (; i + 16 <= end; i += 16) {
        let m = <u32>i8x16.bitmask(proposalMask(v128.load(prop + i), v128.load(cur + i)));
        while (m != 0) {
          const j = i + <usize>ctz(m);
          if (isCandidate(flags, load<u8>(cur + j), load<u8>(prop + j))) cnt = collectCell(cur, prop, key, shift, binLo, nBins, binHi, group, cursors, tieKey, cnt, hist, j);
          m &= m - 1;
        }
      }
    }
  }
  for (; i < end; i++) {
    const c = load<u8>(cur + i), p = load<u8>(prop + i);
    if (p == c || p == NODATA) continue;
    if (isCandidate(flags, c, p)) cnt = collectCell(cur, prop, key, shift, binLo, nBins, binHi, group, cursors, tieKey, cnt, hist, i);
  }
  return cnt;
}

/**
 * One stable counting-sort pass per 8-bit digit of the u32 at byte offset `word` (0 = lo, 4 = hi)
 * of the 16-byte records src[0..n), skipping digits where every record has the same value;
 * count = 4 x 256 u32 scratch. Returns where the records ended (src or dst).
 */
function radixWord(src: usize, dst: usize, n: usize, word: usize, count: usize): usize {
  memory.fill(count, 0, 4 * 256 * 4);
  for (let j: usize = 0; j < n; j++) {
    const v = load<u32>(src + (j << 4) + word);
    for (let d: usize = 0; d < 4; d++) {
      const c = count + (d << 10) + (<usize>((v >>> (<u32>d << 3)) & 255) << 2);
      store<u32>(c, load<u32>(c) + 1);
    }
  }
  const first = load<u32>(src + word);
  for (let d: usize = 0; d < 4; d++) {
    const cd = count + (d << 10);
    const sh = <u32>d << 3;
    if (<usize>load<u32>(cd + (<usize>((first >>> sh) & 255) << 2)) == n) continue; // one digit value: already in order
    let s: u32 = 0;
    for (let b: usize = 0; b < 256; b++) {
      const c = load<u32>(cd + (b << 2));
      store<u32>(cd + (b << 2), s);
      s += c;
    }
    for (let j: usize = 0; j < n; j++) {
      const r = v128.load(src + (j << 4));
      const c = cd + (<usize>((load<u32>(src + (j << 4) + word) >>> sh) & 255) << 2);
      const pos = load<u32>(c);
      store<u32>(c, pos + 1);
      v128.store(dst + (<usize>pos << 4), r);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * Sorts the 16-byte records recs[0..m) by their first u64 (the sort key: lo word, then hi word),
 * ascending: an LSD radix sort (8-bit digits, stable counting passes, a digit where every record
 * has the same value skipped) on the hi words, then each run of equal hi words sorted by lo
 * (insertion sort up to 32 records, else the same radix sort on the lo words). tmp holds m
 * records, count 4 x 256 u32. Returns the address of the sorted records (recs or tmp).
 */
export function demand_sort(recs: usize, tmp: usize, m: u32, count: usize): usize {
  const n = <usize>m;
  if (n < 2) return recs;
  const out = radixWord(recs, tmp, n, 4, count);
  const other = out == recs ? tmp : recs;
  let s: usize = 0;
  while (s < n) {
    const hi = load<u32>(out + (s << 4), 4);
    let e = s + 1;
    while (e < n && load<u32>(out + (e << 4), 4) == hi) e++;
    const len = e - s;
    if (len > 32) {
      const base = out + (s << 4);
      const res = radixWord(base, other + (s << 4), len, 0, count);
      if (res != base) memory.copy(base, res, len << 4);
    } else if (len > 1) {
      for (let j = s + 1; j < e; j++) {
        const r = v128.load(out + (j << 4));
        const lo = i32x4.extract_lane(r, 0) as u32;
        let k = j;
        while (k > s && load<u32>(out + ((k - 1) << 4)) > lo) {
          v128.store(out + (k << 4), v128.load(out + ((k - 1) << 4)));
          k--;
        }
        v128.store(out + (k << 4), r);
      }
    }
    s = e;
  }
  return out;
}
