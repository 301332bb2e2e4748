import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import type { Database } from '../db/client.ts';
import { createPaymentsRepository } from '../payments/payments.repository.ts';
import { createBookingHoldsRepository } from './booking-holds.repository.ts';
import { CANCELLABLE_STATUSES } from './booking-status.ts';
import { createBookingNotCancellableError, createBookingNotFoundError, createHoldNotFoundError } from './bookings.errors.ts';
import { createBookingsRepository, transitionBooking } from './bookings.repository.ts';
import type { HoldReason } from './bookings.table.ts';
import { cancelBookingInTx, type RefundRule } from './cancellation.ts';

export type HoldDecision = 'continue' | 'cancel';

/** On cancel, what goes back: a payment that never matched in full; money already returned, nothing. */
const REFUND_ON_CANCEL: Record<HoldReason, RefundRule> = {
  payment_mismatch: 'full',
  refunded_at_stripe: 'full',
  dispute: 'none',
};

/**
 * A finance officer's decision on a held booking. `continue` releases the hold (a mismatched
 * payment is accepted and the booking becomes paid); `cancel` cancels the booking, refunding what
 * the hold's reason says is owed, and releases every hold. Either way the hold's discrepancies are
 * resolved with the comment, and the audit log names who decided.
 */
export function createBookingHoldsService(deps: {
  db: Database;
  clock: () => Date;
  afterCommit: { refundOwed(refundId: string): Promise<void> };
}) {
  return {
    async resolveHold(
      bookingId: string,
      holdId: string,
      input: { decision: HoldDecision; comment: string },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      const now = deps.clock();
      const result = await deps.db.transaction(async (tx) => {
        const bookings = createBookingsRepository(tx);
        const booking = await bookings.findById(bookingId, { forUpdate: true });
        if (!booking || !canActForOffice(staff, booking.officeId)) throw createBookingNotFoundError();
        const holds = createBookingHoldsRepository(tx);
        const hold = (await holds.openHolds(bookingId)).find((h) => h.id === holdId);
        if (!hold) throw createHoldNotFoundError();
        const by = { releasedBy: staff.id, comment: input.comment, at: now };

        let current = booking;
        let refund = null;
        let released;
        if (input.decision === 'continue') {
          // The payment was not what the booking asked for; a person accepted it as its payment.
          if (hold.reason === 'payment_mismatch' && booking.status === 'awaiting_payment') {
            current = await transitionBooking(tx, booking, 'paid', { type: 'staff', id: staff.id }, 'payment_mismatch_accepted');
          }
          released = await holds.release({ holdId }, { ...by, resolution: 'continued' });
        } else {
          if (!CANCELLABLE_STATUSES.includes(booking.status)) throw createBookingNotCancellableError(booking.status);
          const cancelled = await cancelBookingInTx(tx, booking, {
            actor: { type: 'staff', id: staff.id },
            reason: `hold_${hold.reason}`,
            refund: REFUND_ON_CANCEL[hold.reason],
            now,
            requestId,
            holdResolution: 'cancelled',
          });
          current = cancelled.booking;
          refund = cancelled.refund;
          released = cancelled.releasedHolds;
        }
        await createPaymentsRepository(tx).resolveDiscrepancies(
          { holdIds: released.map((h) => h.id) },
          { resolvedBy: staff.id, comment: input.comment, at: now },
        );
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'booking.hold_resolved',
          subjectType: 'booking',
          subjectId: bookingId,
          officeId: booking.officeId,
          requestId,
          details: { holdId, reason: hold.reason, decision: input.decision, refundCents: refund?.amountCents ?? 0 },
        });
        const resolvedHold = released.find((h) => h.id === holdId) ?? hold;
        return { booking: current, hold: resolvedHold, refund };
      });
      if (result.refund) await deps.afterCommit.refundOwed(result.refund.id);
      return result;
    },
  };
}

export type BookingHoldsService = ReturnType<typeof createBookingHoldsService>;
