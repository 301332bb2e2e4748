import { access, companyOf, staffOf } from '../plugins/access.plugin.ts';
import type { PlanningService } from '../planning/planning.service.ts';
import { toShiftView } from '../planning/planning.routes.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import type { CouriersService } from './couriers.service.ts';
import type { CourierCompany } from './couriers.table.ts';
import {
  AnnounceShiftBody,
  CourierCompanyDetailsSchema,
  CourierCompanySchema,
  CourierShiftListSchema,
  CourierShiftSchema,
  CreateCourierCompanyBody,
  CreatedCourierCompanySchema,
  OwnShiftsQuery,
  RotatedApiKeySchema,
  RotatedSecretSchema,
  RotateSecretBody,
  UpdateCourierCompanyBody,
} from './couriers.schemas.ts';
import { Type } from '@sinclair/typebox';

export const toCompanyView = (c: CourierCompany) => ({
  id: c.id,
  name: c.name,
  vehicleTypes: c.vehicleTypes,
  zoneIds: c.zoneIds,
  pricePerDeliveryCents: c.pricePerDeliveryCents,
  pricePerFailedAttemptCents: c.pricePerFailedAttemptCents,
  contact: { name: c.contactName, email: c.contactEmail, phone: c.contactPhone },
  webhookUrl: c.webhookUrl,
  webhookDisabled: c.webhookDisabledAt ? { at: c.webhookDisabledAt.toISOString(), reason: c.webhookDisabledReason } : null,
  status: c.status,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/** The registry (admins) and what a company does with its own key. */
export async function couriersRoutes(app: App, opts: { couriers: CouriersService; planning: PlanningService }) {
  const svc = opts.couriers;
  const admin = access.staff('admin');

  app.post(
    '/v1/courier-companies',
    {
      config: { access: admin },
      schema: {
        operationId: 'createCourierCompany',
        tags: ['couriers'],
        summary: 'Register a courier company: its contract, API key and webhook signing secret (both shown once)',
        body: CreateCourierCompanyBody,
        response: { 201: CreatedCourierCompanySchema, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const { company, apiKey, signingSecret } = await svc.createCompany(request.body, staffOf(request), String(request.id));
      return reply.status(201).send({ company: toCompanyView(company), apiKey, signingSecret });
    },
  );

  app.get(
    '/v1/courier-companies',
    {
      config: { access: admin },
      schema: {
        operationId: 'listCourierCompanies',
        tags: ['couriers'],
        summary: 'Every courier company with its contract',
        response: { 200: Type.Object({ data: Type.Array(CourierCompanySchema) }) },
      },
    },
    async () => ({ data: (await svc.listCompanies()).map(toCompanyView) }),
  );

  app.get(
    '/v1/courier-companies/:id',
    {
      config: { access: admin },
      schema: {
        operationId: 'getCourierCompany',
        tags: ['couriers'],
        summary: 'One courier company, with the first characters of its live keys',
        params: IdParams,
        response: { 200: CourierCompanyDetailsSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { company, keys } = await svc.getCompany(request.params.id);
      return { ...toCompanyView(company), apiKeys: keys.map((k) => ({ prefix: k.prefix, createdAt: k.createdAt.toISOString() })) };
    },
  );

  app.patch(
    '/v1/courier-companies/:id',
    {
      config: { access: admin },
      schema: {
        operationId: 'updateCourierCompany',
        tags: ['couriers'],
        summary: 'Change a contract, the webhook URL, or suspend / reactivate a company',
        params: IdParams,
        body: UpdateCourierCompanyBody,
        response: { 200: CourierCompanySchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => toCompanyView(await svc.updateCompany(request.params.id, request.body, staffOf(request), String(request.id))),
  );

  app.post(
    '/v1/courier-companies/:id/api-key',
    {
      config: { access: admin },
      schema: {
        operationId: 'rotateCourierApiKey',
        tags: ['couriers'],
        summary: 'A new API key (shown once); the earlier keys stop working at once',
        params: IdParams,
        response: { 201: RotatedApiKeySchema, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await svc.rotateApiKey(request.params.id, staffOf(request), String(request.id))),
  );

  app.post(
    '/v1/courier-companies/:id/signing-secret',
    {
      config: { access: admin },
      schema: {
        operationId: 'rotateCourierSigningSecret',
        tags: ['couriers'],
        summary: 'A new webhook signing secret (shown once); the previous one keeps signing for the overlap',
        params: IdParams,
        body: RotateSecretBody,
        response: { 201: RotatedSecretSchema, ...errorResponses(400, 404) },
      },
      preValidation: async (request) => {
        request.body ??= { overlapHours: 24 };
      },
    },
    async (request, reply) => {
      const rotated = await svc.rotateSigningSecret(request.params.id, request.body.overlapHours, staffOf(request), String(request.id));
      return reply
        .status(201)
        .send({ signingSecret: rotated.signingSecret, previousSecretsRetireAt: rotated.previousSecretsRetireAt.toISOString() });
    },
  );

  // What a company does with its own key.

  app.get(
    '/v1/courier/company',
    {
      config: { access: access.courierCompany() },
      schema: {
        operationId: 'getOwnCourierCompany',
        tags: ['couriers'],
        summary: 'The calling company: its contract as the platform has it',
        response: { 200: CourierCompanySchema },
      },
    },
    async (request) => toCompanyView(companyOf(request)),
  );

  app.post(
    '/v1/courier/shifts',
    {
      config: { access: access.courierCompany() },
      schema: {
        operationId: 'announceCourierShift',
        tags: ['couriers'],
        summary: 'Announce a shift of the company for an office and day: planning uses it',
        body: AnnounceShiftBody,
        response: { 201: CourierShiftSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const { officeId, ...shift } = request.body;
      const created = await opts.planning.createCourierShift(officeId, shift, { company: companyOf(request) }, String(request.id));
      return reply.status(201).send(toShiftView(created.shift));
    },
  );

  app.get(
    '/v1/courier/shifts',
    {
      config: { access: access.courierCompany() },
      schema: {
        operationId: 'listOwnCourierShifts',
        tags: ['couriers'],
        summary: "The company's own shifts (at most 500), optionally of one office and day",
        querystring: OwnShiftsQuery,
        response: { 200: CourierShiftListSchema, ...errorResponses(400) },
      },
    },
    async (request) => ({ data: (await opts.planning.listCompanyShifts(companyOf(request).id, request.query)).map(toShiftView) }),
  );
}
