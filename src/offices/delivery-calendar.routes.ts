import { Type } from '@sinclair/typebox';
import { access, staffOf } from '../plugins/access.plugin.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import type { DeliveryCalendarService } from './delivery-calendar.service.ts';
import { toDeliverySlotsView } from './delivery-hours.ts';
import { toOfficeDetails } from './offices.routes.ts';
import {
  ClosureSchema,
  CreateClosureBody,
  DeliverySlotsQuery,
  DeliverySlotsSchema,
  OfficeClosureParams,
  OfficeDetailsSchema,
  UpdateOfficeBody,
} from './offices.schemas.ts';

/** When an office delivers: slots for citizens, hours and closing days for its admins. */
export async function deliveryCalendarRoutes(app: App, opts: { calendar: DeliveryCalendarService }) {
  const svc = opts.calendar;

  app.get(
    '/v1/offices/:id/delivery-slots',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'listDeliverySlots',
        tags: ['offices'],
        summary: 'The days and hours the office delivers (public holidays and closing days excluded)',
        description:
          'Preferred delivery windows of a booking must lie within one of these windows. `from` defaults to tomorrow (office time).',
        params: IdParams,
        querystring: DeliverySlotsQuery,
        response: { 200: DeliverySlotsSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const { calendar, days } = await svc.deliverySlots(request.params.id, { fromDate: request.query.from, days: request.query.days });
      return toDeliverySlotsView(calendar, days);
    },
  );

  app.patch(
    '/v1/offices/:id',
    {
      config: { access: access.staff('admin') },
      schema: {
        operationId: 'updateOffice',
        tags: ['offices'],
        summary: "Change an office's state (holidays), postal codes, delivery hours or payment-issue handling",
        params: IdParams,
        body: UpdateOfficeBody,
        response: { 200: OfficeDetailsSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => toOfficeDetails(await svc.updateSettings(request.params.id, request.body, staffOf(request), String(request.id))),
  );

  app.get(
    '/v1/offices/:id/closures',
    {
      config: { access: access.staff('admin', 'supervisor', 'clerk') },
      schema: {
        operationId: 'listOfficeClosures',
        tags: ['offices'],
        summary: 'Days without delivery besides public holidays (last month to three years ahead)',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(ClosureSchema) }), ...errorResponses(400, 404) },
      },
    },
    async (request) => ({
      data: (await svc.listClosures(request.params.id, staffOf(request))).map((c) => ({ date: c.date, reason: c.reason })),
    }),
  );

  app.post(
    '/v1/offices/:id/closures',
    {
      config: { access: access.staff('admin', 'supervisor') },
      schema: {
        operationId: 'createOfficeClosure',
        tags: ['offices'],
        summary: 'Add a day without delivery (a local holiday, a closure); adding it twice is harmless',
        params: IdParams,
        body: CreateClosureBody,
        response: { 201: ClosureSchema, 200: ClosureSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const { added, closure } = await svc.addClosure(request.params.id, request.body, staffOf(request), String(request.id));
      return reply.status(added ? 201 : 200).send({ date: closure.date, reason: closure.reason });
    },
  );

  app.delete(
    '/v1/offices/:id/closures/:date',
    {
      config: { access: access.staff('admin', 'supervisor') },
      schema: {
        operationId: 'deleteOfficeClosure',
        tags: ['offices'],
        summary: 'Remove a day without delivery',
        params: OfficeClosureParams,
        response: { 204: Type.Null(), ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      await svc.removeClosure(request.params.id, request.params.date, staffOf(request), String(request.id));
      return reply.status(204).send(null);
    },
  );
}
