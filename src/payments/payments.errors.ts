import { createError, createErrorFactory } from '../shared/errors.ts';

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

export const createRefundNotDecidedError = createErrorFactory({
  code: 'refund_decision.not_decided',
  status: 409,
  message:
    'This booking has no refund decision yet: it is decided from the booking’s history when the booking ends (delivered, returned, cancelled); override it then',
});

export const createRefundBelowRefundedError = (refundedCents: number) =>
  createError({
    code: 'refund_decision.below_refunded',
    status: 409,
    message: `${refundedCents} cents have already been refunded or are being refunded: the amount owed cannot be set lower`,
  });

export const createRefundAbovePaidError = (paidCents: number) =>
  createError({
    code: 'refund_decision.above_paid',
    status: 409,
    message: `Only ${paidCents} cents were paid: no more than that can be owed back`,
  });

export const createRefundDisputedError = createErrorFactory({
  code: 'refund_decision.disputed',
  status: 409,
  message: 'The payment is disputed (open or lost): the dispute decides where the money goes, so no further refund can be made',
});
