import { access, companyOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import { CreateRiderBody, RiderListSchema, RiderSchema } from './riders.schemas.ts';
import type { RidersService } from './riders.service.ts';
import type { CourierRider } from './riders.table.ts';

const toRiderView = (r: CourierRider) => ({
  id: r.id,
  username: r.username,
  displayName: r.displayName,
  active: r.active,
  createdAt: r.createdAt.toISOString(),
  lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
});

/** A company's rider accounts for the rider app (/kurier), managed with its own API key. */
export async function ridersRoutes(app: App, opts: { riders: RidersService }) {
  const company = access.courierCompany();

  app.post(
    '/v1/courier/riders',
    {
      config: { access: company },
      schema: {
        operationId: 'createCourierRider',
        tags: ['couriers'],
        summary: 'Create a rider account for the rider app (/kurier): the rider signs in with username and password',
        body: CreateRiderBody,
        response: { 201: RiderSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(toRiderView(await opts.riders.createRider(companyOf(request), request.body, String(request.id)))),
  );

  app.get(
    '/v1/courier/riders',
    {
      config: { access: company },
      schema: {
        operationId: 'listCourierRiders',
        tags: ['couriers'],
        summary: "The company's rider accounts (at most 1000), active or not",
        response: { 200: RiderListSchema },
      },
    },
    async (request) => ({ data: (await opts.riders.listRiders(companyOf(request))).map(toRiderView) }),
  );

  app.post(
    '/v1/courier/riders/:id/deactivate',
    {
      config: { access: company },
      schema: {
        operationId: 'deactivateCourierRider',
        tags: ['couriers'],
        summary: 'Deactivate a rider: they can no longer sign in, and their open sessions end at once',
        params: IdParams,
        response: { 200: RiderSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toRiderView(await opts.riders.deactivateRider(companyOf(request), request.params.id, String(request.id))),
  );
}
