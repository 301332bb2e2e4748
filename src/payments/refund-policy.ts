import type { RefundPolicy } from '../offices/offices.table.ts';
import { FEE_AFTER_READY_STATUSES, type BookingStatus } from '../bookings/booking-status.ts';

/**
 * How much of a paid surcharge goes back on cancellation. Pure, so the rule can be read and tested
 * on its own: a fee is kept only where the policy says so, and never more than was paid.
 */
export function computeRefundCents(input: {
  policy: RefundPolicy;
  feeCents: number;
  paidCents: number;
  alreadyRefundedCents: number;
  statusAtCancellation: BookingStatus;
}): number {
  const refundable = Math.max(0, input.paidCents - input.alreadyRefundedCents);
  const documentArrived = FEE_AFTER_READY_STATUSES.includes(input.statusAtCancellation);
  const keepFee = input.policy === 'fee' || (input.policy === 'fee_after_ready' && documentArrived);
  return keepFee ? Math.max(0, refundable - input.feeCents) : refundable;
}
