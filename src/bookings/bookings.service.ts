import { eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { inOneRoundTrip, queryRows, type Database } from '../db/client.ts';
import { appendCustody } from '../custody/custody.repository.ts';
import { lockRouteOfBooking } from '../dispatch/dispatch-tx.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope, canActForOffice } from '../auth/office-scope.ts';
import { createIdempotencyKeyReusedError } from '../idempotency/idempotency.errors.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { BOOKING_HORIZON_DAYS, deliveryCalendarOf } from '../offices/delivery-calendar.service.ts';
import { createOfficeCalendarRepository } from '../offices/office-calendar.repository.ts';
import { kassenzeichenSeq, type VehicleType } from '../offices/offices.table.ts';
import { PaymentProviderError, type PaymentGateway } from '../payments/payment-gateway.ts';
import { createPaymentProviderUnavailableError } from '../payments/payments.errors.ts';
import { createPaymentsRepository } from '../payments/payments.repository.ts';
import type { Payment } from '../payments/payments.table.ts';
import { addressFingerprint, sameCity } from '../quotes/address-match.ts';
import { createQuoteExpiredError, createQuoteNotFoundError, createVehicleNotOfferedError } from '../quotes/quotes.errors.ts';
import { createQuotesRepository } from '../quotes/quotes.repository.ts';
import type { Quote } from '../quotes/quotes.table.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { isUniqueViolation } from '../shared/errors.ts';
import { generateToken, hashToken, sha256Hex } from '../shared/tokens.ts';
import { addDays, localDate } from '../shared/zoned-time.ts';
import { createBookingHoldsRepository } from './booking-holds.repository.ts';
import { completeBookingRequest, type PaymentAttachment } from './booking-request.repository.ts';
import { readTracking } from './tracking.repository.ts';
import {
  CANCELLABLE_STATUSES,
  DOCUMENT_ARRIVED_STATUSES,
  ON_ROUTE_STATUSES,
  PIN_LETTER_EXPECTED_STATUSES,
  type BookingStatus,
} from './booking-status.ts';
import {
  createAddressNotQuotedError,
  createApplicationAlreadyBookedError,
  createApplicationUnknownError,
  createBookingCancelledError,
  createBookingExpiredError,
  createBookingNotCancellableError,
  createBookingNotFoundError,
  createPinLetterNotApplicableError,
  createPinLetterTooLateError,
  createBookingNotPaidError,
  createDocumentArrivalNotApplicableError,
  createTrackingNotFoundError,
} from './bookings.errors.ts';
import { createBookingsRepository, insertBooking, type Actor, transitionBooking } from './bookings.repository.ts';
import {
  bookings as bookingsTable,
  type Booking,
  type BookingHold,
  type BookingLocale,
  type Consent,
  type DeliveryWindow,
  type PostalAddress,
  type Recipient,
} from './bookings.table.ts';
import { awaitsPinLetter, needsPinLetter } from './pin-letter.ts';
import { required } from '../shared/required.ts';
import { cancelBookingInTx } from './cancellation.ts';
import { previewCancellationRefund } from '../payments/refund-decision-tx.ts';
import { assertWithinDeliveryHours, validateDeliveryWindows } from './delivery-windows.ts';
import { rescheduleBooking, rescheduleOffer } from './reschedule.ts';
import { formatKassenzeichen } from './kassenzeichen.ts';
import { formatKassenzeichen as formatKassenzeichenAs, type KassenzeichenFormat } from '../finance/kassenzeichen-format.ts';

export interface CreateBookingInput {
  quoteId: string;
  vehicleType: VehicleType;
  applicationNumber: string;
  documentType: Booking['documentType'];
  recipient: Recipient;
  address: PostalAddress;
  preferredWindows: DeliveryWindow[];
  consent: { powerOfAttorney: true; textVersion: string };
  /** Pay on Stripe's hosted page (Checkout) instead of with the client secret (Stripe.js or the sandbox's pay page). */
  payment?: CheckoutOptions;
  locale?: BookingLocale;
}

export interface CheckoutOptions {
  flow: 'checkout';
  /** May contain `{CHECKOUT_SESSION_ID}`, which Stripe replaces when it redirects. */
  successUrl: string;
  cancelUrl: string;
  locale?: 'de' | 'en';
}

/** Stripe accepts a Checkout Session's `expires_at` only 30 minutes to 24 hours after it is made. */
const CHECKOUT_MIN_LIFETIME_MS = 31 * 60_000;
const CHECKOUT_MAX_LIFETIME_MS = 23 * 3_600_000;

export interface BookingDeps {
  db: Database;
  gateway: PaymentGateway;
  clock: () => Date;
  paymentExpiryMinutes: number;
  /** The city's Kassenzeichen format (KASSENZEICHEN_FORMAT); the default when null or absent. */
  kassenzeichenFormat?: KassenzeichenFormat | null;
  /** Called after commit; a lost call is caught up by the sweep jobs. */
  afterCommit: {
    scheduleExpiry(bookingId: string, deadline: Date): Promise<void>;
    refundOwed(refundId: string): Promise<void>;
  };
}

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export function createBookingsService(deps: BookingDeps) {
  const { db, clock } = deps;

  /** `payment`: the booking's payment row, when the caller has it (a new booking); otherwise it is read. */
  async function ensurePaymentIntent(booking: Booking, known?: Pick<Payment, 'id' | 'paymentIntentId'>) {
    const payments = createPaymentsRepository(db);
    const payment = known ?? (await payments.findByBooking(booking.id));
    if (!payment) throw new Error(`Booking ${booking.id} has no payment row`);
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
        if (err instanceof PaymentProviderError) throw createPaymentProviderUnavailableError();
        throw err;
      });
    // Attached by the statement that completes the idempotency record (completeBookingRequest).
    const attachment: PaymentAttachment | null = payment.paymentIntentId
      ? null
      : { kind: 'paymentIntent', paymentId: payment.id, paymentIntentId: intent.id, status: intent.status };
    return { intent, attachment };
  }

  /**
   * The Checkout Session of a booking, made once: the key is derived from the booking, so a retry
   * gets the same session back from Stripe. It expires with the booking's payment deadline, kept
   * within Stripe's window; the expiry job expires it explicitly at the deadline anyway. The
   * window is taken from the booking's creation (not now), so a retry sends the same parameters.
   */
  async function ensureCheckoutSession(booking: Booking, options: CheckoutOptions, known?: Pick<Payment, 'id' | 'checkoutSessionId'>) {
    const payments = createPaymentsRepository(db);
    const payment = known ?? (await payments.findByBooking(booking.id));
    if (!payment) throw new Error(`Booking ${booking.id} has no payment row`);
    const created = booking.createdAt.getTime();
    const expiresAt = new Date(
      Math.min(Math.max(booking.paymentDeadline.getTime(), created + CHECKOUT_MIN_LIFETIME_MS), created + CHECKOUT_MAX_LIFETIME_MS),
    );
    const session = await deps.gateway
      .createCheckoutSession({
        amountCents: booking.amountCents,
        currency: booking.currency,
        description: 'Zustellung Ausweisdokument',
        kassenzeichen: booking.kassenzeichen,
        metadata: { booking_id: booking.id, office_id: booking.officeId, kassenzeichen: booking.kassenzeichen },
        successUrl: options.successUrl,
        cancelUrl: options.cancelUrl,
        locale: options.locale ?? 'de',
        expiresAt,
        idempotencyKey: `booking:${booking.id}:checkout-session`,
      })
      .catch((err: unknown) => {
        if (err instanceof PaymentProviderError) throw createPaymentProviderUnavailableError();
        throw err;
      });
    // Attached with the completed idempotency record, as a PaymentIntent is: the expiry job and
    // the webhook find the session through the payment row.
    const attachment: PaymentAttachment | null = payment.checkoutSessionId
      ? null
      : { kind: 'checkoutSession', paymentId: payment.id, checkoutSessionId: session.id };
    return { session, attachment };
  }

  /**
   * Starts the booking's payment in the flow the request asked for. The payment row gets the
   * Stripe object from the caller's last statement, with the completed idempotency record.
   */
  async function startPayment(
    booking: Booking,
    input: CreateBookingInput,
    known?: Payment,
  ): Promise<{ payment: CreateBookingResponse['payment']; attachment: PaymentAttachment | null }> {
    if (input.payment?.flow === 'checkout') {
      const { session, attachment } = await ensureCheckoutSession(booking, input.payment, known);
      return {
        payment: {
          provider: 'stripe',
          flow: 'checkout',
          checkoutSessionId: session.id,
          checkoutUrl: session.url,
          sandbox: deps.gateway.sandbox,
        },
        attachment,
      };
    }
    const { intent, attachment } = await ensurePaymentIntent(booking, known);
    return {
      payment: {
        provider: 'stripe',
        paymentIntentId: intent.id,
        clientSecret: intent.clientSecret,
        payUrl: await deps.gateway.paymentPageUrl(intent.id, intent.clientSecret).catch(() => null),
        sandbox: deps.gateway.sandbox,
      },
      attachment,
    };
  }

  return {
    async createBooking(input: CreateBookingInput, ctx: { idempotencyKey: string; staff: StaffPrincipal | null; requestId?: string }) {
      const scope = 'createBooking';
      // Canonical JSON: the same body with its keys in another order is the same request.
      const requestHash = sha256Hex(canonicalJson({ input, staff: ctx.staff?.id ?? null }));
      const now = clock();
      validateDeliveryWindows(input.preferredWindows, now);

      // The statements go in two round trips inside the transaction (four with BEGIN and COMMIT):
      // the claim with everything to check (quote, office, closing days, a Kassenzeichen number),
      // then every row the booking consists of. A number drawn for a request that then fails is
      // skipped, as a sequence skips on any rollback: Kassenzeichen are unique, not gap-free.
      // A second live booking of one application is refused by the unique index
      // (bookings_live_application_uq), not by a read before the insert.
      const claimed = await db.transaction(async (tx) => {
        const idem = createIdempotencyRepository(tx);
        // Closing days by UTC date with a day to spare on either side: the office's own dates lie within.
        const utcToday = now.toISOString().slice(0, 10);
        const [{ fresh, record }, found, closures, seqRows] = await inOneRoundTrip(tx, [
          () => idem.claim({ scope, key: ctx.idempotencyKey, requestHash, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) }),
          () => createQuotesRepository(tx).findWithOffice(input.quoteId),
          () =>
            createOfficeCalendarRepository(tx).closuresOfQuoteOffice(
              input.quoteId,
              addDays(utcToday, -1),
              addDays(utcToday, BOOKING_HORIZON_DAYS + 2),
            ),
          () => queryRows<{ seq: string }>(tx, sql`select nextval(${kassenzeichenSeq.seqName}) as seq`),
        ]);
        if (!fresh) {
          if (record.requestHash !== requestHash) throw createIdempotencyKeyReusedError();
          return { kind: 'replay' as const, record };
        }
        if (!found) throw createQuoteNotFoundError();
        const { quote, office } = found;
        if (quote.expiresAt <= now) throw createQuoteExpiredError();
        const option = quote.options.find((o) => o.vehicleType === input.vehicleType);
        if (!option) throw createVehicleNotOfferedError(input.vehicleType);
        assertAddressQuoted(quote, input.address);
        if (ctx.staff) assertOfficeScope(ctx.staff, office.id, 'Staff can book only for their own office');
        assertWithinDeliveryHours(deliveryCalendarOf(office, closures), input.preferredWindows);
        const seq = required(seqRows[0], 'nextval of the Kassenzeichen sequence').seq;
        // The office's year, not UTC's: a booking at 00:30 on New Year's Day in Stuttgart is next year's.
        const year = Number(localDate(now, office.timezone).slice(0, 4));
        const kassenzeichen = deps.kassenzeichenFormat
          ? formatKassenzeichenAs(deps.kassenzeichenFormat, { prefix: office.kassenzeichenPrefix, year, sequence: Number(seq) })
          : formatKassenzeichen(office.kassenzeichenPrefix, year, Number(seq));
        const trackingToken = generateToken('ab_track');
        const consent: Consent = { powerOfAttorney: true, textVersion: input.consent.textVersion, consentedAt: now.toISOString() };
        const actor: Actor = ctx.staff ? { type: 'staff', id: ctx.staff.id } : { type: 'citizen' };
        // Ids are chosen here so the rows that refer to the booking can be sent with it.
        const bookingId = randomUUID();
        const [booking, payment] = await inOneRoundTrip(tx, [
          () =>
            insertBooking(
              tx,
              {
                id: bookingId,
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
                locale: input.locale ?? 'de',
                consent,
                status: 'awaiting_payment',
                kassenzeichen,
                trackingTokenHash: hashToken(trackingToken),
                paymentDeadline: new Date(now.getTime() + deps.paymentExpiryMinutes * 60_000),
                createdByStaffId: ctx.staff?.id ?? null,
              },
              actor,
            ).catch((e: unknown) => {
              throw isUniqueViolation(e) ? createApplicationAlreadyBookedError() : e;
            }),
          () =>
            createPaymentsRepository(tx).insert({
              id: randomUUID(),
              bookingId,
              amountCents: option.amountCents,
              currency: option.currency,
              kassenzeichen,
            }),
          () =>
            // The token is kept with the idempotency record (24 h) so a retried request can return it.
            idem.update(scope, ctx.idempotencyKey, { resourceId: bookingId, responseBody: { trackingToken } }),
          () =>
            recordAudit(tx, {
              actorType: actor.type,
              actorId: actor.id,
              action: 'booking.created',
              subjectType: 'booking',
              subjectId: bookingId,
              officeId: office.id,
              requestId: ctx.requestId,
              details: { amountCents: option.amountCents, vehicleType: option.vehicleType },
            }),
        ]);
        return { kind: 'new' as const, booking, payment, trackingToken };
      });

      let booking: Booking;
      let trackingToken: string;
      let started: Awaited<ReturnType<typeof startPayment>>;
      if (claimed.kind === 'replay') {
        const stored = claimed.record.responseBody as { trackingToken: string; complete?: boolean } | null;
        if (stored?.complete) {
          const { complete: _complete, ...response } = stored;
          return { response: response as unknown as CreateBookingResponse, replayed: true };
        }
        const found = claimed.record.resourceId ? await createBookingsRepository(db).findById(claimed.record.resourceId) : undefined;
        if (!found || !stored) throw new Error(`Idempotency record ${ctx.idempotencyKey} names no booking`);
        booking = found;
        trackingToken = stored.trackingToken;
        // The first attempt failed before its payment started, and the booking has ended since
        // (expired or cancelled): starting a payment now would only charge the citizen for nothing.
        if (booking.status === 'expired') throw createBookingExpiredError();
        if (booking.status === 'cancelled') throw createBookingCancelledError();
        started = await startPayment(booking, input);
      } else {
        ({ booking, trackingToken } = claimed);
        // Independent of each other, so side by side: the expiry job (Redis) and the payment (Stripe).
        [, started] = await Promise.all([
          deps.afterCommit.scheduleExpiry(booking.id, booking.paymentDeadline),
          startPayment(booking, input, claimed.payment),
        ]);
      }
      const response: CreateBookingResponse = { booking: toCitizenView(booking), payment: started.payment, trackingToken };
      await completeBookingRequest(
        db,
        { scope, key: ctx.idempotencyKey, responseStatus: 201, responseBody: { ...response, complete: true } },
        started.attachment,
      );
      return { response, replayed: claimed.kind === 'replay' };
    },

    async getBooking(id: string, staff: StaffPrincipal, requestId?: string) {
      const booking = await findVisible(db, id, staff);
      const payments = createPaymentsRepository(db);
      const [events, payment, refunds, holds, disputes, discrepancies, refundDecision] = await Promise.all([
        createBookingsRepository(db).events(id),
        payments.findByBooking(id),
        payments.refundsOfBooking(id),
        createBookingHoldsRepository(db).holdsOf(id),
        payments.findByBooking(id).then((p) => (p ? payments.disputesOfPayment(p.id) : [])),
        payments.discrepanciesOfBooking(id),
        payments.findRefundDecision(id),
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
      return { booking, events, payment: payment ?? null, refunds, holds, disputes, discrepancies, refundDecision: refundDecision ?? null };
    },

    /** A page of bookings with their payment's state and open holds (no contact data), in one statement. */
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
      const page = toPage(rows, filter.limit, (b) => b);
      return { nextCursor: page.nextCursor, data: page.data };
    },

    /** The booking behind a tracking token, without the tracking view's extra reads (and no call to Stripe). */
    async bookingByTrackingToken(trackingToken: string): Promise<Booking | null> {
      return (await createBookingsRepository(db).findByTrackingTokenHash(hashToken(trackingToken))) ?? null;
    },

    async trackBooking(trackingToken: string) {
      const found = await readTracking(db, hashToken(trackingToken));
      if (!found) throw createTrackingNotFoundError();
      const { booking, payment, held, history, announced } = found;
      const payable = booking.status === 'awaiting_payment' && !held;
      const payUrl = !payable
        ? null
        : payment?.checkoutSessionId
          ? await deps.gateway.checkoutSessionUrl(payment.checkoutSessionId).catch(() => null)
          : payment?.paymentIntentId
            ? await deps.gateway.paymentPageUrl(payment.paymentIntentId).catch(() => null)
            : null;
      return { booking, window: trackingWindow(booking, announced), history, nextSteps: nextStepsFor(booking, held, payUrl) };
    },

    /**
     * The citizen says the PIN letter arrived (tracking token). Idempotent; only for ID and eID
     * cards, and only while the document is still to be dispatched.
     */
    async confirmPinLetter(trackingToken: string) {
      return db.transaction(async (tx) => {
        const repo = createBookingsRepository(tx);
        const found = await repo.findByTrackingTokenHash(hashToken(trackingToken));
        if (!found) throw createTrackingNotFoundError();
        const booking = required(await repo.findById(found.id, { forUpdate: true }), `booking ${found.id}`);
        if (!needsPinLetter(booking.documentType)) throw createPinLetterNotApplicableError();
        if (booking.pinLetterConfirmedAt) return { booking, alreadyConfirmed: true };
        if (!PIN_LETTER_EXPECTED_STATUSES.includes(booking.status)) throw createPinLetterTooLateError(booking.status);
        const now = clock();
        const [updated] = await tx
          .update(bookingsTable)
          .set({ pinLetterConfirmedAt: now, updatedAt: now })
          .where(eq(bookingsTable.id, booking.id))
          .returning();
        await recordAudit(tx, {
          actorType: 'citizen',
          action: 'booking.pin_letter_confirmed',
          subjectType: 'booking',
          subjectId: booking.id,
          officeId: booking.officeId,
        });
        return { booking: required(updated, `booking ${booking.id} updated`), alreadyConfirmed: false };
      });
    },

    /** Other preferred days, before the booking is on a confirmed route (see reschedule.ts). */
    rescheduleBooking: (trackingToken: string, windows: DeliveryWindow[], ctx: { requestId?: string } = {}) =>
      rescheduleBooking({ db, clock }, trackingToken, windows, ctx),

    /** The days a rescheduling booking may choose from, with their spans. */
    rescheduleOffer: (booking: Pick<Booking, 'officeId' | 'preferredWindows'>) => rescheduleOffer({ db, clock }, booking),

    /** What cancelling the booking now would refund (the citizen sees it before confirming). */
    async cancellationRefundPreview(booking: Booking): Promise<number> {
      return previewCancellationRefund(db, booking);
    },

    async cancelBooking(
      id: string,
      ctx: { staff: StaffPrincipal | null; trackingToken: string | null; reason?: string; requestId?: string },
    ) {
      const result = await db.transaction(async (tx) => {
        const bookings = createBookingsRepository(tx);
        await lockRouteOfBooking(tx, id);
        const booking = await bookings.findById(id, { forUpdate: true });
        if (!booking || !isAllowed(booking, ctx)) throw createBookingNotFoundError();
        if (booking.status === 'cancelled') {
          return {
            booking,
            refund: null,
            alreadyCancelled: true,
            paymentIntentToCancel: null,
            checkoutSessionToExpire: null,
            releasedHolds: [] as BookingHold[],
          };
        }
        if (!CANCELLABLE_STATUSES.includes(booking.status)) throw createBookingNotCancellableError(booking.status);
        const actor: Actor = ctx.staff ? { type: 'staff', id: ctx.staff.id } : { type: 'citizen' };
        const cancelled = await cancelBookingInTx(tx, booking, {
          actor,
          reason: ctx.reason ?? 'cancelled',
          refund: 'policy',
          now: clock(),
          requestId: ctx.requestId,
        });
        return { ...cancelled, alreadyCancelled: false };
      });
      if (result.refund) await deps.afterCommit.refundOwed(result.refund.id);
      if (result.checkoutSessionToExpire) {
        // Best effort, as below: a payment that wins the race is refunded by the webhook.
        await deps.gateway
          .expireCheckoutSession(result.checkoutSessionToExpire, { idempotencyKey: `booking:${id}:cancel-checkout` })
          .catch(() => undefined);
      }
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
        if (!booking) throw createApplicationUnknownError();
        if (booking.status === 'awaiting_payment') throw createBookingNotPaidError();
        // Scanning the same document again is harmless: it must not take a planned booking out of
        // its plan (planned → document_ready is a plan being discarded, not a scan).
        if (DOCUMENT_ARRIVED_STATUSES.includes(booking.status)) return { booking, alreadyRecorded: true };
        if (booking.status !== 'paid') throw createDocumentArrivalNotApplicableError(booking.status);
        const updated = await transitionBooking(tx, booking, 'document_ready', { type: 'staff', id: staff.id }, 'document_scanned');
        await appendCustody(tx, [{ bookingId: booking.id, from: null, to: 'office', event: 'arrived', staffIds: [staff.id], at: clock() }]);
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'document.arrived',
          subjectType: 'booking',
          subjectId: booking.id,
          officeId: booking.officeId,
          requestId,
        });
        return { booking: { ...updated, custodyHolder: 'office' as const }, alreadyRecorded: false };
      });
    },
  };
}

export interface CreateBookingResponse {
  booking: ReturnType<typeof toCitizenView>;
  payment:
    | { provider: 'stripe'; paymentIntentId: string; clientSecret: string; payUrl: string | null; sandbox: boolean }
    | { provider: 'stripe'; flow: 'checkout'; checkoutSessionId: string; checkoutUrl: string; sandbox: boolean };
  trackingToken: string;
}

/**
 * The booked address is the quoted address: the position was priced for it. The fingerprint
 * (street, house number, postal code, city, normalised) must be the quote's.
 */
function assertAddressQuoted(quote: Quote, address: PostalAddress) {
  const matches =
    quote.addressHash !== null &&
    quote.addressHash === addressFingerprint(address) &&
    quote.postalCode === address.postalCode &&
    quote.city !== null &&
    sameCity(quote.city, address.city);
  if (!matches) throw createAddressNotQuotedError();
}

export type NextStep =
  | { code: 'pay'; amountCents: number; currency: 'EUR'; payBy: string; payUrl: string | null }
  | { code: 'confirm_pin_letter' }
  | { code: 'wait_for_new_attempt'; attemptsMade: number }
  | { code: 'collect_at_office' }
  | { code: 'wait_for_office'; reason: string }
  | { code: 'wait_for_document' }
  | { code: 'wait_for_delivery' }
  | { code: 'be_at_home'; window: DeliveryWindow | null };

/** What the citizen still has to do (or wait for), in the order it comes. */
function nextStepsFor(booking: Booking, held: boolean, payUrl: string | null): NextStep[] {
  if (held) return [{ code: 'wait_for_office', reason: 'The office is checking the payment; it will contact you' }];
  const pin: NextStep[] = awaitsPinLetter(booking) ? [{ code: 'confirm_pin_letter' }] : [];
  switch (booking.status) {
    case 'awaiting_payment':
      return [{ code: 'pay', amountCents: booking.amountCents, currency: 'EUR', payBy: booking.paymentDeadline.toISOString(), payUrl }];
    case 'paid':
      return [...pin, { code: 'wait_for_document' }];
    case 'document_ready':
      return [...pin, { code: 'wait_for_delivery' }];
    case 'attempt_failed':
      return [...pin, { code: 'wait_for_new_attempt', attemptsMade: booking.deliveryAttempts }];
    case 'returned_to_office':
      return [{ code: 'collect_at_office' }];
    case 'planned':
    case 'handed_over':
    case 'out_for_delivery':
      return [{ code: 'be_at_home', window: null }];
    default:
      return [];
  }
}

/**
 * The window the citizen sees: once a confirmed plan announced one, that; before, the earliest
 * preferred window they chose.
 */
function trackingWindow(booking: Booking, announced: { start: Date; end: Date } | null): DeliveryWindow | null {
  if (announced && ON_ROUTE_STATUSES.includes(booking.status))
    return { start: announced.start.toISOString(), end: announced.end.toISOString() };
  const sorted = [...booking.preferredWindows].sort((a, b) => a.start.localeCompare(b.start));
  return sorted[0] ?? null;
}

/** What a citizen sees of their booking: no events, no staff ids. */
export function toCitizenView(b: Booking) {
  return { ...toBookingSummary(b), preferredWindows: b.preferredWindows, paymentDeadline: b.paymentDeadline.toISOString() };
}

/** The citizen's view without the windows and deadline: what a staff list shows of each booking too. */
export function toBookingSummary(
  b: Pick<
    Booking,
    'id' | 'officeId' | 'status' | 'applicationNumber' | 'documentType' | 'vehicleType' | 'amountCents' | 'kassenzeichen' | 'createdAt'
  >,
) {
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
  if (!booking || !canActForOffice(staff, booking.officeId)) throw createBookingNotFoundError();
  return booking;
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
