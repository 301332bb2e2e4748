import { createError, createErrorFactory } from '../shared/errors.ts';

export const createCourierCompanyNotFoundError = createErrorFactory({
  code: 'courier_company.not_found',
  status: 404,
  message: 'Courier company not found',
});

export const createUnknownZonesError = (zoneIds: string[]) =>
  createError({
    code: 'courier_company.unknown_zones',
    status: 422,
    message: 'Some zones do not exist',
    details: { zoneIds: zoneIds.slice(0, 50) },
  });

export const createCourierKeyInvalidError = createErrorFactory({
  code: 'auth.invalid_api_key',
  status: 401,
  message: 'API key unknown, revoked, or its company is suspended',
});

export const createCourierKeyRequiredError = createErrorFactory({
  code: 'auth.required',
  status: 401,
  message: 'Send the courier company API key: Authorization: Bearer <key>',
});

export const createCourierVehicleNotContractedError = (vehicleType: string) =>
  createError({
    code: 'courier_shift.vehicle_not_contracted',
    status: 422,
    message: `The company's contract has no ${vehicleType} vehicles`,
  });

export const createCourierOfficeNotServedError = createErrorFactory({
  code: 'courier_shift.office_not_served',
  status: 422,
  message: "The company serves none of this office's zones",
});

export const createWebhookUrlNotAllowedError = (problem: string) =>
  createError({
    code: 'courier_company.webhook_url_not_allowed',
    status: 422,
    message: `The webhook URL is not allowed (${problem}): it must be https in production, carry no credentials and not name a private, loopback or link-local address`,
    details: { problem },
  });

// Riders of a company (the rider app's accounts).

export const createRiderNotFoundError = createErrorFactory({
  code: 'courier_rider.not_found',
  status: 404,
  message: 'Rider not found',
});

export const createRiderUsernameTakenError = createErrorFactory({
  code: 'courier_rider.username_taken',
  status: 409,
  message: 'That username is taken',
});

export const createRiderWeakPasswordError = (policy: { minLength: number; maxLength: number }) =>
  createError({
    code: 'courier_rider.weak_password',
    status: 422,
    message: `Passwords need ${policy.minLength} to ${policy.maxLength} characters`,
  });
