import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import { createBookingNotFoundError } from '../bookings/bookings.errors.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import type { Database } from '../db/client.ts';
import {
  createRefundAbovePaidError,
  createRefundBelowRefundedError,
  createRefundDisputedError,
  createRefundNotDecidedError,
} from './payments.errors.ts';
import { createPaymentsRepository } from './payments.repository.ts';
import type { PaymentDispute } from './payments.table.ts';
import { paidCentsOf, refundedCentsOf } from './refund-decision-tx.ts';
import { refundStillOwed } from './refund-decision.ts';

/** A dispute still running, or lost: the bank, not the platform, decides (or decided) where the money goes. */
const blocksRefund = (disputes: PaymentDispute[]) => disputes.some((d) => d.closedAt === null || d.status === 'lost');

/**
 * A person overrides what code decided a booking is owed back, with a comment (audited). Raising
 * it writes a pending refund for the difference, carried out after commit; lowering it below what
 * already went back or is on its way is refused, since money sent cannot be taken back here.
 */
export function createRefundDecisionsService(deps: {
  db: Database;
  clock: () => Date;
  afterCommit: { refundOwed(refundId: string): Promise<void> };
}) {
  return {
    async overrideDecision(bookingId: string, input: { amountCents: number; comment: string }, staff: StaffPrincipal, requestId?: string) {
      const result = await deps.db.transaction(async (tx) => {
        // Booking, then payment, then decision: the order the ending transactions lock them in.
        const booking = await createBookingsRepository(tx).findById(bookingId, { forUpdate: true });
        if (!booking || !canActForOffice(staff, booking.officeId)) throw createBookingNotFoundError();
        const payments = createPaymentsRepository(tx);
        const payment = await payments.findByBooking(bookingId, { forUpdate: true });
        const existing = await payments.findRefundDecision(bookingId, { forUpdate: true });
        // Deciding early would only guess: a booking in flight may still be delivered or returned.
        if (!existing) throw createRefundNotDecidedError();
        const paidCents = paidCentsOf(payment);
        if (input.amountCents > paidCents) throw createRefundAbovePaidError(paidCents);
        const refundedCents = await refundedCentsOf(payments, payment);
        if (input.amountCents < refundedCents) throw createRefundBelowRefundedError(refundedCents);
        const owed = refundStillOwed(input.amountCents, refundedCents);
        if (owed > 0 && payment && blocksRefund(await payments.disputesOfPayment(payment.id))) throw createRefundDisputedError();
        const decision = await payments.overrideRefundDecision(bookingId, {
          amountCents: input.amountCents,
          staffId: staff.id,
          comment: input.comment,
          at: deps.clock(),
        });
        const refund =
          owed > 0 && payment
            ? await payments.insertRefund({ paymentId: payment.id, bookingId, amountCents: owed, reason: 'refund_decision_override' })
            : null;
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'refund.overridden',
          subjectType: 'booking',
          subjectId: bookingId,
          officeId: booking.officeId,
          requestId,
          // Amounts and ids only: the comment stays on the decision, where access is the booking's.
          details: {
            rule: decision.rule,
            policyAmountCents: decision.policyAmountCents,
            fromAmountCents: existing.amountCents,
            toAmountCents: decision.amountCents,
            refundId: refund?.id ?? null,
            refundCents: refund?.amountCents ?? 0,
          },
        });
        return { decision, refund };
      });
      if (result.refund) await deps.afterCommit.refundOwed(result.refund.id);
      return result;
    },
  };
}

export type RefundDecisionsService = ReturnType<typeof createRefundDecisionsService>;
