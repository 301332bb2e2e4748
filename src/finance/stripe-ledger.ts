import type Stripe from 'stripe';
import type { LedgerDispute, LedgerLine, LedgerPayout, LedgerRange, LedgerRefund, StripeLedger } from './ledger.ts';

/** Stripe's largest page: fewer round trips for a long range. */
const PAGE_SIZE = 100;

/**
 * The ledger read through stripe-node. Lists are iterated with stripe-node's auto-pagination
 * (`for await` over a list call follows `has_more` / `starting_after`), so a range of any length
 * is read one page at a time and never held whole. Balance transactions are listed with their
 * source expanded (`expand[]=data.source`): the charge, refund or dispute names its PaymentIntent,
 * which is what matching needs, without one more request per line.
 */
export function createStripeLedger(client: Stripe, opts: { pageSize?: number } = {}): StripeLedger {
  const limit = opts.pageSize ?? PAGE_SIZE;
  // Stripe's `created` is whole seconds: the end is rounded up, so a line made in the range's last second is in it.
  const created = (range: LedgerRange) => ({ gte: Math.floor(range.from.getTime() / 1000), lt: Math.ceil(range.to.getTime() / 1000) });
  const expand = ['data.source'];
  return {
    async *balanceTransactions(query) {
      const params: Stripe.BalanceTransactionListParams =
        'payoutId' in query ? { payout: query.payoutId, limit, expand } : { created: created(query.range), limit, expand };
      for await (const bt of client.balanceTransactions.list(params)) yield toLine(bt);
    },
    async *payouts(range) {
      for await (const payout of client.payouts.list({ created: created(range), limit })) yield toPayout(payout);
    },
    async payout(id) {
      return toPayout(await client.payouts.retrieve(id));
    },
    async *refunds(range) {
      for await (const refund of client.refunds.list({ created: created(range), limit })) yield toRefund(refund);
    },
    async *disputes(range) {
      for await (const dispute of client.disputes.list({ created: created(range), limit })) yield toDispute(dispute);
    },
    async dispute(id) {
      return toDispute(await client.disputes.retrieve(id));
    },
  };
}

type Ref = string | { id: string } | null | undefined;
const idOf = (value: Ref) => (value == null ? null : typeof value === 'string' ? value : value.id);
const cut = (value: string | undefined, max: number) => (value === undefined || value === '' ? null : value.slice(0, max));

/** What an expanded source says about the charge it belongs to; a bare id (not expanded) says only its own kind. */
function sourceFacts(source: unknown): Pick<LedgerLine, 'chargeId' | 'paymentIntentId' | 'metadataBookingId' | 'metadataKassenzeichen'> {
  const none = { chargeId: null, paymentIntentId: null, metadataBookingId: null, metadataKassenzeichen: null };
  if (typeof source === 'string') return source.startsWith('ch_') || source.startsWith('py_') ? { ...none, chargeId: source } : none;
  if (source === null || typeof source !== 'object') return none;
  const object = source as { object?: string; id: string; charge?: Ref; payment_intent?: Ref; metadata?: Record<string, string> | null };
  const metadata = object.metadata ?? {};
  return {
    chargeId: object.object === 'charge' ? object.id : idOf(object.charge),
    paymentIntentId: idOf(object.payment_intent),
    metadataBookingId: cut(metadata.booking_id ?? metadata.bookingId, 100),
    metadataKassenzeichen: cut(metadata.kassenzeichen, 40),
  };
}

function toLine(bt: Stripe.BalanceTransaction): LedgerLine {
  return {
    id: bt.id,
    type: bt.type,
    reportingCategory: bt.reporting_category,
    amountCents: bt.amount,
    feeCents: bt.fee,
    netCents: bt.net,
    currency: bt.currency.toUpperCase(),
    sourceId: idOf(bt.source as Ref),
    ...sourceFacts(bt.source),
    status: bt.status,
    availableOn: new Date(bt.available_on * 1000),
    createdAt: new Date(bt.created * 1000),
  };
}

function toPayout(p: Stripe.Payout): LedgerPayout {
  return {
    id: p.id,
    amountCents: p.amount,
    currency: p.currency.toUpperCase(),
    status: p.status,
    automatic: p.automatic,
    arrivalDate: new Date(p.arrival_date * 1000),
    failureCode: p.failure_code ?? null,
    balanceTransactionId: idOf(p.balance_transaction as Ref),
    reconciliationStatus: p.reconciliation_status ?? null,
    createdAt: new Date(p.created * 1000),
  };
}

function toRefund(r: Stripe.Refund): LedgerRefund {
  const metadata = r.metadata ?? {};
  return {
    id: r.id,
    chargeId: idOf(r.charge as Ref),
    paymentIntentId: idOf(r.payment_intent as Ref),
    amountCents: r.amount,
    currency: r.currency.toUpperCase(),
    status: r.status ?? 'pending',
    reason: r.reason ?? null,
    metadataRefundId: cut(metadata.refund_id, 100),
    metadataBookingId: cut(metadata.booking_id, 100),
    createdAt: new Date(r.created * 1000),
  };
}

function toDispute(d: Stripe.Dispute): LedgerDispute {
  return {
    id: d.id,
    chargeId: idOf(d.charge as Ref),
    paymentIntentId: idOf(d.payment_intent as Ref),
    amountCents: d.amount,
    currency: d.currency.toUpperCase(),
    status: d.status,
    reason: d.reason,
    createdAt: new Date(d.created * 1000),
  };
}
