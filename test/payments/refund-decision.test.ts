import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES } from '../../src/bookings/booking-status.ts';
import { DEFAULT_REFUND_RULES, type RefundPolicy, type RefundRules } from '../../src/offices/offices.table.ts';
import { decideRefund, faultOf, refundStillOwed, type AttemptFact, type RefundOccasion } from '../../src/payments/refund-decision.ts';
import { computeRefundCents } from '../../src/payments/refund-policy.ts';
import { must } from '../helpers/must.ts';

const failed = (attempt: number, reason: string): AttemptFact => ({ attempt, outcome: 'failed', reason });
const returned = (...attempts: AttemptFact[]): RefundOccasion => ({ kind: 'returned_to_office', attempts });

const decide = (
  occasion: RefundOccasion,
  o: { paid?: number; refunded?: number; policy?: RefundPolicy; fee?: number; rules?: Partial<RefundRules> } = {},
) =>
  decideRefund({
    occasion,
    office: {
      refundPolicy: o.policy ?? 'fee_after_ready',
      cancellationFeeCents: o.fee ?? 150,
      refundRules: { ...DEFAULT_REFUND_RULES, ...o.rules },
    },
    paidCents: o.paid ?? 450,
    refundedCents: o.refunded ?? 0,
  });

describe('the refund a booking is owed, decided from its history', () => {
  it('cancelled before the handover: the office’s cancellation policy, as computeRefundCents has it', () => {
    const cancelled = (statusAtCancellation: (typeof BOOKING_STATUSES)[number]): RefundOccasion => ({
      kind: 'cancelled',
      statusAtCancellation,
      refund: 'policy',
    });
    expect(decide(cancelled('paid'))).toMatchObject({ rule: 'cancelled_before_handover', amountCents: 450 });
    const ready = decide(cancelled('document_ready'));
    expect(ready).toMatchObject({ rule: 'cancelled_before_handover', amountCents: 300 });
    expect(ready.reason).toContain('1,50 €');
    expect(decide(cancelled('paid'), { policy: 'fee' }).amountCents).toBe(300);
    // A refund made earlier counts towards the total; the fee is kept once.
    expect(decide(cancelled('document_ready'), { refunded: 100 }).amountCents).toBe(300);
    // A payment that never matched: everything back; the money already gone back: nothing more.
    expect(decide({ kind: 'cancelled', statusAtCancellation: 'document_ready', refund: 'full' }).amountCents).toBe(450);
    expect(decide({ kind: 'cancelled', statusAtCancellation: 'paid', refund: 'none' }, { refunded: 450 }).amountCents).toBe(450);
    expect(decide({ kind: 'cancelled', statusAtCancellation: 'paid', refund: 'none' }).amountCents).toBe(0);
  });

  it('the total of a cancellation minus what went back is exactly what the cancellation refunds', () => {
    for (const policy of ['full', 'fee', 'fee_after_ready'] as const) {
      for (const status of ['paid', 'document_ready', 'planned'] as const) {
        for (const refunded of [0, 100, 300, 450]) {
          const total = decide({ kind: 'cancelled', statusAtCancellation: status, refund: 'policy' }, { policy, refunded }).amountCents;
          const policyRefund = computeRefundCents({
            policy,
            feeCents: 150,
            paidCents: 450,
            alreadyRefundedCents: refunded,
            statusAtCancellation: status,
          });
          expect(refundStillOwed(total, refunded), `${policy} ${status} ${refunded}`).toBe(policyRefund);
        }
      }
    }
  });

  it('returned after an attempt the courier company caused: everything back', () => {
    const d = decide(returned(failed(1, 'address_not_found'), failed(2, 'address_not_found')));
    expect(d).toMatchObject({ rule: 'courier_fault', amountCents: 450 });
    expect(d.reason).toContain('address_not_found');
    expect(decide(returned(failed(1, 'not_reported'))).rule).toBe('courier_fault');
  });

  it('mixed reasons: one attempt the company caused is enough for a full refund', () => {
    expect(decide(returned(failed(1, 'not_home'), failed(2, 'other')))).toMatchObject({ rule: 'courier_fault', amountCents: 450 });
    expect(decide(returned(failed(1, 'not_reported'), failed(2, 'not_home')))).toMatchObject({ rule: 'courier_fault', amountCents: 450 });
  });

  it('a reason the office does not list counts as the company’s fault', () => {
    expect(faultOf(DEFAULT_REFUND_RULES, 'check_incomplete')).toBe('courier');
    expect(faultOf(DEFAULT_REFUND_RULES, 'toString')).toBe('courier');
    expect(decide(returned(failed(1, 'not_home'), failed(2, 'dog_in_the_garden')))).toMatchObject({
      rule: 'courier_fault',
      amountCents: 450,
    });
  });

  it('not at home on every attempt: nothing back, or everything but the fee where the office says so', () => {
    const none = decide(returned(failed(1, 'not_home'), failed(2, 'not_home')));
    expect(none).toMatchObject({ rule: 'citizen_fault', amountCents: 0 });
    expect(none.reason).toContain('not_home');
    const minusFee = decide(returned(failed(1, 'not_home'), failed(2, 'refused')), { rules: { citizenFault: 'minus_fee' } });
    expect(minusFee).toMatchObject({ rule: 'citizen_fault', amountCents: 300 });
    // A fee larger than what was paid: nothing rather than a negative amount.
    expect(decide(returned(failed(1, 'not_home')), { rules: { citizenFault: 'minus_fee' }, fee: 600 }).amountCents).toBe(0);
  });

  it('an office may count a reason the other way', () => {
    const rules = { faultByReason: { ...DEFAULT_REFUND_RULES.faultByReason, not_home: 'courier' as const } };
    expect(decide(returned(failed(1, 'not_home')), { rules }).rule).toBe('courier_fault');
  });

  it('returned without any attempt on record: nobody rang, so everything back', () => {
    expect(decide(returned())).toMatchObject({ rule: 'courier_fault', amountCents: 450 });
  });

  it('delivered, or a dispute lost: nothing owed back', () => {
    expect(decide({ kind: 'delivered' })).toMatchObject({ rule: 'delivered', amountCents: 0 });
    expect(decide({ kind: 'dispute_lost' })).toMatchObject({ rule: 'dispute_lost', amountCents: 0 });
    expect(decide({ kind: 'dispute_lost' }, { paid: 0 })).toMatchObject({ rule: 'dispute_lost', amountCents: 0 });
  });

  it('nothing paid: nothing owed, whatever the rule', () => {
    expect(decide(returned(failed(1, 'other')), { paid: 0 })).toMatchObject({ rule: 'courier_fault', amountCents: 0 });
    expect(decide(returned(failed(1, 'not_home')), { paid: 0 })).toMatchObject({ rule: 'citizen_fault', amountCents: 0 });
    expect(decide({ kind: 'cancelled', statusAtCancellation: 'awaiting_payment', refund: 'policy' }, { paid: 0 }).amountCents).toBe(0);
  });

  it('a partial refund made earlier: the total stays what is owed, and only the rest is still to refund', () => {
    const d = decide(returned(failed(1, 'other')), { refunded: 200 });
    expect(d.amountCents).toBe(450);
    expect(refundStillOwed(d.amountCents, 200)).toBe(250);
    // More went back than the rule owes (a refund in the dashboard): nothing more, never negative.
    expect(refundStillOwed(decide(returned(failed(1, 'not_home')), { refunded: 200 }).amountCents, 200)).toBe(0);
  });

  it('for any history and amounts: integer, between nothing and what was paid, with a reason of at most 500 characters', () => {
    const reasons = ['not_home', 'refused', 'identity_mismatch', 'address_not_found', 'other', 'not_reported', 'check_incomplete', 'x'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2_000; i++) {
      const paid = rnd(4) === 0 ? 0 : 1 + rnd(2_000);
      const refunded = rnd(3) === 0 ? rnd(paid * 2 + 1) : rnd(paid + 1);
      const kind = rnd(4);
      const occasion: RefundOccasion =
        kind === 0
          ? {
              kind: 'cancelled',
              statusAtCancellation: must(BOOKING_STATUSES[rnd(BOOKING_STATUSES.length)], 'status'),
              refund: (['policy', 'full', 'none'] as const)[rnd(3)] ?? 'policy',
            }
          : kind === 1
            ? returned(...Array.from({ length: rnd(6) }, (_, k) => failed(k + 1, must(reasons[rnd(reasons.length)], 'reason'))))
            : kind === 2
              ? { kind: 'delivered' }
              : { kind: 'dispute_lost' };
      const d = decide(occasion, {
        paid,
        refunded,
        fee: rnd(3_000),
        policy: (['full', 'fee', 'fee_after_ready'] as const)[rnd(3)],
        rules: { citizenFault: rnd(2) === 0 ? 'none' : 'minus_fee' },
      });
      expect(Number.isInteger(d.amountCents)).toBe(true);
      expect(d.amountCents).toBeGreaterThanOrEqual(0);
      expect(d.amountCents).toBeLessThanOrEqual(paid);
      expect(d.reason.length).toBeGreaterThan(0);
      expect(d.reason.length).toBeLessThanOrEqual(500);
      expect(refundStillOwed(d.amountCents, refunded)).toBeLessThanOrEqual(Math.max(0, paid - refunded));
    }
  });
});
