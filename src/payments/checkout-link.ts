import type { PaymentEvent } from './payment-gateway.ts';
import type { PaymentsRepository } from './payments.repository.ts';
import type { Payment } from './payments.table.ts';

/**
 * A booking paid through Stripe Checkout has no PaymentIntent until the citizen pays: Stripe makes
 * it then. So the first verified news of the payment is matched by what it names instead —
 * `checkout.session.completed` by the session id, `payment_intent.succeeded` (which may come
 * first; Stripe orders events per object only) by the booking id in the metadata we gave the
 * PaymentIntent through `payment_intent_data` — and the payment row is linked to that
 * PaymentIntent. Whether the money is what the booking asked for is checked afterwards exactly
 * as for any PaymentIntent (payment-match.ts).
 */
export async function findUnlinkedCheckoutPayment(payments: PaymentsRepository, event: PaymentEvent): Promise<Payment | undefined> {
  if (event.kind !== 'payment_succeeded') return undefined;
  const payment = event.checkoutSessionId
    ? await payments.findByCheckoutSession(event.checkoutSessionId)
    : event.metadata.bookingId && /^[0-9a-f-]{36}$/i.test(event.metadata.bookingId)
      ? await payments.findByBooking(event.metadata.bookingId)
      : undefined;
  return payment?.checkoutSessionId && !payment.paymentIntentId ? payment : undefined;
}

/**
 * Links the locked payment row to the event's PaymentIntent, if it still has none. Returns the
 * row as it is now, or null when it is linked to another PaymentIntent already (then this one is
 * not the booking's payment and is treated as unknown).
 */
export async function linkCheckoutPaymentIntent(
  payments: PaymentsRepository,
  payment: Payment,
  event: PaymentEvent,
): Promise<Payment | null> {
  if (event.kind !== 'payment_succeeded' || !payment.checkoutSessionId) return payment;
  if (payment.paymentIntentId === event.paymentIntentId) return payment;
  if (payment.paymentIntentId) return null;
  await payments.attachPaymentIntent(payment.id, event.paymentIntentId, payment.status);
  return { ...payment, paymentIntentId: event.paymentIntentId };
}
