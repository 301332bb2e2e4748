import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client.ts';
import { createPayoutNotFoundError } from './reports.errors.ts';
import { cents, REPORT_MAX_LINES, withinLimit } from './report-limits.ts';

/**
 * Which ledger lines make up a payout, to the cent: every line Stripe paid out with it (charges,
 * refunds, disputes, their fees, earlier payout reversals), each with its booking's Kassenzeichen
 * where the line belongs to a booking. The nets must add up to the payout amount; the report
 * shows the difference instead of trusting that they do (a line the import has not seen, a
 * payout Stripe changed).
 */
export interface PayoutLine {
  stripeId: string;
  reportingCategory: string;
  stripeSourceId: string | null;
  bookingId: string | null;
  /** The booking's, or the line's metadata when no booking matched (null: neither). */
  kassenzeichen: string | null;
  officeId: string | null;
  occurredAt: Date;
  grossCents: number;
  feeCents: number;
  netCents: number;
  currency: string;
}

export interface PayoutSummary {
  id: string;
  amountCents: number;
  currency: string;
  status: string;
  automatic: boolean;
  arrivalDate: Date;
  createdAt: Date;
}

export interface PayoutTotals {
  grossCents: number;
  feeCents: number;
  netCents: number;
  payoutAmountCents: number;
  /** Payout amount minus the sum of the nets: 0 when the payout adds up. */
  differenceCents: number;
  balanced: boolean;
  lineCount: number;
}

export interface PayoutReport {
  report: 'payout';
  payout: PayoutSummary;
  lines: PayoutLine[];
  totals: PayoutTotals;
}

interface PayoutRow {
  id: string;
  amount_cents: string;
  currency: string;
  status: string;
  automatic: boolean;
  arrival_date: Date | string;
  stripe_created_at: Date | string;
}

const toSummary = (r: PayoutRow): PayoutSummary => ({
  id: r.id,
  amountCents: cents(r.amount_cents),
  currency: r.currency,
  status: r.status,
  automatic: r.automatic,
  arrivalDate: new Date(r.arrival_date),
  createdAt: new Date(r.stripe_created_at),
});

export async function buildPayoutReport(db: DbOrTx, input: { payoutId: string; limit?: number }): Promise<PayoutReport> {
  const limit = input.limit ?? REPORT_MAX_LINES;
  const [payout] = await queryRows<PayoutRow>(
    db,
    sql`select id, amount_cents, currency, status, automatic, arrival_date, stripe_created_at from stripe_payouts where id = ${input.payoutId}`,
  );
  if (!payout) throw createPayoutNotFoundError();
  const rows = await queryRows<{
    id: string;
    reporting_category: string;
    source_id: string | null;
    booking_id: string | null;
    kassenzeichen: string | null;
    office_id: string | null;
    stripe_created_at: Date | string;
    amount_cents: string;
    fee_cents: string;
    net_cents: string;
    currency: string;
  }>(
    db,
    // The payout's own line (category payout) is the payout itself, not something it paid out.
    sql`select bt.id, bt.reporting_category, bt.source_id, b.id as booking_id,
               coalesce(b.kassenzeichen, bt.metadata_kassenzeichen) as kassenzeichen, b.office_id,
               bt.stripe_created_at, bt.amount_cents, bt.fee_cents, bt.net_cents, bt.currency
          from stripe_balance_transactions bt
          left join payments p on p.payment_intent_id = bt.payment_intent_id
          left join bookings b on b.id = p.booking_id
         where bt.payout_id = ${payout.id} and bt.reporting_category <> 'payout'
         order by bt.stripe_created_at, bt.id
         limit ${limit + 1}`,
  );
  const lines = withinLimit(rows, limit).map((r): PayoutLine => ({
    stripeId: r.id,
    reportingCategory: r.reporting_category,
    stripeSourceId: r.source_id,
    bookingId: r.booking_id,
    kassenzeichen: r.kassenzeichen,
    officeId: r.office_id,
    occurredAt: new Date(r.stripe_created_at),
    grossCents: cents(r.amount_cents),
    feeCents: cents(r.fee_cents),
    netCents: cents(r.net_cents),
    currency: r.currency,
  }));
  const summary = toSummary(payout);
  return { report: 'payout', payout: summary, lines, totals: payoutTotals(summary.amountCents, lines) };
}

export function payoutTotals(payoutAmountCents: number, lines: readonly PayoutLine[]): PayoutTotals {
  const add = (pick: (l: PayoutLine) => number) => lines.reduce((s, l) => s + pick(l), 0);
  const netCents = add((l) => l.netCents);
  return {
    grossCents: add((l) => l.grossCents),
    feeCents: add((l) => l.feeCents),
    netCents,
    payoutAmountCents,
    differenceCents: payoutAmountCents - netCents,
    balanced: payoutAmountCents === netCents,
    lineCount: lines.length,
  };
}

export interface PayoutRangeEntry extends PayoutSummary {
  netCents: number;
  lineCount: number;
  differenceCents: number;
  balanced: boolean;
}

export interface PayoutRangeReport {
  report: 'payouts';
  from: string;
  to: string;
  timeZone: string;
  payouts: PayoutRangeEntry[];
  totals: { amountCents: number; netCents: number; differenceCents: number; unbalancedCount: number; payoutCount: number };
}

/** Every payout arriving in [from, to) with the sum of its lines, added up in the database. */
export async function buildPayoutRange(
  db: DbOrTx,
  input: { from: Date; to: Date; fromDate: string; toDate: string; timeZone: string; limit?: number },
): Promise<PayoutRangeReport> {
  const limit = input.limit ?? REPORT_MAX_LINES;
  const rows = await queryRows<PayoutRow & { net_cents: string | null; line_count: string | number }>(
    db,
    sql`select po.id, po.amount_cents, po.currency, po.status, po.automatic, po.arrival_date, po.stripe_created_at,
               coalesce(sum(bt.net_cents), 0) as net_cents, count(bt.id) as line_count
          from stripe_payouts po
          left join stripe_balance_transactions bt on bt.payout_id = po.id and bt.reporting_category <> 'payout'
         where po.arrival_date >= ${input.from.toISOString()} and po.arrival_date < ${input.to.toISOString()}
         group by po.id
         order by po.arrival_date, po.id
         limit ${limit + 1}`,
  );
  const payouts = withinLimit(rows, limit).map((r): PayoutRangeEntry => {
    const summary = toSummary(r);
    const netCents = cents(r.net_cents);
    return {
      ...summary,
      netCents,
      lineCount: Number(r.line_count),
      differenceCents: summary.amountCents - netCents,
      balanced: summary.amountCents === netCents,
    };
  });
  const sum = (pick: (p: PayoutRangeEntry) => number) => payouts.reduce((s, p) => s + pick(p), 0);
  return {
    report: 'payouts',
    from: input.fromDate,
    to: input.toDate,
    timeZone: input.timeZone,
    payouts,
    totals: {
      amountCents: sum((p) => p.amountCents),
      netCents: sum((p) => p.netCents),
      differenceCents: sum((p) => p.differenceCents),
      unbalancedCount: payouts.filter((p) => !p.balanced).length,
      payoutCount: payouts.length,
    },
  };
}
