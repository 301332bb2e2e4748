import {
  createCheckoutSession,
  expireCheckoutSession,
  listCheckoutLineItems,
  listCheckoutSessions,
  retrieveCheckoutSession,
} from './checkout-sessions.ts';
import type { SandboxContext } from './context.ts';
import type { ResponseShape } from './expand.ts';
import { listDisputes, retrieveDispute } from './disputes.ts';
import type { EventRequest } from './events.ts';
import type { FormObject } from './form.ts';
import {
  cancelPaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
  listPaymentIntents,
  retrievePaymentIntent,
  updatePaymentIntent,
} from './payment-intents.ts';
import { listPayouts, retrievePayout } from './payouts.ts';
import { createRefund, listRefunds, retrieveRefund, updateRefund } from './refunds.ts';
import {
  listBalanceTransactions,
  listCharges,
  listEvents,
  retrieveBalance,
  retrieveBalanceTransaction,
  retrieveCharge,
  retrieveEvent,
  retrievePaymentMethod,
} from './resources.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  retrieveWebhookEndpoint,
  updateWebhookEndpoint,
} from './webhook-endpoints.ts';

/** The part of Stripe's REST API the sandbox implements, as a table of routes. */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ApiCall {
  ctx: SandboxContext;
  /** Decoded form body (POST) or query string (GET/DELETE), `expand` removed. */
  params: FormObject;
  /** The `:id` path segment, when the route has one. */
  id: string;
  request: EventRequest;
  /** Where this sandbox is reached (scheme, host and port of the request), for URLs it hands out. */
  baseUrl: string;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Path below /v1 with at most one `:id` placeholder. */
  path: string;
  /** What the route returns, for validating `expand` before anything executes. */
  returns: ResponseShape;
  handle: (call: ApiCall) => object;
}

const one = (type: string): ResponseShape => ({ type, list: false });
const many = (type: string): ResponseShape => ({ type, list: true });

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/payment_intents',
    returns: one('payment_intent'),
    handle: (c) => createPaymentIntent(c.ctx, c.params, c.request),
  },
  { method: 'GET', path: '/payment_intents', returns: many('payment_intent'), handle: (c) => listPaymentIntents(c.ctx, c.params) },
  { method: 'GET', path: '/payment_intents/:id', returns: one('payment_intent'), handle: (c) => retrievePaymentIntent(c.ctx, c.id) },
  {
    method: 'POST',
    path: '/payment_intents/:id',
    returns: one('payment_intent'),
    handle: (c) => updatePaymentIntent(c.ctx, c.id, c.params),
  },
  {
    method: 'POST',
    path: '/payment_intents/:id/confirm',
    returns: one('payment_intent'),
    handle: (c) => confirmPaymentIntent(c.ctx, c.id, c.params, c.request),
  },
  {
    method: 'POST',
    path: '/payment_intents/:id/cancel',
    returns: one('payment_intent'),
    handle: (c) => cancelPaymentIntent(c.ctx, c.id, c.params, c.request),
  },
  {
    method: 'POST',
    path: '/checkout/sessions',
    returns: one('checkout.session'),
    handle: (c) => createCheckoutSession(c.ctx, c.params, { ...c.request, baseUrl: c.baseUrl }),
  },
  { method: 'GET', path: '/checkout/sessions', returns: many('checkout.session'), handle: (c) => listCheckoutSessions(c.ctx, c.params) },
  { method: 'GET', path: '/checkout/sessions/:id', returns: one('checkout.session'), handle: (c) => retrieveCheckoutSession(c.ctx, c.id) },
  {
    method: 'POST',
    path: '/checkout/sessions/:id/expire',
    returns: one('checkout.session'),
    handle: (c) => expireCheckoutSession(c.ctx, c.id, c.params, c.request),
  },
  {
    method: 'GET',
    path: '/checkout/sessions/:id/line_items',
    returns: many('item'),
    handle: (c) => listCheckoutLineItems(c.ctx, c.id, c.params),
  },
  { method: 'POST', path: '/refunds', returns: one('refund'), handle: (c) => createRefund(c.ctx, c.params, c.request) },
  { method: 'GET', path: '/refunds', returns: many('refund'), handle: (c) => listRefunds(c.ctx, c.params) },
  { method: 'GET', path: '/refunds/:id', returns: one('refund'), handle: (c) => retrieveRefund(c.ctx, c.id) },
  { method: 'POST', path: '/refunds/:id', returns: one('refund'), handle: (c) => updateRefund(c.ctx, c.id, c.params) },
  { method: 'GET', path: '/charges', returns: many('charge'), handle: (c) => listCharges(c.ctx, c.params) },
  { method: 'GET', path: '/charges/:id', returns: one('charge'), handle: (c) => retrieveCharge(c.ctx, c.id) },
  { method: 'GET', path: '/balance', returns: one('balance'), handle: (c) => retrieveBalance(c.ctx, c.params) },
  {
    method: 'GET',
    path: '/balance_transactions',
    returns: many('balance_transaction'),
    handle: (c) => listBalanceTransactions(c.ctx, c.params),
  },
  {
    method: 'GET',
    path: '/balance_transactions/:id',
    returns: one('balance_transaction'),
    handle: (c) => retrieveBalanceTransaction(c.ctx, c.id),
  },
  { method: 'GET', path: '/disputes', returns: many('dispute'), handle: (c) => listDisputes(c.ctx, c.params) },
  { method: 'GET', path: '/disputes/:id', returns: one('dispute'), handle: (c) => retrieveDispute(c.ctx, c.id) },
  { method: 'GET', path: '/payouts', returns: many('payout'), handle: (c) => listPayouts(c.ctx, c.params) },
  { method: 'GET', path: '/payouts/:id', returns: one('payout'), handle: (c) => retrievePayout(c.ctx, c.id) },
  { method: 'GET', path: '/events', returns: many('event'), handle: (c) => listEvents(c.ctx, c.params) },
  { method: 'GET', path: '/events/:id', returns: one('event'), handle: (c) => retrieveEvent(c.ctx, c.id) },
  { method: 'GET', path: '/payment_methods/:id', returns: one('payment_method'), handle: (c) => retrievePaymentMethod(c.ctx, c.id) },
  { method: 'POST', path: '/webhook_endpoints', returns: one('webhook_endpoint'), handle: (c) => createWebhookEndpoint(c.ctx, c.params) },
  { method: 'GET', path: '/webhook_endpoints', returns: many('webhook_endpoint'), handle: (c) => listWebhookEndpoints(c.ctx, c.params) },
  { method: 'GET', path: '/webhook_endpoints/:id', returns: one('webhook_endpoint'), handle: (c) => retrieveWebhookEndpoint(c.ctx, c.id) },
  {
    method: 'POST',
    path: '/webhook_endpoints/:id',
    returns: one('webhook_endpoint'),
    handle: (c) => updateWebhookEndpoint(c.ctx, c.id, c.params),
  },
  { method: 'DELETE', path: '/webhook_endpoints/:id', returns: one('webhook_endpoint'), handle: (c) => deleteWebhookEndpoint(c.ctx, c.id) },
];

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Finds the route for `/v1`-relative `path`; ids are single path segments as on Stripe. */
export function matchRoute(method: string, path: string): { route: ApiRoute; id: string } | undefined {
  const segments = path.split('/');
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    let id = '';
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part === ':id') {
        id = decodePathSegment(segment);
        return id !== '';
      }
      return part === segment;
    });
    if (matches) return { route, id };
  }
  return undefined;
}
