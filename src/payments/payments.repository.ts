import { and, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { payments, refunds, stripeEvents, type Payment } from './payments.table.ts';

export function createPaymentsRepository(db: DbOrTx) {
  return {
    async findByBooking(bookingId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const q = db.select().from(payments).where(eq(payments.bookingId, bookingId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async findByPaymentIntent(paymentIntentId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const q = db.select().from(payments).where(eq(payments.paymentIntentId, paymentIntentId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async findByCharge(chargeId: string, opts: { forUpdate?: boolean } = {}): Promise<Payment | undefined> {
      const q = db.select().from(payments).where(eq(payments.latestChargeId, chargeId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    insert: async (values: typeof payments.$inferInsert) => (await db.insert(payments).values(values).returning())[0]!,

    /** Attaches the PaymentIntent once; a second attach (a retried request) keeps the first. */
    attachPaymentIntent: (paymentId: string, paymentIntentId: string, status: string) =>
      db
        .update(payments)
        .set({ paymentIntentId, status, updatedAt: sql`now()` })
        .where(and(eq(payments.id, paymentId), sql`${payments.paymentIntentId} is null`)),

    update: (paymentId: string, values: Partial<typeof payments.$inferInsert>) =>
      db
        .update(payments)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(payments.id, paymentId)),

    /** Records the event id; false when it was already processed (a redelivery). */
    async claimEvent(input: { id: string; type: string; objectId: string | null; createdAt: Date; outcome: string }): Promise<boolean> {
      const rows = await db
        .insert(stripeEvents)
        .values({ id: input.id, type: input.type, objectId: input.objectId, stripeCreatedAt: input.createdAt, outcome: input.outcome })
        .onConflictDoNothing()
        .returning({ id: stripeEvents.id });
      return rows.length === 1;
    },

    setEventOutcome: (id: string, outcome: string) => db.update(stripeEvents).set({ outcome }).where(eq(stripeEvents.id, id)),

    insertRefund: async (values: typeof refunds.$inferInsert) => (await db.insert(refunds).values(values).returning())[0]!,

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

    stalePendingRefunds: (olderThan: Date, limit: number) =>
      db
        .select({ id: refunds.id })
        .from(refunds)
        .where(and(eq(refunds.status, 'pending'), lt(refunds.updatedAt, olderThan)))
        .limit(limit),
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
