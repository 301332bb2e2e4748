import { toCompanyView } from '../couriers/couriers.routes.ts';
import { CourierCompanySchema } from '../couriers/couriers.schemas.ts';
import { access, companyOf, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import type { AttemptRow, EventSummary } from './webhooks.repository.ts';
import {
  EventIdParams,
  OwnWebhookEventsQuery,
  WebhookEventListSchema,
  WebhookEventSchema,
  WebhookEventsQuery,
} from './webhooks.schemas.ts';
import type { WebhooksService } from './webhooks.service.ts';
import type { OutboundEventType } from './outbox.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toEventView = ({ event: e, attempts }: { event: EventSummary; attempts: AttemptRow[] }) => ({
  id: e.id,
  companyId: e.companyId,
  type: e.type as OutboundEventType,
  subjectId: e.subjectId,
  status: e.status,
  attemptCount: e.attempts,
  nextAttemptAt: iso(e.nextAttemptAt),
  lastStatusCode: e.lastStatusCode,
  lastError: e.lastError,
  deliveredAt: iso(e.deliveredAt),
  deadAt: iso(e.deadAt),
  createdAt: e.createdAt.toISOString(),
  attempts: attempts.map((a) => ({
    attemptNo: a.attemptNo,
    round: a.round,
    startedAt: a.startedAt.toISOString(),
    latencyMs: a.latencyMs,
    statusCode: a.statusCode,
    outcome: a.outcome as 'delivered' | 'failed' | 'gone' | 'refused',
    error: a.error,
    responseExcerpt: a.responseExcerpt,
  })),
});

/** Outbound courier webhooks: staff look into deliveries, admins replay and re-enable; a company sees its own. */
export async function webhooksRoutes(app: App, opts: { webhooks: WebhooksService }) {
  const svc = opts.webhooks;
  const staff = access.staff('admin', 'supervisor');
  const admin = access.staff('admin');

  app.get(
    '/v1/webhook-events',
    {
      config: { access: staff },
      schema: {
        operationId: 'listWebhookEvents',
        tags: ['webhooks'],
        summary: 'Outbound courier webhook events, newest first, with their latest attempts (never their data)',
        querystring: WebhookEventsQuery,
        response: { 200: WebhookEventListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const page = await svc.listEvents(request.query);
      return { data: page.data.map(toEventView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/webhook-events/:id',
    {
      config: { access: staff },
      schema: {
        operationId: 'getWebhookEvent',
        tags: ['webhooks'],
        summary: 'One outbound webhook event with its attempts',
        params: EventIdParams,
        response: { 200: WebhookEventSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toEventView(await svc.getEvent(request.params.id)),
  );

  app.post(
    '/v1/webhook-events/:id/replay',
    {
      config: { access: admin },
      schema: {
        operationId: 'replayWebhookEvent',
        tags: ['webhooks'],
        summary: 'Deliver a dead (or delivered) event again: same webhook-id, a fresh round of attempts',
        params: EventIdParams,
        response: { 200: WebhookEventSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => toEventView(await svc.replayEvent(request.params.id, staffOf(request), String(request.id))),
  );

  app.post(
    '/v1/courier-companies/:id/webhook/enable',
    {
      config: { access: admin },
      schema: {
        operationId: 'enableCourierWebhook',
        tags: ['webhooks'],
        summary: 'Enable a webhook endpoint disabled by a 410 Gone: its waiting events are delivered',
        params: IdParams,
        response: { 200: CourierCompanySchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => toCompanyView(await svc.enableEndpoint(request.params.id, staffOf(request), String(request.id))),
  );

  app.get(
    '/v1/courier/webhook-events',
    {
      config: { access: access.courierCompany() },
      schema: {
        operationId: 'listOwnWebhookEvents',
        tags: ['webhooks'],
        summary: "The company's own webhook events, newest first, with their latest attempts",
        querystring: OwnWebhookEventsQuery,
        response: { 200: WebhookEventListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const page = await svc.listOwnEvents(companyOf(request).id, request.query);
      return { data: page.data.map(toEventView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/courier/webhook-events/:id',
    {
      config: { access: access.courierCompany() },
      schema: {
        operationId: 'getOwnWebhookEvent',
        tags: ['webhooks'],
        summary: 'One of the company’s own webhook events with its attempts',
        params: EventIdParams,
        response: { 200: WebhookEventSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toEventView(await svc.getOwnEvent(companyOf(request).id, request.params.id)),
  );
}
