import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import { parameterInvalid, stateConflict } from './errors.ts';
import type { EventRequest } from './events.ts';
import type { FormObject } from './form.ts';
import { generateId } from './ids.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { formatAmount } from './money.ts';
import { buildRefund, buildRefundBalanceTransaction } from './objects.ts';
import { mergeMetadata, ParamReader } from './params.ts';

/** Refunds: always succeed immediately for cards in the sandbox, like Stripe test mode. */

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

function findRefundableCharge(ctx: SandboxContext, params: ParamReader): Stripe.Charge {
  const chargeId = params.optionalString('charge');
  const paymentIntentId = params.optionalString('payment_intent');
  if (chargeId === undefined && paymentIntentId === undefined) {
    throw parameterInvalid(
      'charge',
      'One of the following params should be provided for this request: charge or payment_intent.',
      'parameter_missing',
    );
  }
  let charge: Stripe.Charge | undefined;
  if (paymentIntentId !== undefined) {
    const paymentIntent = requireObject(ctx, 'payment_intent', paymentIntentId, 'payment_intent');
    const latest = typeof paymentIntent.latest_charge === 'string' ? paymentIntent.latest_charge : null;
    if (paymentIntent.status !== 'succeeded' || latest === null) {
      throw parameterInvalid(
        'payment_intent',
        `This PaymentIntent (${paymentIntent.id}) does not have a successful charge to refund.`,
        'charge_not_refundable',
      );
    }
    charge = requireObject(ctx, 'charge', latest, 'payment_intent');
  }
  if (chargeId !== undefined) {
    if (charge && charge.id !== chargeId) {
      throw parameterInvalid('charge', `Charge ${chargeId} does not belong to PaymentIntent ${paymentIntentId}.`);
    }
    charge = requireObject(ctx, 'charge', chargeId, 'charge');
  }
  if (!charge || charge.status !== 'succeeded') {
    throw parameterInvalid('charge', `Charge ${charge?.id ?? chargeId} has not succeeded and cannot be refunded.`, 'charge_not_refundable');
  }
  return charge;
}

export function createRefund(ctx: SandboxContext, form: FormObject, request: EventRequest): Stripe.Refund {
  const params = ParamReader.strict(form, ['charge', 'payment_intent', 'amount', 'reason', 'metadata']);
  const charge = findRefundableCharge(ctx, params);
  const requested = params.optionalInteger('amount', { min: 1 });
  const reason = params.optionalEnum('reason', REFUND_REASONS) ?? null;
  const metadata = mergeMetadata({}, params.optionalMetadata());
  if (charge.disputed) {
    throw stateConflict(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed', { charge: charge.id });
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) {
    throw stateConflict(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', { charge: charge.id });
  }
  if (requested !== undefined && requested > remaining) {
    throw parameterInvalid(
      'amount',
      `Refund amount (${formatAmount(requested, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      'amount_too_large',
    );
  }
  const balanceTransactionId = generateId('txn');
  const refund = buildRefund({ amount: requested ?? remaining, charge, reason, metadata, balanceTransactionId }, ctx.now());
  ctx.store.save('refund', refund);
  ctx.store.save('balance_transaction', buildRefundBalanceTransaction(refund, balanceTransactionId));
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += refund.amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  ctx.store.save('charge', charge);
  ctx.recordEvent('refund.created', refund, request);
  ctx.recordEvent('charge.refunded', charge, request, previous);
  return refund;
}

export function retrieveRefund(ctx: SandboxContext, id: string): Stripe.Refund {
  return requireObject(ctx, 'refund', id);
}

export function updateRefund(ctx: SandboxContext, id: string, form: FormObject): Stripe.Refund {
  const refund = requireObject(ctx, 'refund', id);
  const params = ParamReader.strict(form, ['metadata']);
  refund.metadata = mergeMetadata(refund.metadata ?? {}, params.optionalMetadata());
  ctx.store.save('refund', refund);
  return refund;
}

export function listRefunds(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Refund> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'payment_intent', 'charge']);
  const paymentIntent = params.optionalString('payment_intent');
  const charge = params.optionalString('charge');
  return paginate(
    ctx.store,
    'refund',
    params,
    '/v1/refunds',
    'refund',
    (refund) =>
      (paymentIntent === undefined || refund.payment_intent === paymentIntent) && (charge === undefined || refund.charge === charge),
  );
}
