import type Stripe from 'stripe';
import { generateId, generateToken } from './ids.ts';

/**
 * Builders of Checkout Session objects and their line items, typed as stripe-node declares them
 * and shaped after Stripe's published example (`checkout.session` in stripe/openapi's
 * fixtures3.json): a payment-mode session, card only, no customer, tax, shipping or discounts.
 */

export interface LineItemInput {
  currency: string;
  unitAmount: number;
  quantity: number;
  name: string;
  description: string | null;
}

export interface CheckoutSessionInput {
  lineItems: LineItemInput[];
  currency: string;
  successUrl: string | null;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  customerEmail: string | null;
  metadata: Record<string, string>;
  locale: Stripe.Checkout.Session.Locale | null;
  expiresAt: number;
  customText: Stripe.Checkout.Session.CustomText;
  /** Where the hosted page is served, e.g. `http://127.0.0.1:12111`. */
  baseUrl: string;
}

/** Stripe's test-mode session ids are long (`cs_test_a1…`); the sandbox uses the same prefix. */
export const generateCheckoutSessionId = () => `cs_test_${generateToken(58)}`;

export function checkoutPageUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl}/sandbox/checkout/${encodeURIComponent(sessionId)}`;
}

export function buildLineItem(input: LineItemInput, created: number): Stripe.LineItem {
  const total = input.unitAmount * input.quantity;
  const price = {
    id: generateId('price'),
    object: 'price' as const,
    active: false,
    billing_scheme: 'per_unit' as const,
    created,
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    // price_data makes a one-off price of a one-off product, as Stripe does.
    product: generateId('prod'),
    recurring: null,
    tax_behavior: 'unspecified' as const,
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time' as const,
    unit_amount: input.unitAmount,
    // On the wire a decimal string; stripe-node's type is its own Decimal class, which JSON never carries.
    unit_amount_decimal: String(input.unitAmount) as unknown as Stripe.Price['unit_amount_decimal'],
  };
  return {
    id: generateId('li'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: total,
    amount_tax: 0,
    amount_total: total,
    currency: input.currency,
    // Stripe's line item description is the product's name.
    description: input.name,
    metadata: {},
    price,
    quantity: input.quantity,
  };
}

export function buildCheckoutSession(input: CheckoutSessionInput, created: number): Stripe.Checkout.Session {
  const id = generateCheckoutSessionId();
  const total = input.lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  return {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: total,
    amount_total: total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created,
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: input.customText,
    customer: null,
    customer_account: null,
    customer_creation: 'if_required',
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: input.locale,
    managed_payments: null,
    metadata: input.metadata,
    mode: 'payment',
    origin_context: null,
    // Since API version 2022-08-01 the PaymentIntent is created when the customer pays, not before.
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: checkoutPageUrl(input.baseUrl, id),
    wallet_options: null,
  };
}
