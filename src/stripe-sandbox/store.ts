import type Stripe from 'stripe';

/**
 * Storage behind a small interface. `createMemoryStore` (the default) loses every PaymentIntent,
 * charge, event and idempotency key on restart, which suits tests; `createFileStore`
 * (file-store.ts) keeps them in a JSON file as well, so the platform's sandbox can be restarted
 * without forgetting PaymentIntents its database still refers to.
 */

/** Webhook endpoint plus its signing secret (Stripe reveals the secret only on creation). */
export interface StoredWebhookEndpoint extends Stripe.WebhookEndpoint {
  secret: string;
}

export interface StoredObjects {
  payment_intent: Stripe.PaymentIntent;
  payment_method: Stripe.PaymentMethod;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  balance_transaction: Stripe.BalanceTransaction;
  dispute: Stripe.Dispute;
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

export interface SandboxStore {
  /** Inserts or replaces an object; insertion order of new ids is kept for listing. */
  save<K extends StoredKind>(kind: K, object: StoredObjects[K]): void;
  get<K extends StoredKind>(kind: K, id: string): StoredObjects[K] | undefined;
  /** All objects of a kind, oldest first. */
  list<K extends StoredKind>(kind: K): StoredObjects[K][];
  remove(kind: StoredKind, id: string): void;
  getIdempotencyRecord(key: string): IdempotencyRecord | undefined;
  saveIdempotencyRecord(record: IdempotencyRecord): void;
  /** Drops idempotency records created before `cutoffMs` (Stripe keeps keys for 24 hours). */
  pruneIdempotencyRecords(cutoffMs: number): void;
  /** Writes pending changes where a store keeps them (see file-store.ts); called on close. */
  flush?(): void;
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
    remove(kind, id) {
      collection(kind).delete(id);
    },
    getIdempotencyRecord(key) {
      return idempotency.get(key);
    },
    saveIdempotencyRecord(record) {
      idempotency.set(record.key, record);
    },
    pruneIdempotencyRecords(cutoffMs) {
      for (const [key, record] of idempotency) {
        if (record.createdAtMs < cutoffMs) idempotency.delete(key);
      }
    },
  };
}
