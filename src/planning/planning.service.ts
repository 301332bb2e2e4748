import { and, eq, gt, inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import { auditLog } from '../audit/audit.table.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope } from '../auth/office-scope.ts';
import { PLANNABLE_STATUSES, WITHDRAWABLE_ON_PLAN_STATUSES } from '../bookings/booking-status.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import { createBookingsRepository, transitionBooking } from '../bookings/bookings.repository.ts';
import type { Database, DbOrTx } from '../db/client.ts';
import { createOfficeNotFoundError } from '../offices/offices.errors.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { VehicleType } from '../offices/offices.table.ts';
import { createError } from '../shared/errors.ts';
import { required } from '../shared/required.ts';
import { addDays, deliveryDay, isValidDeliveryDate, localDate } from './delivery-day.ts';
import { claimPlan } from './plan-claim.ts';
import { planToGeoJson } from './plan-geojson.ts';
import { planJobId, type PlanJobRef, type PlanJobs } from './planning-jobs.ts';
import {
  createCourierShiftInvalidWindowError,
  createCourierShiftOutsideDayError,
  createNoPlanYetError,
  createPlanAlreadyConfirmedError,
  createPlanConfirmedNoReplanError,
  createPlanEmptyError,
  createPlanInProgressError,
  createPlanningDateOutOfRangeError,
  createPlanningInvalidDateError,
  createPlanNotConfirmedError,
  createPlanNotDraftError,
  createPlanNotFoundError,
  createPlanStaleError,
} from './planning.errors.ts';
import { createPlanningRepository } from './planning.repository.ts';
import type { Plan } from './planning.table.ts';
import {
  createCourierCompanyNotFoundError,
  createCourierOfficeNotServedError,
  createCourierVehicleNotContractedError,
} from '../couriers/couriers.errors.ts';
import { createCouriersRepository } from '../couriers/couriers.repository.ts';
import { cancelRoutesOfPlan, offerRoutesOfPlan } from '../dispatch/dispatch-tx.ts';
import type { RouteOffer } from '../dispatch/dispatch.table.ts';
import type { CourierCompany } from '../couriers/couriers.table.ts';

export interface PlanningServiceDeps {
  db: Database;
  clock: () => Date;
  jobs: PlanJobs;
  /** How far ahead plans and shifts may be made. */
  maxDaysAhead?: number;
  /** A confirmed plan's routes are offered to courier companies with this deadline. */
  offerMinutes: number;
  /** After a confirmation committed: the offers' deadline jobs (the dispatch sweep catches a lost one). */
  afterOffers?: (offers: RouteOffer[]) => Promise<void>;
}

/** Who adds a shift: a supervisor (optionally for a named company) or the company itself. */
export type ShiftAuthor = { staff: StaffPrincipal } | { company: CourierCompany };

export interface CreateShiftInput {
  /** With a supervisor: the company whose couriers work the shift. */
  courierCompanyId?: string;
  deliveryDate: string;
  vehicleType: VehicleType;
  vehicleCount: number;
  capacity: number;
  shiftStart: string;
  shiftEnd: string;
  maxDistanceMetres?: number;
}

/** Who asks: a staff member through the API, or the nightly scheduler. */
export type PlanRequester = { staff: StaffPrincipal; requestId?: string } | { system: 'nightly' };

export function createPlanningService(deps: PlanningServiceDeps) {
  const { db, clock } = deps;
  const maxDaysAhead = deps.maxDaysAhead ?? 60;

  async function officeInScope(officeId: string, staff: StaffPrincipal | null) {
    const office = await createOfficesRepository(db).findById(officeId);
    if (!office) throw createOfficeNotFoundError();
    if (staff) assertOfficeScope(staff, officeId);
    return office;
  }

  /** Plans are made for today (late additions) up to `maxDaysAhead` days ahead, in office time. */
  async function companyFor(id: string) {
    const company = await createCouriersRepository(db).findCompany(id);
    if (!company) throw createCourierCompanyNotFoundError();
    return company;
  }

  function assertPlannableDate(date: string, timeZone: string) {
    if (!isValidDeliveryDate(date)) throw createPlanningInvalidDateError();
    const today = localDate(clock(), timeZone);
    const last = addDays(today, maxDaysAhead);
    if (date < today || date > last) throw createPlanningDateOutOfRangeError({ from: today, to: last });
  }

  async function loadPlan(officeId: string, deliveryDate: string, staff: StaffPrincipal) {
    const office = await officeInScope(officeId, staff);
    if (!isValidDeliveryDate(deliveryDate)) throw createPlanningInvalidDateError();
    const repo = createPlanningRepository(db);
    const plan = await repo.currentPlan(officeId, deliveryDate);
    if (!plan) throw createNoPlanYetError();
    return { office, plan, repo };
  }

  return {
    /**
     * Adds courier capacity for a day: announced by a courier company with its key, or entered by
     * a supervisor for a named company. A company announces only vehicles of its contract, for an
     * office one of whose zones it serves.
     */
    async createCourierShift(officeId: string, input: CreateShiftInput, by: ShiftAuthor, requestId?: string) {
      const office = await officeInScope(officeId, 'staff' in by ? by.staff : null);
      const company = 'company' in by ? by.company : input.courierCompanyId ? await companyFor(input.courierCompanyId) : null;
      if (company) {
        if (!company.vehicleTypes.includes(input.vehicleType)) throw createCourierVehicleNotContractedError(input.vehicleType);
        const officeZones = new Set((await createOfficesRepository(db).zonesOf(officeId)).map((z) => z.id));
        if (!company.zoneIds.some((id) => officeZones.has(id))) throw createCourierOfficeNotServedError();
      }
      assertPlannableDate(input.deliveryDate, office.timezone);
      const day = deliveryDay(input.deliveryDate, office.timezone);
      const start = new Date(input.shiftStart);
      const end = new Date(input.shiftEnd);
      if (!(end > start)) throw createCourierShiftInvalidWindowError();
      if (start < day.start || end > day.end) throw createCourierShiftOutsideDayError(day);
      const actor =
        'staff' in by ? { actorType: 'staff' as const, actorId: by.staff.id } : { actorType: 'courier' as const, actorId: by.company.id };
      return db.transaction(async (tx) => {
        const shift = await createPlanningRepository(tx).insertShift({
          officeId,
          deliveryDate: input.deliveryDate,
          vehicleType: input.vehicleType,
          vehicleCount: input.vehicleCount,
          capacity: input.capacity,
          shiftStart: start,
          shiftEnd: end,
          maxDistanceMetres: input.maxDistanceMetres ?? null,
          createdByStaffId: 'staff' in by ? by.staff.id : null,
          courierCompanyId: company?.id ?? null,
        });
        await recordAudit(tx, {
          ...actor,
          action: 'courier_shift.created',
          subjectType: 'courier_shift',
          subjectId: shift.id,
          officeId,
          requestId,
          details: {
            deliveryDate: shift.deliveryDate,
            vehicleType: shift.vehicleType,
            vehicleCount: shift.vehicleCount,
            courierCompanyId: company?.id ?? null,
          },
        });
        return { shift };
      });
    },

    /** A company's own shifts (optionally of one office and day); never another company's. */
    listCompanyShifts: (companyId: string, filter: { officeId?: string; deliveryDate?: string }) =>
      createPlanningRepository(db).shiftsOfCompany(companyId, filter),

    async listCourierShifts(officeId: string, deliveryDate: string, staff: StaffPrincipal) {
      await officeInScope(officeId, staff);
      if (!isValidDeliveryDate(deliveryDate)) throw createPlanningInvalidDateError();
      return { shifts: await createPlanningRepository(db).shiftsOf(officeId, deliveryDate) };
    },

    /**
     * Queues a planning run. While one is waiting or running for the day, the caller gets that one
     * (one solve per office and day); otherwise a new plan supersedes the draft and a job is added.
     */
    async requestPlan(officeId: string, deliveryDate: string, by: PlanRequester): Promise<{ plan: Plan; job: PlanJobRef }> {
      const staff = 'staff' in by ? by.staff : null;
      const office = await officeInScope(officeId, staff);
      assertPlannableDate(deliveryDate, office.timezone);
      const running = await deps.jobs.findUnfinished(officeId, deliveryDate);
      if (running) {
        // Its plan may already be a draft while the job is completing: the run the caller asks
        // for is that one, and superseding its draft now would leave the new plan without a job.
        const current = await createPlanningRepository(db).currentPlan(officeId, deliveryDate);
        if (current && current.status !== 'confirmed') return { plan: current, job: running };
      }
      const claimed = await db.transaction(async (tx) => {
        const result = await claimPlan(tx, {
          officeId,
          deliveryDate,
          jobId: planJobId(officeId, deliveryDate),
          requestedByStaffId: staff?.id ?? null,
        });
        if (result.kind === 'confirmed') throw createPlanConfirmedNoReplanError();
        if (result.fresh) {
          await recordAudit(tx, {
            actorType: staff ? 'staff' : 'system',
            actorId: staff?.id ?? 'nightly',
            action: 'plan.requested',
            subjectType: 'plan',
            subjectId: result.plan.id,
            officeId,
            requestId: 'staff' in by ? by.requestId : undefined,
            details: { deliveryDate },
          });
        }
        return result.plan;
      });
      // Enqueued after commit: a lost add leaves the plan queued, and asking again adds the job.
      // The queue's own message stays in the log (the error handler logs the cause), not in the answer.
      const job = await deps.jobs.enqueue(officeId, deliveryDate).catch((err: unknown) => {
        const unavailable = createError({
          code: 'planning.queue_unavailable',
          status: 503,
          message: 'The plan is queued, but its job could not be added: the job queue does not answer. Ask again in a moment.',
        });
        throw Object.assign(unavailable, { cause: err });
      });
      return { plan: claimed, job };
    },

    async getPlan(officeId: string, deliveryDate: string, staff: StaffPrincipal) {
      const { plan, repo } = await loadPlan(officeId, deliveryDate, staff);
      const [routes, stops, unassignedBookings] = await Promise.all([
        repo.routesOf(plan.id),
        repo.stopsOf(plan.id),
        createBookingsRepository(db).bookingsByIds(plan.unassigned.map((u) => u.bookingId)),
      ]);
      const applicationNumbers = new Map(unassignedBookings.map((b) => [b.id, b.applicationNumber]));
      return {
        plan,
        routes: routes.map((route) => ({ route, stops: stops.filter((s) => s.stop.routeId === route.id) })),
        unassigned: plan.unassigned.map((u) => ({ ...u, applicationNumber: applicationNumbers.get(u.bookingId) ?? '' })),
      };
    },

    /**
     * A supervisor accepts the draft: every booking on it moves to `planned` in one transaction.
     * A booking that changed meanwhile (cancelled, confirmed on another day's plan) makes the
     * whole confirmation fail: the draft is stale and the day has to be planned again.
     */
    async confirmPlan(officeId: string, deliveryDate: string, staff: StaffPrincipal, requestId?: string) {
      await officeInScope(officeId, staff);
      const result = await db.transaction(async (tx) => {
        const repo = createPlanningRepository(tx);
        await repo.lockDay(officeId, deliveryDate);
        const plan = await repo.currentPlan(officeId, deliveryDate);
        if (!plan) throw createPlanNotFoundError();
        if (plan.status === 'confirmed') throw createPlanAlreadyConfirmedError();
        if (plan.status !== 'draft') throw createPlanNotDraftError(plan.status);
        const stops = await repo.stopsOf(plan.id);
        if (stops.length === 0) throw createPlanEmptyError();
        const bookingsRepo = createBookingsRepository(tx);
        // Locked in id order, so two confirmations touching the same bookings cannot deadlock.
        const ids = stops.map((s) => s.stop.bookingId).sort();
        const locked = [];
        const stale: string[] = [];
        // A booking put on hold since the draft was made (a dispute, a refund at Stripe) must not go out.
        const held = new Set((await createBookingHoldsRepository(tx).openHoldsOfBookings(ids)).map((h) => h.bookingId));
        for (const id of ids) {
          const booking = await bookingsRepo.findById(id, { forUpdate: true });
          if (booking && PLANNABLE_STATUSES.includes(booking.status) && !held.has(id)) locked.push(booking);
          else stale.push(id);
        }
        // A citizen who moved their days since the draft was solved is planned on the old ones: stale.
        // Read after the row locks, which rescheduling also takes, so a move made meanwhile is seen.
        const moved = await rescheduledSince(tx, ids, plan.createdAt);
        for (const id of moved) {
          if (!stale.includes(id)) stale.push(id);
        }
        if (stale.length > 0) throw createPlanStaleError(stale);
        for (const booking of locked) await transitionBooking(tx, booking, 'planned', { type: 'staff', id: staff.id }, `plan ${plan.id}`);
        const confirmed = required(
          await repo.updatePlan(plan.id, ['draft'], { status: 'confirmed', confirmedByStaffId: staff.id, confirmedAt: clock() }),
          `plan ${plan.id} still a draft under the day lock`,
        );
        // Offered in the same transaction: the route.offered events commit with the confirmation.
        const offers = await offerRoutesOfPlan(tx, confirmed, { offerMinutes: deps.offerMinutes, now: clock() });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'plan.confirmed',
          subjectType: 'plan',
          subjectId: plan.id,
          officeId,
          requestId,
          details: { deliveryDate, bookings: locked.length, offers: offers.length },
        });
        return { plan: confirmed, bookingIds: ids, offers };
      });
      if (deps.afterOffers) await deps.afterOffers(result.offers).catch(() => undefined);
      return result;
    },

    /**
     * Takes a confirmed plan back before any document left the office (the courier company
     * cancelled, the shifts changed): its bookings return to document_ready and the day can be
     * planned again. Once one route was handed over, the plan stands.
     */
    async withdrawPlan(officeId: string, deliveryDate: string, staff: StaffPrincipal, requestId?: string) {
      await officeInScope(officeId, staff);
      return db.transaction(async (tx) => {
        const repo = createPlanningRepository(tx);
        await repo.lockDay(officeId, deliveryDate);
        const plan = await repo.currentPlan(officeId, deliveryDate);
        if (!plan) throw createPlanNotFoundError();
        if (plan.status !== 'confirmed') throw createPlanNotConfirmedError(plan.status);
        const bookingsRepo = createBookingsRepository(tx);
        const ids = (await repo.stopsOf(plan.id)).map((s) => s.stop.bookingId).sort();
        const current = [];
        for (const id of ids)
          current.push(required(await bookingsRepo.findById(id, { forUpdate: true }), `booking ${id} on plan ${plan.id}`));
        const gone = current.filter((b) => !WITHDRAWABLE_ON_PLAN_STATUSES.includes(b.status));
        if (gone.length > 0) throw createPlanInProgressError(gone.map((b) => b.id));
        await cancelRoutesOfPlan(tx, plan.id, 'plan_withdrawn', clock());
        const returned = current.filter((b) => b.status === 'planned');
        for (const booking of returned) {
          await transitionBooking(tx, booking, 'document_ready', { type: 'staff', id: staff.id }, `plan ${plan.id} withdrawn`);
        }
        const withdrawn = required(
          await repo.updatePlan(plan.id, ['confirmed'], { status: 'superseded' }),
          `plan ${plan.id} still confirmed under the day lock`,
        );
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'plan.withdrawn',
          subjectType: 'plan',
          subjectId: plan.id,
          officeId,
          requestId,
          details: { deliveryDate, bookings: returned.length },
        });
        return { plan: withdrawn, bookingIds: returned.map((b) => b.id) };
      });
    },

    /** Holds home locations, so every export is audited. */
    async getPlanGeoJson(officeId: string, deliveryDate: string, staff: StaffPrincipal, requestId?: string) {
      const { office, plan, repo } = await loadPlan(officeId, deliveryDate, staff);
      const [routes, stops, leftOver] = await Promise.all([
        repo.routesOf(plan.id),
        repo.stopsOf(plan.id),
        createBookingsRepository(db).bookingsByIds(plan.unassigned.map((u) => u.bookingId)),
      ]);
      const byId = new Map(leftOver.map((b) => [b.id, b]));
      const geojson = planToGeoJson({
        plan,
        depot: office.location,
        routes,
        stops: stops.map((s) => ({ ...s.stop, applicationNumber: s.applicationNumber })),
        unassigned: plan.unassigned.flatMap((u) => {
          const b = byId.get(u.bookingId);
          return b ? [{ ...u, applicationNumber: b.applicationNumber, location: b.location }] : [];
        }),
      });
      await recordAudit(db, {
        actorType: 'staff',
        actorId: staff.id,
        action: 'plan.geojson_exported',
        subjectType: 'plan',
        subjectId: plan.id,
        officeId,
        requestId,
      });
      return { geojson };
    },
  };
}

export type PlanningService = ReturnType<typeof createPlanningService>;

/** Bookings among `ids` whose days the citizen changed after `since` (the audit entry rescheduling writes). */
async function rescheduledSince(tx: DbOrTx, ids: string[], since: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .selectDistinct({ id: auditLog.subjectId })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectType, 'booking'),
        eq(auditLog.action, 'booking.rescheduled'),
        inArray(auditLog.subjectId, ids),
        gt(auditLog.occurredAt, since),
      ),
    );
  return rows.map((r) => r.id);
}
