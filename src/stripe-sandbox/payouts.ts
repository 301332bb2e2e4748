import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import { NO_REQUEST, pickChangedAttributes } from './events.ts';
import type { FormObject } from './form.ts';
import { generateId } from './ids.ts';
import { buildRangeFilter, LIST_PARAMS, paginate } from './lists.ts';
import { buildPayout, buildPayoutFailureBalanceTransaction } from './objects.ts';
import { ParamReader } from './params.ts';
import type { PayoutLedger } from './store.ts';

/**
 * Automatic payouts as Stripe makes them: a run pays out, per currency, every balance transaction
 * that is available (`available_on` has passed) and in no payout yet, as one payout with a
 * `payout` balance transaction of minus that sum, so the transactions of a payout (its own
 * included) net to zero. Funds that are still pending, or a currency whose available sum is not
 * above zero, wait for a later run. The sandbox's bank accepts a payout at once: `payout.created`
 * is followed by `payout.paid` and `payout.reconciliation_completed`, unless a test asked for the
 * payout to fail (`payout.failed`, and a `payout_failure` balance transaction that puts the amount
 * back on the balance, to be paid out by the next run).
 *
 * What a run has looked at is kept in one ledger record (the newest balance transaction seen and
 * those not paid out yet), so a run reads only what is new or still waiting, not the whole history.
 */

const LEDGER_ID = 'payout_ledger';
const DAY_SECONDS = 86_400;

/** A failure a test asks for; Stripe's `failure_code` and `failure_message`. */
export interface PayoutFailureOptions {
  /** Stripe's failure code, `account_closed` by default. */
  code?: string;
  /** Defaults to Stripe's wording for the code. */
  message?: string;
}

// Stripe's descriptions of its payout failure codes (docs: "Payout failures").
const FAILURE_MESSAGES: Record<string, string> = {
  account_closed: 'The bank account has been closed.',
  account_frozen: 'The bank account has been frozen.',
  bank_account_restricted: 'The bank account has restrictions on either the type, or the number, of payouts allowed.',
  could_not_process: 'The bank could not process this payout.',
  debit_not_authorized: 'Debit transactions are not approved on the bank account.',
  declined: 'The bank has declined this transfer.',
  insufficient_funds: 'Your Stripe account has insufficient funds to cover the payout.',
  invalid_account_number: 'The routing number seems correct, but the account number is invalid.',
  invalid_currency: 'The bank was unable to process this payout because of its currency.',
  no_account: 'The bank account details on file are probably incorrect. No bank account could be located with those details.',
};

const PAYOUT_STATUSES = ['pending', 'in_transit', 'paid', 'failed', 'canceled'] as const;

function readLedger(ctx: SandboxContext): PayoutLedger {
  return ctx.store.get('payout_ledger', LEDGER_ID) ?? { id: LEDGER_ID, scanned_through: null, unpaid: [], last_run: null };
}

/**
 * The balance transactions not in a payout yet, oldest first: those left waiting, then those new
 * since the last run; and the newest one seen now.
 */
function collectUnpaid(ctx: SandboxContext, ledger: PayoutLedger): { unpaid: Stripe.BalanceTransaction[]; newest: string | null } {
  const unpaid: Stripe.BalanceTransaction[] = [];
  for (const id of ledger.unpaid) {
    const transaction = ctx.store.get('balance_transaction', id);
    if (transaction === undefined) throw new Error(`Stripe sandbox: the payout ledger names ${id}, which the store does not hold`);
    unpaid.push(transaction);
  }
  const after = ledger.scanned_through;
  // A scan from an id the store does not hold yields nothing: that would stop payouts for good.
  if (after !== null && !ctx.store.has('balance_transaction', after)) {
    throw new Error(`Stripe sandbox: the payout ledger was scanned through ${after}, which the store does not hold`);
  }
  let newest = after;
  for (const transaction of ctx.store.scan('balance_transaction', after === null ? {} : { after })) {
    unpaid.push(transaction);
    newest = transaction.id;
  }
  return { unpaid, newest };
}

/**
 * Pays out the available balance per currency (test helper, and the daily schedule): one payout
 * per currency whose available, not yet paid out transactions sum to more than zero. Returns the
 * payouts made, as they ended (paid, or failed where a test asked for it), in currency order.
 */
export function runPayouts(ctx: SandboxContext): Stripe.Payout[] {
  const now = ctx.now();
  const ledger = readLedger(ctx);
  const { unpaid, newest: newestSeen } = collectUnpaid(ctx, ledger);

  const availableByCurrency = new Map<string, Stripe.BalanceTransaction[]>();
  for (const transaction of unpaid) {
    if (transaction.available_on > now) continue;
    const group = availableByCurrency.get(transaction.currency) ?? [];
    group.push(transaction);
    availableByCurrency.set(transaction.currency, group);
  }

  const paidOut = new Set<string>();
  const created: Stripe.Payout[] = [];
  let newest = newestSeen;
  for (const [currency, transactions] of [...availableByCurrency.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const amount = transactions.reduce((sum, transaction) => sum + transaction.net, 0);
    if (amount <= 0) continue;
    const { payout, transaction } = buildPayout({ amount, currency, balanceTransactionId: generateId('txn') }, now);
    ctx.store.save('balance_transaction', transaction);
    ctx.store.save('payout', payout);
    ctx.store.save('payout_contents', {
      id: payout.id,
      balance_transactions: [transaction.id, ...transactions.map((paid) => paid.id).reverse()],
    });
    for (const paid of transactions) paidOut.add(paid.id);
    // The payout's own transaction is in its payout: the next run starts after it.
    newest = transaction.id;
    created.push(payout);
  }
  ctx.store.save('payout_ledger', {
    id: LEDGER_ID,
    scanned_through: newest,
    unpaid: unpaid.filter((transaction) => !paidOut.has(transaction.id)).map((transaction) => transaction.id),
    last_run: now,
  });

  // Settled only once the ledger is saved: a failure's transaction is new to the next run.
  return created.map((payout) => {
    ctx.recordEvent('payout.created', payout, NO_REQUEST);
    const failure = ctx.payoutFailures.shift();
    return failure === undefined ? markPaid(ctx, payout) : failPayout(ctx, payout.id, failure);
  });
}

/** Runs payouts on the first look of each UTC day by the sandbox clock (`payoutSchedule: 'daily'`). */
export function runDailyPayoutsIfDue(ctx: SandboxContext): Stripe.Payout[] {
  const lastRun = readLedger(ctx).last_run;
  if (lastRun !== null && Math.floor(lastRun / DAY_SECONDS) >= Math.floor(ctx.now() / DAY_SECONDS)) return [];
  return runPayouts(ctx);
}

function markPaid(ctx: SandboxContext, payout: Stripe.Payout): Stripe.Payout {
  const paid: Stripe.Payout = { ...payout, status: 'paid' };
  ctx.store.save('payout', paid);
  ctx.recordEvent('payout.paid', paid, NO_REQUEST, { status: payout.status });
  // From here on its balance transactions can be listed with `?payout=`, which Stripe announces.
  const reconciled: Stripe.Payout = { ...paid, reconciliation_status: 'completed' };
  ctx.store.save('payout', reconciled);
  ctx.recordEvent('payout.reconciliation_completed', reconciled, NO_REQUEST, { reconciliation_status: paid.reconciliation_status });
  return reconciled;
}

/**
 * Fails a payout as the bank would (test helper): a payout may fail while in transit or, as on
 * Stripe, days after it showed as paid. The amount comes back to the balance as a `payout_failure`
 * balance transaction (reporting category `payout_reversal`), available at once.
 */
export function failPayout(ctx: SandboxContext, payoutId: string, failure: PayoutFailureOptions = {}): Stripe.Payout {
  const payout = requireObject(ctx, 'payout', payoutId);
  if (payout.status !== 'in_transit' && payout.status !== 'paid') {
    throw new Error(`Payout ${payoutId} is ${payout.status}; only a payout in transit or paid can fail`);
  }
  const code = failure.code ?? 'account_closed';
  const failed: Stripe.Payout = {
    ...payout,
    status: 'failed',
    failure_code: code,
    failure_message: failure.message ?? FAILURE_MESSAGES[code] ?? `The payout failed (${code}).`,
  };
  const transaction = buildPayoutFailureBalanceTransaction(failed, ctx.now());
  failed.failure_balance_transaction = transaction.id;
  ctx.store.save('balance_transaction', transaction);
  ctx.store.save('payout', failed);
  ctx.recordEvent(
    'payout.failed',
    failed,
    NO_REQUEST,
    pickChangedAttributes(payout, failed, ['status', 'failure_code', 'failure_message', 'failure_balance_transaction']),
  );
  return failed;
}

export function retrievePayout(ctx: SandboxContext, id: string): Stripe.Payout {
  return requireObject(ctx, 'payout', id);
}

export function listPayouts(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Payout> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'status', 'arrival_date', 'destination']);
  const status = params.optionalEnum('status', PAYOUT_STATUSES);
  const destination = params.optionalString('destination');
  const arrival = buildRangeFilter(params, 'arrival_date');
  return paginate(
    ctx.store,
    'payout',
    params,
    '/v1/payouts',
    'payout',
    (payout) =>
      (status === undefined || payout.status === status) &&
      (destination === undefined || payout.destination === destination) &&
      arrival(payout.arrival_date),
  );
}

/** The ids of the balance transactions a payout paid out, newest first (404 naming `param` if unknown). */
export function payoutBalanceTransactionIds(ctx: SandboxContext, payoutId: string, param: string): string[] {
  requireObject(ctx, 'payout', payoutId, param);
  const contents = ctx.store.get('payout_contents', payoutId);
  if (contents === undefined) throw new Error(`Stripe sandbox: payout ${payoutId} has no recorded contents`);
  return contents.balance_transactions;
}
