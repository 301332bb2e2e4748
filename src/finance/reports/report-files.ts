/**
 * The downloads of the finance reports: CSV for spreadsheets and accounting imports (csv.ts: semicolon,
 * decimal comma, UTF-8 with BOM or Windows-1252, every amount in euros and in cents) and the DATEV
 * Buchungsstapel (datev.ts). Pure functions from a built report to file bytes.
 */
import { toCsv, type CsvColumn } from '../csv.ts';
import { toDatevBuchungsstapel, DATEV_TEXT_MAX, type DatevRecordInput } from '../datev.ts';
import { encodeText, type TextEncodingName } from '../encoding.ts';
import type { FinanceConfig } from '../../config/config.ts';
import { localDate } from '../../shared/zoned-time.ts';
import type { BookingLineType, BookingListReport } from './booking-list.ts';
import type { CourierInvoiceReport } from './courier-invoice.ts';
import type { PayoutRangeReport, PayoutReport } from './payout-report.ts';
import type { PlatformFinanceAccounts, ResolvedFinanceAccounts } from './finance-accounts.ts';
import { createDatevNotConfiguredError, createPayoutNotPaidError } from './reports.errors.ts';

export interface ReportFile {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

/** Payouts belong to the city's one Stripe account, so they are read on the city's clock. */
export const PAYOUT_TIME_ZONE = 'Europe/Berlin';

const contentTypeOf = (encoding: TextEncodingName) => `text/csv; charset=${encoding === 'windows-1252' ? 'windows-1252' : 'utf-8'}`;

export const LINE_TYPE_LABELS: Record<BookingLineType | 'payout' | 'payout_reversal', string> = {
  charge: 'Zahlung',
  refund: 'Erstattung',
  refund_failure: 'Erstattung fehlgeschlagen',
  dispute: 'Rückbuchung (Dispute)',
  dispute_reversal: 'Rückbuchung aufgehoben',
  fee: 'Stripe-Gebühr',
  payout: 'Auszahlung',
  payout_reversal: 'Auszahlung zurückgegeben',
};

const labelOf = (category: string) => (LINE_TYPE_LABELS as Record<string, string>)[category] ?? category;

function csvFile<Row extends object>(
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
  opts: { encoding: TextEncodingName; timeZone: string; filename: string },
): ReportFile {
  return {
    bytes: toCsv(columns, rows, { encoding: opts.encoding, timeZone: opts.timeZone }),
    contentType: contentTypeOf(opts.encoding),
    filename: `${opts.filename}.csv`,
  };
}

// ── Daily booking list ─────────────────────────────────────────────────────────────────────────

interface BookingCsvRow {
  occurredAt: Date;
  office: string;
  lineType: string;
  kassenzeichen: string;
  bookingId: string;
  stripeId: string;
  stripeSourceId: string | null;
  amountEuro: number;
  amountCents: number;
  currency: string;
  account: string;
  contraAccount: string;
  costCentre: string;
}

export const BOOKING_LIST_COLUMNS: readonly CsvColumn<BookingCsvRow>[] = [
  { key: 'occurredAt', header: 'Datum', kind: 'datetime' },
  { key: 'office', header: 'Amt', kind: 'text' },
  { key: 'lineType', header: 'Buchungsart', kind: 'text' },
  { key: 'kassenzeichen', header: 'Kassenzeichen', kind: 'text' },
  { key: 'bookingId', header: 'Buchungs-ID', kind: 'text' },
  { key: 'stripeId', header: 'Stripe-ID', kind: 'text' },
  { key: 'stripeSourceId', header: 'Stripe-Beleg', kind: 'text' },
  { key: 'amountEuro', header: 'Betrag EUR', kind: 'cents-as-euro' },
  { key: 'amountCents', header: 'Betrag Cent', kind: 'cents' },
  { key: 'currency', header: 'Währung', kind: 'text' },
  { key: 'account', header: 'Konto', kind: 'text' },
  { key: 'contraAccount', header: 'Gegenkonto', kind: 'text' },
  { key: 'costCentre', header: 'Kostenstelle', kind: 'text' },
];

const bookingListName = (r: BookingListReport) => `buchungsliste_${r.office.kassenzeichenPrefix}_${r.date}`;

export function bookingListCsv(report: BookingListReport, encoding: TextEncodingName): ReportFile {
  const rows = report.lines.map((l): BookingCsvRow => ({
    occurredAt: l.occurredAt,
    office: report.office.name,
    lineType: labelOf(l.lineType),
    kassenzeichen: l.kassenzeichen,
    bookingId: l.bookingId,
    stripeId: l.stripeId,
    stripeSourceId: l.stripeSourceId,
    amountEuro: l.amountCents,
    amountCents: l.amountCents,
    currency: l.currency,
    account: l.account,
    contraAccount: l.contraAccount,
    costCentre: l.costCentre,
  }));
  return csvFile(BOOKING_LIST_COLUMNS, rows, { encoding, timeZone: report.office.timeZone, filename: bookingListName(report) });
}

type DatevSettings = NonNullable<FinanceConfig['datev']>;

function datevSettings(finance: FinanceConfig): DatevSettings {
  if (!finance.datev) throw createDatevNotConfiguredError();
  return finance.datev;
}

/** The fiscal year start (`YYYY-MM-DD`) of the fiscal year a date falls in. */
export function fiscalYearStartOf(date: string, monthDay: string): string {
  const sameYear = `${date.slice(0, 4)}-${monthDay}`;
  return sameYear <= date ? sameYear : `${Number(date.slice(0, 4)) - 1}-${monthDay}`;
}

/**
 * A Buchungstext DATEV takes: no double quotes or control characters (the writer refuses them
 * rather than escape), characters the encoding cannot hold as `?`, at most 60 characters. Text
 * is only a description here; amounts and Belegfeld never pass through this.
 */
export function datevText(text: string, encoding: TextEncodingName): string {
  let out = '';
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  for (const ch of text.replace(/["\u0000-\u001f\u007f]/g, ' ')) {
    try {
      encodeText(ch, encoding);
      out += ch;
    } catch {
      out += '?';
    }
  }
  return [...out].slice(0, DATEV_TEXT_MAX).join('');
}

function datevFile(
  finance: FinanceConfig,
  input: { from: string; to: string; description: string; createdAt: Date; exportedBy: string; records: DatevRecordInput[] },
  encoding: TextEncodingName,
  filename: string,
): ReportFile {
  const datev = datevSettings(finance);
  const bytes = toDatevBuchungsstapel(
    {
      header: {
        consultantNumber: datev.consultantNumber,
        clientNumber: datev.clientNumber,
        fiscalYearStart: fiscalYearStartOf(input.from, datev.fiscalYearStart),
        accountLength: datev.accountLength,
        from: input.from,
        to: input.to,
        description: input.description,
        createdAt: input.createdAt,
        exportedBy: input.exportedBy.slice(0, 25),
        chartOfAccounts: datev.chartOfAccounts,
      },
      records: input.records,
    },
    { encoding },
  );
  return { bytes, contentType: contentTypeOf(encoding), filename: `EXTF_${filename}.csv` };
}

/**
 * One DATEV record per line, gross principle: the charge against revenue and Stripe's fee against
 * the fee expense, each on its own. Every record moves the Stripe balance (Konto = clearing
 * account), so a positive line debits it (S) and a negative one credits it (H).
 */
export function bookingListDatev(
  report: BookingListReport,
  finance: FinanceConfig,
  opts: { encoding: TextEncodingName; createdAt: Date; exportedBy: string },
): ReportFile {
  // The Buchungstext depends on the line type only (a handful of them): made once per type, not per line.
  const texts = new Map<string, string>();
  const textOf = (lineType: (typeof report.lines)[number]['lineType']) => {
    let text = texts.get(lineType);
    if (text === undefined) {
      text = datevText(`${labelOf(lineType)} ${report.office.name}`, opts.encoding);
      texts.set(lineType, text);
    }
    return text;
  };
  const records = report.lines.map((l): DatevRecordInput => ({
    amountCents: l.amountCents,
    account: l.account,
    contraAccount: l.contraAccount,
    date: report.date,
    documentField1: l.kassenzeichen,
    text: textOf(l.lineType),
    ...(l.costCentre ? { costCentre: l.costCentre } : {}),
  }));
  return datevFile(
    finance,
    { from: report.date, to: report.date, description: `Buchungsliste ${report.date}`, records, ...opts },
    opts.encoding,
    bookingListName(report).replace('buchungsliste', 'Buchungsliste'),
  );
}

// ── Payout report ──────────────────────────────────────────────────────────────────────────────

interface PayoutCsvRow {
  occurredAt: Date;
  category: string;
  kassenzeichen: string | null;
  bookingId: string | null;
  stripeId: string;
  stripeSourceId: string | null;
  grossEuro: number;
  grossCents: number;
  feeEuro: number;
  feeCents: number;
  netEuro: number;
  netCents: number;
  currency: string;
  account: string;
  costCentre: string;
}

export const PAYOUT_COLUMNS: readonly CsvColumn<PayoutCsvRow>[] = [
  { key: 'occurredAt', header: 'Datum', kind: 'datetime' },
  { key: 'category', header: 'Buchungsart', kind: 'text' },
  { key: 'kassenzeichen', header: 'Kassenzeichen', kind: 'text' },
  { key: 'bookingId', header: 'Buchungs-ID', kind: 'text' },
  { key: 'stripeId', header: 'Stripe-ID', kind: 'text' },
  { key: 'stripeSourceId', header: 'Stripe-Beleg', kind: 'text' },
  { key: 'grossEuro', header: 'Brutto EUR', kind: 'cents-as-euro' },
  { key: 'grossCents', header: 'Brutto Cent', kind: 'cents' },
  { key: 'feeEuro', header: 'Gebühr EUR', kind: 'cents-as-euro' },
  { key: 'feeCents', header: 'Gebühr Cent', kind: 'cents' },
  { key: 'netEuro', header: 'Netto EUR', kind: 'cents-as-euro' },
  { key: 'netCents', header: 'Netto Cent', kind: 'cents' },
  { key: 'currency', header: 'Währung', kind: 'text' },
  { key: 'account', header: 'Konto', kind: 'text' },
  { key: 'costCentre', header: 'Kostenstelle', kind: 'text' },
];

/** `accountsOf(officeId)`: the office's accounts for a line of a booking, the platform's for the rest. */
export function payoutCsv(
  report: PayoutReport,
  accountsOf: (officeId: string | null) => ResolvedFinanceAccounts,
  encoding: TextEncodingName,
): ReportFile {
  const rows = report.lines.map((l): PayoutCsvRow => {
    const accounts = accountsOf(l.officeId);
    return {
      occurredAt: l.occurredAt,
      category: labelOf(l.reportingCategory),
      kassenzeichen: l.kassenzeichen,
      bookingId: l.bookingId,
      stripeId: l.stripeId,
      stripeSourceId: l.stripeSourceId,
      grossEuro: l.grossCents,
      grossCents: l.grossCents,
      feeEuro: l.feeCents,
      feeCents: l.feeCents,
      netEuro: l.netCents,
      netCents: l.netCents,
      currency: l.currency,
      account: accounts.clearingAccount,
      costCentre: accounts.costCentre,
    };
  });
  return csvFile(PAYOUT_COLUMNS, rows, { encoding, timeZone: PAYOUT_TIME_ZONE, filename: `auszahlung_${report.payout.id}` });
}

/** Belegfeld 1 takes no `_`: a Stripe id without it is still unique (Stripe ids are `prefix_` + alphanumerics). */
const payoutDocumentField = (id: string) => id.replace(/[^A-Za-z0-9]/g, '').slice(0, 36);

function payoutRecord(p: { id: string; amountCents: number; arrivalDate: Date }, accounts: PlatformFinanceAccounts): DatevRecordInput {
  return {
    amountCents: p.amountCents,
    account: accounts.bankAccount,
    contraAccount: accounts.clearingAccount,
    date: localDate(p.arrivalDate, PAYOUT_TIME_ZONE),
    documentField1: payoutDocumentField(p.id),
    text: `Stripe-Auszahlung ${p.id}`.slice(0, DATEV_TEXT_MAX),
  };
}

/**
 * The payout as DATEV books it: the bank receives it from the Stripe balance (Soll Bank, Haben
 * clearing). The charges, refunds and fees inside it are booked by the daily booking lists;
 * booking them again here would count them twice.
 */
export function payoutDatev(
  report: PayoutReport,
  finance: FinanceConfig,
  opts: { encoding: TextEncodingName; createdAt: Date; exportedBy: string },
): ReportFile {
  if (report.payout.status !== 'paid') throw createPayoutNotPaidError(report.payout.status);
  const record = payoutRecord(report.payout, finance.accounts);
  return datevFile(
    finance,
    { from: record.date, to: record.date, description: 'Stripe-Auszahlung', records: [record], ...opts },
    opts.encoding,
    `Auszahlung_${report.payout.id}`,
  );
}

interface PayoutRangeCsvRow {
  arrivalDate: Date;
  id: string;
  status: string;
  amountEuro: number;
  amountCents: number;
  netEuro: number;
  netCents: number;
  differenceEuro: number;
  differenceCents: number;
  lineCount: number;
  currency: string;
}

export const PAYOUT_RANGE_COLUMNS: readonly CsvColumn<PayoutRangeCsvRow>[] = [
  { key: 'arrivalDate', header: 'Ankunft', kind: 'date' },
  { key: 'id', header: 'Auszahlung', kind: 'text' },
  { key: 'status', header: 'Status', kind: 'text' },
  { key: 'amountEuro', header: 'Betrag EUR', kind: 'cents-as-euro' },
  { key: 'amountCents', header: 'Betrag Cent', kind: 'cents' },
  { key: 'netEuro', header: 'Summe Netto EUR', kind: 'cents-as-euro' },
  { key: 'netCents', header: 'Summe Netto Cent', kind: 'cents' },
  { key: 'differenceEuro', header: 'Differenz EUR', kind: 'cents-as-euro' },
  { key: 'differenceCents', header: 'Differenz Cent', kind: 'cents' },
  { key: 'lineCount', header: 'Zeilen', kind: 'integer' },
  { key: 'currency', header: 'Währung', kind: 'text' },
];

export function payoutRangeCsv(report: PayoutRangeReport, encoding: TextEncodingName): ReportFile {
  const rows = report.payouts.map((p): PayoutRangeCsvRow => ({
    arrivalDate: p.arrivalDate,
    id: p.id,
    status: p.status,
    amountEuro: p.amountCents,
    amountCents: p.amountCents,
    netEuro: p.netCents,
    netCents: p.netCents,
    differenceEuro: p.differenceCents,
    differenceCents: p.differenceCents,
    lineCount: p.lineCount,
    currency: p.currency,
  }));
  return csvFile(PAYOUT_RANGE_COLUMNS, rows, { encoding, timeZone: report.timeZone, filename: `auszahlungen_${report.from}_${report.to}` });
}

/** Every paid payout of the range as one bank record. */
export function payoutRangeDatev(
  report: PayoutRangeReport,
  finance: FinanceConfig,
  opts: { encoding: TextEncodingName; createdAt: Date; exportedBy: string },
): ReportFile {
  const records = report.payouts.filter((p) => p.status === 'paid').map((p) => payoutRecord(p, finance.accounts));
  return datevFile(
    finance,
    { from: report.from, to: report.to, description: `Auszahlungen ${report.from}`, records, ...opts },
    opts.encoding,
    `Auszahlungen_${report.from}_${report.to}`,
  );
}

// ── Courier invoice check ──────────────────────────────────────────────────────────────────────

interface InvoiceCsvRow {
  localDate: string;
  localTime: string;
  company: string;
  office: string;
  kassenzeichen: string;
  bookingId: string;
  attempt: number;
  outcome: string;
  reason: string | null;
  fault: string | null;
  payable: string;
  priceEuro: number;
  priceCents: number;
  account: string;
  costCentre: string;
}

export const COURIER_INVOICE_COLUMNS: readonly CsvColumn<InvoiceCsvRow>[] = [
  // Each attempt in its office's timezone, which may differ between offices: written as text per line.
  { key: 'localDate', header: 'Datum', kind: 'date' },
  { key: 'localTime', header: 'Uhrzeit', kind: 'text' },
  { key: 'company', header: 'Kurierunternehmen', kind: 'text' },
  { key: 'office', header: 'Amt', kind: 'text' },
  { key: 'kassenzeichen', header: 'Kassenzeichen', kind: 'text' },
  { key: 'bookingId', header: 'Buchungs-ID', kind: 'text' },
  { key: 'attempt', header: 'Versuch', kind: 'integer' },
  { key: 'outcome', header: 'Ergebnis', kind: 'text' },
  { key: 'reason', header: 'Grund', kind: 'text' },
  { key: 'fault', header: 'Verschulden', kind: 'text' },
  { key: 'payable', header: 'Zu zahlen', kind: 'text' },
  { key: 'priceEuro', header: 'Preis EUR', kind: 'cents-as-euro' },
  { key: 'priceCents', header: 'Preis Cent', kind: 'cents' },
  { key: 'account', header: 'Konto', kind: 'text' },
  { key: 'costCentre', header: 'Kostenstelle', kind: 'text' },
];

export function courierInvoiceCsv(
  report: CourierInvoiceReport,
  accountsOf: (officeId: string | null) => ResolvedFinanceAccounts,
  encoding: TextEncodingName,
): ReportFile {
  const rows = report.lines.map((l): InvoiceCsvRow => {
    const accounts = accountsOf(l.officeId);
    return {
      localDate: l.localDate,
      localTime: l.localTime,
      company: report.company.name,
      office: l.officeName,
      kassenzeichen: l.kassenzeichen,
      bookingId: l.bookingId,
      attempt: l.attempt,
      outcome: l.outcome === 'delivered' ? 'zugestellt' : 'fehlgeschlagen',
      reason: l.reason,
      fault: l.fault === null ? null : l.fault === 'citizen' ? 'Bürger' : 'Kurier',
      payable: l.payable ? 'ja' : 'nein',
      priceEuro: l.priceCents,
      priceCents: l.priceCents,
      account: accounts.courierExpenseAccount,
      costCentre: accounts.costCentre,
    };
  });
  return csvFile(COURIER_INVOICE_COLUMNS, rows, {
    encoding,
    timeZone: PAYOUT_TIME_ZONE,
    filename: `kurierabrechnung_${report.company.id}_${report.month}`,
  });
}
