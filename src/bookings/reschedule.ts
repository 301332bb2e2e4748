import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Database } from '../db/client.ts';
import { BOOKING_HORIZON_DAYS, loadDeliveryCalendar } from '../offices/delivery-calendar.service.ts';
import { offeredDays, toDeliverySlotsView } from '../offices/delivery-hours.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { required } from '../shared/required.ts';
import { hashToken } from '../shared/tokens.ts';
import { addDays, localDate } from '../shared/zoned-time.ts';
import { ON_ROUTE_STATUSES, RESCHEDULABLE_STATUSES } from './booking-status.ts';
import { createBookingNotReschedulableError, createTrackingNotFoundError } from './bookings.errors.ts';
import { createBookingsRepository } from './bookings.repository.ts';
import { bookings, type Booking, type DeliveryWindow } from './bookings.table.ts';
import { assertWithinDeliveryHours, normaliseWindows, sameWindows, validateDeliveryWindows } from './delivery-windows.ts';

/** Days shown to choose from when rescheduling: as many as a quote offers, or up to the latest day chosen. */
const OFFER_DAYS = 28;

interface RescheduleDeps {
  db: Database;
  clock: () => Date;
}

export const isReschedulable = (b: Pick<Booking, 'status'>) => RESCHEDULABLE_STATUSES.includes(b.status);

/**
 * The citizen chooses other preferred days (tracking token) while the booking is not on a
 * confirmed route: the same checks as at booking (1–5 windows, each within a span of a day the
 * office delivers), under the booking's row lock, so a plan being confirmed at the same moment
 * either sees the new windows or makes this a 409. The same windows again change nothing.
 */
export async function rescheduleBooking(
  deps: RescheduleDeps,
  trackingToken: string,
  windows: DeliveryWindow[],
  ctx: { requestId?: string } = {},
): Promise<{ booking: Booking; changed: boolean }> {
  return deps.db.transaction(async (tx) => {
    const repo = createBookingsRepository(tx);
    const found = await repo.findByTrackingTokenHash(hashToken(trackingToken));
    if (!found) throw createTrackingNotFoundError();
    const booking = required(await repo.findById(found.id, { forUpdate: true }), `booking ${found.id}`);
    if (!isReschedulable(booking)) throw createBookingNotReschedulableError(booking.status, ON_ROUTE_STATUSES.includes(booking.status));
    // Before the calendar is asked again: a retried request succeeds even if a day closed meanwhile.
    if (sameWindows(booking.preferredWindows, windows)) return { booking, changed: false };
    const now = deps.clock();
    validateDeliveryWindows(windows, now);
    const office = required(await createOfficesRepository(tx).findById(booking.officeId), `office ${booking.officeId}`);
    // Closing days by UTC date with a day to spare on either side, as at booking.
    const utcToday = now.toISOString().slice(0, 10);
    const calendar = await loadDeliveryCalendar(tx, office, addDays(utcToday, -1), addDays(utcToday, BOOKING_HORIZON_DAYS + 2));
    assertWithinDeliveryHours(calendar, windows);
    const [updated] = await tx
      .update(bookings)
      .set({ preferredWindows: normaliseWindows(windows), updatedAt: now })
      .where(eq(bookings.id, booking.id))
      .returning();
    // Counts and the status only: the days at home say when someone is away.
    await recordAudit(tx, {
      actorType: 'citizen',
      action: 'booking.rescheduled',
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: booking.officeId,
      requestId: ctx.requestId,
      details: { status: booking.status, windowsBefore: booking.preferredWindows.length, windowsAfter: windows.length },
    });
    return { booking: required(updated, `booking ${booking.id} updated`), changed: true };
  });
}

/**
 * The days the citizen may choose from now: from tomorrow (office time) for four weeks, or up to
 * the latest day they chose, within the booking horizon; with each day's spans (UTC instants).
 */
export async function rescheduleOffer(deps: RescheduleDeps, booking: Pick<Booking, 'officeId' | 'preferredWindows'>) {
  const office = required(await createOfficesRepository(deps.db).findById(booking.officeId), `office ${booking.officeId}`);
  const today = localDate(deps.clock(), office.timezone);
  const fromDate = addDays(today, 1);
  const lastChosen = booking.preferredWindows
    .map((w) => localDate(new Date(w.start), office.timezone))
    .reduce((a, b) => (a > b ? a : b), fromDate);
  const lastDate = [addDays(fromDate, OFFER_DAYS - 1), lastChosen].reduce((a, b) => (a > b ? a : b));
  const toDate = lastDate < addDays(today, BOOKING_HORIZON_DAYS) ? lastDate : addDays(today, BOOKING_HORIZON_DAYS);
  const days = Math.round((Date.parse(toDate) - Date.parse(fromDate)) / 86_400_000) + 1;
  const calendar = await loadDeliveryCalendar(deps.db, office, fromDate, toDate);
  return { office, ...toDeliverySlotsView(calendar, offeredDays(fromDate, days, calendar)) };
}
