/**
 * Land-use demand tables: integer cell counts per class for one or more target years.
 *
 * Format read and written by `landcarbon markov --out` and `landcarbon simulate --demand`:
 *
 *   year,1,2,3          header: "year", then class codes
 *   1999,45377,43455,24731
 *
 * One row per target year (strictly increasing); counts are integers >= 0; each row sums to
 * the number of valid cells of the land-use map. Also read: the lulcc / CLUE-S layout (e.g.
 * sibuyan demand1.csv): header V1..VK, no year column, one row per year from a given start
 * year; Vk is the k-th class code in ascending order.
 */
import { ConfigError, InputError } from '../errors.js';
import { Table, readCsv, writeCsv } from '../io/table.js';

export interface Demand {
  years: number[];
  /** Class codes, ascending; column order of counts. */
  codes: number[];
  /** counts[y][k] = cells of codes[k] in years[y]. */
  counts: number[][];
}

export type DemandLayout = 'year' | 'lulcc' | 'auto';

export interface ReadDemandOptions {
  /** Class codes of the land-use map: the file must have exactly these. Required for the lulcc layout. */
  codes?: number[];
  /** Valid cells of the land-use map: every row must sum to it. */
  validCells?: number;
  /** 'auto' (default): a "year" column means the year layout, V1..VK means lulcc. */
  layout?: DemandLayout;
  /** First year of a lulcc-layout table (row k is startYear + k). */
  startYear?: number;
}

const LULCC_COL = /^V(\d+)$/i;

function isInt(s: string): boolean {
  return /^[+-]?\d+$/.test(s.trim());
}

/** Parses a demand table already read as a Table (source = file name for messages). */
export function parseDemandTable(t: Table, opts: ReadDemandOptions = {}): Demand {
  const src = t.source;
  const hasYear = t.columns.length > 0 && t.columns[0].trim().toLowerCase() === 'year';
  const lulccCols = t.columns.length > 0 && t.columns.every((c) => LULCC_COL.test(c.trim()));
  let layout = opts.layout ?? 'auto';
  if (layout === 'auto') {
    if (hasYear) layout = 'year';
    else if (lulccCols) layout = 'lulcc';
    else {
      throw new InputError(
        `${src}: header ${JSON.stringify(t.columns.join(','))} is neither "year,<code>,<code>,..." nor the lulcc layout "V1,V2,..."`,
      );
    }
  }
  if (t.rows.length === 0) throw new InputError(`${src}: no data rows (expected one row per year)`);
  let years: number[];
  let fileCodes: number[];
  let cols: number[]; // column index in the table for each entry of fileCodes
  if (layout === 'year') {
    if (!hasYear) throw new InputError(`${src}: first column must be "year", got ${JSON.stringify(t.columns[0])}`);
    if (opts.startYear !== undefined) {
      throw new ConfigError(`${src}: a start year (${opts.startYear}) was given but the table has a year column`);
    }
    if (t.columns.length < 2) throw new InputError(`${src}: no class columns after "year"`);
    fileCodes = t.columns.slice(1).map((c) => {
      if (!isInt(c)) throw new InputError(`${src}: column "${c}" is not a class code (expected an integer)`);
      return Number(c);
    });
    cols = fileCodes.map((_, k) => k + 1);
    years = t.rows.map((r, k) => {
      const s = r[0];
      if (!isInt(s)) throw new InputError(`${src}: row ${k + 1}, column "year": expected a whole year, got ${JSON.stringify(s)}`);
      return Number(s);
    });
  } else {
    if (!lulccCols) {
      throw new InputError(`${src}: lulcc layout expects columns V1,V2,...; got ${JSON.stringify(t.columns.join(','))}`);
    }
    t.columns.forEach((c, k) => {
      if (Number(LULCC_COL.exec(c.trim())![1]) !== k + 1) {
        throw new InputError(`${src}: lulcc layout expects columns V1..V${t.columns.length} in order; column ${k + 1} is "${c}"`);
      }
    });
    if (opts.startYear === undefined) {
      throw new ConfigError(`${src}: lulcc layout (columns V1..V${t.columns.length}, no year column) needs a start year (--demand-start-year)`);
    }
    if (!Number.isInteger(opts.startYear)) throw new ConfigError(`${src}: start year ${opts.startYear} is not a whole year`);
    if (!opts.codes) {
      throw new ConfigError(`${src}: lulcc layout needs the class codes of the land-use map to map V1..V${t.columns.length} to classes`);
    }
    const sorted = [...opts.codes].sort((a, b) => a - b);
    if (sorted.length !== t.columns.length) {
      throw new InputError(
        `${src}: ${t.columns.length} columns V1..V${t.columns.length} but the land-use map has ${sorted.length} classes (${sorted.join(', ')})`,
      );
    }
    fileCodes = sorted;
    cols = sorted.map((_, k) => k);
    years = t.rows.map((_, k) => opts.startYear! + k);
  }
  // codes: distinct, and equal to the map's classes when given
  const seen = new Set<number>();
  for (const c of fileCodes) {
    if (seen.has(c)) throw new InputError(`${src}: class code ${c} appears twice in the header`);
    seen.add(c);
  }
  if (opts.codes) {
    const want = new Set(opts.codes);
    const extra = fileCodes.filter((c) => !want.has(c));
    if (extra.length) {
      throw new InputError(`${src}: column(s) ${extra.join(', ')} are not class codes of the land-use map (codes: ${[...want].sort((a, b) => a - b).join(', ')})`);
    }
    const missing = [...want].filter((c) => !seen.has(c)).sort((a, b) => a - b);
    if (missing.length) {
      throw new InputError(`${src}: class code(s) ${missing.join(', ')} of the land-use map have no column (columns: ${t.columns.join(', ')})`);
    }
  }
  for (let k = 1; k < years.length; k++) {
    if (!(years[k] > years[k - 1])) {
      throw new InputError(`${src}: years must increase: row ${k + 1} has ${years[k]} after ${years[k - 1]}`);
    }
  }
  // order columns by ascending code
  const order = fileCodes.map((c, k) => ({ c, col: cols[k] })).sort((a, b) => a.c - b.c);
  const codes = order.map((o) => o.c);
  const counts = t.rows.map((r, y) =>
    order.map(({ c, col }) => {
      const s = r[col];
      const v = Number(s);
      if (s === undefined || s.trim() === '' || !Number.isInteger(v) || v < 0) {
        throw new InputError(`${src}: year ${years[y]}, class ${c} (column "${t.columns[col]}"): expected a whole number of cells >= 0, got ${JSON.stringify(s)}`);
      }
      return v;
    }),
  );
  const d: Demand = { years, codes, counts };
  if (opts.validCells !== undefined) checkDemandTotals(d, opts.validCells, src);
  return d;
}

/** Every row must sum to the valid cells of the land-use map. */
export function checkDemandTotals(d: Demand, validCells: number, source: string): void {
  d.counts.forEach((row, y) => {
    const s = row.reduce((a, b) => a + b, 0);
    if (s !== validCells) {
      throw new InputError(`${source}: year ${d.years[y]}: demand sums to ${s} cells, expected ${validCells} (valid cells of the land-use map)`);
    }
  });
}

/** Reads a demand CSV (year layout or lulcc layout), validated as described in ReadDemandOptions. */
export function readDemandCsv(path: string, opts: ReadDemandOptions = {}): Demand {
  return parseDemandTable(readCsv(path), opts);
}

/** Writes a demand table in the year layout (atomically). */
export function writeDemandCsv(path: string, d: Demand): void {
  if (d.counts.length !== d.years.length || d.counts.some((r) => r.length !== d.codes.length)) {
    throw new InputError(`${path}: demand has ${d.years.length} years and ${d.codes.length} codes but counts of another shape`);
  }
  writeCsv(path, ['year', ...d.codes.map(String)], d.years.map((y, k) => [y, ...d.counts[k]]));
}

/**
 * Per-region demand (simulate --regions): the year layout with a leading "region" column,
 *
 *   region,year,1,2,3        one row per (region, year); every region has the same years
 *   11,2030,4000,900,300
 *   12,2030,3100,1200,80
 *
 * Each region's rows are checked as a demand table of their own (source "<file> (region R)"),
 * against the region's valid cells when regionCells gives them. Regions are listed in ascending
 * code order; counts[y][r][k] = cells of codes[k] in regions[r] in years[y].
 */
export interface RegionDemand {
  regions: number[];
  years: number[];
  codes: number[];
  counts: number[][][];
}

export function parseRegionDemandTable(t: Table, opts: { codes?: number[]; regionCells?: Map<number, number> } = {}): RegionDemand {
  const src = t.source;
  if (t.columns.length === 0 || t.columns[0].trim().toLowerCase() !== 'region') {
    throw new InputError(`${src}: per-region demand needs "region" as the first column, then "year" and the class codes; got ${JSON.stringify(t.columns.join(','))}`);
  }
  const byRegion = new Map<number, string[][]>();
  t.rows.forEach((r, k) => {
    const s = r[0] ?? '';
    if (!isInt(s)) throw new InputError(`${src}: row ${k + 1}, column "region": expected an integer region code, got ${JSON.stringify(s)}`);
    const code = Number(s);
    if (!byRegion.has(code)) byRegion.set(code, []);
    byRegion.get(code)!.push(r.slice(1));
  });
  if (byRegion.size === 0) throw new InputError(`${src}: no data rows (expected one row per region and year)`);
  const regions = [...byRegion.keys()].sort((a, b) => a - b);
  if (opts.regionCells) {
    const known = [...opts.regionCells.keys()].sort((a, b) => a - b);
    const extra = regions.filter((r) => !opts.regionCells!.has(r));
    if (extra.length) throw new InputError(`${src}: region(s) ${extra.join(', ')} do not occur in the regions raster (its regions: ${known.join(', ')})`);
    const missing = known.filter((r) => !byRegion.has(r));
    if (missing.length) throw new InputError(`${src}: region(s) ${missing.join(', ')} of the regions raster have no demand rows`);
  }
  const parts = regions.map((r) =>
    parseDemandTable({ source: `${src} (region ${r})`, columns: t.columns.slice(1), rows: byRegion.get(r)! }, {
      codes: opts.codes, validCells: opts.regionCells?.get(r), layout: 'year',
    }),
  );
  const years = parts[0].years;
  parts.forEach((p, j) => {
    if (p.years.join(',') !== years.join(',')) {
      throw new InputError(`${src}: region ${regions[j]} has years ${p.years.join(', ')} but region ${regions[0]} has ${years.join(', ')} (every region needs the same years)`);
    }
  });
  return { regions, years, codes: parts[0].codes, counts: years.map((_, y) => parts.map((p) => p.counts[y])) };
}

export function readRegionDemandCsv(path: string, opts: { codes?: number[]; regionCells?: Map<number, number> } = {}): RegionDemand {
  return parseRegionDemandTable(readCsv(path), opts);
}
