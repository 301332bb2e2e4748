import { Type, type Static } from '@sinclair/typebox';
import { IDENTITY_METHODS } from './dispatch.table.ts';

/**
 * The events a courier company reports (signed webhook or API key). The envelope is the Standard
 * Webhooks payload shape: `{ id, type, timestamp, data }`; `id` is the company's own event id,
 * applied once. Every string has a limit; unknown fields are refused.
 */
const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
const RouteRef = { routeId: Uuid };

export const FAILURE_REASONS = ['not_home', 'identity_mismatch', 'refused', 'address_not_found', 'other'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Every reason a delivery attempt records: the company's own, `check_incomplete` (reported
 * delivered without the identity check the office requires) and `not_reported` (the document came
 * back without a report from the door). Offices say per reason who answers for it.
 */
export const ATTEMPT_REASONS = [...FAILURE_REASONS, 'check_incomplete', 'not_reported'] as const;

export const IdentityCheckSchema = Type.Object(
  {
    methods: Type.Array(Type.Union(IDENTITY_METHODS.map((m) => Type.Literal(m))), { minItems: 1, maxItems: 4, uniqueItems: true }),
    result: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
    checkedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    courier: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
    position: Type.Object(
      {
        lng: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        accuracyMetres: Type.Integer({ minimum: 0, maximum: 100_000 }),
      },
      { additionalProperties: false },
    ),
    oldDocumentCollected: Type.Boolean(),
    recipientConfirmed: Type.Boolean({ description: 'The recipient confirmed receipt (signature on the courier device)' }),
  },
  { additionalProperties: false },
);

const envelope = <T extends string, D extends ReturnType<typeof Type.Object>>(type: T, data: D) =>
  Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
      type: Type.Literal(type),
      timestamp: Type.String({ format: 'date-time', maxLength: 40 }),
      data,
    },
    { additionalProperties: false },
  );

export const CourierEventSchema = Type.Union(
  [
    envelope('route.accepted', Type.Object(RouteRef, { additionalProperties: false })),
    envelope(
      'route.declined',
      Type.Object({ ...RouteRef, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
    ),
    envelope('route.started', Type.Object(RouteRef, { additionalProperties: false })),
    envelope('stop.arrived', Type.Object({ ...RouteRef, jobId: Uuid }, { additionalProperties: false })),
    envelope(
      'stop.delivered',
      Type.Object({ ...RouteRef, jobId: Uuid, identityCheck: IdentityCheckSchema }, { additionalProperties: false }),
    ),
    envelope(
      'stop.failed',
      Type.Object(
        {
          ...RouteRef,
          jobId: Uuid,
          reason: Type.Union(FAILURE_REASONS.map((r) => Type.Literal(r))),
          note: Type.Optional(Type.String({ maxLength: 500 })),
          identityCheck: Type.Optional(IdentityCheckSchema),
        },
        { additionalProperties: false },
      ),
    ),
    envelope(
      'document.returned',
      Type.Object(
        { ...RouteRef, jobIds: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }) },
        { additionalProperties: false },
      ),
    ),
    envelope('route.completed', Type.Object(RouteRef, { additionalProperties: false })),
  ],
  {
    examples: [
      {
        id: 'evt_20261215_0042',
        type: 'stop.failed',
        timestamp: '2026-12-15T10:42:00Z',
        data: {
          routeId: '6b1d3c2a-4e5f-4a7b-8c9d-0e1f2a3b4c5d',
          jobId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
          reason: 'identity_mismatch',
          note: 'Recipient could not show a second ID document',
          identityCheck: {
            methods: ['photo_comparison', 'second_id_document'],
            result: 'failed',
            checkedAt: '2026-12-15T10:41:30Z',
            courier: { id: 'rider-17' },
            position: { lng: 9.1773, lat: 48.7754, accuracyMetres: 12 },
            oldDocumentCollected: false,
            recipientConfirmed: false,
          },
        },
      },
    ],
  },
);

export type CourierEvent = Static<typeof CourierEventSchema>;
export type CourierEventType = CourierEvent['type'];
