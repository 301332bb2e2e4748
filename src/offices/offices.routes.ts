import { Type, type Static } from '@sinclair/typebox';
import { access, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import type { createOfficesRepository } from './offices.repository.ts';
import type { OfficesService } from './offices.service.ts';
import type { Office, ServiceZone, Tariff } from './offices.table.ts';
import {
  CreateOfficeBody,
  CreateTariffBody,
  CreateZoneBody,
  EndTariffBody,
  OfficeDetailsSchema,
  OfficeSchema,
  OfficeTariffParams,
  OfficeZoneParams,
  TariffSchema,
  UpdateZoneBody,
  ZoneGeometrySchema,
  ZoneSchema,
} from './offices.schemas.ts';

/** Zones can be large (a city boundary has thousands of vertices). */
const ZONE_BODY_LIMIT = 2 * 1024 * 1024;

export async function officesRoutes(app: App, opts: { offices: ReturnType<typeof createOfficesRepository>; service: OfficesService }) {
  const svc = opts.service;

  app.get(
    '/v1/offices',
    {
      config: { access: access.public() },
      schema: {
        operationId: 'listOffices',
        tags: ['offices'],
        summary: 'Citizen offices that offer delivery',
        response: { 200: Type.Object({ data: Type.Array(OfficeSchema) }) },
      },
    },
    async () => ({
      data: (await opts.offices.list()).map((o) => ({
        id: o.id,
        slug: o.slug,
        name: o.name,
        addressLine: o.addressLine,
        location: o.location,
      })),
    }),
  );

  app.post(
    '/v1/offices',
    {
      config: { access: access.staff('admin') },
      schema: {
        operationId: 'createOffice',
        tags: ['offices'],
        summary: 'Add a citizen office (the depot of its courier routes)',
        body: CreateOfficeBody,
        response: { 201: OfficeDetailsSchema, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(toOfficeDetails(await svc.createOffice(request.body, staffOf(request), String(request.id)))),
  );

  app.get(
    '/v1/offices/:id/zones',
    {
      config: { access: access.staff('admin', 'supervisor', 'clerk') },
      schema: {
        operationId: 'listServiceZones',
        tags: ['offices'],
        summary: "The office's service zones (GeoJSON)",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(ZoneSchema) }), ...errorResponses(400, 404) },
      },
    },
    async (request) => ({ data: (await svc.listZones(request.params.id, staffOf(request))).map(toZone) }),
  );

  app.post(
    '/v1/offices/:id/zones',
    {
      config: { access: access.staff('admin', 'supervisor') },
      bodyLimit: ZONE_BODY_LIMIT,
      schema: {
        operationId: 'createServiceZone',
        tags: ['offices'],
        summary: 'Add a service zone: a polygon and the vehicle types that serve it',
        params: IdParams,
        body: CreateZoneBody,
        response: { 201: ZoneSchema, ...errorResponses(400, 404, 413, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(toZone(await svc.createZone(request.params.id, request.body, staffOf(request), String(request.id)))),
  );

  app.patch(
    '/v1/offices/:id/zones/:zoneId',
    {
      config: { access: access.staff('admin', 'supervisor') },
      schema: {
        operationId: 'updateServiceZone',
        tags: ['offices'],
        summary: 'Switch a zone on or off (quotes use active zones only)',
        params: OfficeZoneParams,
        body: UpdateZoneBody,
        response: { 200: ZoneSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      toZone(await svc.setZoneActive(request.params.id, request.params.zoneId, request.body.active, staffOf(request), String(request.id))),
  );

  app.get(
    '/v1/offices/:id/tariffs',
    {
      config: { access: access.staff('admin', 'supervisor', 'clerk', 'finance') },
      schema: {
        operationId: 'listTariffs',
        tags: ['offices'],
        summary: 'Prices per zone and vehicle, with their validity',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(TariffSchema) }), ...errorResponses(400, 404) },
      },
    },
    async (request) => ({ data: (await svc.listTariffs(request.params.id, staffOf(request))).map(toTariff) }),
  );

  app.post(
    '/v1/offices/:id/tariffs',
    {
      config: { access: access.staff('admin', 'supervisor') },
      schema: {
        operationId: 'createTariff',
        tags: ['offices'],
        summary: 'Set a price for a zone and vehicle from a date on (periods may not overlap)',
        params: IdParams,
        body: CreateTariffBody,
        response: { 201: TariffSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const tariff = await svc.createTariff(
        request.params.id,
        {
          zoneId: b.zoneId,
          vehicleType: b.vehicleType,
          amountCents: b.amountCents,
          validFrom: new Date(b.validFrom),
          validTo: b.validTo ? new Date(b.validTo) : null,
        },
        staffOf(request),
        String(request.id),
      );
      return reply.status(201).send(toTariff(tariff));
    },
  );

  app.post(
    '/v1/offices/:id/tariffs/:tariffId/end',
    {
      config: { access: access.staff('admin', 'supervisor') },
      schema: {
        operationId: 'endTariff',
        tags: ['offices'],
        summary: "End a tariff's validity (to replace it with a new price)",
        params: OfficeTariffParams,
        body: EndTariffBody,
        response: { 200: TariffSchema, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) =>
      toTariff(
        await svc.endTariff(
          request.params.id,
          request.params.tariffId,
          new Date(request.body.validTo),
          staffOf(request),
          String(request.id),
        ),
      ),
  );
}

export const toOfficeDetails = (o: Office) => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  addressLine: o.addressLine,
  location: o.location,
  timezone: o.timezone,
  kassenzeichenPrefix: o.kassenzeichenPrefix,
  refundPolicy: o.refundPolicy,
  cancellationFeeCents: o.cancellationFeeCents,
  deliveryAttemptLimit: o.deliveryAttemptLimit,
  state: o.state,
  deliveryHours: o.deliveryHours,
  postalCodes: o.postalCodes,
  paymentIssueHandling: o.paymentIssueHandling,
  refundRules: o.refundRules,
  createdAt: o.createdAt.toISOString(),
});

const toZone = (z: ServiceZone) => ({
  // Stored geometries passed validateZoneGeometry on the way in; GeoJSON's types use number[] positions.
  id: z.id,
  officeId: z.officeId,
  name: z.name,
  geometry: z.geometry as Static<typeof ZoneGeometrySchema>,
  vehicleTypes: z.vehicleTypes,
  active: z.active,
  createdAt: z.createdAt.toISOString(),
});

const toTariff = (t: Tariff) => ({
  id: t.id,
  officeId: t.officeId,
  zoneId: t.zoneId,
  vehicleType: t.vehicleType,
  amountCents: t.amountCents,
  currency: 'EUR' as const,
  validFrom: t.validFrom.toISOString(),
  validTo: t.validTo?.toISOString() ?? null,
});
