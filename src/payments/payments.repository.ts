import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.ts';
import { placeholders, preparedByShape, preparedInsert, preparedStatement } from '../db/prepared.ts';
import { bookings } from '../bookings/bookings.table.ts';
import type { Cursor } from '../shared/cursor.ts';
import { firstRow } from '../shared/required.ts';
import {
  paymentDiscrepancies,
  paymentDisputes,
  payments,
  refundDecisions,
  refunds,
  stripeEvents,
  type DiscrepancyKind,
  type Payment,
  type PaymentDiscrepancy,
  type PaymentDispute,
  type RefundDecision,
} from './payments.table.ts';

/** Newest first, then by id: the order every finance list pages through. */
function pageWhere(createdAt: AnyPgColumn, id: AnyPgColumn, cursor?: Cursor): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(createdAt, cursor.createdAt), and(eq(createdAt, cursor.createdAt), lt(id, cursor.id)));
}

export interface PaymentListFilter {
  officeId?: string;
  statuses?: string[];
  kassenzeichen?: string;
  disputed?: boolean;
  refunded?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
  cursor?: Cursor;
  limit: number;
}

// The statements of the hot paths (tracking, booking, the payment webhook), built once.
const paymentOfBooking = preparedStatement('payment_of_booking', (db) =>
  db
    .select()
    .from(payments)
    .where(eq(payments.bookingId, sql.placeholder('bookingId'))),
);
const paymentOfBookingForUpdate = preparedStatement('payment_of_booking_for_update', (db) =>
  db
    .select()
    .from(payments)
    .where(eq(payments.bookingId, sql.placeholder('bookingId')))
    .for('update'),
);
const paymentByIntent = preparedStatement('payment_by_intent', (db) =>
  db
    .select()
    .from(payments)
    .where(eq(payments.paymentIntentId, sql.placeholder('paymentIntentId'))),
);
const paymentByIntentForUpdate = preparedStatement('payment_by_intent_for_update', (db) =>
  db
    .select()
    .from(payments)
    .where(eq(payments.paymentIntentId, sql.placeholder('paymentIntentId')))
    .for('update'),
);

const insertPayment = preparedInsert('insert_payment', payments);
/**
 * Attaching a payment's Stripe object once: a second attach (a retried request) keeps the first.
 * Placeholders: paymentId, and paymentIntentId with status or checkoutSessionId. Also the first
 * half of a booking request's last statement (bookings/booking-request.repository.ts).
 */
export const PAYMENT_INTENT_ATTACHMENT = {
  set: { paymentIntentId: sql`${sql.placeholder('paymentIntentId')}`, status: sql`${sql.placeholder('status')}`, updatedAt: sql`now()` },
  where: and(eq(payments.id, sql.placeholder('paymentId')), sql`${payments.paymentIntentId} is null`),
};
export const CHECKOUT_SESSION_ATTACHMENT = {
  set: {
    checkoutSessionId: sql`${sql.placeholder('checkoutSessionId')}`,
    status: 'requires_payment_method' as const,
    updatedAt: sql`now()`,
  },
  where: and(eq(payments.id, sql.placeholder('paymentId')), sql`${payments.checkoutSessionId} is null`),
};
const attachIntent = preparedStatement('attach_payment_intent', (db) =>
  db.update(payments).set(PAYMENT_INTENT_ATTACHMENT.set).where(PAYMENT_INTENT_ATTACHMENT.where),
);
const updatePayment = preparedByShape<unknown>(
  'update_payment',
  (keys) => (db) =>
    db
      .update(payments)
      .set({ ...(placeholders(keys) as Partial<typeof payments.$inferInsert>), updatedAt: sql`now()` })
      .where(eq(payments.id, sql.placeholder('wherePaymentId'))),
);
const setStripeEventOutcome = preparedStatement('set_stripe_event_outcome', (db) =>
  db
    .update(stripeEvents)
    .set({ outcome: sql`${sql.placeholder('outcome')}` })
    .where(eq(stripeEvents.id, sql.placeholder('id'))),
);
const insertStripeEvent = preparedInsert('insert_stripe_event', stripeEvents, { onConflictDoNothing: true });

export function createPaymentsRepository(db: DbOrTx) {
  return {
    async findByBooking(bookingId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const [row] = await (opts.forUpdate ? paymentOfBookingForUpdate : paymentOfBooking)(db, { bookingId });
      return row;
    },

    async findByPaymentIntent(paymentIntentId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const [row] = await (opts.forUpdate ? paymentByIntentForUpdate : paymentByIntent)(db, { paymentIntentId });
      return row;
    },

    async findByCharge(chargeId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const q = db.select().from(payments).where(eq(payments.latestChargeId, chargeId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async findByCheckoutSession(checkoutSessionId: string): Promise<Payment | undefined> {
      const [row] = await db.select().from(payments).where(eq(payments.checkoutSessionId, checkoutSessionId));
      return row;
    },

    insert: async (values: typeof payments.$inferInsert) => firstRow(await insertPayment(db, values), 'INSERT payments RETURNING'),

    /** Attaches the PaymentIntent once; a second attach (a retried request) keeps the first. */
    attachPaymentIntent: (paymentId: string, paymentIntentId: string, status: string) =>
      attachIntent(db, { paymentId, paymentIntentId, status }),

    update: (paymentId: string, values: Partial<typeof payments.$inferInsert>) =>
      updatePayment(db, { ...values, updatedAt: undefined }, { wherePaymentId: paymentId }),

    /** Records the event id; false when it was already processed (a redelivery). */
    async claimEvent(input: { id: string; type: string; objectId: string | null; createdAt: Date; outcome: string }): Promise<boolean> {
      const rows = await insertStripeEvent(db, {
        id: input.id,
        type: input.type,
        objectId: input.objectId,
        stripeCreatedAt: input.createdAt,
        outcome: input.outcome,
      });
      return rows.length === 1;
    },

    setEventOutcome: (id: string, outcome: string) => setStripeEventOutcome(db, { id, outcome }),

    insertRefund: async (values: typeof refunds.$inferInsert) =>
      firstRow(await db.insert(refunds).values(values).returning(), 'INSERT refunds RETURNING'),

    async findRefund(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db.select().from(refunds).where(eq(refunds.id, id));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    refundsOfBooking: (bookingId: string) => db.select().from(refunds).where(eq(refunds.bookingId, bookingId)).orderBy(refunds.createdAt),

    updateRefund: (id: string, values: Partial<typeof refunds.$inferInsert>) =>
      db
        .update(refunds)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(refunds.id, id)),

    /** Updates a refund only while it is pending; false when another run has settled it meanwhile. */
    async updatePendingRefund(id: string, values: Partial<typeof refunds.$inferInsert>): Promise<boolean> {
      const rows = await db
        .update(refunds)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(refunds.id, id), eq(refunds.status, 'pending')))
        .returning({ id: refunds.id });
      return rows.length === 1;
    },

    /** Refund rows that still count (pending or made), summed: what the platform itself gives back. */
    async refundsOwedTotal(paymentId: string): Promise<number> {
      const [row] = await db
        .select({ total: sql<number>`coalesce(sum(${refunds.amountCents}), 0)::int` })
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), ne(refunds.status, 'failed')));
      return row?.total ?? 0;
    },

    /**
     * Marks the booking's still pending refunds failed, so the refund job finds them settled and
     * never sends them (a lost dispute gave the money back already). Returns the rows it stopped.
     */
    failPendingRefundsOfBooking: (bookingId: string, lastError: string) =>
      db
        .update(refunds)
        .set({ status: 'failed', lastError, updatedAt: sql`now()` })
        .where(and(eq(refunds.bookingId, bookingId), eq(refunds.status, 'pending')))
        .returning(),

    // Refund decisions

    async findRefundDecision(bookingId: string, opts: { forUpdate?: boolean } = {}): Promise<RefundDecision | undefined> {
      const q = db.select().from(refundDecisions).where(eq(refundDecisions.bookingId, bookingId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    /** One decision per booking: a later one (a dispute lost after the booking ended) replaces it. */
    async upsertRefundDecision(values: typeof refundDecisions.$inferInsert): Promise<RefundDecision> {
      const { bookingId: _bookingId, ...changes } = values;
      return firstRow(
        await db.insert(refundDecisions).values(values).onConflictDoUpdate({ target: refundDecisions.bookingId, set: changes }).returning(),
        'UPSERT refund_decisions RETURNING',
      );
    },

    async overrideRefundDecision(
      bookingId: string,
      values: { amountCents: number; staffId: string; comment: string; at: Date },
    ): Promise<RefundDecision> {
      return firstRow(
        await db
          .update(refundDecisions)
          .set({
            amountCents: values.amountCents,
            overriddenByStaffId: values.staffId,
            overriddenAt: values.at,
            overrideComment: values.comment,
          })
          .where(eq(refundDecisions.bookingId, bookingId))
          .returning(),
        `UPDATE refund_decisions ${bookingId}`,
      );
    },

    async findById(id: string): Promise<Payment | undefined> {
      const [row] = await db.select().from(payments).where(eq(payments.id, id));
      return row;
    },

    async findWithBooking(id: string) {
      const [row] = await db
        .select({ payment: payments, bookingStatus: bookings.status, officeId: bookings.officeId })
        .from(payments)
        .innerJoin(bookings, eq(bookings.id, payments.bookingId))
        .where(eq(payments.id, id));
      return row;
    },

    /**
     * Payments for the finance office with the few booking fields it needs to place them (status,
     * office): a join, because finance lists are filtered by them. No recipient data.
     */
    list(filter: PaymentListFilter) {
      const where: (SQL | undefined)[] = [
        filter.officeId ? eq(bookings.officeId, filter.officeId) : undefined,
        filter.statuses?.length ? inArray(payments.status, filter.statuses) : undefined,
        filter.kassenzeichen ? eq(payments.kassenzeichen, filter.kassenzeichen) : undefined,
        filter.disputed === undefined ? undefined : eq(payments.disputed, filter.disputed),
        filter.refunded === undefined
          ? undefined
          : filter.refunded
            ? sql`${payments.amountRefundedCents} > 0`
            : eq(payments.amountRefundedCents, 0),
        filter.createdFrom ? gte(payments.createdAt, filter.createdFrom) : undefined,
        filter.createdTo ? lt(payments.createdAt, filter.createdTo) : undefined,
        pageWhere(payments.createdAt, payments.id, filter.cursor),
      ];
      return db
        .select({ payment: payments, bookingStatus: bookings.status, officeId: bookings.officeId })
        .from(payments)
        .innerJoin(bookings, eq(bookings.id, payments.bookingId))
        .where(and(...where))
        .orderBy(desc(payments.createdAt), desc(payments.id))
        .limit(filter.limit);
    },

    listRefunds(filter: { officeId?: string; statuses?: ('pending' | 'succeeded' | 'failed')[]; cursor?: Cursor; limit: number }) {
      return db
        .select({ refund: refunds, kassenzeichen: payments.kassenzeichen, officeId: bookings.officeId })
        .from(refunds)
        .innerJoin(payments, eq(payments.id, refunds.paymentId))
        .innerJoin(bookings, eq(bookings.id, refunds.bookingId))
        .where(
          and(
            filter.officeId ? eq(bookings.officeId, filter.officeId) : undefined,
            filter.statuses?.length ? inArray(refunds.status, filter.statuses) : undefined,
            pageWhere(refunds.createdAt, refunds.id, filter.cursor),
          ),
        )
        .orderBy(desc(refunds.createdAt), desc(refunds.id))
        .limit(filter.limit);
    },

    refundsOfPayment: (paymentId: string) => db.select().from(refunds).where(eq(refunds.paymentId, paymentId)).orderBy(refunds.createdAt),

    // Disputes

    /** Records a dispute once; a second report of it (another event) returns the stored row. */
    async insertDispute(values: typeof paymentDisputes.$inferInsert): Promise<{ dispute: PaymentDispute; created: boolean }> {
      const [inserted] = await db.insert(paymentDisputes).values(values).onConflictDoNothing().returning();
      if (inserted) return { dispute: inserted, created: true };
      const [existing] = await db.select().from(paymentDisputes).where(eq(paymentDisputes.id, values.id));
      if (!existing) throw new Error(`Dispute ${values.id} vanished between insert and read`);
      return { dispute: existing, created: false };
    },

    async updateDispute(id: string, values: Partial<typeof paymentDisputes.$inferInsert>) {
      const [row] = await db
        .update(paymentDisputes)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(paymentDisputes.id, id))
        .returning();
      return row;
    },

    disputesOfPayment: (paymentId: string) =>
      db.select().from(paymentDisputes).where(eq(paymentDisputes.paymentId, paymentId)).orderBy(paymentDisputes.openedAt),

    listDisputes(filter: { officeId?: string; open?: boolean; cursor?: Cursor; limit: number }) {
      return db
        .select({ dispute: paymentDisputes, kassenzeichen: payments.kassenzeichen, officeId: bookings.officeId })
        .from(paymentDisputes)
        .innerJoin(payments, eq(payments.id, paymentDisputes.paymentId))
        .innerJoin(bookings, eq(bookings.id, paymentDisputes.bookingId))
        .where(
          and(
            filter.officeId ? eq(bookings.officeId, filter.officeId) : undefined,
            filter.open === undefined ? undefined : filter.open ? isNull(paymentDisputes.closedAt) : isNotNull(paymentDisputes.closedAt),
            pageWhere(paymentDisputes.openedAt, paymentDisputes.id, filter.cursor),
          ),
        )
        .orderBy(desc(paymentDisputes.openedAt), desc(paymentDisputes.id))
        .limit(filter.limit);
    },

    // Discrepancies

    /** Records a discrepancy once per dedupe key; null when the same fact was recorded before. */
    async recordDiscrepancy(values: typeof paymentDiscrepancies.$inferInsert): Promise<PaymentDiscrepancy | null> {
      const [row] = await db.insert(paymentDiscrepancies).values(values).onConflictDoNothing().returning();
      return row ?? null;
    },

    async updateDiscrepancy(id: string, values: Partial<typeof paymentDiscrepancies.$inferInsert>) {
      const [row] = await db.update(paymentDiscrepancies).set(values).where(eq(paymentDiscrepancies.id, id)).returning();
      return row;
    },

    async findDiscrepancy(id: string, opts: { forUpdate?: boolean } = {}): Promise<PaymentDiscrepancy | undefined> {
      const q = db.select().from(paymentDiscrepancies).where(eq(paymentDiscrepancies.id, id));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    /** Marks open discrepancies resolved (by id, by hold or by booking and kind); returns them. */
    resolveDiscrepancies(
      target: { id: string } | { holdIds: string[] } | { bookingId: string; kind: DiscrepancyKind },
      by: { resolvedBy: string; comment: string; at: Date },
    ) {
      const where =
        'id' in target
          ? eq(paymentDiscrepancies.id, target.id)
          : 'holdIds' in target
            ? target.holdIds.length === 0
              ? sql`false`
              : inArray(paymentDiscrepancies.holdId, target.holdIds)
            : and(eq(paymentDiscrepancies.bookingId, target.bookingId), eq(paymentDiscrepancies.kind, target.kind));
      return db
        .update(paymentDiscrepancies)
        .set({ resolvedAt: by.at, resolvedBy: by.resolvedBy, resolutionComment: by.comment })
        .where(and(where, isNull(paymentDiscrepancies.resolvedAt)))
        .returning();
    },

    discrepanciesOfBooking: (bookingId: string) =>
      db.select().from(paymentDiscrepancies).where(eq(paymentDiscrepancies.bookingId, bookingId)).orderBy(paymentDiscrepancies.detectedAt),

    listDiscrepancies(filter: { officeId?: string; open?: boolean; kinds?: DiscrepancyKind[]; cursor?: Cursor; limit: number }) {
      return db
        .select()
        .from(paymentDiscrepancies)
        .where(
          and(
            filter.officeId ? eq(paymentDiscrepancies.officeId, filter.officeId) : undefined,
            filter.open === undefined
              ? undefined
              : filter.open
                ? isNull(paymentDiscrepancies.resolvedAt)
                : isNotNull(paymentDiscrepancies.resolvedAt),
            filter.kinds?.length ? inArray(paymentDiscrepancies.kind, filter.kinds) : undefined,
            pageWhere(paymentDiscrepancies.detectedAt, paymentDiscrepancies.id, filter.cursor),
          ),
        )
        .orderBy(desc(paymentDiscrepancies.detectedAt), desc(paymentDiscrepancies.id))
        .limit(filter.limit);
    },

    stalePendingRefunds: (olderThan: Date, limit: number) =>
      db
        .select({ id: refunds.id })
        .from(refunds)
        .where(and(eq(refunds.status, 'pending'), lt(refunds.updatedAt, olderThan)))
        .limit(limit),
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
