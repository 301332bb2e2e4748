import { Type } from '@sinclair/typebox';
import { IdSchema, TimestampSchema } from '../shared/schemas.ts';

export const EventIdSchema = Type.String({
  pattern: '^msg_[A-Za-z0-9_-]{1,60}$',
  maxLength: 64,
  description: 'The event id, sent as the Standard Webhooks `webhook-id` on every attempt',
});
export const EventIdParams = Type.Object({ id: EventIdSchema }, { additionalProperties: false });

const EventType = Type.Union([Type.Literal('route.offered'), Type.Literal('route.updated'), Type.Literal('route.cancelled')]);
const EventStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')], {
  description: 'pending: being delivered (or waiting for a disabled endpoint); delivered: a 2xx came back; dead: every attempt failed',
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const WebhookAttemptSchema = Type.Object({
  attemptNo: Type.Integer({ description: '1, 2, … over the event’s life (a replay continues the count)' }),
  round: Type.Integer({ description: '0 for the first delivery; +1 for each replay or re-enabled endpoint' }),
  startedAt: TimestampSchema,
  latencyMs: Type.Integer(),
  statusCode: Nullable(Type.Integer({ description: 'null: no answer (timeout, connection refused or reset)' })),
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('gone'), Type.Literal('refused')], {
    description: 'gone: 410, the endpoint was disabled; refused: the SSRF guard or URL policy did not let it out',
  }),
  error: Nullable(Type.String({ maxLength: 200 })),
  responseExcerpt: Nullable(Type.String({ maxLength: 1024, description: 'The first 1 KB of a text answer' })),
});

export const WebhookEventSchema = Type.Object({
  id: EventIdSchema,
  companyId: IdSchema,
  type: EventType,
  subjectId: Nullable(Type.String({ maxLength: 64 })),
  status: EventStatus,
  attemptCount: Type.Integer(),
  nextAttemptAt: Nullable(TimestampSchema),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String({ maxLength: 200 })),
  deliveredAt: Nullable(TimestampSchema),
  deadAt: Nullable(TimestampSchema),
  createdAt: TimestampSchema,
  attempts: Type.Array(WebhookAttemptSchema, { description: 'Oldest first; lists show the latest 10, one event up to 100' }),
});

export const WebhookEventListSchema = Type.Object({
  data: Type.Array(WebhookEventSchema),
  nextCursor: Nullable(Type.String({ maxLength: 400 })),
});

const OwnFilters = {
  status: Type.Optional(EventStatus),
  type: Type.Optional(EventType),
  subjectId: Type.Optional(Type.String({ maxLength: 64, description: 'e.g. a route id' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
};

export const WebhookEventsQuery = Type.Object({ companyId: Type.Optional(IdSchema), ...OwnFilters }, { additionalProperties: false });
export const OwnWebhookEventsQuery = Type.Object(OwnFilters, { additionalProperties: false });
