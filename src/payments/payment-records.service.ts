import { recordAudit } from '../audit/audit.repository.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope, canActForOffice } from '../auth/office-scope.ts';
import type { Database } from '../db/client.ts';
import { decodeCursor, STRIPE_ID, toPage } from '../shared/cursor.ts';
import {
  createDiscrepancyAlreadyResolvedError,
  createDiscrepancyNotFoundError,
  createDiscrepancyHasHoldError,
  createPaymentNotFoundError,
} from './payments.errors.ts';
import { createPaymentsRepository, type PaymentListFilter } from './payments.repository.ts';
import type { DiscrepancyKind } from './payments.table.ts';

type Paging = { cursor?: string; limit: number };

/**
 * The finance office's view of money: payments, refunds, disputes and discrepancies with amounts
 * and Kassenzeichen, never recipient data. Staff bound to an office see only that office.
 */
export function createPaymentRecordsService(deps: { db: Database; clock: () => Date }) {
  const { db } = deps;
  const repo = createPaymentsRepository(db);
  const scoped = (staff: StaffPrincipal, officeId?: string) => {
    if (officeId) assertOfficeScope(staff, officeId, 'Staff see only their own office');
    return staff.officeId ?? officeId;
  };
  const cursorOf = (paging: Paging, idPattern?: RegExp) => (paging.cursor ? decodeCursor(paging.cursor, idPattern) : undefined);

  return {
    async listPayments(filter: Omit<PaymentListFilter, 'cursor'> & Paging, staff: StaffPrincipal) {
      const rows = await repo.list({
        ...filter,
        officeId: scoped(staff, filter.officeId),
        cursor: cursorOf(filter),
        limit: filter.limit + 1,
      });
      return toPage(rows, filter.limit, (r) => r.payment);
    },

    async getPayment(id: string, staff: StaffPrincipal) {
      const row = await repo.findWithBooking(id);
      if (!row || !canActForOffice(staff, row.officeId)) throw createPaymentNotFoundError();
      const { payment } = row;
      const [refunds, disputes, discrepancies, holds] = await Promise.all([
        repo.refundsOfPayment(id),
        repo.disputesOfPayment(id),
        repo.discrepanciesOfBooking(payment.bookingId),
        createBookingHoldsRepository(db).holdsOf(payment.bookingId),
      ]);
      return { ...row, refunds, disputes, discrepancies, holds };
    },

    async listRefunds(filter: { officeId?: string; statuses?: ('pending' | 'succeeded' | 'failed')[] } & Paging, staff: StaffPrincipal) {
      const rows = await repo.listRefunds({
        ...filter,
        officeId: scoped(staff, filter.officeId),
        cursor: cursorOf(filter),
        limit: filter.limit + 1,
      });
      return toPage(rows, filter.limit, (r) => r.refund);
    },

    async listDisputes(filter: { officeId?: string; open?: boolean } & Paging, staff: StaffPrincipal) {
      const rows = await repo.listDisputes({
        ...filter,
        officeId: scoped(staff, filter.officeId),
        cursor: cursorOf(filter, STRIPE_ID),
        limit: filter.limit + 1,
      });
      return toPage(rows, filter.limit, (r) => ({ createdAt: r.dispute.openedAt, id: r.dispute.id }));
    },

    async listDiscrepancies(filter: { officeId?: string; open?: boolean; kinds?: DiscrepancyKind[] } & Paging, staff: StaffPrincipal) {
      const rows = await repo.listDiscrepancies({
        ...filter,
        officeId: scoped(staff, filter.officeId),
        cursor: cursorOf(filter),
        limit: filter.limit + 1,
      });
      return toPage(rows, filter.limit, (d) => ({ createdAt: d.detectedAt, id: d.id }));
    },

    /**
     * A finance officer marks a discrepancy resolved, with a comment (audited). One that holds its
     * booking is resolved by deciding on the hold instead, so the booking never stays held unseen.
     */
    async resolveDiscrepancy(id: string, input: { comment: string }, staff: StaffPrincipal, requestId?: string) {
      return db.transaction(async (tx) => {
        const payments = createPaymentsRepository(tx);
        const found = await payments.findDiscrepancy(id, { forUpdate: true });
        if (!found || (found.officeId && !canActForOffice(staff, found.officeId))) throw createDiscrepancyNotFoundError();
        if (found.resolvedAt) throw createDiscrepancyAlreadyResolvedError();
        if (found.holdId && found.bookingId) {
          const open = await createBookingHoldsRepository(tx).openHolds(found.bookingId);
          if (open.some((h) => h.id === found.holdId)) throw createDiscrepancyHasHoldError();
        }
        const [resolved] = await payments.resolveDiscrepancies({ id }, { resolvedBy: staff.id, comment: input.comment, at: deps.clock() });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'payment.discrepancy_resolved',
          subjectType: 'payment_discrepancy',
          subjectId: id,
          officeId: found.officeId,
          requestId,
          details: { kind: found.kind, bookingId: found.bookingId },
        });
        if (!resolved) throw createDiscrepancyAlreadyResolvedError();
        return resolved;
      });
    },
  };
}

export type PaymentRecordsService = ReturnType<typeof createPaymentRecordsService>;
