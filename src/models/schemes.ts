/**
 * Carbon-balance zoning schemes as data (methods.md section 7). A scheme is an ordered list
 * of zones, each with conditions over named per-unit indices; the first zone whose conditions
 * all hold is the unit's zone. A unit no rule matches is "unclassified", with a reason.
 *
 * Condition syntax: "<index> <op> <number | index>", op one of > < >= <= == !=.
 * Indices available per unit: ce, cs, budget, ccr, cbi, ecc, esc, gdp, area, linkage
 * (and any other numeric column of the unit table, by its name).
 *
 * A condition on an undefined index (e.g. ECC when CE_i = 0) is not satisfied; if no rule
 * matches, the reason names the undefined index. Thresholds are exactly as in the papers, so a
 * value of exactly 1 satisfies neither "> 1" nor "< 1" (Suzhou, Middle Yangtze: unclassified,
 * reason given) but does satisfy "<= 1" (BTH: low-carbon control / emission linkage control).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { noteRead } from '../io/session.js';

export type Op = '>' | '<' | '>=' | '<=' | '==' | '!=';

export interface Condition {
  index: string;
  op: Op;
  /** A number, or the name of another index (e.g. "cs > ce"). */
  rhs: number | string;
}

export interface ZoneRule {
  zone: string;
  when: Condition[];
}

export interface Scheme {
  id: string;
  name: string;
  source: string;
  rules: ZoneRule[];
}

/** Scheme file / built-in form: conditions as strings. */
export interface SchemeSpec {
  id: string;
  name?: string;
  source?: string;
  zones: Array<{ zone: string; when: string[] }>;
}

export const BUILTIN_SCHEME_SPECS: Record<string, SchemeSpec> = {
  suzhou: {
    id: 'suzhou',
    name: 'Suzhou township carbon-balance zoning (ECC x ESC)',
    source: 'seed 003 (Suzhou), section on carbon balance zoning; thresholds ECC = 1, ESC = 1',
    zones: [
      { zone: 'low-carbon economic', when: ['ecc > 1', 'esc > 1'] },
      { zone: 'carbon source control', when: ['ecc > 1', 'esc < 1'] },
      { zone: 'carbon sink functional', when: ['ecc < 1', 'esc > 1'] },
      { zone: 'high-carbon optimisation', when: ['ecc < 1', 'esc < 1'] },
    ],
  },
  mryrua: {
    id: 'mryrua',
    name: 'Middle Yangtze River urban agglomeration zoning (CS vs CE, ESC, ECC)',
    source: 'seed 002 (Middle Yangtze), carbon balance zoning; thresholds CS = CE, ESC = 1, ECC = 1',
    zones: [
      { zone: 'carbon sink functional', when: ['cs > ce', 'esc > 1'] },
      { zone: 'low-carbon economic', when: ['cs < ce', 'esc > 1', 'ecc > 1'] },
      { zone: 'low-carbon optimisation', when: ['cs < ce', 'esc > 1', 'ecc < 1'] },
      { zone: 'carbon intensity control', when: ['cs < ce', 'esc < 1', 'ecc > 1'] },
      { zone: 'high-carbon optimisation', when: ['cs < ce', 'esc < 1', 'ecc < 1'] },
    ],
  },
  bth: {
    id: 'bth',
    name: 'Beijing-Tianjin-Hebei county zoning (ESC x carbon-emission linkage area)',
    source: 'seed 000 (BTH), low-carbon zoning; ESC > 1 vs ESC <= 1, linkage = 1 when the county is in a linkage area of the emission network',
    zones: [
      { zone: 'ecological conservation', when: ['esc > 1', 'linkage == 1'] },
      { zone: 'carbon sink balance', when: ['esc > 1', 'linkage == 0'] },
      { zone: 'emission linkage control', when: ['esc <= 1', 'linkage == 1'] },
      { zone: 'low-carbon control', when: ['esc <= 1', 'linkage == 0'] },
    ],
  },
};

const OPS: Op[] = ['>=', '<=', '==', '!=', '>', '<'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseCondition(s: string, where: string): Condition {
  if (typeof s !== 'string') throw new ConfigError(`${where}: expected a condition string like "esc > 1", got ${JSON.stringify(s)}`);
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$/.exec(s);
  if (!m) throw new ConfigError(`${where}: cannot parse condition ${JSON.stringify(s)}, expected "<index> <op> <number|index>" with op one of ${OPS.join(' ')}`);
  const rhsText = m[3];
  let rhs: number | string;
  if (NAME.test(rhsText)) rhs = rhsText.toLowerCase();
  else {
    rhs = Number(rhsText);
    if (!Number.isFinite(rhs)) throw new ConfigError(`${where}: condition ${JSON.stringify(s)}: right side ${JSON.stringify(rhsText)} is neither a number nor an index name`);
  }
  return { index: m[1].toLowerCase(), op: m[2] as Op, rhs };
}

export function compileScheme(spec: SchemeSpec, where: string): Scheme {
  if (!spec || typeof spec !== 'object') throw new ConfigError(`${where}: expected a scheme object with "id" and "zones"`);
  if (typeof spec.id !== 'string' || spec.id === '') throw new ConfigError(`${where}: "id" must be a non-empty string`);
  if (!Array.isArray(spec.zones) || spec.zones.length === 0) throw new ConfigError(`${where}: "zones" must be a non-empty list of {zone, when}`);
  const rules = spec.zones.map((z, i) => {
    const w = `${where}: zones[${i}]`;
    if (!z || typeof z.zone !== 'string' || z.zone === '') throw new ConfigError(`${w}: "zone" must be a non-empty string`);
    if (z.zone === 'unclassified') throw new ConfigError(`${w}: "unclassified" is reserved for units no rule matches`);
    if (!Array.isArray(z.when) || z.when.length === 0) throw new ConfigError(`${w} (${z.zone}): "when" must be a non-empty list of conditions`);
    return { zone: z.zone, when: z.when.map((c, j) => parseCondition(c, `${w}.when[${j}]`)) };
  });
  return { id: spec.id, name: spec.name ?? spec.id, source: spec.source ?? where, rules };
}

/** Indices a scheme refers to. */
export function schemeIndices(s: Scheme): string[] {
  const set = new Set<string>();
  for (const r of s.rules) for (const c of r.when) {
    set.add(c.index);
    if (typeof c.rhs === 'string') set.add(c.rhs);
  }
  return [...set];
}

/** A built-in scheme by id, or a scheme file (JSON or YAML) in the SchemeSpec form. */
export function loadScheme(idOrPath: string): Scheme {
  const b = BUILTIN_SCHEME_SPECS[idOrPath.toLowerCase()];
  if (b) return compileScheme(b, `scheme ${b.id}`);
  let text: string;
  try {
    noteRead(idOrPath);
    text = readFileSync(idOrPath, 'utf8');
  } catch {
    throw new ConfigError(`--scheme: ${JSON.stringify(idOrPath)} is neither a built-in scheme (${Object.keys(BUILTIN_SCHEME_SPECS).join(', ')}) nor a readable scheme file`);
  }
  let spec: unknown;
  try {
    spec = idOrPath.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${idOrPath}: not valid JSON/YAML (${(e as Error).message.split('\n')[0]})`);
  }
  return compileScheme(spec as SchemeSpec, idOrPath);
}

export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}
