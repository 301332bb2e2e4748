/**
 * The life of a delivery (see docs/product.md). This module is pure: it decides which moves are
 * allowed, so the webhook, the staff operations and the workers cannot disagree about it.
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
  handed_over: ['out_for_delivery', 'returned_to_office'],
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

export const TERMINAL_STATUSES: readonly BookingStatus[] = ['delivered', 'returned_to_office', 'cancelled', 'expired'];

export const isTerminal = (s: BookingStatus) => TERMINAL_STATUSES.includes(s);
