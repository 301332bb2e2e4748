import { describe, expect, it } from 'vitest';
import { isForwardPaymentStatus } from '../../src/payments/payment-status.ts';

const STATUSES = [
  'creating',
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
];

describe('a PaymentIntent status only moves forward', () => {
  it('nothing moves a succeeded or canceled payment, not even to the other terminal status', () => {
    for (const next of STATUSES) {
      expect(isForwardPaymentStatus('succeeded', next)).toBe(false);
      expect(isForwardPaymentStatus('canceled', next)).toBe(false);
    }
  });

  it('a failed attempt returns a live PaymentIntent to requires_payment_method (the citizen may try another card)', () => {
    for (const current of ['creating', 'requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']) {
      expect(isForwardPaymentStatus(current, 'requires_payment_method')).toBe(true);
    }
  });

  it('live statuses move forward to later ones and to the terminal ones, not back', () => {
    expect(isForwardPaymentStatus('creating', 'processing')).toBe(true);
    expect(isForwardPaymentStatus('requires_payment_method', 'canceled')).toBe(true);
    expect(isForwardPaymentStatus('processing', 'succeeded')).toBe(true);
    expect(isForwardPaymentStatus('processing', 'requires_confirmation')).toBe(false);
    expect(isForwardPaymentStatus('requires_action', 'requires_action')).toBe(false);
  });

  it('an unknown status Stripe may add later never overtakes a known one', () => {
    expect(isForwardPaymentStatus('processing', 'some_future_status')).toBe(false);
    expect(isForwardPaymentStatus('some_future_status', 'succeeded')).toBe(true);
  });
});
