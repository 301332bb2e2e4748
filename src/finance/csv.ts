/**
 * CSV for German spreadsheets and accounting software: semicolon-separated, decimal comma,
 * `dd.mm.yyyy` dates in the office's timezone, RFC 4180 quoting, CRLF line ends, UTF-8 with BOM
 * (how Excel recognises UTF-8) or Windows-1252.
 *
 * Cells that a spreadsheet would run as a formula (text starting with = + - @ tab CR) get a
 * leading apostrophe: an export may hold text a citizen or a courier company typed. Amount and
 * number cells are written by us from integers and are never prefixed, so `-12,34` stays a number.
 */
import { createError } from '../shared/errors.ts';
import { isValidDeliveryDate, localDate, localTimeOfDay } from '../shared/zoned-time.ts';
import { decodeText, encodeText, type TextEncodingName, type UnmappablePolicy } from './encoding.ts';

export type CsvColumnKind = 'text' | 'cents-as-euro' | 'cents' | 'date' | 'datetime' | 'integer';

export interface CsvColumn<Row> {
  key: keyof Row & string;
  header: string;
  /**
   * - `text`: a string, guarded against formula injection.
   * - `cents-as-euro`: integer cents (number or bigint) written as euros, `1234` → `12,34`.
   * - `cents`, `integer`: an integer (number or bigint) as is.
   * - `date`: a `Date` (its calendar date in the timezone) or a `YYYY-MM-DD` date, as `dd.mm.yyyy`.
   * - `datetime`: a `Date` as `dd.mm.yyyy HH:MM:SS` wall-clock time in the timezone.
   *
   * `null` and `undefined` give an empty cell in every kind.
   */
  kind: CsvColumnKind;
}

export interface CsvOptions {
  /** Default `utf-8-bom`. */
  encoding?: TextEncodingName;
  /** IANA zone the dates are written in (the office's); required when a column is a date or datetime. */
  timeZone?: string;
  /** Characters Windows-1252 cannot hold: `error` (default) refuses the file, `replace` writes `?`. */
  onUnmappable?: UnmappablePolicy;
}

export const CSV_SEPARATOR = ';';
const LINE_END = '\r\n';

export function createCsvInvalidValueError(message: string, details: Record<string, unknown>) {
  return createError({ code: 'finance.csv_invalid_value', status: 422, message, details });
}

export function createCsvOptionsError(message: string) {
  return createError({ code: 'finance.csv_invalid_options', status: 500, message });
}

export function createCsvParseError(message: string, details: Record<string, unknown>) {
  return createError({ code: 'finance.csv_unparsable', status: 422, message, details });
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field holding the separator, a quote or a line break is quoted, quotes doubled. */
export function quoteCsvField(value: string, separator = CSV_SEPARATOR): string {
  return /["\r\n]/.test(value) || value.includes(separator) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A text cell a spreadsheet will show as text, never evaluate. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Integer cents as euros with a decimal comma and no thousands separator: `-123456` → `-1234,56`. */
export function formatCentsAsEuro(cents: number | bigint): string {
  const value = BigInt(cents);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / 100n},${String(abs % 100n).padStart(2, '0')}`;
}

/** `dd.mm.yyyy` of a `YYYY-MM-DD` calendar date. */
export function formatGermanDate(date: string): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
}

export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw createCsvOptionsError(`Unknown IANA timezone "${timeZone}"`);
  }
}

interface CellContext {
  column: string;
  row: number;
  timeZone: string | undefined;
}

function invalid(ctx: CellContext, expected: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw createCsvInvalidValueError(`Row ${ctx.row}, column "${ctx.column}": expected ${expected}, got ${shown}`, {
    row: ctx.row,
    column: ctx.column,
  });
}

function integerOf(value: unknown, ctx: CellContext, what: string): number | bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return invalid(ctx, `${what} (a safe integer or bigint)`, value);
}

function instantOf(value: unknown, ctx: CellContext): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  return invalid(ctx, 'a valid Date', value);
}

function formatCell(kind: CsvColumnKind, value: unknown, ctx: CellContext): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'text':
      if (typeof value !== 'string') return invalid(ctx, 'a string', value);
      return neutraliseFormula(value);
    case 'cents-as-euro':
      return formatCentsAsEuro(integerOf(value, ctx, 'integer cents'));
    case 'cents':
      return String(integerOf(value, ctx, 'integer cents'));
    case 'integer':
      return String(integerOf(value, ctx, 'an integer'));
    case 'date': {
      if (typeof value === 'string') {
        if (!isValidDeliveryDate(value)) return invalid(ctx, 'a YYYY-MM-DD date', value);
        return formatGermanDate(value);
      }
      // timeZone is checked once before the first row when a date column exists.
      return formatGermanDate(localDate(instantOf(value, ctx), ctx.timeZone ?? 'UTC'));
    }
    case 'datetime': {
      const instant = instantOf(value, ctx);
      const zone = ctx.timeZone ?? 'UTC';
      // Seconds are the same on every wall clock: today's zone offsets are whole minutes.
      const seconds = String(instant.getUTCSeconds()).padStart(2, '0');
      return `${formatGermanDate(localDate(instant, zone))} ${localTimeOfDay(instant, zone)}:${seconds}`;
    }
  }
}

/**
 * A CSV file: a header line, then one line per row, each ended with CRLF. Returns the encoded
 * bytes. Throws `finance.csv_invalid_value` naming row and column for a value that does not fit
 * its column, and `finance.unmappable_character` for text Windows-1252 cannot hold (unless
 * `onUnmappable: 'replace'`).
 */
export function toCsv<Row extends object>(columns: readonly CsvColumn<Row>[], rows: readonly Row[], options: CsvOptions = {}): Buffer {
  if (columns.length === 0) throw createCsvOptionsError('A CSV file needs at least one column');
  const needsZone = columns.some((c) => c.kind === 'date' || c.kind === 'datetime');
  if (needsZone) {
    if (!options.timeZone) throw createCsvOptionsError('Date and datetime columns need options.timeZone (the office timezone)');
    assertTimeZone(options.timeZone);
  }
  const lines = [columns.map((c) => quoteCsvField(c.header)).join(CSV_SEPARATOR)];
  rows.forEach((row, i) => {
    const record = row as Record<string, unknown>;
    const cells = columns.map((c) =>
      quoteCsvField(formatCell(c.kind, record[c.key], { column: c.key, row: i + 1, timeZone: options.timeZone })),
    );
    lines.push(cells.join(CSV_SEPARATOR));
  });
  return encodeText(lines.join(LINE_END) + LINE_END, options.encoding ?? 'utf-8-bom', options.onUnmappable ?? 'error');
}

/**
 * Reads a CSV file back into rows of raw field strings (quotes removed, doubled quotes undone,
 * nothing else interpreted). Accepts CRLF or LF line ends; a final line end adds no empty row.
 * Throws `finance.csv_unparsable` for an unclosed quote or stray characters after a quoted field.
 */
export function parseCsv(bytes: Uint8Array, encoding: TextEncodingName, separator = CSV_SEPARATOR): string[][] {
  return parseCsvText(decodeText(bytes, encoding), separator);
}

export function parseCsvText(text: string, separator = CSV_SEPARATOR): string[][] {
  if (separator.length !== 1 || separator === '"' || separator === '\r' || separator === '\n') {
    throw createCsvOptionsError(`Unusable CSV separator ${JSON.stringify(separator)}`);
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    // At the start of a field.
    let field = '';
    if (text[i] === '"') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw createCsvParseError(`Quoted field opened on line ${startLine} is never closed`, { line: startLine });
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\n') line++;
        field += ch;
        i++;
      }
      if (i < n && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') {
        throw createCsvParseError(`Line ${line}: characters after a closing quote`, { line });
      }
    } else {
      const start = i;
      while (i < n && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw createCsvParseError(`Line ${line}: a quote inside an unquoted field`, { line });
        i++;
      }
      field = text.slice(start, i);
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    const ch = text[i];
    if (ch === separator) {
      i++;
      continue;
    }
    if (ch === '\r') {
      if (text[i + 1] !== '\n') throw createCsvParseError(`Line ${line}: a carriage return without line feed`, { line });
      i++;
    }
    i++; // the line feed
    line++;
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}
