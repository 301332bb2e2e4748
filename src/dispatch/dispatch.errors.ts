import { createError, createErrorFactory } from '../shared/errors.ts';
import type { RouteDispatchStatus } from '../planning/planning.table.ts';

/** The errors of dispatch: offers, inbound courier events and route views. */

/** Also what another company's route looks like: it is not there for the caller. */
export const createRouteNotFoundError = createErrorFactory({ code: 'dispatch.route_not_found', status: 404, message: 'Route not found' });

export const createNoOpenOfferError = createErrorFactory({
  code: 'dispatch.no_open_offer',
  status: 409,
  message: 'This route is not offered to your company (any more)',
});

export const createOfferExpiredError = createErrorFactory({
  code: 'dispatch.offer_expired',
  status: 409,
  message: 'The deadline to answer this offer has passed',
});

export const createRouteWrongStateError = (status: RouteDispatchStatus, wanted: string) =>
  createError({
    code: 'dispatch.route_wrong_state',
    status: 409,
    message: `The route is ${status}: ${wanted}`,
    details: { dispatchStatus: status },
  });

export const createJobNotOnRouteError = createErrorFactory({
  code: 'dispatch.job_not_on_route',
  status: 404,
  message: 'No job with this id on the route',
});

export const createEventTimestampError = (toleranceSeconds: number) =>
  createError({
    code: 'dispatch.event_timestamp_out_of_tolerance',
    status: 400,
    message: `The event's timestamp is more than ${toleranceSeconds} s away from now: send events as they happen, with the current time`,
  });

/** The event's own time (when it happened) is in the future or more than two days ago. */
export const createEventTimeError = (toleranceSeconds: number) =>
  createError({
    code: 'dispatch.event_time_implausible',
    status: 400,
    message: `The event's timestamp lies in the future (more than ${toleranceSeconds} s) or more than 48 h back: send the time it happened, in UTC`,
  });

export const createEventSignatureError = createErrorFactory({
  code: 'dispatch.invalid_signature',
  status: 400,
  message: 'The webhook signature does not verify with any of your current signing secrets',
});

export const createEventInvalidBodyError = (message: string) =>
  createError({ code: 'dispatch.invalid_event', status: 400, message: `The event is not valid: ${message}` });

export const createIdentityCheckRequiredError = createErrorFactory({
  code: 'dispatch.identity_check_required',
  status: 422,
  message: 'stop.delivered needs the identity check at the door (identityCheck)',
});

export const createEventIdReusedError = createErrorFactory({
  code: 'dispatch.event_id_reused',
  status: 409,
  message: 'This event id was already used for an event of another type or route',
});
