import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../db/client.ts';
import {
  notificationCursors,
  notifications,
  type Notification,
  type NotificationChannel,
  type NotificationKind,
} from './notifications.table.ts';

export interface NewNotification {
  bookingId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  eventKey: string;
}

export function createNotificationsRepository(db: DbOrTx) {
  return {
    async cursor(source: string): Promise<{ lastId: number; since: Date } | undefined> {
      const [row] = await db.select().from(notificationCursors).where(eq(notificationCursors.source, source));
      return row;
    },
    /** The first run of a new installation starts from the present (no mails for old events); a racing run keeps the first. */
    async initCursor(source: string, lastId: number) {
      await db.insert(notificationCursors).values({ source, lastId }).onConflictDoNothing();
    },
    /** Only forward: a slower relay that read an older batch cannot move it back. */
    async advanceCursor(source: string, lastId: number) {
      await db
        .update(notificationCursors)
        .set({ lastId: sql`greatest(${notificationCursors.lastId}, ${lastId})`, updatedAt: sql`now()` })
        .where(eq(notificationCursors.source, source));
    },

    /** Any number of relays may insert the same ones: the unique index keeps one. */
    async insertMany(rows: NewNotification[]): Promise<number> {
      if (rows.length === 0) return 0;
      const inserted = await db.insert(notifications).values(rows).onConflictDoNothing().returning({ id: notifications.id });
      return inserted.length;
    },

    /** Pending and not handed to the queue yet, or handed over before `staleBefore` (its job may be lost). */
    toHandOver: (staleBefore: Date, limit: number) =>
      db
        .select({ id: notifications.id, handedOverAt: notifications.handedOverAt })
        .from(notifications)
        .where(
          and(eq(notifications.status, 'pending'), or(isNull(notifications.handedOverAt), lt(notifications.handedOverAt, staleBefore))),
        )
        .orderBy(notifications.createdAt)
        .limit(limit),
    async markHandedOver(ids: string[]) {
      if (ids.length === 0) return;
      await db
        .update(notifications)
        .set({ handedOverAt: sql`now()` })
        .where(inArray(notifications.id, ids));
    },

    findById: async (id: string): Promise<Notification | undefined> =>
      (await db.select().from(notifications).where(eq(notifications.id, id)))[0],

    /**
     * Takes the lease of a pending notification (one sender at a time, also across processes) and
     * counts the attempt. Undefined: not pending any more, or another sender holds a live lease.
     */
    async claim(id: string, leaseMs: number): Promise<Notification | undefined> {
      const [row] = await db
        .update(notifications)
        .set({
          leaseUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
          attempts: sql`${notifications.attempts} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(notifications.id, id),
            eq(notifications.status, 'pending'),
            or(isNull(notifications.leaseUntil), lt(notifications.leaseUntil, sql`now()`)),
          ),
        )
        .returning();
      return row;
    },
    async finish(id: string, status: 'sent' | 'skipped' | 'failed', detail: string | null) {
      await db
        .update(notifications)
        .set({ status, detail, leaseUntil: null, sentAt: status === 'sent' ? sql`now()` : null, updatedAt: sql`now()` })
        .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
    },
    /** A failed attempt: the lease goes at once so the retry need not wait for it. */
    async release(id: string, detail: string) {
      await db
        .update(notifications)
        .set({ detail, leaseUntil: null, updatedAt: sql`now()` })
        .where(eq(notifications.id, id));
    },

    ofBooking: (bookingId: string) =>
      db.select().from(notifications).where(eq(notifications.bookingId, bookingId)).orderBy(notifications.createdAt),
  };
}

/**
 * The relay's reads of other domains' tables (booking events, refunds, which contact a booking
 * has), kept beside the relay like housekeeping's retention queries: read-only, no personal data
 * leaves the database (only whether an e-mail address or a phone number is there).
 */
export function createNotificationSourceQueries(db: DbOrTx) {
  return {
    maxBookingEventId: async () =>
      Number((await queryRows<{ max: string | null }>(db, sql`select max(id)::text as max from booking_events`))[0]?.max ?? 0),

    /** Events after the cursor, in id order, each marked settled when older than `graceSeconds` (see the relay). */
    bookingEventsAfter: (lastId: number, limit: number, graceSeconds: number) =>
      queryRows<{ id: string; booking_id: string; from_status: string | null; to_status: string; settled: boolean }>(
        db,
        sql`select id::text, booking_id, from_status, to_status, occurred_at < now() - ${`${graceSeconds} seconds`}::interval as settled
            from booking_events where id > ${lastId} order by id limit ${limit}`,
      ),

    /** Succeeded refunds since `since` (and at most `days` back) without their notification yet. */
    refundsToNotify: (since: Date, days: number, limit: number) =>
      queryRows<{ id: string; booking_id: string }>(
        db,
        sql`select r.id, r.booking_id from refunds r
            where r.status = 'succeeded' and r.updated_at >= ${since.toISOString()}::timestamptz and r.updated_at > now() - ${`${days} days`}::interval
              and not exists (select 1 from notifications n
                              where n.booking_id = r.booking_id and n.kind = 'refund_made' and n.event_key = r.id::text)
            limit ${limit}`,
      ),

    /** Whether each booking can be reached, without reading the address itself. */
    reachability: async (bookingIds: string[]) => {
      if (bookingIds.length === 0) return new Map<string, { email: boolean; phone: boolean }>();
      const rows = await queryRows<{ id: string; email: boolean; phone: boolean }>(
        db,
        sql`select id, (recipient ? 'email') as email, coalesce(recipient->>'phone', '-') <> '-' as phone
            from bookings where id in ${bookingIds} and anonymised_at is null`,
      );
      return new Map(rows.map((r) => [r.id, { email: r.email, phone: r.phone }]));
    },
  };
}
