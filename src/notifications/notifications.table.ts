import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { bookings } from '../bookings/bookings.table.ts';

export const NOTIFICATION_KINDS = [
  'booking_confirmed',
  'payment_received',
  'window_announced',
  'out_for_delivery',
  'delivered',
  'attempt_failed',
  'returned_to_office',
  'refund_made',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notificationKindEnum = pgEnum('notification_kind', NOTIFICATION_KINDS);
export const notificationChannelEnum = pgEnum('notification_channel', ['email', 'sms']);
export const notificationStatusEnum = pgEnum('notification_status', ['pending', 'sent', 'skipped', 'failed']);
export type NotificationChannel = (typeof notificationChannelEnum.enumValues)[number];

/**
 * One message owed to a citizen for one event of their booking on one channel. The row holds no
 * address, name or text: those are read from the booking when the message is sent, so the
 * booking's anonymisation (housekeeping) is also this row's, and nothing here outlives it.
 * The unique (booking, kind, event key, channel) is what makes a notification happen once.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    kind: notificationKindEnum('kind').notNull(),
    channel: notificationChannelEnum('channel').notNull(),
    /** What caused it: the booking_events id, or the refund id for `refund_made`. */
    eventKey: varchar('event_key', { length: 64 }).notNull(),
    status: notificationStatusEnum('status').notNull().default('pending'),
    /** Why it was skipped or why the last attempt failed: a code, never a recipient or a server's reply. */
    detail: varchar('detail', { length: 100 }),
    attempts: integer('attempts').notNull().default(0),
    /** One sender at a time: set before the send, cleared after; an expired lease is a crashed sender. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    handedOverAt: timestamp('handed_over_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notifications_event_uq').on(t.bookingId, t.kind, t.eventKey, t.channel),
    index('notifications_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** How far the relay has read a source (booking_events by id); `since` bounds the refunds it looks at. */
export const notificationCursors = pgTable('notification_cursors', {
  source: varchar('source', { length: 40 }).primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull(),
  since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Notification = typeof notifications.$inferSelect;
