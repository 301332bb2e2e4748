import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { createCourierCompanyNotFoundError } from '../couriers/couriers.errors.ts';
import { createCouriersRepository } from '../couriers/couriers.repository.ts';
import type { Database } from '../db/client.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import {
  createWebhookEndpointNotDisabledError,
  createWebhookEventNotFoundError,
  createWebhookEventNotReplayableError,
} from './webhooks.errors.ts';
import { createWebhooksRepository, type AttemptRow, type EventSummary } from './webhooks.repository.ts';
import type { OutboundEventStatus } from './webhooks.table.ts';

export const EVENT_ID_PATTERN = /^msg_[A-Za-z0-9_-]{1,60}$/;
/** Attempts shown per event in lists (the latest); one event's own view shows up to 100. */
const ATTEMPTS_PER_EVENT_IN_LISTS = 10;
const ATTEMPTS_PER_EVENT = 100;

export interface EventListQuery {
  companyId?: string;
  status?: OutboundEventStatus;
  type?: string;
  subjectId?: string;
  cursor?: string;
  limit: number;
}

/**
 * What staff and companies see of outbound webhooks, and the two admin repairs: replaying an event
 * (same webhook-id, a new round of attempts) and enabling an endpoint a 410 disabled. Views never
 * contain an event's `data` (recipient names and addresses).
 */
export function createWebhooksService(deps: { db: Database; clock: () => Date; handOver: () => Promise<unknown> }) {
  const { db } = deps;
  // Both repairs are committed before this; the relay's schedule catches up if the hand-over fails.
  const handOverSoon = () => deps.handOver().catch(() => undefined);

  async function withAttempts(events: EventSummary[], perEvent: number) {
    const attempts = await createWebhooksRepository(db).attemptsOf(
      events.map((e) => e.id),
      perEvent,
    );
    const byEvent = new Map<string, AttemptRow[]>();
    for (const a of attempts) byEvent.set(a.eventId, [...(byEvent.get(a.eventId) ?? []), a]);
    return events.map((event) => ({ event, attempts: byEvent.get(event.id) ?? [] }));
  }

  async function list(query: EventListQuery) {
    const cursor = query.cursor ? decodeCursor(query.cursor, EVENT_ID_PATTERN) : undefined;
    const rows = await createWebhooksRepository(db).listEvents({ ...query, cursor });
    const page = toPage(rows, query.limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
    return { data: await withAttempts(page.data, ATTEMPTS_PER_EVENT_IN_LISTS), nextCursor: page.nextCursor };
  }

  async function one(id: string, companyId?: string) {
    const event = await createWebhooksRepository(db).findEvent(id);
    // Another company's event is as unknown as one that does not exist.
    if (!event || (companyId !== undefined && event.companyId !== companyId)) throw createWebhookEventNotFoundError();
    const [withA] = await withAttempts([event], ATTEMPTS_PER_EVENT);
    return withA ?? { event, attempts: [] };
  }

  return {
    listEvents: list,
    getEvent: (id: string) => one(id),
    listOwnEvents: (companyId: string, query: Omit<EventListQuery, 'companyId'>) => list({ ...query, companyId }),
    getOwnEvent: (companyId: string, id: string) => one(id, companyId),

    /** Delivers a delivered or dead event again: same webhook-id, a fresh round of attempts (numbered on). */
    async replayEvent(id: string, staff: StaffPrincipal, requestId?: string) {
      const repo = createWebhooksRepository(db);
      const event = await repo.findEvent(id);
      if (!event) throw createWebhookEventNotFoundError();
      if (!(await repo.reopen(id, deps.clock()))) throw createWebhookEventNotReplayableError();
      await recordAudit(db, {
        actorType: 'staff',
        actorId: staff.id,
        action: 'webhook_event.replayed',
        subjectType: 'outbound_event',
        subjectId: id,
        requestId,
        details: { previousStatus: event.status, companyId: event.companyId },
      });
      await handOverSoon();
      return one(id);
    },

    /** Opens an endpoint a 410 closed; its waiting events are delivered (in creation order) from now on. */
    async enableEndpoint(companyId: string, staff: StaffPrincipal, requestId?: string) {
      const company = await createCouriersRepository(db).findCompany(companyId);
      if (!company) throw createCourierCompanyNotFoundError();
      if (!(await createWebhooksRepository(db).enableEndpoint(companyId))) throw createWebhookEndpointNotDisabledError();
      await recordAudit(db, {
        actorType: 'staff',
        actorId: staff.id,
        action: 'courier_company.webhook_enabled',
        subjectType: 'courier_company',
        subjectId: companyId,
        requestId,
        details: { disabledAt: company.webhookDisabledAt?.toISOString() ?? null },
      });
      await handOverSoon();
      const updated = await createCouriersRepository(db).findCompany(companyId);
      if (!updated) throw createCourierCompanyNotFoundError();
      return updated;
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
