import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { CouriersService } from '../couriers/couriers.service.ts';
import { verifyWebhookSignature } from '../couriers/webhook-signature.ts';
import { access } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses } from '../shared/schemas.ts';
import './courier-event-formats.ts';
import { CourierEventSchema } from './courier-events.ts';
import { createEventInvalidBodyError, createEventSignatureError, createEventTimestampError } from './dispatch.errors.ts';
import { CourierEventResultSchema } from './dispatch.schemas.ts';
import type { DispatchService } from './dispatch.service.ts';

const MAX_EVENT_BYTES = 65_536;

/**
 * Courier companies' events as signed webhooks (Standard Webhooks). The signature covers the exact
 * bytes sent, so this plugin keeps the raw body (its own JSON parser, encapsulated here) and
 * verifies it with the company's current secrets before anything is parsed or trusted.
 */
export async function courierEventRoutes(app: App, opts: { dispatch: DispatchService; couriers: CouriersService }) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_EVENT_BYTES }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/webhooks/courier/:companyId',
    {
      config: { access: access.signature() },
      schema: {
        operationId: 'receiveCourierEvent',
        tags: ['couriers'],
        summary: "A courier company's event, signed with its signing secret (Standard Webhooks)",
        description:
          'Headers webhook-id, webhook-timestamp, webhook-signature (v1,<base64 HMAC-SHA256 over id.timestamp.body>). The body is the same event as for POST /v1/courier/events. Applied once per event id; refused when the timestamp is outside the tolerance or the route is not the company’s.',
        params: Type.Object({ companyId: Type.String({ format: 'uuid', maxLength: 36 }) }, { additionalProperties: false }),
        headers: Type.Object({
          'webhook-id': Type.Optional(Type.String({ maxLength: 200 })),
          'webhook-timestamp': Type.Optional(Type.String({ maxLength: 20 })),
          'webhook-signature': Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: CourierEventResultSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request) => {
      const raw = request.body as unknown;
      if (!Buffer.isBuffer(raw)) throw createEventInvalidBodyError('expected a JSON body');
      const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature } = request.headers;
      const company = await opts.couriers.findActiveCompany(request.params.companyId);
      const timestamp = Number(ts);
      if (!company || !id || !ts || !signature || !/^\d{1,12}$/.test(ts)) throw createEventSignatureError();
      const secrets = await opts.couriers.signingSecrets(company.id);
      if (!verifyWebhookSignature(secrets, { id, timestamp, body: raw.toString('utf8') }, signature)) {
        request.log.warn({ companyId: company.id }, 'courier webhook signature rejected');
        throw createEventSignatureError();
      }
      const tolerance = opts.dispatch.settings.eventToleranceSeconds;
      if (Math.abs(opts.dispatch.now().getTime() / 1000 - timestamp) > tolerance) throw createEventTimestampError(tolerance);
      let event: unknown;
      try {
        event = JSON.parse(raw.toString('utf8'));
      } catch {
        throw createEventInvalidBodyError('not JSON');
      }
      if (!Value.Check(CourierEventSchema, event)) {
        const first = [...Value.Errors(CourierEventSchema, event)][0];
        throw createEventInvalidBodyError(`${first?.path || '/'} ${first?.message ?? ''}`.trim());
      }
      const result = await opts.dispatch.applyCourierEvent(company, event);
      request.log.info({ companyId: company.id, type: event.type, outcome: result.outcome }, 'courier event');
      return { received: true as const, ...result };
    },
  );
}
