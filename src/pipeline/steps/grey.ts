/**
 * GM(1,1) per unit of a table (methods.md section 8): each unit's series prefix+YYYY (e.g.
 * gdp_2014 ... gdp_2020) forecast to target years. GM(1,1) assumes equally spaced observations;
 * the step is the spacing of the years (1 for yearly, 5 for 2000, 2005, ...), and a target year
 * must lie on that spacing (a year of the series gives its observed value). Called by `landcarbon grey --table` and the study runner.
 */
import { ConfigError, InputError } from '../../errors.js';
import { gm11 } from '../../models/grey.js';
import type { Table } from '../../io/table.js';

/** Years of a series in a table: columns prefix + 4-digit year, ascending. */
export function seriesYears(t: Table, prefix: string): number[] {
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{4})$`);
  return t.columns.map((c) => re.exec(c)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

export interface UnitSeriesForecast {
  /** Value at each target year: observed when the year is in the series, else the forecast. */
  at: Record<string, number>;
  grade: string;
  C: number;
  P: number;
}

/**
 * Forecasts of one prefix for every row of `t` (row order). Errors name the file, the column
 * and the value; uneven spacing and off-spacing targets are refused.
 */
export function greyByUnit(t: Table, prefix: string, targets: number[], idColumn: string): UnitSeriesForecast[] {
  const years = seriesYears(t, prefix);
  if (years.length < 4) throw new InputError(`${t.source}: GM(1,1) needs at least 4 columns ${prefix}YYYY, found ${years.length}${years.length ? ` (${years.map((y) => prefix + y).join(', ')})` : ''}`);
  const step = years[1] - years[0];
  for (let i = 2; i < years.length; i++) {
    if (years[i] - years[i - 1] !== step) throw new InputError(`${t.source}: ${prefix}YYYY columns must be equally spaced for GM(1,1), got ${years.join(', ')}`);
  }
  const last = years[years.length - 1];
  for (const y of targets) {
    if (y < years[0]) throw new ConfigError(`target year ${y}: before the first observation ${prefix}${years[0]} of ${t.source}`);
    if ((y - years[0]) % step !== 0) {
      const lo = years[0] + step * Math.floor((y - years[0]) / step);
      throw new ConfigError(`target year ${y}: not on the ${step}-year spacing of ${t.source}'s ${prefix}YYYY columns (${years.join(', ')}); use ${lo} or ${lo + step}`);
    }
  }
  const h = Math.max(0, ...targets.map((y) => (y - last) / step));
  const cols = years.map((y) => t.columns.indexOf(`${prefix}${y}`));
  const iid = t.columns.indexOf(idColumn);
  return t.rows.map((row, r) => {
    const x0 = cols.map((c, j) => {
      const v = Number(row[c]);
      if (row[c] === '' || !Number.isFinite(v)) throw new InputError(`${t.source}: row ${r + 1} (unit ${JSON.stringify(row[iid] ?? String(r + 1))}), column "${prefix}${years[j]}": expected a number, got ${JSON.stringify(row[c])}`);
      return v;
    });
    const g = gm11(x0, h, `${t.source}: unit ${row[iid] ?? r + 1} ${prefix}${years[0]}..${last}`);
    const at: Record<string, number> = {};
    for (const y of targets) {
      const k = years.indexOf(y);
      at[y] = k >= 0 ? x0[k] : g.forecast[(y - last) / step - 1];
    }
    return { at, grade: g.grade, C: g.C, P: g.P };
  });
}
