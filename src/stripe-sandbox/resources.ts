import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import type { FormObject } from './form.ts';
import { idListSource, LIST_PARAMS, paginate, paginateSource, storeSource } from './lists.ts';
import { payoutBalanceTransactionIds } from './payouts.ts';
import { ParamReader } from './params.ts';

/** Read-only resources: charges, balance transactions, events, payment methods. */

export function retrieveCharge(ctx: SandboxContext, id: string): Stripe.Charge {
  return requireObject(ctx, 'charge', id);
}

export function listCharges(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Charge> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'payment_intent']);
  const paymentIntent = params.optionalString('payment_intent');
  return paginate(
    ctx.store,
    'charge',
    params,
    '/v1/charges',
    'charge',
    (charge) => paymentIntent === undefined || charge.payment_intent === paymentIntent,
  );
}

/** Funds move from `pending` to `available` on `available_on`, judged by the sandbox clock. */
function presentBalanceTransaction(ctx: SandboxContext, transaction: Stripe.BalanceTransaction): Stripe.BalanceTransaction {
  return { ...transaction, status: transaction.available_on <= ctx.now() ? 'available' : 'pending' };
}

export function retrieveBalanceTransaction(ctx: SandboxContext, id: string): Stripe.BalanceTransaction {
  return presentBalanceTransaction(ctx, requireObject(ctx, 'balance_transaction', id));
}

/**
 * Balance transactions, newest first; `payout=po_…` lists those an automatic payout paid out,
 * its own `payout` transaction included (as Stripe does), reading only that payout's transactions.
 */
export function listBalanceTransactions(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.BalanceTransaction> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'type', 'source', 'currency', 'payout']);
  const type = params.optionalString('type');
  const source = params.optionalString('source');
  const currency = params.optionalString('currency')?.toLowerCase();
  const payout = params.optionalString('payout');
  const list = paginateSource(
    payout === undefined
      ? storeSource(ctx.store, 'balance_transaction')
      : idListSource(ctx.store, 'balance_transaction', payoutBalanceTransactionIds(ctx, payout, 'payout')),
    params,
    '/v1/balance_transactions',
    'balance transaction',
    (transaction) =>
      (type === undefined || transaction.type === type) &&
      (source === undefined || transaction.source === source) &&
      (currency === undefined || transaction.currency === currency),
  );
  return { ...list, data: list.data.map((transaction) => presentBalanceTransaction(ctx, transaction)) };
}

export function retrieveEvent(ctx: SandboxContext, id: string): Stripe.Event {
  return requireObject(ctx, 'event', id);
}

/** Stripe's event type filter: exact, or with `*` wildcards such as `charge.*`. */
function matchesTypeFilter(filter: string, type: string): boolean {
  if (!filter.includes('*')) return filter === type;
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(type);
}

export function listEvents(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Event> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'type', 'types', 'delivery_success']);
  const type = params.optionalString('type');
  const types = params.optionalStringArray('types');
  const deliverySuccess = params.optionalBoolean('delivery_success');
  return paginate(
    ctx.store,
    'event',
    params,
    '/v1/events',
    'event',
    (event) =>
      (type === undefined || matchesTypeFilter(type, event.type)) &&
      (types === undefined || types.length === 0 || types.includes(event.type)) &&
      (deliverySuccess === undefined || (event.pending_webhooks === 0) === deliverySuccess),
  );
}

export function retrievePaymentMethod(ctx: SandboxContext, id: string): Stripe.PaymentMethod {
  return requireObject(ctx, 'payment_method', id);
}

/**
 * The account balance, derived from balance transactions the way Stripe's is: net amounts whose
 * `available_on` has passed are available, the rest pending. Charges and failed payouts add to it;
 * refunds, disputes and payouts take from it.
 */
export function retrieveBalance(ctx: SandboxContext, form: FormObject): Stripe.Balance {
  ParamReader.strict(form, []);
  const now = ctx.now();
  const totals = new Map<string, { available: number; pending: number }>();
  for (const transaction of ctx.store.scan('balance_transaction')) {
    const total = totals.get(transaction.currency) ?? { available: 0, pending: 0 };
    if (transaction.available_on <= now) total.available += transaction.net;
    else total.pending += transaction.net;
    totals.set(transaction.currency, total);
  }
  if (totals.size === 0) totals.set('eur', { available: 0, pending: 0 });
  const entries = [...totals.entries()];
  return {
    object: 'balance',
    available: entries.map(([currency, total]) => ({ amount: total.available, currency, source_types: { card: total.available } })),
    connect_reserved: entries.map(([currency]) => ({ amount: 0, currency })),
    livemode: false,
    pending: entries.map(([currency, total]) => ({ amount: total.pending, currency, source_types: { card: total.pending } })),
  };
}
