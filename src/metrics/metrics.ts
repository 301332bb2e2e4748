import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { count } from 'drizzle-orm';
import { bookings } from '../bookings/bookings.table.ts';
import type { Database } from '../db/client.ts';
import type { Queues } from '../jobs/queues.ts';
import { QUEUE_NAMES } from '../jobs/registry.ts';

/** The BullMQ states a queue's depth is shown in. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * The API process's metrics in Prometheus format (prom-client, one registry per process, so tests
 * and a second platform in one process do not share counters). HTTP and the Stripe events the API
 * receives are counted as they happen; queue depths and bookings by status are read when scraped,
 * from Redis and PostgreSQL, so they are the platform's figures, not this process's.
 * With workers in the same process their registry is merged in (Registry.merge keeps the metric
 * objects, so the served text is always current; a name in both would throw at start).
 */
export function createApiMetrics(deps: {
  db: Database;
  queues: Queues;
  /** Registries shown with the API's in its /metrics: the workers' when they run in this process. */
  include?: readonly Registry[];
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'amtsbote_api_' });

  const http = new Histogram({
    name: 'amtsbote_http_request_duration_seconds',
    help: 'HTTP requests by operation (the OpenAPI operationId, or the route for pages), method and status',
    labelNames: ['operation', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const stripeEvents = new Counter({
    name: 'amtsbote_stripe_events_total',
    help: 'Stripe webhook events received and applied by this process, by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'amtsbote_queue_jobs',
    help: 'Jobs per queue and state (BullMQ), read from Redis when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const counts = await deps.queues.queue(name).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  new Gauge({
    name: 'amtsbote_bookings',
    help: 'Bookings by status, read from PostgreSQL when scraped',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await deps.db.select({ status: bookings.status, n: count() }).from(bookings).groupBy(bookings.status);
      this.reset();
      for (const row of rows) this.set({ status: row.status }, row.n);
    },
  });

  const served = deps.include?.length ? Registry.merge([registry, ...deps.include]) : registry;

  return {
    registry,
    /** One finished request; `operation` is bounded (operation ids and route patterns, never raw URLs). */
    observeRequest: (operation: string, method: string, status: number, seconds: number) =>
      http.observe({ operation, method, status: String(status) }, seconds),
    countStripeEvent: (type: string, outcome: string) => stripeEvents.inc({ type, outcome }),
    text: () => served.metrics(),
    contentType: served.contentType,
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
