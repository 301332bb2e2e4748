/**
 * The life of a delivery (see docs/product.md). This module is pure: it decides which moves are
 * allowed and names the groups of statuses every other module asks about, so the webhook, the
 * staff operations and the workers cannot disagree about either.
 */
export const BOOKING_STATUSES = [
  'awaiting_payment',
  'paid',
  'document_ready',
  'planned',
  'handed_over',
  'out_for_delivery',
  'delivered',
  'attempt_failed',
  'returned_to_office',
  'cancelled',
  'expired',
] as const;

export type BookingStatus = (typeof BOOKING_STATUSES)[number];

const TRANSITIONS: Record<BookingStatus, readonly BookingStatus[]> = {
  awaiting_payment: ['paid', 'cancelled', 'expired'],
  paid: ['document_ready', 'cancelled'],
  document_ready: ['planned', 'cancelled'],
  // A discarded plan puts the booking back to document_ready for the next planning run.
  planned: ['handed_over', 'document_ready', 'cancelled'],
  // Back in the office unused (the route was cancelled after the handover): planned again later.
  handed_over: ['out_for_delivery', 'document_ready', 'returned_to_office'],
  out_for_delivery: ['delivered', 'attempt_failed'],
  attempt_failed: ['planned', 'returned_to_office'],
  delivered: [],
  returned_to_office: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: BookingStatus, to: BookingStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Cancellation is possible until the document leaves the office (the four-eyes handover). */
export const CANCELLABLE_STATUSES: readonly BookingStatus[] = ['awaiting_payment', 'paid', 'document_ready', 'planned'];

/** The document is still in the office: a hold (dispute, refund at Stripe) can still keep it there. */
export const IN_OFFICE_STATUSES: readonly BookingStatus[] = ['awaiting_payment', 'paid', 'document_ready', 'planned'];

export const TERMINAL_STATUSES: readonly BookingStatus[] = ['delivered', 'returned_to_office', 'cancelled', 'expired'];

/** Ended without a delivery: the application may be booked again. */
export const ABANDONED_STATUSES: readonly BookingStatus[] = ['cancelled', 'expired'];

/** On a confirmed plan's route, from planning until the courier has been at the door. */
export const ON_ROUTE_STATUSES: readonly BookingStatus[] = ['planned', 'handed_over', 'out_for_delivery'];

/** The document has arrived from Bundesdruckerei: a second scan changes nothing. */
export const DOCUMENT_ARRIVED_STATUSES: readonly BookingStatus[] = ['document_ready', ...ON_ROUTE_STATUSES, 'attempt_failed'];

/** On a confirmed plan and still in the office: the plan can be withdrawn while all its bookings are so. */
export const WITHDRAWABLE_ON_PLAN_STATUSES: readonly BookingStatus[] = ['planned', 'cancelled'];

/** What a planning run may put on a route (attempts left are checked separately). */
export const PLANNABLE_STATUSES: readonly BookingStatus[] = ['document_ready', 'attempt_failed'];

/** The document has arrived and not left yet: the `fee_after_ready` refund policy keeps its fee. */
export const FEE_AFTER_READY_STATUSES: readonly BookingStatus[] = ['document_ready', 'planned'];

export const isTerminal = (s: BookingStatus) => TERMINAL_STATUSES.includes(s);

/** Paid and not yet handed over: a PIN letter confirmation still matters (see pin-letter.ts). */
export const PIN_LETTER_EXPECTED_STATUSES: readonly BookingStatus[] = ['paid', 'document_ready', 'planned', 'attempt_failed'];

/**
 * The citizen may still change their preferred days: the booking is not on a confirmed plan's
 * route (after a failed attempt, until the next plan is confirmed). Once planned, the announced
 * window stands.
 */
export const RESCHEDULABLE_STATUSES: readonly BookingStatus[] = ['awaiting_payment', 'paid', 'document_ready', 'attempt_failed'];
