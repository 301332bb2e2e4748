import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope } from '../auth/office-scope.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import { createBookingsRepository, type Actor, transitionBooking } from '../bookings/bookings.repository.ts';
import type { Booking } from '../bookings/bookings.table.ts';
import { awaitsPinLetter } from '../bookings/pin-letter.ts';
import { appendCustody, type CustodyChange } from '../custody/custody.repository.ts';
import type { Database, DbOrTx } from '../db/client.ts';
import { createRouteNotFoundError } from '../dispatch/dispatch.errors.ts';
import { createDispatchRepository } from '../dispatch/dispatch.repository.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { createCouriersRepository } from '../couriers/couriers.repository.ts';
import { applyRefundDecision } from '../payments/refund-decision-tx.ts';
import type { PlanRoute } from '../planning/planning.table.ts';
import { firstRow, required } from '../shared/required.ts';
import {
  createDocumentsBlockedError,
  createHandoverNotFoundError,
  createHandoverNotOpenError,
  createNothingToReturnError,
  createRouteNotReadyError,
  createSamePersonError,
  createScanMismatchError,
} from './handover.errors.ts';
import { handovers, type Handover, type HandoverKind } from './handover.table.ts';

export interface StartHandoverInput {
  /** The application numbers as scanned from the documents (barcode), in any order. */
  scanned: string[];
  courierName: string;
  /** The courier company's own id for the courier. */
  courierRef: string;
}

/** Statuses in which the courier holds a route's document (it left and has not come back). */
const WITH_COURIER: Booking['status'][] = ['handed_over', 'out_for_delivery', 'attempt_failed'];

/**
 * A document that came back without a report from the door counts as a failed attempt of the
 * route's company (reason `not_reported`), priced as its contract prices a failed attempt now.
 * Keyed by (booking, attempt): a second write of the same attempt changes nothing.
 */
async function recordUnreportedAttempt(tx: DbOrTx, booking: Booking, route: PlanRoute, now: Date) {
  const companyId = required(route.courierCompanyId, `company of route ${route.id}`);
  const company = required(await createCouriersRepository(tx).findCompany(companyId), `courier company ${companyId}`);
  await createDispatchRepository(tx).insertDeliveryAttempt({
    bookingId: booking.id,
    attempt: booking.deliveryAttempts,
    routeId: route.id,
    companyId,
    outcome: 'failed',
    reason: 'not_reported',
    priceCents: company.pricePerFailedAttemptCents,
    occurredAt: now,
  });
}

/** The scanned list against the route's: both must be the same set. */
export function scanDifference(expected: readonly string[], scanned: readonly string[]) {
  const want = new Set(expected);
  const got = new Set(scanned.map((s) => s.trim()));
  return { missing: [...want].filter((a) => !got.has(a)).sort(), extra: [...got].filter((a) => !want.has(a)).sort() };
}

/**
 * The four-eyes handover of a route's documents to the courier, and their return check-in: one
 * staff member scans and starts, a different one confirms. Only then do the bookings move and
 * custody change (office → courier, courier → office), in one transaction with the log entry.
 */
export function createHandoverService(deps: {
  db: Database;
  clock: () => Date;
  /** After a commit that owes refunds (a return for which the citizen gets money back); a lost call is caught up by the refund sweep. */
  afterRefundOwed?: (refundId: string) => Promise<void>;
}) {
  const { db, clock } = deps;

  /** The documents that must be scanned: for a handover the route's planned ones, for a return those the courier holds. */
  async function expectedDocuments(tx: DbOrTx, route: PlanRoute, kind: HandoverKind) {
    const stops = await createDispatchRepository(tx).stopsOfRoute(route.id);
    if (kind === 'handover') {
      if (route.dispatchStatus !== 'accepted') throw createRouteNotReadyError(route.dispatchStatus);
      return stops.filter((s) => s.booking.status === 'planned').map((s) => s.booking);
    }
    if (!['handed_over', 'started', 'completed'].includes(route.dispatchStatus)) throw createRouteNotReadyError(route.dispatchStatus);
    return stops.filter((s) => s.booking.custodyHolder === 'courier' && WITH_COURIER.includes(s.booking.status)).map((s) => s.booking);
  }

  async function assertNotBlocked(
    tx: DbOrTx,
    docs: { id: string; applicationNumber: string; documentType: Booking['documentType']; pinLetterConfirmedAt: Date | null }[],
  ) {
    const held = new Set((await createBookingHoldsRepository(tx).openHoldsOfBookings(docs.map((d) => d.id))).map((h) => h.bookingId));
    const blocked: { applicationNumber: string; reason: 'on_hold' | 'pin_letter_not_confirmed' }[] = [];
    for (const d of docs) {
      if (held.has(d.id)) blocked.push({ applicationNumber: d.applicationNumber, reason: 'on_hold' });
      else if (awaitsPinLetter(d)) blocked.push({ applicationNumber: d.applicationNumber, reason: 'pin_letter_not_confirmed' });
    }
    if (blocked.length > 0) throw createDocumentsBlockedError(blocked);
  }

  async function lockedRoute(tx: DbOrTx, routeId: string, staff: StaffPrincipal) {
    const found = await createDispatchRepository(tx).route(routeId, { forUpdate: true });
    if (!found) throw createRouteNotFoundError();
    assertOfficeScope(staff, found.plan.officeId);
    return found;
  }

  return {
    /** First pair of eyes: the scanned documents must be exactly the route's; a rescan replaces an unconfirmed one. */
    async start(
      routeId: string,
      kind: HandoverKind,
      input: StartHandoverInput,
      staff: StaffPrincipal,
      requestId?: string,
    ): Promise<Handover> {
      return db.transaction(async (tx) => {
        const { route, plan } = await lockedRoute(tx, routeId, staff);
        const expected = await expectedDocuments(tx, route, kind);
        if (kind === 'return' && expected.length === 0) throw createNothingToReturnError();
        const difference = scanDifference(
          expected.map((d) => d.applicationNumber),
          input.scanned,
        );
        if (difference.missing.length > 0 || difference.extra.length > 0) throw createScanMismatchError(difference);
        if (kind === 'handover') await assertNotBlocked(tx, expected);
        await tx
          .update(handovers)
          .set({ status: 'superseded' })
          .where(and(eq(handovers.routeId, route.id), eq(handovers.kind, kind), eq(handovers.status, 'started')));
        const handover = firstRow(
          await tx
            .insert(handovers)
            .values({
              routeId: route.id,
              kind,
              bookingIds: expected.map((d) => d.id).sort(),
              courierName: input.courierName.trim(),
              courierRef: input.courierRef.trim(),
              startedByStaffId: staff.id,
              startedAt: clock(),
            })
            .returning(),
          'INSERT handovers',
        );
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: `${kind}.started`,
          subjectType: 'route',
          subjectId: route.id,
          officeId: plan.officeId,
          requestId,
          details: { handoverId: handover.id, documents: expected.length },
        });
        return handover;
      });
    },

    /** Second pair of eyes: a different staff member confirms, and the documents change hands. */
    async confirm(handoverId: string, staff: StaffPrincipal, requestId?: string) {
      const result = await db.transaction(async (tx) => {
        // Route first, then the handover: the order a rescan (start) locks them in.
        const [seen] = await tx.select({ routeId: handovers.routeId }).from(handovers).where(eq(handovers.id, handoverId));
        if (!seen) throw createHandoverNotFoundError();
        const { route, plan } = await lockedRoute(tx, seen.routeId, staff);
        const [handover] = await tx.select().from(handovers).where(eq(handovers.id, handoverId)).for('update');
        if (!handover) throw createHandoverNotFoundError();
        if (handover.status !== 'started') throw createHandoverNotOpenError();
        if (handover.startedByStaffId === staff.id) throw createSamePersonError();
        // What the first person scanned must still be the route's (a cancellation meanwhile means a rescan).
        const expected = await expectedDocuments(tx, route, handover.kind);
        const byId = new Map(expected.map((d) => [d.id, d]));
        const difference = scanDifference(
          expected.map((d) => d.id),
          handover.bookingIds,
        );
        if (difference.missing.length > 0 || difference.extra.length > 0) {
          const number = (id: string) => byId.get(id)?.applicationNumber ?? id;
          throw createScanMismatchError({ missing: difference.missing.map(number), extra: difference.extra.map(number) });
        }
        const now = clock();
        const bookingsRepo = createBookingsRepository(tx);
        const actor: Actor = { type: 'staff', id: staff.id };
        const custody: CustodyChange[] = [];
        const staffIds = [handover.startedByStaffId, staff.id];
        const courier = {
          routeId: route.id,
          courierCompanyId: route.courierCompanyId,
          courierRef: handover.courierRef,
          courierName: handover.courierName,
        };
        const office = required(await createOfficesRepository(tx).findById(plan.officeId), `office ${plan.officeId}`);
        const outcomes: { bookingId: string; status: Booking['status'] }[] = [];
        const refundsOwed: string[] = [];
        // Every document locked before the hold check: a hold placed meanwhile waits for this commit or is seen.
        const lockedBookings = new Map<string, Booking>();
        for (const id of [...handover.bookingIds].sort()) {
          lockedBookings.set(id, required(await bookingsRepo.findById(id, { forUpdate: true }), `booking ${id}`));
        }
        if (handover.kind === 'handover') await assertNotBlocked(tx, expected);
        for (const id of [...handover.bookingIds].sort()) {
          let booking = required(lockedBookings.get(id), `booking ${id} locked above`);
          if (handover.kind === 'handover') {
            booking = await transitionBooking(tx, booking, 'handed_over', actor, `handover ${handover.id}`);
            custody.push({ bookingId: id, from: 'office', to: 'courier', event: 'handover', staffIds, at: now, ...courier });
          } else {
            if (booking.status === 'handed_over') {
              // Never went out (the route was stopped): planned again for another day.
              booking = await transitionBooking(tx, booking, 'document_ready', actor, `returned unused, ${handover.id}`);
            } else {
              if (booking.status === 'out_for_delivery') {
                // Brought back without a report from the door: that was an attempt, and it failed.
                booking = await transitionBooking(tx, booking, 'attempt_failed', actor, 'returned without a report from the door', {
                  deliveryAttempts: booking.deliveryAttempts + 1,
                });
                await recordUnreportedAttempt(tx, booking, route, now);
              }
              if (booking.deliveryAttempts >= office.deliveryAttemptLimit) {
                booking = await transitionBooking(tx, booking, 'returned_to_office', actor, `attempt limit reached, ${handover.id}`);
                const { refund } = await applyRefundDecision(tx, {
                  booking,
                  occasion: { kind: 'returned_to_office' },
                  actor,
                  now,
                  requestId,
                });
                if (refund) refundsOwed.push(refund.id);
              }
            }
            custody.push({ bookingId: id, from: 'courier', to: 'office', event: 'returned', staffIds, at: now, ...courier });
          }
          outcomes.push({ bookingId: id, status: booking.status });
        }
        await appendCustody(tx, custody);
        if (handover.kind === 'handover') {
          await createDispatchRepository(tx).updateRoute(route.id, { dispatchStatus: 'handed_over', handedOverAt: now });
        } else if (route.dispatchStatus !== 'completed') {
          // Everything the courier held is back: the route is over, whatever the company still reports.
          const stillOut = (await createDispatchRepository(tx).stopsOfRoute(route.id)).some((s) => s.booking.custodyHolder === 'courier');
          if (!stillOut) await createDispatchRepository(tx).updateRoute(route.id, { dispatchStatus: 'completed', completedAt: now });
        }
        const [confirmed] = await tx
          .update(handovers)
          .set({ status: 'confirmed', confirmedByStaffId: staff.id, confirmedAt: now })
          .where(eq(handovers.id, handover.id))
          .returning();
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: `${handover.kind}.confirmed`,
          subjectType: 'route',
          subjectId: route.id,
          officeId: plan.officeId,
          requestId,
          details: { handoverId: handover.id, startedBy: handover.startedByStaffId, documents: handover.bookingIds.length },
        });
        return { handover: required(confirmed, `handover ${handover.id}`), bookings: outcomes, refundsOwed };
      });
      // Side by side: each waits for Redis at most a bounded time (app.ts, safely), all of them together too.
      const owed = deps.afterRefundOwed;
      if (owed) await Promise.all(result.refundsOwed.map((refundId) => owed(refundId)));
      return { handover: result.handover, bookings: result.bookings };
    },

    async get(handoverId: string, staff: StaffPrincipal) {
      const [handover] = await db.select().from(handovers).where(eq(handovers.id, handoverId));
      if (!handover) throw createHandoverNotFoundError();
      const found = await createDispatchRepository(db).route(handover.routeId);
      if (!found) throw createHandoverNotFoundError();
      assertOfficeScope(staff, found.plan.officeId);
      return handover;
    },

    handoversOfRoute: (routeId: string) => db.select().from(handovers).where(eq(handovers.routeId, routeId)).orderBy(handovers.startedAt),
  };
}

export type HandoverService = ReturnType<typeof createHandoverService>;
