/**
 * Carbon-balance step (methods.md section 7): indices and zones per unit for one table, or for
 * several scenario tables with seed 000's low-carbon choice. Called by `landcarbon balance` and
 * the study runner (which passes unit rows built in code instead of files).
 */
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { readCsv, writeCsv } from '../../io/table.js';
import { chooseScenario, ScenarioChoice, summariseZones, UnitInput, unitsFromTable, zoneUnits, ZonedUnit, ZoneSummary } from '../../models/balance.js';
import { loadScheme, Scheme } from '../../models/schemes.js';

export const ZONE_COLUMNS = ['unit', 'ccr', 'cbi', 'ecc', 'esc', 'zone', 'reason', 'ce', 'cs', 'budget'];

export function zoneRows(z: ZonedUnit[]): (string | number | null)[][] {
  return z.map((u) => [u.unit, u.ccr, u.cbi, u.ecc, u.esc, u.zone, u.reason, u.ce, u.cs, u.budget]);
}

export interface BalanceScenarioInput {
  name: string;
  /** A unit table (unit,ce,cs,gdp[,linkage][,area]) or the rows themselves. */
  table: string | UnitInput[];
}

export interface BalanceStepInput {
  /** Built-in id (suzhou, mryrua, bth), a scheme file, or a compiled scheme. */
  scheme: string | Scheme;
  scenarios: BalanceScenarioInput[];
  /** One scenario: the zoned table (CSV). Several: a directory (<name>.csv, comparison.csv). */
  out: string;
}

export interface BalanceScenarioResult {
  name: string;
  units: UnitInput[];
  zoned: ZonedUnit[];
  summary: ZoneSummary[];
}

export interface BalanceStepResult {
  scheme: Scheme;
  scenarios: BalanceScenarioResult[];
  /** With two or more scenarios. */
  comparison: ScenarioChoice | null;
  files: string[];
}

export function balanceStep(i: BalanceStepInput): BalanceStepResult {
  const scheme = typeof i.scheme === 'string' ? loadScheme(i.scheme) : i.scheme;
  const names = i.scenarios.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new ConfigError(`--names: scenario names must differ, got ${names.join(', ')}`);
  const scen = i.scenarios.map((s) => {
    const units = typeof s.table === 'string' ? unitsFromTable(readCsv(s.table)) : s.table;
    const zoned = zoneUnits(units, scheme);
    const summary = summariseZones(zoned, scheme, units.map((u) => u.area));
    return { name: s.name, units, zoned, summary };
  });
  if (scen.length === 1) {
    writeCsv(i.out, ZONE_COLUMNS, zoneRows(scen[0].zoned));
    return { scheme, scenarios: scen, comparison: null, files: [i.out] };
  }
  const files: string[] = [];
  for (const s of scen) {
    files.push(join(i.out, `${s.name}.csv`));
    writeCsv(files[files.length - 1], ZONE_COLUMNS, zoneRows(s.zoned));
  }
  const c = chooseScenario(scen.map((s) => ({ name: s.name, units: s.units })));
  files.push(join(i.out, 'comparison.csv'));
  writeCsv(
    join(i.out, 'comparison.csv'),
    ['scenario', 'units', 'total_ce', 'total_cs', 'net_emissions', 'units_esc_gt_1', 'lowest_emissions', 'most_esc_gt_1', 'choice'],
    c.scenarios.map((s) => [s.scenario, s.units, s.totalCe, s.totalCs, s.netEmissions, s.unitsEscAbove1, c.lowestEmissions.includes(s.scenario) ? 1 : 0, c.mostEscAbove1.includes(s.scenario) ? 1 : 0, c.choice === s.scenario ? 1 : 0]),
  );
  return { scheme, scenarios: scen, comparison: c, files };
}
