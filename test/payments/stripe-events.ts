import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../src/audit/audit.table.ts';
import { bookingEvents, bookings } from '../../src/bookings/bookings.table.ts';
import type { BookingStatus } from '../../src/bookings/booking-status.ts';
import { payments, refunds } from '../../src/payments/payments.table.ts';
import { STRIPE_WEBHOOK_EVENTS } from '../../src/payments/stripe-gateway.ts';
import { api, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

/**
 * Stripe events built by hand, shaped like Stripe's own (see the fixtures of stripe-mock), signed
 * with the endpoint secret the way Stripe signs them, and POSTed to the platform's webhook. This
 * is how a late, duplicated or out-of-order delivery is produced on purpose.
 */
const id = (prefix: string) => `${prefix}_test${randomBytes(12).toString('hex')}`;
export const newEventId = () => id('evt');
export const newChargeId = () => id('ch');

export function stripeEvent(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}) {
  return {
    id: opts.id ?? newEventId(),
    object: 'event',
    api_version: '2024-06-20',
    created: opts.created ?? Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export function paymentIntentObject(pi: {
  id: string;
  amount: number;
  status: string;
  latestCharge?: string | null;
  amountReceived?: number;
  lastPaymentError?: { code: string; type: string; message: string } | null;
  cancellationReason?: string | null;
  metadata?: Record<string, string>;
}) {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived ?? (pi.status === 'succeeded' ? pi.amount : 0),
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { enabled: true },
    canceled_at: pi.status === 'canceled' ? Math.floor(Date.now() / 1000) : null,
    cancellation_reason: pi.cancellationReason ?? null,
    capture_method: 'automatic',
    client_secret: `${pi.id}_secret_${randomBytes(8).toString('hex')}`,
    confirmation_method: 'automatic',
    created: Math.floor(Date.now() / 1000) - 60,
    currency: 'eur',
    customer: null,
    description: null,
    last_payment_error: pi.lastPaymentError ?? null,
    latest_charge: pi.latestCharge ?? null,
    livemode: false,
    metadata: pi.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.status === 'succeeded' ? 'pm_card_visa' : null,
    payment_method_options: {},
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function chargeObject(ch: { id: string; paymentIntent: string; amount: number; amountRefunded: number }) {
  return {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: ch.amount,
    amount_refunded: ch.amountRefunded,
    balance_transaction: null,
    captured: true,
    created: Math.floor(Date.now() / 1000) - 60,
    currency: 'eur',
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: ch.paymentIntent,
    payment_method: 'pm_card_visa',
    refunded: ch.amountRefunded >= ch.amount,
    status: 'succeeded',
  };
}

/** The raw body and a valid `Stripe-Signature` for it (Stripe's scheme, via stripe-node's own test helper). */
export function sign(p: TestPlatform, event: unknown, opts: { timestamp?: number; secret?: string } = {}) {
  const payload = JSON.stringify(event, null, 2);
  const header = p.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? p.webhookSecret,
    ...(opts.timestamp === undefined ? {} : { timestamp: opts.timestamp }),
  });
  return { payload, header };
}

/** POSTs a body to the webhook as Stripe does (JSON with charset, the signature header unless null). */
export function postWebhook(p: TestPlatform, payload: string, header: string | null) {
  return api(p, 'POST', '/v1/webhooks/stripe', {
    body: payload,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(header === null ? {} : { 'stripe-signature': header }) },
  });
}

export function deliver(p: TestPlatform, event: unknown) {
  const { payload, header } = sign(p, event);
  return postWebhook(p, payload, header);
}

/** The metadata the platform put on a PaymentIntent, for hand-built events that must match it. */
export async function metadataOf(p: TestPlatform, paymentIntentId: string): Promise<Record<string, string>> {
  return (await p.stripe.paymentIntents.retrieve(paymentIntentId)).metadata;
}

/** The real event the sandbox recorded for an object, e.g. to redeliver it late or twice. */
export function sandboxEvent(p: TestPlatform, type: string, objectId: string) {
  const found = p.sandbox.events().find((e) => e.type === type && (e.data.object as { id?: string }).id === objectId);
  if (!found) throw new Error(`no ${type} for ${objectId} in the sandbox`);
  return found;
}

// --- database views for the assertions -------------------------------------------------------

export async function bookingRow(p: TestPlatform, bookingId: string) {
  const [row] = await p.db.select().from(bookings).where(eq(bookings.id, bookingId));
  return must(row, `booking ${bookingId}`);
}

export async function paymentRow(p: TestPlatform, bookingId: string) {
  const [row] = await p.db.select().from(payments).where(eq(payments.bookingId, bookingId));
  return must(row, `the payment of booking ${bookingId}`);
}

export const refundRows = (p: TestPlatform, bookingId: string) => p.db.select().from(refunds).where(eq(refunds.bookingId, bookingId));

export const eventRows = (p: TestPlatform, bookingId: string) =>
  p.db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, bookingId)).orderBy(bookingEvents.id);

export const auditRows = (p: TestPlatform, bookingId: string, action?: string) =>
  p.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, bookingId), ...(action ? [eq(auditLog.action, action)] : [])))
    .orderBy(auditLog.id);

/** Test setup only: puts a booking into a status without going through the flow. */
export async function forceStatus(p: TestPlatform, bookingId: string, status: BookingStatus) {
  await p.db.update(bookings).set({ status }).where(eq(bookings.id, bookingId));
}

/** Removes the platform's webhook endpoint from the sandbox so events pile up undelivered; returns a function that restores it. */
export async function holdWebhooks(p: TestPlatform) {
  await p.sandbox.flushWebhooks();
  const endpoints = await p.stripe.webhookEndpoints.list({ limit: 100 });
  for (const e of endpoints.data) await p.stripe.webhookEndpoints.del(e.id);
  return () => {
    p.sandbox.addWebhookEndpoint(`${p.address}/v1/webhooks/stripe`, p.webhookSecret, [...STRIPE_WEBHOOK_EVENTS]);
  };
}
