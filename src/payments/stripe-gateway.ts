import Stripe from 'stripe';
import { PaymentProviderError, WebhookSignatureError, type PaymentEvent, type PaymentGateway } from './payment-gateway.ts';

export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  /** Webhooks older than this are refused (Stripe's own default is 300 s). */
  webhookToleranceSeconds?: number;
  /** Set for the offline sandbox: stripe-node then talks to it instead of api.stripe.com. */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
  sandbox?: boolean;
}

export function createStripeClient(opts: Pick<StripeGatewayOptions, 'secretKey' | 'endpoint'>): Stripe {
  return new Stripe(opts.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Amtsbote' },
    ...(opts.endpoint ?? {}),
  });
}

export function createStripeGateway(opts: StripeGatewayOptions, client = createStripeClient(opts)): PaymentGateway {
  const tolerance = opts.webhookToleranceSeconds ?? 300;
  return {
    sandbox: opts.sandbox ?? false,

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
      let event: Stripe.Event;
      try {
        event = client.webhooks.constructEvent(rawBody, signatureHeader, opts.webhookSecret, tolerance);
      } catch (err) {
        throw new WebhookSignatureError((err as Error).message);
      }
      return toPaymentEvent(event);
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
        chargeId: idOf(pi.latest_charge),
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
      };
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      return {
        ...base,
        kind: 'dispute_created',
        paymentIntentId: idOf(dispute.payment_intent),
        chargeId: idOf(dispute.charge),
        disputeId: dispute.id,
        amountCents: dispute.amount,
        reason: dispute.reason,
      };
    }
    default:
      return { ...base, kind: 'ignored', paymentIntentId: null };
  }
}
