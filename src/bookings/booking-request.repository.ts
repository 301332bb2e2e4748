import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { placeholders, preparedStatement } from '../db/prepared.ts';
import { idempotencyKeys } from '../idempotency/idempotency.table.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { CHECKOUT_SESSION_ATTACHMENT, PAYMENT_INTENT_ATTACHMENT } from '../payments/payments.repository.ts';
import { payments } from '../payments/payments.table.ts';

/** The Stripe object a booking's payment row is still to be given (none when a retry finds it there). */
export type PaymentAttachment =
  | { kind: 'paymentIntent'; paymentId: string; paymentIntentId: string; status: string }
  | { kind: 'checkoutSession'; paymentId: string; checkoutSessionId: string };

const idempotencyKeyIs = and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key')));
// Placeholders as the set's values, so drizzle encodes them as the columns' values (responseBody as JSON).
const completion = placeholders(['responseStatus', 'responseBody']) as unknown as Partial<typeof idempotencyKeys.$inferInsert>;

/** The payment's attachment (a CTE), then the idempotency record's response. */
const completing = (name: string, attachment: typeof PAYMENT_INTENT_ATTACHMENT | typeof CHECKOUT_SESSION_ATTACHMENT) =>
  preparedStatement(name, (db) => {
    const attached = db
      .$with('attached')
      .as(db.update(payments).set(attachment.set).where(attachment.where).returning({ id: payments.id }));
    return db.with(attached).update(idempotencyKeys).set(completion).where(idempotencyKeyIs);
  });
const withIntent = completing('complete_booking_request_intent', PAYMENT_INTENT_ATTACHMENT);
const withSession = completing('complete_booking_request_session', CHECKOUT_SESSION_ATTACHMENT);

/**
 * The last statement of a booking request: the payment row gets its PaymentIntent or Checkout
 * Session and the idempotency record its response, together. A completed record must never
 * stand for a payment row the webhook and the expiry job cannot find by its Stripe object; in
 * one statement neither happens without the other, and the booking costs one round trip less.
 */
export function completeBookingRequest(
  db: DbOrTx,
  record: { scope: string; key: string; responseStatus: number; responseBody: unknown },
  attachment: PaymentAttachment | null,
): Promise<unknown> {
  if (!attachment) {
    const { scope, key, ...response } = record;
    return createIdempotencyRepository(db).update(scope, key, response);
  }
  const values = { ...record, paymentId: attachment.paymentId };
  return attachment.kind === 'paymentIntent'
    ? withIntent(db, { ...values, paymentIntentId: attachment.paymentIntentId, status: attachment.status })
    : withSession(db, { ...values, checkoutSessionId: attachment.checkoutSessionId });
}
