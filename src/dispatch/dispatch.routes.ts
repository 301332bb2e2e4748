import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/audit.repository.ts';
import { assertOfficeScope } from '../auth/office-scope.ts';
import { createBookingNotFoundError } from '../bookings/bookings.errors.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import { awaitsPinLetter } from '../bookings/pin-letter.ts';
import { createCustodyRepository } from '../custody/custody.repository.ts';
import type { Database } from '../db/client.ts';
import type { HandoverService } from '../handover/handover.service.ts';
import type { Handover } from '../handover/handover.table.ts';
import { access, companyOf, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import { CourierEventSchema } from './courier-events.ts';
import type { DispatchService } from './dispatch.service.ts';
import {
  ConfirmedHandoverSchema,
  CourierEventResultSchema,
  CourierRouteSchema,
  CourierRouteSummarySchema,
  CustodyChainSchema,
  DeclineRouteBody,
  HandoverSchema,
  OwnRoutesQuery,
  ReleasedRouteSchema,
  StaffRouteSchema,
  StartHandoverBody,
} from './dispatch.schemas.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toHandoverView = (h: Handover) => ({
  id: h.id,
  routeId: h.routeId,
  kind: h.kind,
  status: h.status,
  bookingIds: h.bookingIds,
  courierName: h.courierName,
  courierRef: h.courierRef,
  startedByStaffId: h.startedByStaffId,
  startedAt: h.startedAt.toISOString(),
  confirmedByStaffId: h.confirmedByStaffId,
  confirmedAt: iso(h.confirmedAt),
});

/** Routes with the courier companies (offers, the company's own view), the four-eyes handover and custody. */
export async function dispatchRoutes(app: App, opts: { dispatch: DispatchService; handover: HandoverService; db: Database }) {
  const { dispatch, handover } = opts;
  const company = access.courierCompany();
  const desk = access.staff('clerk', 'supervisor');

  // What a company does with its key.

  app.get(
    '/v1/courier/routes',
    {
      config: { access: company },
      schema: {
        operationId: 'listOwnRoutes',
        tags: ['couriers'],
        summary: 'Routes offered to or taken by the calling company (at most 200), newest day first',
        querystring: OwnRoutesQuery,
        response: { 200: Type.Object({ data: Type.Array(CourierRouteSummarySchema) }), ...errorResponses(400) },
      },
    },
    async (request) => ({
      data: (await dispatch.listCompanyRoutes(companyOf(request).id, request.query)).map(({ route, plan }) => ({
        routeId: route.id,
        deliveryDate: plan.deliveryDate,
        officeId: plan.officeId,
        dispatchStatus: route.dispatchStatus,
        vehicleType: route.vehicleType,
        pickupAt: route.startsAt.toISOString(),
        returnBy: route.endsAt.toISOString(),
        version: route.version,
      })),
    }),
  );

  app.get(
    '/v1/courier/routes/:id',
    {
      config: { access: company },
      schema: {
        operationId: 'getOwnRoute',
        tags: ['couriers'],
        summary: "One of the company's routes: its stops as route.offered has them, and where each job stands",
        params: IdParams,
        response: { 200: CourierRouteSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const found = await dispatch.getCompanyRoute(companyOf(request), request.params.id);
      return { dispatchStatus: found.route.dispatchStatus, route: found.data, jobs: found.stopStatus };
    },
  );

  app.post(
    '/v1/courier/routes/:id/accept',
    {
      config: { access: company },
      schema: {
        operationId: 'acceptRoute',
        tags: ['couriers'],
        summary: 'Accept an offered route before its deadline (the same as a route.accepted event); idempotent',
        params: IdParams,
        response: {
          200: Type.Object({
            routeId: Type.String({ maxLength: 36 }),
            dispatchStatus: Type.String({ maxLength: 20 }),
            alreadyAccepted: Type.Boolean(),
          }),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request) => {
      const { route, alreadyAccepted } = await dispatch.acceptRoute(companyOf(request), request.params.id);
      return { routeId: route.id, dispatchStatus: route.dispatchStatus, alreadyAccepted };
    },
  );

  app.post(
    '/v1/courier/routes/:id/decline',
    {
      config: { access: company },
      schema: {
        operationId: 'declineRoute',
        tags: ['couriers'],
        summary: 'Decline an offered route (the same as a route.declined event): it is offered to the next company that fits',
        params: IdParams,
        body: DeclineRouteBody,
        response: {
          200: Type.Object({ routeId: Type.String({ maxLength: 36 }), declined: Type.Literal(true) }),
          ...errorResponses(400, 404, 409),
        },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      await dispatch.declineRoute(companyOf(request), request.params.id, request.body.reason);
      return { routeId: request.params.id, declined: true as const };
    },
  );

  app.post(
    '/v1/courier/events',
    {
      config: { access: company },
      schema: {
        operationId: 'postCourierEvent',
        tags: ['couriers'],
        summary: 'Report what happened on the road, with the API key (the same events as the signed webhook)',
        description:
          'route.accepted, route.declined, route.started, stop.arrived, stop.delivered (with the identity check), stop.failed, document.returned, route.completed. Each event id is applied once; late or out-of-order events never move a delivery backwards; a timestamp farther than the tolerance from now is refused.',
        body: CourierEventSchema,
        response: { 200: CourierEventResultSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => ({ received: true as const, ...(await dispatch.applyCourierEvent(companyOf(request), request.body)) }),
  );

  // Office staff.

  app.get(
    '/v1/routes/:id',
    {
      config: { access: access.staff('clerk', 'supervisor', 'admin') },
      schema: {
        operationId: 'getRoute',
        tags: ['dispatch'],
        summary: 'Where a route stands: offers and answers, its documents and their custody, identity checks, handovers',
        params: IdParams,
        response: { 200: StaffRouteSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { route, plan, offers, stops, checks } = await dispatch.getRoute(request.params.id, staffOf(request));
      const handovers = await handover.handoversOfRoute(route.id);
      return {
        id: route.id,
        planId: plan.id,
        officeId: plan.officeId,
        deliveryDate: plan.deliveryDate,
        sequence: route.sequence,
        vehicleType: route.vehicleType,
        dispatchStatus: route.dispatchStatus,
        courierCompanyId: route.courierCompanyId,
        version: route.version,
        startsAt: route.startsAt.toISOString(),
        endsAt: route.endsAt.toISOString(),
        acceptedAt: iso(route.acceptedAt),
        handedOverAt: iso(route.handedOverAt),
        startedAt: iso(route.startedAt),
        completedAt: iso(route.completedAt),
        unstaffedAt: iso(route.unstaffedAt),
        offers: offers.map((o) => ({
          id: o.id,
          companyId: o.companyId,
          status: o.status,
          offeredAt: o.offeredAt.toISOString(),
          deadline: o.deadline.toISOString(),
          answeredAt: iso(o.answeredAt),
          declineReason: o.declineReason,
        })),
        stops: stops.map(({ stop, booking }) => ({
          jobId: stop.id,
          bookingId: booking.id,
          sequence: stop.sequence,
          applicationNumber: booking.applicationNumber,
          status: booking.status,
          custodyHolder: booking.custodyHolder,
          deliveryAttempts: booking.deliveryAttempts,
          pinLetterPending: awaitsPinLetter(booking),
          window: { start: stop.announcedStart.toISOString(), end: stop.announcedEnd.toISOString() },
        })),
        identityChecks: checks.map((c) => ({
          bookingId: c.bookingId,
          attempt: c.attempt,
          methods: c.methods,
          passed: c.passed,
          checkedAt: c.checkedAt.toISOString(),
          courierRef: c.courierRef,
          distanceMetres: c.distanceMetres,
          flaggedForReview: c.flaggedForReview,
          oldDocumentCollected: c.oldDocumentCollected,
        })),
        handovers: handovers.map(toHandoverView),
      };
    },
  );

  app.post(
    '/v1/routes/:id/release',
    {
      config: { access: access.staff('supervisor', 'admin') },
      schema: {
        operationId: 'releaseRoute',
        tags: ['dispatch'],
        summary: 'Take back a route whose documents are still in the office (no company took it): its bookings wait for another day',
        params: IdParams,
        response: { 200: ReleasedRouteSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { route, bookingIds } = await dispatch.releaseRoute(request.params.id, staffOf(request), String(request.id));
      return { routeId: route.id, dispatchStatus: route.dispatchStatus, releasedBookingIds: bookingIds };
    },
  );

  for (const kind of ['handover', 'return'] as const) {
    app.post(
      `/v1/routes/:id/${kind}`,
      {
        config: { access: desk },
        schema: {
          operationId: kind === 'handover' ? 'startHandover' : 'startReturn',
          tags: ['dispatch'],
          summary:
            kind === 'handover'
              ? 'First pair of eyes: scan the documents handed to the courier (exactly the route’s); a colleague confirms'
              : 'First pair of eyes: scan the documents the courier brings back (exactly those it holds); a colleague confirms',
          params: IdParams,
          body: StartHandoverBody,
          response: { 201: HandoverSchema, ...errorResponses(400, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(toHandoverView(await handover.start(request.params.id, kind, request.body, staffOf(request), String(request.id)))),
    );
  }

  app.get(
    '/v1/handovers/:id',
    {
      config: { access: desk },
      schema: {
        operationId: 'getHandover',
        tags: ['dispatch'],
        summary: 'A handover or return check-in, and whether it is confirmed',
        params: IdParams,
        response: { 200: HandoverSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toHandoverView(await handover.get(request.params.id, staffOf(request))),
  );

  app.post(
    '/v1/handovers/:id/confirm',
    {
      config: { access: desk },
      schema: {
        operationId: 'confirmHandover',
        tags: ['dispatch'],
        summary: 'Second pair of eyes: a different staff member confirms; the documents change hands (custody log)',
        params: IdParams,
        response: { 200: ConfirmedHandoverSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => {
      const confirmed = await handover.confirm(request.params.id, staffOf(request), String(request.id));
      return { handover: toHandoverView(confirmed.handover), bookings: confirmed.bookings };
    },
  );

  app.get(
    '/v1/bookings/:id/custody',
    {
      config: { access: access.staff('clerk', 'supervisor', 'admin') },
      schema: {
        operationId: 'getCustodyChain',
        tags: ['dispatch'],
        summary: "Who held the document when: the booking's entries of the hash-chained custody log",
        params: IdParams,
        response: { 200: CustodyChainSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const booking = await createBookingsRepository(opts.db).findById(request.params.id);
      if (!booking) throw createBookingNotFoundError();
      assertOfficeScope(staff, booking.officeId);
      const entries = await createCustodyRepository(opts.db).chainOf(booking.id);
      await recordAudit(opts.db, {
        actorType: 'staff',
        actorId: staff.id,
        action: 'custody.viewed',
        subjectType: 'booking',
        subjectId: booking.id,
        officeId: booking.officeId,
        requestId: String(request.id),
      });
      return {
        bookingId: booking.id,
        holder: booking.custodyHolder,
        entries: entries.map((e) => ({
          seq: e.seq,
          from: e.fromHolder,
          to: e.toHolder,
          event: e.event,
          routeId: e.routeId,
          courierCompanyId: e.courierCompanyId,
          courierRef: e.courierRef,
          courierName: e.courierName,
          staffIds: e.staffIds,
          recordedAt: e.recordedAt.toISOString(),
          hash: e.hash,
        })),
      };
    },
  );
}
