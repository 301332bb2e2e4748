import type Stripe from 'stripe';
import { CheckoutNotPayableError, expireDueCheckoutSessions, payCheckoutSession } from './checkout-sessions.ts';
import type { SandboxContext } from './context.ts';
import { SandboxError } from './errors.ts';
import type { EventRequest } from './events.ts';
import { escapeHtml } from './html.ts';
import type { PageResponse } from './pay-page.ts';
import { findTestCard } from './test-cards.ts';

/**
 * The stand-in for Stripe's hosted Checkout page, at the session's `url`. Server-rendered with no
 * external resources and no script; German unless the session's locale asks for English. The
 * form's POST pays the session with the chosen test card (checkout-sessions.ts) and redirects
 * (303) to `success_url`; a declined card is shown on the page, tied to the card choice.
 */

/** The test cards offered, in the order shown; all are Stripe's documented test PaymentMethods. */
const OFFERED_CARDS = [
  'pm_card_visa',
  'pm_card_mastercard',
  'pm_card_de',
  'pm_card_chargeDeclined',
  'pm_card_chargeDeclinedInsufficientFunds',
  'pm_card_chargeDeclinedExpiredCard',
  'pm_card_createDispute',
] as const;

const TEXT = {
  de: {
    banner: 'Stripe-Sandbox – kein echtes Geld. Dies ist Amtsbotes Offline-Ersatz für Stripe Checkout; nichts wird abgebucht.',
    title: 'Bezahlen',
    amount: 'Betrag',
    card: 'Testkarte',
    pay: 'Bezahlen',
    cancel: 'Abbrechen und zurück',
    declined: 'Die Zahlung wurde abgelehnt',
    complete: 'Diese Zahlung ist abgeschlossen.',
    back: 'Weiter',
    expired: 'Diese Zahlungsseite ist abgelaufen. Es wurde nichts abgebucht.',
    notFound: 'Zahlungsseite nicht gefunden',
    outcomes: { succeed: 'wird angenommen', decline: 'wird abgelehnt', dispute: 'wird angenommen, dann angefochten' },
  },
  en: {
    banner: "Stripe sandbox — no real money. This is Amtsbote's offline stand-in for Stripe Checkout; nothing is charged.",
    title: 'Pay',
    amount: 'Amount',
    card: 'Test card',
    pay: 'Pay',
    cancel: 'Cancel and go back',
    declined: 'The payment was declined',
    complete: 'This payment is complete.',
    back: 'Continue',
    expired: 'This payment page has expired. Nothing was charged.',
    notFound: 'Payment page not found',
    outcomes: { succeed: 'succeeds', decline: 'is declined', dispute: 'succeeds, then is disputed' },
  },
} as const;
type Texts = (typeof TEXT)[keyof typeof TEXT];

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
.banner{background:#fff3cd;border:2px solid #8a6500;padding:.75rem 1rem;border-radius:.5rem;font-weight:600}
.amount{font-size:2rem;margin:.25rem 0 1rem}fieldset{border:1px solid #555;border-radius:.4rem;margin:1rem 0}
label{display:block;padding:.2rem 0}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:2px solid #0a5c23;background:#0a7a2f;color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #1a4fd6;outline-offset:2px}.error{color:#a00000;border:2px solid #a00000;padding:.5rem 1rem;border-radius:.4rem}
.kz{font-weight:600}a{color:#1a4fd6}`;

const languageOf = (session: Stripe.Checkout.Session | undefined): keyof typeof TEXT => (session?.locale?.startsWith('en') ? 'en' : 'de');

function layout(lang: keyof typeof TEXT, statusCode: number, title: string, content: string): PageResponse {
  const body = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><p class="banner" role="note">${escapeHtml(TEXT[lang].banner)}</p></header>
<main>${content}</main></body></html>`;
  return { statusCode, headers: HTML_HEADERS, body };
}

function formatMoney(amount: number, currency: string, lang: keyof typeof TEXT): string {
  try {
    return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(
      amount / 100,
    );
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

function summary(ctx: SandboxContext, session: Stripe.Checkout.Session, t: Texts, lang: keyof typeof TEXT): string {
  const items = ctx.store.get('checkout_session_extras', session.id)?.line_items ?? [];
  const lines = items
    .map((item) => {
      const product = item.description ? `<strong>${escapeHtml(item.description)}</strong>` : '';
      return `<li>${product}${item.quantity && item.quantity > 1 ? ` × ${item.quantity}` : ''}</li>`;
    })
    .join('');
  const submitMessage = session.custom_text.submit?.message;
  return `<h1>${escapeHtml(t.title)}</h1>
<ul>${lines}</ul>
<p>${escapeHtml(t.amount)}:</p><p class="amount">${escapeHtml(formatMoney(session.amount_total ?? 0, session.currency ?? 'eur', lang))}</p>
${submitMessage ? `<p class="kz">${escapeHtml(submitMessage)}</p>` : ''}`;
}

function cardLabel(id: string, t: Texts): string {
  const card = findTestCard(id);
  if (!card) return id;
  return `${card.brand.toUpperCase()} •••• ${card.last4} (${card.country}) – ${t.outcomes[card.outcome.kind]}`;
}

function payForm(session: Stripe.Checkout.Session, t: Texts, error: string | null, chosen: string): string {
  const errorId = 'card-error';
  const options = OFFERED_CARDS.map(
    (id) =>
      `<label><input type="radio" name="card" value="${id}"${id === chosen ? ' checked' : ''}> ${escapeHtml(cardLabel(id, t))}</label>`,
  ).join('\n');
  const described = error ? ` aria-describedby="${errorId}"` : '';
  const cancel = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">${escapeHtml(t.cancel)}</a></p>` : '';
  return `${error ? `<p class="error" id="${errorId}" role="alert">${escapeHtml(t.declined)}: ${escapeHtml(error)}</p>` : ''}
<form method="post" action="/sandbox/checkout/${encodeURIComponent(session.id)}/pay">
<fieldset${described}><legend>${escapeHtml(t.card)}</legend>
${options}
</fieldset>
<button type="submit">${escapeHtml(t.pay)}</button>
</form>
${cancel}`;
}

function notFound(): PageResponse {
  return layout('de', 404, TEXT.de.notFound, `<h1>${TEXT.de.notFound}</h1>`);
}

function renderSession(ctx: SandboxContext, session: Stripe.Checkout.Session, error: string | null, chosen: string): PageResponse {
  const lang = languageOf(session);
  const t = TEXT[lang];
  const head = summary(ctx, session, t, lang);
  if (session.status === 'complete') {
    const next = session.success_url ? `<p><a href="${escapeHtml(successRedirect(session))}">${escapeHtml(t.back)}</a></p>` : '';
    return layout(lang, 200, t.title, `${head}<p>${escapeHtml(t.complete)}</p>${next}`);
  }
  if (session.status === 'expired') {
    const back = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">${escapeHtml(t.cancel)}</a></p>` : '';
    return layout(lang, 410, t.title, `${head}<p class="error" role="alert">${escapeHtml(t.expired)}</p>${back}`);
  }
  return layout(lang, error ? 402 : 200, t.title, `${head}${payForm(session, t, error, chosen)}`);
}

function successRedirect(session: Stripe.Checkout.Session): string {
  return (session.success_url ?? '').split('{CHECKOUT_SESSION_ID}').join(session.id);
}

export function renderCheckoutPage(ctx: SandboxContext, id: string): PageResponse {
  expireDueCheckoutSessions(ctx);
  const session = ctx.store.get('checkout_session', id);
  return session ? renderSession(ctx, session, null, OFFERED_CARDS[0]) : notFound();
}

/** The pay form's POST: pays with the chosen test card, then 303 to success_url (or the page again). */
export function submitCheckoutPage(ctx: SandboxContext, id: string, card: string | undefined, request: EventRequest): PageResponse {
  const chosen = (OFFERED_CARDS as readonly string[]).includes(card ?? '') ? (card as string) : OFFERED_CARDS[0];
  try {
    const { redirectUrl } = payCheckoutSession(ctx, id, chosen, request);
    return {
      statusCode: 303,
      headers: { Location: redirectUrl ?? `/sandbox/checkout/${encodeURIComponent(id)}`, 'Cache-Control': 'no-store' },
      body: '',
    };
  } catch (error) {
    if (error instanceof CheckoutNotPayableError) return renderSession(ctx, error.session, null, chosen);
    if (!(error instanceof SandboxError)) throw error;
    if (error.statusCode === 404) return notFound();
    const session = ctx.store.get('checkout_session', id);
    return session ? renderSession(ctx, session, error.body.message ?? 'card_declined', chosen) : notFound();
  }
}
