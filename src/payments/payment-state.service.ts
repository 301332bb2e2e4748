import type { Database } from '../db/client.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import type { BookingStatus } from '../bookings/booking-status.ts';
import type { Booking } from '../bookings/bookings.table.ts';
import { hashToken } from '../shared/tokens.ts';
import { createPaymentsRepository } from './payments.repository.ts';

/**
 * What the return page after Stripe's hosted page shows while it polls: Stripe's redirect to
 * success_url comes before (or after) the verified webhook, and only the webhook marks a booking
 * paid, so the page says "waiting" until it has. Asked by tracking token (the booking id must
 * match it) or by the Checkout Session id Stripe put into success_url. The answer holds no
 * personal data: a session id in a URL reveals only whether that payment arrived.
 */
export type PaymentState = 'waiting' | 'paid' | 'failed' | 'expired';

export interface PaymentStateAnswer {
  state: PaymentState;
  bookingStatus: BookingStatus;
  /** True while an office checks a payment that arrived but did not match (a hold). */
  held: boolean;
}

export function createPaymentStateService(deps: { db: Database }) {
  const answer = async (booking: Booking): Promise<PaymentStateAnswer> => {
    const held = (await createBookingHoldsRepository(deps.db).openHolds(booking.id)).length > 0;
    return { state: stateOf(booking.status, held), bookingStatus: booking.status, held };
  };
  return {
    /** null when nothing matches: the page says so without telling which part was wrong. */
    async paymentState(
      // The tracking token alone is enough (the citizen's cookie); a booking id, when given, must match it.
      query: { bookingId?: string; trackingToken: string } | { checkoutSessionId: string },
    ): Promise<PaymentStateAnswer | null> {
      const bookings = createBookingsRepository(deps.db);
      if ('checkoutSessionId' in query) {
        const payment = await createPaymentsRepository(deps.db).findByCheckoutSession(query.checkoutSessionId);
        const booking = payment ? await bookings.findById(payment.bookingId) : undefined;
        return booking ? answer(booking) : null;
      }
      const booking = await bookings.findByTrackingTokenHash(hashToken(query.trackingToken));
      return booking && (query.bookingId === undefined || booking.id === query.bookingId) ? answer(booking) : null;
    },
  };
}

export type PaymentStateService = ReturnType<typeof createPaymentStateService>;

/** Pure: the payment as the citizen should hear about it. */
export function stateOf(status: BookingStatus, held: boolean): PaymentState {
  if (status === 'expired') return 'expired';
  // Cancelled before payment, or a payment that did not match: it did not pay the booking.
  if (status === 'cancelled' || held) return 'failed';
  if (status === 'awaiting_payment') return 'waiting';
  return 'paid';
}
