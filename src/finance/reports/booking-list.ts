import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client.ts';
import { addDays, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import type { ResolvedFinanceAccounts } from './finance-accounts.ts';
import { cents, REPORT_MAX_LINES, withinLimit } from './report-limits.ts';

/**
 * The daily booking list of one office: every movement of money Stripe recorded for the office's
 * bookings on one office-local day.
 *
 * Based on Stripe's imported ledger (stripe_balance_transactions), not on the platform's payments:
 * the Kämmerei books what actually moved, with Stripe's own fee per line; the platform's view of
 * a payment is checked against it by reconciliation. The Kassenzeichen comes from the booking, found
 * through the line's PaymentIntent. Lines without a PaymentIntent belong to no office (reconciliation
 * lists them).
 *
 * Gross principle: a line's gross amount and Stripe's fee are separate lines, never netted. Every
 * line is a movement of the Stripe balance (the clearing account), signed from the city's side:
 * positive money in, negative money out (a refund, a dispute, a fee).
 */
export const BOOKING_LINE_CATEGORIES = ['charge', 'refund', 'refund_failure', 'dispute', 'dispute_reversal'] as const;
export type BookingLineCategory = (typeof BOOKING_LINE_CATEGORIES)[number];
export type BookingLineType = BookingLineCategory | 'fee';

export interface BookingListLine {
  lineType: BookingLineType;
  bookingId: string;
  kassenzeichen: string;
  /** Stripe's balance transaction id (the fee line shares it with its gross line). */
  stripeId: string;
  /** The charge, refund or dispute the line is about. */
  stripeSourceId: string | null;
  occurredAt: Date;
  amountCents: number;
  currency: string;
  /** Konto: the Stripe balance. */
  account: string;
  /** Gegenkonto: revenue for the gross lines, the fee expense for fee lines. */
  contraAccount: string;
  costCentre: string;
}

export interface BookingListTotals {
  chargedCents: number;
  refundedCents: number;
  refundFailuresCents: number;
  disputedCents: number;
  disputeReversedCents: number;
  feesCents: number;
  /** Gross lines only (before fees). */
  grossCents: number;
  /** All lines: what the day added to the Stripe balance; equals the sum of Stripe's net amounts. */
  netCents: number;
  lineCount: number;
}

export interface BookingListReport {
  report: 'bookings';
  basis: 'stripe_ledger';
  office: { id: string; name: string; kassenzeichenPrefix: string; timeZone: string };
  date: string;
  accounts: ResolvedFinanceAccounts;
  lines: BookingListLine[];
  totals: BookingListTotals;
}

interface Row {
  id: string;
  reporting_category: BookingLineCategory;
  amount_cents: string;
  fee_cents: string;
  currency: string;
  source_id: string | null;
  stripe_created_at: Date | string;
  booking_id: string;
  kassenzeichen: string;
}

export interface ReportOffice {
  id: string;
  name: string;
  kassenzeichenPrefix: string;
  timezone: string;
}

/** The UTC instants [from, to) of an office-local calendar day (23 or 25 hours on a DST change). */
export function localDayRange(date: string, timeZone: string): { from: Date; to: Date } {
  return { from: zonedTimeToUtc(date, '00:00', timeZone), to: zonedTimeToUtc(addDays(date, 1), '00:00', timeZone) };
}

export async function buildBookingList(
  db: DbOrTx,
  input: { office: ReportOffice; date: string; accounts: ResolvedFinanceAccounts; limit?: number },
): Promise<BookingListReport> {
  const { office, date, accounts } = input;
  const limit = input.limit ?? REPORT_MAX_LINES;
  const { from, to } = localDayRange(date, office.timezone);
  // At most two lines per ledger line (gross and fee): half the limit of ledger lines, plus one to notice more.
  const rows = await queryRows<Row>(
    db,
    sql`select bt.id, bt.reporting_category, bt.amount_cents, bt.fee_cents, bt.currency, bt.source_id, bt.stripe_created_at,
               b.id as booking_id, b.kassenzeichen
          from stripe_balance_transactions bt
          join payments p on p.payment_intent_id = bt.payment_intent_id
          join bookings b on b.id = p.booking_id
         where b.office_id = ${office.id}
           and bt.stripe_created_at >= ${from.toISOString()} and bt.stripe_created_at < ${to.toISOString()}
           and bt.reporting_category in (${sql.join(
             BOOKING_LINE_CATEGORIES.map((c) => sql`${c}`),
             sql`, `,
           )})
         order by bt.stripe_created_at, bt.id
         limit ${Math.floor(limit / 2) + 1}`,
  );
  withinLimit(rows, Math.floor(limit / 2));
  const lines: BookingListLine[] = [];
  for (const r of rows) {
    const base = {
      bookingId: r.booking_id,
      kassenzeichen: r.kassenzeichen,
      stripeId: r.id,
      stripeSourceId: r.source_id,
      occurredAt: new Date(r.stripe_created_at),
      currency: r.currency,
      account: accounts.clearingAccount,
      costCentre: accounts.costCentre,
    };
    lines.push({ ...base, lineType: r.reporting_category, amountCents: cents(r.amount_cents), contraAccount: accounts.revenueAccount });
    const fee = cents(r.fee_cents);
    // Stripe's fee reduces the balance (a refunded fee, negative, adds to it): an expense line of its own.
    if (fee !== 0) lines.push({ ...base, lineType: 'fee', amountCents: -fee, contraAccount: accounts.feeAccount });
  }
  return {
    report: 'bookings',
    basis: 'stripe_ledger',
    office: { id: office.id, name: office.name, kassenzeichenPrefix: office.kassenzeichenPrefix, timeZone: office.timezone },
    date,
    accounts,
    lines,
    totals: bookingListTotals(lines),
  };
}

export function bookingListTotals(lines: readonly BookingListLine[]): BookingListTotals {
  const sum = (type: BookingLineType) => lines.filter((l) => l.lineType === type).reduce((s, l) => s + l.amountCents, 0);
  const feesCents = sum('fee');
  const netCents = lines.reduce((s, l) => s + l.amountCents, 0);
  return {
    chargedCents: sum('charge'),
    refundedCents: sum('refund'),
    refundFailuresCents: sum('refund_failure'),
    disputedCents: sum('dispute'),
    disputeReversedCents: sum('dispute_reversal'),
    feesCents,
    grossCents: netCents - feesCents,
    netCents,
    lineCount: lines.length,
  };
}
