/**
 * CSV tables: read with csv-parse (quoted fields, BOM, CRLF), write with csv-stringify.
 * A Table is a header plus rows of strings; typed accessors validate and name the file,
 * row and column in their errors.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { noteRead } from './session.js';

export interface Table {
  /** Where it came from, for messages. */
  source: string;
  columns: string[];
  rows: string[][];
}

export function parseCsv(text: string, source: string): Table {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new InputError(`${source}: not a valid CSV table (${(e as Error).message})`);
  }
  if (records.length === 0) throw new InputError(`${source}: empty table, expected a header row`);
  const columns = records[0];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new InputError(`${source}: duplicate column "${c}" in the header`);
    seen.add(c);
  }
  return { source, columns, rows: records.slice(1) };
}

export function readCsv(path: string): Table {
  let text: string;
  try {
    noteRead(path);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read table (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCsv(text, path);
}

export function columnIndex(t: Table, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new InputError(`${t.source}: missing column "${name}" (columns: ${t.columns.join(', ')})`);
  return i;
}

export function hasColumn(t: Table, name: string): boolean {
  return t.columns.includes(name);
}

/** A column as strings. */
export function stringColumn(t: Table, name: string): string[] {
  const i = columnIndex(t, name);
  return t.rows.map((r) => r[i]);
}

/**
 * A column as finite numbers; an empty cell is an error unless allowEmpty (then NaN).
 * Errors name the file, the 1-based data row, the column and the value.
 */
export function numberColumn(t: Table, name: string, opts: { allowEmpty?: boolean; min?: number; integer?: boolean } = {}): Float64Array {
  const i = columnIndex(t, name);
  const out = new Float64Array(t.rows.length);
  for (let r = 0; r < t.rows.length; r++) {
    const s = t.rows[r][i];
    if (s === '' && opts.allowEmpty) {
      out[r] = NaN;
      continue;
    }
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) {
      throw new InputError(`${t.source}: row ${r + 1}, column "${name}": expected a number, got ${JSON.stringify(s)}`);
    }
    if (opts.integer && !Number.isInteger(v)) {
      throw new InputError(`${t.source}: row ${r + 1}, column "${name}": expected an integer, got ${JSON.stringify(s)}`);
    }
    if (opts.min !== undefined && v < opts.min) {
      throw new InputError(`${t.source}: row ${r + 1}, column "${name}": expected a value >= ${opts.min}, got ${s}`);
    }
    out[r] = v;
  }
  return out;
}

/** Format a number for CSV output: integers as-is, floats with 17 significant digits trimmed (round-trips exactly). */
export function fmtNum(v: number): string {
  if (Number.isNaN(v)) return '';
  if (Number.isInteger(v)) return String(v);
  return String(v);
}

export function toCsv(columns: string[], rows: (string | number | null | undefined)[][]): string {
  return stringify([columns, ...rows.map((r) => r.map((v) => (typeof v === 'number' ? fmtNum(v) : v ?? '')))]);
}

/** Writes a CSV atomically (temporary name, then rename). */
export function writeCsv(path: string, columns: string[], rows: (string | number | null | undefined)[][]): void {
  writeFileAtomic(path, toCsv(columns, rows));
}
