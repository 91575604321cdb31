/**
 * Markov-chain land-use demand (methods.md section 1; seed 000 section 3.1; seed 004).
 *
 *   n_ij = cells of class i at t0 and class j at t1 (cells valid in both maps)
 *   P_ij = n_ij / sum_j n_ij            a class with no cells at t0 keeps an all-zero row: reported
 *   a(t1 + s (t1 - t0)) = a(t1) P^s     a = composition at t1 (cell counts, row vector)
 *
 * A target year that is not a whole number of intervals after t1 is interpolated linearly
 * between the two bracketing whole-step projections, and the result carries a note saying so
 * (the official FLUS code truncates the step count; this engine never does).
 *
 * Scenario adjustments multiply chosen P_ij by factors and renormalise each row to 1. Seed
 * 000's ecological protection scenario is built in as data (class names, not codes), so it
 * applies to any code layout through a class table.
 *
 * Integer demand: largest remainders, sum exact; ties broken by class order (ascending code).
 */
import { ConfigError, InputError } from '../errors.js';
import type { RasterArray } from '../io/grid.js';

// ---------------------------------------------------------------------------------------------
// Classes

/** A land-use class: its raster code and a name (used by scenarios). */
export interface ClassDef {
  code: number;
  name: string;
}

/** Canonical class names and the spellings that map to them (after normaliseName). */
const NAME_ALIASES: Record<string, string[]> = {
  cropland: ['cropland', 'crop', 'cultivated', 'cultivatedland', 'farmland', 'arable', 'arableland', 'agriculture', 'agricultural'],
  forest: ['forest', 'forestland', 'woodland', 'wood'],
  shrub: ['shrub', 'shrubland', 'shrubs'],
  grass: ['grass', 'grassland', 'grasslands', 'pasture'],
  water: ['water', 'waterbody', 'waterbodies', 'waters'],
  built: ['built', 'builtup', 'builtupland', 'urban', 'constructionland', 'construction', 'impervious', 'settlement'],
  unused: ['unused', 'unusedland', 'barren', 'bareland'],
};

function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The canonical name a class name stands for ('Forest land' -> 'forest'), or the normalised name. */
export function canonicalClassName(name: string): string {
  const n = normaliseName(name);
  for (const [canon, aliases] of Object.entries(NAME_ALIASES)) if (aliases.includes(n)) return canon;
  return n;
}

/**
 * Parses "1=forest,2=built,3=other" into a class table (codes ascending).
 * `source` names the option or file in messages.
 */
export function parseClassTable(spec: string, source = '--classes'): ClassDef[] {
  const out: ClassDef[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(-?\d+)\s*[=:]\s*(.+)$/.exec(part);
    if (!m) throw new ConfigError(`${source}: expected code=name pairs like "1=forest,2=built", got ${JSON.stringify(part)}`);
    out.push({ code: Number(m[1]), name: m[2].trim() });
  }
  return checkClassTable(out, source);
}

/** Checks a class table (integer codes, distinct codes and names) and sorts it by code. */
export function checkClassTable(classes: ClassDef[], source = 'classes'): ClassDef[] {
  if (classes.length === 0) throw new ConfigError(`${source}: no classes given`);
  const codes = new Set<number>();
  const names = new Map<string, number>();
  for (const c of classes) {
    if (!Number.isInteger(c.code)) throw new ConfigError(`${source}: class code ${JSON.stringify(c.code)} is not an integer`);
    if (codes.has(c.code)) throw new ConfigError(`${source}: class code ${c.code} appears twice`);
    codes.add(c.code);
    const canon = canonicalClassName(c.name);
    if (canon === '') throw new ConfigError(`${source}: class ${c.code} has an empty name`);
    if (names.has(canon)) {
      throw new ConfigError(`${source}: classes ${names.get(canon)} and ${c.code} have the same name "${canon}"`);
    }
    names.set(canon, c.code);
  }
  return [...classes].sort((a, b) => a.code - b.code);
}

// ---------------------------------------------------------------------------------------------
// Transition counts

export interface MarkovWarning {
  kind: 'zero-row' | 'zero-row-persist' | 'skipped-adjustment';
  /** Class code concerned (absent for a skipped adjustment naming a missing class). */
  code?: number;
  message: string;
}

export interface TransitionOptions {
  /** Class codes (any order; sorted ascending in the result). Default: the codes present in either map. */
  codes?: number[];
  nodataFrom?: number | null;
  nodataTo?: number | null;
  /** Names used in messages (file names). */
  nameFrom?: string;
  nameTo?: string;
  /** Raster width, to report row/column of a bad cell. */
  width?: number;
  /** Index of the arrays' first cell in the whole raster (a block's row0 x width), for messages. */
  cellOffset?: number;
}

export interface Transitions {
  /** Class codes, ascending: row/column order of counts and matrix. */
  codes: number[];
  /** counts[i][j] = cells of codes[i] at t0 and codes[j] at t1. */
  counts: number[][];
  /** P[i][j] = counts[i][j] / sum_j counts[i][j]; an all-zero row for a class absent at t0. */
  matrix: number[][];
  /** Composition at t0 (row sums) and at t1 (column sums), over cells valid in both maps. */
  from: number[];
  to: number[];
  /** Cells valid in both maps. */
  validCells: number;
  warnings: MarkovWarning[];
}

/**
 * Maps raster values to class indices through a lookup table (8/16-bit integer arrays) or a Map.
 * -1 = NoData/NaN (invalid), -2 = a value that is not a class code.
 */
export interface Indexer {
  lut: Int32Array | null;
  offset: number;
  map: Map<number, number> | null;
  nodata: number | null;
}

export function nodataFor(a: RasterArray, nodata: number | null | undefined): number | null {
  if (nodata === null || nodata === undefined) return null;
  return a instanceof Float32Array ? Math.fround(nodata) : nodata;
}

export function makeIndexer(a: RasterArray, codes: number[], nodata: number | null | undefined): Indexer {
  const nd = nodataFor(a, nodata);
  let range: [number, number] | null = null;
  if (a instanceof Uint8Array) range = [0, 256];
  else if (a instanceof Uint16Array) range = [0, 65536];
  else if (a instanceof Int16Array) range = [-32768, 65536];
  if (range) {
    const lut = new Int32Array(range[1]).fill(-2);
    codes.forEach((c, k) => {
      const i = c - range![0];
      if (i >= 0 && i < range![1]) lut[i] = k;
    });
    if (nd !== null) {
      const i = nd - range[0];
      if (Number.isInteger(i) && i >= 0 && i < range[1]) lut[i] = -1;
    }
    return { lut, offset: -range[0], map: null, nodata: nd };
  }
  const map = new Map<number, number>();
  codes.forEach((c, k) => map.set(c, k));
  return { lut: null, offset: 0, map, nodata: nd };
}

/** Offset-LUT sentinels: a sum of LUT entries < 0 means "some map is NoData or unknown". */
export const LUT_NODATA = -(1 << 28);
export const LUT_UNKNOWN = -(1 << 26);

/**
 * Lookup table for 8/16-bit integer rasters: value + offset -> class index * mult, LUT_NODATA
 * for NoData, LUT_UNKNOWN for a value that is not a class code. Summing the entries of several
 * maps gives a flat histogram index (>= 0) or a negative number (skip or error) with one branch.
 * null for other dtypes (use makeIndexer/indexOf).
 */
export function offsetLut(a: RasterArray, codes: number[], nodata: number | null | undefined, mult: number): { lut: Int32Array; offset: number } | null {
  const ix = makeIndexer(a, codes, nodata);
  if (!ix.lut) return null;
  const lut = new Int32Array(ix.lut.length);
  for (let i = 0; i < lut.length; i++) {
    const k = ix.lut[i];
    lut[i] = k >= 0 ? k * mult : k === -1 ? LUT_NODATA : LUT_UNKNOWN;
  }
  return { lut, offset: ix.offset };
}

/** hist2 for two uint8 maps, 4 cells per step: an equal-bytes word identical in both maps adds 4 to one bin. */
function hist2u8(a: Uint8Array, la: Int32Array, b: Uint8Array, lb: Int32Array, h: Float64Array): number {
  const n = a.length;
  const words = n >>> 2;
  const a32 = new Uint32Array(a.buffer, a.byteOffset, words);
  const b32 = new Uint32Array(b.buffer, b.byteOffset, words);
  for (let w = 0; w < words; w++) {
    const x = a32[w];
    if (x === b32[w] && ((x ^ (x >>> 8)) & 0xffffff) === 0) {
      const v = x & 255;
      const t = la[v] + lb[v];
      if (t >= 0) h[t] += 4;
      else if (la[v] === LUT_UNKNOWN || lb[v] === LUT_UNKNOWN) return w << 2;
      continue;
    }
    for (let c = w << 2, e = c + 4; c < e; c++) {
      const t = la[a[c]] + lb[b[c]];
      if (t >= 0) h[t]++;
      else if (la[a[c]] === LUT_UNKNOWN || lb[b[c]] === LUT_UNKNOWN) return c;
    }
  }
  for (let c = words << 2; c < n; c++) {
    const t = la[a[c]] + lb[b[c]];
    if (t >= 0) h[t]++;
    else if (la[a[c]] === LUT_UNKNOWN || lb[b[c]] === LUT_UNKNOWN) return c;
  }
  return -1;
}

/** Hot loop: 2-map histogram h[i K + j] += 1 (lutA holds i*K, lutB holds j). Returns the first bad cell or -1. */
function hist2(a: RasterArray, la: Int32Array, oa: number, b: RasterArray, lb: Int32Array, ob: number, h: Float64Array): number {
  const n = a.length;
  for (let c = 0; c < n; c++) {
    const t = la[a[c] + oa] + lb[b[c] + ob];
    if (t >= 0) h[t]++;
    else if (la[a[c] + oa] === LUT_UNKNOWN || lb[b[c] + ob] === LUT_UNKNOWN) return c;
  }
  return -1;
}

/** Class index of a value: -1 invalid (NoData, NaN), -2 not a class code. */
export function indexOf(ix: Indexer, v: number): number {
  if (ix.lut) return ix.lut[v + ix.offset];
  if (v !== v || v === ix.nodata) return -1;
  const k = ix.map!.get(v);
  return k === undefined ? -2 : k;
}

/** Distinct valid values of a class raster (ascending). Errors on non-integer values. */
export function codesPresent(a: RasterArray, nodata: number | null | undefined, name = 'raster', cellOffset = 0): number[] {
  const nd = nodataFor(a, nodata);
  if (a instanceof Uint8Array || a instanceof Uint16Array || a instanceof Int16Array) {
    const off = a instanceof Int16Array ? 32768 : 0;
    const seen = new Uint8Array(a instanceof Uint8Array ? 256 : 65536);
    let i = 0;
    if (a instanceof Uint8Array && a.byteOffset % 4 === 0) {
      // 4 cells per step: a word of 4 equal bytes marks one value
      const words = a.length >>> 2;
      const a32 = new Uint32Array(a.buffer, a.byteOffset, words);
      for (let w = 0; w < words; w++) {
        const x = a32[w];
        if (((x ^ (x >>> 8)) & 0xffffff) === 0) seen[x & 255] = 1;
        else {
          seen[x & 255] = 1;
          seen[(x >>> 8) & 255] = 1;
          seen[(x >>> 16) & 255] = 1;
          seen[x >>> 24] = 1;
        }
      }
      i = words << 2;
    }
    for (; i < a.length; i++) seen[a[i] + off] = 1;
    const out: number[] = [];
    for (let v = 0; v < seen.length; v++) if (seen[v] && v - off !== nd) out.push(v - off);
    return out;
  }
  const set = new Set<number>();
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== v || v === nd) continue;
    if (!set.has(v)) {
      if (!Number.isInteger(v)) throw new InputError(`${name}: value ${v} at cell ${i + cellOffset} is not an integer class code`);
      set.add(v);
    }
  }
  return [...set].sort((x, y) => x - y);
}

export function unknownCodeError(name: string, v: number, cell: number, width: number | undefined, codes: number[]): InputError {
  const where = width ? `row ${Math.floor(cell / width)}, column ${cell % width}` : `cell ${cell}`;
  return new InputError(`${name}: value ${v} at ${where} is not one of the class codes ${codes.join(', ')}`);
}

function checkCodes(codes: number[], source: string): number[] {
  const seen = new Set<number>();
  for (const c of codes) {
    if (!Number.isInteger(c)) throw new ConfigError(`${source}: class code ${JSON.stringify(c)} is not an integer`);
    if (seen.has(c)) throw new ConfigError(`${source}: class code ${c} appears twice`);
    seen.add(c);
  }
  if (codes.length === 0) throw new ConfigError(`${source}: no class codes`);
  return [...codes].sort((a, b) => a - b);
}

/**
 * Transition counts and probabilities between two class maps of the same grid.
 * Cells where either map is NoData (or NaN) are skipped; a valid value that is not a class
 * code is an InputError naming the file, the value and the cell.
 */
export function transitions(from: RasterArray, to: RasterArray, opts: TransitionOptions = {}): Transitions {
  const nameFrom = opts.nameFrom ?? 'from';
  const nameTo = opts.nameTo ?? 'to';
  if (from.length !== to.length) {
    throw new InputError(`${nameTo}: ${to.length} cells do not match ${nameFrom} ${from.length} cells`);
  }
  const codes = opts.codes
    ? checkCodes(opts.codes, 'class codes')
    : [...new Set([...codesPresent(from, opts.nodataFrom, nameFrom), ...codesPresent(to, opts.nodataTo, nameTo)])].sort((a, b) => a - b);
  if (codes.length === 0) throw new InputError(`${nameFrom}, ${nameTo}: no valid cells`);
  const flat = new Float64Array(codes.length * codes.length);
  addTransitionCounts(from, to, codes, opts, flat);
  return transitionsFromFlat(codes, flat);
}

/** Class codes of a transitions run: the given ones (checked, sorted) or none (the caller scans the maps). */
export function transitionCodes(codes: number[] | undefined): number[] | null {
  return codes ? checkCodes(codes, 'class codes') : null;
}

/** Transitions from a flat K x K count array (row-major, rows = t0 classes). */
export function transitionsFromFlat(codes: number[], flat: Float64Array): Transitions {
  const K = codes.length;
  const counts: number[][] = [];
  for (let i = 0; i < K; i++) counts.push(Array.from(flat.subarray(i * K, (i + 1) * K)));
  return transitionsFromCounts(codes, counts);
}

/**
 * Adds the (from, to) cell counts of two aligned arrays (a whole map or one block of it) into
 * flat[i K + j]; counts are exact, so blocks add up to the whole map.
 */
export function addTransitionCounts(from: RasterArray, to: RasterArray, codes: number[], opts: TransitionOptions, flat: Float64Array): void {
  const nameFrom = opts.nameFrom ?? 'from';
  const nameTo = opts.nameTo ?? 'to';
  const off = opts.cellOffset ?? 0;
  const K = codes.length;
  const ia = makeIndexer(from, codes, opts.nodataFrom);
  const ib = makeIndexer(to, codes, opts.nodataTo);
  const n = from.length;
  const fa = K * K <= 1 << 24 ? offsetLut(from, codes, opts.nodataFrom, K) : null;
  const fb = fa ? offsetLut(to, codes, opts.nodataTo, 1) : null;
  if (fa && fb) {
    const c =
      from instanceof Uint8Array && to instanceof Uint8Array && from.byteOffset % 4 === 0 && to.byteOffset % 4 === 0
        ? hist2u8(from, fa.lut, to, fb.lut, flat)
        : hist2(from, fa.lut, fa.offset, to, fb.lut, fb.offset, flat);
    if (c >= 0) {
      if (indexOf(ia, from[c]) === -2) throw unknownCodeError(nameFrom, from[c], c + off, opts.width, codes);
      throw unknownCodeError(nameTo, to[c], c + off, opts.width, codes);
    }
  } else {
    for (let c = 0; c < n; c++) {
      const i = indexOf(ia, from[c]);
      const j = indexOf(ib, to[c]);
      if (i >= 0 && j >= 0) flat[i * K + j]++;
      else if (i === -2) throw unknownCodeError(nameFrom, from[c], c + off, opts.width, codes);
      else if (j === -2) throw unknownCodeError(nameTo, to[c], c + off, opts.width, codes);
    }
  }
}

/** Probabilities, compositions and zero-row warnings from a count matrix (rows = t0 classes). */
export function transitionsFromCounts(codes: number[], counts: number[][]): Transitions {
  const K = codes.length;
  if (counts.length !== K || counts.some((r) => r.length !== K)) {
    throw new ConfigError(`transition counts: expected a ${K}x${K} matrix for classes ${codes.join(', ')}`);
  }
  const fromC = new Array<number>(K).fill(0);
  const toC = new Array<number>(K).fill(0);
  let valid = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const v = counts[i][j];
      if (!Number.isInteger(v) || v < 0) throw new InputError(`transition counts: n[${codes[i]}][${codes[j]}] = ${v} is not a count`);
      fromC[i] += v;
      toC[j] += v;
      valid += v;
    }
  }
  const warnings: MarkovWarning[] = [];
  const matrix = counts.map((row, i) => {
    if (fromC[i] === 0) {
      warnings.push({
        kind: 'zero-row',
        code: codes[i],
        message: `class ${codes[i]} has no cells at t0: its transition row is all zero (not estimated)`,
      });
      return new Array<number>(K).fill(0);
    }
    return row.map((v) => v / fromC[i]);
  });
  return { codes: [...codes], counts: counts.map((r) => [...r]), matrix, from: fromC, to: toC, validCells: valid, warnings };
}

// ---------------------------------------------------------------------------------------------
// Matrix checks and scenario adjustments

/** Tolerance for a probability row summing to 1. */
export const ROW_SUM_TOLERANCE = 1e-9;

/**
 * Checks a transition probability matrix: K x K, entries finite in [0, 1], each row sums to 1
 * (within ROW_SUM_TOLERANCE) or is all zero (a class absent at t0; returned as warnings).
 */
export function checkMatrix(P: number[][], codes: number[], source = 'transition matrix'): MarkovWarning[] {
  const K = codes.length;
  if (!Array.isArray(P) || P.length !== K || P.some((r) => !Array.isArray(r) || r.length !== K)) {
    throw new ConfigError(`${source}: expected a ${K}x${K} matrix for classes ${codes.join(', ')}`);
  }
  const warnings: MarkovWarning[] = [];
  for (let i = 0; i < K; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) {
      const v = P[i][j];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1 + ROW_SUM_TOLERANCE) {
        throw new ConfigError(`${source}: P[${codes[i]}][${codes[j]}] = ${v} is not a probability in [0, 1]`);
      }
      s += v;
    }
    if (s === 0) {
      warnings.push({ kind: 'zero-row', code: codes[i], message: `class ${codes[i]}: transition row is all zero` });
    } else if (Math.abs(s - 1) > ROW_SUM_TOLERANCE) {
      throw new ConfigError(`${source}: row of class ${codes[i]} sums to ${s}, expected 1`);
    }
  }
  return warnings;
}

/** One adjustment: P[from][to] *= factor for every listed pair. Classes by name or code. */
export interface Adjustment {
  from: string | number | (string | number)[];
  to: string | number | (string | number)[];
  factor: number;
}

export interface Scenario {
  name: string;
  description?: string;
  adjustments: Adjustment[];
  /**
   * When true, adjustments naming a class that the class table lacks are skipped and reported
   * (built-in scenarios, written for any class layout). When false (scenario files) it is an error.
   */
  skipMissingClasses?: boolean;
}

/** Natural development: the transition matrix as observed. */
export const NATURAL_SCENARIO: Scenario = { name: 'natural', description: 'natural development: observed transition probabilities', adjustments: [] };

/**
 * Seed 000 (section 3.1), ecological protection: "decrease the likelihood of converting forest
 * land, shrub, grassland, and water bodies into built-up land by 20%, elevate the likelihood of
 * converting cultivated land into forest land by 60%, and augment the likelihood of converting
 * cultivated land into shrub and grassland by 50%".
 */
export const ECOLOGICAL_SCENARIO: Scenario = {
  name: 'ecological',
  description: 'ecological protection (seed 000): forest/shrub/grass/water -> built x 0.8; cropland -> forest x 1.6; cropland -> shrub/grass x 1.5; rows renormalised',
  adjustments: [
    { from: ['forest', 'shrub', 'grass', 'water'], to: 'built', factor: 0.8 },
    { from: 'cropland', to: 'forest', factor: 1.6 },
    { from: 'cropland', to: ['shrub', 'grass'], factor: 1.5 },
  ],
  skipMissingClasses: true,
};

export const BUILTIN_SCENARIOS: Record<string, Scenario> = { natural: NATURAL_SCENARIO, ecological: ECOLOGICAL_SCENARIO };

/**
 * Validates a scenario object (e.g. parsed from JSON):
 *   { "name": "...", "adjustments": [ { "from": "cropland", "to": ["shrub", "grass"], "factor": 1.5 } ],
 *     "classes": { "1": "forest", ... } (optional) }
 */
export function parseScenario(obj: unknown, source: string): { scenario: Scenario; classes?: ClassDef[] } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ConfigError(`${source}: expected a JSON object with "adjustments"`);
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['name', 'description', 'adjustments', 'classes'].includes(k)) {
      throw new ConfigError(`${source}: unknown key "${k}" (expected name, description, adjustments, classes)`);
    }
  }
  if (!Array.isArray(o.adjustments)) throw new ConfigError(`${source}: "adjustments" must be a list of {from, to, factor}`);
  const isRef = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  const adjustments: Adjustment[] = o.adjustments.map((a, k) => {
    const where = `${source}: adjustments[${k}]`;
    if (typeof a !== 'object' || a === null) throw new ConfigError(`${where}: expected {from, to, factor}`);
    const r = a as Record<string, unknown>;
    for (const key of ['from', 'to'] as const) {
      const v = r[key];
      if (!(isRef(v) || (Array.isArray(v) && v.length > 0 && v.every(isRef)))) {
        throw new ConfigError(`${where}: "${key}" must be a class name or code or a list of them, got ${JSON.stringify(v)}`);
      }
    }
    if (typeof r.factor !== 'number' || !Number.isFinite(r.factor)) {
      throw new ConfigError(`${where}: "factor" must be a finite number, got ${JSON.stringify(r.factor)}`);
    }
    if (r.factor < 0) throw new ConfigError(`${where}: factor ${r.factor} is negative (expected >= 0)`);
    return { from: r.from as Adjustment['from'], to: r.to as Adjustment['to'], factor: r.factor };
  });
  let classes: ClassDef[] | undefined;
  if (o.classes !== undefined) {
    if (typeof o.classes !== 'object' || o.classes === null || Array.isArray(o.classes)) {
      throw new ConfigError(`${source}: "classes" must be an object {"<code>": "<name>"}`);
    }
    classes = checkClassTable(
      Object.entries(o.classes as Record<string, unknown>).map(([code, name]) => {
        if (!/^-?\d+$/.test(code) || typeof name !== 'string') {
          throw new ConfigError(`${source}: classes: expected "<code>": "<name>", got ${JSON.stringify(code)}: ${JSON.stringify(name)}`);
        }
        return { code: Number(code), name };
      }),
      `${source}: classes`,
    );
  }
  const name = typeof o.name === 'string' ? o.name : source;
  return { scenario: { name, description: typeof o.description === 'string' ? o.description : undefined, adjustments }, classes };
}

export interface AppliedAdjustment {
  from: number;
  to: number;
  factor: number;
  before: number;
  after: number;
}

export interface AdjustedMatrix {
  /** The matrix after multiplying and renormalising. */
  matrix: number[][];
  /** Each multiplied entry: P before and after renormalisation. */
  applied: AppliedAdjustment[];
  warnings: MarkovWarning[];
}

/** Resolves a class reference (name, alias or code) to a code; null when absent from the table. */
function resolveClass(ref: string | number, codes: number[], classes: ClassDef[] | undefined): number | null {
  if (typeof ref === 'number') return codes.includes(ref) ? ref : null;
  if (/^-?\d+$/.test(ref.trim())) {
    const c = Number(ref);
    return codes.includes(c) ? c : null;
  }
  const canon = canonicalClassName(ref);
  const hit = (classes ?? []).find((c) => canonicalClassName(c.name) === canon);
  return hit && codes.includes(hit.code) ? hit.code : null;
}

/**
 * Applies a scenario to a transition matrix: P_ij *= factor for each listed pair, then each row
 * is divided by its new sum. Rows that are all zero stay zero (reported). Throws ConfigError for
 * a negative or non-finite factor, an unknown class (unless the scenario skips missing classes),
 * and a row that does not sum to 1 after renormalisation.
 */
export function adjustMatrix(P: number[][], codes: number[], scenario: Scenario, classes?: ClassDef[]): AdjustedMatrix {
  const K = codes.length;
  const src = `scenario "${scenario.name}"`;
  checkMatrix(P, codes, 'transition matrix');
  const factors = Array.from({ length: K }, () => new Array<number>(K).fill(1));
  const touched = Array.from({ length: K }, () => new Array<boolean>(K).fill(false));
  const warnings: MarkovWarning[] = [];
  const list = (v: Adjustment['from']) => (Array.isArray(v) ? v : [v]);
  const names = classes ? classes.map((c) => `${c.code}=${c.name}`).join(', ') : 'none given';
  for (const [k, a] of scenario.adjustments.entries()) {
    if (typeof a.factor !== 'number' || !Number.isFinite(a.factor)) {
      throw new ConfigError(`${src}: adjustment ${k + 1}: factor ${a.factor} is not a finite number`);
    }
    if (a.factor < 0) throw new ConfigError(`${src}: adjustment ${k + 1}: factor ${a.factor} is negative (expected >= 0)`);
    const resolve = (ref: string | number): number | null => {
      const c = resolveClass(ref, codes, classes);
      if (c === null) {
        if (!scenario.skipMissingClasses) {
          throw new ConfigError(`${src}: adjustment ${k + 1}: unknown class ${JSON.stringify(ref)} (classes: ${codes.join(', ')}; names: ${names})`);
        }
        warnings.push({
          kind: 'skipped-adjustment',
          message: `${src}: no class "${ref}" in the class table (${names}): its adjustments are skipped`,
        });
      }
      return c;
    };
    const froms = list(a.from).map(resolve);
    const tos = list(a.to).map(resolve);
    for (const f of froms) {
      for (const t of tos) {
        if (f === null || t === null) continue;
        const i = codes.indexOf(f), j = codes.indexOf(t);
        factors[i][j] *= a.factor;
        touched[i][j] = true;
      }
    }
  }
  // de-duplicate skip warnings (one per missing name)
  const seen = new Set<string>();
  const uniq = warnings.filter((w) => (seen.has(w.message) ? false : (seen.add(w.message), true)));
  const matrix: number[][] = [];
  for (let i = 0; i < K; i++) {
    const row = P[i].map((p, j) => p * factors[i][j]);
    const s = row.reduce((x, y) => x + y, 0);
    if (s === 0) {
      uniq.push({ kind: 'zero-row', code: codes[i], message: `class ${codes[i]}: transition row is all zero after the scenario; not renormalised` });
      matrix.push(row);
      continue;
    }
    const r = row.map((v) => v / s);
    const s2 = r.reduce((x, y) => x + y, 0);
    if (!Number.isFinite(s2) || Math.abs(s2 - 1) > ROW_SUM_TOLERANCE) {
      throw new ConfigError(`${src}: row of class ${codes[i]} sums to ${s2} after renormalisation, expected 1`);
    }
    matrix.push(r);
  }
  const applied: AppliedAdjustment[] = [];
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      if (touched[i][j]) applied.push({ from: codes[i], to: codes[j], factor: factors[i][j], before: P[i][j], after: matrix[i][j] });
    }
  }
  return { matrix, applied, warnings: uniq };
}

// ---------------------------------------------------------------------------------------------
// Projection

/** Row vector times matrix: (a P)_j = sum_i a_i P_ij. */
export function vecMat(a: number[], P: number[][]): number[] {
  const K = a.length;
  const out = new Array<number>(K).fill(0);
  for (let i = 0; i < K; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < K; j++) out[j] += ai * P[i][j];
  }
  return out;
}

/** a P^steps for a whole number of steps >= 0 (repeated vector-matrix products, in order). */
export function projectSteps(a: number[], P: number[][], steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 0) throw new ConfigError(`projection: steps must be a whole number >= 0, got ${steps}`);
  let v = [...a];
  for (let s = 0; s < steps; s++) v = vecMat(v, P);
  return v;
}

export interface ProjectionOptions {
  /** Composition at t1 (cell counts per class, same order as the matrix). */
  composition: number[];
  matrix: number[][];
  codes: number[];
  t0: number;
  t1: number;
  targetYear: number;
}

export interface Projection {
  year: number;
  /** (year - t1) / (t1 - t0), possibly fractional. */
  steps: number;
  /** Expected cell counts per class (floats; sum = sum of the composition). */
  expected: number[];
  /** True when the year is not a whole number of intervals after t1. */
  interpolated: boolean;
  /** Bracketing whole-step projections when interpolated. */
  lower?: { steps: number; year: number; expected: number[] };
  upper?: { steps: number; year: number; expected: number[] };
  /** Weight of the upper projection (steps - floor(steps)). */
  weight?: number;
  notes: string[];
  warnings: MarkovWarning[];
}

/**
 * Projects the t1 composition to a target year >= t1: a P^s with s = (year - t1) / (t1 - t0).
 * Non-integer s: (1 - w) a P^floor(s) + w a P^(floor(s)+1), w = s - floor(s), with a note.
 * A class with an all-zero row but cells in the composition would lose them; its row is
 * taken as "stays itself" for the projection and a warning says so.
 */
export function projectToYear(o: ProjectionOptions): Projection {
  const { codes, t0, t1, targetYear } = o;
  for (const [name, v] of [['t0', t0], ['t1', t1], ['target year', targetYear]] as const) {
    if (!Number.isInteger(v)) throw new ConfigError(`${name}: expected a whole year, got ${v}`);
  }
  if (t1 <= t0) throw new ConfigError(`years: t1 (${t1}) must be after t0 (${t0})`);
  if (targetYear < t1) throw new ConfigError(`target year ${targetYear} is before t1 = ${t1}; projection runs forward from t1`);
  if (o.composition.length !== codes.length) {
    throw new ConfigError(`projection: composition has ${o.composition.length} classes, expected ${codes.length}`);
  }
  const warnings: MarkovWarning[] = [];
  let P = o.matrix;
  checkMatrix(P, codes);
  if (P.some((row, i) => row.every((v) => v === 0) && o.composition[i] > 0)) {
    P = P.map((row, i) => {
      if (!row.every((v) => v === 0) || o.composition[i] === 0) return row;
      warnings.push({
        kind: 'zero-row-persist',
        code: codes[i],
        message: `class ${codes[i]} has no transition row (absent at t0) but ${o.composition[i]} cells at t1: they are kept in class ${codes[i]} (P_ii = 1) for the projection`,
      });
      return row.map((_, j) => (j === i ? 1 : 0));
    });
  }
  const interval = t1 - t0;
  const dy = targetYear - t1;
  const k = Math.floor(dy / interval);
  const rem = dy - k * interval;
  const steps = dy / interval;
  const notes: string[] = [];
  if (rem === 0) {
    const expected = projectSteps(o.composition, P, k);
    return { year: targetYear, steps: k, expected, interpolated: false, notes, warnings };
  }
  const lo = projectSteps(o.composition, P, k);
  const hi = vecMat(lo, P);
  const w = rem / interval;
  const expected = lo.map((v, j) => (1 - w) * v + w * hi[j]);
  const yLo = t1 + k * interval, yHi = t1 + (k + 1) * interval;
  notes.push(
    `target year ${targetYear} is ${dy}/${interval} = ${fmt(steps)} intervals of ${interval} years after ${t1}: ` +
      `interpolated linearly between ${yLo} (${k} step${k === 1 ? "" : "s"}) and ${yHi} (${k + 1} steps) with weight ${fmt(w)} on ${yHi}`,
  );
  return {
    year: targetYear,
    steps,
    expected,
    interpolated: true,
    lower: { steps: k, year: yLo, expected: lo },
    upper: { steps: k + 1, year: yHi, expected: hi },
    weight: w,
    notes,
    warnings,
  };
}

function fmt(v: number): string {
  return String(+v.toPrecision(6));
}

// ---------------------------------------------------------------------------------------------
// Integer demand

/**
 * Rounds non-negative values to integers summing exactly to `total` by largest remainders:
 * floor everything, then give +1 to the largest fractional parts; equal fractions go to the
 * earlier class (ascending code order). The values must sum to `total` within 1e-6 cells per
 * 1e6 (floating error of a P^s); anything else is an InputError.
 */
export function largestRemainder(values: number[], total: number, source = 'demand'): number[] {
  if (!Number.isInteger(total) || total < 0) throw new InputError(`${source}: total ${total} is not a whole number of cells >= 0`);
  let sum = 0;
  for (const [k, v] of values.entries()) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InputError(`${source}: value ${v} of class index ${k} is not a finite number >= 0`);
    }
    sum += v;
  }
  if (Math.abs(sum - total) > 1e-6 * Math.max(1, total) + 1e-9) {
    throw new InputError(`${source}: values sum to ${sum}, expected ${total} cells`);
  }
  const floors = values.map((v) => Math.floor(v));
  let left = total - floors.reduce((x, y) => x + y, 0);
  if (left < 0 || left > values.length) {
    throw new InputError(`${source}: cannot round to ${total} cells (floors sum to ${total - left})`);
  }
  const order = values
    .map((v, k) => ({ k, frac: v - floors[k] }))
    .sort((a, b) => b.frac - a.frac || a.k - b.k);
  for (let n = 0; n < order.length && left > 0; n++, left--) floors[order[n].k]++;
  return floors;
}

// ---------------------------------------------------------------------------------------------
// Whole workflow

export interface MarkovDemandOptions {
  t0: number;
  t1: number;
  targetYears: number[];
  scenario?: Scenario;
  classes?: ClassDef[];
}

export interface MarkovDemand {
  codes: number[];
  t0: number;
  t1: number;
  transitions: Transitions;
  scenario: string;
  /** The matrix used for projection (after the scenario). */
  matrix: number[][];
  applied: AppliedAdjustment[];
  projections: (Projection & { demand: number[] })[];
  warnings: MarkovWarning[];
  notes: string[];
}

/** Transition matrix -> scenario -> projection of the t1 composition -> integer demand per target year. */
export function markovDemand(tr: Transitions, o: MarkovDemandOptions): MarkovDemand {
  const scenario = o.scenario ?? NATURAL_SCENARIO;
  if (o.targetYears.length === 0) throw new ConfigError('target years: none given');
  for (let k = 1; k < o.targetYears.length; k++) {
    if (!(o.targetYears[k] > o.targetYears[k - 1])) {
      throw new ConfigError(`target years: must increase, got ${o.targetYears[k - 1]} then ${o.targetYears[k]}`);
    }
  }
  const adj = adjustMatrix(tr.matrix, tr.codes, scenario, o.classes);
  const warnings = [...tr.warnings, ...adj.warnings];
  const notes: string[] = [];
  const projections = o.targetYears.map((year) => {
    const p = projectToYear({ composition: tr.to, matrix: adj.matrix, codes: tr.codes, t0: o.t0, t1: o.t1, targetYear: year });
    const demand = largestRemainder(p.expected, tr.validCells, `demand ${year}`);
    for (const w of p.warnings) if (!warnings.some((x) => x.message === w.message)) warnings.push(w);
    notes.push(...p.notes);
    return { ...p, demand };
  });
  return {
    codes: tr.codes,
    t0: o.t0,
    t1: o.t1,
    transitions: tr,
    scenario: scenario.name,
    matrix: adj.matrix,
    applied: adj.applied,
    projections,
    warnings,
    notes,
  };
}
