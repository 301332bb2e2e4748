import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { assertOfficeScope } from '../auth/office-scope.ts';
import { createBookingsRepository, type Actor, transitionBooking } from '../bookings/bookings.repository.ts';
import type { CourierCompany } from '../couriers/couriers.table.ts';
import { appendCustody } from '../custody/custody.repository.ts';
import type { Database, DbOrTx, Transaction } from '../db/client.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { applyRefundDecision } from '../payments/refund-decision-tx.ts';
import type { Plan, PlanRoute, RouteDispatchStatus } from '../planning/planning.table.ts';
import { required } from '../shared/required.ts';
import type { CourierEvent } from './courier-events.ts';
import { cancelRoute, expireOfferInTx, isCurrentStop, releaseBookingsOfRoute, reofferRoute, type OfferSettings } from './dispatch-tx.ts';
import {
  createEventIdReusedError,
  createEventTimeError,
  createJobNotOnRouteError,
  createNoOpenOfferError,
  createOfferExpiredError,
  createRouteNotFoundError,
  createRouteWrongStateError,
} from './dispatch.errors.ts';
import { createDispatchRepository } from './dispatch.repository.ts';
import type { RouteOffer } from './dispatch.table.ts';
import { assessIdentityCheck, type ReportedIdentityCheck } from './identity-check.ts';
import { routeData } from './route-events.ts';

export interface DispatchSettings {
  offerMinutes: number;
  /** Beyond this distance from the address, a delivery is flagged for review. */
  geofenceMetres: number;
  /** Inbound events whose timestamp is farther from now are refused. */
  eventToleranceSeconds: number;
}

export interface DispatchDeps {
  db: Database;
  clock: () => Date;
  settings: DispatchSettings;
  /** After a commit that made offers: their deadline jobs (a sweep catches a lost one). */
  afterOffers?: (offers: RouteOffer[]) => Promise<void>;
}

/** How long after its completion a company may still read a route's stops (recipients included). */
const COMPANY_VIEW_AFTER_COMPLETION_MS = 24 * 3_600_000;

/** Events that happened longer ago than this are refused: no delivery day lasts that long. */
const MAX_EVENT_AGE_MS = 48 * 3_600_000;

/** Routes whose documents the courier holds. */
const ON_THE_ROAD: RouteDispatchStatus[] = ['handed_over', 'started'];

export type InboundOutcome = 'applied' | 'duplicate' | 'stale' | 'counted_as_failed';

export function createDispatchService(deps: DispatchDeps) {
  const { db, clock, settings } = deps;
  const offerSettings = (): OfferSettings => ({ offerMinutes: settings.offerMinutes, now: clock() });
  const afterOffers = async (offers: (RouteOffer | null)[]) => {
    const made = offers.filter((o): o is RouteOffer => o !== null);
    if (made.length > 0 && deps.afterOffers) await deps.afterOffers(made).catch(() => undefined);
  };

  /** The company's own route, locked; another company's route does not exist for it. */
  async function ownRoute(tx: DbOrTx, company: CourierCompany, routeId: string) {
    const found = await createDispatchRepository(tx).route(routeId, { forUpdate: true });
    if (!found || found.route.courierCompanyId !== company.id || found.route.dispatchStatus === 'draft') throw createRouteNotFoundError();
    return found;
  }

  async function accept(tx: DbOrTx, company: CourierCompany, routeId: string, now: Date) {
    const { route, plan } = await ownRoute(tx, company, routeId);
    const repo = createDispatchRepository(tx);
    if (route.dispatchStatus !== 'offered') {
      if (['accepted', 'handed_over', 'started', 'completed'].includes(route.dispatchStatus)) return { route, outcome: 'stale' as const };
      throw createRouteWrongStateError(route.dispatchStatus, 'it cannot be accepted');
    }
    const offer = await repo.openOffer(route.id, { forUpdate: true });
    if (!offer || offer.companyId !== company.id) throw createNoOpenOfferError();
    if (offer.deadline.getTime() < now.getTime()) throw createOfferExpiredError();
    await repo.closeOffer(offer.id, 'accepted', now);
    const updated = await repo.updateRoute(route.id, { dispatchStatus: 'accepted', acceptedAt: now });
    await recordAudit(tx, {
      actorType: 'courier',
      actorId: company.id,
      action: 'route.accepted',
      subjectType: 'route',
      subjectId: route.id,
      officeId: plan.officeId,
    });
    return { route: updated, outcome: 'applied' as const };
  }

  async function decline(tx: DbOrTx, company: CourierCompany, routeId: string, reason: string | undefined, now: Date) {
    const { route, plan } = await ownRoute(tx, company, routeId);
    const repo = createDispatchRepository(tx);
    const offer = await repo.openOffer(route.id, { forUpdate: true });
    if (route.dispatchStatus !== 'offered' || !offer || offer.companyId !== company.id) throw createNoOpenOfferError();
    await repo.closeOffer(offer.id, 'declined', now, reason);
    await recordAudit(tx, {
      actorType: 'courier',
      actorId: company.id,
      action: 'route.declined',
      subjectType: 'route',
      subjectId: route.id,
      officeId: plan.officeId,
    });
    const next = await reofferRoute(tx, route.id, { offerMinutes: settings.offerMinutes, now });
    return { next, outcome: 'applied' as const };
  }

  async function stopOf(tx: DbOrTx, route: PlanRoute, jobId: string) {
    const stops = await createDispatchRepository(tx).stopsOfRoute(route.id);
    const found = stops.find((s) => s.stop.id === jobId);
    if (!found) throw createJobNotOnRouteError();
    return found;
  }

  /** The route is on the road: the handover happened, and a first report from the road starts it. */
  async function ensureStarted(tx: Transaction, route: PlanRoute, plan: Plan, company: CourierCompany, now: Date): Promise<PlanRoute> {
    if (route.dispatchStatus === 'started') return route;
    if (route.dispatchStatus !== 'handed_over')
      throw createRouteWrongStateError(route.dispatchStatus, 'its documents have not been handed over');
    const bookingsRepo = createBookingsRepository(tx);
    const actor: Actor = { type: 'courier', id: company.id };
    const stops = await createDispatchRepository(tx).stopsOfRoute(route.id);
    for (const { stop, booking: facts } of [...stops].sort((a, b) => a.booking.id.localeCompare(b.booking.id))) {
      const booking = required(await bookingsRepo.findById(facts.id, { forUpdate: true }), `booking ${facts.id}`);
      // Only the documents this route still carries: one returned and handed to a later route is not this route's.
      if (booking.status === 'handed_over' && (await isCurrentStop(tx, booking.id, stop.id))) {
        await transitionBooking(tx, booking, 'out_for_delivery', actor, `route ${route.id} started`);
      }
    }
    await recordAudit(tx, {
      actorType: 'courier',
      actorId: company.id,
      action: 'route.started',
      subjectType: 'route',
      subjectId: route.id,
      officeId: plan.officeId,
    });
    return createDispatchRepository(tx).updateRoute(route.id, { dispatchStatus: 'started', startedAt: now });
  }

  /** stop.delivered and stop.failed: the booking moves on only from where it is (never backwards). */
  async function reportAtDoor(
    tx: Transaction,
    company: CourierCompany,
    input: { routeId: string; jobId: string; delivered: boolean; reason?: string; check?: ReportedIdentityCheck; occurredAt: Date },
    now: Date,
  ): Promise<InboundOutcome> {
    const { route, plan } = await ownRoute(tx, company, input.routeId);
    const { booking: facts } = await stopOf(tx, route, input.jobId);
    const bookingsRepo = createBookingsRepository(tx);
    let booking = required(await bookingsRepo.findById(facts.id, { forUpdate: true }), `booking ${facts.id}`);
    if (booking.status !== 'handed_over' && booking.status !== 'out_for_delivery') return 'stale';
    // Came back and went out again on a later route: a late report about this one changes nothing.
    if (!(await isCurrentStop(tx, booking.id, input.jobId))) return 'stale';
    if (!ON_THE_ROAD.includes(route.dispatchStatus)) throw createRouteWrongStateError(route.dispatchStatus, 'it is not on the road');
    await ensureStarted(tx, route, plan, company, now);
    booking = required(await bookingsRepo.findById(facts.id, { forUpdate: true }), `booking ${facts.id}`);
    const office = required(await createOfficesRepository(tx).findById(plan.officeId), `office ${plan.officeId}`);
    const attempt = booking.deliveryAttempts + 1;
    const assessment = input.check
      ? assessIdentityCheck({
          documentType: booking.documentType,
          address: booking.location,
          check: input.check,
          geofenceMetres: settings.geofenceMetres,
        })
      : null;
    if (input.check && assessment) {
      await createDispatchRepository(tx).insertIdentityCheck({
        bookingId: booking.id,
        routeId: route.id,
        companyId: company.id,
        attempt,
        methods: input.check.methods,
        reportedResult: input.check.result,
        passed: assessment.passed,
        checkedAt: new Date(input.check.checkedAt),
        courierRef: input.check.courier.id,
        lng: input.check.position.lng,
        lat: input.check.position.lat,
        accuracyMetres: input.check.position.accuracyMetres,
        distanceMetres: assessment.distanceMetres,
        flaggedForReview: assessment.flaggedForReview,
        oldDocumentCollected: input.check.oldDocumentCollected,
        recipientConfirmed: input.check.recipientConfirmed,
        recordedAt: now,
      });
    }
    const actor: Actor = { type: 'courier', id: company.id };
    const delivered = input.delivered && assessment?.passed === true;
    // A delivery reported without the check the office requires is the courier's failure, not the
    // citizen's: it is recorded apart from a check that found the wrong person.
    const reason = delivered
      ? null
      : input.delivered
        ? assessment && assessment.missingMethods.length > 0
          ? 'check_incomplete'
          : 'identity_mismatch'
        : (input.reason ?? 'other');
    // What the company may invoice for this attempt, at its contract's price of this moment.
    await createDispatchRepository(tx).insertDeliveryAttempt({
      bookingId: booking.id,
      attempt,
      routeId: route.id,
      companyId: company.id,
      outcome: delivered ? 'delivered' : 'failed',
      reason,
      priceCents: delivered ? company.pricePerDeliveryCents : company.pricePerFailedAttemptCents,
      occurredAt: input.occurredAt,
    });
    if (delivered) {
      const done = await transitionBooking(tx, booking, 'delivered', actor, 'delivered');
      // Delivered: nothing is owed back; the decision is recorded so every ended booking has one.
      await applyRefundDecision(tx, { booking: done, occasion: { kind: 'delivered' }, actor, now });
      await appendCustody(tx, [
        {
          bookingId: booking.id,
          from: 'courier',
          to: 'citizen',
          event: 'delivered',
          routeId: route.id,
          courierCompanyId: company.id,
          courierRef: input.check?.courier.id ?? null,
          at: now,
        },
      ]);
      await recordAudit(tx, {
        actorType: 'courier',
        actorId: company.id,
        action: 'stop.delivered',
        subjectType: 'booking',
        subjectId: booking.id,
        officeId: office.id,
        details: { routeId: route.id, flaggedForReview: assessment?.flaggedForReview, distanceMetres: assessment?.distanceMetres },
      });
      return 'applied';
    }
    // A delivery without a passed check is no delivery: the document stays with the courier.
    await transitionBooking(tx, booking, 'attempt_failed', actor, `attempt ${attempt} failed: ${reason}`, { deliveryAttempts: attempt });
    await recordAudit(tx, {
      actorType: 'courier',
      actorId: company.id,
      action: 'stop.failed',
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: office.id,
      details: { routeId: route.id, reason, attempt, missingMethods: assessment?.missingMethods ?? [] },
    });
    return input.delivered ? 'counted_as_failed' : 'applied';
  }

  /** The effect of one event; `offer` is the next offer a decline made (its deadline job comes after commit). */
  async function applyInTx(
    tx: Transaction,
    company: CourierCompany,
    event: CourierEvent,
    now: Date,
  ): Promise<InboundOutcome | { outcome: InboundOutcome; offer: RouteOffer | null }> {
    switch (event.type) {
      case 'route.accepted':
        return (await accept(tx, company, event.data.routeId, now)).outcome;
      case 'route.declined': {
        const declined = await decline(tx, company, event.data.routeId, event.data.reason, now);
        return { outcome: declined.outcome, offer: declined.next };
      }
      case 'route.started': {
        const { route, plan } = await ownRoute(tx, company, event.data.routeId);
        if (route.dispatchStatus === 'started' || route.dispatchStatus === 'completed') return 'stale';
        await ensureStarted(tx, route, plan, company, now);
        return 'applied';
      }
      case 'stop.arrived': {
        const { route } = await ownRoute(tx, company, event.data.routeId);
        await stopOf(tx, route, event.data.jobId);
        return ON_THE_ROAD.includes(route.dispatchStatus) ? 'applied' : 'stale';
      }
      case 'stop.delivered':
        return reportAtDoor(
          tx,
          company,
          {
            routeId: event.data.routeId,
            jobId: event.data.jobId,
            delivered: true,
            check: event.data.identityCheck,
            occurredAt: new Date(event.timestamp),
          },
          now,
        );
      case 'stop.failed':
        return reportAtDoor(
          tx,
          company,
          {
            routeId: event.data.routeId,
            jobId: event.data.jobId,
            delivered: false,
            reason: event.data.reason,
            check: event.data.identityCheck,
            occurredAt: new Date(event.timestamp),
          },
          now,
        );
      case 'document.returned': {
        // The custody changes only at the office's return check-in (four eyes); this is the notice.
        const { route } = await ownRoute(tx, company, event.data.routeId);
        const jobIds = new Set((await createDispatchRepository(tx).stopsOfRoute(route.id)).map((s) => s.stop.id));
        if (!event.data.jobIds.every((id) => jobIds.has(id))) throw createJobNotOnRouteError();
        return 'applied';
      }
      case 'route.completed': {
        const { route, plan } = await ownRoute(tx, company, event.data.routeId);
        if (route.dispatchStatus === 'completed') return 'stale';
        const started = await ensureStarted(tx, route, plan, company, now);
        await createDispatchRepository(tx).updateRoute(started.id, { dispatchStatus: 'completed', completedAt: now });
        return 'applied';
      }
    }
  }

  return {
    settings,
    now: clock,

    acceptRoute: async (company: CourierCompany, routeId: string) => {
      const result = await db.transaction((tx) => accept(tx, company, routeId, clock()));
      return { route: result.route, alreadyAccepted: result.outcome === 'stale' };
    },

    declineRoute: async (company: CourierCompany, routeId: string, reason?: string) => {
      const result = await db.transaction((tx) => decline(tx, company, routeId, reason, clock()));
      await afterOffers([result.next]);
      return result;
    },

    /** The deadline job (and the sweep): an open offer past its deadline moves on. */
    async expireOffer(offerId: string) {
      const result = await db.transaction((tx) => expireOfferInTx(tx, offerId, offerSettings()));
      if (result.outcome === 'expired') await afterOffers([result.next]);
      return result.outcome;
    },

    overdueOfferIds: () => createDispatchRepository(db).overdueOfferIds(clock()),

    /**
     * An inbound event from a company, once: the event id is claimed in the same transaction as
     * its effect, so a redelivery changes nothing; a refused event (wrong state, unknown route)
     * leaves no claim and can be sent again once it makes sense.
     */
    async applyCourierEvent(company: CourierCompany, event: CourierEvent) {
      const now = clock();
      const occurredAt = new Date(event.timestamp);
      // The event's own time is when it happened: a courier who was offline reports late, and that
      // must still count (the replay window of a signed message is its webhook-timestamp, checked at
      // the endpoint). A time in the future, or older than a delivery day can matter, is refused.
      const ageMs = now.getTime() - occurredAt.getTime();
      if (ageMs < -settings.eventToleranceSeconds * 1000 || ageMs > MAX_EVENT_AGE_MS) {
        throw createEventTimeError(settings.eventToleranceSeconds);
      }
      const result = await db.transaction(async (tx) => {
        const repo = createDispatchRepository(tx);
        const claimed = await repo.claimInbound({
          companyId: company.id,
          eventId: event.id,
          type: event.type,
          routeId: event.data.routeId,
          occurredAt,
          receivedAt: now,
          outcome: 'applied',
        });
        if (!claimed) {
          const earlier = required(await repo.inboundOutcome(company.id, event.id), `inbound event ${event.id}`);
          if (earlier.type !== event.type || earlier.routeId !== event.data.routeId) throw createEventIdReusedError();
          return { outcome: 'duplicate' as InboundOutcome, offers: [] as (RouteOffer | null)[] };
        }
        const applied = await applyInTx(tx, company, event, now);
        const { outcome, offer } = typeof applied === 'string' ? { outcome: applied, offer: null } : applied;
        if (outcome !== 'applied') await repo.setInboundOutcome(company.id, event.id, outcome);
        return { outcome, offers: [offer] };
      });
      await afterOffers(result.offers);
      return { outcome: result.outcome };
    },

    /** Supervisors take back a route nobody drives (or that should not go out): its bookings wait for another day. */
    async releaseRoute(routeId: string, staff: StaffPrincipal, requestId?: string) {
      return db.transaction(async (tx) => {
        const found = await createDispatchRepository(tx).route(routeId, { forUpdate: true });
        if (!found) throw createRouteNotFoundError();
        assertOfficeScope(staff, found.plan.officeId);
        const { route, plan } = found;
        if (!['offered', 'accepted', 'unstaffed'].includes(route.dispatchStatus)) {
          throw createRouteWrongStateError(route.dispatchStatus, 'only a route whose documents are still in the office can be released');
        }
        const cancelled = await cancelRoute(tx, route, 'released_by_office', clock());
        const bookingIds = await releaseBookingsOfRoute(tx, route.id, { type: 'staff', id: staff.id });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'route.released',
          subjectType: 'route',
          subjectId: route.id,
          officeId: plan.officeId,
          requestId,
          details: { bookings: bookingIds.length },
        });
        return { route: cancelled, bookingIds };
      });
    },

    /** Staff: where a route stands, with its offers, stops and identity checks (no recipient names). */
    async getRoute(routeId: string, staff: StaffPrincipal) {
      const repo = createDispatchRepository(db);
      const found = await repo.route(routeId);
      if (!found) throw createRouteNotFoundError();
      assertOfficeScope(staff, found.plan.officeId);
      const [offers, stops, checks] = await Promise.all([
        repo.offersOfRoute(routeId),
        repo.stopsOfRoute(routeId),
        repo.identityChecksOfRoute(routeId),
      ]);
      return { ...found, offers, stops, checks };
    },

    /** A company's routes; what it sees of a stop is what its courier needs. */
    listCompanyRoutes: (companyId: string, filter: { deliveryDate?: string; status?: RouteDispatchStatus }) =>
      createDispatchRepository(db).companyRoutes(companyId, filter),

    async getCompanyRoute(company: CourierCompany, routeId: string) {
      const repo = createDispatchRepository(db);
      const found = await repo.route(routeId);
      if (!found || found.route.courierCompanyId !== company.id || found.route.dispatchStatus === 'draft') throw createRouteNotFoundError();
      // Recipients are shown while the company has work on the route, and a day after it ended; never once it was taken back.
      const ended = found.route.completedAt && clock().getTime() - found.route.completedAt.getTime() > COMPANY_VIEW_AFTER_COMPLETION_MS;
      if (found.route.dispatchStatus === 'cancelled' || ended) throw createRouteNotFoundError();
      const office = required(await createOfficesRepository(db).findById(found.plan.officeId), `office ${found.plan.officeId}`);
      const [stops, open] = await Promise.all([repo.stopsOfRoute(routeId), repo.openOffer(routeId)]);
      return {
        route: found.route,
        data: routeData({
          route: found.route,
          deliveryDate: found.plan.deliveryDate,
          office,
          stops,
          offerDeadline: open?.deadline ?? null,
        }),
        stopStatus: stops.map((s) => ({ jobId: s.stop.id, status: s.booking.status })),
      };
    },
  };
}

export type DispatchService = ReturnType<typeof createDispatchService>;
