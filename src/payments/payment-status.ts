/**
 * Stripe may deliver events late and out of order. A PaymentIntent only ever moves forward
 * through these ranks, so an old `payment_failed` arriving after `succeeded` changes nothing.
 */
const RANK: Record<string, number> = {
  creating: 0,
  requires_payment_method: 1,
  requires_confirmation: 2,
  requires_action: 3,
  processing: 4,
  requires_capture: 5,
  canceled: 6,
  succeeded: 7,
};

export function isForwardPaymentStatus(current: string, next: string): boolean {
  if (current === 'succeeded' || current === 'canceled') return false;
  // A failed attempt returns a PaymentIntent to requires_payment_method: that is a real move back
  // for Stripe, but never past a terminal state, which the line above rules out.
  if (next === 'requires_payment_method') return true;
  return (RANK[next] ?? -1) > (RANK[current] ?? -1);
}
