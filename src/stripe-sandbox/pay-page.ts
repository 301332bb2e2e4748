import { timingSafeEqual } from 'node:crypto';
import type Stripe from 'stripe';
import type { SandboxContext } from './context.ts';
import { SandboxError } from './errors.ts';
import type { EventRequest } from './events.ts';
import { escapeHtml } from './html.ts';
import { confirmPaymentIntent } from './payment-intents.ts';

/**
 * A checkout page standing in for Stripe's hosted payment UI, so a person clicking through the
 * platform offline can pay or fail a payment. It authorises with the PaymentIntent's client
 * secret, exactly what a browser holds in the real flow, and confirms through the same code the
 * API uses, so webhooks and objects are identical to an API confirm.
 */

export interface PageResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type PayOutcome = 'succeed' | 'decline';

const TEST_PAYMENT_METHODS: Record<PayOutcome, string> = {
  succeed: 'pm_card_visa',
  decline: 'pm_card_chargeDeclined',
};

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Robots-Tag': 'noindex',
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
.banner{background:#fff3cd;border:2px solid #d39e00;padding:.75rem 1rem;border-radius:.5rem;font-weight:600}
.amount{font-size:2rem;margin:1rem 0}.muted{color:#555;font-size:.9rem}
button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.4rem;border:1px solid #333;cursor:pointer}
button.pay{background:#0a7a2f;color:#fff;border-color:#0a7a2f}.error{color:#a00}.ok{color:#0a7a2f}`;

function renderLayout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><p class="banner">Stripe sandbox — no real money. This is Amtsbote's offline stand-in for Stripe; nothing is charged.</p>
${content}</body></html>`;
}

export function buildHtmlPage(statusCode: number, title: string, content: string): PageResponse {
  return { statusCode, headers: HTML_HEADERS, body: renderLayout(title, content) };
}

function renderNotFound(): PageResponse {
  return buildHtmlPage(
    404,
    'Stripe sandbox — payment not found',
    '<h1>Payment not found</h1><p>Unknown payment or wrong client secret.</p>',
  );
}

function compareSecrets(expected: string | null, given: string | undefined): boolean {
  if (expected === null || given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Only absolute http(s) URLs, so a crafted link cannot turn the redirect into script execution. */
export function parseReturnUrl(value: string | undefined): URL | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('de-DE', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

function findPaymentIntent(ctx: SandboxContext, id: string, clientSecret: string | undefined): Stripe.PaymentIntent | undefined {
  const paymentIntent = ctx.store.get('payment_intent', id);
  if (!paymentIntent || !compareSecrets(paymentIntent.client_secret, clientSecret)) return undefined;
  return paymentIntent;
}

function renderStatusSection(paymentIntent: Stripe.PaymentIntent, returnUrl: URL | undefined): string {
  const back = returnUrl ? `<p><a href="${escapeHtml(returnUrl.toString())}">Back to the shop</a></p>` : '';
  switch (paymentIntent.status) {
    case 'succeeded':
      return `<p class="ok"><strong>Payment succeeded.</strong></p>${back}`;
    case 'canceled':
      return `<p class="error"><strong>This payment was canceled.</strong></p>${back}`;
    case 'requires_payment_method':
    case 'requires_confirmation':
    case 'requires_action': {
      const lastError = paymentIntent.last_payment_error?.message;
      const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
      const common =
        hidden('client_secret', paymentIntent.client_secret ?? '') + (returnUrl ? hidden('return_url', returnUrl.toString()) : '');
      const form = (outcome: PayOutcome, label: string, css: string) =>
        `<form method="post" action="/sandbox/pay/${encodeURIComponent(paymentIntent.id)}/confirm" style="display:inline">${common}${hidden('outcome', outcome)}<button class="${css}" type="submit">${label}</button></form>`;
      return `${lastError ? `<p class="error">Last attempt failed: ${escapeHtml(lastError)}</p>` : ''}
${form('succeed', 'Pay with test card', 'pay')}${form('decline', 'Decline', 'decline')}
<p class="muted">"Pay with test card" uses Stripe's test card 4242 4242 4242 4242; "Decline" uses 4000 0000 0000 0002.</p>`;
    }
    default:
      return `<p>Status: ${escapeHtml(paymentIntent.status)}</p>${back}`;
  }
}

export function renderPayPage(ctx: SandboxContext, id: string, query: URLSearchParams): PageResponse {
  const paymentIntent = findPaymentIntent(ctx, id, query.get('client_secret') ?? undefined);
  if (!paymentIntent) return renderNotFound();
  const returnUrl = parseReturnUrl(query.get('return_url') ?? undefined);
  const description = paymentIntent.description ? `<p>${escapeHtml(paymentIntent.description)}</p>` : '';
  return buildHtmlPage(
    200,
    'Stripe sandbox — no real money',
    `<h1>Stripe sandbox — no real money</h1>${description}
<p class="amount">${escapeHtml(formatMoney(paymentIntent.amount, paymentIntent.currency))}</p>
<p class="muted">PaymentIntent ${escapeHtml(paymentIntent.id)} · status ${escapeHtml(paymentIntent.status)}</p>
${renderStatusSection(paymentIntent, returnUrl)}`,
  );
}

function buildRedirect(location: string): PageResponse {
  return { statusCode: 303, headers: { Location: location, 'Cache-Control': 'no-store' }, body: '' };
}

/**
 * Confirms from the page's buttons. Answers with a redirect (to `return_url` with Stripe's
 * `payment_intent`, `payment_intent_client_secret` and `redirect_status` query parameters, or
 * back to the page) or, for `Accept: application/json`, with the PaymentIntent as JSON.
 */
export function submitPayPage(
  ctx: SandboxContext,
  id: string,
  form: { client_secret?: string; outcome?: string; return_url?: string },
  wantsJson: boolean,
  request: EventRequest,
): PageResponse {
  const paymentIntent = findPaymentIntent(ctx, id, form.client_secret);
  if (!paymentIntent) return renderNotFound();
  const outcome: PayOutcome = form.outcome === 'decline' ? 'decline' : 'succeed';
  let result: Stripe.PaymentIntent = paymentIntent;
  let failure: string | null = null;
  try {
    result = confirmPaymentIntent(ctx, id, { payment_method: TEST_PAYMENT_METHODS[outcome] }, request);
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    failure = error.body.message;
    result = ctx.store.get('payment_intent', id) ?? paymentIntent;
  }
  if (wantsJson) {
    return {
      statusCode: failure === null ? 200 : 402,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ payment_intent: result, error: failure }, null, 2),
    };
  }
  const returnUrl = parseReturnUrl(form.return_url);
  if (returnUrl) {
    returnUrl.searchParams.set('payment_intent', result.id);
    returnUrl.searchParams.set('payment_intent_client_secret', result.client_secret ?? '');
    returnUrl.searchParams.set('redirect_status', result.status === 'succeeded' ? 'succeeded' : 'failed');
    return buildRedirect(returnUrl.toString());
  }
  const back = new URLSearchParams({ client_secret: result.client_secret ?? '' });
  return buildRedirect(`/sandbox/pay/${encodeURIComponent(id)}?${back.toString()}`);
}
