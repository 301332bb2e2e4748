import { createError, createErrorFactory } from './errors.ts';

// Errors about the request itself rather than any domain: limits, paging.

/** `after` is the rate limiter's own wording of the wait, e.g. "1 minute". */
export const createRateLimitedError = (after: string) =>
  createError({ code: 'request.rate_limited', status: 429, message: `Too many requests: retry in ${after}` });

export const createInvalidCursorError = createErrorFactory({
  code: 'request.invalid_cursor',
  status: 400,
  message: 'The cursor is not one this API returned',
});
