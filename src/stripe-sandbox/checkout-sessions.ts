import type Stripe from 'stripe';
import { buildCheckoutSession, buildLineItem, type LineItemInput } from './checkout-objects.ts';
import { requireObject, type SandboxContext } from './context.ts';
import { parameterInvalid, parameterMissing, resourceMissing, stateConflict } from './errors.ts';
import { NO_REQUEST, pickChangedAttributes, type EventRequest } from './events.ts';
import type { FormObject } from './form.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { formatAmount, minimumAmount } from './money.ts';
import { buildList } from './objects.ts';
import { mergeMetadata, ParamReader } from './params.ts';
import { cancelPaymentIntent, confirmPaymentIntent, createPaymentIntent } from './payment-intents.ts';
import type { SandboxStore } from './store.ts';

/**
 * Checkout Sessions in payment mode: create, retrieve, list, expire, list line items, and paying
 * one (the hosted page's form, checkout-page.ts). Paying creates and confirms a PaymentIntent
 * through the same code as the API, so the PaymentIntent's and charge's events are the ones a
 * direct confirm emits, followed by `checkout.session.completed`.
 */

const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;
const MAX_AMOUNT = 99_999_999;
const MAX_LINE_ITEMS = 100;
const LOCALES = [
  'auto', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hi-IN', 'hr', 'hu', 'id',
  'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh',
  'zh-HK', 'zh-TW',
] as const; // prettier-ignore
/** Stripe replaces this in success_url when it redirects (the stored success_url keeps it). */
export const SESSION_ID_PLACEHOLDER = '{CHECKOUT_SESSION_ID}';

const CREATE_PARAMS = [
  'mode',
  'line_items',
  'success_url',
  'cancel_url',
  'client_reference_id',
  'customer_email',
  'metadata',
  'payment_intent_data',
  'locale',
  'expires_at',
  'custom_text',
  'payment_method_types',
  'submit_type',
  'ui_mode',
] as const;

function readUrl(params: ParamReader, key: string): string | null {
  const value = params.optionalString(key, { maxLength: 5000 });
  if (value === undefined) return null;
  try {
    const url = new URL(value.replace(SESSION_ID_PLACEHOLDER, 'x'));
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through to Stripe's error
  }
  throw parameterInvalid(key, `Not a valid URL`, 'url_invalid');
}

function readLineItems(params: ParamReader): LineItemInput[] {
  const items = params.optionalObjectArray('line_items', ['price_data', 'quantity', 'price']);
  if (items === undefined || items.length === 0) {
    throw parameterMissing('line_items');
  }
  if (items.length > MAX_LINE_ITEMS) throw parameterInvalid('line_items', `You may only specify up to ${MAX_LINE_ITEMS} line items.`);
  return items.map((item) => {
    if (item.has('price')) {
      throw parameterInvalid(item.name('price'), 'The offline Stripe sandbox has no Prices: use price_data.');
    }
    const priceData = item.optionalObject('price_data', ['currency', 'unit_amount', 'product_data']);
    if (!priceData) throw parameterMissing(item.name('price_data'));
    const currency = priceData.requiredString('currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw parameterInvalid(priceData.name('currency'), `Invalid currency: ${currency}.`);
    const unitAmount = priceData.requiredInteger('unit_amount', { min: 0, max: MAX_AMOUNT });
    const product = priceData.optionalObject('product_data', ['name', 'description']);
    if (!product) throw parameterMissing(priceData.name('product_data'));
    return {
      currency,
      unitAmount,
      quantity: item.optionalInteger('quantity', { min: 1, max: 999_999 }) ?? 1,
      name: product.requiredString('name', { maxLength: 250 }),
      description: product.optionalString('description', { maxLength: 500 }) ?? null,
    };
  });
}

function readCustomText(params: ParamReader): Stripe.Checkout.Session.CustomText {
  const text = params.optionalObject('custom_text', ['submit', 'after_submit', 'shipping_address', 'terms_of_service_acceptance']);
  const message = (key: string) => {
    const part = text?.optionalObject(key, ['message']);
    const value = part?.requiredString('message', { maxLength: 1200 });
    return value === undefined ? null : { message: value };
  };
  return {
    after_submit: message('after_submit'),
    shipping_address: message('shipping_address'),
    submit: message('submit'),
    terms_of_service_acceptance: message('terms_of_service_acceptance'),
  };
}

export function createCheckoutSession(
  ctx: SandboxContext,
  form: FormObject,
  request: EventRequest & { baseUrl: string },
): Stripe.Checkout.Session {
  const params = ParamReader.strict(form, CREATE_PARAMS);
  const mode = params.optionalString('mode');
  if (mode === undefined) throw parameterMissing('mode');
  if (mode !== 'payment') {
    throw parameterInvalid('mode', `The offline Stripe sandbox supports only mode=payment, not ${mode}.`);
  }
  const uiMode = params.optionalEnum('ui_mode', ['hosted', 'embedded', 'custom'] as const) ?? 'hosted';
  if (uiMode !== 'hosted') throw parameterInvalid('ui_mode', 'The offline Stripe sandbox serves only hosted Checkout pages.');
  params.optionalEnum('submit_type', ['auto', 'book', 'donate', 'pay', 'subscribe'] as const);
  const types = params.optionalStringArray('payment_method_types');
  const unsupported = types?.find((type) => type !== 'card');
  if (unsupported !== undefined) {
    throw parameterInvalid(
      'payment_method_types',
      `The payment method type "${unsupported}" is not available in the offline Stripe sandbox, which only simulates cards.`,
      'payment_method_unactivated',
    );
  }
  const lineItems = readLineItems(params);
  const currency = lineItems[0]?.currency ?? 'eur';
  if (lineItems.some((item) => item.currency !== currency)) {
    throw parameterInvalid('line_items', 'All line items must use the same currency.');
  }
  const total = lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  if (total < minimumAmount(currency)) {
    throw parameterInvalid(
      'line_items',
      `The Checkout Session's total amount due must add up to at least ${formatAmount(minimumAmount(currency), currency)} ${currency}`,
      'amount_too_small',
    );
  }
  if (total > MAX_AMOUNT) throw parameterInvalid('line_items', 'The total amount is too large.', 'amount_too_large');
  const now = ctx.now();
  const expiresAt = params.optionalInteger('expires_at') ?? now + MAX_EXPIRY_SECONDS;
  if (expiresAt < now + MIN_EXPIRY_SECONDS) {
    throw parameterInvalid('expires_at', 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.');
  }
  if (expiresAt > now + MAX_EXPIRY_SECONDS) {
    throw parameterInvalid('expires_at', 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.');
  }
  const email = params.optionalString('customer_email', { maxLength: 800 });
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw parameterInvalid('customer_email', `Invalid email address: ${email}`, 'email_invalid');
  }
  const intentData = params.optionalObject('payment_intent_data', ['metadata', 'description']);
  const session = buildCheckoutSession(
    {
      lineItems,
      currency,
      successUrl: readUrl(params, 'success_url'),
      cancelUrl: readUrl(params, 'cancel_url'),
      clientReferenceId: params.optionalString('client_reference_id', { maxLength: 200 }) ?? null,
      customerEmail: email ?? null,
      metadata: mergeMetadata({}, params.optionalMetadata()),
      locale: params.optionalEnum('locale', LOCALES) ?? null,
      expiresAt,
      customText: readCustomText(params),
      baseUrl: request.baseUrl,
    },
    now,
  );
  ctx.store.save('checkout_session', session);
  ctx.store.save('checkout_session_extras', {
    id: session.id,
    line_items: lineItems.map((item) => buildLineItem(item, now)),
    payment_intent_data: {
      metadata: mergeMetadata({}, intentData?.optionalMetadata()),
      description: intentData?.optionalString('description', { maxLength: 1000 }) ?? null,
    },
  });
  openSessionsOf(ctx.store).set(session.id, session.expires_at);
  // Stripe emits no checkout.session.created event.
  return session;
}

export function retrieveCheckoutSession(ctx: SandboxContext, id: string): Stripe.Checkout.Session {
  expireDueCheckoutSessions(ctx);
  return requireObject(ctx, 'checkout_session', id);
}

export function listCheckoutSessions(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.Checkout.Session> {
  expireDueCheckoutSessions(ctx);
  const params = ParamReader.strict(form, [...LIST_PARAMS, 'payment_intent', 'status', 'client_reference_id']);
  const paymentIntent = params.optionalString('payment_intent');
  const status = params.optionalEnum('status', ['open', 'complete', 'expired'] as const);
  const reference = params.optionalString('client_reference_id');
  return paginate(ctx.store, 'checkout_session', params, '/v1/checkout/sessions', 'checkout.session', (session) => {
    const pi = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
    return (
      (paymentIntent === undefined || pi === paymentIntent) &&
      (status === undefined || session.status === status) &&
      (reference === undefined || session.client_reference_id === reference)
    );
  });
}

export function listCheckoutLineItems(ctx: SandboxContext, id: string, form: FormObject): Stripe.ApiList<Stripe.LineItem> {
  const params = ParamReader.strict(form, ['limit', 'starting_after', 'ending_before']);
  requireObject(ctx, 'checkout_session', id);
  const items = requireObject(ctx, 'checkout_session_extras', id).line_items;
  const limit = params.optionalInteger('limit', { min: 1, max: 100 }) ?? 10;
  const after = params.optionalString('starting_after');
  let start = 0;
  if (after !== undefined) {
    const at = items.findIndex((item) => item.id === after);
    if (at === -1) throw resourceMissing('line item', after, 'starting_after');
    start = at + 1;
  }
  const page = items.slice(start, start + limit);
  return buildList(page, start + limit < items.length, `/v1/checkout/sessions/${id}/line_items`);
}

export function expireCheckoutSession(ctx: SandboxContext, id: string, form: FormObject, request: EventRequest): Stripe.Checkout.Session {
  ParamReader.strict(form, []);
  expireDueCheckoutSessions(ctx);
  const session = requireObject(ctx, 'checkout_session', id);
  if (session.status !== 'open') {
    throw stateConflict(
      `This Checkout Session is ${session.status ?? 'not open'}. Only Checkout Sessions with a status in ["open"] can be expired.`,
      'checkout_session_not_open',
    );
  }
  return expireNow(ctx, session, request);
}

function expireNow(ctx: SandboxContext, session: Stripe.Checkout.Session, request: EventRequest): Stripe.Checkout.Session {
  const before = structuredClone(session);
  session.status = 'expired';
  ctx.store.save('checkout_session', session);
  openSessionsOf(ctx.store).delete(session.id);
  // An attempt that failed left a PaymentIntent behind; Stripe cancels it with the session.
  const piId = typeof session.payment_intent === 'string' ? session.payment_intent : null;
  const pi = piId ? ctx.store.get('payment_intent', piId) : undefined;
  if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') {
    cancelPaymentIntent(ctx, pi.id, { cancellation_reason: 'abandoned' }, request);
  }
  ctx.recordEvent('checkout.session.expired', session, request, pickChangedAttributes(before, session, ['status']));
  return session;
}

export class CheckoutNotPayableError extends Error {
  constructor(readonly session: Stripe.Checkout.Session) {
    super(`Checkout Session ${session.id} is ${session.status ?? 'unknown'}`);
  }
}

/**
 * The customer pays on the hosted page with a test PaymentMethod. Creates the session's
 * PaymentIntent on the first attempt (with payment_intent_data) and confirms it; a decline
 * throws the card error and leaves the session open for another attempt, as Stripe does.
 */
export function payCheckoutSession(
  ctx: SandboxContext,
  id: string,
  paymentMethod: string,
  request: EventRequest,
): { session: Stripe.Checkout.Session; redirectUrl: string | null } {
  expireDueCheckoutSessions(ctx);
  const session = requireObject(ctx, 'checkout_session', id);
  if (session.status !== 'open') throw new CheckoutNotPayableError(session);
  const extras = requireObject(ctx, 'checkout_session_extras', id);
  let piId = typeof session.payment_intent === 'string' ? session.payment_intent : null;
  if (piId === null) {
    const form: FormObject = {
      amount: String(session.amount_total ?? 0),
      currency: session.currency ?? 'eur',
      metadata: extras.payment_intent_data.metadata,
      payment_method_types: ['card'],
      ...(extras.payment_intent_data.description === null ? {} : { description: extras.payment_intent_data.description }),
    };
    piId = createPaymentIntent(ctx, form, request).id;
    session.payment_intent = piId;
    ctx.store.save('checkout_session', session);
  }
  // Throws the card error on a decline; the session stays open with its PaymentIntent.
  confirmPaymentIntent(ctx, piId, { payment_method: paymentMethod }, request);
  const before = structuredClone(session);
  session.status = 'complete';
  session.payment_status = 'paid';
  session.customer_details = {
    address: null,
    business_name: null,
    email: session.customer_email,
    individual_name: null,
    name: null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  ctx.store.save('checkout_session', session);
  openSessionsOf(ctx.store).delete(session.id);
  ctx.recordEvent('checkout.session.completed', session, request, pickChangedAttributes(before, session, ['status', 'payment_status']));
  const redirectUrl = session.success_url ? session.success_url.split(SESSION_ID_PLACEHOLDER).join(session.id) : null;
  return { session, redirectUrl };
}

/**
 * The open sessions and when they expire, per store: built once from the store (a restarted
 * sandbox with a file store finds its open sessions again), then kept up to date, so expiring
 * the due ones on each request costs the open sessions, not every session ever made.
 */
const openSessions = new WeakMap<SandboxStore, Map<string, number>>();

function openSessionsOf(store: SandboxStore): Map<string, number> {
  let found = openSessions.get(store);
  if (!found) {
    found = new Map();
    for (const session of store.scan('checkout_session')) {
      if (session.status === 'open') found.set(session.id, session.expires_at);
    }
    openSessions.set(store, found);
  }
  return found;
}

/** Expires every open session whose `expires_at` has passed on the sandbox clock (`checkout.session.expired`). */
export function expireDueCheckoutSessions(ctx: SandboxContext): number {
  const now = ctx.now();
  let expired = 0;
  for (const [id, expiresAt] of openSessionsOf(ctx.store)) {
    if (expiresAt > now) continue;
    const session = ctx.store.get('checkout_session', id);
    if (session?.status === 'open') {
      expireNow(ctx, session, NO_REQUEST);
      expired++;
    } else {
      openSessionsOf(ctx.store).delete(id);
    }
  }
  return expired;
}
