/**
 * Simulation scenario file (YAML or JSON; `landcarbon simulate --scenario S.yaml`).
 *
 * ```yaml
 * classes:                  # every class of the land-use map, each once
 *   - { code: 1, name: forest }
 *   - { code: 2, name: built }
 *   - { code: 3, name: other }
 * neighbourhood: 3          # N of the N x N Moore window: odd, 3..11 (default 3)
 * weights:                  # neighbourhood weight w_k in [0, 1], by class name or code
 *   forest: 0.5             #   (or a list in the order of `classes`); default 1 for every class
 *   built: 1
 *   other: 0.5
 * inertia: { built: 1 }     # optional initial inertia per class (> 0, default 1)
 * conversion:               # allowed conversions, 0/1 (default: all allowed)
 *   rows: current           # REQUIRED: "current" = rows are the current class and columns the
 *                           #   future class; "future" = rows are the future class (seed 004 Table 3)
 *   matrix:                 # K x K, rows and columns in the order of `classes`
 *     - [1, 1, 1]
 *     - [0, 1, 0]           # built may not become forest or other
 *     - [1, 1, 1]
 * restricted: restr1.tif    # optional 0/1 raster (1 = never changes); relative to this file
 * demand: demand1.csv       # optional demand table (year,<code>,...), relative to this file
 * markov:                   # or: Markov demand from an earlier map (when no demand table is given)
 *   previous: lu_1985.tif   #   map at t0 (the --landuse map is t1)
 *   t0: 1985
 *   t1: 1991
 *   years: [1999]
 *   scenario: natural       #   natural | ecological (methods.md section 1)
 * maxIterations: 300        # per target year
 * tolerance: 0              # stop when sum_k |demand_k - count_k| <= tolerance * valid cells
 * acceptFraction: 0.1       # sync update: at most this share of each class's gap is closed per iteration
 * seed: 42
 * update: sync              # sync (default) | flus (official FLUS sweep)
 * ```
 * The diagonal of the conversion matrix must be 1 (a cell may always keep its class).
 * Every rule has a one-line ConfigError naming the file and the offending entry.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, intRange } from '../errors.js';
import type { UpdateMode } from './flus.js';
import { noteRead } from '../io/session.js';

export interface ScenarioClass {
  code: number;
  name: string;
}

export interface MarkovSettings {
  previous: string;
  t0: number;
  t1: number;
  years: number[];
  scenario: string;
}

export interface SimScenario {
  source: string;
  /** In file order; index order used by the engine is ascending code (see classOrder). */
  classes: ScenarioClass[];
  neighbourhood: number;
  /** By class code. */
  weights: Map<number, number>;
  inertia: Map<number, number>;
  /** allowed.get(from)!.get(to) in {0, 1}; null = all allowed. */
  allowed: Map<number, Map<number, number>> | null;
  restricted?: string;
  demand?: string;
  markov?: MarkovSettings;
  maxIterations?: number;
  tolerance?: number;
  /** sync update: share of each class's remaining gap accepted per iteration (default 0.1). */
  acceptFraction?: number;
  seed?: number;
  update?: UpdateMode;
  /** Simulation model (default flus) and PLUS's CARS parameters (src/models/plus.ts). */
  model?: 'flus' | 'plus';
  patchThreshold?: number;
  expansionCoefficient?: number;
  seedPercentage?: number;
  decay?: number;
}

const KEYS = new Set(['classes', 'neighbourhood', 'neighborhood', 'weights', 'inertia', 'conversion', 'restricted', 'demand', 'markov', 'maxIterations', 'tolerance', 'acceptFraction', 'seed', 'update',
  'model', 'patchThreshold', 'expansionCoefficient', 'seedPercentage', 'decay']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and validates a scenario file (.yaml, .yml or .json). */
export function readScenario(path: string): SimScenario {
  let text: string;
  try {
    noteRead(path);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read scenario (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseScenario(obj, path);
}

/** Validates a parsed scenario object; `source` names the file in messages. */
export function parseScenario(obj: unknown, source: string): SimScenario {
  const err = (m: string) => new ConfigError(`${source}: ${m}`);
  if (!isObj(obj)) throw err('expected a mapping at the top level (classes, weights, conversion, ...)');
  for (const k of Object.keys(obj)) if (!KEYS.has(k)) throw err(`unknown key "${k}" (expected one of ${[...KEYS].join(', ')})`);
  const base = dirname(resolve(source));
  // classes
  if (!Array.isArray(obj.classes) || obj.classes.length === 0) throw err('"classes" must be a non-empty list of {code, name}');
  const classes: ScenarioClass[] = obj.classes.map((c, j) => {
    if (!isObj(c)) throw err(`classes[${j}]: expected {code, name}, got ${JSON.stringify(c)}`);
    const code = c.code;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 254) {
      throw err(`classes[${j}]: code must be an integer in 0..254, got ${JSON.stringify(code)}`);
    }
    const name = c.name ?? String(code);
    if (typeof name !== 'string' || name.trim() === '') throw err(`classes[${j}]: name must be a non-empty string, got ${JSON.stringify(name)}`);
    return { code, name };
  });
  const seen = new Set<number>();
  const names = new Map<string, number>();
  for (const c of classes) {
    if (seen.has(c.code)) throw err(`classes: code ${c.code} appears twice`);
    seen.add(c.code);
    if (names.has(c.name.toLowerCase())) throw err(`classes: name "${c.name}" appears twice`);
    names.set(c.name.toLowerCase(), c.code);
  }
  const K = classes.length;
  const codeOf = (what: string, key: string): number => {
    const byName = names.get(key.toLowerCase());
    if (byName !== undefined) return byName;
    if (/^\d+$/.test(key) && seen.has(Number(key))) return Number(key);
    throw err(`${what}: "${key}" is not a class (classes: ${classes.map((c) => `${c.code} ${c.name}`).join(', ')})`);
  };
  const perClass = (what: string, v: unknown, min: number, max: number, minExclusive: boolean): Map<number, number> => {
    const m = new Map<number, number>();
    if (v === undefined) return m;
    const check = (label: string, x: unknown) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || (minExclusive ? x <= min : x < min) || x > max) {
        throw err(`${what}.${label}: expected a number in ${minExclusive ? '(' : '['}${min}, ${max === Infinity ? 'inf)' : max + ']'}, got ${JSON.stringify(x)}`);
      }
      return x;
    };
    if (Array.isArray(v)) {
      if (v.length !== K) throw err(`${what}: expected ${K} values (one per class, in the order of classes), got ${v.length}`);
      v.forEach((x, j) => m.set(classes[j].code, check(classes[j].name, x)));
    } else if (isObj(v)) {
      for (const [key, x] of Object.entries(v)) m.set(codeOf(what, key), check(key, x));
    } else throw err(`${what}: expected a list or a mapping of class -> value, got ${JSON.stringify(v)}`);
    return m;
  };
  const nb = obj.neighbourhood ?? obj.neighborhood ?? 3;
  if (typeof nb !== 'number' || !Number.isInteger(nb) || nb < 3 || nb > 11 || nb % 2 !== 1) {
    throw err(`neighbourhood: expected an odd integer in 3..11, got ${JSON.stringify(nb)}`);
  }
  const weights = perClass('weights', obj.weights, 0, 1, false);
  const inertia = perClass('inertia', obj.inertia, 0, Infinity, true);
  // conversion matrix
  let allowed: SimScenario['allowed'] = null;
  if (obj.conversion !== undefined) {
    const cv = obj.conversion;
    if (!isObj(cv)) throw err('conversion: expected {rows: current|future, matrix: [[...], ...]}');
    if (cv.rows !== 'current' && cv.rows !== 'future') {
      throw err(`conversion.rows: must say what the rows are, "current" (rows = current class, columns = future class) or "future" (rows = future class, as seed 004 Table 3); got ${JSON.stringify(cv.rows)}`);
    }
    for (const k of Object.keys(cv)) if (k !== 'rows' && k !== 'matrix') throw err(`conversion: unknown key "${k}" (expected rows, matrix)`);
    const mat = cv.matrix;
    if (!Array.isArray(mat)) throw err('conversion.matrix: expected a list of rows');
    if (mat.length !== K) throw err(`conversion.matrix: expected ${K} rows (one per class), got ${mat.length}`);
    allowed = new Map(classes.map((c) => [c.code, new Map<number, number>()]));
    mat.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== K) {
        throw err(`conversion.matrix row ${r + 1} (${classes[r].name}): expected ${K} values, got ${Array.isArray(row) ? row.length : JSON.stringify(row)}`);
      }
      row.forEach((v, c) => {
        if (v !== 0 && v !== 1) throw err(`conversion.matrix row ${r + 1} (${classes[r].name}), column ${c + 1} (${classes[c].name}): expected 0 or 1, got ${JSON.stringify(v)}`);
        const from = cv.rows === 'current' ? classes[r].code : classes[c].code;
        const to = cv.rows === 'current' ? classes[c].code : classes[r].code;
        allowed!.get(from)!.set(to, v);
      });
      if (row[r] !== 1) throw err(`conversion.matrix row ${r + 1} (${classes[r].name}): the diagonal must be 1 (a cell may keep its class), got ${JSON.stringify(row[r])}`);
    });
  }
  const path = (what: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw err(`${what}: expected a file path, got ${JSON.stringify(v)}`);
    return resolve(base, v);
  };
  let markov: MarkovSettings | undefined;
  if (obj.markov !== undefined) {
    const m = obj.markov;
    if (!isObj(m)) throw err('markov: expected {previous, t0, t1, years, scenario}');
    const prev = path('markov.previous', m.previous);
    if (!prev) throw err('markov.previous: the land-use map at t0 is required');
    const yr = (w: string, v: unknown) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw err(`markov.${w}: expected a whole year, got ${JSON.stringify(v)}`);
      return v;
    };
    const t0 = yr('t0', m.t0), t1 = yr('t1', m.t1);
    if (!(t1 > t0)) throw err(`markov: t1 (${t1}) must be after t0 (${t0})`);
    const years = Array.isArray(m.years) ? m.years.map((y, j) => yr(`years[${j}]`, y)) : [yr('years', m.years)];
    const sc = m.scenario ?? 'natural';
    if (sc !== 'natural' && sc !== 'ecological') throw err(`markov.scenario: expected "natural" or "ecological", got ${JSON.stringify(sc)}`);
    markov = { previous: prev, t0, t1, years, scenario: sc };
  }
  const intIn = (what: string, v: unknown, min: number, max: number) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw err(`${what}: expected an integer ${intRange(min, max)}, got ${JSON.stringify(v)}`);
    return v;
  };
  const tol = obj.tolerance;
  if (tol !== undefined && (typeof tol !== 'number' || !(tol >= 0 && tol <= 1))) throw err(`tolerance: expected a fraction of valid cells in [0, 1], got ${JSON.stringify(tol)}`);
  const af = obj.acceptFraction;
  if (af !== undefined && (typeof af !== 'number' || !(af > 0 && af <= 1))) throw err(`acceptFraction: expected a fraction in (0, 1], got ${JSON.stringify(af)}`);
  const upd = obj.update;
  if (upd !== undefined && upd !== 'sync' && upd !== 'flus') throw err(`update: expected "sync" or "flus", got ${JSON.stringify(upd)}`);
  const model = obj.model;
  if (model !== undefined && model !== 'flus' && model !== 'plus') throw err(`model: expected "flus" or "plus", got ${JSON.stringify(model)}`);
  const frac = (what: string, v: unknown, lo: number, hi: number, open: boolean) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(open ? v > lo && v < hi : v >= lo && v <= hi)) throw err(`${what}: expected a number in ${open ? '(' : '['}${lo}, ${hi}${open ? ')' : ']'}, got ${JSON.stringify(v)}`);
    return v;
  };
  const pt = obj.patchThreshold;
  if (pt !== undefined && (typeof pt !== 'number' || !(pt > 0 && pt <= 1))) throw err(`patchThreshold: expected a number in (0, 1], got ${JSON.stringify(pt)}`);
  return {
    source,
    classes,
    neighbourhood: nb,
    weights,
    inertia,
    allowed,
    restricted: path('restricted', obj.restricted),
    demand: path('demand', obj.demand),
    markov,
    maxIterations: intIn('maxIterations', obj.maxIterations, 1, 1_000_000),
    tolerance: tol as number | undefined,
    acceptFraction: af as number | undefined,
    seed: intIn('seed', obj.seed, 0, Number.MAX_SAFE_INTEGER),
    update: upd as UpdateMode | undefined,
    model: model as 'flus' | 'plus' | undefined,
    patchThreshold: pt as number | undefined,
    expansionCoefficient: frac('expansionCoefficient', obj.expansionCoefficient, 0, 1, false),
    seedPercentage: frac('seedPercentage', obj.seedPercentage, 0, 1, false),
    decay: frac('decay', obj.decay, 0, 1, true),
  };
}

/**
 * The engine's arrays for the class codes (ascending; the scenario's classes): weights, inertia,
 * allowed (rows = current). Errors when `codes` has a code the scenario does not list.
 */
export function scenarioArrays(sc: SimScenario, codes: number[], mapName: string): { weights: number[]; inertia: number[]; allowed: number[]; names: string[] } {
  const have = new Set(sc.classes.map((c) => c.code));
  const missing = codes.filter((c) => !have.has(c));
  if (missing.length) throw new ConfigError(`${sc.source}: classes: code(s) ${missing.join(', ')} of ${mapName} are missing`);
  const K = codes.length;
  const allowed = new Array(K * K).fill(1);
  if (sc.allowed) for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) allowed[a * K + b] = sc.allowed.get(codes[a])!.get(codes[b])!;
  return {
    weights: codes.map((c) => sc.weights.get(c) ?? 1),
    inertia: codes.map((c) => sc.inertia.get(c) ?? 1),
    allowed,
    names: codes.map((c) => sc.classes.find((x) => x.code === c)!.name),
  };
}
