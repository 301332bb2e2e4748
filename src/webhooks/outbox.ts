import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { createOutboundEventTooLargeError } from './webhooks.errors.ts';
import { outboundEvents } from './webhooks.table.ts';

export type OutboundEventType = 'route.offered' | 'route.updated' | 'route.cancelled';

/** An event's `data` may be this large as JSON (a route offer with its stops fits many times over). */
export const MAX_EVENT_DATA_BYTES = 64 * 1024;

/** `msg_` and 24 base64url characters (144 random bits): the Standard Webhooks `webhook-id`. */
export const newOutboundEventId = () => `msg_${randomBytes(18).toString('base64url')}`;

/**
 * Writes the event row inside the caller's transaction: it commits (and is later delivered) exactly
 * when the change that causes it commits. Returns its id, the `webhook-id` of every attempt.
 * Hand it over at once after the commit with `createWebhookRelay(…).relayPending()`; the relay's
 * scheduler picks it up within WEBHOOK_RELAY_EVERY_MS anyway.
 */
export async function appendOutboundEvent(
  tx: Database,
  input: { companyId: string; type: OutboundEventType; data: Record<string, unknown>; subjectId?: string },
): Promise<{ id: string }> {
  if (Buffer.byteLength(JSON.stringify(input.data)) > MAX_EVENT_DATA_BYTES) throw createOutboundEventTooLargeError();
  if (input.subjectId !== undefined && input.subjectId.length > 64) throw new Error('subjectId is longer than 64 characters');
  const id = newOutboundEventId();
  await tx.insert(outboundEvents).values({
    id,
    companyId: input.companyId,
    type: input.type,
    subjectId: input.subjectId ?? null,
    data: input.data,
    nextAttemptAt: new Date(),
  });
  return { id };
}

/** The body POSTed on every attempt: the same bytes each time (the `data` as stored). */
export function eventBody(event: { type: string; createdAt: Date; data: Record<string, unknown> }): string {
  return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.data });
}

/** The delivery job of an event's round: the event id itself in round 0 (BullMQ ids may not contain ':'). */
export const deliveryJobId = (eventId: string, round: number) => (round === 0 ? eventId : `${eventId}.${round}`);
