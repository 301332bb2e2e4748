import { createError, createErrorFactory } from './errors.ts';

// Errors about the request itself rather than any domain: limits, paging, and what the HTTP layer
// refuses before a route is found. None of their messages repeats more than a bounded piece of
// what the client sent.

/** What an error message may quote of the client's input (a path, a field name). */
export const MAX_ECHO_LENGTH = 200;

/** `text` cut to at most `max` characters, the last an ellipsis when cut. */
export function bounded(text: string, max = MAX_ECHO_LENGTH): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `after` is the rate limiter's own wording of the wait, e.g. "1 minute". */
export const createRateLimitedError = (after: string) =>
  createError({ code: 'request.rate_limited', status: 429, message: `Too many requests: retry in ${after}` });

export const createInvalidCursorError = createErrorFactory({
  code: 'request.invalid_cursor',
  status: 400,
  message: 'The cursor is not one this API returned',
});

/** The path (without the query string, which may hold tokens) is quoted, cut to a bounded length. */
export const createRouteNotFoundError = (method: string, url: string) =>
  createError({ code: 'route.not_found', status: 404, message: `No route ${bounded(method, 20)} ${bounded(url.split('?')[0]!)}` });

export const createInternalError = createErrorFactory({
  code: 'internal',
  status: 500,
  message: 'Internal server error',
});
