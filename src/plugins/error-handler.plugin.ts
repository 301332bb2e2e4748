import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isAppError } from '../shared/errors.ts';
import { createRequestValidatorCompiler } from './request-validation.ts';

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

    app.setErrorHandler((err: FastifyError, request, reply) => {
      const requestId = String(request.id);
      if (isAppError(err)) {
        if (err.status >= 500) request.log.error({ err }, 'domain error');
        return reply.status(err.status).send({
          error: { code: err.code, message: err.message, requestId, ...(err.details ? { details: err.details } : {}) },
        });
      }
      if (err.validation) {
        const where = err.validationContext ?? 'request';
        return reply.status(400).send({
          error: {
            code: `request.invalid_${where}`,
            message: err.message.slice(0, 2000),
            requestId,
            details: err.validation.map((v) => ({ path: v.instancePath, message: v.message, keyword: v.keyword, params: v.params })),
          },
        });
      }
      const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
      if (status >= 400 && status < 500) {
        return reply.status(status).send({
          error: { code: clientErrorCode(err, status), message: err.message.slice(0, 2000), requestId },
        });
      }
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: { code: 'internal', message: 'Internal server error', requestId } });
    });

    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: {
          code: 'route.not_found',
          message: `No route ${request.method} ${request.url.split('?')[0]}`,
          requestId: String(request.id),
        },
      }),
    );
  },
  { name: 'error-handler' },
);

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
