import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, CANCELLABLE_STATUSES, type BookingStatus } from '../../src/bookings/booking-status.ts';
import type { RefundPolicy } from '../../src/offices/offices.table.ts';
import { computeRefundCents } from '../../src/payments/refund-policy.ts';
import { must } from '../helpers/must.ts';

const refund = (policy: RefundPolicy, statusAtCancellation: BookingStatus, o: { fee?: number; paid?: number; already?: number } = {}) =>
  computeRefundCents({
    policy,
    feeCents: o.fee ?? 150,
    paidCents: o.paid ?? 450,
    alreadyRefundedCents: o.already ?? 0,
    statusAtCancellation,
  });

describe('how much of the surcharge a cancellation refunds', () => {
  it('full: everything that was paid, whenever the booking is cancelled', () => {
    for (const status of CANCELLABLE_STATUSES) expect(refund('full', status)).toBe(450);
  });

  it('fee: the cancellation fee is always kept', () => {
    for (const status of CANCELLABLE_STATUSES) expect(refund('fee', status)).toBe(300);
  });

  it('fee_after_ready: everything before the document arrived, the fee kept once it is at the office or planned', () => {
    expect(refund('fee_after_ready', 'awaiting_payment')).toBe(450);
    expect(refund('fee_after_ready', 'paid')).toBe(450);
    expect(refund('fee_after_ready', 'document_ready')).toBe(300);
    expect(refund('fee_after_ready', 'planned')).toBe(300);
  });

  it('what was refunded before (a partial refund in the dashboard) is deducted, and the fee is kept only once', () => {
    expect(refund('full', 'paid', { already: 100 })).toBe(350);
    expect(refund('fee', 'paid', { already: 100 })).toBe(200);
    expect(refund('fee_after_ready', 'document_ready', { already: 100 })).toBe(200);
    expect(refund('full', 'paid', { already: 450 })).toBe(0);
  });

  it('a fee larger than what is left refunds nothing rather than a negative amount', () => {
    expect(refund('fee', 'paid', { fee: 500 })).toBe(0);
    expect(refund('fee', 'paid', { fee: 150, already: 400 })).toBe(0);
    expect(refund('fee_after_ready', 'planned', { fee: 450 })).toBe(0);
  });

  it('never more than was paid and not yet refunded, never negative, for any policy, status and amounts', () => {
    const policies: RefundPolicy[] = ['full', 'fee', 'fee_after_ready'];
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2_000; i++) {
      const paid = 1 + rnd(2_000);
      const already = rnd(3) === 0 ? rnd(paid * 2) : rnd(paid + 1);
      const fee = rnd(4) === 0 ? 0 : rnd(3_000);
      const policy = must(policies[rnd(3)], 'policies[rnd(3)]');
      const status = must(BOOKING_STATUSES[rnd(BOOKING_STATUSES.length)], 'BOOKING_STATUSES[rnd(BOOKING_STATUSES.length)]');
      const r = computeRefundCents({ policy, feeCents: fee, paidCents: paid, alreadyRefundedCents: already, statusAtCancellation: status });
      expect(Number.isInteger(r)).toBe(true);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(Math.max(0, paid - already));
      // Whatever is kept back is at most the fee.
      if (already <= paid) expect(paid - already - r).toBeLessThanOrEqual(policy === 'full' ? 0 : fee);
    }
  });
});
