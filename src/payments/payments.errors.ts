import { createErrorFactory } from '../shared/errors.ts';

export const createPaymentProviderUnavailableError = createErrorFactory({
  code: 'payment.provider_unavailable',
  status: 502,
  message: 'The payment provider could not be reached: retry with the same Idempotency-Key',
});

export const createPaymentNotFoundError = createErrorFactory({ code: 'payment.not_found', status: 404, message: 'Payment not found' });

export const createDiscrepancyNotFoundError = createErrorFactory({
  code: 'payment.discrepancy_not_found',
  status: 404,
  message: 'Payment discrepancy not found',
});

export const createDiscrepancyAlreadyResolvedError = createErrorFactory({
  code: 'payment.discrepancy_resolved',
  status: 409,
  message: 'This discrepancy is already resolved',
});

export const createDiscrepancyHasHoldError = createErrorFactory({
  code: 'payment.discrepancy_has_hold',
  status: 409,
  message: 'This discrepancy holds its booking: decide on the hold (resolveBookingHold), which resolves the discrepancy too',
});

export const createWebhookInvalidBodyError = createErrorFactory({
  code: 'webhook.invalid_body',
  status: 400,
  message: 'Expected a JSON body',
});

export const createWebhookInvalidSignatureError = createErrorFactory({
  code: 'webhook.invalid_signature',
  status: 400,
  message: 'Stripe signature verification failed',
});
