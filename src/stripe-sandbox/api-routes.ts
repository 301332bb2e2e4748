import type { SandboxContext } from './context.ts';
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
}

export interface ApiRoute {
  method: HttpMethod;
  /** Path below /v1 with at most one `:id` placeholder. */
  path: string;
  handle: (call: ApiCall) => object;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/payment_intents', handle: (c) => createPaymentIntent(c.ctx, c.params, c.request) },
  { method: 'GET', path: '/payment_intents', handle: (c) => listPaymentIntents(c.ctx, c.params) },
  { method: 'GET', path: '/payment_intents/:id', handle: (c) => retrievePaymentIntent(c.ctx, c.id) },
  { method: 'POST', path: '/payment_intents/:id', handle: (c) => updatePaymentIntent(c.ctx, c.id, c.params) },
  { method: 'POST', path: '/payment_intents/:id/confirm', handle: (c) => confirmPaymentIntent(c.ctx, c.id, c.params, c.request) },
  { method: 'POST', path: '/payment_intents/:id/cancel', handle: (c) => cancelPaymentIntent(c.ctx, c.id, c.params, c.request) },
  { method: 'POST', path: '/refunds', handle: (c) => createRefund(c.ctx, c.params, c.request) },
  { method: 'GET', path: '/refunds', handle: (c) => listRefunds(c.ctx, c.params) },
  { method: 'GET', path: '/refunds/:id', handle: (c) => retrieveRefund(c.ctx, c.id) },
  { method: 'POST', path: '/refunds/:id', handle: (c) => updateRefund(c.ctx, c.id, c.params) },
  { method: 'GET', path: '/charges', handle: (c) => listCharges(c.ctx, c.params) },
  { method: 'GET', path: '/charges/:id', handle: (c) => retrieveCharge(c.ctx, c.id) },
  { method: 'GET', path: '/balance', handle: (c) => retrieveBalance(c.ctx, c.params) },
  { method: 'GET', path: '/balance_transactions', handle: (c) => listBalanceTransactions(c.ctx, c.params) },
  { method: 'GET', path: '/balance_transactions/:id', handle: (c) => retrieveBalanceTransaction(c.ctx, c.id) },
  { method: 'GET', path: '/disputes', handle: (c) => listDisputes(c.ctx, c.params) },
  { method: 'GET', path: '/disputes/:id', handle: (c) => retrieveDispute(c.ctx, c.id) },
  { method: 'GET', path: '/events', handle: (c) => listEvents(c.ctx, c.params) },
  { method: 'GET', path: '/events/:id', handle: (c) => retrieveEvent(c.ctx, c.id) },
  { method: 'GET', path: '/payment_methods/:id', handle: (c) => retrievePaymentMethod(c.ctx, c.id) },
  { method: 'POST', path: '/webhook_endpoints', handle: (c) => createWebhookEndpoint(c.ctx, c.params) },
  { method: 'GET', path: '/webhook_endpoints', handle: (c) => listWebhookEndpoints(c.ctx, c.params) },
  { method: 'GET', path: '/webhook_endpoints/:id', handle: (c) => retrieveWebhookEndpoint(c.ctx, c.id) },
  { method: 'POST', path: '/webhook_endpoints/:id', handle: (c) => updateWebhookEndpoint(c.ctx, c.id, c.params) },
  { method: 'DELETE', path: '/webhook_endpoints/:id', handle: (c) => deleteWebhookEndpoint(c.ctx, c.id) },
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
