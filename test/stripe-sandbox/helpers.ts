import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '../../src/stripe-sandbox/index.ts';

export interface SandboxHarness {
  sandbox: StripeSandbox;
  stripe: Stripe;
  url: string;
  port: number;
}

/** A sandbox on a free port and a real stripe-node client pointed at it. */
export async function startSandbox(options: StripeSandboxOptions = {}): Promise<SandboxHarness> {
  const sandbox = createStripeSandbox({ disputeDelayMs: 20, retry: { baseDelayMs: 50, maxAttempts: 3 }, ...options });
  const { port, url } = await sandbox.listen({ port: 0 });
  const stripe = new Stripe('sk_test_sandbox', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  return { sandbox, stripe, url, port };
}

export interface ReceivedWebhook {
  rawBody: string;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A plain node:http webhook receiver recording raw bodies; `respond(n)` picks the status code
 * for the n-th request (0-based), so tests can make it fail first and succeed later.
 */
export async function startWebhookReceiver(
  respond: (index: number, rawBody: string) => number = () => 200,
  options: { delayMs?: number } = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const status = respond(received.length, rawBody);
      received.push({ rawBody, headers: req.headers, status });
      setTimeout(() => {
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status < 300 ? 'ok' : 'failed');
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Calls the sandbox without stripe-node, to check raw HTTP behaviour (status, headers, body). */
export async function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Runs `action`, expecting it to reject, and returns the error for assertions. */
export async function catchError(action: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await action();
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}
