/**
 * Accuracy of a land-use simulation (methods.md section 5).
 *
 * From start map S, observed map O and simulated map M over cells valid in all three:
 *   confusion n_om (rows observed, columns simulated), N = sum n, OA = sum n_ii / N,
 *   kappa = (N sum n_ii - sum r_i c_i) / (N^2 - sum r_i c_i)     (r row sums, c column sums)
 *   figure of merit (Pontius et al. 2008):
 *     A misses       O != S, M == S
 *     B hits         O != S, M == O
 *     C wrong hits   O != S, M != S, M != O
 *     D false alarms O == S, M != S
 *     FoM = B / (A + B + C + D), producer's = B / (A + B + C), user's = B / (B + C + D)
 *   per-class producer's n_ii / r_i and user's n_ii / c_i, and per-class cell counts real (O)
 *   vs simulated (M) as in seed 000 Table 4.
 * A ratio with a zero denominator is null with a note, never NaN/Infinity.
 *
 * One pass over the three arrays increments a K^3 histogram of (S, O, M) class triples
 * (exact integer counts in float64); everything else is derived from the histogram.
 */
import { InputError } from '../errors.js';
import type { RasterArray } from '../io/grid.js';
import { LUT_UNKNOWN, codesPresent, indexOf, makeIndexer, offsetLut, unknownCodeError } from './markov.js';

/** Hot loop: h[s K^2 + o K + m] += 1 through offset LUTs; returns the first cell with an unknown code or -1. */
function hist3(
  S: RasterArray, lS: Int32Array, oS: number,
  O: RasterArray, lO: Int32Array, oO: number,
  M: RasterArray, lM: Int32Array, oM: number,
  h: Float64Array,
): number {
  const n = S.length;
  for (let c = 0; c < n; c++) {
    const t = lS[S[c] + oS] + lO[O[c] + oO] + lM[M[c] + oM];
    if (t >= 0) h[t]++;
    else if (lS[S[c] + oS] === LUT_UNKNOWN || lO[O[c] + oO] === LUT_UNKNOWN || lM[M[c] + oM] === LUT_UNKNOWN) return c;
  }
  return -1;
}

/**
 * hist3 for three uint8 maps, 4 cells per step through 32-bit words: a word whose 4 bytes are
 * equal and identical in S, O and M (an unchanged run, most of a real map) adds 4 to one bin
 * after one lookup; any other word is counted cell by cell. Same counts as hist3.
 */
function hist3u8(S: Uint8Array, lS: Int32Array, O: Uint8Array, lO: Int32Array, M: Uint8Array, lM: Int32Array, h: Float64Array): number {
  const n = S.length;
  const words = n >>> 2;
  const s32 = new Uint32Array(S.buffer, S.byteOffset, words);
  const o32 = new Uint32Array(O.buffer, O.byteOffset, words);
  const m32 = new Uint32Array(M.buffer, M.byteOffset, words);
  for (let w = 0; w < words; w++) {
    const a = s32[w];
    if (a === o32[w] && a === m32[w] && ((a ^ (a >>> 8)) & 0xffffff) === 0) {
      const v = a & 255;
      const t = lS[v] + lO[v] + lM[v];
      if (t >= 0) h[t] += 4;
      else if (lS[v] === LUT_UNKNOWN || lO[v] === LUT_UNKNOWN || lM[v] === LUT_UNKNOWN) return w << 2;
      continue;
    }
    for (let c = w << 2, e = c + 4; c < e; c++) {
      const t = lS[S[c]] + lO[O[c]] + lM[M[c]];
      if (t >= 0) h[t]++;
      else if (lS[S[c]] === LUT_UNKNOWN || lO[O[c]] === LUT_UNKNOWN || lM[M[c]] === LUT_UNKNOWN) return c;
    }
  }
  for (let c = words << 2; c < n; c++) {
    const t = lS[S[c]] + lO[O[c]] + lM[M[c]];
    if (t >= 0) h[t]++;
    else if (lS[S[c]] === LUT_UNKNOWN || lO[O[c]] === LUT_UNKNOWN || lM[M[c]] === LUT_UNKNOWN) return c;
  }
  return -1;
}

function aligned4(a: RasterArray): a is Uint8Array {
  return a instanceof Uint8Array && a.byteOffset % 4 === 0;
}

export interface AccuracyInput {
  start: RasterArray;
  observed: RasterArray;
  simulated: RasterArray;
  nodata?: { start?: number | null; observed?: number | null; simulated?: number | null };
  /** Class codes; default: every code present in any of the three maps. */
  codes?: number[];
  /** File names for messages. */
  names?: { start?: string; observed?: string; simulated?: string };
  /** Raster width, to report row/column of a bad cell. */
  width?: number;
  /** Index of the arrays' first cell in the whole raster (a block's row0 x width), for messages. */
  cellOffset?: number;
}

export interface AccuracyResult {
  /** Class codes, ascending: order of confusion rows/columns and per-class lists. */
  classes: number[];
  /** Cells valid in S, O and M. */
  n: number;
  oa: number | null;
  kappa: number | null;
  fom: number | null;
  hits: number;
  misses: number;
  wrong_hits: number;
  false_alarms: number;
  /** FoM producer's accuracy B / (A + B + C). */
  producers: number | null;
  /** FoM user's accuracy B / (B + C + D). */
  users: number | null;
  /** confusion[o][m]: observed class o (row), simulated class m (column). */
  confusion: number[][];
  /** Per-class producer's (n_ii / observed total) and user's (n_ii / simulated total) accuracy. */
  class_producers: (number | null)[];
  class_users: (number | null)[];
  /** Per-class cell counts (seed 000 Table 4): start, real (observed) and simulated. */
  counts: { start: number[]; real: number[]; simulated: number[] };
  notes: string[];
}

/** Confusion matrix, OA, kappa and figure of merit of M against O, with S as the start map. */
export function accuracy(inp: AccuracyInput): AccuracyResult {
  const nS = inp.names?.start ?? 'start', nO = inp.names?.observed ?? 'observed', nM = inp.names?.simulated ?? 'simulated';
  const { start: S, observed: O, simulated: M } = inp;
  if (O.length !== S.length) throw new InputError(`${nO}: ${O.length} cells do not match ${nS} ${S.length} cells`);
  if (M.length !== S.length) throw new InputError(`${nM}: ${M.length} cells do not match ${nS} ${S.length} cells`);
  const codes = accuracyCodes(inp.codes) ?? mergeCodes([], inp);
  const hist = newAccuracyHistogram(codes, inp.names);
  addAccuracyHistogram(inp, codes, hist);
  return accuracyFromHistogram(codes, hist);
}

/** The given class codes, checked and sorted; null when the maps decide (mergeCodes over blocks). */
export function accuracyCodes(given: number[] | undefined): number[] | null {
  if (!given) return null;
  const codes = [...new Set(given)].sort((a, b) => a - b);
  if (codes.length !== given.length) throw new InputError(`class codes: duplicates in ${given.join(', ')}`);
  for (const c of codes) if (!Number.isInteger(c)) throw new InputError(`class codes: ${c} is not an integer`);
  return codes;
}

/** Codes so far plus those present in one block of the three maps (ascending). */
export function mergeCodes(codes: number[], inp: AccuracyInput): number[] {
  const nS = inp.names?.start ?? 'start', nO = inp.names?.observed ?? 'observed', nM = inp.names?.simulated ?? 'simulated';
  const off = inp.cellOffset ?? 0;
  const set = new Set(codes);
  for (const c of codesPresent(inp.start, inp.nodata?.start ?? null, nS, off)) set.add(c);
  for (const c of codesPresent(inp.observed, inp.nodata?.observed ?? null, nO, off)) set.add(c);
  for (const c of codesPresent(inp.simulated, inp.nodata?.simulated ?? null, nM, off)) set.add(c);
  return [...set].sort((a, b) => a - b);
}

/** The zeroed (S, O, M) histogram for K codes (at most 256). */
export function newAccuracyHistogram(codes: number[], names?: AccuracyInput['names']): Float64Array {
  const K = codes.length;
  if (K > 256) {
    const nS = names?.start ?? 'start', nO = names?.observed ?? 'observed', nM = names?.simulated ?? 'simulated';
    throw new InputError(`${nS}, ${nO}, ${nM}: ${K} distinct class codes (${codes.slice(0, 5).join(', ')}, ...); accuracy supports up to 256 land-use classes`);
  }
  return new Float64Array(Math.max(1, K * K * K));
}

/** Adds one block (or the whole) of the three maps to hist[(s K + o) K + m]; exact counts. */
export function addAccuracyHistogram(inp: AccuracyInput, codes: number[], hist: Float64Array): void {
  const nS = inp.names?.start ?? 'start', nO = inp.names?.observed ?? 'observed', nM = inp.names?.simulated ?? 'simulated';
  const { start: S, observed: O, simulated: M } = inp;
  const ndS = inp.nodata?.start ?? null, ndO = inp.nodata?.observed ?? null, ndM = inp.nodata?.simulated ?? null;
  const off = inp.cellOffset ?? 0;
  const K = codes.length;
  const iS = makeIndexer(S, codes, ndS), iO = makeIndexer(O, codes, ndO), iM = makeIndexer(M, codes, ndM);
  const n = S.length;
  const bad = (c: number, s: number, o: number, m: number): never => {
    if (s === -2) throw unknownCodeError(nS, S[c], c + off, inp.width, codes);
    if (o === -2) throw unknownCodeError(nO, O[c], c + off, inp.width, codes);
    throw unknownCodeError(nM, M[c], c + off, inp.width, codes);
  };
  const fS = K * K * K <= 1 << 24 ? offsetLut(S, codes, ndS, K * K) : null;
  const fO = fS ? offsetLut(O, codes, ndO, K) : null;
  const fM = fO ? offsetLut(M, codes, ndM, 1) : null;
  if (fS && fO && fM) {
    const c =
      aligned4(S) && aligned4(O) && aligned4(M)
        ? hist3u8(S, fS.lut, O, fO.lut, M, fM.lut, hist)
        : hist3(S, fS.lut, fS.offset, O, fO.lut, fO.offset, M, fM.lut, fM.offset, hist);
    if (c >= 0) bad(c, indexOf(iS, S[c]), indexOf(iO, O[c]), indexOf(iM, M[c]));
  } else {
    for (let c = 0; c < n; c++) {
      const s = indexOf(iS, S[c]), o = indexOf(iO, O[c]), m = indexOf(iM, M[c]);
      if (s >= 0 && o >= 0 && m >= 0) hist[(s * K + o) * K + m]++;
      else if (s === -2 || o === -2 || m === -2) bad(c, s, o, m);
    }
  }
}

/** Everything from the (S, O, M) triple histogram hist[(s K + o) K + m]. */
export function accuracyFromHistogram(codes: number[], hist: Float64Array): AccuracyResult {
  const K = codes.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const start = new Array<number>(K).fill(0);
  let A = 0, B = 0, C = 0, D = 0, N = 0;
  for (let s = 0; s < K; s++) {
    for (let o = 0; o < K; o++) {
      for (let m = 0; m < K; m++) {
        const v = hist[(s * K + o) * K + m];
        if (v === 0) continue;
        confusion[o][m] += v;
        start[s] += v;
        N += v;
        if (o !== s) {
          if (m === s) A += v;
          else if (m === o) B += v;
          else C += v;
        } else if (m !== s) D += v;
      }
    }
  }
  const real = confusion.map((r) => r.reduce((a, b) => a + b, 0));
  const simulated = codes.map((_, m) => confusion.reduce((a, r) => a + r[m], 0));
  const notes: string[] = [];
  const ratio = (num: number, den: number, what: string): number | null => {
    if (den === 0) {
      notes.push(`${what} is undefined (zero denominator): reported as null`);
      return null;
    }
    return num / den;
  };
  let diag = 0;
  for (let i = 0; i < K; i++) diag += confusion[i][i];
  const oa = ratio(diag, N, 'OA (no valid cells)');
  // kappa with exact integer arithmetic (BigInt) before the final division
  let sumRC = 0n;
  for (let i = 0; i < K; i++) sumRC += BigInt(real[i]) * BigInt(simulated[i]);
  const bN = BigInt(N);
  const kNum = bN * BigInt(diag) - sumRC;
  const kDen = bN * bN - sumRC;
  const kappa = kDen === 0n ? (notes.push('kappa is undefined (N^2 = sum r_i c_i: one class only): reported as null'), null) : Number(kNum) / Number(kDen);
  const fom = ratio(B, A + B + C + D, 'figure of merit (no observed or simulated change)');
  const producers = ratio(B, A + B + C, "FoM producer's accuracy (no observed change)");
  const users = ratio(B, B + C + D, "FoM user's accuracy (no simulated change)");
  const class_producers = codes.map((_, i) => (real[i] === 0 ? null : confusion[i][i] / real[i]));
  const class_users = codes.map((_, i) => (simulated[i] === 0 ? null : confusion[i][i] / simulated[i]));
  codes.forEach((c, i) => {
    if (real[i] === 0) notes.push(`class ${c}: no observed cells, producer's accuracy is null`);
    if (simulated[i] === 0) notes.push(`class ${c}: no simulated cells, user's accuracy is null`);
  });
  return {
    classes: [...codes],
    n: N,
    oa,
    kappa,
    fom,
    hits: B,
    misses: A,
    wrong_hits: C,
    false_alarms: D,
    producers,
    users,
    confusion,
    class_producers,
    class_users,
    counts: { start, real, simulated },
    notes,
  };
}

function f(v: number | null, digits = 4): string {
  return v === null ? 'n/a' : v.toFixed(digits);
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : ' '.repeat(w - s.length) + s;
}

/** A readable text report: summary, confusion matrix with per-class accuracy, Table 4 counts. */
export function formatAccuracy(r: AccuracyResult, names?: Record<number, string>): string {
  const label = (c: number) => (names?.[c] ? `${c} ${names[c]}` : String(c));
  const lines: string[] = [];
  lines.push(`Valid cells (S, O and M): ${r.n}`);
  lines.push(`Overall accuracy: ${f(r.oa)}    kappa: ${f(r.kappa)}`);
  lines.push(
    `Figure of merit: ${f(r.fom)}    hits ${r.hits}, misses ${r.misses}, wrong hits ${r.wrong_hits}, false alarms ${r.false_alarms}`,
  );
  lines.push(`  producer's accuracy ${f(r.producers)}    user's accuracy ${f(r.users)}`);
  lines.push('');
  const labels = r.classes.map(label);
  const w = Math.max(10, ...labels.map((l) => l.length + 1), ...r.confusion.flat().map((v) => String(v).length + 1), String(r.n).length + 1);
  const head0 = 'observed \\ simulated';
  const w0 = Math.max(head0.length, ...labels.map((l) => l.length)) + 1;
  lines.push('Confusion matrix (rows observed, columns simulated)');
  lines.push(head0.padEnd(w0) + labels.map((l) => pad(l, w)).join('') + pad('total', w) + pad("producer's", w + 1));
  r.classes.forEach((_, i) => {
    lines.push(
      labels[i].padEnd(w0) + r.confusion[i].map((v) => pad(String(v), w)).join('') + pad(String(r.counts.real[i]), w) + pad(f(r.class_producers[i]), w + 1),
    );
  });
  lines.push('total'.padEnd(w0) + r.counts.simulated.map((v) => pad(String(v), w)).join('') + pad(String(r.n), w));
  lines.push("user's".padEnd(w0) + r.class_users.map((v) => pad(f(v), w)).join(''));
  lines.push('');
  lines.push('Cells per class, real vs simulated');
  const w1 = 'simulated - real'.length + 1;
  lines.push(''.padEnd(w1) + labels.map((l) => pad(l, w)).join(''));
  lines.push('start'.padEnd(w1) + r.counts.start.map((v) => pad(String(v), w)).join(''));
  lines.push('real'.padEnd(w1) + r.counts.real.map((v) => pad(String(v), w)).join(''));
  lines.push('simulated'.padEnd(w1) + r.counts.simulated.map((v) => pad(String(v), w)).join(''));
  lines.push('simulated - real'.padEnd(w1) + r.counts.simulated.map((v, i) => pad(String(v - r.counts.real[i]), w)).join(''));
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}
