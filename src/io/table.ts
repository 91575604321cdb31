/**
 * CSV tables: read with csv-parse (quoted fields, BOM, CRLF), write with csv-stringify.
 * A Table is a header plus rows of strings; typed accessors validate and name the file,
 * row and column in their errors.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ConfigError, InputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { fmtTable } from './numbers.js';
import { noteRead } from './session.js';

export interface Table {
  /** Where it came from, for messages. */
  source: string;
  columns: string[];
  rows: string[][];
  /** The field delimiter the table was read with. */
  delimiter?: string;
}

/**
 * Reading options. `delimiter` defaults to the header line's: a comma when it has one, else a
 * semicolon (European Excel), else a tab. `encoding` is a WHATWG label (utf-8 default; gb18030
 * or gbk for Chinese Excel exports, big5, shift_jis, windows-1252, ...), decoded by TextDecoder.
 */
export interface CsvOptions {
  encoding?: string;
  delimiter?: string;
}

const csvDefaults: { encoding?: string; bom: boolean } = { bom: false };

/**
 * Process-wide CSV settings from the CLI's global options (`--encoding`, `--excel`), so every
 * command that reads or writes a table honours them. Library callers pass CsvOptions instead.
 */
export function setCsvDefaults(o: { encoding?: string; excel?: boolean }): void {
  if (o.encoding !== undefined) checkEncoding(o.encoding);
  csvDefaults.encoding = o.encoding;
  csvDefaults.bom = !!o.excel;
}

function checkEncoding(label: string): string {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new ConfigError(`--encoding: unknown encoding ${JSON.stringify(label)} (expected a WHATWG label such as utf-8, gb18030, gbk, big5, shift_jis, windows-1252)`);
  }
}

/** The header line's delimiter: comma, else semicolon, else tab, else comma. */
export function detectDelimiter(text: string): string {
  const nl = text.search(/\r?\n/);
  const head = nl < 0 ? text : text.slice(0, nl);
  if (head.includes(',')) return ',';
  if (head.includes(';')) return ';';
  if (head.includes('\t')) return '\t';
  return ',';
}

export function parseCsv(text: string, source: string, opts: CsvOptions = {}): Table {
  const delimiter = opts.delimiter ?? detectDelimiter(text.replace(/^\uFEFF/, ''));
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, delimiter }) as string[][];
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
  return { source, columns, rows: records.slice(1), delimiter };
}

/** Line (1-based) and the bytes of the first invalid UTF-8 sequence. */
function firstInvalidUtf8(buf: Uint8Array): { line: number; bytes: string } | null {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = n > 0 && i + n <= buf.length;
    if (ok && n > 1) {
      try {
        dec.decode(buf.subarray(i, i + n));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      const bytes = Array.from(buf.subarray(i, Math.min(buf.length, i + 2)), (x) => `0x${x.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
      return { line, bytes };
    }
    if (b === 0x0a) line++;
    i += n;
  }
  return null;
}

/**
 * Reads a CSV table. Text is decoded strictly: bytes that are not valid in the encoding are an
 * error naming the line (a GBK file read as UTF-8 would otherwise turn names into U+FFFD).
 */
export function readCsv(path: string, opts: CsvOptions = {}): Table {
  let buf: Buffer;
  try {
    noteRead(path);
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read table (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const encoding = checkEncoding(opts.encoding ?? csvDefaults.encoding ?? 'utf-8');
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(buf);
  } catch {
    if (encoding === 'utf-8') {
      const at = firstInvalidUtf8(buf);
      throw new InputError(
        `${path}: not valid UTF-8 (line ${at?.line ?? '?'}: bytes ${at?.bytes ?? '?'}); a file saved by Chinese Excel is GBK: ` +
          `pass --encoding gb18030, or save it as "CSV UTF-8"`,
      );
    }
    throw new InputError(`${path}: not valid ${encoding} text; check --encoding`);
  }
  return parseCsv(text, path, opts);
}

/** " (a decimal comma? ...)" when a cell that is not a number looks like "0,42", else "". */
export function decimalCommaHint(s: string | undefined): string {
  return s !== undefined && /^[-+]?\d+,\d+$/.test(s.trim()) ? ' (a decimal comma? numbers need a decimal point)' : '';
}

export function columnIndex(t: Table, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) {
    const one = t.columns.length === 1 ? t.columns[0] : '';
    const hint = /[;\t|]/.test(one) ? `; the header is one field: the file looks ${one.includes(';') ? 'semicolon' : one.includes('\t') ? 'tab' : 'pipe'}-separated` : '';
    throw new InputError(`${t.source}: missing column "${name}" (columns: ${t.columns.join(', ')})${hint}`);
  }
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
      throw new InputError(`${t.source}: row ${r + 1}, column "${name}": expected a number, got ${JSON.stringify(s)}${decimalCommaHint(s)}`);
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

/** A number in a CSV cell: the shortest round-trip form, NaN empty (the shared formatter, src/io/numbers.ts). */
export const fmtNum = fmtTable;

/**
 * Output CSVs are UTF-8 without a byte-order mark by default: pandas, R, csv-parse, awk and
 * `cut` read them as they are, while a BOM becomes part of the first column name in several of
 * them. `--excel` (setCsvDefaults) prepends the UTF-8 BOM, which Excel needs to show non-ASCII
 * names (Chinese unit names) correctly.
 */
export function csvBom(): string {
  return csvDefaults.bom ? '\uFEFF' : '';
}

export function toCsv(columns: string[], rows: (string | number | null | undefined)[][]): string {
  return csvBom() + stringify([columns, ...rows.map((r) => r.map((v) => (typeof v === 'number' ? fmtNum(v) : v ?? '')))]);
}

/** Writes a CSV atomically (temporary name, then rename). */
export function writeCsv(path: string, columns: string[], rows: (string | number | null | undefined)[][]): void {
  writeFileAtomic(path, toCsv(columns, rows));
}
