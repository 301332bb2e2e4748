import Stripe from 'stripe';
import { createStripeLedger } from '../finance/stripe-ledger.ts';
import { createLru } from '../shared/lru.ts';
import { PaymentProviderError, WebhookSignatureError, type PaymentEvent, type PaymentGateway } from './payment-gateway.ts';

export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  /** Webhooks older than this are refused (Stripe's own default is 300 s). */
  webhookToleranceSeconds?: number;
  /** Set for the offline sandbox: stripe-node then talks to it instead of api.stripe.com. */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
  sandbox?: boolean;
  /** The clock webhook timestamps are checked against (real time by default, like Stripe's). */
  clock?: () => Date;
}

export function createStripeClient(opts: Pick<StripeGatewayOptions, 'secretKey' | 'endpoint'>): Stripe {
  return new Stripe(opts.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Amtsbote' },
    ...(opts.endpoint ?? {}),
  });
}

/**
 * Sandbox pay-page secrets a process keeps (least recently used first out); only the sandbox's pay
 * link needs them. Beyond this many unpaid bookings being tracked, each tracking visit of one that
 * fell out costs a PaymentIntent retrieve: at 10,000, bench:api's trackBooking row fell to a third
 * once its earlier rows had made more bookings than that. 100,000 short strings are about 20 MB.
 */
const MAX_KEPT_CLIENT_SECRETS = 100_000;

export function createStripeGateway(opts: StripeGatewayOptions, client = createStripeClient(opts)): PaymentGateway {
  const tolerance = opts.webhookToleranceSeconds ?? 300;
  const clock = opts.clock ?? (() => new Date());
  const endpoint = opts.endpoint;
  // A PaymentIntent's client secret never changes, and the tracking page asks for the pay link on
  // every visit while a booking awaits payment: one retrieve per PaymentIntent, not per visit.
  const clientSecrets = createLru<string, string>(MAX_KEPT_CLIENT_SECRETS);

  return {
    sandbox: opts.sandbox ?? false,
    hostedPageOrigins:
      opts.sandbox && endpoint ? [`${endpoint.protocol}://${endpoint.host}:${endpoint.port}`] : ['https://checkout.stripe.com'],
    ledger: createStripeLedger(client),

    async createPaymentIntent(input) {
      const pi = await call(() =>
        client.paymentIntents.create(
          {
            amount: input.amountCents,
            currency: input.currency.toLowerCase(),
            description: input.description,
            metadata: input.metadata,
            automatic_payment_methods: { enabled: true },
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      if (!pi.client_secret) throw new PaymentProviderError('PaymentIntent without client_secret', false);
      return { id: pi.id, clientSecret: pi.client_secret, status: pi.status };
    },

    async createCheckoutSession(input) {
      const session = await call(() =>
        client.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                price_data: {
                  currency: input.currency.toLowerCase(),
                  unit_amount: input.amountCents,
                  product_data: { name: input.description, description: `Kassenzeichen ${input.kassenzeichen}` },
                },
                quantity: 1,
              },
            ],
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
            client_reference_id: input.metadata.booking_id,
            metadata: input.metadata,
            payment_intent_data: { metadata: input.metadata, description: `${input.description} ${input.kassenzeichen}` },
            // The Kassenzeichen next to the pay button: the reference the city's cashier office uses.
            custom_text: { submit: { message: `Kassenzeichen: ${input.kassenzeichen}` } },
            locale: input.locale,
            expires_at: Math.floor(input.expiresAt.getTime() / 1000),
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      if (!session.url) throw new PaymentProviderError('Checkout Session without url', false);
      return { id: session.id, url: session.url };
    },

    async expireCheckoutSession(id, input) {
      const state = (s: Stripe.Checkout.Session) => ({ status: s.status ?? 'unknown', paymentIntentId: idOf(s.payment_intent) });
      try {
        return state(await client.checkout.sessions.expire(id, {}, { idempotencyKey: input.idempotencyKey }));
      } catch (err) {
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') {
          return { status: 'missing', paymentIntentId: null };
        }
        // A session that is no longer open (paid, or expired already) is not an error for us:
        // report what it is now, so the caller does not expire a paid booking.
        if (err instanceof Stripe.errors.StripeInvalidRequestError) {
          return state(await call(() => client.checkout.sessions.retrieve(id)));
        }
        throw toProviderError(err);
      }
    },

    async checkoutSessionUrl(id) {
      const session = await call(() => client.checkout.sessions.retrieve(id));
      return session.status === 'open' ? session.url : null;
    },

    async cancelPaymentIntent(id, input) {
      try {
        const pi = await client.paymentIntents.cancel(id, { cancellation_reason: input.reason }, { idempotencyKey: input.idempotencyKey });
        return { status: pi.status };
      } catch (err) {
        // Cancelling a PaymentIntent that was paid (or cancelled) meanwhile is not an error for us:
        // report what it is now, so the caller does not expire a paid booking.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'payment_intent_unexpected_state') {
          const pi = await call(() => client.paymentIntents.retrieve(id));
          return { status: pi.status };
        }
        // A PaymentIntent Stripe does not know (a restarted sandbox, a wrong account) can never be
        // paid; retrying the cancel forever would help nobody.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') {
          return { status: 'missing' };
        }
        throw toProviderError(err);
      }
    },

    async createRefund(input) {
      // Stripe forgets an idempotency key after 24 hours, so a retry later than that (workers down
      // for a day) would refund a second time. The refund an earlier attempt made is found by the
      // refund_id in its metadata instead.
      const refundId = input.metadata.refund_id;
      if (refundId) {
        const earlier = await call(() => client.refunds.list({ payment_intent: input.paymentIntentId, limit: 100 }));
        const made = earlier.data.find((r) => r.metadata?.refund_id === refundId && r.status !== 'failed' && r.status !== 'canceled');
        if (made) return { id: made.id, status: made.status ?? 'pending' };
      }
      const refund = await call(() =>
        client.refunds.create(
          { payment_intent: input.paymentIntentId, amount: input.amountCents, metadata: input.metadata, reason: 'requested_by_customer' },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { id: refund.id, status: refund.status ?? 'pending' };
    },

    parseWebhook(rawBody, signatureHeader) {
      if (!signatureHeader) throw new WebhookSignatureError('Missing Stripe-Signature header');
      // stripe-node refuses timestamps older than the tolerance only; one far in the future is a
      // replay prepared in advance (or a broken clock) and is refused the same way.
      const timestamp = signedTimestamp(signatureHeader);
      if (timestamp !== null && timestamp - clock().getTime() / 1000 > tolerance) {
        throw new WebhookSignatureError('Timestamp lies in the future, beyond the tolerance zone');
      }
      let event: Stripe.Event;
      try {
        event = client.webhooks.constructEvent(rawBody, signatureHeader, opts.webhookSecret, tolerance, undefined, clock().getTime());
      } catch (err) {
        throw new WebhookSignatureError((err as Error).message);
      }
      return toPaymentEvent(event);
    },

    async paymentPageUrl(paymentIntentId, clientSecret) {
      // The sandbox serves a pay page of its own; real Stripe has none for a bare PaymentIntent.
      if (!opts.sandbox || !endpoint) return null;
      const secret =
        clientSecret ??
        clientSecrets.get(paymentIntentId) ??
        (await call(() => client.paymentIntents.retrieve(paymentIntentId))).client_secret;
      if (!secret) return null;
      clientSecrets.set(paymentIntentId, secret);
      const query = new URLSearchParams({ client_secret: secret });
      return `${endpoint.protocol}://${endpoint.host}:${endpoint.port}/sandbox/pay/${encodeURIComponent(paymentIntentId)}?${query.toString()}`;
    },
  };
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toProviderError(err);
  }
}

function toProviderError(err: unknown): PaymentProviderError {
  if (err instanceof Stripe.errors.StripeError) {
    const retryable =
      err instanceof Stripe.errors.StripeConnectionError ||
      err instanceof Stripe.errors.StripeAPIError ||
      err instanceof Stripe.errors.StripeRateLimitError ||
      (err.statusCode ?? 0) >= 500;
    return new PaymentProviderError(`Stripe: ${err.message}`, retryable, err.code);
  }
  return new PaymentProviderError(`Stripe: ${(err as Error)?.message ?? String(err)}`, true);
}

const idOf = (v: string | { id: string } | null | undefined) => (v == null ? null : typeof v === 'string' ? v : v.id);

/** ISO 4217 upper case; `XXX` (ISO's "no currency") where an event leaves it out, which matches nothing. */
const currencyOf = (currency: string | null | undefined) => (currency ? currency.toUpperCase() : 'XXX');

/** The `t=` of a Stripe-Signature header (seconds), or null when it has none (then verification fails anyway). */
function signedTimestamp(header: string): number | null {
  const t = header
    .split(',')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === 't')?.[1];
  return t !== undefined && /^\d{1,12}$/.test(t) ? Number(t) : null;
}

const metadataOf = (metadata: Stripe.Metadata | null | undefined) => ({
  bookingId: metadata?.booking_id ?? null,
  kassenzeichen: metadata?.kassenzeichen ?? null,
});

/**
 * The Stripe event types the platform acts on (`toPaymentEvent` below): the `enabled_events` of its
 * webhook endpoint. Stripe (and the sandbox) then send nothing else, so a booking costs no
 * webhook for `payment_intent.created` or `charge.succeeded`, which would only be acknowledged.
 */
export const STRIPE_WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'checkout.session.completed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'payout.paid',
  'payout.reconciliation_completed',
  'payout.failed',
] as const satisfies readonly Stripe.Event.Type[];

/** Maps the Stripe events the platform acts on; every other type is acknowledged and ignored. */
export function toPaymentEvent(event: Stripe.Event): PaymentEvent {
  const base = { eventId: event.id, eventType: event.type, createdAt: new Date(event.created * 1000) };
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const pi = event.data.object;
      return {
        ...base,
        kind: 'payment_succeeded',
        paymentIntentId: pi.id,
        amountCents: pi.amount_received,
        currency: currencyOf(pi.currency),
        chargeId: idOf(pi.latest_charge),
        metadata: metadataOf(pi.metadata),
      };
    }
    case 'checkout.session.completed': {
      const session = event.data.object;
      const paymentIntentId = idOf(session.payment_intent);
      // Asynchronous payment methods complete unpaid; only money received pays a booking.
      if (session.payment_status !== 'paid' || session.mode !== 'payment' || !paymentIntentId) {
        return { ...base, kind: 'ignored', paymentIntentId: null };
      }
      return {
        ...base,
        kind: 'payment_succeeded',
        paymentIntentId,
        amountCents: session.amount_total ?? 0,
        currency: currencyOf(session.currency),
        chargeId: null,
        metadata: metadataOf(session.metadata),
        checkoutSessionId: session.id,
      };
    }
    case 'payment_intent.payment_failed': {
      const pi = event.data.object;
      return { ...base, kind: 'payment_failed', paymentIntentId: pi.id, failureCode: pi.last_payment_error?.code ?? null };
    }
    case 'payment_intent.canceled': {
      const pi = event.data.object;
      return { ...base, kind: 'payment_canceled', paymentIntentId: pi.id, cancellationReason: pi.cancellation_reason ?? null };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      return {
        ...base,
        kind: 'charge_refunded',
        paymentIntentId: idOf(charge.payment_intent),
        chargeId: charge.id,
        amountRefundedCents: charge.amount_refunded,
        amountCents: charge.amount,
        currency: currencyOf(charge.currency),
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      return {
        ...base,
        kind: event.type === 'charge.dispute.created' ? 'dispute_opened' : 'dispute_closed',
        paymentIntentId: idOf(dispute.payment_intent),
        chargeId: idOf(dispute.charge),
        disputeId: dispute.id,
        amountCents: dispute.amount,
        currency: currencyOf(dispute.currency),
        reason: dispute.reason,
        status: dispute.status,
      };
    }
    case 'payout.paid':
    case 'payout.reconciliation_completed':
    case 'payout.failed':
      return { ...base, kind: 'ignored', paymentIntentId: null, payoutId: event.data.object.id };
    default:
      return { ...base, kind: 'ignored', paymentIntentId: null };
  }
}
