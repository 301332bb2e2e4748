import { and, asc, eq } from 'drizzle-orm';
import { auditLog } from '../audit/audit.table.ts';
import { bookingEvents, type Booking } from '../bookings/bookings.table.ts';
import { custodyLog } from '../custody/custody.table.ts';
import type { DbOrTx } from '../db/client.ts';
import { deliveryAttempts, identityChecks } from '../dispatch/dispatch.table.ts';
import { notifications } from '../notifications/notifications.table.ts';
import { payments, refunds } from '../payments/payments.table.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Everything the platform holds about a booking's recipient (GDPR Art. 15): the booking with the
 * contact data and address, its history, payment and refunds, delivery attempts, identity checks
 * (with the position taken at the door), notifications sent, the custody chain and the audit
 * entries about it. Plain data, no ids of staff beyond what the audit names; one read per source.
 */
export async function personalDataOf(db: DbOrTx, booking: Booking) {
  const id = booking.id;
  const [events, payment, refundRows, attempts, checks, sent, custody, audit] = await Promise.all([
    db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, id)).orderBy(asc(bookingEvents.occurredAt)),
    db.select().from(payments).where(eq(payments.bookingId, id)),
    db.select().from(refunds).where(eq(refunds.bookingId, id)),
    db.select().from(deliveryAttempts).where(eq(deliveryAttempts.bookingId, id)).orderBy(asc(deliveryAttempts.attempt)),
    db.select().from(identityChecks).where(eq(identityChecks.bookingId, id)).orderBy(asc(identityChecks.checkedAt)),
    db.select().from(notifications).where(eq(notifications.bookingId, id)).orderBy(asc(notifications.createdAt)),
    db.select().from(custodyLog).where(eq(custodyLog.bookingId, id)).orderBy(asc(custodyLog.seq)),
    db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectType, 'booking'), eq(auditLog.subjectId, id)))
      .orderBy(asc(auditLog.id)),
  ]);
  return {
    booking: {
      id: booking.id,
      status: booking.status,
      applicationNumber: booking.applicationNumber,
      documentType: booking.documentType,
      recipient: booking.recipient,
      address: booking.address,
      location: booking.location,
      preferredWindows: booking.preferredWindows,
      consent: booking.consent,
      locale: booking.locale,
      vehicleType: booking.vehicleType,
      amountCents: booking.amountCents,
      kassenzeichen: booking.kassenzeichen,
      pinLetterConfirmedAt: iso(booking.pinLetterConfirmedAt),
      custodyHolder: booking.custodyHolder,
      createdAt: booking.createdAt.toISOString(),
    },
    events: events.map((e) => ({ from: e.fromStatus, to: e.toStatus, by: e.actorType, reason: e.reason, at: e.occurredAt.toISOString() })),
    payments: payment.map((p) => ({ status: p.status, amountCents: p.amountCents, currency: p.currency, kassenzeichen: p.kassenzeichen })),
    refunds: refundRows.map((r) => ({ amountCents: r.amountCents, status: r.status, reason: r.reason, at: r.createdAt.toISOString() })),
    deliveryAttempts: attempts.map((a) => ({ attempt: a.attempt, outcome: a.outcome, reason: a.reason, at: a.occurredAt.toISOString() })),
    identityChecks: checks.map((c) => ({
      attempt: c.attempt,
      methods: c.methods,
      result: c.reportedResult,
      passed: c.passed,
      checkedAt: c.checkedAt.toISOString(),
      position: { lng: c.lng, lat: c.lat, accuracyMetres: c.accuracyMetres },
      oldDocumentCollected: c.oldDocumentCollected,
      recipientConfirmed: c.recipientConfirmed,
    })),
    notifications: sent.map((n) => ({ kind: n.kind, channel: n.channel, status: n.status, sentAt: iso(n.sentAt) })),
    custody: custody.map((c) => ({ seq: c.seq, from: c.fromHolder, to: c.toHolder, event: c.event, at: c.recordedAt.toISOString() })),
    audit: audit.map((a) => ({ action: a.action, by: a.actorType, at: a.occurredAt.toISOString() })),
  };
}

export type PersonalDataExport = Awaited<ReturnType<typeof personalDataOf>>;
