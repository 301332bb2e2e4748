import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createError, isAppError } from '../shared/errors.ts';
import {
  bounded,
  createBadUrlError,
  createExpectationFailedError,
  createHeadersTooLargeError,
  createInternalError,
  createMalformedRequestError,
  createMissingHostError,
  createPathSegmentTooLongError,
  createRequestTimeoutError,
  createRouteNotFoundError,
} from '../shared/request.errors.ts';
import { createRequestValidatorCompiler } from './request-validation.ts';

/** What an error answer says; an `AppError` is one. */
interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** The one error shape: `{ error: { code, message, requestId, details? } }`. */
export function errorBody(err: Omit<ErrorAnswer, 'status'>, requestId: string) {
  return { error: { code: err.code, message: err.message, requestId, ...(err.details ? { details: err.details } : {}) } };
}

/**
 * One error shape for every failure: `{ error: { code, message, requestId } }`. Client mistakes
 * get a precise 4xx; anything unexpected is a 500 whose details stay in the log. This plugin also
 * decides what a client mistake is: JSON bodies are validated without type coercion, and a body
 * that is not JSON is a 415. What Fastify and Node answer before a route runs is shaped by
 * `errorServerOptions`, which `buildApp` passes to `Fastify()`.
 */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setValidatorCompiler(createRequestValidatorCompiler(app));
    // Every operation reads JSON (the Stripe webhook keeps its own raw JSON parser). Fastify's
    // built-in text/plain parser would hand the handler a string and answer 400 "body must be
    // object" where the client needs to hear 415.
    app.removeContentTypeParser('text/plain');
    // Fastify's own formatter, except that a path is cut: the NUL check (request-validation.ts)
    // reports paths built from the input's keys, of any length.
    app.setSchemaErrorFormatter(
      (errors, dataVar) => new Error(errors.map((e) => `${dataVar}${bounded(e.instancePath ?? '')} ${e.message}`).join(', ')),
    );

    // Node answers an Expect header other than 100-continue itself, with an empty 417.
    app.server.on('checkExpectation', answerExpectationFailed);
    // Node's own Host check (an empty 400) is off (see errorServerOptions); it is made here.
    app.addHook('onRequest', async (request) => {
      if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) throw createMissingHostError();
    });

    app.setErrorHandler((err: FastifyError, request, reply) => sendError(err, request, reply));
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send(errorBody(createRouteNotFoundError(request.method, request.url), String(request.id))),
    );
  },
  { name: 'error-handler' },
);

/**
 * Options for `Fastify()`: answers Fastify's router and Node's HTTP server give before any hook
 * runs. By default they echo the whole URL (a bad percent-encoding, a path parameter over
 * Fastify's `maxParamLength`) or come without the error shape (431 for oversized headers, 400
 * for bytes that are not HTTP or a request without Host).
 */
export const errorServerOptions = {
  frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    // No hook runs for these requests (no route was found), so the id header is set here.
    reply.header('x-request-id', request.id);
    return sendError(err, request, reply);
  },
  clientErrorHandler,
  http: { requireHostHeader: false },
};

function sendError(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const answer = toErrorAnswer(err);
  if (answer.status >= 500) request.log.error({ err }, isAppError(err) ? 'domain error' : 'unhandled error');
  return reply.status(answer.status).send(errorBody(answer, String(request.id)));
}

function toErrorAnswer(err: FastifyError): ErrorAnswer {
  if (isAppError(err)) return err;
  if (err.validation) {
    return {
      code: `request.invalid_${err.validationContext ?? 'request'}`,
      status: 400,
      message: bounded(err.message, 2000),
      details: err.validation.map((v) => ({
        path: bounded(v.instancePath),
        message: v.message === undefined ? undefined : bounded(v.message),
        keyword: v.keyword,
        params: boundedParams(v.params),
      })),
    };
  }
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return createBadUrlError();
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return createPathSegmentTooLongError();
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500)
    return createError({ code: clientErrorCode(err, status), status, message: bounded(err.message, 2000) });
  return createInternalError();
}

/** Ajv's params name the offending key of the input (`additionalProperty`), which may be of any length. */
function boundedParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? bounded(v) : v]));
}

function clientErrorCode(err: FastifyError, status: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request.body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'request.unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request.empty_body';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request.malformed_json';
    default:
      if (err instanceof SyntaxError) return 'request.malformed_json';
      return status === 413 ? 'request.body_too_large' : 'request.bad_request';
  }
}

/**
 * Node's HTTP parser gave up on the bytes of a connection (headers over `maxHeaderSize`, a
 * request line that is not HTTP, a request that took too long): there is no Fastify request, so
 * the answer is written to the socket here, with a fresh request id the log line shares.
 */
function clientErrorHandler(this: FastifyInstance, err: ConnectionError, socket: Socket) {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? createHeadersTooLargeError()
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? createRequestTimeoutError()
        : createMalformedRequestError();
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, code: err.code, statusCode: error.status }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(error, requestId));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
    () => socket.destroy(),
  );
}

function answerExpectationFailed(_req: IncomingMessage, res: ServerResponse) {
  const error = createExpectationFailedError();
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(error, requestId));
  res.writeHead(error.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    connection: 'close',
  });
  res.end(body);
}
