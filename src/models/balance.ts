/**
 * Carbon-balance indices and zoning per unit (methods.md section 7; seeds 000, 002, 003).
 *
 *   CCR_i = CS_i / CE_i                      (carbon compensation rate, seed 003)
 *   CBI_i = CE_i / CS_i                      (carbon balance index, seed 002)
 *   ECC_i = (G_i / G) / (CE_i / CE)          (economic contributive coefficient)
 *   ESC_i = (CS_i / CS) / (CE_i / CE)        (ecological support coefficient)
 *
 * G, CE, CS are the totals over the units of the table. CE is a magnitude (>= 0). CS_i is the
 * sequestration (|sum of sinks|, or NEP_i): a net-source unit (NEP_i < 0, Fan et al. 2024
 * Table 2, "carbon deficit") has CS_i < 0. A unit with CE_i = 0 (and CE > 0) takes the limit
 * CE_i -> 0+: ESC, ECC and CCR are +inf when their numerator is > 0 (-inf when < 0), so "esc > 1"
 * holds; the row's reason says the limit was used. 0/0, a zero total, or a total CS <= 0 leave
 * an index undefined (null) with its reason. Never NaN.
 */
import { ConfigError, InputError } from '../errors.js';
import { decimalCommaHint, columnIndex, hasColumn, Table } from '../io/table.js';
import { Dec, fmtHuman } from '../io/numbers.js';
import { compare, Scheme, schemeIndices } from './schemes.js';

export interface UnitInput {
  unit: string;
  ce: number;
  cs: number;
  gdp?: number;
  area?: number;
  linkage?: number;
  /** Other numeric columns, usable by user schemes. */
  extra?: Record<string, number>;
}

export interface UnitIndices {
  unit: string;
  ce: number;
  cs: number;
  budget: number;
  ccr: number | null;
  cbi: number | null;
  ecc: number | null;
  esc: number | null;
  /** Why an index is undefined or infinite, e.g. "esc = +inf (limit CE_i -> 0, CE_i = 0)". Empty when all are finite. */
  undefinedReason: string;
}

export interface ZonedUnit extends UnitIndices {
  zone: string;
  /** Empty when a rule matched on finite indices; the limit used when one was infinite; otherwise why no rule matched. */
  reason: string;
}

export interface ZoneSummary {
  zone: string;
  count: number;
  /** Percent of units. */
  countShare: number;
  /** Sum of the area column when given. */
  area: number | null;
  /** Percent of the total area when given. */
  areaShare: number | null;
}

function div(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** The four indices for every unit (totals over the given units). */
export function computeIndices(units: UnitInput[]): UnitIndices[] {
  let CE = 0, CS = 0, G = 0;
  let haveG = true;
  for (const u of units) {
    CE += u.ce;
    CS += u.cs;
    if (u.gdp === undefined) haveG = false;
    else G += u.gdp;
  }
  return units.map((u) => {
    const reasons: string[] = [];
    const limits: string[] = [];
    /** a / b, with the limit b -> 0+ (b >= 0); null for 0/0. */
    const ratio = (a: number, b: number, name: string): number | null => {
      if (b !== 0) return a / b;
      if (a === 0) return null;
      limits.push(`${name} = ${a > 0 ? '+' : '-'}inf`);
      return a > 0 ? Infinity : -Infinity;
    };
    let ccr: number | null = null;
    if (u.ce === 0 && u.cs === 0) reasons.push('ccr undefined: CE_i = CS_i = 0');
    else ccr = ratio(u.cs, u.ce, 'ccr');
    const cbi = div(u.ce, u.cs);
    if (u.cs === 0) reasons.push('cbi undefined: CS_i = 0');
    let ecc: number | null = null;
    let esc: number | null = null;
    if (CE === 0) reasons.push('ecc, esc undefined: total CE = 0');
    else {
      const ceShare = u.ce / CE;
      if (!haveG || u.gdp === undefined) reasons.push('ecc undefined: no gdp column');
      else if (G === 0) reasons.push('ecc undefined: total GDP = 0');
      else if (u.gdp === 0 && ceShare === 0) reasons.push('ecc undefined: CE_i = 0 and GDP_i = 0');
      else ecc = ratio(u.gdp / G, ceShare, 'ecc');
      if (CS <= 0) reasons.push(`esc undefined: total CS ${CS === 0 ? '= 0' : '< 0 (the region is a net source)'}`);
      else if (u.cs === 0 && ceShare === 0) reasons.push('esc undefined: CE_i = 0 and CS_i = 0');
      else esc = ratio(u.cs / CS, ceShare, 'esc');
    }
    if (limits.length) reasons.unshift(`${limits.join(', ')} (limit CE_i -> 0, CE_i = 0)`);
    return { unit: u.unit, ce: u.ce, cs: u.cs, budget: u.ce - u.cs, ccr, cbi, ecc, esc, undefinedReason: reasons.join('; ') };
  });
}

function valueOf(name: string, ix: UnitIndices, u: UnitInput): number | null | undefined {
  switch (name) {
    case 'ce': return ix.ce;
    case 'cs': return ix.cs;
    case 'budget': return ix.budget;
    case 'ccr': return ix.ccr;
    case 'cbi': return ix.cbi;
    case 'ecc': return ix.ecc;
    case 'esc': return ix.esc;
    case 'gdp': return u.gdp;
    case 'area': return u.area;
    case 'linkage': return u.linkage;
    default: return u.extra?.[name];
  }
}

function fmt(v: number): string {
  return String(+v.toPrecision(6));
}

/** Zones every unit with the scheme (first matching rule wins). */
export function zoneUnits(units: UnitInput[], scheme: Scheme): ZonedUnit[] {
  const needed = schemeIndices(scheme);
  for (const name of needed) {
    if (['ce', 'cs', 'budget', 'ccr', 'cbi', 'ecc', 'esc'].includes(name)) continue;
    const missing = units.find((u) => valueOf(name, { ce: 0, cs: 0, budget: 0, ccr: 0, cbi: 0, ecc: 0, esc: 0, unit: '', undefinedReason: '' }, u) === undefined);
    if (missing) throw new ConfigError(`scheme ${scheme.id}: uses index "${name}" but unit ${JSON.stringify(missing.unit)} has no "${name}" value (add a "${name}" column to the unit table)`);
  }
  if (needed.includes('ecc') && units.some((u) => u.gdp === undefined)) {
    throw new ConfigError(`scheme ${scheme.id}: uses ecc, which needs a gdp column in the unit table`);
  }
  const ixs = computeIndices(units);
  return ixs.map((ix, i) => {
    const u = units[i];
    for (const rule of scheme.rules) {
      let ok = true;
      for (const c of rule.when) {
        const a = valueOf(c.index, ix, u);
        const b = typeof c.rhs === 'number' ? c.rhs : valueOf(c.rhs, ix, u);
        if (a === null || a === undefined || b === null || b === undefined || !compare(a, c.op, b)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        const inf = needed.filter((n) => { const v = valueOf(n, ix, u); return typeof v === 'number' && !Number.isFinite(v); });
        const reason = inf.length ? `classified by the limit CE_i -> 0 (CE_i = 0): ${inf.map((n) => `${n} = ${(valueOf(n, ix, u) as number) > 0 ? '+' : '-'}inf`).join(', ')}` : '';
        return { ...ix, zone: rule.zone, reason };
      }
    }
    const undef = needed.filter((n) => valueOf(n, ix, u) === null);
    let reason: string;
    if (undef.length > 0) reason = `${undef.join(', ')} undefined (${ix.undefinedReason})`;
    else {
      const ties: string[] = [];
      for (const r of scheme.rules) for (const c of r.when) {
        const a = valueOf(c.index, ix, u) as number;
        const b = typeof c.rhs === 'number' ? c.rhs : (valueOf(c.rhs, ix, u) as number);
        if (a === b && (c.op === '>' || c.op === '<')) ties.push(`${c.index} = ${typeof c.rhs === 'number' ? fmt(b) : c.rhs}`);
      }
      const vals = needed.map((n) => `${n} = ${fmt(valueOf(n, ix, u) as number)}`).join(', ');
      reason = ties.length > 0
        ? `tie at the threshold (${[...new Set(ties)].join(', ')}): no rule of scheme ${scheme.id} matches (${vals})`
        : `no rule of scheme ${scheme.id} matches (${vals})`;
    }
    return { ...ix, zone: 'unclassified', reason };
  });
}

/** Counts and shares per zone, in scheme order, then "unclassified" if any. */
export function summariseZones(zoned: ZonedUnit[], scheme: Scheme, areas?: (number | undefined)[]): ZoneSummary[] {
  const names = [...new Set(scheme.rules.map((r) => r.zone))];
  if (zoned.some((z) => z.zone === 'unclassified')) names.push('unclassified');
  const haveArea = !!areas && areas.every((a) => a !== undefined);
  let totalArea = 0;
  if (haveArea) for (const a of areas!) totalArea += a!;
  return names.map((zone) => {
    let count = 0, area = 0;
    zoned.forEach((z, i) => {
      if (z.zone === zone) {
        count++;
        if (haveArea) area += areas![i]!;
      }
    });
    return {
      zone,
      count,
      countShare: zoned.length ? (100 * count) / zoned.length : 0,
      area: haveArea ? area : null,
      areaShare: haveArea && totalArea > 0 ? (100 * area) / totalArea : null,
    };
  });
}

/**
 * Reads a unit table: columns unit, ce (>= 0), cs (< 0 for a net source), optional gdp (>= 0), area (>= 0),
 * linkage (0/1); other numeric columns go to `extra` (available to user schemes).
 */
export function unitsFromTable(t: Table): UnitInput[] {
  const iu = columnIndex(t, 'unit');
  const ice = columnIndex(t, 'ce');
  const ics = columnIndex(t, 'cs');
  const opt = (n: string) => (hasColumn(t, n) ? columnIndex(t, n) : -1);
  const ig = opt('gdp'), ia = opt('area'), il = opt('linkage');
  const others = t.columns.map((c, i) => ({ c: c.toLowerCase(), i })).filter(({ i }) => ![iu, ice, ics, ig, ia, il].includes(i));
  const seen = new Set<string>();
  const num = (r: number, i: number, name: string, min0: boolean): number => {
    const s = t.rows[r][i];
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) throw new InputError(`${t.source}: row ${r + 1} (unit ${JSON.stringify(t.rows[r][iu])}), column "${name}": expected a number, got ${JSON.stringify(s)}${decimalCommaHint(s)}`);
    if (min0 && v < 0) {
      const what = name === 'area' ? 'a negative area' : `a negative ${name}`;
      throw new InputError(`${t.source}: row ${r + 1} (unit ${JSON.stringify(t.rows[r][iu])}), column "${name}": ${what} ${s}, expected >= 0`);
    }
    return v;
  };
  return t.rows.map((row, r) => {
    const unit = row[iu];
    if (unit === '') throw new InputError(`${t.source}: row ${r + 1}: empty unit id`);
    if (seen.has(unit)) throw new InputError(`${t.source}: row ${r + 1}: duplicate unit ${JSON.stringify(unit)}`);
    seen.add(unit);
    // cs < 0: a net source (NEP_i < 0; Fan et al. 2024 Table 2, carbon deficit)
    const u: UnitInput = { unit, ce: num(r, ice, 'ce', true), cs: num(r, ics, 'cs', false) };
    if (ig >= 0) u.gdp = num(r, ig, 'gdp', true);
    if (ia >= 0) u.area = num(r, ia, 'area', true);
    if (il >= 0) {
      const v = num(r, il, 'linkage', false);
      if (v !== 0 && v !== 1) throw new InputError(`${t.source}: row ${r + 1} (unit ${JSON.stringify(unit)}), column "linkage": expected 0 or 1, got ${row[il]}`);
      u.linkage = v;
    }
    if (others.length) {
      u.extra = {};
      for (const { c, i } of others) {
        const v = Number(row[i]);
        if (row[i] !== '' && Number.isFinite(v)) u.extra[c] = v;
      }
    }
    return u;
  });
}

export interface ScenarioSummary {
  scenario: string;
  /** Sum of CE_i. */
  totalCe: number;
  /** Sum of CS_i. */
  totalCs: number;
  /** Net emissions sum(CE_i - CS_i): the "total emissions" of seed 000 Table 6 (sources + sinks). */
  netEmissions: number;
  /** Units with ESC > 1 (strictly). */
  unitsEscAbove1: number;
  units: number;
}

export interface ScenarioChoice {
  scenarios: ScenarioSummary[];
  /** Scenarios with the lowest net emissions (ties all listed). */
  lowestEmissions: string[];
  /** Scenarios with the most units with ESC > 1 (ties all listed). */
  mostEscAbove1: string[];
  /** The low-carbon choice (seed 000): the scenario best on both criteria, or null. */
  choice: string | null;
  /** What decided the choice: both criteria, one of them (the other tied), or null (no choice). */
  decidedBy: 'both' | 'net emissions' | 'units with ESC > 1' | null;
  reason: string;
}

/**
 * Seed 000's scenario choice: the low-carbon scenario has lower total (net) emissions and more
 * units with ESC > 1. Both criteria are reported. A scenario best on both is chosen; when it is
 * best on one and tied on the other, the reason says "tie" and which criterion decided; when
 * the criteria point to different scenarios, or scenarios tie on both, there is no choice.
 * Totals are exact decimal sums of the table values (src/io/numbers.ts), so equal totals are ties.
 */
export function chooseScenario(scenarios: Array<{ name: string; units: UnitInput[] }>): ScenarioChoice {
  if (scenarios.length < 2) throw new ConfigError(`scenario comparison needs at least 2 unit tables, got ${scenarios.length}`);
  const sums: ScenarioSummary[] = scenarios.map(({ name, units }) => {
    const ix = computeIndices(units);
    const ce = units.reduce((a, u) => a.add(u.ce), Dec.ZERO), cs = units.reduce((a, u) => a.add(u.cs), Dec.ZERO);
    return { scenario: name, totalCe: ce.toNumber(), totalCs: cs.toNumber(), netEmissions: ce.add(cs.neg()).toNumber(), unitsEscAbove1: ix.filter((x) => x.esc !== null && x.esc > 1).length, units: units.length };
  });
  const minNet = Math.min(...sums.map((s) => s.netEmissions));
  const maxEsc = Math.max(...sums.map((s) => s.unitsEscAbove1));
  const lowestEmissions = sums.filter((s) => s.netEmissions === minNet).map((s) => s.scenario);
  const mostEscAbove1 = sums.filter((s) => s.unitsEscAbove1 === maxEsc).map((s) => s.scenario);
  const both = lowestEmissions.filter((s) => mostEscAbove1.includes(s));
  const net = `net emissions ${fmtHuman(minNet)}`;
  const esc = `${maxEsc} units with ESC > 1`;
  let choice: string | null = null;
  let decidedBy: ScenarioChoice['decidedBy'] = null;
  let reason: string;
  if (both.length === 1 && lowestEmissions.length === 1 && mostEscAbove1.length === 1) {
    choice = both[0];
    decidedBy = 'both';
    reason = `${choice} has the lowest net emissions (${fmtHuman(minNet)}) and the most units with ESC > 1 (${maxEsc})`;
  } else if (both.length === 1 && lowestEmissions.length === 1) {
    choice = both[0];
    decidedBy = 'net emissions';
    reason = `tie on units with ESC > 1 (${mostEscAbove1.join(', ')}: ${maxEsc} each); decided by net emissions: ${choice} has the lowest (${fmtHuman(minNet)})`;
  } else if (both.length === 1) {
    choice = both[0];
    decidedBy = 'units with ESC > 1';
    reason = `tie on net emissions (${lowestEmissions.join(', ')}: ${fmtHuman(minNet)} each); decided by units with ESC > 1: ${choice} has the most (${maxEsc})`;
  } else if (both.length > 1) {
    reason = `tie: ${both.join(', ')} are equal on both criteria (${net}, ${esc}); no choice`;
  } else {
    reason = `criteria disagree: lowest net emissions ${lowestEmissions.join(', ')}; most units with ESC > 1 ${mostEscAbove1.join(', ')}`;
  }
  return { scenarios: sums, lowestEmissions, mostEscAbove1, choice, decidedBy, reason };
}
