import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import { isTerminal } from '../bookings/booking-status.ts';
import { createBookingNotFoundError } from '../bookings/bookings.errors.ts';
import { bookings } from '../bookings/bookings.table.ts';
import type { Database } from '../db/client.ts';
import { createRetentionQueries } from '../housekeeping/retention.queries.ts';
import { createPlanningRepository } from '../planning/planning.repository.ts';
import { createError } from '../shared/errors.ts';

/**
 * Erasure on request (GDPR Art. 17): the same removal the retention schedule makes after
 * PERSONAL_DATA_RETENTION_DAYS, for one booking and now. Only once the booking has ended: while a
 * delivery is under way its recipient and address are what the courier needs (the citizen cancels
 * first). What finance must keep (amounts, Kassenzeichen, postal code) stays. Idempotent.
 */
export async function erasePersonalData(db: Database, input: { bookingId: string; staff: StaffPrincipal; now: Date; requestId?: string }) {
  return db.transaction(async (tx) => {
    const [booking] = await tx.select().from(bookings).where(eq(bookings.id, input.bookingId)).for('update');
    if (!booking || !canActForOffice(input.staff, booking.officeId)) throw createBookingNotFoundError();
    if (booking.anonymisedAt) return { erasedAt: booking.anonymisedAt, alreadyErased: true };
    if (!isTerminal(booking.status)) {
      throw createError({
        code: 'booking.erasure_too_early',
        status: 409,
        message: `The booking is ${booking.status}: its data can be erased once it has ended (cancel it first)`,
        details: { status: booking.status },
      });
    }
    const retention = createRetentionQueries(tx);
    await retention.anonymiseBookings([booking.id], input.now);
    await retention.clearReasonsTypedByPeople([booking.id]);
    await retention.coarsenIdentityChecks([booking.id]);
    await createPlanningRepository(tx).coarsenStopsOf([booking.id]);
    await recordAudit(tx, {
      actorType: 'staff',
      actorId: input.staff.id,
      action: 'booking.erased_on_request',
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: booking.officeId,
      requestId: input.requestId,
    });
    return { erasedAt: input.now, alreadyErased: false };
  });
}
