import type Stripe from 'stripe';
import { generateClientSecret, generateId } from './ids.ts';
import { calculateProcessingFee, disputeFee, type SandboxFees } from './money.ts';
import type { TestCard } from './test-cards.ts';

/**
 * Builders of Stripe-shaped objects. Each returns the stripe-node type so the compiler checks
 * every field against Stripe's own definitions; field sets and defaults follow Stripe's published
 * example objects (stripe/openapi fixtures3.json) and what test mode returns.
 */

const DAY_SECONDS = 86_400;

export interface PaymentIntentInput {
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  description: string | null;
  receiptEmail: string | null;
  allowedPaymentMethodTypes: string[] | null;
  paymentMethodTypes: string[];
  automaticPaymentMethods: Stripe.PaymentIntent.AutomaticPaymentMethods | null;
  captureMethod: Stripe.PaymentIntent.CaptureMethod;
  statementDescriptor: string | null;
  statementDescriptorSuffix: string | null;
}

export function buildPaymentIntent(input: PaymentIntentInput, created: number): Stripe.PaymentIntent {
  const id = generateId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: input.allowedPaymentMethodTypes,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: input.automaticPaymentMethods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.captureMethod,
    client_secret: generateClientSecret(id),
    confirmation_method: 'automatic',
    created,
    currency: input.currency,
    customer: null,
    customer_account: null,
    description: input.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: input.automaticPaymentMethods?.enabled ? { id: 'pmc_sandbox_default', parent: null } : null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: input.paymentMethodTypes,
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: input.statementDescriptor,
    statement_descriptor_suffix: input.statementDescriptorSuffix,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

const EMPTY_ADDRESS: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

export function buildPaymentMethod(card: TestCard, created: number): Stripe.PaymentMethod {
  return {
    id: generateId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: EMPTY_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country,
      display_brand: card.brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: card.fingerprint,
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export interface ChargeInput {
  paymentIntent: Stripe.PaymentIntent;
  paymentMethod: Stripe.PaymentMethod;
  /** null for a successful charge, the decline details for a failed one. */
  failure: { code: string; declineCode: string; message: string } | null;
  balanceTransactionId: string | null;
}

export function buildCharge(input: ChargeInput, created: number): Stripe.Charge {
  const { paymentIntent, paymentMethod, failure } = input;
  const card = paymentMethod.card;
  const succeeded = failure === null;
  return {
    id: generateId('ch'),
    object: 'charge',
    amount: paymentIntent.amount,
    amount_captured: succeeded ? paymentIntent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: input.balanceTransactionId,
    billing_details: paymentMethod.billing_details,
    calculated_statement_descriptor: paymentIntent.statement_descriptor ?? 'AMTSBOTE SANDBOX',
    captured: succeeded,
    created,
    currency: paymentIntent.currency,
    customer: null,
    description: paymentIntent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: paymentIntent.metadata,
    on_behalf_of: null,
    outcome: succeeded
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 32,
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: 'try_again_later',
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'declined_by_network',
          reason: failure.declineCode,
          risk_level: 'normal',
          risk_score: 40,
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        },
    paid: succeeded,
    payment_intent: paymentIntent.id,
    payment_method: paymentMethod.id,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? paymentIntent.amount : null,
        authorization_code: succeeded ? '123456' : null,
        brand: card?.brand ?? null,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: card?.country ?? null,
        electronic_commerce_indicator: null,
        exp_month: card?.exp_month ?? 12,
        exp_year: card?.exp_year ?? 2030,
        extended_authorization: { status: 'disabled' },
        fingerprint: card?.fingerprint ?? null,
        funding: card?.funding ?? null,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card?.last4 ?? null,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card?.brand ?? null,
        network_token: { used: false },
        network_transaction_id: succeeded ? '1041029786787710' : null,
        overcapture: { maximum_amount_capturable: paymentIntent.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: paymentIntent.receipt_email,
    receipt_number: null,
    // The sandbox renders no receipts; a URL pointing at nothing would only mislead.
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: paymentIntent.statement_descriptor,
    statement_descriptor_suffix: paymentIntent.statement_descriptor_suffix,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
}

export interface BalanceTransactionInput {
  id?: string;
  amount: number;
  fee: number;
  feeDescription: string;
  currency: string;
  description: string | null;
  source: string;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
  /** Seconds until the funds become available (Stripe's payout schedule, 7 days for new accounts). */
  availableAfterSeconds: number;
}

/** Midnight UTC of the day `seconds` falls on: Stripe's `available_on` values are day-aligned. */
export function truncateToUtcDay(seconds: number): number {
  return seconds - (seconds % DAY_SECONDS);
}

export function buildBalanceTransaction(input: BalanceTransactionInput, created: number): Stripe.BalanceTransaction {
  const availableOn = input.availableAfterSeconds === 0 ? created : truncateToUtcDay(created + input.availableAfterSeconds);
  return {
    id: input.id ?? generateId('txn'),
    object: 'balance_transaction',
    amount: input.amount,
    available_on: availableOn,
    balance_type: 'payments',
    created,
    currency: input.currency,
    description: input.description,
    exchange_rate: null,
    fee: input.fee,
    fee_details:
      input.fee === 0
        ? []
        : [{ amount: input.fee, application: null, currency: input.currency, description: input.feeDescription, type: 'stripe_fee' }],
    net: input.amount - input.fee,
    reporting_category: input.reportingCategory,
    source: input.source,
    status: availableOn <= created ? 'available' : 'pending',
    type: input.type,
  };
}

export function buildChargeBalanceTransaction(charge: Stripe.Charge, id: string, fees: SandboxFees): Stripe.BalanceTransaction {
  return buildBalanceTransaction(
    {
      id,
      amount: charge.amount,
      fee: calculateProcessingFee(charge.amount, charge.currency, fees),
      feeDescription: 'Stripe processing fees',
      currency: charge.currency,
      description: charge.description,
      source: charge.id,
      type: 'charge',
      reportingCategory: 'charge',
      availableAfterSeconds: 7 * DAY_SECONDS,
    },
    charge.created,
  );
}

export interface RefundInput {
  amount: number;
  charge: Stripe.Charge;
  reason: Stripe.Refund.Reason | null;
  metadata: Record<string, string>;
  balanceTransactionId: string;
}

export function buildRefund(input: RefundInput, created: number): Stripe.Refund {
  return {
    id: generateId('re'),
    object: 'refund',
    amount: input.amount,
    balance_transaction: input.balanceTransactionId,
    charge: input.charge.id,
    created,
    currency: input.charge.currency,
    customer: null,
    customer_account: null,
    destination_details: {
      card: { reference: '', reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: input.metadata,
    payment_intent: typeof input.charge.payment_intent === 'string' ? input.charge.payment_intent : null,
    payment_method: input.charge.payment_method,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function buildRefundBalanceTransaction(refund: Stripe.Refund, id: string): Stripe.BalanceTransaction {
  return buildBalanceTransaction(
    {
      id,
      amount: -refund.amount,
      fee: 0,
      feeDescription: '',
      currency: refund.currency,
      description: 'REFUND FOR CHARGE',
      source: refund.id,
      type: 'refund',
      reportingCategory: 'refund',
      availableAfterSeconds: 0,
    },
    refund.created,
  );
}

export function buildDispute(charge: Stripe.Charge, reason: string, created: number, fees: SandboxFees): Stripe.Dispute {
  const id = generateId('dp');
  const fee = disputeFee(charge.currency, fees);
  const withdrawal = buildBalanceTransaction(
    {
      amount: -charge.amount,
      fee,
      feeDescription: 'Dispute fee',
      currency: charge.currency,
      description: `Chargeback withdrawal for ${charge.id}`,
      source: id,
      type: 'adjustment',
      reportingCategory: 'dispute',
      availableAfterSeconds: 0,
    },
    created,
  );
  return {
    id,
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [withdrawal],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: {
      due_by: truncateToUtcDay(created + 8 * DAY_SECONDS) - 1,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method_details: {
      card: {
        brand: charge.payment_method_details?.card?.brand ?? 'visa',
        case_type: 'chargeback',
        network: charge.payment_method_details?.card?.network ?? 'visa',
        network_reason_code: '10.4',
      },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  };
}

/** The bank account automatic payouts go to; the sandbox has no external accounts to list. */
export const SANDBOX_BANK_ACCOUNT = 'ba_SandboxBankAccount';

/**
 * An automatic payout on its way to the bank (`in_transit`), with its `payout` balance
 * transaction: the amount leaves the balance at once. The sandbox's bank takes it the same day,
 * so `arrival_date` is the day it is created.
 */
export function buildPayout(
  input: { amount: number; currency: string; balanceTransactionId: string },
  created: number,
): { payout: Stripe.Payout; transaction: Stripe.BalanceTransaction } {
  const id = generateId('po');
  const payout: Stripe.Payout = {
    id,
    object: 'payout',
    amount: input.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: truncateToUtcDay(created),
    automatic: true,
    balance_transaction: input.balanceTransactionId,
    created,
    currency: input.currency,
    description: 'STRIPE PAYOUT',
    destination: SANDBOX_BANK_ACCOUNT,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    method: 'standard',
    original_payout: null,
    payout_method: null,
    reconciliation_status: 'in_progress',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: null,
    status: 'in_transit',
    trace_id: null,
    type: 'bank_account',
  };
  const transaction = buildBalanceTransaction(
    {
      id: input.balanceTransactionId,
      amount: -input.amount,
      fee: 0,
      feeDescription: '',
      currency: input.currency,
      description: 'STRIPE PAYOUT',
      source: id,
      type: 'payout',
      reportingCategory: 'payout',
      availableAfterSeconds: 0,
    },
    created,
  );
  return { payout, transaction };
}

/** The `payout_failure` balance transaction that puts a failed payout's amount back on the balance. */
export function buildPayoutFailureBalanceTransaction(payout: Stripe.Payout, created: number): Stripe.BalanceTransaction {
  return buildBalanceTransaction(
    {
      amount: payout.amount,
      fee: 0,
      feeDescription: '',
      currency: payout.currency,
      description: `Payout failure (${payout.failure_code ?? 'failed'})`,
      source: payout.id,
      type: 'payout_failure',
      reportingCategory: 'payout_reversal',
      availableAfterSeconds: 0,
    },
    created,
  );
}

export interface WebhookEndpointInput {
  url: string;
  enabledEvents: string[];
  description: string | null;
  metadata: Record<string, string>;
  apiVersion: string | null;
}

export function buildWebhookEndpoint(input: WebhookEndpointInput, created: number): Stripe.WebhookEndpoint {
  return {
    id: generateId('we'),
    object: 'webhook_endpoint',
    api_version: input.apiVersion,
    application: null,
    created,
    description: input.description,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: input.metadata,
    status: 'enabled',
    url: input.url,
  };
}

export function buildList<T>(data: T[], hasMore: boolean, url: string): Stripe.ApiList<T> {
  return { object: 'list', data, has_more: hasMore, url };
}
