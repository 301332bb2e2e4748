import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import { createBookingsRepository, transitionBooking } from '../bookings/bookings.repository.ts';
import { createCouriersRepository } from '../couriers/couriers.repository.ts';
import type { DbOrTx, Transaction } from '../db/client.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { Office } from '../offices/offices.table.ts';
import type { Plan, PlanRoute } from '../planning/planning.table.ts';
import { required } from '../shared/required.ts';
import { appendOutboundEvent } from '../webhooks/outbox.ts';
import { createDispatchRepository } from './dispatch.repository.ts';
import type { RouteOffer } from './dispatch.table.ts';
import { chooseNextOffer, type RouteNeeds } from './next-company.ts';
import { routeData } from './route-events.ts';

/**
 * The parts of dispatch that run inside another operation's transaction (confirming or withdrawing
 * a plan, cancelling a booking), so the outbound event row commits with the change that causes it
 * (the transactional outbox) or not at all.
 */

export interface OfferSettings {
  /** How long a company has to accept or decline. */
  offerMinutes: number;
  now: Date;
}

async function officeOf(tx: DbOrTx, plan: Plan): Promise<Office> {
  return required(await createOfficesRepository(tx).findById(plan.officeId), `office ${plan.officeId} of plan ${plan.id}`);
}

async function routeNeeds(tx: DbOrTx, route: PlanRoute): Promise<RouteNeeds> {
  const stops = (await createDispatchRepository(tx).stopsOfRoute(route.id)).filter((s) => s.booking.status !== 'cancelled');
  return {
    vehicleType: route.vehicleType,
    zoneIds: [...new Set(stops.map((s) => s.booking.zoneId))],
    startsAt: route.startsAt,
    endsAt: route.endsAt,
    stops: stops.length,
    distanceMetres: route.distanceMetres,
  };
}

/** Tells the route's company what the route looks like now (offered or updated). */
async function announceRoute(
  tx: DbOrTx,
  type: 'route.offered' | 'route.updated',
  route: PlanRoute,
  plan: Plan,
  offerDeadline: Date | null,
) {
  const companyId = required(route.courierCompanyId, `company of route ${route.id}`);
  const stops = await createDispatchRepository(tx).stopsOfRoute(route.id);
  const data = routeData({ route, deliveryDate: plan.deliveryDate, office: await officeOf(tx, plan), stops, offerDeadline });
  return appendOutboundEvent(tx, { companyId, type, data, subjectId: route.id });
}

async function announceCancelled(tx: DbOrTx, route: PlanRoute, companyId: string, reason: string) {
  return appendOutboundEvent(tx, {
    companyId,
    type: 'route.cancelled',
    data: { routeId: route.id, version: route.version, reason },
    subjectId: route.id,
  });
}

/**
 * Offers the route to a company: the one whose shift it uses when it is first offered, else the
 * next that fits (see next-company.ts). None left: the route is `unstaffed`, which supervisors
 * see; its bookings can be released for another day.
 */
async function offerToNext(tx: DbOrTx, route: PlanRoute, plan: Plan, settings: OfferSettings, first: boolean): Promise<RouteOffer | null> {
  const repo = createDispatchRepository(tx);
  // Counting free vehicles and taking one is serialised per office and day: two declines at once
  // must not both see, and both take, the last free vehicle of a shift.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`dispatch:${plan.officeId}:${plan.deliveryDate}`}, 0))`);
  const shifts = await repo.shiftsWithUse(plan.officeId, plan.deliveryDate);
  const ownShift = shifts.find((s) => s.shift.id === route.shiftId)?.shift;
  let choice: { companyId: string; shiftId: string } | null = null;
  const companies = await createCouriersRepository(tx).listCompanies();
  if (first && ownShift?.courierCompanyId) {
    const company = companies.find((c) => c.id === ownShift.courierCompanyId);
    if (company?.status === 'active') choice = { companyId: company.id, shiftId: ownShift.id };
  }
  if (!choice) {
    const offered = new Set((await repo.offersOfRoute(route.id)).map((o) => o.companyId));
    // The route's own vehicle is free again for this choice: it is being re-offered.
    const candidates = shifts.map((s) => ({
      ...s.shift,
      companyId: s.shift.courierCompanyId,
      vehiclesInUse: s.vehiclesInUse - (s.shift.id === route.shiftId && route.dispatchStatus === 'offered' ? 1 : 0),
    }));
    choice = chooseNextOffer(await routeNeeds(tx, route), companies, candidates, offered);
  }
  if (!choice) {
    await repo.updateRoute(route.id, { dispatchStatus: 'unstaffed', unstaffedAt: settings.now, courierCompanyId: null });
    await recordAudit(tx, {
      actorType: 'system',
      actorId: 'dispatch',
      action: 'route.unstaffed',
      subjectType: 'route',
      subjectId: route.id,
      officeId: plan.officeId,
      details: { planId: plan.id },
    });
    return null;
  }
  const updated = await repo.updateRoute(route.id, {
    courierCompanyId: choice.companyId,
    shiftId: choice.shiftId,
    dispatchStatus: 'offered',
    version: route.version + 1,
    unstaffedAt: null,
  });
  const deadline = new Date(settings.now.getTime() + settings.offerMinutes * 60_000);
  const offer = await repo.insertOffer({
    routeId: route.id,
    companyId: choice.companyId,
    shiftId: choice.shiftId,
    offeredAt: settings.now,
    deadline,
  });
  await announceRoute(tx, 'route.offered', updated, plan, deadline);
  return offer;
}

/** A plan was confirmed: each of its routes is offered. Returns the offers (their deadlines get a job after commit). */
export async function offerRoutesOfPlan(tx: DbOrTx, plan: Plan, settings: OfferSettings): Promise<RouteOffer[]> {
  const offers: RouteOffer[] = [];
  for (const route of await createDispatchRepository(tx).routesOfPlan(plan.id)) {
    const offer = await offerToNext(tx, route, plan, settings, true);
    if (offer) offers.push(offer);
  }
  return offers;
}

/** After a decline or a missed deadline: the next company, or unstaffed. */
export async function reofferRoute(tx: DbOrTx, routeId: string, settings: OfferSettings): Promise<RouteOffer | null> {
  const { route, plan } = required(await createDispatchRepository(tx).route(routeId, { forUpdate: true }), `route ${routeId}`);
  return offerToNext(tx, route, plan, settings, false);
}

/**
 * A route is taken back before its documents left (plan withdrawn, route released): the open
 * offer is withdrawn and the company that had it is told.
 */
export async function cancelRoute(tx: DbOrTx, route: PlanRoute, reason: string, now: Date) {
  const repo = createDispatchRepository(tx);
  const open = await repo.openOffer(route.id, { forUpdate: true });
  if (open) await repo.closeOffer(open.id, 'withdrawn', now);
  const updated = await repo.updateRoute(route.id, { dispatchStatus: 'cancelled', version: route.version + 1 });
  if (route.courierCompanyId && ['offered', 'accepted'].includes(route.dispatchStatus)) {
    await announceCancelled(tx, updated, route.courierCompanyId, reason);
  }
  return updated;
}

export async function cancelRoutesOfPlan(tx: DbOrTx, planId: string, reason: string, now: Date) {
  for (const route of await createDispatchRepository(tx).routesOfPlan(planId)) {
    if (!['handed_over', 'started', 'completed', 'cancelled'].includes(route.dispatchStatus)) await cancelRoute(tx, route, reason, now);
  }
}

/** The offer's company missed the deadline: it is told the offer is gone, and the next one gets it. */
export async function expireOfferInTx(tx: DbOrTx, offerId: string, settings: OfferSettings) {
  const repo = createDispatchRepository(tx);
  // Route first, then offer: the order accept and decline lock them in, so they cannot deadlock.
  const seen = await repo.offer(offerId);
  if (!seen || seen.status !== 'open') return { outcome: 'not_open' as const };
  const { route } = required(await repo.route(seen.routeId, { forUpdate: true }), `route ${seen.routeId}`);
  const offer = required(await repo.offer(offerId, { forUpdate: true }), `offer ${offerId}`);
  if (offer.status !== 'open') return { outcome: 'not_open' as const };
  if (offer.deadline.getTime() > settings.now.getTime()) return { outcome: 'not_due' as const };
  await repo.closeOffer(offer.id, 'expired', settings.now);
  await announceCancelled(tx, route, offer.companyId, 'offer_expired');
  const next = await reofferRoute(tx, route.id, settings);
  return { outcome: 'expired' as const, next };
}

/**
 * Locks the route a booking is on (if any) before the booking itself is locked: every operation
 * that touches both takes the route first, so a cancellation and a handover cannot deadlock.
 */
export async function lockRouteOfBooking(tx: DbOrTx, bookingId: string) {
  const found = await createDispatchRepository(tx).confirmedStopOfBooking(bookingId);
  if (found) await createDispatchRepository(tx).route(found.route.id, { forUpdate: true });
}

/** The booking's current stop (its latest confirmed route) is this one: reports about an older route are history. */
export async function isCurrentStop(tx: DbOrTx, bookingId: string, stopId: string) {
  return (await createDispatchRepository(tx).confirmedStopOfBooking(bookingId))?.stop.id === stopId;
}

/**
 * A booking on a route was cancelled before the handover: the company is told the route without
 * it (route.updated), so no courier rings at that door.
 */
export async function removeStopOfBooking(tx: DbOrTx, bookingId: string) {
  const repo = createDispatchRepository(tx);
  const found = await repo.confirmedStopOfBooking(bookingId);
  if (!found || !found.route.courierCompanyId || !['offered', 'accepted'].includes(found.route.dispatchStatus)) return;
  const { route, plan } = required(await repo.route(found.route.id, { forUpdate: true }), `route ${found.route.id}`);
  const updated = await repo.updateRoute(route.id, { version: route.version + 1 });
  const open = await repo.openOffer(route.id);
  await announceRoute(tx, 'route.updated', updated, plan, open?.deadline ?? null);
}

/** Marks the bookings of a released route ready for another day's planning. */
export async function releaseBookingsOfRoute(tx: Transaction, routeId: string, actor: { type: 'staff'; id: string }) {
  const bookingsRepo = createBookingsRepository(tx);
  const released: string[] = [];
  const stops = await createDispatchRepository(tx).stopsOfRoute(routeId);
  for (const id of stops.map((s) => s.booking.id).sort()) {
    const booking = required(await bookingsRepo.findById(id, { forUpdate: true }), `booking ${id}`);
    if (booking.status !== 'planned') continue;
    await transitionBooking(tx, booking, 'document_ready', actor, `route ${routeId} released`);
    released.push(id);
  }
  return released;
}
