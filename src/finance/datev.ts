/**
 * DATEV-Format Buchungsstapel (EXTF, header version 700, category 21, format version 13): the
 * booking batch a city's tax office or DATEV-based accounting imports.
 *
 * Line 1 is the 31-field header, line 2 the 125 column names of format version 13, then one line
 * per booking. Semicolon-separated, text fields in double quotes, amounts positive with a decimal
 * comma (the side is the Soll/Haben-Kennzeichen), Belegdatum as DDMM (the year is the header's),
 * CRLF line ends, Windows-1252 by default.
 *
 * The writer refuses what DATEV would refuse or book wrongly, and says all of it at once:
 * account numbers that are not digits or longer than the account length allows, a Belegfeld 1
 * with characters DATEV does not take, a Belegdatum outside the batch's period, a period that
 * crosses the calendar or fiscal year, amounts of zero or above 10 integer digits.
 *
 * Where this comes from: no DATEV document was at hand. The 31 header fields and the 125 column
 * names follow several public implementations of the DATEV format, which agree on names and
 * positions. Least certain: the column names "Zusatzinformation- Inhalt N" (DATEV's own missing
 * space, kept), "Buchungs GUID" and "EU-Land u. UStID (Bestimmung)"; the header fields written
 * empty or as "" (8 Herkunft, 18 Diktatkürzel, 23–26, 28–31); the Belegfeld 2 and KOST1 rules,
 * which come from a public validator citing the spec. `"` and control characters in text fields
 * are refused rather than escaped, since doubled quotes could not be confirmed.
 */
import { createError } from '../shared/errors.ts';
import { isValidDeliveryDate, localDate, localTimeOfDay } from '../shared/zoned-time.ts';
import { assertTimeZone, parseCsvText } from './csv.ts';
import { decodeText, encodeText, type TextEncodingName } from './encoding.ts';

export const DATEV_HEADER_FIELD_COUNT = 31;
export const DATEV_HEADER_VERSION = 700;
export const DATEV_CATEGORY_BUCHUNGSSTAPEL = 21;
export const DATEV_FORMAT_VERSION_BUCHUNGSSTAPEL = 13;
export const DATEV_MAX_RECORDS = 99_999;
export const DATEV_DOCUMENT_FIELD_1_MAX = 36;
export const DATEV_DOCUMENT_FIELD_2_MAX = 12;
export const DATEV_TEXT_MAX = 60;
export const DATEV_DESCRIPTION_MAX = 30;
export const DATEV_EXPORTED_BY_MAX = 25;
export const DATEV_COST_CENTRE_MAX = 36;
/** Umsatz: at most 10 digits before the comma. */
export const DATEV_MAX_AMOUNT_CENTS = 999_999_999_999;

const pairs = (art: string, inhalt: string, count: number) =>
  Array.from({ length: count }, (_, i) => [`${art} ${i + 1}`, `${inhalt} ${i + 1}`]).flat();

/**
 * Column names of the Buchungsstapel, format version 13, in DATEV's order and spelling (including
 * its "Zusatzinformation- Inhalt" without a space). DATEV reads the columns by position.
 */
export const BUCHUNGSSTAPEL_COLUMNS: readonly string[] = Object.freeze([
  'Umsatz (ohne Soll/Haben-Kz)',
  'Soll/Haben-Kennzeichen',
  'WKZ Umsatz',
  'Kurs',
  'Basis-Umsatz',
  'WKZ Basis-Umsatz',
  'Konto',
  'Gegenkonto (ohne BU-Schlüssel)',
  'BU-Schlüssel',
  'Belegdatum',
  'Belegfeld 1',
  'Belegfeld 2',
  'Skonto',
  'Buchungstext',
  'Postensperre',
  'Diverse Adressnummer',
  'Geschäftspartnerbank',
  'Sachverhalt',
  'Zinssperre',
  'Beleglink',
  ...pairs('Beleginfo - Art', 'Beleginfo - Inhalt', 8),
  'KOST1 - Kostenstelle',
  'KOST2 - Kostenstelle',
  'Kost-Menge',
  'EU-Land u. UStID (Bestimmung)',
  'EU-Steuersatz (Bestimmung)',
  'Abw. Versteuerungsart',
  'Sachverhalt L+L',
  'Funktionsergänzung L+L',
  'BU 49 Hauptfunktionstyp',
  'BU 49 Hauptfunktionsnummer',
  'BU 49 Funktionsergänzung',
  ...pairs('Zusatzinformation - Art', 'Zusatzinformation- Inhalt', 20),
  'Stück',
  'Gewicht',
  'Zahlweise',
  'Forderungsart',
  'Veranlagungsjahr',
  'Zugeordnete Fälligkeit',
  'Skontotyp',
  'Auftragsnummer',
  'Buchungstyp',
  'USt-Schlüssel (Anzahlungen)',
  'EU-Land (Anzahlungen)',
  'Sachverhalt L+L (Anzahlungen)',
  'EU-Steuersatz (Anzahlungen)',
  'Erlöskonto (Anzahlungen)',
  'Herkunft-Kz',
  'Buchungs GUID',
  'KOST-Datum',
  'SEPA-Mandatsreferenz',
  'Skontosperre',
  'Gesellschaftername',
  'Beteiligtennummer',
  'Identifikationsnummer',
  'Zeichnernummer',
  'Postensperre bis',
  'Bezeichnung SoBil-Sachverhalt',
  'Kennzeichen SoBil-Buchung',
  'Festschreibung',
  'Leistungsdatum',
  'Datum Zuord. Steuerperiode',
  'Fälligkeit',
  'Generalumkehr (GU)',
  'Steuersatz',
  'Land',
  'Abrechnungsreferenz',
  'BVV-Position',
  'EU-Land u. UStID (Ursprung)',
  'EU-Steuersatz (Ursprung)',
  'Abw. Skontokonto',
]);

/** 0-based positions of the columns this writer fills. */
const COL = {
  amount: 0,
  side: 1,
  currency: 2,
  account: 6,
  contraAccount: 7,
  date: 9,
  documentField1: 10,
  documentField2: 11,
  text: 13,
  costCentre: 36,
} as const;

export type DebitCredit = 'S' | 'H';

export interface DatevHeaderInput {
  /** Beraternummer, 1001–9999999. */
  consultantNumber: number;
  /** Mandantennummer, 1–99999. */
  clientNumber: number;
  /** Wirtschaftsjahresbeginn, `YYYY-MM-DD`. */
  fiscalYearStart: string;
  /** Sachkontenlänge, 4–8. */
  accountLength: number;
  /** Period of the batch (`YYYY-MM-DD`, inclusive); within one calendar year and one fiscal year. */
  from: string;
  to: string;
  /** Bezeichnung of the batch, up to 30 characters. */
  description: string;
  /** Erzeugt am; written as wall-clock time in `options.timeZone`. */
  createdAt: Date;
  /** Exportiert von (user name), up to 25 characters. */
  exportedBy?: string;
  /** Sachkontenrahmen, two digits, e.g. `03` or `04`. */
  chartOfAccounts?: string;
  /** Festschreibung: lock the bookings on import. Default false, so the Kämmerei checks before locking. */
  lock?: boolean;
}

export interface DatevRecordInput {
  /**
   * Integer cents. Without `debitCredit` the sign is the side, seen from `account`: positive
   * debits it (S), negative credits it (H). With `debitCredit` the amount must be positive.
   */
  amountCents: number;
  debitCredit?: DebitCredit;
  /** Konto, digits only, at most Sachkontenlänge + 1 digits (personal accounts have one more). */
  account: string;
  /** Gegenkonto, same rules. */
  contraAccount: string;
  /** Belegdatum, `YYYY-MM-DD`, within the header's period. */
  date: string;
  /** Belegfeld 1 (the Kassenzeichen): 1–36 of A–Z a–z 0–9 $ & % * + - / */
  documentField1: string;
  /** Belegfeld 2: up to 12 of the same characters. */
  documentField2?: string;
  /** Buchungstext, up to 60 characters. */
  text: string;
  /** KOST1 - Kostenstelle: up to 36 letters, digits, spaces or underscores. */
  costCentre?: string;
}

export interface DatevBuchungsstapelInput {
  header: DatevHeaderInput;
  records: readonly DatevRecordInput[];
}

export interface DatevOptions {
  /** Default `windows-1252`, DATEV's default character set; `utf-8-bom` for newer imports. */
  encoding?: TextEncodingName;
  /** Timezone of Erzeugt am. Default `Europe/Berlin`, the only one in Germany. */
  timeZone?: string;
}

const MAX_LISTED_PROBLEMS = 5;
const MAX_KEPT_PROBLEMS = 100;

export function createDatevInvalidInputError(problems: readonly string[]) {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
  return createError({
    code: 'finance.datev_invalid_input',
    status: 422,
    message: `DATEV export refused (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed}${more}`,
    details: { problems: problems.slice(0, MAX_KEPT_PROBLEMS) },
  });
}

export function createDatevUnparsableError(message: string) {
  return createError({ code: 'finance.datev_unparsable', status: 422, message });
}

const DOCUMENT_FIELD = /^[A-Za-z0-9$&%*+\-/]+$/;
const COST_CENTRE = /^[A-Za-z0-9_ ]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

function lastDayOfFiscalYear(fiscalYearStart: string): string {
  const [y, m, d] = fiscalYearStart.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + 1, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** `yyyymmddHHMMSSfff` wall-clock time of an instant in a timezone. */
function datevTimestamp(instant: Date, timeZone: string): string {
  // Seconds and milliseconds read the same on every wall clock: today's zone offsets are whole minutes.
  const seconds = String(instant.getUTCSeconds()).padStart(2, '0');
  const millis = String(instant.getUTCMilliseconds()).padStart(3, '0');
  return `${compactDate(localDate(instant, timeZone))}${localTimeOfDay(instant, timeZone).replace(':', '')}${seconds}${millis}`;
}

function quoted(value: string): string {
  // The checks below refuse `"` in every text field, so nothing needs escaping.
  return `"${value}"`;
}

function formatAmount(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
}

function checkText(
  problems: Problems,
  where: string,
  value: unknown,
  max: number,
  encoding: TextEncodingName,
  required = false,
): value is string {
  if (typeof value !== 'string') {
    problems.add(`${where} must be text`);
    return false;
  }
  if (required && value === '') problems.add(`${where} is empty`);
  if (value.length > max) problems.add(`${where} has ${value.length} characters, at most ${max} allowed`);
  if (value.includes('"')) problems.add(`${where} contains a double quote (")`);
  if (CONTROL.test(value)) problems.add(`${where} contains a line break, tab or other control character`);
  try {
    encodeText(value, encoding);
  } catch {
    problems.add(`${where} contains a character that cannot be written in ${encoding}`);
  }
  return true;
}

function checkAccount(problems: Problems, where: string, value: unknown, accountLength: number | undefined): void {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    problems.add(`${where} ${JSON.stringify(String(value).slice(0, 20))} must be digits only`);
    return;
  }
  if (/^0+$/.test(value)) problems.add(`${where} must not be zero`);
  if (accountLength !== undefined && value.length > accountLength + 1) {
    problems.add(`${where} ${value} has ${value.length} digits; with account length ${accountLength} at most ${accountLength + 1}`);
  }
}

function checkDate(problems: Problems, where: string, value: unknown): value is string {
  if (typeof value !== 'string' || !isValidDeliveryDate(value)) {
    problems.add(`${where} ${JSON.stringify(String(value).slice(0, 20))} must be a YYYY-MM-DD date`);
    return false;
  }
  return true;
}

function checkWholeNumber(problems: Problems, where: string, value: unknown, min: number, max: number): value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.add(`${where} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    return false;
  }
  return true;
}

function headerLine(header: DatevHeaderInput, timeZone: string): string {
  const fields: string[] = [
    quoted('EXTF'), // 1 Kennzeichen
    String(DATEV_HEADER_VERSION), // 2 Versionsnummer
    String(DATEV_CATEGORY_BUCHUNGSSTAPEL), // 3 Formatkategorie
    quoted('Buchungsstapel'), // 4 Formatname
    String(DATEV_FORMAT_VERSION_BUCHUNGSSTAPEL), // 5 Formatversion
    datevTimestamp(header.createdAt, timeZone), // 6 Erzeugt am
    '', // 7 Importiert (set by DATEV)
    quoted(''), // 8 Herkunft (DATEV sets "SV" on import)
    quoted(header.exportedBy ?? ''), // 9 Exportiert von
    quoted(''), // 10 Importiert von (set by DATEV)
    String(header.consultantNumber), // 11 Beraternummer
    String(header.clientNumber), // 12 Mandantennummer
    compactDate(header.fiscalYearStart), // 13 WJ-Beginn
    String(header.accountLength), // 14 Sachkontenlänge
    compactDate(header.from), // 15 Datum vom
    compactDate(header.to), // 16 Datum bis
    quoted(header.description), // 17 Bezeichnung
    quoted(''), // 18 Diktatkürzel
    '1', // 19 Buchungstyp: 1 = Finanzbuchführung
    '0', // 20 Rechnungslegungszweck: 0 = unabhängig
    header.lock ? '1' : '0', // 21 Festschreibung
    quoted('EUR'), // 22 WKZ
    '', // 23 reserviert
    quoted(''), // 24 Derivatskennzeichen
    '', // 25 reserviert
    '', // 26 reserviert
    quoted(header.chartOfAccounts ?? ''), // 27 Sachkontenrahmen
    '', // 28 ID der Branchenlösung
    '', // 29 reserviert
    quoted(''), // 30 reserviert
    quoted(''), // 31 Anwendungsinformation
  ];
  return fields.join(';');
}

function recordLine(record: DatevRecordInput): string {
  const negative = record.debitCredit === undefined && record.amountCents < 0;
  const side: DebitCredit = record.debitCredit ?? (negative ? 'H' : 'S');
  const fields = new Array<string>(BUCHUNGSSTAPEL_COLUMNS.length).fill('');
  fields[COL.amount] = formatAmount(Math.abs(record.amountCents));
  fields[COL.side] = quoted(side);
  fields[COL.currency] = quoted('EUR');
  fields[COL.account] = record.account;
  fields[COL.contraAccount] = record.contraAccount;
  fields[COL.date] = `${record.date.slice(8, 10)}${record.date.slice(5, 7)}`;
  fields[COL.documentField1] = quoted(record.documentField1);
  if (record.documentField2) fields[COL.documentField2] = quoted(record.documentField2);
  fields[COL.text] = quoted(record.text);
  if (record.costCentre) fields[COL.costCentre] = quoted(record.costCentre);
  return fields.join(';');
}

function validate(input: DatevBuchungsstapelInput, encoding: TextEncodingName): string[] {
  const problems = new Problems();
  const h = input.header;
  checkWholeNumber(problems, 'Beraternummer (consultantNumber)', h.consultantNumber, 1001, 9_999_999);
  checkWholeNumber(problems, 'Mandantennummer (clientNumber)', h.clientNumber, 1, 99_999);
  const accountLength = checkWholeNumber(problems, 'Sachkontenlänge (accountLength)', h.accountLength, 4, 8) ? h.accountLength : undefined;
  const fyOk = checkDate(problems, 'WJ-Beginn (fiscalYearStart)', h.fiscalYearStart);
  const fromOk = checkDate(problems, 'Datum vom (from)', h.from);
  const toOk = checkDate(problems, 'Datum bis (to)', h.to);
  if (fromOk && toOk) {
    if (h.to < h.from) problems.add(`Datum bis ${h.to} is before Datum vom ${h.from}`);
    else if (h.from.slice(0, 4) !== h.to.slice(0, 4))
      problems.add(`the period ${h.from}–${h.to} crosses a calendar year; DATEV wants one batch per year`);
  }
  if (fyOk && fromOk && h.from < h.fiscalYearStart)
    problems.add(`Datum vom ${h.from} is before the fiscal year start ${h.fiscalYearStart}`);
  if (fyOk && toOk && h.to > lastDayOfFiscalYear(h.fiscalYearStart)) {
    problems.add(`Datum bis ${h.to} is after the fiscal year's last day ${lastDayOfFiscalYear(h.fiscalYearStart)}`);
  }
  checkText(problems, 'Bezeichnung (description)', h.description, DATEV_DESCRIPTION_MAX, encoding);
  if (h.exportedBy !== undefined) checkText(problems, 'Exportiert von (exportedBy)', h.exportedBy, DATEV_EXPORTED_BY_MAX, encoding);
  if (h.chartOfAccounts !== undefined && !/^\d{2}$/.test(h.chartOfAccounts)) {
    problems.add(`Sachkontenrahmen (chartOfAccounts) must be two digits, e.g. "03", got ${JSON.stringify(h.chartOfAccounts)}`);
  }
  if (!(h.createdAt instanceof Date) || Number.isNaN(h.createdAt.getTime())) problems.add('Erzeugt am (createdAt) must be a valid Date');
  if (input.records.length > DATEV_MAX_RECORDS) {
    problems.add(`${input.records.length} bookings; a batch holds at most ${DATEV_MAX_RECORDS}`);
    return problems.list;
  }

  input.records.forEach((r, i) => {
    const at = `booking ${i + 1}`;
    if (typeof r.amountCents !== 'number' || !Number.isSafeInteger(r.amountCents)) {
      problems.add(`${at}: amount must be whole cents, got ${String(r.amountCents)}`);
    } else if (r.amountCents === 0) {
      problems.add(`${at}: amount is zero; DATEV takes no zero bookings`);
    } else if (Math.abs(r.amountCents) > DATEV_MAX_AMOUNT_CENTS) {
      problems.add(`${at}: amount ${r.amountCents} cents has more than 10 digits before the comma`);
    } else if (r.debitCredit !== undefined && r.amountCents < 0) {
      problems.add(`${at}: a negative amount with debitCredit "${r.debitCredit}"; give either a signed amount or a side`);
    }
    if (r.debitCredit !== undefined && r.debitCredit !== 'S' && r.debitCredit !== 'H') {
      problems.add(`${at}: debitCredit must be "S" or "H", got ${JSON.stringify(r.debitCredit)}`);
    }
    checkAccount(problems, `${at}: Konto (account)`, r.account, accountLength);
    checkAccount(problems, `${at}: Gegenkonto (contraAccount)`, r.contraAccount, accountLength);
    if (r.account === r.contraAccount) problems.add(`${at}: Konto and Gegenkonto are both ${String(r.account)}`);
    if (checkDate(problems, `${at}: Belegdatum (date)`, r.date) && fromOk && toOk && (r.date < h.from || r.date > h.to)) {
      problems.add(`${at}: Belegdatum ${r.date} is outside the batch period ${h.from}–${h.to}`);
    }
    if (checkText(problems, `${at}: Belegfeld 1 (documentField1)`, r.documentField1, DATEV_DOCUMENT_FIELD_1_MAX, encoding, true)) {
      if (r.documentField1 !== '' && !DOCUMENT_FIELD.test(r.documentField1)) {
        problems.add(`${at}: Belegfeld 1 ${JSON.stringify(r.documentField1.slice(0, 40))} may hold only A–Z a–z 0–9 $ & % * + - /`);
      }
    }
    if (r.documentField2 !== undefined && r.documentField2 !== '') {
      if (checkText(problems, `${at}: Belegfeld 2 (documentField2)`, r.documentField2, DATEV_DOCUMENT_FIELD_2_MAX, encoding)) {
        if (!DOCUMENT_FIELD.test(r.documentField2)) {
          problems.add(`${at}: Belegfeld 2 ${JSON.stringify(r.documentField2.slice(0, 20))} may hold only A–Z a–z 0–9 $ & % * + - /`);
        }
      }
    }
    checkText(problems, `${at}: Buchungstext (text)`, r.text, DATEV_TEXT_MAX, encoding);
    if (r.costCentre !== undefined && r.costCentre !== '') {
      if (
        checkText(problems, `${at}: KOST1 (costCentre)`, r.costCentre, DATEV_COST_CENTRE_MAX, encoding) &&
        !COST_CENTRE.test(r.costCentre)
      ) {
        problems.add(`${at}: KOST1 ${JSON.stringify(r.costCentre.slice(0, 40))} may hold only letters, digits, spaces and _`);
      }
    }
  });
  return problems.list;
}

/**
 * The Buchungsstapel as file bytes. Throws `finance.datev_invalid_input` listing every problem
 * (each naming the booking and field) when DATEV would refuse or misbook the input.
 */
export function toDatevBuchungsstapel(input: DatevBuchungsstapelInput, options: DatevOptions = {}): Buffer {
  const encoding = options.encoding ?? 'windows-1252';
  const timeZone = options.timeZone ?? 'Europe/Berlin';
  assertTimeZone(timeZone);
  const problems = validate(input, encoding);
  if (problems.length > 0) throw createDatevInvalidInputError(problems);
  const lines = [headerLine(input.header, timeZone), BUCHUNGSSTAPEL_COLUMNS.join(';'), ...input.records.map(recordLine)];
  return encodeText(lines.join('\r\n') + '\r\n', encoding);
}

export interface ParsedDatevHeader {
  /** All 31 fields as written, quotes removed. */
  fields: string[];
  kennzeichen: string;
  version: number;
  category: number;
  formatName: string;
  formatVersion: number;
  /** `yyyymmddHHMMSSfff` as written. */
  createdAt: string;
  exportedBy: string;
  consultantNumber: number;
  clientNumber: number;
  fiscalYearStart: string;
  accountLength: number;
  from: string;
  to: string;
  description: string;
  lock: boolean;
  currency: string;
  chartOfAccounts: string;
}

export interface ParsedDatevRecord {
  /** All fields of the line, quotes removed. */
  fields: string[];
  /** Positive, as written. */
  amountCents: number;
  debitCredit: DebitCredit;
  /** Positive for S, negative for H: the sign `toDatevBuchungsstapel` reads. */
  signedAmountCents: number;
  currency: string;
  account: string;
  contraAccount: string;
  /** Belegdatum as written, `DDMM`. */
  documentDate: string;
  /** Belegdatum with the year of the header's Datum vom, `YYYY-MM-DD`. */
  date: string;
  documentField1: string;
  documentField2: string;
  text: string;
  costCentre: string;
}

export interface ParsedDatev {
  header: ParsedDatevHeader;
  columns: string[];
  records: ParsedDatevRecord[];
}

function isoOf(compact: string, what: string): string {
  if (!/^\d{8}$/.test(compact)) throw createDatevUnparsableError(`${what} ${JSON.stringify(compact)} is not yyyymmdd`);
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

function numberOf(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw createDatevUnparsableError(`${what} ${JSON.stringify(value)} is not a number`);
  return Number(value);
}

/** Reads a Buchungsstapel back: header fields, column names and bookings (for tests and checks). */
export function parseDatev(bytes: Uint8Array, encoding: TextEncodingName = 'windows-1252'): ParsedDatev {
  const [headerFields, columns, ...lines] = parseCsvText(decodeText(bytes, encoding), ';');
  if (!headerFields || headerFields[0] !== 'EXTF') throw createDatevUnparsableError('Line 1 is not an EXTF header');
  if (headerFields.length !== DATEV_HEADER_FIELD_COUNT) {
    throw createDatevUnparsableError(`The header has ${headerFields.length} fields, not ${DATEV_HEADER_FIELD_COUNT}`);
  }
  if (!columns) throw createDatevUnparsableError('Line 2 (the column names) is missing');
  const f = (n: number) => headerFields[n - 1] ?? '';
  const header: ParsedDatevHeader = {
    fields: headerFields,
    kennzeichen: f(1),
    version: numberOf(f(2), 'Versionsnummer'),
    category: numberOf(f(3), 'Formatkategorie'),
    formatName: f(4),
    formatVersion: numberOf(f(5), 'Formatversion'),
    createdAt: f(6),
    exportedBy: f(9),
    consultantNumber: numberOf(f(11), 'Beraternummer'),
    clientNumber: numberOf(f(12), 'Mandantennummer'),
    fiscalYearStart: isoOf(f(13), 'WJ-Beginn'),
    accountLength: numberOf(f(14), 'Sachkontenlänge'),
    from: isoOf(f(15), 'Datum vom'),
    to: isoOf(f(16), 'Datum bis'),
    description: f(17),
    lock: f(21) === '1',
    currency: f(22),
    chartOfAccounts: f(27),
  };
  const records = lines.map((fields, i): ParsedDatevRecord => {
    const line = i + 3;
    const v = (col: number) => fields[col] ?? '';
    const amount = /^(\d{1,10}),(\d{2})$/.exec(v(COL.amount));
    if (!amount) throw createDatevUnparsableError(`Line ${line}: Umsatz ${JSON.stringify(v(COL.amount))} is not like 1234,56`);
    const amountCents = Number(amount[1]) * 100 + Number(amount[2]);
    const side = v(COL.side);
    if (side !== 'S' && side !== 'H') throw createDatevUnparsableError(`Line ${line}: Soll/Haben-Kennzeichen ${JSON.stringify(side)}`);
    const documentDate = v(COL.date);
    if (!/^\d{4}$/.test(documentDate))
      throw createDatevUnparsableError(`Line ${line}: Belegdatum ${JSON.stringify(documentDate)} is not DDMM`);
    return {
      fields,
      amountCents,
      debitCredit: side,
      signedAmountCents: side === 'S' ? amountCents : -amountCents,
      currency: v(COL.currency),
      account: v(COL.account),
      contraAccount: v(COL.contraAccount),
      documentDate,
      date: `${header.from.slice(0, 4)}-${documentDate.slice(2, 4)}-${documentDate.slice(0, 2)}`,
      documentField1: v(COL.documentField1),
      documentField2: v(COL.documentField2),
      text: v(COL.text),
      costCentre: v(COL.costCentre),
    };
  });
  return { header, columns, records };
}
