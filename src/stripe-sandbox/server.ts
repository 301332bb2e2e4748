import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchRoute } from './api-routes.ts';
import { findObjectById, type SandboxContext } from './context.ts';
import { authenticationFailed, internalError, parameterInvalid, SandboxError, toErrorPayload, unrecognizedUrl } from './errors.ts';
import { applyExpansions, validateExpansions } from './expand.ts';
import { decodeForm, fingerprintForm, type FormObject } from './form.ts';
import { findReplay } from './idempotency.ts';
import { generateRequestId } from './ids.ts';
import { renderSandboxInfo } from './info-page.ts';
import { ParamReader } from './params.ts';
import { renderCheckoutPage, submitCheckoutPage } from './checkout-page.ts';
import { renderPayPage, submitPayPage, type PageResponse } from './pay-page.ts';

/**
 * The HTTP front of the sandbox, on plain node:http: authentication, body decoding,
 * idempotency and Stripe's response conventions around the route handlers.
 */

export interface ServerDeps {
  ctx: SandboxContext;
  apiVersion: string;
  /** Wall-clock milliseconds from the injectable clock (idempotency key expiry). */
  nowMs: () => number;
}

const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function readHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function prefersJson(req: IncomingMessage): boolean {
  return (readHeader(req, 'accept') ?? '').includes('application/json');
}

/** Accepts Bearer and Basic auth like Stripe, but only test-mode keys: this is never live. */
function authenticate(req: IncomingMessage): void {
  const authorization = readHeader(req, 'authorization');
  if (!authorization) {
    throw authenticationFailed(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const [scheme = '', credentials = ''] = authorization.trim().split(/\s+/, 2);
  let key = '';
  if (scheme.toLowerCase() === 'bearer') key = credentials;
  else if (scheme.toLowerCase() === 'basic') key = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '';
  if (!/^(sk|rk)_test_\S+$/.test(key)) {
    const shown = key.length > 8 ? `${key.slice(0, 8)}********${key.slice(-4)}` : key;
    throw authenticationFailed(
      `Invalid API Key provided: ${shown}. The offline Stripe sandbox accepts only test-mode secret keys (sk_test_…).`,
    );
  }
}

function send(res: ServerResponse, statusCode: number, headers: Record<string, string>, body: string): void {
  res.writeHead(statusCode, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendPage(res: ServerResponse, page: PageResponse): void {
  send(res, page.statusCode, page.headers, page.body);
}

/** Request parameters: query string, plus the form body for POST (Stripe reads both). */
async function readParams(req: IncomingMessage, url: URL): Promise<FormObject> {
  const query = decodeForm(url.search.slice(1));
  if (req.method !== 'POST') return query;
  const body = await readBody(req);
  const contentType = readHeader(req, 'content-type') ?? '';
  if (body.trim() !== '' && !contentType.includes('application/x-www-form-urlencoded')) {
    throw parameterInvalid(
      'body',
      'Invalid request: Stripe API bodies must be form-encoded (Content-Type: application/x-www-form-urlencoded).',
    );
  }
  return { ...query, ...decodeForm(body) };
}

/** Removes and validates `expand`, so route handlers see only their own parameters. */
function takeExpand(params: FormObject): { params: FormObject; expand: string[] } {
  const { expand: _expand, ...rest } = params;
  const expand = ParamReader.strict(params, Object.keys(params)).expand();
  return { params: rest, expand };
}

async function handleApi(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const requestId = generateRequestId();
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const idempotencyKey = method === 'POST' ? readHeader(req, 'idempotency-key') : undefined;
  const baseHeaders: Record<string, string> = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, no-store',
    'Request-Id': requestId,
    'Stripe-Version': readHeader(req, 'stripe-version') ?? deps.apiVersion,
    ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
  };
  let statusCode = 200;
  let body: string;
  let storable = true;
  let fingerprint = '';
  try {
    authenticate(req);
    const match = matchRoute(method, path.slice('/v1'.length));
    if (!match) throw unrecognizedUrl(method, path);
    const allParams = await readParams(req, url);
    if (idempotencyKey !== undefined) {
      fingerprint = fingerprintForm(allParams);
      const replay = findReplay(deps.ctx.store, { key: idempotencyKey, method, path, fingerprint }, deps.nowMs());
      if (replay) {
        send(res, replay.statusCode, { ...baseHeaders, 'Idempotent-Replayed': 'true', 'Original-Request': replay.requestId }, replay.body);
        deps.ctx.logger.debug?.({ method, path, requestId, idempotencyKey }, 'stripe sandbox: idempotent replay');
        return;
      }
    }
    const { params, expand } = takeExpand(allParams);
    validateExpansions(match.route.returns, expand);
    const result = match.route.handle({
      ctx: deps.ctx,
      params,
      id: match.id,
      request: { id: requestId, idempotency_key: idempotencyKey ?? null },
      baseUrl: baseUrlOf(req),
    });
    body = JSON.stringify(
      applyExpansions(result, expand, (id) => findObjectById(deps.ctx, id)),
      null,
      2,
    );
  } catch (caught) {
    let error: SandboxError;
    if (caught instanceof SandboxError) {
      error = caught;
    } else if (caught instanceof BodyTooLargeError) {
      error = parameterInvalid('body', 'Request body too large (limit 1 MB).');
    } else {
      deps.ctx.logger.error({ err: caught, method, path, requestId }, 'stripe sandbox: unexpected error');
      error = internalError('An unexpected error occurred in the offline Stripe sandbox.');
    }
    statusCode = error.statusCode;
    storable = error.executed;
    body = JSON.stringify(toErrorPayload(error), null, 2);
  }
  if (idempotencyKey !== undefined && storable && fingerprint !== '') {
    deps.ctx.store.saveIdempotencyRecord({
      key: idempotencyKey,
      method,
      path,
      fingerprint,
      statusCode,
      body,
      requestId,
      createdAtMs: deps.nowMs(),
    });
  }
  send(res, statusCode, baseHeaders, body);
  deps.ctx.logger.debug?.({ method, path, statusCode, requestId }, 'stripe sandbox: request');
}

/** The sandbox as the caller reached it: stripe-node sends `Host: 127.0.0.1:<port>`. */
function baseUrlOf(req: IncomingMessage): string {
  const host = readHeader(req, 'host') ?? '127.0.0.1';
  // A Host header is the caller's to choose; only a plain host[:port] goes into URLs handed out.
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? `http://${host}` : 'http://127.0.0.1';
}

async function handleSandboxPages(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  // segments: ['sandbox'] | ['sandbox', 'pay', id] | ['sandbox', 'pay', id, 'confirm']
  if (method === 'GET' && segments.length === 1) {
    sendPage(res, renderSandboxInfo(deps.ctx, deps.apiVersion, prefersJson(req)));
    return;
  }
  const id = segments[2] ?? '';
  if (segments[1] === 'checkout' && segments.length === 3 && method === 'GET') {
    sendPage(res, renderCheckoutPage(deps.ctx, id));
    return;
  }
  if (segments[1] === 'checkout' && segments.length === 4 && segments[3] === 'pay' && method === 'POST') {
    let form: FormObject;
    try {
      form = decodeForm(await readBody(req));
    } catch {
      send(res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Malformed form submission\n');
      return;
    }
    const card = typeof form.card === 'string' ? form.card : undefined;
    sendPage(res, submitCheckoutPage(deps.ctx, id, card, { id: generateRequestId(), idempotency_key: null }));
    return;
  }
  if (segments[1] === 'pay' && method === 'GET' && segments.length === 3) {
    sendPage(res, renderPayPage(deps.ctx, id, url.searchParams));
    return;
  }
  if (segments[1] === 'pay' && method === 'POST' && segments.length === 4 && segments[3] === 'confirm') {
    let form: FormObject;
    try {
      form = decodeForm(await readBody(req));
    } catch {
      send(res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Malformed form submission\n');
      return;
    }
    const text = (key: string) => (typeof form[key] === 'string' ? form[key] : undefined);
    const requestId = generateRequestId();
    sendPage(
      res,
      submitPayPage(
        deps.ctx,
        id,
        { client_secret: text('client_secret'), outcome: text('outcome'), return_url: text('return_url') },
        prefersJson(req),
        { id: requestId, idempotency_key: null },
      ),
    );
    return;
  }
  send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not found (offline Stripe sandbox)\n');
}

/** The node:http request listener serving /v1 (Stripe API) and /sandbox (pages). */
export function createRequestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    // The root answers like /sandbox, so whoever opens the bare address learns what this is.
    if (url.pathname === '/') url.pathname = '/sandbox';
    let task: Promise<void>;
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) task = handleApi(deps, req, res, url);
    else if (url.pathname === '/sandbox' || url.pathname.startsWith('/sandbox/')) task = handleSandboxPages(deps, req, res, url);
    else task = Promise.resolve(send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not found (offline Stripe sandbox)\n'));
    task.catch((error: unknown) => {
      deps.ctx.logger.error({ err: error, url: req.url }, 'stripe sandbox: request failed');
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Internal error\n');
      else res.destroy();
    });
  };
}
