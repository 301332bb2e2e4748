import type Stripe from 'stripe';
import type { LedgerLine, LedgerPayout, LedgerRange, StripeLedger } from './ledger.ts';

/** Stripe's largest page: fewer round trips for a long range. */
const PAGE_SIZE = 100;

/**
 * The ledger read through stripe-node. Lists are iterated with stripe-node's auto-pagination
 * (`for await` over a list call follows `has_more` / `starting_after`), so a range of any length
 * is read one page at a time and never held whole.
 */
export function createStripeLedger(client: Stripe, opts: { pageSize?: number } = {}): StripeLedger {
  const limit = opts.pageSize ?? PAGE_SIZE;
  // Stripe's `created` is whole seconds: the end is rounded up, so a line made in the range's last second is in it.
  const created = (range: LedgerRange) => ({ gte: Math.floor(range.from.getTime() / 1000), lt: Math.ceil(range.to.getTime() / 1000) });
  return {
    async *balanceTransactions(query) {
      const params: Stripe.BalanceTransactionListParams =
        'payoutId' in query ? { payout: query.payoutId, limit } : { created: created(query.range), limit };
      for await (const bt of client.balanceTransactions.list(params)) yield toLine(bt);
    },
    async *payouts(range) {
      for await (const payout of client.payouts.list({ created: created(range), limit })) yield toPayout(payout);
    },
    async payout(id) {
      return toPayout(await client.payouts.retrieve(id));
    },
  };
}

const idOf = (value: string | { id: string } | null | undefined) => (value == null ? null : typeof value === 'string' ? value : value.id);

function toLine(bt: Stripe.BalanceTransaction): LedgerLine {
  return {
    id: bt.id,
    type: bt.type,
    reportingCategory: bt.reporting_category,
    amountCents: bt.amount,
    feeCents: bt.fee,
    netCents: bt.net,
    currency: bt.currency.toUpperCase(),
    sourceId: idOf(bt.source as string | { id: string } | null),
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
    balanceTransactionId: idOf(p.balance_transaction as string | { id: string } | null),
    reconciliationStatus: p.reconciliation_status ?? null,
    createdAt: new Date(p.created * 1000),
  };
}
