import { index, integer, jsonb, pgTable, primaryKey, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * Idempotency-Key records: the first request with a key stores its request fingerprint and, once
 * done, its response; a retry with the same key and body gets that response again.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: varchar('scope', { length: 64 }).notNull(),
    key: varchar('key', { length: 255 }).notNull(),
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    resourceId: varchar('resource_id', { length: 100 }),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    // The confirmation mail finds the booking's creating request by the booking (responseOfResource).
    // The resource leads: led by the scope, which nearly every record shares, the index also fit
    // the updates by (scope, key), and PostgreSQL's generic plan for them, chosen while the table
    // had no statistics, walked every record of the scope (an update per booking grew with the table).
    index('idempotency_keys_resource_scope_idx').on(t.resourceId, t.scope),
  ],
);
