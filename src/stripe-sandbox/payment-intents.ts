import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import { openDispute } from './disputes.ts';
import { cardDeclined, parameterInvalid, parameterMissing, resourceMissing, stateConflict } from './errors.ts';
import { pickChangedAttributes, type EventRequest } from './events.ts';
import type { FormObject } from './form.ts';
import { generateId } from './ids.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { formatAmount, minimumAmount } from './money.ts';
import { buildCharge, buildChargeBalanceTransaction, buildPaymentIntent, buildPaymentMethod } from './objects.ts';
import { mergeMetadata, ParamReader } from './params.ts';
import { findTestCard, findTestCardByFingerprint } from './test-cards.ts';

/** PaymentIntent endpoints: create, retrieve, update, confirm, cancel, list. */

const MAX_AMOUNT = 99_999_999;
const CONFIRMABLE: readonly Stripe.PaymentIntent.Status[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;
/** Fields a confirmation may change, reported in the event's previous_attributes. */
const CONFIRM_CHANGES = ['status', 'amount_received', 'latest_charge', 'payment_method', 'last_payment_error'] as const;

const CREATE_PARAMS = [
  'amount',
  'currency',
  'metadata',
  'description',
  'automatic_payment_methods',
  'allowed_payment_method_types',
  'payment_method_types',
  'capture_method',
  'receipt_email',
  'payment_method',
  'confirm',
  'return_url',
  'statement_descriptor',
  'statement_descriptor_suffix',
] as const;
const UPDATE_PARAMS = [
  'amount',
  'currency',
  'metadata',
  'description',
  'receipt_email',
  'payment_method',
  'allowed_payment_method_types',
  'payment_method_types',
] as const;
const CONFIRM_PARAMS = ['payment_method', 'return_url', 'receipt_email'] as const;

function readAmount(params: ParamReader, currency: string, required: true): number;
function readAmount(params: ParamReader, currency: string, required: false): number | undefined;
function readAmount(params: ParamReader, currency: string, required: boolean): number | undefined {
  const amount = required ? params.requiredInteger('amount', { min: 1 }) : params.optionalInteger('amount', { min: 1 });
  if (amount === undefined) return undefined;
  const minimum = minimumAmount(currency);
  if (amount < minimum) {
    throw parameterInvalid('amount', `Amount must be at least ${formatAmount(minimum, currency)} ${currency}`, 'amount_too_small');
  }
  if (amount > MAX_AMOUNT) {
    throw parameterInvalid('amount', `Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)}`, 'amount_too_large');
  }
  return amount;
}

function readCurrency(params: ParamReader, required: true): string;
function readCurrency(params: ParamReader, required: false): string | undefined;
function readCurrency(params: ParamReader, required: boolean): string | undefined {
  const value = required ? params.requiredString('currency') : params.optionalString('currency');
  if (value === undefined) return undefined;
  const currency = value.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw parameterInvalid('currency', `Invalid currency: ${value}.`);
  return currency;
}

function readReceiptEmail(params: ParamReader): string | null | undefined {
  const email = params.optionalNullableString('receipt_email', { maxLength: 800 });
  if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw parameterInvalid('receipt_email', `Invalid email address: ${email}`, 'email_invalid');
  }
  return email;
}

interface PaymentMethodSetup {
  allowedPaymentMethodTypes: string[] | null;
  paymentMethodTypes: string[];
  automaticPaymentMethods: Stripe.PaymentIntent.AutomaticPaymentMethods | null;
}

/**
 * Which payment method types a PaymentIntent may use. Current API versions take
 * `allowed_payment_method_types` (what stripe-node v23 types offer); the older
 * `payment_method_types` parameter is accepted as well. The sandbox only simulates cards.
 */
function readPaymentMethodSetup(params: ParamReader): PaymentMethodSetup {
  const allowed = params.optionalStringArray('allowed_payment_method_types');
  const legacy = params.optionalStringArray('payment_method_types');
  const types = allowed !== undefined && allowed.length > 0 ? allowed : legacy;
  const param = types === allowed ? 'allowed_payment_method_types' : 'payment_method_types';
  const automatic = params.optionalObject('automatic_payment_methods', ['enabled', 'allow_redirects']);
  const enabled = automatic?.optionalBoolean('enabled');
  const allowRedirects = automatic?.optionalEnum('allow_redirects', ['always', 'never'] as const);
  if (automatic && enabled === undefined) throw parameterMissing('automatic_payment_methods[enabled]');
  if (types && types.length > 0) {
    if (enabled) {
      throw parameterInvalid(
        'automatic_payment_methods',
        `You may only specify one of these parameters: automatic_payment_methods, ${param}.`,
        'parameters_exclusive',
      );
    }
    const unsupported = types.find((type) => type !== 'card');
    if (unsupported !== undefined) {
      throw parameterInvalid(
        param,
        `The payment method type "${unsupported}" is not available in the offline Stripe sandbox, which only simulates cards.`,
        'payment_method_unactivated',
      );
    }
    return {
      allowedPaymentMethodTypes: param === 'allowed_payment_method_types' ? types : null,
      paymentMethodTypes: types,
      automaticPaymentMethods: null,
    };
  }
  // Since API version 2023-08-16 automatic payment methods are on unless switched off.
  if (enabled === false) return { allowedPaymentMethodTypes: null, paymentMethodTypes: ['card'], automaticPaymentMethods: null };
  return {
    allowedPaymentMethodTypes: null,
    paymentMethodTypes: ['card'],
    automaticPaymentMethods: allowRedirects === undefined ? { enabled: true } : { enabled: true, allow_redirects: allowRedirects },
  };
}

export function retrievePaymentIntent(ctx: SandboxContext, id: string): Stripe.PaymentIntent {
  return requireObject(ctx, 'payment_intent', id);
}

export function createPaymentIntent(ctx: SandboxContext, form: FormObject, request: EventRequest): Stripe.PaymentIntent {
  const params = ParamReader.strict(form, CREATE_PARAMS);
  const currency = readCurrency(params, true);
  const amount = readAmount(params, currency, true);
  const captureMethod = params.optionalEnum('capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async';
  if (captureMethod === 'manual') {
    throw parameterInvalid('capture_method', 'The offline Stripe sandbox supports only automatic capture (capture_method=automatic).');
  }
  const confirm = params.optionalBoolean('confirm') ?? false;
  const paymentMethod = params.optionalString('payment_method');
  params.optionalString('return_url');
  const setup = readPaymentMethodSetup(params);
  const paymentIntent = buildPaymentIntent(
    {
      amount,
      currency,
      metadata: mergeMetadata({}, params.optionalMetadata()),
      description: params.optionalString('description', { maxLength: 1000 }) ?? null,
      receiptEmail: readReceiptEmail(params) ?? null,
      allowedPaymentMethodTypes: setup.allowedPaymentMethodTypes,
      paymentMethodTypes: setup.paymentMethodTypes,
      automaticPaymentMethods: setup.automaticPaymentMethods,
      captureMethod,
      statementDescriptor: params.optionalString('statement_descriptor', { maxLength: 22 }) ?? null,
      statementDescriptorSuffix: params.optionalString('statement_descriptor_suffix', { maxLength: 22 }) ?? null,
    },
    ctx.now(),
  );
  if (paymentMethod !== undefined) {
    paymentIntent.payment_method = resolvePaymentMethod(ctx, paymentMethod).id;
    paymentIntent.status = 'requires_confirmation';
  }
  ctx.store.save('payment_intent', paymentIntent);
  ctx.recordEvent('payment_intent.created', paymentIntent, request);
  if (!confirm) return paymentIntent;
  return confirmWith(ctx, paymentIntent, undefined, request);
}

// Stripe emits no event for plain updates (there is no payment_intent.updated type), hence no request.
export function updatePaymentIntent(ctx: SandboxContext, id: string, form: FormObject): Stripe.PaymentIntent {
  const paymentIntent = requireObject(ctx, 'payment_intent', id);
  const params = ParamReader.strict(form, UPDATE_PARAMS);
  const mutable = CONFIRMABLE.includes(paymentIntent.status);
  for (const field of ['amount', 'currency', 'payment_method', 'allowed_payment_method_types', 'payment_method_types'] as const) {
    if (params.has(field) && !mutable) {
      throw stateConflict(
        `This PaymentIntent's ${field} could not be updated because it has a status of ${paymentIntent.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${CONFIRMABLE.join(', ')}.`,
        'payment_intent_unexpected_state',
        { param: field, payment_intent: paymentIntent },
      );
    }
  }
  const currency = readCurrency(params, false) ?? paymentIntent.currency;
  const amount = readAmount(params, currency, false);
  if (amount !== undefined) paymentIntent.amount = amount;
  paymentIntent.currency = currency;
  paymentIntent.metadata = mergeMetadata(paymentIntent.metadata, params.optionalMetadata());
  const description = params.optionalNullableString('description', { maxLength: 1000 });
  if (description !== undefined) paymentIntent.description = description;
  const receiptEmail = readReceiptEmail(params);
  if (receiptEmail !== undefined) paymentIntent.receipt_email = receiptEmail;
  if (params.has('allowed_payment_method_types') || params.has('payment_method_types')) {
    const setup = readPaymentMethodSetup(params);
    if (setup.automaticPaymentMethods === null) {
      paymentIntent.payment_method_types = setup.paymentMethodTypes;
      paymentIntent.allowed_payment_method_types = setup.allowedPaymentMethodTypes;
      paymentIntent.automatic_payment_methods = null;
    }
  }
  const paymentMethod = params.optionalString('payment_method');
  if (paymentMethod !== undefined) {
    paymentIntent.payment_method = resolvePaymentMethod(ctx, paymentMethod).id;
    paymentIntent.status = 'requires_confirmation';
  }
  ctx.store.save('payment_intent', paymentIntent);
  return paymentIntent;
}

export function confirmPaymentIntent(ctx: SandboxContext, id: string, form: FormObject, request: EventRequest): Stripe.PaymentIntent {
  const paymentIntent = requireObject(ctx, 'payment_intent', id);
  const params = ParamReader.strict(form, CONFIRM_PARAMS);
  params.optionalString('return_url');
  const receiptEmail = readReceiptEmail(params);
  if (receiptEmail !== undefined) paymentIntent.receipt_email = receiptEmail;
  return confirmWith(ctx, paymentIntent, params.optionalString('payment_method'), request);
}

export function cancelPaymentIntent(ctx: SandboxContext, id: string, form: FormObject, request: EventRequest): Stripe.PaymentIntent {
  const paymentIntent = requireObject(ctx, 'payment_intent', id);
  const params = ParamReader.strict(form, ['cancellation_reason']);
  const reason = params.optionalEnum('cancellation_reason', CANCELLATION_REASONS) ?? null;
  if (!CANCELABLE.includes(paymentIntent.status)) {
    throw stateConflict(
      `You cannot cancel this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      'payment_intent_unexpected_state',
      { payment_intent: paymentIntent },
    );
  }
  const before = structuredClone(paymentIntent);
  paymentIntent.status = 'canceled';
  paymentIntent.canceled_at = ctx.now();
  paymentIntent.cancellation_reason = reason;
  ctx.store.save('payment_intent', paymentIntent);
  ctx.recordEvent(
    'payment_intent.canceled',
    paymentIntent,
    request,
    pickChangedAttributes(before, paymentIntent, ['status', 'canceled_at', 'cancellation_reason']),
  );
  return paymentIntent;
}

export function listPaymentIntents(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.PaymentIntent> {
  const params = ParamReader.strict(form, LIST_PARAMS);
  return paginate(ctx.store, 'payment_intent', params, '/v1/payment_intents', 'payment_intent');
}

/**
 * Magic test ids (`pm_card_visa`) become a fresh `pm_…` object as in Stripe test mode;
 * an id the sandbox created earlier is reused.
 */
function resolvePaymentMethod(ctx: SandboxContext, id: string): Stripe.PaymentMethod {
  const card = findTestCard(id);
  if (card) {
    const paymentMethod = buildPaymentMethod(card, ctx.now());
    ctx.store.save('payment_method', paymentMethod);
    return paymentMethod;
  }
  const stored = ctx.store.get('payment_method', id);
  if (!stored) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return stored;
}

function confirmWith(
  ctx: SandboxContext,
  paymentIntent: Stripe.PaymentIntent,
  paymentMethodId: string | undefined,
  request: EventRequest,
): Stripe.PaymentIntent {
  if (paymentIntent.status === 'succeeded') {
    throw stateConflict(
      'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
      'payment_intent_unexpected_state',
      { payment_intent: paymentIntent },
    );
  }
  if (!CONFIRMABLE.includes(paymentIntent.status)) {
    throw stateConflict(
      `You cannot confirm this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      'payment_intent_unexpected_state',
      { payment_intent: paymentIntent },
    );
  }
  const chosen = paymentMethodId ?? (typeof paymentIntent.payment_method === 'string' ? paymentIntent.payment_method : undefined);
  if (chosen === undefined) {
    throw stateConflict(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      'payment_intent_unexpected_state',
      { payment_intent: paymentIntent },
    );
  }
  const paymentMethod = resolvePaymentMethod(ctx, chosen);
  const card = findTestCardByFingerprint(paymentMethod.card?.fingerprint);
  const outcome = card?.outcome ?? { kind: 'succeed' as const };
  const before = structuredClone(paymentIntent);
  const changedAttributes = () => pickChangedAttributes(before, paymentIntent, CONFIRM_CHANGES);

  if (outcome.kind === 'decline') {
    const failure = { code: outcome.code, declineCode: outcome.declineCode, message: outcome.message };
    const charge = buildCharge({ paymentIntent, paymentMethod, failure, balanceTransactionId: null }, ctx.now());
    ctx.store.save('charge', charge);
    const docUrl = `https://stripe.com/docs/error-codes/${outcome.code.replace(/_/g, '-')}`;
    paymentIntent.status = 'requires_payment_method';
    paymentIntent.latest_charge = charge.id;
    paymentIntent.payment_method = null;
    paymentIntent.last_payment_error = {
      charge: charge.id,
      code: outcome.code,
      decline_code: outcome.declineCode,
      doc_url: docUrl,
      message: outcome.message,
      payment_method: paymentMethod,
      type: 'card_error',
    };
    ctx.store.save('payment_intent', paymentIntent);
    ctx.recordEvent('charge.failed', charge, request);
    ctx.recordEvent('payment_intent.payment_failed', paymentIntent, request, changedAttributes());
    throw cardDeclined({
      code: outcome.code,
      decline_code: outcome.declineCode,
      doc_url: docUrl,
      message: outcome.message,
      charge: charge.id,
      payment_intent: paymentIntent,
      payment_method: paymentMethod,
    });
  }

  const balanceTransactionId = generateId('txn');
  const charge = buildCharge({ paymentIntent, paymentMethod, failure: null, balanceTransactionId }, ctx.now());
  ctx.store.save('charge', charge);
  ctx.store.save('balance_transaction', buildChargeBalanceTransaction(charge, balanceTransactionId, ctx.fees));
  paymentIntent.status = 'succeeded';
  paymentIntent.amount_received = paymentIntent.amount;
  paymentIntent.latest_charge = charge.id;
  paymentIntent.payment_method = paymentMethod.id;
  paymentIntent.last_payment_error = null;
  ctx.store.save('payment_intent', paymentIntent);
  ctx.recordEvent('charge.succeeded', charge, request);
  ctx.recordEvent('payment_intent.succeeded', paymentIntent, request, changedAttributes());
  if (outcome.kind === 'dispute') {
    // Like test card 4000 0000 0000 0259: the payment succeeds, the dispute arrives a bit later.
    ctx.runLater(ctx.disputeDelayMs, () => openDispute(ctx, charge.id, outcome.reason));
  }
  return paymentIntent;
}
