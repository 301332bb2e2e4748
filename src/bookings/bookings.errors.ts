import { createError, createErrorFactory } from '../shared/errors.ts';
import type { BookingStatus } from './booking-status.ts';

/** The errors of the bookings domain: one factory per code, so a code means one thing everywhere. */

export const createBookingNotFoundError = createErrorFactory({ code: 'booking.not_found', status: 404, message: 'Booking not found' });

export const createApplicationAlreadyBookedError = createErrorFactory({
  code: 'booking.application_already_booked',
  status: 409,
  message: 'This application already has a delivery booking',
});

export const createApplicationUnknownError = createErrorFactory({
  code: 'booking.application_unknown',
  status: 404,
  message: 'No delivery booking for this application number at this office',
});

export const createBookingExpiredError = createErrorFactory({
  code: 'booking.expired',
  status: 410,
  message: 'The payment deadline of this booking has passed: book again',
});

export const createBookingCancelledError = createErrorFactory({
  code: 'booking.cancelled',
  status: 409,
  message: 'This booking was cancelled: book again',
});

export const createBookingNotCancellableError = (status: BookingStatus) =>
  createError({ code: 'booking.not_cancellable', status: 409, message: `A booking in status ${status} can no longer be cancelled` });

export const createBookingNotPaidError = createErrorFactory({
  code: 'booking.not_paid',
  status: 409,
  message: 'The delivery surcharge is not paid yet: keep the document for pickup or wait for payment',
});

export const createDocumentArrivalNotApplicableError = (status: BookingStatus) =>
  createError({ code: 'booking.wrong_status', status: 409, message: `The booking is ${status}; a document arrival does not apply` });

export const createInvalidDeliveryWindowsError = (message: string, details?: Record<string, unknown>) =>
  createError({ code: 'booking.invalid_windows', status: 422, message, ...(details ? { details } : {}) });

/** The state machine refused the move: the one gate every booking change goes through. */
export const createInvalidTransitionError = (from: BookingStatus, to: BookingStatus) =>
  createError({
    code: 'booking.invalid_transition',
    status: 409,
    message: `A booking in status ${from} cannot become ${to}`,
    details: { from, to },
  });

/** Another request moved the booking between our read and our write; the caller may retry. */
export const createBookingChangedConcurrentlyError = (expected: BookingStatus) =>
  createError({
    code: 'booking.changed_concurrently',
    status: 409,
    message: `The booking changed meanwhile (it was ${expected}): load it again and retry`,
  });

export const createAddressNotQuotedError = createErrorFactory({
  code: 'booking.address_not_quoted',
  status: 422,
  message: 'The address differs from the one the quote was made for: ask for a new quote for this address',
});

export const createHoldNotFoundError = createErrorFactory({
  code: 'booking.hold_not_found',
  status: 404,
  message: 'No open hold with this id on the booking',
});

export const createTrackingNotFoundError = createErrorFactory({
  code: 'tracking.not_found',
  status: 404,
  message: 'No booking for this tracking token',
});

export const createPinLetterNotApplicableError = createErrorFactory({
  code: 'booking.pin_letter_not_applicable',
  status: 422,
  message: 'Only ID cards and eID cards come with a PIN letter',
});

export const createPinLetterTooLateError = (status: BookingStatus) =>
  createError({
    code: 'booking.pin_letter_not_expected',
    status: 409,
    message: `The booking is ${status}: there is no dispatch waiting for the PIN letter`,
  });

export const createBookingNotReschedulableError = (status: BookingStatus, onRoute: boolean) =>
  createError({
    code: 'booking.not_reschedulable',
    status: 409,
    message: onRoute
      ? `The booking is on a confirmed delivery route (${status}): its delivery days can no longer be changed`
      : `A booking in status ${status} can no longer be rescheduled`,
    details: { status },
  });
