import type { Database } from '../db/client.ts';
import type { Queues } from '../jobs/queues.ts';
import { parseJobPayload } from '../jobs/registry.ts';
import { createNotificationSourceQueries, createNotificationsRepository, type NewNotification } from './notifications.repository.ts';
import type { NotificationChannel, NotificationKind } from './notifications.table.ts';

/** Booking moves a citizen is told about; the first (from nothing to awaiting_payment) is the booking itself. */
export function kindOfEvent(from: string | null, to: string): NotificationKind | null {
  if (from === null) return to === 'awaiting_payment' ? 'booking_confirmed' : null;
  switch (to) {
    case 'paid':
      return 'payment_received';
    case 'planned':
      return 'window_announced';
    case 'out_for_delivery':
    case 'delivered':
    case 'attempt_failed':
    case 'returned_to_office':
      return to;
    default:
      return null;
  }
}

/** These also go by SMS when an SMS gateway is configured: the ones that need the citizen at the door now. */
export const SMS_KINDS: readonly NotificationKind[] = ['out_for_delivery', 'attempt_failed'];

const SOURCE = 'booking_events';
const BATCH = 1_000;
/**
 * An event is settled once it is this old. booking_events ids are taken when a row is inserted
 * but become visible at commit, so a transaction can commit a smaller id after a larger one is
 * visible. The relay therefore re-reads the last GRACE_SECONDS on every run and moves its cursor
 * only past settled events: an event is missed only if its transaction stays open longer than
 * this (booking transactions last milliseconds). Re-reading is harmless: rows are unique per
 * (booking, kind, event, channel).
 */
export const GRACE_SECONDS = 300;
/** Refunds are few; they are matched against their notifications for this long. */
const REFUND_DAYS = 7;
/** A handed-over notification still pending after this is given to the queue again (its job id dedupes). */
const STALE_AFTER_MS = 5 * 60_000;

/**
 * The notification relay, the outbox pattern without touching the code that moves bookings:
 * every booking move already writes a `booking_events` row in its own transaction, and every
 * refund its `refunds` row, so those are the outbox. The relay turns them into `notifications`
 * rows (never lost: the cursor moves only past settled events; never doubled: the unique index)
 * and hands pending rows to the `notifications` queue with the row id as job id, so a second
 * hand-over of a waiting job is a no-op and any number of relays may run. Sending is the job's
 * (notification-sender.ts).
 */
export function createNotificationRelay(deps: { db: Database; queues: Queues; smsEnabled: boolean; clock?: () => Date }) {
  const clock = deps.clock ?? (() => new Date());
  const channelsFor = (kind: NotificationKind, can: { email: boolean; phone: boolean }): NotificationChannel[] => [
    ...(can.email ? (['email'] as const) : []),
    ...(deps.smsEnabled && can.phone && SMS_KINDS.includes(kind) ? (['sms'] as const) : []),
  ];

  async function toRows(found: Array<{ bookingId: string; kind: NotificationKind; eventKey: string }>): Promise<NewNotification[]> {
    const reach = await createNotificationSourceQueries(deps.db).reachability([...new Set(found.map((f) => f.bookingId))]);
    return found.flatMap((f) => {
      const can = reach.get(f.bookingId);
      return can ? channelsFor(f.kind, can).map((channel) => ({ ...f, channel })) : [];
    });
  }

  async function collectBookingEvents(): Promise<number> {
    const repo = createNotificationsRepository(deps.db);
    const sources = createNotificationSourceQueries(deps.db);
    let cursor = await repo.cursor(SOURCE);
    if (!cursor) {
      await repo.initCursor(SOURCE, await sources.maxBookingEventId());
      cursor = await repo.cursor(SOURCE);
      if (!cursor) return 0;
    }
    let lastId = cursor.lastId;
    let created = 0;
    for (;;) {
      const events = await sources.bookingEventsAfter(lastId, BATCH, GRACE_SECONDS);
      const found = events.flatMap((e) => {
        const kind = kindOfEvent(e.from_status, e.to_status);
        return kind ? [{ bookingId: e.booking_id, kind, eventKey: e.id }] : [];
      });
      created += await repo.insertMany(await toRows(found));
      // The cursor passes the settled prefix only; the rest is read again next time.
      const firstUnsettled = events.findIndex((e) => !e.settled);
      const settled = firstUnsettled === -1 ? events : events.slice(0, firstUnsettled);
      const last = settled.at(-1);
      if (last) {
        lastId = Number(last.id);
        await repo.advanceCursor(SOURCE, lastId);
      }
      if (events.length < BATCH || firstUnsettled !== -1) return created;
    }
  }

  async function collectRefunds(): Promise<number> {
    const cursor = await createNotificationsRepository(deps.db).cursor(SOURCE);
    if (!cursor) return 0;
    const refunds = await createNotificationSourceQueries(deps.db).refundsToNotify(cursor.since, REFUND_DAYS, BATCH);
    const rows = await toRows(refunds.map((r) => ({ bookingId: r.booking_id, kind: 'refund_made' as const, eventKey: r.id })));
    return createNotificationsRepository(deps.db).insertMany(rows);
  }

  async function handOver(): Promise<number> {
    const repo = createNotificationsRepository(deps.db);
    const due = await repo.toHandOver(new Date(clock().getTime() - STALE_AFTER_MS), BATCH);
    if (due.length === 0) return 0;
    const queue = deps.queues.queue('notifications');
    await queue.addBulk(
      due.map((n) => ({
        name: 'send-notification',
        data: parseJobPayload('notifications', 'send-notification', { notificationId: n.id }),
        opts: { jobId: n.id },
      })),
    );
    await repo.markHandedOver(due.map((n) => n.id));
    // A stale one whose job ended (its attempts spent, or the mark after them lost) is not
    // resent by a new job: the sender marks it failed when the job's last attempt fails.
    return due.length;
  }

  return {
    async relayPending(): Promise<{ created: number; handedOver: number }> {
      const created = (await collectBookingEvents()) + (await collectRefunds());
      const handedOver = await handOver();
      return { created, handedOver };
    },
  };
}

export type NotificationRelay = ReturnType<typeof createNotificationRelay>;
