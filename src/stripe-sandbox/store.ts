import type Stripe from 'stripe';

/**
 * Storage behind a small interface. `createMemoryStore` (the default) loses every PaymentIntent,
 * charge, event and idempotency key on restart, which suits tests; `createFileStore`
 * (file-store.ts) keeps them on disk instead, holding only an index in memory, so the platform's
 * sandbox can be restarted without forgetting PaymentIntents its database still refers to.
 */

/** Webhook endpoint plus its signing secret (Stripe reveals the secret only on creation). */
export interface StoredWebhookEndpoint extends Stripe.WebhookEndpoint {
  secret: string;
}

/**
 * The balance transactions an automatic payout paid out, its own `payout` transaction included,
 * newest first: Stripe keeps this link internally (a balance transaction names no payout) and
 * answers `GET /v1/balance_transactions?payout=` from it. Keyed by the payout's id.
 */
export interface PayoutContents {
  id: string;
  balance_transactions: string[];
}

/** The automatic payouts' bookkeeping, one record (`id: 'payout_ledger'`). */
export interface PayoutLedger {
  id: string;
  /** The newest balance transaction a payout run has looked at; later ones are new to the next run. */
  scanned_through: string | null;
  /** Balance transactions looked at but not paid out yet (still pending, or a balance not above zero), oldest first. */
  unpaid: string[];
  /** When payouts last ran (Unix seconds): the daily schedule runs once per UTC day. */
  last_run: number | null;
}

/**
 * A Checkout Session's line items and payment_intent_data, kept beside the session (Stripe returns items only from
 * `GET /v1/checkout/sessions/:id/line_items`, not on the session). Keyed by the session's id.
 */
export interface CheckoutSessionExtras {
  id: string;
  line_items: Stripe.LineItem[];
  /** What the PaymentIntent made when the customer pays will carry. */
  payment_intent_data: { metadata: Record<string, string>; description: string | null };
}

export interface StoredObjects {
  payment_intent: Stripe.PaymentIntent;
  checkout_session: Stripe.Checkout.Session;
  checkout_session_extras: CheckoutSessionExtras;
  payment_method: Stripe.PaymentMethod;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  balance_transaction: Stripe.BalanceTransaction;
  dispute: Stripe.Dispute;
  payout: Stripe.Payout;
  payout_contents: PayoutContents;
  payout_ledger: PayoutLedger;
  event: Stripe.Event;
  webhook_endpoint: StoredWebhookEndpoint;
}

export type StoredKind = keyof StoredObjects;

export interface IdempotencyRecord {
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  statusCode: number;
  body: string;
  requestId: string;
  createdAtMs: number;
}

export interface ScanOptions {
  /** Walk from the newest object to the oldest (default: oldest first). */
  newestFirst?: boolean;
  /** Start next to this id, excluding it; an id the store does not hold yields nothing. */
  after?: string;
}

export interface SandboxStore {
  /** Inserts or replaces an object; insertion order of new ids is kept for listing. */
  save<K extends StoredKind>(kind: K, object: StoredObjects[K]): void;
  get<K extends StoredKind>(kind: K, id: string): StoredObjects[K] | undefined;
  /** All objects of a kind, oldest first. Holds them all at once: for small kinds and tests. */
  list<K extends StoredKind>(kind: K): StoredObjects[K][];
  /**
   * The objects of a kind one at a time, in insertion order, each a copy made as it is reached:
   * a page of a list reads only what it shows and what it skips, not the whole kind.
   */
  scan<K extends StoredKind>(kind: K, options?: ScanOptions): Iterable<StoredObjects[K]>;
  remove(kind: StoredKind, id: string): void;
  /** Whether an object is held (no copy made). */
  has(kind: StoredKind, id: string): boolean;
  count(kind: StoredKind): number;
  getIdempotencyRecord(key: string): IdempotencyRecord | undefined;
  saveIdempotencyRecord(record: IdempotencyRecord): void;
  /**
   * Drops idempotency records created before `cutoffMs` (Stripe keeps keys for 24 hours) and
   * says how many. Costs what it drops, not what is held: records are kept in creation order.
   */
  pruneIdempotencyRecords(cutoffMs: number): number;
  idempotencyCount(): number;
  /** Every record held, oldest first. */
  idempotencyRecords(): IdempotencyRecord[];
  /** True when the objects outlive a restart (the file store). */
  readonly persistent?: boolean;
  /** Writes pending changes where a store keeps them (see file-store.ts); called on close. */
  flush?(): void;
}

/** The ids after `after` in `ids` (all of them without a cursor; none for an id not held, as a scan ends there). */
export function idsAfter(ids: readonly string[], after: string | undefined): readonly string[] {
  if (after === undefined) return ids;
  const at = ids.indexOf(after);
  return at === -1 ? [] : ids.slice(at + 1);
}

/**
 * In-memory store. Objects are deep-copied on the way in and out so no caller can mutate
 * stored state (or an event's snapshot) by holding on to a returned object.
 */
export function createMemoryStore(): SandboxStore {
  const collections = new Map<StoredKind, Map<string, unknown>>();
  const idempotency = new Map<string, IdempotencyRecord>();

  function collection(kind: StoredKind): Map<string, unknown> {
    let found = collections.get(kind);
    if (!found) {
      found = new Map();
      collections.set(kind, found);
    }
    return found;
  }

  return {
    save(kind, object) {
      collection(kind).set(object.id, structuredClone(object));
    },
    get<K extends StoredKind>(kind: K, id: string) {
      const found = collection(kind).get(id);
      // The map for `kind` only ever receives StoredObjects[K] through save().
      return found === undefined ? undefined : (structuredClone(found) as StoredObjects[K]);
    },
    list<K extends StoredKind>(kind: K) {
      return [...collection(kind).values()].map((object) => structuredClone(object) as StoredObjects[K]);
    },
    *scan<K extends StoredKind>(kind: K, options: ScanOptions = {}) {
      const objects = collection(kind);
      const ids = [...objects.keys()];
      if (options.newestFirst) ids.reverse();
      for (const id of idsAfter(ids, options.after)) {
        const found = objects.get(id);
        // Removed while the scan was paused; otherwise a copy, as get() gives.
        if (found !== undefined) yield structuredClone(found) as StoredObjects[K];
      }
    },
    remove(kind, id) {
      collection(kind).delete(id);
    },
    has: (kind, id) => collection(kind).has(id),
    count: (kind) => collection(kind).size,
    getIdempotencyRecord(key) {
      return idempotency.get(key);
    },
    saveIdempotencyRecord(record) {
      // Deleted first, so a re-saved key moves to the end and the map stays in creation order.
      idempotency.delete(record.key);
      idempotency.set(record.key, record);
    },
    pruneIdempotencyRecords(cutoffMs) {
      // A Map iterates in insertion order, which is creation order: stop at the first record still
      // young enough. A record saved while a test clock ran behind may outlive its cutoff a little;
      // findReplay ignores any record past its lifetime, so that never replays an expired key.
      return dropCreatedBefore(idempotency, cutoffMs);
    },
    idempotencyCount: () => idempotency.size,
    idempotencyRecords: () => [...idempotency.values()],
  };
}

/**
 * Drops the entries created before `cutoffMs` from a map kept in creation order and says how
 * many: it stops at the first young entry, so it costs what it drops, not what is held.
 */
export function dropCreatedBefore(entries: Map<string, { createdAtMs: number }>, cutoffMs: number): number {
  let dropped = 0;
  for (const [key, entry] of entries) {
    if (entry.createdAtMs >= cutoffMs) break;
    entries.delete(key);
    dropped++;
  }
  return dropped;
}
