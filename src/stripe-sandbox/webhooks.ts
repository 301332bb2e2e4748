import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type Stripe from 'stripe';
import { getEventObjectId } from './events.ts';
import type { SandboxLogger } from './logger.ts';
import { signWebhookPayload } from './signature.ts';
import type { SandboxStore } from './store.ts';

/**
 * Signed webhook delivery with retries, modelled on Stripe's: each event is POSTed as JSON to
 * every subscribed endpoint, a non-2xx answer or a network error is retried with exponential
 * backoff, and after `maxAttempts` the sandbox gives up while the event keeps `pending_webhooks > 0`.
 *
 * Deliveries are ordered per (endpoint, object): `payment_intent.succeeded` for a PaymentIntent is
 * never delivered before that PaymentIntent's `payment_intent.created`, even while the earlier one
 * is being retried. Different objects do not wait for each other. (Real Stripe does not promise
 * ordering at all; the platform must still cope with that, but predictable tests are worth more.)
 */

export interface RetryPolicy {
  /** Delay before the first retry; doubles with every further attempt. */
  baseDelayMs: number;
  /** Total attempts per event and endpoint, the first one included. */
  maxAttempts: number;
  /** Upper bound for a single backoff delay. */
  maxDelayMs: number;
}

export interface DeliveryTarget {
  id: string;
  url: string;
  secret: string;
}

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  at: Date;
}

interface DeliveryJob {
  eventId: string;
  endpointId: string;
  attempts: number;
}

export interface WebhookDispatcherDeps {
  store: SandboxStore;
  logger: SandboxLogger;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Current endpoints subscribed to `type` (enabled ones only). */
  selectTargets: (type: string) => DeliveryTarget[];
  /** The endpoint as it is now, or undefined once deleted or disabled. */
  findTarget: (endpointId: string) => DeliveryTarget | undefined;
}

const MAX_ATTEMPT_LOG = 1_000;

export class WebhookDispatcher {
  private readonly deps: WebhookDispatcherDeps;
  private readonly queues = new Map<string, DeliveryJob[]>();
  private readonly busyQueues = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly attemptLog: DeliveryAttempt[] = [];
  private flushWaiters: Array<() => void> = [];
  /** Queued deliveries plus scheduled follow-up tasks not yet finished. */
  private outstanding = 0;
  private closed = false;

  constructor(deps: WebhookDispatcherDeps) {
    this.deps = deps;
  }

  /** Queues delivery of a stored event to every subscribed endpoint; never blocks the caller. */
  dispatch(event: Stripe.Event): void {
    if (this.closed) return;
    for (const target of this.deps.selectTargets(event.type)) {
      const key = `${target.id}:${getEventObjectId(event)}`;
      const queue = this.queues.get(key) ?? [];
      queue.push({ eventId: event.id, endpointId: target.id, attempts: 0 });
      this.queues.set(key, queue);
      this.outstanding += 1;
      if (!this.busyQueues.has(key)) {
        this.busyQueues.add(key);
        this.schedule(0, () => void this.drain(key));
      }
    }
  }

  /**
   * Runs follow-up work later (e.g. a dispute arriving after the payment); flush() waits for it
   * and close() cancels it.
   */
  runLater(delayMs: number, task: () => void): void {
    if (this.closed) return;
    this.outstanding += 1;
    this.schedule(delayMs, () => {
      try {
        task();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'stripe sandbox: scheduled task failed');
      } finally {
        this.settle();
      }
    });
  }

  /** Resolves once every queued delivery succeeded or was given up, and follow-ups have run. */
  flush(): Promise<void> {
    if (this.outstanding === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  attempts(): DeliveryAttempt[] {
    return [...this.attemptLog];
  }

  /** Stops all delivery: pending timers are cleared and in-flight requests aborted. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.queues.clear();
    this.busyQueues.clear();
    this.outstanding = 0;
    this.releaseWaiters();
  }

  private schedule(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) task();
    }, delayMs);
    this.timers.add(timer);
  }

  private settle(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.outstanding === 0) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private backoffDelay(attempts: number): number {
    const { baseDelayMs, maxDelayMs } = this.deps.retry;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
  }

  /** Delivers the head of one queue, retrying it until done, then moves on to the next job. */
  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key);
    const job = queue?.[0];
    if (!queue || !job || this.closed) {
      this.queues.delete(key);
      this.busyQueues.delete(key);
      return;
    }
    const outcome = await this.attempt(job);
    if (this.closed) return;
    if (outcome === 'retry') {
      this.schedule(this.backoffDelay(job.attempts), () => void this.drain(key));
      return;
    }
    queue.shift();
    this.settle();
    if (queue.length === 0) {
      this.queues.delete(key);
      this.busyQueues.delete(key);
      return;
    }
    void this.drain(key);
  }

  private async attempt(job: DeliveryJob): Promise<'done' | 'retry'> {
    const target = this.deps.findTarget(job.endpointId);
    const event = this.deps.store.get('event', job.eventId);
    if (!target || !event) return 'done';
    job.attempts += 1;
    const payload = JSON.stringify(event, null, 2);
    // Signatures use the real wall clock, not the sandbox's injectable clock: receivers verify
    // the timestamp against their own Date.now() (stripe-node's 300 s tolerance).
    const header = signWebhookPayload(payload, target.secret, Math.floor(Date.now() / 1000));
    let statusCode: number | null = null;
    let failure: string | null = null;
    try {
      statusCode = await this.post(target.url, payload, header);
      if (statusCode < 200 || statusCode >= 300) failure = `HTTP ${statusCode}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (this.closed) return 'done';
    this.record({
      eventId: event.id,
      eventType: event.type,
      endpointId: target.id,
      url: target.url,
      attempt: job.attempts,
      ok: failure === null,
      statusCode,
      error: failure,
      at: new Date(),
    });
    if (failure === null) {
      this.markDelivered(event.id);
      this.deps.logger.debug?.({ eventId: event.id, type: event.type, url: target.url }, 'stripe sandbox: webhook delivered');
      return 'done';
    }
    if (job.attempts >= this.deps.retry.maxAttempts) {
      this.deps.logger.error(
        { eventId: event.id, type: event.type, url: target.url, attempts: job.attempts, failure },
        'stripe sandbox: webhook delivery given up',
      );
      return 'done';
    }
    this.deps.logger.warn(
      { eventId: event.id, type: event.type, url: target.url, attempt: job.attempts, failure },
      'stripe sandbox: webhook delivery failed, will retry',
    );
    return 'retry';
  }

  private record(attempt: DeliveryAttempt): void {
    this.attemptLog.push(attempt);
    if (this.attemptLog.length > MAX_ATTEMPT_LOG) this.attemptLog.shift();
  }

  private markDelivered(eventId: string): void {
    const event = this.deps.store.get('event', eventId);
    if (!event) return;
    event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
    this.deps.store.save('event', event);
  }

  private post(url: string, payload: string, signature: string): Promise<number> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          // A fresh connection per attempt: no pooled sockets survive close().
          agent: false,
          signal: controller.signal,
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'Stripe-Signature': signature,
            'Cache-Control': 'no-cache',
            Accept: '*/*; q=0.5, application/xml',
            Connection: 'close',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.deps.timeoutMs, () => req.destroy(new Error(`timed out after ${this.deps.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    }).finally(() => this.inFlight.delete(controller));
  }
}
