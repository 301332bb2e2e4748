import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { courierCompanies } from '../couriers/couriers.table.ts';
import type { Cursor } from '../shared/cursor.ts';
import { outboundEvents, webhookAttempts, type OutboundEventStatus } from './webhooks.table.ts';

/** An event as the relay sees it: enough to name its delivery job. */
export interface EventRef {
  id: string;
  round: number;
}

export interface EventListFilter {
  companyId?: string;
  status?: OutboundEventStatus;
  type?: string;
  subjectId?: string;
  cursor?: Cursor;
  limit: number;
}

/** Events whose company can take deliveries now: it has a webhook URL and it is not disabled by a 410. */
const endpointOpen = and(isNotNull(courierCompanies.webhookUrl), isNull(courierCompanies.webhookDisabledAt));

/** Listing never reads `data` (recipient names and addresses). */
const listColumns = {
  id: outboundEvents.id,
  companyId: outboundEvents.companyId,
  type: outboundEvents.type,
  subjectId: outboundEvents.subjectId,
  status: outboundEvents.status,
  attempts: outboundEvents.attempts,
  round: outboundEvents.round,
  nextAttemptAt: outboundEvents.nextAttemptAt,
  lastStatusCode: outboundEvents.lastStatusCode,
  lastError: outboundEvents.lastError,
  deliveredAt: outboundEvents.deliveredAt,
  deadAt: outboundEvents.deadAt,
  createdAt: outboundEvents.createdAt,
};

export function createWebhooksRepository(db: DbOrTx) {
  return {
    /** Pending events not yet handed to the queue, oldest first, of companies that take deliveries. */
    notHandedOver: (limit: number): Promise<EventRef[]> =>
      db
        .select({ id: outboundEvents.id, round: outboundEvents.round })
        .from(outboundEvents)
        .innerJoin(courierCompanies, eq(courierCompanies.id, outboundEvents.companyId))
        .where(and(eq(outboundEvents.status, 'pending'), isNull(outboundEvents.enqueuedAt), endpointOpen))
        .orderBy(asc(outboundEvents.seq))
        .limit(limit),

    /** Handed over, but the next attempt is long overdue: the job may be lost (or finished without recording it). */
    overdue: (dueBefore: Date, limit: number): Promise<EventRef[]> =>
      db
        .select({ id: outboundEvents.id, round: outboundEvents.round })
        .from(outboundEvents)
        .innerJoin(courierCompanies, eq(courierCompanies.id, outboundEvents.companyId))
        .where(
          and(
            eq(outboundEvents.status, 'pending'),
            isNotNull(outboundEvents.enqueuedAt),
            lt(outboundEvents.nextAttemptAt, dueBefore),
            endpointOpen,
          ),
        )
        .orderBy(asc(outboundEvents.seq))
        .limit(limit),

    /** Marks the hand-over of exactly these rounds (a round moved on meanwhile stays to be handed over). */
    async markHandedOver(refs: EventRef[], at: Date): Promise<void> {
      if (refs.length === 0) return;
      const pairs = sql.join(
        refs.map((r) => sql`(${r.id}, ${r.round}::int)`),
        sql`, `,
      );
      await db
        .update(outboundEvents)
        .set({ enqueuedAt: at })
        .where(sql`(${outboundEvents.id}, ${outboundEvents.round}) in (${pairs}) and ${outboundEvents.status} = 'pending'`);
    },

    /** Starts a new round of a pending event (its old job is gone or finished); false if something else moved it. */
    async nextRound(ref: EventRef, at: Date, opts: { handedOver: boolean }): Promise<EventRef | null> {
      const [row] = await db
        .update(outboundEvents)
        .set({ round: sql`${outboundEvents.round} + 1`, enqueuedAt: opts.handedOver ? at : null, nextAttemptAt: at })
        .where(and(eq(outboundEvents.id, ref.id), eq(outboundEvents.round, ref.round), eq(outboundEvents.status, 'pending')))
        .returning({ id: outboundEvents.id, round: outboundEvents.round });
      return row ?? null;
    },

    /** The event and where it goes, for one delivery attempt. */
    async forDelivery(id: string) {
      const [row] = await db
        .select({ event: outboundEvents, company: courierCompanies })
        .from(outboundEvents)
        .innerJoin(courierCompanies, eq(courierCompanies.id, outboundEvents.companyId))
        .where(eq(outboundEvents.id, id));
      return row;
    },

    /** Counts an attempt of this round before it is made; null when the round is over (replayed, delivered, dead). */
    async claimAttempt(ref: EventRef): Promise<number | null> {
      const [row] = await db
        .update(outboundEvents)
        .set({ attempts: sql`${outboundEvents.attempts} + 1` })
        .where(and(eq(outboundEvents.id, ref.id), eq(outboundEvents.round, ref.round), eq(outboundEvents.status, 'pending')))
        .returning({ attempts: outboundEvents.attempts });
      return row?.attempts ?? null;
    },

    insertAttempt: async (values: typeof webhookAttempts.$inferInsert) => {
      await db.insert(webhookAttempts).values(values);
    },

    /** The outcome of this round's attempt, if the round is still the current one. */
    async updateRound(ref: EventRef, values: Partial<typeof outboundEvents.$inferInsert>): Promise<boolean> {
      const rows = await db
        .update(outboundEvents)
        .set(values)
        .where(and(eq(outboundEvents.id, ref.id), eq(outboundEvents.round, ref.round), eq(outboundEvents.status, 'pending')))
        .returning({ id: outboundEvents.id });
      return rows.length > 0;
    },

    /** A 410: no deliveries to the company until an admin enables the endpoint again. */
    disableEndpoint: (companyId: string, reason: string, at: Date) =>
      db
        .update(courierCompanies)
        .set({ webhookDisabledAt: at, webhookDisabledReason: reason.slice(0, 200) })
        .where(and(eq(courierCompanies.id, companyId), isNull(courierCompanies.webhookDisabledAt))),

    async enableEndpoint(companyId: string): Promise<boolean> {
      const rows = await db
        .update(courierCompanies)
        .set({ webhookDisabledAt: null, webhookDisabledReason: null, updatedAt: sql`now()` })
        .where(and(eq(courierCompanies.id, companyId), isNotNull(courierCompanies.webhookDisabledAt)))
        .returning({ id: courierCompanies.id });
      return rows.length > 0;
    },

    /** Newest first; `data` is not read. */
    listEvents(filter: EventListFilter) {
      const conditions: (SQL | undefined)[] = [
        filter.companyId ? eq(outboundEvents.companyId, filter.companyId) : undefined,
        filter.status ? eq(outboundEvents.status, filter.status) : undefined,
        filter.type ? eq(outboundEvents.type, filter.type) : undefined,
        filter.subjectId ? eq(outboundEvents.subjectId, filter.subjectId) : undefined,
        filter.cursor
          ? or(
              lt(outboundEvents.createdAt, filter.cursor.createdAt),
              and(eq(outboundEvents.createdAt, filter.cursor.createdAt), lt(outboundEvents.id, filter.cursor.id)),
            )
          : undefined,
      ];
      return db
        .select(listColumns)
        .from(outboundEvents)
        .where(and(...conditions))
        .orderBy(desc(outboundEvents.createdAt), desc(outboundEvents.id))
        .limit(filter.limit + 1);
    },

    async findEvent(id: string) {
      const [row] = await db.select(listColumns).from(outboundEvents).where(eq(outboundEvents.id, id));
      return row;
    },

    /** The attempts of these events, oldest first, at most `perEvent` (the latest) each. */
    async attemptsOf(eventIds: string[], perEvent: number) {
      if (eventIds.length === 0) return [];
      const rows = await db
        .select()
        .from(webhookAttempts)
        .where(inArray(webhookAttempts.eventId, eventIds))
        .orderBy(asc(webhookAttempts.eventId), desc(webhookAttempts.attemptNo));
      const kept = new Map<string, typeof rows>();
      for (const row of rows) {
        const list = kept.get(row.eventId) ?? [];
        if (list.length < perEvent) list.push(row);
        kept.set(row.eventId, list);
      }
      return [...kept.values()].flatMap((list) => list.reverse());
    },

    /** A delivered or dead event starts a new round (same id); false if it is still pending. */
    async reopen(id: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(outboundEvents)
        .set({
          status: 'pending',
          round: sql`${outboundEvents.round} + 1`,
          enqueuedAt: null,
          nextAttemptAt: at,
          deliveredAt: null,
          deadAt: null,
        })
        .where(and(eq(outboundEvents.id, id), inArray(outboundEvents.status, ['delivered', 'dead'])))
        .returning({ id: outboundEvents.id });
      return rows.length > 0;
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
export type EventSummary = Awaited<ReturnType<WebhooksRepository['listEvents']>>[number];
export type AttemptRow = Awaited<ReturnType<WebhooksRepository['attemptsOf']>>[number];
