import { resourceMissing } from './errors.ts';
import type { RecordEvent } from './events.ts';
import type { SandboxLogger } from './logger.ts';
import type { SandboxFees } from './money.ts';
import type { PayoutFailureOptions } from './payouts.ts';
import type { SandboxStore, StoredKind, StoredObjects } from './store.ts';

/** Everything the endpoint operations need, passed explicitly instead of living in globals. */
export interface SandboxContext {
  store: SandboxStore;
  /** Current time in Unix seconds, from the injectable clock. */
  now: () => number;
  recordEvent: RecordEvent;
  /** Runs follow-up work later (tracked so flushWebhooks waits for it and close cancels it). */
  runLater: (delayMs: number, task: () => void) => void;
  disputeDelayMs: number;
  /** Failures tests asked for, taken one per payout the next runs make (failNextPayout). */
  payoutFailures: PayoutFailureOptions[];
  /** The price list charges and disputes are billed with. */
  fees: SandboxFees;
  logger: SandboxLogger;
}

/** How Stripe names each object type in "No such …" messages. */
const NOUNS: Record<StoredKind, string> = {
  payment_intent: 'payment_intent',
  checkout_session: 'checkout.session',
  checkout_session_extras: 'checkout.session',
  payment_method: 'PaymentMethod',
  charge: 'charge',
  refund: 'refund',
  balance_transaction: 'balance transaction',
  dispute: 'dispute',
  payout: 'payout',
  payout_contents: 'payout',
  payout_ledger: 'payout ledger',
  event: 'event',
  webhook_endpoint: 'webhook endpoint',
};

export function getNoun(kind: StoredKind): string {
  return NOUNS[kind];
}

/** Loads an object or fails with Stripe's 404 `resource_missing` naming the parameter. */
export function requireObject<K extends StoredKind>(ctx: SandboxContext, kind: K, id: string, param = 'id'): StoredObjects[K] {
  const found = ctx.store.get(kind, id);
  if (!found) throw resourceMissing(NOUNS[kind], id, param);
  return found;
}

const KIND_BY_PREFIX: Record<string, StoredKind> = {
  pi: 'payment_intent',
  cs: 'checkout_session',
  pm: 'payment_method',
  ch: 'charge',
  re: 'refund',
  txn: 'balance_transaction',
  dp: 'dispute',
  po: 'payout',
  evt: 'event',
};

/** Finds any stored object by its id prefix (used by `expand`). */
export function findObjectById(ctx: SandboxContext, id: string): object | undefined {
  const prefix = id.slice(0, id.indexOf('_'));
  const kind = KIND_BY_PREFIX[prefix];
  if (!kind) return undefined;
  return ctx.store.get(kind, id);
}
