import type { Database } from '../db/client.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import type { Booking } from '../bookings/bookings.table.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { createPaymentsRepository } from '../payments/payments.repository.ts';
import { createPlanningRepository } from '../planning/planning.repository.ts';
import { messageIdFor, type Mailer } from './mailer.ts';
import { renderMail, renderSms, type MessageData } from './message-templates.ts';
import { createNotificationsRepository } from './notifications.repository.ts';
import type { Notification } from './notifications.table.ts';
import type { SmsSender } from './sms-sender.ts';
import { trackingLink } from './tracking-link.ts';

/** Longer than any send takes (SMTP timeouts are 10 s + 30 s): an expired lease means the sender died. */
export const LEASE_MS = 2 * 60_000;

/** Another sender holds this notification's lease: try again later. */
export class NotificationBusyError extends Error {
  constructor() {
    super('notification is being sent by another worker');
    this.name = 'NotificationBusyError';
  }
}

export type SendOutcome = 'sent' | 'skipped' | 'done_before';

/**
 * Sends one notification, at most once as far as the database can know: the lease is taken (and
 * committed) before the send and the row marked sent right after it. Only a crash between the
 * two (a few milliseconds) makes the retry send it again, with the same Message-ID
 * (`<notification id@domain>`) or SMS reference, so a receiver can drop the copy. Sending never
 * happens inside a transaction. The address is read from the booking at that moment and goes
 * nowhere but to the transport: not into the row, the job, an error or the log.
 */
export function createNotificationSender(deps: {
  db: Database;
  mailer: Mailer;
  sms: SmsSender | null;
  from: string;
  publicBaseUrl: string;
  clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  const { db } = deps;

  /** The token exists only in the booking request's idempotency record (24 h); later, the link without it. */
  async function trackingTokenOf(booking: Booking): Promise<string | null> {
    const stored = await createIdempotencyRepository(db).responseOfResource('createBooking', booking.id, clock());
    const token = (stored as { trackingToken?: unknown } | undefined)?.trackingToken;
    return typeof token === 'string' ? token : null;
  }

  async function messageData(n: Notification, booking: Booking): Promise<MessageData> {
    const [office, window, refunds, token] = await Promise.all([
      createOfficesRepository(db).findById(booking.officeId),
      n.kind === 'window_announced' || n.kind === 'out_for_delivery'
        ? createPlanningRepository(db).announcedWindowOf(booking.id)
        : undefined,
      n.kind === 'refund_made' ? createPaymentsRepository(db).refundsOfBooking(booking.id) : [],
      // Only the confirmation carries the token: one mail with it is enough, and a later
      // message that is forwarded or printed then does not hand over control of the booking.
      n.kind === 'booking_confirmed' ? trackingTokenOf(booking) : null,
    ]);
    const refund = refunds.find((r) => r.id === n.eventKey);
    return {
      kassenzeichen: booking.kassenzeichen,
      officeName: office?.name ?? 'Bürgerbüro',
      officeTimezone: office?.timezone ?? 'Europe/Berlin',
      trackingUrl: trackingLink(deps.publicBaseUrl, token),
      window: window ?? null,
      refund: refund ? { amountCents: refund.amountCents, currency: booking.currency } : null,
    };
  }

  async function deliver(n: Notification): Promise<SendOutcome> {
    const repo = createNotificationsRepository(db);
    const booking = await createBookingsRepository(db).findById(n.bookingId);
    if (!booking || booking.anonymisedAt) {
      await repo.finish(n.id, 'skipped', 'anonymised');
      return 'skipped';
    }
    const address = n.channel === 'email' ? booking.recipient.email : booking.recipient.phone;
    if (!address || address === '-') {
      await repo.finish(n.id, 'skipped', 'no_address');
      return 'skipped';
    }
    if (n.channel === 'sms' && !deps.sms) {
      await repo.finish(n.id, 'skipped', 'sms_not_configured');
      return 'skipped';
    }
    const data = await messageData(n, booking);
    if (n.channel === 'email') {
      const mail = renderMail(n.kind, booking.locale, data);
      await deps.mailer.send({ id: n.id, to: address, ...mail, messageId: messageIdFor(n.id, deps.from), locale: booking.locale });
    } else {
      await deps.sms?.send({ to: address, text: renderSms(n.kind, booking.locale, data), reference: n.id });
    }
    await repo.finish(n.id, 'sent', null);
    return 'sent';
  }

  return {
    async send(notificationId: string): Promise<SendOutcome> {
      const repo = createNotificationsRepository(db);
      const n = await repo.claim(notificationId, LEASE_MS);
      if (!n) {
        const current = await repo.findById(notificationId);
        if (!current || current.status !== 'pending') return 'done_before';
        throw new NotificationBusyError();
      }
      try {
        return await deliver(n);
      } catch (err) {
        // Any failure after the claim gives the lease back at once, so the retry need not wait for it.
        await repo.release(n.id, String((err as { code?: unknown }).code ?? 'send_failed').slice(0, 100));
        throw err;
      }
    },

    /** The job's last attempt failed: the row says so (and keeps the last error code). */
    async giveUp(notificationId: string) {
      const current = await createNotificationsRepository(db).findById(notificationId);
      if (current?.status === 'pending') await createNotificationsRepository(db).finish(notificationId, 'failed', current.detail);
    },
  };
}

export type NotificationSender = ReturnType<typeof createNotificationSender>;
