import { createErrorFactory } from '../shared/errors.ts';

/** A retry must repeat its request: the same key with another body is a different request. */
export const createIdempotencyKeyReusedError = createErrorFactory({
  code: 'idempotency.key_reused',
  status: 409,
  message: 'This Idempotency-Key was used with a different request',
});
