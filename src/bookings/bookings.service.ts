import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope, canActForOffice } from '../auth/office-scope.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { kassenzeichenSeq, type VehicleType } from '../offices/offices.table.ts';
import { PaymentProviderError, type PaymentGateway } from '../payments/payment-gateway.ts';
import { createPaymentsRepository } from '../payments/payments.repository.ts';
import { computeRefundCents } from '../payments/refund-policy.ts';
import { findQuote } from '../quotes/quotes.service.ts';
import { createPlanningRepository } from '../planning/planning.repository.ts';
import { createError, isUniqueViolation } from '../shared/errors.ts';
import { generateToken, hashToken, sha256Hex } from '../shared/tokens.ts';
import { CANCELLABLE_STATUSES, canTransition, type BookingStatus } from './booking-status.ts';
import { createBookingsRepository, type Actor } from './bookings.repository.ts';
import type { Booking, Consent, DeliveryWindow, PostalAddress, Recipient } from './bookings.table.ts';
import { formatKassenzeichen } from './kassenzeichen.ts';
import { validateDeliveryWindows } from './delivery-windows.ts';

export interface CreateBookingInput {
  quoteId: string;
  vehicleType: VehicleType;
  applicationNumber: string;
  documentType: Booking['documentType'];
  recipient: Recipient;
  address: PostalAddress;
  preferredWindows: DeliveryWindow[];
  consent: { powerOfAttorney: true; textVersion: string };
}

export interface BookingDeps {
  db: Database;
  gateway: PaymentGateway;
  clock: () => Date;
  paymentExpiryMinutes: number;
  /** Called after commit; a lost call is caught up by the sweep jobs. */
  afterCommit: {
    scheduleExpiry(bookingId: string, deadline: Date): Promise<void>;
    refundOwed(refundId: string): Promise<void>;
  };
}

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export function createBookingsService(deps: BookingDeps) {
  const { db, clock } = deps;

  async function ensurePaymentIntent(booking: Booking) {
    const payments = createPaymentsRepository(db);
    const payment = (await payments.findByBooking(booking.id))!;
    // The key is derived from the booking, so a retry after a crash or timeout gets the same
    // PaymentIntent back from Stripe instead of a second one.
    const intent = await deps.gateway
      .createPaymentIntent({
        amountCents: booking.amountCents,
        currency: booking.currency,
        description: `Zustellung Ausweisdokument ${booking.kassenzeichen}`,
        metadata: { booking_id: booking.id, office_id: booking.officeId, kassenzeichen: booking.kassenzeichen },
        idempotencyKey: `booking:${booking.id}:payment-intent`,
      })
      .catch((err: unknown) => {
        // The booking is committed; the same Idempotency-Key retried later resumes right here.
        if (err instanceof PaymentProviderError) {
          throw createError({
            code: 'payment.provider_unavailable',
            status: 502,
            message: 'The payment provider could not be reached: retry with the same Idempotency-Key',
          });
        }
        throw err;
      });
    if (!payment.paymentIntentId) await payments.attachPaymentIntent(payment.id, intent.id, intent.status);
    return intent;
  }

  return {
    async createBooking(input: CreateBookingInput, ctx: { idempotencyKey: string; staff: StaffPrincipal | null; requestId?: string }) {
      const scope = 'createBooking';
      // Canonical JSON: the same body with its keys in another order is the same request.
      const requestHash = sha256Hex(canonicalJson({ input, staff: ctx.staff?.id ?? null }));
      const now = clock();
      validateDeliveryWindows(input.preferredWindows, now);

      const claimed = await db.transaction(async (tx) => {
        const idem = createIdempotencyRepository(tx);
        const { fresh, record } = await idem.claim({
          scope,
          key: ctx.idempotencyKey,
          requestHash,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        });
        if (!fresh) {
          if (record.requestHash !== requestHash) {
            throw createError({
              code: 'idempotency.key_reused',
              status: 409,
              message: 'This Idempotency-Key was used with a different request',
            });
          }
          return { kind: 'replay' as const, record };
        }
        const quote = await findQuote(tx, input.quoteId);
        if (!quote) throw createError({ code: 'quote.not_found', status: 404, message: 'Quote not found' });
        if (quote.expiresAt <= now)
          throw createError({ code: 'quote.expired', status: 410, message: 'The quote has expired: ask for a new one' });
        const option = quote.options.find((o) => o.vehicleType === input.vehicleType);
        if (!option)
          throw createError({
            code: 'quote.vehicle_not_offered',
            status: 422,
            message: `The quote offers no ${input.vehicleType} delivery`,
          });
        const office = (await createOfficesRepository(tx).findById(quote.officeId))!;
        if (ctx.staff) assertOfficeScope(ctx.staff, office.id, 'Staff can book only for their own office');
        const bookings = createBookingsRepository(tx);
        if (await bookings.findLiveByApplication(office.id, input.applicationNumber)) {
          throw createError({
            code: 'booking.application_already_booked',
            status: 409,
            message: 'This application already has a delivery booking',
          });
        }
        const [{ seq }] = (await queryRows<{ seq: string }>(tx, sql`select nextval(${kassenzeichenSeq.seqName}) as seq`)) as [
          { seq: string },
        ];
        const kassenzeichen = formatKassenzeichen(office.kassenzeichenPrefix, now.getUTCFullYear(), Number(seq));
        const trackingToken = generateToken('ab_track');
        const consent: Consent = { powerOfAttorney: true, textVersion: input.consent.textVersion, consentedAt: now.toISOString() };
        const actor: Actor = ctx.staff ? { type: 'staff', id: ctx.staff.id } : { type: 'citizen' };
        const booking = await bookings
          .insert(
            {
              officeId: office.id,
              quoteId: quote.id,
              applicationNumber: input.applicationNumber,
              documentType: input.documentType,
              recipient: input.recipient,
              address: input.address,
              location: quote.location,
              vehicleType: option.vehicleType,
              zoneId: option.zoneId,
              tariffId: option.tariffId,
              amountCents: option.amountCents,
              currency: option.currency,
              preferredWindows: input.preferredWindows,
              consent,
              status: 'awaiting_payment',
              kassenzeichen,
              trackingTokenHash: hashToken(trackingToken),
              paymentDeadline: new Date(now.getTime() + deps.paymentExpiryMinutes * 60_000),
              createdByStaffId: ctx.staff?.id ?? null,
            },
            actor,
          )
          .catch((e) => {
            throw mapBookingConflict(e);
          });
        await createPaymentsRepository(tx).insert({
          bookingId: booking.id,
          amountCents: booking.amountCents,
          currency: booking.currency,
          kassenzeichen,
        });
        // The token is kept with the idempotency record (24 h) so a retried request can return it.
        await idem.update(scope, ctx.idempotencyKey, { resourceId: booking.id, responseBody: { trackingToken } });
        await recordAudit(tx, {
          actorType: actor.type,
          actorId: actor.id,
          action: 'booking.created',
          subjectType: 'booking',
          subjectId: booking.id,
          officeId: office.id,
          requestId: ctx.requestId,
          details: { amountCents: booking.amountCents, vehicleType: booking.vehicleType },
        });
        return { kind: 'new' as const, booking, trackingToken };
      });

      let booking: Booking;
      let trackingToken: string;
      if (claimed.kind === 'replay') {
        const stored = claimed.record.responseBody as { trackingToken: string; complete?: boolean } | null;
        if (stored?.complete) {
          const { complete: _complete, ...response } = stored;
          return { response: response as unknown as CreateBookingResponse, replayed: true };
        }
        booking = (await createBookingsRepository(db).findById(claimed.record.resourceId!))!;
        trackingToken = stored!.trackingToken;
        // The first attempt failed before its payment started, and the booking has ended since
        // (expired or cancelled): starting a payment now would only charge the citizen for nothing.
        if (booking.status === 'expired' || booking.status === 'cancelled') {
          throw booking.status === 'expired'
            ? createError({ code: 'booking.expired', status: 410, message: 'The payment deadline of this booking has passed: book again' })
            : createError({ code: 'booking.cancelled', status: 409, message: 'This booking was cancelled: book again' });
        }
      } else {
        ({ booking, trackingToken } = claimed);
        await deps.afterCommit.scheduleExpiry(booking.id, booking.paymentDeadline);
      }

      const intent = await ensurePaymentIntent(booking);
      const response: CreateBookingResponse = {
        booking: toCitizenView(booking),
        payment: { provider: 'stripe', paymentIntentId: intent.id, clientSecret: intent.clientSecret, sandbox: deps.gateway.sandbox },
        trackingToken,
      };
      await createIdempotencyRepository(db).update(scope, ctx.idempotencyKey, {
        responseStatus: 201,
        responseBody: { ...response, complete: true },
      });
      return { response, replayed: claimed.kind === 'replay' };
    },

    async getBooking(id: string, staff: StaffPrincipal, requestId?: string) {
      const booking = await findVisible(db, id, staff);
      const [events, payment, refunds] = await Promise.all([
        createBookingsRepository(db).events(id),
        createPaymentsRepository(db).findByBooking(id),
        createPaymentsRepository(db).refundsOfBooking(id),
      ]);
      // Every look at personal data by staff is auditable.
      await recordAudit(db, {
        actorType: 'staff',
        actorId: staff.id,
        action: 'booking.viewed',
        subjectType: 'booking',
        subjectId: id,
        officeId: booking.officeId,
        requestId,
      });
      return { booking, events, payment: payment ?? null, refunds };
    },

    async listBookings(
      filter: {
        officeId?: string;
        statuses?: BookingStatus[];
        applicationNumber?: string;
        kassenzeichen?: string;
        createdFrom?: Date;
        createdTo?: Date;
        cursor?: string;
        limit: number;
      },
      staff: StaffPrincipal,
    ) {
      if (filter.officeId) assertOfficeScope(staff, filter.officeId, 'Staff see only their own office');
      const rows = await createBookingsRepository(db).list({
        ...filter,
        officeId: staff.officeId ?? filter.officeId,
        cursor: filter.cursor ? decodeCursor(filter.cursor) : undefined,
        limit: filter.limit + 1,
      });
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return { data: page, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
    },

    async trackBooking(trackingToken: string) {
      const booking = await createBookingsRepository(db).findByTrackingTokenHash(hashToken(trackingToken));
      if (!booking) throw createError({ code: 'tracking.not_found', status: 404, message: 'No booking for this tracking token' });
      return { booking, window: await trackingWindow(db, booking) };
    },

    async cancelBooking(
      id: string,
      ctx: { staff: StaffPrincipal | null; trackingToken: string | null; reason?: string; requestId?: string },
    ) {
      const result = await db.transaction(async (tx) => {
        const bookings = createBookingsRepository(tx);
        const booking = await bookings.findById(id, { forUpdate: true });
        if (!booking || !isAllowed(booking, ctx))
          throw createError({ code: 'booking.not_found', status: 404, message: 'Booking not found' });
        if (booking.status === 'cancelled') return { booking, refund: null, alreadyCancelled: true, paymentIntentToCancel: null };
        if (!CANCELLABLE_STATUSES.includes(booking.status)) {
          throw createError({
            code: 'booking.not_cancellable',
            status: 409,
            message: `A booking in status ${booking.status} can no longer be cancelled`,
          });
        }
        const actor: Actor = ctx.staff ? { type: 'staff', id: ctx.staff.id } : { type: 'citizen' };
        const updated = await bookings.transition(booking, 'cancelled', actor, ctx.reason ?? 'cancelled');
        const payments = createPaymentsRepository(tx);
        const payment = await payments.findByBooking(id, { forUpdate: true });
        let refund = null;
        if (payment && payment.status === 'succeeded') {
          const office = (await createOfficesRepository(tx).findById(booking.officeId))!;
          const owed = await refundsOwedSoFar(payments, id);
          const amount = computeRefundCents({
            policy: office.refundPolicy,
            feeCents: office.cancellationFeeCents,
            paidCents: payment.amountCents,
            alreadyRefundedCents: Math.max(payment.amountRefundedCents, owed),
            statusAtCancellation: booking.status,
          });
          if (amount > 0)
            refund = await payments.insertRefund({ paymentId: payment.id, bookingId: id, amountCents: amount, reason: 'cancelled' });
        }
        await recordAudit(tx, {
          actorType: actor.type,
          actorId: actor.id,
          action: 'booking.cancelled',
          subjectType: 'booking',
          subjectId: id,
          officeId: booking.officeId,
          requestId: ctx.requestId,
          details: { from: booking.status, refundCents: refund?.amountCents ?? 0 },
        });
        const paymentIntentToCancel = payment && payment.status !== 'succeeded' && payment.paymentIntentId ? payment.paymentIntentId : null;
        return { booking: updated, refund, alreadyCancelled: false, paymentIntentToCancel };
      });
      if (result.refund) await deps.afterCommit.refundOwed(result.refund.id);
      if (result.paymentIntentToCancel) {
        // Best effort: if the citizen pays in this very moment, the succeeded event finds the
        // booking cancelled and the money is refunded (see payment-events.service).
        await deps.gateway
          .cancelPaymentIntent(result.paymentIntentToCancel, { idempotencyKey: `booking:${id}:cancel`, reason: 'requested_by_customer' })
          .catch(() => undefined);
      }
      return result;
    },

    async recordDocumentArrival(input: { officeId: string; applicationNumber: string }, staff: StaffPrincipal, requestId?: string) {
      assertOfficeScope(staff, input.officeId, 'Staff record arrivals only for their own office');
      return db.transaction(async (tx) => {
        const bookings = createBookingsRepository(tx);
        const booking = await bookings.findLiveByApplication(input.officeId, input.applicationNumber, { forUpdate: true });
        if (!booking) {
          throw createError({
            code: 'booking.application_unknown',
            status: 404,
            message: 'No delivery booking for this application number at this office',
          });
        }
        if (booking.status === 'awaiting_payment') {
          throw createError({
            code: 'booking.not_paid',
            status: 409,
            message: 'The delivery surcharge is not paid yet: keep the document for pickup or wait for payment',
          });
        }
        // Scanning the same document again is harmless: it must not take a planned booking out of
        // its plan (planned → document_ready is a plan being discarded, not a scan).
        if (ALREADY_ARRIVED.includes(booking.status)) return { booking, alreadyRecorded: true };
        if (booking.status !== 'paid' || !canTransition(booking.status, 'document_ready')) {
          throw createError({
            code: 'booking.wrong_status',
            status: 409,
            message: `The booking is ${booking.status}; a document arrival does not apply`,
          });
        }
        const updated = await bookings.transition(booking, 'document_ready', { type: 'staff', id: staff.id }, 'document_scanned');
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'document.arrived',
          subjectType: 'booking',
          subjectId: booking.id,
          officeId: booking.officeId,
          requestId,
        });
        return { booking: updated, alreadyRecorded: false };
      });
    },
  };
}

export interface CreateBookingResponse {
  booking: ReturnType<typeof toCitizenView>;
  payment: { provider: 'stripe'; paymentIntentId: string; clientSecret: string; sandbox: boolean };
  trackingToken: string;
}

const PLANNED_STATUSES: readonly BookingStatus[] = ['planned', 'handed_over', 'out_for_delivery'];
const ALREADY_ARRIVED: readonly BookingStatus[] = ['document_ready', ...PLANNED_STATUSES, 'attempt_failed'];

/**
 * The window the citizen sees: once a confirmed plan announced one, that; before, the earliest
 * preferred window they chose.
 */
async function trackingWindow(db: Database, booking: Booking): Promise<DeliveryWindow | null> {
  if (PLANNED_STATUSES.includes(booking.status)) {
    const announced = await createPlanningRepository(db).announcedWindowOf(booking.id);
    if (announced) return { start: announced.start.toISOString(), end: announced.end.toISOString() };
  }
  const sorted = [...booking.preferredWindows].sort((a, b) => a.start.localeCompare(b.start));
  return sorted[0] ?? null;
}

/** What a citizen sees of their booking: no events, no staff ids. */
export function toCitizenView(b: Booking) {
  return {
    id: b.id,
    officeId: b.officeId,
    status: b.status,
    applicationNumber: b.applicationNumber,
    documentType: b.documentType,
    vehicleType: b.vehicleType,
    amountCents: b.amountCents,
    currency: 'EUR' as const,
    kassenzeichen: b.kassenzeichen,
    preferredWindows: b.preferredWindows,
    paymentDeadline: b.paymentDeadline.toISOString(),
    createdAt: b.createdAt.toISOString(),
  };
}

function isAllowed(booking: Booking, ctx: { staff: StaffPrincipal | null; trackingToken: string | null }) {
  if (ctx.staff) return canActForOffice(ctx.staff, booking.officeId);
  return ctx.trackingToken !== null && hashToken(ctx.trackingToken) === booking.trackingTokenHash;
}

async function findVisible(db: Database, id: string, staff: StaffPrincipal) {
  const booking = await createBookingsRepository(db).findById(id);
  // Another office's booking answers like a missing one: staff learn nothing about it.
  if (!booking || !canActForOffice(staff, booking.officeId)) {
    throw createError({ code: 'booking.not_found', status: 404, message: 'Booking not found' });
  }
  return booking;
}

async function refundsOwedSoFar(payments: ReturnType<typeof createPaymentsRepository>, bookingId: string) {
  const rows = await payments.refundsOfBooking(bookingId);
  return rows.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amountCents, 0);
}

function mapBookingConflict(e: unknown) {
  if (isUniqueViolation(e)) {
    return createError({
      code: 'booking.application_already_booked',
      status: 409,
      message: 'This application already has a delivery booking',
    });
  }
  return e;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function encodeCursor(b: Booking) {
  return Buffer.from(JSON.stringify([b.createdAt.toISOString(), b.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad');
    return { createdAt: date, id };
  } catch {
    throw createError({ code: 'request.invalid_cursor', status: 400, message: 'The cursor is not one this API returned' });
  }
}
