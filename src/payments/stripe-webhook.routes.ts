import { Type } from '@sinclair/typebox';
import { access } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { createWebhookInvalidBodyError, createWebhookInvalidSignatureError } from './payments.errors.ts';
import { errorResponses } from '../shared/schemas.ts';
import { WebhookSignatureError, type PaymentGateway } from './payment-gateway.ts';
import type { createPaymentEventsService } from './payment-events.service.ts';

/**
 * Stripe's webhook. The signature is computed over the exact bytes Stripe sent, so this route
 * keeps the raw body (its own JSON parser, encapsulated to this plugin) and verifies with
 * stripe-node before anything is parsed or trusted.
 */
export async function stripeWebhookRoutes(
  app: App,
  opts: {
    gateway: PaymentGateway;
    events: ReturnType<typeof createPaymentEventsService>;
    /** A payout Stripe reported (paid, reconciled, failed): its ledger lines are imported (a lost call: the nightly import). */
    onPayoutReported?: (payoutId: string, eventId: string) => Promise<void>;
    /** Each applied event, by Stripe's type and the outcome (the metrics count them). */
    onApplied?: (eventType: string, outcome: string) => void;
  },
) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/webhooks/stripe',
    {
      config: { access: access.signature() },
      schema: {
        operationId: 'receiveStripeEvent',
        tags: ['webhooks'],
        summary: 'Stripe events (signed with the endpoint secret)',
        description:
          'Handles checkout.session.completed (a paid Checkout Session links its PaymentIntent), payment_intent.succeeded, payment_intent.payment_failed, payment_intent.canceled, charge.refunded and charge.dispute.created; payout.paid, payout.reconciliation_completed and payout.failed start an import of the ledger lines of the payout for the finance office. Each event id is applied once; late or out-of-order events never move a booking backwards. Other event types are acknowledged and ignored.',
        headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: {
          200: Type.Object({ received: Type.Literal(true), outcome: Type.String({ maxLength: 60 }) }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const raw = request.body as unknown;
      if (!Buffer.isBuffer(raw)) throw createWebhookInvalidBodyError();
      let event;
      try {
        event = opts.gateway.parseWebhook(raw, request.headers['stripe-signature']);
      } catch (err) {
        if (err instanceof WebhookSignatureError) {
          request.log.warn({ reason: err.message }, 'stripe webhook rejected');
          throw createWebhookInvalidSignatureError();
        }
        throw err;
      }
      const { outcome } = await opts.events.applyEvent(event);
      if (event.kind === 'ignored' && event.payoutId && outcome !== 'duplicate')
        await opts.onPayoutReported?.(event.payoutId, event.eventId);
      request.log.info({ eventId: event.eventId, type: event.eventType, outcome }, 'stripe event');
      opts.onApplied?.(event.eventType, outcome);
      return { received: true as const, outcome };
    },
  );
}
