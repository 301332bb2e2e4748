import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { courierCompanies } from '../couriers/couriers.table.ts';

export const outboundEventStatusEnum = pgEnum('outbound_event_status', ['pending', 'delivered', 'dead']);
export type OutboundEventStatus = (typeof outboundEventStatusEnum.enumValues)[number];

/**
 * The transactional outbox of courier webhooks: a row is written in the transaction of the change
 * that causes it; the relay hands it to the delivery queue, the delivery worker records the result.
 * This row, not the queue, is the truth about an event: pending / delivered / dead, how many
 * attempts, when the next one is due.
 */
export const outboundEvents = pgTable(
  'outbound_events',
  {
    /** The Standard Webhooks `webhook-id` (`msg_…`), the same on every attempt and replay. */
    id: varchar('id', { length: 64 }).primaryKey(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    type: varchar('type', { length: 64 }).notNull(),
    /** What the event is about (a route id), for listing. */
    subjectId: varchar('subject_id', { length: 64 }),
    /** The body's `data`. Personal data (recipient names, addresses): never logged, never listed. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    status: outboundEventStatusEnum('status').notNull().default('pending'),
    /** Attempts made in all (replays included); each is a row in webhook_attempts. */
    attempts: integer('attempts').notNull().default(0),
    /**
     * Delivery round: 0 at first, +1 on a replay or when an event parked by a disabled endpoint is
     * handed over again. The delivery job id is the event id (round 0) or `<id>.<round>`, so a job of
     * an earlier round is recognised and does nothing.
     */
    round: integer('round').notNull().default(0),
    /** Handed to the delivery queue (null: the relay has still to do it). */
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, precision: 3 }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }),
    lastStatusCode: integer('last_status_code'),
    lastError: varchar('last_error', { length: 200 }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    deadAt: timestamp('dead_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** A monotonic sequence for creation order (timestamps of one transaction are equal). */
    seq: integer('seq').generatedAlwaysAsIdentity(),
  },
  (t) => [
    index('outbound_events_company_idx').on(t.companyId, t.createdAt),
    index('outbound_events_pending_idx')
      .on(t.seq)
      .where(sql`${t.status} = 'pending'`),
    index('outbound_events_status_idx').on(t.status, t.createdAt),
    check('outbound_events_attempts', sql`${t.attempts} >= 0 and ${t.round} >= 0`),
  ],
);

/** Every delivery attempt: when, the answer's status, how long it took, and the start of the answer (text only, ≤ 1 KB). */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: varchar('event_id', { length: 64 })
      .notNull()
      .references(() => outboundEvents.id),
    /** 1, 2, … over the event's whole life (replays continue the count). */
    attemptNo: integer('attempt_no').notNull(),
    round: integer('round').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    /** The HTTP status; null when there was no answer (timeout, refused, reset). */
    statusCode: integer('status_code'),
    /** delivered | failed | gone (410) | refused (SSRF guard or URL policy) */
    outcome: varchar('outcome', { length: 16 }).notNull(),
    error: varchar('error', { length: 200 }),
    responseExcerpt: varchar('response_excerpt', { length: 1024 }),
  },
  (t) => [uniqueIndex('webhook_attempts_event_no_idx').on(t.eventId, t.attemptNo)],
);

export type OutboundEvent = typeof outboundEvents.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;
