import { needsPinLetter } from './pin-letter.ts';
import { required } from '../shared/required.ts';
import { Type } from '@sinclair/typebox';
import { access, staffOf } from '../plugins/access.plugin.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import { toBookingSummary, toCitizenView, type createBookingsService } from './bookings.service.ts';
import type { BookingHoldsService } from './booking-holds.service.ts';
import {
  toDiscrepancyView,
  toDisputeView,
  toHoldView,
  toPaymentSummary,
  toRefundDecisionView,
  toRefundView,
} from '../payments/payment-views.ts';
import {
  BookingListSchema,
  CancelBookingBody,
  CancelBookingResponse,
  CreateBookingBody,
  CreateBookingResponseSchema,
  DocumentArrivalBody,
  DocumentArrivalResponse,
  HoldParams,
  ResolveHoldBody,
  ResolveHoldResponse,
  IdempotencyHeaders,
  ListBookingsQuery,
  StaffBookingSchema,
  TrackingHeaders,
  TrackingSchema,
  PinLetterConfirmedSchema,
  RescheduleBody,
  RescheduledSchema,
} from './bookings.schemas.ts';

type BookingsService = ReturnType<typeof createBookingsService>;

export async function bookingsRoutes(app: App, opts: { bookings: BookingsService; holds: BookingHoldsService }) {
  const svc = opts.bookings;

  app.post(
    '/v1/bookings',
    {
      // A staff token books at the counter: only the roles that serve citizens at the desk.
      config: { access: access.public({ staffRoles: ['clerk', 'supervisor'] }), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'createBooking',
        tags: ['bookings'],
        summary: 'Book delivery from a quote and start the payment',
        description:
          "Creates the booking and a Stripe PaymentIntent for the surcharge, or, with `payment: { flow: 'checkout', successUrl, cancelUrl }`, a Stripe Checkout Session: redirect the citizen (303) to `payment.checkoutUrl`, Stripe's hosted page with the Kassenzeichen on it. Only a verified Stripe event marks it paid. Requires an Idempotency-Key: the same key and body return the same booking; the same key with another body is a 409. Staff booking at the counter (clerks, supervisors) send their bearer token. The address must be the one the quote was made for, and every preferred window must lie within the office's delivery hours (see the quote's deliverySlots).",
        headers: IdempotencyHeaders,
        body: CreateBookingBody,
        response: { 201: CreateBookingResponseSchema, ...errorResponses(400, 401, 403, 404, 409, 410, 422, 502) },
      },
    },
    async (request, reply) => {
      const { response, replayed } = await svc.createBooking(request.body, {
        idempotencyKey: request.headers['idempotency-key'],
        staff: request.staff,
        requestId: String(request.id),
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(response);
    },
  );

  app.get(
    '/v1/bookings',
    {
      config: { access: access.staff('clerk', 'supervisor', 'finance') },
      schema: {
        operationId: 'listBookings',
        tags: ['bookings'],
        summary: 'List bookings with their payment state and open holds (newest first, cursor pagination; no contact data)',
        querystring: ListBookingsQuery,
        response: { 200: BookingListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listBookings(
        {
          officeId: q.officeId,
          statuses: q.status,
          applicationNumber: q.applicationNumber,
          kassenzeichen: q.kassenzeichen,
          createdFrom: q.createdFrom ? new Date(q.createdFrom) : undefined,
          createdTo: q.createdTo ? new Date(q.createdTo) : undefined,
          cursor: q.cursor,
          limit: q.limit,
        },
        staffOf(request),
      );
      return {
        data: page.data.map((b) => ({
          // The citizen's fields without the windows and deadline, plus what staff scan for.
          ...toBookingSummary(b),
          postalCode: b.postalCode,
          updatedAt: b.updatedAt.toISOString(),
          payment: b.payment,
          openHolds: b.openHolds,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/bookings/:id',
    {
      config: { access: access.staff('clerk', 'supervisor') },
      schema: {
        operationId: 'getBooking',
        tags: ['bookings'],
        summary: 'One booking with its history and payment (access is audited)',
        params: IdParams,
        response: { 200: StaffBookingSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { booking, events, payment, refunds, holds, disputes, discrepancies, refundDecision } = await svc.getBooking(
        request.params.id,
        staffOf(request),
        String(request.id),
      );
      return {
        ...toCitizenView(booking),
        currency: 'EUR' as const,
        recipient: booking.recipient,
        address: booking.address,
        location: booking.location,
        deliveryAttempts: booking.deliveryAttempts,
        createdByStaffId: booking.createdByStaffId,
        updatedAt: booking.updatedAt.toISOString(),
        events: events.map((e) => ({
          fromStatus: e.fromStatus,
          toStatus: e.toStatus,
          actorType: e.actorType,
          actorId: e.actorId,
          reason: e.reason,
          occurredAt: e.occurredAt.toISOString(),
        })),
        payment: payment && toPaymentSummary(payment),
        refunds: refunds.map(toRefundView),
        refundDecision: refundDecision && toRefundDecisionView(refundDecision),
        holds: holds.map(toHoldView),
        disputes: disputes.map(toDisputeView),
        discrepancies: discrepancies.map(toDiscrepancyView),
      };
    },
  );

  app.get(
    '/v1/tracking',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'trackBooking',
        tags: ['tracking'],
        summary: "The citizen's view: status, delivery window and what is still to do (pay by when, how much)",
        description:
          'The tracking token travels in the Tracking-Token header, never in the URL, so it does not end up in logs or browser history.',
        headers: TrackingHeaders,
        response: { 200: TrackingSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { booking, window, nextSteps, history } = await svc.trackBooking(request.headers['tracking-token']);
      return {
        status: booking.status,
        amountCents: booking.amountCents,
        currency: 'EUR' as const,
        nextSteps: nextSteps.map((step) => (step.code === 'be_at_home' ? { ...step, window } : step)),
        window,
        pinLetter: {
          required: needsPinLetter(booking.documentType),
          confirmedAt: booking.pinLetterConfirmedAt?.toISOString() ?? null,
        },
        deliveryAttempts: booking.deliveryAttempts,
        history: history.map((h) => ({ status: h.status, at: h.at.toISOString() })),
        updatedAt: booking.updatedAt.toISOString(),
      };
    },
  );

  app.post(
    '/v1/tracking/pin-letter',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'confirmPinLetter',
        tags: ['tracking'],
        summary: 'The citizen confirms that the PIN letter of their ID card arrived; dispatch waits for it',
        description:
          'ID cards and eID cards only (§ 13 PAuswG: card and PIN letter never travel together). Idempotent. The tracking token travels in the Tracking-Token header.',
        headers: TrackingHeaders,
        response: { 200: PinLetterConfirmedSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => {
      const { booking, alreadyConfirmed } = await svc.confirmPinLetter(request.headers['tracking-token']);
      return { pinLetterConfirmedAt: required(booking.pinLetterConfirmedAt, 'confirmed').toISOString(), alreadyConfirmed };
    },
  );

  app.post(
    '/v1/tracking/reschedule',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'rescheduleBooking',
        tags: ['tracking'],
        summary: 'The citizen chooses other delivery days, before the booking is on a confirmed route',
        description:
          'Replaces the preferred windows while the booking is awaiting_payment, paid, document_ready or attempt_failed (before the next plan is confirmed); on a confirmed route it is a 409 `booking.not_reschedulable`. The windows are checked as at booking: 1–5, each within a span of a day the office delivers (422 `booking.invalid_windows`). The same windows again change nothing (`changed: false`). The tracking token travels in the Tracking-Token header.',
        headers: TrackingHeaders,
        body: RescheduleBody,
        response: { 200: RescheduledSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => {
      const { booking, changed } = await svc.rescheduleBooking(request.headers['tracking-token'], request.body.preferredWindows, {
        requestId: String(request.id),
      });
      return { status: booking.status, preferredWindows: booking.preferredWindows, changed, updatedAt: booking.updatedAt.toISOString() };
    },
  );

  app.post(
    '/v1/bookings/:id/cancel',
    {
      config: { access: access.staffOrTrackingToken('clerk', 'supervisor'), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'cancelBooking',
        tags: ['bookings'],
        summary: "Cancel before handover; a paid surcharge is refunded per the office's policy",
        params: IdParams,
        body: Type.Optional(CancelBookingBody),
        response: { 200: CancelBookingResponse, ...errorResponses(400, 404, 409) },
      },
      // The reason is optional, and so is the body that carries it: Fastify validates a missing body
      // as null ("body must be object"), so a citizen's plain POST without one would be a 400.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const result = await svc.cancelBooking(request.params.id, {
        staff: request.staff,
        trackingToken: request.trackingToken,
        reason: request.body?.reason,
        requestId: String(request.id),
      });
      return {
        booking: toCitizenView(result.booking),
        refund: result.refund && { id: result.refund.id, amountCents: result.refund.amountCents, status: result.refund.status },
      };
    },
  );

  app.post(
    '/v1/bookings/:id/holds/:holdId/resolve',
    {
      config: { access: access.staff('finance') },
      schema: {
        operationId: 'resolveBookingHold',
        tags: ['finance'],
        summary: 'Decide on a held booking: continue (accept the payment) or cancel (refund what is owed)',
        description:
          'A booking is held when its payment does not match it, its money was refunded at Stripe, or its payment is disputed. The decision resolves the discrepancies that placed the hold, with the comment.',
        params: HoldParams,
        body: ResolveHoldBody,
        response: { 200: ResolveHoldResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const result = await opts.holds.resolveHold(
        request.params.id,
        request.params.holdId,
        request.body,
        staffOf(request),
        String(request.id),
      );
      return {
        booking: toCitizenView(result.booking),
        hold: toHoldView(result.hold),
        refund: result.refund && { id: result.refund.id, amountCents: result.refund.amountCents, status: result.refund.status },
      };
    },
  );

  app.post(
    '/v1/document-arrivals',
    {
      config: { access: access.staff('clerk', 'supervisor') },
      schema: {
        operationId: 'recordDocumentArrival',
        tags: ['bookings'],
        summary: 'Scan a document in from Bundesdruckerei: its paid booking becomes document_ready',
        body: DocumentArrivalBody,
        response: { 200: DocumentArrivalResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { booking, alreadyRecorded } = await svc.recordDocumentArrival(request.body, staffOf(request), String(request.id));
      return { bookingId: booking.id, status: booking.status, alreadyRecorded };
    },
  );
}
