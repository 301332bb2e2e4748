import { createError, createErrorFactory } from '../shared/errors.ts';
import type { PlanStatus } from './planning.table.ts';

export const createPlanningInvalidDateError = createErrorFactory({
  code: 'planning.invalid_date',
  status: 422,
  message: 'deliveryDate must be a calendar date YYYY-MM-DD',
});

/** Plans and shifts are made from today up to a horizon, both in office time. */
export const createPlanningDateOutOfRangeError = (range: { from: string; to: string }) =>
  createError({ code: 'planning.date_out_of_range', status: 422, message: `deliveryDate must lie between ${range.from} and ${range.to}` });

export const createCourierShiftInvalidWindowError = createErrorFactory({
  code: 'courier_shift.invalid_window',
  status: 422,
  message: 'shiftEnd must be after shiftStart',
});

export const createCourierShiftOutsideDayError = (day: { start: Date; end: Date }) =>
  createError({
    code: 'courier_shift.outside_day',
    status: 422,
    message: `The shift must lie within the delivery day (${day.start.toISOString()} – ${day.end.toISOString()})`,
  });

/** Reading a day's plan (routes, GeoJSON) before one was requested. */
export const createNoPlanYetError = createErrorFactory({
  code: 'plan.not_found',
  status: 404,
  message: 'No plan for this office and day: create one first',
});

/** Confirming or withdrawing the plan of a day that has none. */
export const createPlanNotFoundError = createErrorFactory({
  code: 'plan.not_found',
  status: 404,
  message: 'No plan for this office and day',
});

/** Asking for a new plan of a day whose plan is confirmed (the nightly run skips such days by this code). */
export const createPlanConfirmedNoReplanError = createErrorFactory({
  code: 'plan.already_confirmed',
  status: 409,
  message: 'The plan of this day is confirmed and its bookings are planned; it cannot be re-planned',
});

export const createPlanAlreadyConfirmedError = createErrorFactory({
  code: 'plan.already_confirmed',
  status: 409,
  message: 'This plan is already confirmed',
});

export const createPlanNotDraftError = (status: PlanStatus) =>
  createError({ code: 'plan.not_draft', status: 409, message: `The plan is ${status}; only a draft can be confirmed` });

export const createPlanEmptyError = createErrorFactory({
  code: 'plan.empty',
  status: 409,
  message: 'The plan has no routes to confirm',
});

/** Some bookings on the draft were cancelled or planned elsewhere since it was made. */
export const createPlanStaleError = (bookingIds: string[]) =>
  createError({
    code: 'plan.stale',
    status: 409,
    message: 'Bookings on this plan changed since it was made: plan the day again',
    details: { bookingIds },
  });

export const createPlanNotConfirmedError = (status: PlanStatus) =>
  createError({ code: 'plan.not_confirmed', status: 409, message: `The plan is ${status}; only a confirmed plan can be withdrawn` });

/** Some documents of the plan were handed over already. */
export const createPlanInProgressError = (bookingIds: string[]) =>
  createError({
    code: 'plan.in_progress',
    status: 409,
    message: 'Documents of this plan have left the office: it can no longer be withdrawn',
    details: { bookingIds },
  });

/** The solve was stopped (the worker is shutting down); the plan stays running for the next attempt. */
export class PlanningInterruptedError extends Error {
  constructor(readonly planId: string) {
    super(`Planning of plan ${planId} was interrupted`);
    this.name = 'PlanningInterruptedError';
  }
}
