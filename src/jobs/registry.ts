import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { UnrecoverableError } from 'bullmq';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));

/**
 * One typed registry of every queue, job and payload, shared by the producers in `src/` and the
 * consumers in `workers/`. Workers validate payloads against these schemas at the edge.
 */
export const JOBS = {
  payments: {
    'expire-booking': Type.Object({ bookingId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
    'sweep-expired': Type.Object({}, { additionalProperties: false }),
    'execute-refund': Type.Object({ refundId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
    'sweep-refunds': Type.Object({}, { additionalProperties: false }),
  },
  planning: {
    'plan-delivery-day': Type.Object(
      { officeId: Type.String({ format: 'uuid' }), deliveryDate: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }) },
      { additionalProperties: false },
    ),
    'schedule-nightly': Type.Object({ officeId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
    'sync-nightly-schedulers': Type.Object({}, { additionalProperties: false }),
  },
  dispatch: {
    'expire-offer': Type.Object({ offerId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
    'sweep-offers': Type.Object({}, { additionalProperties: false }),
  },
  // The finance office's copy of Stripe's ledger: nightly for the last days, and per payout when Stripe reports one.
  finance: {
    'import-ledger': Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 400 })) }, { additionalProperties: false }),
    'import-payout': Type.Object({ payoutId: Type.String({ pattern: '^po_[A-Za-z0-9_]{1,250}$' }) }, { additionalProperties: false }),
    // A reconciliation run (its row exists first: the job id is the run id, so it is queued once).
    reconcile: Type.Object({ runId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  },
  housekeeping: {
    'run-housekeeping': Type.Object({}, { additionalProperties: false }),
  },
  // Outbound courier webhooks: one job per event and delivery round (job id = event id in round 0).
  webhooks: {
    'deliver-event': Type.Object(
      { eventId: Type.String({ pattern: '^msg_[A-Za-z0-9_-]{1,60}$' }), round: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
  },
  // The outbox relay, on a queue of its own so a backlog of deliveries never delays it.
  'webhooks-relay': {
    'relay-pending': Type.Object({}, { additionalProperties: false }),
  },
  // Messages to citizens: one job per notification row (job id = row id).
  notifications: {
    'send-notification': Type.Object({ notificationId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  },
  // The notification relay (booking events and refunds → notification rows → jobs), apart from the sends.
  'notifications-relay': {
    'relay-notifications': Type.Object({}, { additionalProperties: false }),
  },
} as const satisfies Record<string, Record<string, TSchema>>;

type StaticMap<T> = { [K in keyof T]: T[K] extends TSchema ? Static<T[K]> : never };
type Payloads = { [Q in keyof typeof JOBS]: StaticMap<(typeof JOBS)[Q]> };

export type QueueName = keyof typeof JOBS;
export type JobName<Q extends QueueName> = keyof Payloads[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = Payloads[Q][J];

export const QUEUE_NAMES = Object.keys(JOBS) as QueueName[];

/**
 * Checks a payload against its schema. A payload that does not fit will not fit on the next
 * attempt either, so it fails with BullMQ's UnrecoverableError: the job fails at once, keeps its
 * reason for a person to read, and spends no retries.
 */
export function parseJobPayload<Q extends QueueName, J extends JobName<Q>>(queue: Q, job: J, data: unknown): JobPayload<Q, J> {
  const schema = (JOBS[queue] as Record<string, TSchema>)[job];
  if (!schema) throw new UnrecoverableError(`Unknown job ${queue}/${job}`);
  if (!Value.Check(schema, data)) {
    const first = [...Value.Errors(schema, data)][0];
    throw new UnrecoverableError(`Invalid payload for ${queue}/${job}: ${first?.path ?? ''} ${first?.message ?? ''}`);
  }
  return data as JobPayload<Q, J>;
}
