import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { expireDueCheckoutSessions } from './checkout-sessions.ts';
import type { SandboxContext } from './context.ts';
import { closeDispute } from './disputes.ts';
import { createEventRecorder } from './events.ts';
import { silentLogger, type SandboxLogger } from './logger.ts';
import { resolveFees, type SandboxFees } from './money.ts';
import { failPayout, runDailyPayoutsIfDue, runPayouts, type PayoutFailureOptions } from './payouts.ts';
import { createRequestListener } from './server.ts';
import { createMemoryStore, type SandboxStore } from './store.ts';
import { addWebhookEndpoint, findDeliveryTarget, selectDeliveryTargets } from './webhook-endpoints.ts';
import { WebhookDispatcher, type DeliveryAttempt, type RetryPolicy } from './webhooks.ts';

/**
 * Factory of the offline Stripe sandbox: an HTTP server speaking the part of Stripe's REST API
 * Amtsbote uses, reached through the official stripe-node client via its host/port/protocol
 * options, plus signed webhook delivery and a control surface for tests.
 */

export interface SandboxWebhookEndpointOption {
  url: string;
  /** `whsec_…` signing secret; generated when omitted. */
  secret?: string;
  /** Event types to deliver; defaults to `['*']`. */
  enabledEvents?: string[];
}

export interface StripeSandboxOptions {
  webhookEndpoints?: SandboxWebhookEndpointOption[];
  /** pino-compatible logger; silent by default. */
  logger?: SandboxLogger;
  /** Source of `created` timestamps, balance availability and idempotency expiry. */
  clock?: () => Date;
  /** Webhook retry policy; defaults to 1 s base delay, 8 attempts, 60 s maximum delay. */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt webhook timeout in ms (default 10 000). */
  webhookTimeoutMs?: number;
  /** Delay before the dispute of a `pm_card_createDispute` payment arrives (default 500 ms). */
  disputeDelayMs?: number;
  /** `api_version` stamped on events; defaults to the installed stripe-node's version. */
  apiVersion?: string;
  /** Storage; in memory by default (state is lost on restart). */
  store?: SandboxStore;
  /**
   * Price list; defaults to Stripe's EEA card pricing: 150 basis points + 25 cents per charge, and
   * Stripe's dispute fee (€20, $15 for USD) when `disputeCents` is not given.
   */
  fees?: Partial<SandboxFees>;
  /**
   * `manual` (default): payouts happen only when a test calls runPayouts(), so tests stay
   * deterministic. `daily`: once per UTC day of the sandbox clock, on the first request of the
   * day (checked before the request is handled) or by a check every minute, whichever comes first.
   */
  payoutSchedule?: 'daily' | 'manual';
}

export interface ListenOptions {
  /** Default 12111 (stripe-mock's port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox is for this machine only. */
  host?: string;
}

export interface ListeningAddress {
  port: number;
  /** Base URL, e.g. http://127.0.0.1:12111 */
  url: string;
}

/** Constructor options that point stripe-node at the sandbox: `new Stripe(key, clientOptions)`. */
export interface SandboxClientOptions {
  host: string;
  port: number;
  protocol: 'http';
}

export interface StripeSandbox {
  listen(options?: ListenOptions): Promise<ListeningAddress>;
  /** Stops webhook delivery (timers cleared, in-flight requests aborted) and the HTTP server. */
  close(): Promise<void>;
  /** stripe-node options for the listening sandbox; throws before listen(). */
  clientOptions(): SandboxClientOptions;
  /** Registers an endpoint that receives every event (or `enabledEvents`). */
  addWebhookEndpoint(url: string, secret?: string, enabledEvents?: string[]): { id: string; url: string; secret: string };
  /** Resolves when every pending delivery succeeded or was given up and scheduled follow-ups (disputes) ran. */
  flushWebhooks(options?: { timeoutMs?: number }): Promise<void>;
  /** All events so far, oldest first. */
  events(): Stripe.Event[];
  /** Webhook delivery attempts so far (last 1 000), oldest first. */
  webhookAttempts(): DeliveryAttempt[];
  /**
   * Pays out the available balance per currency now (test helper): one automatic payout per
   * currency whose available, not yet paid out balance transactions sum to more than zero, with
   * `payout.created`, then `payout.paid` and `payout.reconciliation_completed` (or `payout.failed`
   * when failNextPayout asked for it). Returns the payouts as they ended, in currency order.
   */
  runPayouts(): Stripe.Payout[];
  /** Makes the next payout a run creates fail (test helper); each call fails one more payout. */
  failNextPayout(failure?: PayoutFailureOptions): void;
  /** Fails a payout in transit or already paid, as a bank may days later (test helper): `payout.failed`. */
  failPayout(payoutId: string, failure?: PayoutFailureOptions): Stripe.Payout;
  /** Ends a dispute as the card network would (test helper): `charge.dispute.closed` follows. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): Stripe.Dispute;
  /** Link to the "pay as a person would" page for a PaymentIntent; requires listen(). */
  payPageUrl(paymentIntentId: string, options?: { returnUrl?: string }): string;
  /** The node:http listener, for mounting the sandbox in another server. */
  requestListener: (req: IncomingMessage, res: ServerResponse) => void;
}

const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxAttempts: 8, maxDelayMs: 60_000 };
/** How often the daily payout schedule looks at the sandbox clock when no request comes. */
const DAILY_PAYOUT_CHECK_MS = 60_000;

export function createStripeSandbox(options: StripeSandboxOptions = {}): StripeSandbox {
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const store = options.store ?? createMemoryStore();
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  const now = () => Math.floor(clock().getTime() / 1000);
  const fees = resolveFees(options.fees);

  // The context and the dispatcher refer to each other; the closures below only run after both
  // constants are initialised (on the first request), so the forward reference is safe.
  const ctx: SandboxContext = {
    store,
    now,
    logger,
    disputeDelayMs: options.disputeDelayMs ?? 500,
    fees,
    payoutFailures: [],
    runLater: (delayMs, task) => dispatcher.runLater(delayMs, task),
    recordEvent: createEventRecorder({
      store,
      now,
      apiVersion,
      countRecipients: (type) => selectDeliveryTargets(ctx, type).length,
      dispatch: (event) => dispatcher.dispatch(event),
    }),
  };
  const dispatcher = new WebhookDispatcher({
    store,
    logger,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    selectTargets: (type) => selectDeliveryTargets(ctx, type),
    findTarget: (id) => findDeliveryTarget(ctx, id),
  });

  for (const endpoint of options.webhookEndpoints ?? []) {
    addWebhookEndpoint(ctx, {
      url: endpoint.url,
      ...(endpoint.secret === undefined ? {} : { secret: endpoint.secret }),
      ...(endpoint.enabledEvents === undefined ? {} : { enabledEvents: endpoint.enabledEvents }),
    });
  }

  const payoutSchedule = options.payoutSchedule ?? 'manual';
  if (payoutSchedule !== 'daily' && payoutSchedule !== 'manual') {
    throw new Error(`Stripe sandbox: payoutSchedule must be 'daily' or 'manual', not ${String(payoutSchedule)}`);
  }
  // A failed run must not fail the request that happened to trigger it; the next look retries.
  const payOutIfDue = () => {
    try {
      runDailyPayoutsIfDue(ctx);
    } catch (error) {
      logger.error({ err: error }, 'stripe sandbox: daily payouts failed');
    }
  };
  const payoutTimer = payoutSchedule === 'daily' ? setInterval(payOutIfDue, DAILY_PAYOUT_CHECK_MS).unref() : undefined;

  const handleRequest = createRequestListener({ ctx, apiVersion, nowMs: () => clock().getTime() });
  // Checkout Sessions expire on the sandbox clock: looked at before each request is handled, so a
  // test that moves an injected clock sees checkout.session.expired on its next request.
  const expireDueSessions = () => {
    try {
      expireDueCheckoutSessions(ctx);
    } catch (error) {
      logger.error({ err: error }, 'stripe sandbox: expiring checkout sessions failed');
    }
  };
  const requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (payoutSchedule === 'daily') payOutIfDue();
    expireDueSessions();
    handleRequest(req, res);
  };
  let server: Server | undefined;
  let address: (ListeningAddress & { host: string }) | undefined;

  function requireAddress(): ListeningAddress & { host: string } {
    if (!address) throw new Error('The Stripe sandbox is not listening yet: call listen() first.');
    return address;
  }

  return {
    requestListener,

    async listen(listenOptions = {}) {
      if (server) throw new Error('The Stripe sandbox is already listening.');
      const host = listenOptions.host ?? '127.0.0.1';
      const created = createServer(requestListener);
      server = created;
      try {
        await new Promise<void>((resolve, reject) => {
          created.once('error', reject);
          created.listen(listenOptions.port ?? 12111, host, () => {
            created.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // E.g. EADDRINUSE: leave the sandbox ready for another listen() attempt.
        server = undefined;
        throw error;
      }
      const { port } = created.address() as AddressInfo;
      // A wildcard bind is still reached through loopback by local clients.
      const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const urlHost = reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost;
      address = { port, host: reachableHost, url: `http://${urlHost}:${port}` };
      logger.info({ url: address.url }, 'stripe sandbox: listening (offline, no real money)');
      return { port, url: address.url };
    },

    async close() {
      clearInterval(payoutTimer);
      dispatcher.close();
      store.flush?.();
      const closing = server;
      server = undefined;
      address = undefined;
      if (!closing) return;
      await new Promise<void>((resolve, reject) => {
        closing.close((error) => (error ? reject(error) : resolve()));
        // stripe-node keeps sockets alive; without this close() would wait for them to time out.
        closing.closeAllConnections();
      });
    },

    clientOptions() {
      const { host, port } = requireAddress();
      return { host, port, protocol: 'http' };
    },

    addWebhookEndpoint(url, secret, enabledEvents) {
      const endpoint = addWebhookEndpoint(ctx, {
        url,
        ...(secret === undefined ? {} : { secret }),
        ...(enabledEvents === undefined ? {} : { enabledEvents }),
      });
      return { id: endpoint.id, url: endpoint.url, secret: endpoint.secret };
    },

    async flushWebhooks(flushOptions = {}) {
      const flushing = dispatcher.flush();
      if (flushOptions.timeoutMs === undefined) return flushing;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Stripe sandbox: webhooks not flushed within ${flushOptions.timeoutMs} ms`)),
          flushOptions.timeoutMs,
        );
      });
      try {
        await Promise.race([flushing, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    events() {
      return store.list('event');
    },

    webhookAttempts() {
      return dispatcher.attempts();
    },

    runPayouts() {
      return runPayouts(ctx);
    },

    failNextPayout(failure = {}) {
      ctx.payoutFailures.push(failure);
    },

    failPayout(payoutId, failure = {}) {
      return failPayout(ctx, payoutId, failure);
    },

    closeDispute(disputeId, outcome) {
      return closeDispute(ctx, disputeId, outcome);
    },

    payPageUrl(paymentIntentId, payOptions = {}) {
      const { url } = requireAddress();
      const paymentIntent = store.get('payment_intent', paymentIntentId);
      if (!paymentIntent?.client_secret) throw new Error(`Unknown PaymentIntent ${paymentIntentId}`);
      const query = new URLSearchParams({ client_secret: paymentIntent.client_secret });
      if (payOptions.returnUrl !== undefined) query.set('return_url', payOptions.returnUrl);
      return `${url}/sandbox/pay/${encodeURIComponent(paymentIntentId)}?${query.toString()}`;
    },
  };
}
