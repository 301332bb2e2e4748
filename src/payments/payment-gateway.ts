import type { StripeLedger } from '../finance/ledger.ts';
/**
 * What the platform needs from a payment provider, in its own words. The booking and payment
 * services depend on this interface only; `stripe-gateway.ts` implements it with stripe-node.
 */
export interface CreatedPaymentIntent {
  id: string;
  clientSecret: string;
  status: string;
}

export interface CreatedCheckoutSession {
  id: string;
  /** The hosted page to send the citizen to (303). */
  url: string;
}

export interface PaymentGateway {
  /** `idempotencyKey` makes a retry return the same PaymentIntent instead of charging twice. */
  createPaymentIntent(input: {
    amountCents: number;
    currency: string;
    description: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<CreatedPaymentIntent>;
  /**
   * Resolves with the PaymentIntent's status after the attempt: `canceled`, `succeeded` when it was
   * paid first, or `missing` when the provider does not know it.
   */
  cancelPaymentIntent(
    id: string,
    input: { idempotencyKey: string; reason: 'abandoned' | 'requested_by_customer' },
  ): Promise<{ status: string }>;
  /**
   * A hosted payment page (Stripe Checkout) for one amount: no card data touches our pages. The
   * PaymentIntent is made when the citizen pays, carrying `metadata`; `kassenzeichen` is shown on
   * the page. `successUrl` may hold `{CHECKOUT_SESSION_ID}`, replaced on the redirect.
   */
  createCheckoutSession(input: {
    amountCents: number;
    currency: string;
    description: string;
    kassenzeichen: string;
    metadata: Record<string, string>;
    successUrl: string;
    cancelUrl: string;
    locale: 'de' | 'en';
    expiresAt: Date;
    idempotencyKey: string;
  }): Promise<CreatedCheckoutSession>;
  /**
   * Ends an open Checkout Session so it can no longer be paid. Resolves with its status after the
   * attempt: `expired`, `complete` when it was paid first, or `missing` when the provider does not
   * know it; and its PaymentIntent, when one was made.
   */
  expireCheckoutSession(id: string, input: { idempotencyKey: string }): Promise<{ status: string; paymentIntentId: string | null }>;
  /** The hosted page of a Checkout Session while it can still be paid; null once it is complete or expired. */
  checkoutSessionUrl(id: string): Promise<string | null>;
  createRefund(input: {
    paymentIntentId: string;
    amountCents: number;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string; status: string }>;
  /**
   * Verifies the signature on the raw body (refusing timestamps too old or too far in the future)
   * and turns the provider's event into a `PaymentEvent`.
   */
  parseWebhook(rawBody: Buffer, signatureHeader: string | undefined): PaymentEvent;
  /**
   * A page where the citizen pays this PaymentIntent, ready to open; null where the provider has
   * none for PaymentIntents (live Stripe: the client secret is used with Stripe.js instead).
   * Without the client secret the PaymentIntent is looked up (the sandbox only).
   */
  paymentPageUrl(paymentIntentId: string, clientSecret?: string): Promise<string | null>;
  /** Stripe's balance transactions and payouts, for the finance office's reconciliation. */
  readonly ledger: StripeLedger;
  /** Whether this is the offline sandbox (said plainly in logs and responses). */
  readonly sandbox: boolean;
  /**
   * Origins of the provider's hosted payment pages: the citizen's pages redirect there after a
   * form post, so their Content-Security-Policy `form-action` must name them.
   */
  readonly hostedPageOrigins: readonly string[];
}

interface EventBase {
  eventId: string;
  eventType: string;
  /** When the provider created the event (its clock, UTC). */
  createdAt: Date;
  paymentIntentId: string | null;
}

/** The metadata the platform puts on every PaymentIntent it creates (see bookings.service). */
export interface PaymentMetadata {
  bookingId: string | null;
  kassenzeichen: string | null;
}

export type PaymentEvent =
  | (EventBase & {
      kind: 'payment_succeeded';
      paymentIntentId: string;
      /** What the provider received, in the smallest unit of `currency`. */
      amountCents: number;
      /** ISO 4217, upper case. */
      currency: string;
      chargeId: string | null;
      metadata: PaymentMetadata;
      /** Set when the news is a paid Checkout Session (`checkout.session.completed`): links its PaymentIntent. */
      checkoutSessionId?: string;
    })
  | (EventBase & { kind: 'payment_failed'; paymentIntentId: string; failureCode: string | null })
  | (EventBase & { kind: 'payment_canceled'; paymentIntentId: string; cancellationReason: string | null })
  | (EventBase & { kind: 'charge_refunded'; chargeId: string; amountRefundedCents: number; amountCents: number; currency: string })
  | (EventBase & {
      kind: 'dispute_opened';
      chargeId: string | null;
      disputeId: string;
      amountCents: number;
      currency: string;
      reason: string;
      status: string;
    })
  | (EventBase & {
      kind: 'dispute_closed';
      chargeId: string | null;
      disputeId: string;
      amountCents: number;
      currency: string;
      reason: string;
      /** Stripe's final status: `won`, `lost` or `warning_closed` (an inquiry that became nothing). */
      status: string;
    })
  /** Nothing for a booking; `payoutId` when Stripe reports a payout paid, reconciled or failed (the ledger is imported). */
  | (EventBase & { kind: 'ignored'; payoutId?: string });

export class WebhookSignatureError extends Error {}

export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly providerCode?: string,
  ) {
    super(message);
  }
}
