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
  createError({ code: 'route.not_found', status: 404, message: `No route ${bounded(method, 20)} ${bounded(pathOf(url))}` });

const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/** A path parameter longer than the router matches (Fastify's `maxParamLength`, 100 by default). */
export const createPathSegmentTooLongError = createErrorFactory({
  code: 'request.path_segment_too_long',
  status: 414,
  message: 'A path segment is longer than this API accepts',
});

/** Percent-encoding that does not decode (`%zz`), or a URL that is no path at all. */
export const createBadUrlError = createErrorFactory({
  code: 'request.bad_url',
  status: 400,
  message: 'The URL is not valid: check its percent-encoding',
});

export const createHeadersTooLargeError = createErrorFactory({
  code: 'request.headers_too_large',
  status: 431,
  message: 'The request headers are too large',
});

export const createRequestTimeoutError = createErrorFactory({
  code: 'request.timeout',
  status: 408,
  message: 'The request did not arrive in time',
});

/** Bytes Node's HTTP parser could not read as a request (a bad request line, header or framing). */
export const createMalformedRequestError = createErrorFactory({
  code: 'request.malformed',
  status: 400,
  message: 'The request is not valid HTTP/1.1',
});

/** HTTP/1.1 requires a Host header; Node would answer this with an empty 400. */
export const createMissingHostError = createErrorFactory({
  code: 'request.missing_host',
  status: 400,
  message: 'HTTP/1.1 requests need a Host header',
});

/** An `Expect` header other than 100-continue; Node would answer this with an empty 417. */
export const createExpectationFailedError = createErrorFactory({
  code: 'request.expectation_failed',
  status: 417,
  message: 'Only "Expect: 100-continue" is understood',
});

export const createInternalError = createErrorFactory({
  code: 'internal',
  status: 500,
  message: 'Internal server error',
});
