import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import type { FormObject } from './form.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { buildBalanceTransaction, buildDispute } from './objects.ts';
import { ParamReader } from './params.ts';
import { NO_REQUEST } from './events.ts';

/**
 * Disputes arrive on their own (card 4000 0000 0000 0259 / `pm_card_createDispute`): the charge
 * is marked disputed, the amount plus the dispute fee is withdrawn from the balance and
 * `charge.dispute.created` / `charge.dispute.funds_withdrawn` are emitted without an API request.
 */
export function openDispute(ctx: SandboxContext, chargeId: string, reason: string): Stripe.Dispute | undefined {
  const charge = ctx.store.get('charge', chargeId);
  if (!charge || charge.disputed) return undefined;
  const dispute = buildDispute(charge, reason, ctx.now(), ctx.fees);
  ctx.store.save('dispute', dispute);
  for (const transaction of dispute.balance_transactions) ctx.store.save('balance_transaction', transaction);
  charge.disputed = true;
  ctx.store.save('charge', charge);
  ctx.recordEvent('charge.dispute.created', dispute, NO_REQUEST);
  ctx.recordEvent('charge.dispute.funds_withdrawn', dispute, NO_REQUEST);
  return dispute;
}

/**
 * Ends a dispute the way the card network would (a test helper, not a Stripe route): `won` gives
 * the money back to the balance (the dispute fee stays, as with Stripe) and emits
 * `charge.dispute.funds_reinstated`; both outcomes emit `charge.dispute.closed`.
 */
export function closeDispute(ctx: SandboxContext, disputeId: string, outcome: 'won' | 'lost'): Stripe.Dispute {
  const dispute = requireObject(ctx, 'dispute', disputeId);
  if (dispute.status === 'won' || dispute.status === 'lost') throw new Error(`Dispute ${disputeId} is already ${dispute.status}`);
  const closed: Stripe.Dispute = { ...dispute, status: outcome, evidence_details: { ...dispute.evidence_details, has_evidence: true } };
  if (outcome === 'won') {
    const reinstated = buildBalanceTransaction(
      {
        amount: dispute.amount,
        fee: 0,
        feeDescription: '',
        currency: dispute.currency,
        description: `Chargeback reversal for ${typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id}`,
        source: dispute.id,
        type: 'adjustment',
        reportingCategory: 'dispute_reversal',
        availableAfterSeconds: 0,
      },
      ctx.now(),
    );
    ctx.store.save('balance_transaction', reinstated);
    closed.balance_transactions = [...dispute.balance_transactions, reinstated];
    ctx.store.save('dispute', closed);
    ctx.recordEvent('charge.dispute.funds_reinstated', closed, NO_REQUEST);
  } else {
    ctx.store.save('dispute', closed);
  }
  ctx.recordEvent('charge.dispute.closed', closed, NO_REQUEST);
  return closed;
}

export function retrieveDispute(ctx: SandboxContext, id: string): Stripe.Dispute {
  return requireObject(ctx, 'dispute', id);
}

export function listDisputes(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Dispute> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const charge = params.optionalString('charge');
  const paymentIntent = params.optionalString('payment_intent');
  return paginate(
    ctx.store,
    'dispute',
    params,
    '/v1/disputes',
    'dispute',
    (dispute) =>
      (charge === undefined || dispute.charge === charge) && (paymentIntent === undefined || dispute.payment_intent === paymentIntent),
  );
}
