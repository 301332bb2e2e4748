import { formatCentsAsEuro } from '../finance/csv.ts';
import type { BookingStatus } from '../bookings/booking-status.ts';
import type { AttemptFault, RefundPolicy, RefundRules } from '../offices/offices.table.ts';
import type { RefundRule } from './payments.table.ts';
import { computeRefundCents } from './refund-policy.ts';

/**
 * What the platform owes a booking's payer back, decided from the booking's history when it ends.
 * Pure: no database, no Stripe, so every rule can be read and tested on its own. The caller
 * records the decision and refunds the difference to what already went back (refund-decision-tx.ts).
 */

/** One attempt at the door as `delivery_attempts` records it. */
export interface AttemptFact {
  attempt: number;
  outcome: 'delivered' | 'failed';
  /** A courier failure reason, or `not_reported`; null when delivered. */
  reason: string | null;
}

/** How the booking ended (or what ended its money). */
export type RefundOccasion =
  /**
   * Cancelled (or expired) before the handover. `refund` is what the ending path owes: the
   * office's policy (a citizen or clerk cancelling), everything (a payment that never matched, or
   * one that arrived after the booking ended), or nothing more (the money already went back
   * through a dispute or at Stripe).
   */
  | { kind: 'cancelled'; statusAtCancellation: BookingStatus; refund: 'policy' | 'full' | 'none' }
  | { kind: 'returned_to_office'; attempts: AttemptFact[] }
  | { kind: 'delivered' }
  | { kind: 'dispute_lost' };

export interface RefundDecisionInput {
  occasion: RefundOccasion;
  office: { refundPolicy: RefundPolicy; cancellationFeeCents: number; refundRules: RefundRules };
  /** What the payer paid (0 when nothing was paid). */
  paidCents: number;
  /** What already went back or is on its way (refunds made at Stripe, the platform's pending and made refunds). */
  refundedCents: number;
}

export interface RefundDecisionResult {
  rule: RefundRule;
  /** What is owed back in total over the booking's life (not the amount still to refund): 0 ≤ amount ≤ paid. */
  amountCents: number;
  /** In plain words, for the finance office and the booking's page (≤ 500 characters). */
  reason: string;
}

/** Reasons the office does not list count as the company's fault: a new reason never silently keeps a citizen's money. */
export function faultOf(rules: RefundRules, reason: string | null): AttemptFault {
  if (reason === null) return 'courier';
  return Object.hasOwn(rules.faultByReason, reason) ? (rules.faultByReason[reason] ?? 'courier') : 'courier';
}

const euros = (cents: number) => `${formatCentsAsEuro(cents)} €`;

export function decideRefund(input: RefundDecisionInput): RefundDecisionResult {
  const paid = Math.max(0, input.paidCents);
  const refunded = Math.min(paid, Math.max(0, input.refundedCents));
  const result = decide(input.occasion, input.office, paid, refunded);
  // Whatever a rule says, never more than was paid, never less than nothing.
  return { ...result, amountCents: Math.min(paid, Math.max(0, result.amountCents)), reason: result.reason.slice(0, 500) };
}

function decide(occasion: RefundOccasion, office: RefundDecisionInput['office'], paid: number, refunded: number): RefundDecisionResult {
  if (paid === 0 && occasion.kind !== 'dispute_lost') {
    return { rule: ruleOf(occasion, office.refundRules), amountCents: 0, reason: 'Nothing was paid, so nothing is owed back.' };
  }
  switch (occasion.kind) {
    case 'delivered':
      return { rule: 'delivered', amountCents: 0, reason: 'The document was delivered: nothing is owed back.' };
    case 'dispute_lost':
      return {
        rule: 'dispute_lost',
        amountCents: 0,
        reason: 'A dispute was lost: the bank already returned the money to the card holder, so no refund is made on top.',
      };
    case 'cancelled': {
      if (occasion.refund === 'none') {
        return {
          rule: 'cancelled_before_handover',
          amountCents: refunded,
          reason: 'Cancelled before the handover; the money had already gone back (a dispute or a refund at Stripe), nothing more is owed.',
        };
      }
      if (occasion.refund === 'full') {
        return {
          rule: 'cancelled_before_handover',
          amountCents: paid,
          reason:
            'Ended before the handover with a payment it cannot keep (it did not match the booking, or arrived after the booking ended): everything received is refunded.',
        };
      }
      const now = computeRefundCents({
        policy: office.refundPolicy,
        feeCents: office.cancellationFeeCents,
        paidCents: paid,
        alreadyRefundedCents: refunded,
        statusAtCancellation: occasion.statusAtCancellation,
      });
      const kept = paid - refunded - now;
      return {
        rule: 'cancelled_before_handover',
        amountCents: refunded + now,
        reason:
          kept > 0
            ? `Cancelled before the handover (status ${occasion.statusAtCancellation}); the office's policy (${office.refundPolicy}) keeps the cancellation fee of ${euros(kept)}.`
            : `Cancelled before the handover (status ${occasion.statusAtCancellation}); the office's policy (${office.refundPolicy}) refunds everything.`,
      };
    }
    case 'returned_to_office': {
      const failed = occasion.attempts.filter((a) => a.outcome === 'failed');
      const courierFaults = failed.filter((a) => faultOf(office.refundRules, a.reason) === 'courier');
      // No failed attempt on record: nobody rang, so the citizen did nothing wrong.
      if (failed.length === 0 || courierFaults.length > 0) {
        const reasons = [...new Set(courierFaults.map((a) => a.reason ?? 'unknown'))].join(', ');
        return {
          rule: 'courier_fault',
          amountCents: paid,
          reason:
            failed.length === 0
              ? 'Returned to the office without a recorded attempt at the door: everything is refunded.'
              : `Returned to the office; ${courierFaults.length} of ${failed.length} attempts failed through the courier company (${reasons}): everything is refunded.`,
        };
      }
      const reasons = [...new Set(failed.map((a) => a.reason ?? 'unknown'))].join(', ');
      if (office.refundRules.citizenFault === 'minus_fee') {
        return {
          rule: 'citizen_fault',
          amountCents: paid - office.cancellationFeeCents,
          reason: `Returned to the office; every attempt failed through the citizen (${reasons}): refunded except the cancellation fee of ${euros(Math.min(paid, office.cancellationFeeCents))}.`,
        };
      }
      return {
        rule: 'citizen_fault',
        amountCents: 0,
        reason: `Returned to the office; every attempt failed through the citizen (${reasons}): nothing is refunded.`,
      };
    }
  }
}

function ruleOf(occasion: RefundOccasion, rules: RefundRules): RefundRule {
  switch (occasion.kind) {
    case 'cancelled':
      return 'cancelled_before_handover';
    case 'delivered':
      return 'delivered';
    case 'dispute_lost':
      return 'dispute_lost';
    case 'returned_to_office': {
      const failed = occasion.attempts.filter((a) => a.outcome === 'failed');
      return failed.length > 0 && failed.every((a) => faultOf(rules, a.reason) === 'citizen') ? 'citizen_fault' : 'courier_fault';
    }
  }
}

/** What is still to refund on top of what went back or is pending: the decision's total is the ceiling. */
export function refundStillOwed(decisionCents: number, refundedCents: number): number {
  return Math.max(0, decisionCents - Math.max(0, refundedCents));
}
