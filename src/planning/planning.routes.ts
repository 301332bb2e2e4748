import { access, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses } from '../shared/schemas.ts';
import {
  ConfirmPlanResponse,
  CourierShiftListSchema,
  CourierShiftSchema,
  CreateCourierShiftBody,
  CreatePlanBody,
  CreatePlanResponse,
  ListCourierShiftsQuery,
  OfficeDayParams,
  OfficeParams,
  PlanGeoJsonSchema,
  PlanSchema,
} from './planning.schemas.ts';
import type { PlanningService } from './planning.service.ts';
import type { CourierShift, Plan } from './planning.table.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toPlanSummary(p: Plan) {
  return {
    id: p.id,
    officeId: p.officeId,
    deliveryDate: p.deliveryDate,
    status: p.status,
    jobId: p.jobId,
    progress: p.progress,
    stats: p.stats,
    error: p.error,
    requestedByStaffId: p.requestedByStaffId,
    confirmedByStaffId: p.confirmedByStaffId,
    confirmedAt: iso(p.confirmedAt),
    startedAt: iso(p.startedAt),
    finishedAt: iso(p.finishedAt),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function toShiftView(s: CourierShift) {
  return {
    id: s.id,
    officeId: s.officeId,
    deliveryDate: s.deliveryDate,
    vehicleType: s.vehicleType,
    vehicleCount: s.vehicleCount,
    capacity: s.capacity,
    shiftStart: s.shiftStart.toISOString(),
    shiftEnd: s.shiftEnd.toISOString(),
    maxDistanceMetres: s.maxDistanceMetres,
    courierCompanyId: s.courierCompanyId,
    createdAt: s.createdAt.toISOString(),
  };
}

export async function planningRoutes(app: App, opts: { planning: PlanningService }) {
  const svc = opts.planning;

  app.post(
    '/v1/offices/:officeId/courier-shifts',
    {
      config: { access: access.staff('supervisor', 'admin') },
      schema: {
        operationId: 'createCourierShift',
        tags: ['planning'],
        summary: 'Add courier capacity for a delivery day: vehicles of one type working one shift',
        params: OfficeParams,
        body: CreateCourierShiftBody,
        response: { 201: CourierShiftSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const { shift } = await svc.createCourierShift(
        request.params.officeId,
        request.body,
        { staff: staffOf(request) },
        String(request.id),
      );
      return reply.status(201).send(toShiftView(shift));
    },
  );

  app.get(
    '/v1/offices/:officeId/courier-shifts',
    {
      config: { access: access.staff('supervisor', 'admin') },
      schema: {
        operationId: 'listCourierShifts',
        tags: ['planning'],
        summary: 'Courier shifts of an office on a delivery day',
        params: OfficeParams,
        querystring: ListCourierShiftsQuery,
        response: { 200: CourierShiftListSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const { shifts } = await svc.listCourierShifts(request.params.officeId, request.query.deliveryDate, staffOf(request));
      return { data: shifts.map(toShiftView) };
    },
  );

  app.post(
    '/v1/offices/:officeId/plans',
    {
      config: { access: access.staff('supervisor') },
      schema: {
        operationId: 'createPlan',
        tags: ['planning'],
        summary: 'Plan the routes of a delivery day (asynchronous: poll getPlan)',
        description:
          'Queues a planning job for the office and day. While one is waiting or running, the same job is returned. A new run supersedes the current draft; a confirmed day is refused (409).',
        params: OfficeParams,
        body: CreatePlanBody,
        response: { 202: CreatePlanResponse, ...errorResponses(400, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { plan, job } = await svc.requestPlan(request.params.officeId, request.body.deliveryDate, {
        staff: staffOf(request),
        requestId: String(request.id),
      });
      return reply.status(202).send({ plan: toPlanSummary(plan), job });
    },
  );

  app.get(
    '/v1/offices/:officeId/plans/:deliveryDate',
    {
      config: { access: access.staff('clerk', 'supervisor') },
      schema: {
        operationId: 'getPlan',
        tags: ['planning'],
        summary: 'The current plan of a delivery day: status, progress while it runs, routes and the bookings left unassigned',
        params: OfficeDayParams,
        response: { 200: PlanSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const { plan, routes, unassigned } = await svc.getPlan(request.params.officeId, request.params.deliveryDate, staffOf(request));
      return {
        ...toPlanSummary(plan),
        routes: routes.map(({ route, stops }) => ({
          id: route.id,
          sequence: route.sequence,
          vehicleId: route.vehicleId,
          vehicleType: route.vehicleType,
          shiftId: route.shiftId,
          startsAt: route.startsAt.toISOString(),
          endsAt: route.endsAt.toISOString(),
          distanceMetres: route.distanceMetres,
          durationSeconds: route.durationSeconds,
          travelSeconds: route.travelSeconds,
          dispatchStatus: route.dispatchStatus,
          courierCompanyId: route.courierCompanyId,
          stops: stops.map(({ stop, applicationNumber, postalCode, vehicleType }) => ({
            sequence: stop.sequence,
            bookingId: stop.bookingId,
            applicationNumber,
            postalCode,
            vehicleType,
            plannedArrival: stop.plannedArrival.toISOString(),
            serviceStart: stop.serviceStart.toISOString(),
            departure: stop.departure.toISOString(),
            announcedWindow: { start: stop.announcedStart.toISOString(), end: stop.announcedEnd.toISOString() },
          })),
        })),
        unassigned,
      };
    },
  );

  app.post(
    '/v1/offices/:officeId/plans/:deliveryDate/confirm',
    {
      config: { access: access.staff('supervisor') },
      schema: {
        operationId: 'confirmPlan',
        tags: ['planning'],
        summary: 'Confirm the draft plan: its bookings become planned',
        description:
          'Fails with 409 plan.stale when a booking on the draft changed since planning (cancelled, planned on another day): plan the day again.',
        params: OfficeDayParams,
        response: { 200: ConfirmPlanResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { plan, bookingIds } = await svc.confirmPlan(
        request.params.officeId,
        request.params.deliveryDate,
        staffOf(request),
        String(request.id),
      );
      return { plan: toPlanSummary(plan), bookingIds };
    },
  );

  app.post(
    '/v1/offices/:officeId/plans/:deliveryDate/withdraw',
    {
      config: { access: access.staff('supervisor') },
      schema: {
        operationId: 'withdrawPlan',
        tags: ['planning'],
        summary: 'Take a confirmed plan back before handover: its bookings return to document_ready',
        description:
          'Fails with 409 plan.in_progress once a document of the plan has left the office. Afterwards the day can be planned again.',
        params: OfficeDayParams,
        response: { 200: ConfirmPlanResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { plan, bookingIds } = await svc.withdrawPlan(
        request.params.officeId,
        request.params.deliveryDate,
        staffOf(request),
        String(request.id),
      );
      return { plan: toPlanSummary(plan), bookingIds };
    },
  );

  app.get(
    '/v1/offices/:officeId/plans/:deliveryDate/geojson',
    {
      config: { access: access.staff('supervisor') },
      schema: {
        operationId: 'getPlanGeoJSON',
        tags: ['planning'],
        summary: 'The plan as a GeoJSON FeatureCollection (office, routes, stops, unassigned bookings) for GIS tools',
        description: 'Contains delivery locations; every export is audited.',
        params: OfficeDayParams,
        response: { 200: PlanGeoJsonSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const { geojson } = await svc.getPlanGeoJson(
        request.params.officeId,
        request.params.deliveryDate,
        staffOf(request),
        String(request.id),
      );
      reply.header('content-disposition', `attachment; filename="plan-${request.params.deliveryDate}.geojson"`);
      return reply.type('application/geo+json').send(geojson);
    },
  );
}
