import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import type { FormObject } from './form.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { buildDispute } from './objects.ts';
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
  const dispute = buildDispute(charge, reason, ctx.now());
  ctx.store.save('dispute', dispute);
  for (const transaction of dispute.balance_transactions) ctx.store.save('balance_transaction', transaction);
  charge.disputed = true;
  ctx.store.save('charge', charge);
  ctx.recordEvent('charge.dispute.created', dispute, NO_REQUEST);
  ctx.recordEvent('charge.dispute.funds_withdrawn', dispute, NO_REQUEST);
  return dispute;
}

export function retrieveDispute(ctx: SandboxContext, id: string): Stripe.Dispute {
  return requireObject(ctx, 'dispute', id);
}

export function listDisputes(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Dispute> {
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const charge = params.optionalString('charge');
  const paymentIntent = params.optionalString('payment_intent');
  const disputes = ctx.store
    .list('dispute')
    .filter(
      (dispute) =>
        (charge === undefined || dispute.charge === charge) && (paymentIntent === undefined || dispute.payment_intent === paymentIntent),
    );
  return paginate(disputes, params, '/v1/disputes', 'dispute');
}
