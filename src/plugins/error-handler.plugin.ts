import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createError, isAppError } from '../shared/errors.ts';
import { bounded, createInternalError, createRouteNotFoundError } from '../shared/request.errors.ts';
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
 * that is not JSON is a 415.
 */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setValidatorCompiler(createRequestValidatorCompiler(app));
    // Every operation reads JSON (the Stripe webhook keeps its own raw JSON parser). Fastify's
    // built-in text/plain parser would hand the handler a string and answer 400 "body must be
    // object" where the client needs to hear 415.
    app.removeContentTypeParser('text/plain');

    app.setErrorHandler((err: FastifyError, request, reply) => sendError(err, request, reply));
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send(errorBody(createRouteNotFoundError(request.method, request.url), String(request.id))),
    );
  },
  { name: 'error-handler' },
);

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
      // Ajv's messages and instance paths come from the schemas (no schema here has free-form
      // keys), so they hold no client input; the cut is a backstop.
      message: bounded(err.message, 2000),
      details: err.validation.map((v) => ({
        path: bounded(v.instancePath),
        message: v.message === undefined ? undefined : bounded(v.message),
        keyword: v.keyword,
        params: boundedParams(v.params),
      })),
    };
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
