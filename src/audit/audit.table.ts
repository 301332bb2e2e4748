import { bigserial, index, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { actorTypeEnum } from '../bookings/bookings.table.ts';

/**
 * Append-only: a trigger (migration 0001) rejects UPDATE and DELETE, so not even a bug in the
 * application can rewrite history. Details never hold personal data, only ids and codes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    actorType: actorTypeEnum('actor_type').notNull(),
    actorId: varchar('actor_id', { length: 100 }),
    action: varchar('action', { length: 100 }).notNull(),
    subjectType: varchar('subject_type', { length: 50 }).notNull(),
    subjectId: varchar('subject_id', { length: 100 }).notNull(),
    officeId: uuid('office_id'),
    requestId: varchar('request_id', { length: 100 }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_subject_idx').on(t.subjectType, t.subjectId)],
);
