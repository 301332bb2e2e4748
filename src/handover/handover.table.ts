import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { planRoutes } from '../planning/planning.table.ts';

export const handoverKindEnum = pgEnum('handover_kind', ['handover', 'return']);
export type HandoverKind = (typeof handoverKindEnum.enumValues)[number];
export const handoverStatusEnum = pgEnum('handover_status', ['started', 'confirmed', 'superseded']);

/**
 * A handover of a route's documents to the courier, or their return, under four eyes: one staff
 * member scans the documents (the list must match the route exactly) and starts it, a different
 * one confirms. Starting again replaces an unconfirmed one (a rescan).
 */
export const handovers = pgTable(
  'handovers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    routeId: uuid('route_id')
      .notNull()
      .references(() => planRoutes.id),
    kind: handoverKindEnum('kind').notNull(),
    status: handoverStatusEnum('status').notNull().default('started'),
    bookingIds: uuid('booking_ids').array().notNull(),
    courierName: varchar('courier_name', { length: 200 }).notNull(),
    courierRef: varchar('courier_ref', { length: 100 }).notNull(),
    startedByStaffId: uuid('started_by_staff_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    confirmedByStaffId: uuid('confirmed_by_staff_id'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('handovers_open_uq')
      .on(t.routeId, t.kind)
      .where(sql`${t.status} = 'started'`),
    index('handovers_route_idx').on(t.routeId),
  ],
);

export type Handover = typeof handovers.$inferSelect;
