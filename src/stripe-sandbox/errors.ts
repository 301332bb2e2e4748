import type Stripe from 'stripe';

/**
 * Errors in Stripe's wire shape (`{ error: { type, code, message, param, ... } }`) with the HTTP
 * status Stripe would use, so stripe-node maps them onto the same error classes
 * (400/404 → StripeInvalidRequestError, 402 → StripeCardError, 401 → StripeAuthenticationError,
 * 400 + idempotency_error → StripeIdempotencyError).
 * The factories are named after the Stripe error codes they produce, so call sites read like
 * Stripe's documentation (`throw resourceMissing(...)`).
 */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
  payment_method?: Stripe.PaymentMethod;
}

export class SandboxError extends Error {
  readonly statusCode: number;
  readonly body: StripeErrorBody;
  /**
   * Stripe stores an idempotent result only once the endpoint actually started executing:
   * validation failures and unknown ids are not stored (a corrected retry with the same key
   * must work), whereas card declines and state conflicts are replayed like successes.
   */
  readonly executed: boolean;

  constructor(statusCode: number, body: StripeErrorBody, executed = false) {
    super(body.message);
    this.name = 'SandboxError';
    this.statusCode = statusCode;
    this.body = body;
    this.executed = executed;
  }
}

function buildDocUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

function createInvalidRequest(statusCode: number, message: string, code?: string, param?: string, executed = false): SandboxError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code !== undefined) {
    body.code = code;
    body.doc_url = buildDocUrl(code);
  }
  if (param !== undefined) body.param = param;
  return new SandboxError(statusCode, body, executed);
}

/** Unknown id: Stripe answers 404 with the offending parameter named (`id` for path ids). */
export function resourceMissing(noun: string, id: string, param = 'id'): SandboxError {
  return createInvalidRequest(404, `No such ${noun}: '${id}'`, 'resource_missing', param);
}

export function parameterMissing(param: string): SandboxError {
  return createInvalidRequest(400, `Missing required param: ${param}.`, 'parameter_missing', param);
}

export function parameterUnknown(param: string): SandboxError {
  return createInvalidRequest(400, `Received unknown parameter: ${param}`, 'parameter_unknown', param);
}

export function parameterInvalidInteger(param: string, value: string): SandboxError {
  return createInvalidRequest(400, `Invalid integer: ${value}`, 'parameter_invalid_integer', param);
}

export function parameterInvalidEmpty(param: string): SandboxError {
  return createInvalidRequest(
    400,
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    'parameter_invalid_empty',
    param,
  );
}

/** A parameter with a malformed or out-of-range value (no more specific Stripe code applies). */
export function parameterInvalid(param: string, message: string, code?: string): SandboxError {
  return createInvalidRequest(400, message, code, param);
}

/** Request that executed but conflicts with the object's state (stored for idempotent replay). */
export function stateConflict(message: string, code: string, extra: Partial<StripeErrorBody> = {}): SandboxError {
  const error = createInvalidRequest(400, message, code, extra.param, true);
  Object.assign(error.body, extra);
  return error;
}

export function cardDeclined(body: Omit<StripeErrorBody, 'type'>): SandboxError {
  return new SandboxError(402, { type: 'card_error', ...body }, true);
}

export function idempotencyMismatch(key: string, reason: 'parameters' | 'endpoint'): SandboxError {
  const message =
    reason === 'parameters'
      ? `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`
      : `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${key}'). Try using a key other than '${key}' if you meant to execute a different request.`;
  return new SandboxError(400, { type: 'idempotency_error', message });
}

export function authenticationFailed(message: string): SandboxError {
  return new SandboxError(401, { type: 'invalid_request_error', message });
}

export function unrecognizedUrl(method: string, path: string): SandboxError {
  return createInvalidRequest(
    404,
    `Unrecognized request URL (${method}: ${path}). This offline Stripe sandbox implements only the endpoints Amtsbote uses; see GET /sandbox.`,
  );
}

export function internalError(message: string): SandboxError {
  return new SandboxError(500, { type: 'api_error', message });
}

export function toErrorPayload(error: SandboxError): { error: StripeErrorBody } {
  return { error: error.body };
}
