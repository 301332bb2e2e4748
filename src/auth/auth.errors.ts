import { createError, createErrorFactory } from '../shared/errors.ts';
import type { StaffRole } from './auth.table.ts';

// Signing in and sessions (auth.service, the access plugin).

export const createInvalidCredentialsError = createErrorFactory({
  code: 'auth.invalid_credentials',
  status: 401,
  message: 'Username or password is wrong',
});

/** A staff operation called without a session. */
export const createSignInRequiredError = createErrorFactory({
  code: 'auth.required',
  status: 401,
  message: 'Sign in: Authorization: Bearer <token>',
});

/** An operation open to staff or to the citizen holding the tracking token, called with neither. */
export const createSignInOrTrackingTokenRequiredError = createErrorFactory({
  code: 'auth.required',
  status: 401,
  message: 'Sign in as staff or give the Tracking-Token header',
});

export const createMalformedAuthorizationError = createErrorFactory({
  code: 'auth.malformed',
  status: 401,
  message: 'Authorization must be "Bearer <token>"',
});

export const createInvalidSessionTokenError = createErrorFactory({
  code: 'auth.invalid_token',
  status: 401,
  message: 'Session unknown or expired: sign in again',
});

export const createRoleRequiredError = (roles: readonly StaffRole[]) =>
  createError({ code: 'auth.forbidden', status: 403, message: `This operation needs one of the roles: ${roles.join(', ')}` });

/** A staff token on a public operation whose staff callers are restricted (finance at the booking counter). */
export const createStaffRoleNotAllowedError = (roles: readonly StaffRole[]) =>
  createError({
    code: 'auth.forbidden',
    status: 403,
    message: `Signed in, this operation needs one of the roles: ${roles.join(', ')} (or call it without a token)`,
  });

/** Staff of one office reaching for another office's data (see office-scope.ts). */
export const createOtherOfficeError = createErrorFactory({
  code: 'auth.other_office',
  status: 403,
  message: 'This belongs to another office',
});

// Staff accounts.

export const createStaffUsernameTakenError = createErrorFactory({
  code: 'staff.username_taken',
  status: 409,
  message: 'That username is taken',
});

export const createStaffOfficeUnknownError = createErrorFactory({
  code: 'staff.office_unknown',
  status: 422,
  message: 'No office with this officeId',
});

export const createStaffOfficeRequiredError = createErrorFactory({
  code: 'staff.office_required',
  status: 422,
  message: 'Clerks and supervisors belong to an office: give officeId',
});

export const createWeakPasswordError = (policy: { minLength: number; maxLength: number }) =>
  createError({
    code: 'staff.weak_password',
    status: 422,
    message: `Passwords need ${policy.minLength} to ${policy.maxLength} characters`,
  });
