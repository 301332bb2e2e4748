import { API_ROUTES } from './api-routes.ts';
import type { SandboxContext } from './context.ts';
import { escapeHtml } from './html.ts';
import { buildHtmlPage, type PageResponse } from './pay-page.ts';
import { listTestCardIds } from './test-cards.ts';

/** GET /sandbox: says plainly, to people and to scripts, that this is not Stripe. */

const MESSAGE =
  'This is the offline Stripe sandbox that ships with Amtsbote. It imitates part of the Stripe API for development and tests; no real payment is ever made.';
const KEPT_IN_MEMORY = ' Its state lives in memory only (a restart loses it).';
const KEPT_ON_DISK = ' Its objects are kept on disk and survive a restart; webhook endpoints and pending deliveries do not.';

export function describeSandbox(ctx: SandboxContext, apiVersion: string): Record<string, unknown> {
  return {
    object: 'stripe_sandbox',
    sandbox: true,
    livemode: false,
    message: MESSAGE + (ctx.store.persistent ? KEPT_ON_DISK : KEPT_IN_MEMORY),
    api_version: apiVersion,
    endpoints: API_ROUTES.map((route) => `${route.method} /v1${route.path}`),
    test_payment_methods: listTestCardIds(),
    webhook_endpoints: ctx.store
      .list('webhook_endpoint')
      .map(({ id, url, status, enabled_events }) => ({ id, url, status, enabled_events })),
    counts: {
      payment_intents: ctx.store.count('payment_intent'),
      charges: ctx.store.count('charge'),
      refunds: ctx.store.count('refund'),
      payouts: ctx.store.count('payout'),
      events: ctx.store.count('event'),
    },
  };
}

export function renderSandboxInfo(ctx: SandboxContext, apiVersion: string, wantsJson: boolean): PageResponse {
  const info = describeSandbox(ctx, apiVersion);
  if (wantsJson) {
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(info, null, 2) };
  }
  const endpoints = (info.endpoints as string[]).map((line) => `<li><code>${escapeHtml(line)}</code></li>`).join('');
  return buildHtmlPage(
    200,
    'Stripe sandbox — no real money',
    `<h1>Offline Stripe sandbox</h1><p>${escapeHtml(MESSAGE)}</p>
<p>Stripe API version ${escapeHtml(apiVersion)}. Implemented endpoints:</p><ul>${endpoints}</ul>`,
  );
}
