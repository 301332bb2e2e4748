import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { authRoutes } from './auth/auth.routes.ts';
import { createAuthService } from './auth/auth.service.ts';
import { bookingsRoutes } from './bookings/bookings.routes.ts';
import { couriersRoutes } from './couriers/couriers.routes.ts';
import { createCouriersService } from './couriers/couriers.service.ts';
import { ridersRoutes } from './couriers/riders.routes.ts';
import { createRidersService, RIDER_SESSION_HOURS } from './couriers/riders.service.ts';
import { createBookingHoldsService } from './bookings/booking-holds.service.ts';
import { createDeliveryCalendarService } from './offices/delivery-calendar.service.ts';
import { deliveryCalendarRoutes } from './offices/delivery-calendar.routes.ts';
import { createPaymentRecordsService } from './payments/payment-records.service.ts';
import { paymentsRoutes } from './payments/payments.routes.ts';
import { createRefundDecisionsService } from './payments/refund-decisions.service.ts';
import { reconciliationRoutes } from './finance/reconciliation.routes.ts';
import { webPlugin } from './web/web.plugin.ts';
import { createPaymentStateService } from './payments/payment-state.service.ts';
import { createGeocoder } from './geocoding/geocoding.ts';
import { createReconciliation, reconcileJobId } from './finance/reconciliation.service.ts';
import { RECONCILIATION_GRACE_MS } from './jobs/queue-config.ts';
import { createBookingsService } from './bookings/bookings.service.ts';
import type { Config } from './config/config.ts';
import type { DatabaseHandle } from './db/client.ts';
import { healthRoutes } from './health/health.routes.ts';
import { privacyRoutes } from './privacy/privacy.routes.ts';
import { createApiMetrics } from './metrics/metrics.ts';
import { registerMetrics } from './metrics/metrics.routes.ts';
import type { WorkerMetrics } from './metrics/worker-metrics.ts';
import type { Queues } from './jobs/queues.ts';
import { createOfficesRepository } from './offices/offices.repository.ts';
import { officesRoutes } from './offices/offices.routes.ts';
import { createOfficesService } from './offices/offices.service.ts';
import { createPaymentEventsService } from './payments/payment-events.service.ts';
import type { PaymentGateway } from './payments/payment-gateway.ts';
import { stripeWebhookRoutes } from './payments/stripe-webhook.routes.ts';
import { accessPlugin } from './plugins/access.plugin.ts';
import { errorHandlerPlugin, errorServerOptions } from './plugins/error-handler.plugin.ts';
import { rateLimitPlugin } from './plugins/rate-limit.plugin.ts';
import { swaggerPlugin } from './plugins/swagger.plugin.ts';
import { createQuotesService } from './quotes/quotes.service.ts';
import { quotesRoutes } from './quotes/quotes.routes.ts';
import type { App } from './shared/app-types.ts';
import { ErrorResponseSchema } from './shared/schemas.ts';
import { createLogger } from './infra/process.ts';
import { scheduleBookingExpiry, scheduleRefund } from './payments/payment-jobs.ts';
import { planningRoutes } from './planning/planning.routes.ts';
import { createPlanningService } from './planning/planning.service.ts';
import { createPlanJobs } from './planning/planning-jobs.ts';
import { scheduleOfferDeadlines } from './dispatch/dispatch-jobs.ts';
import { createDispatchService } from './dispatch/dispatch.service.ts';
import type { RouteOffer } from './dispatch/dispatch.table.ts';
import { dispatchRoutes } from './dispatch/dispatch.routes.ts';
import { courierEventRoutes } from './dispatch/courier-events.routes.ts';
import { createHandoverService } from './handover/handover.service.ts';
import { createWebhookUrlPolicy } from './webhooks/ssrf-guard.ts';
import { createWebhookRelay } from './webhooks/webhook-relay.ts';
import { webhooksRoutes } from './webhooks/webhooks.routes.ts';
import { createWebhooksService } from './webhooks/webhooks.service.ts';
import { financeReportsRoutes } from './finance/reports.routes.ts';
import { devMailsRoutes } from './notifications/dev-mails.routes.ts';
import { createFinanceReports } from './finance/reports/reports.service.ts';
import { withinTime } from './shared/within-time.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  redis: Redis;
  queues: Queues;
  gateway: PaymentGateway;
  clock?: () => Date;
  /** A pino logger to share with the rest of the process; by default the app makes its own. */
  logger?: Logger;
  /** The workers' metrics when they run in this process: the API's /metrics shows them too. */
  workerMetrics?: WorkerMetrics;
}

export const API_VERSION = '0.1.0';
/** How long a request waits for an after-commit enqueue (see `safely`). */
const AFTER_COMMIT_WAIT_MS = 2_000;

/**
 * The API as a Fastify instance: the composition root of the HTTP side. It owns none of the
 * connections it is given; whoever built them closes them (see `server.ts`, `main.ts`).
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const db = deps.database.db;

  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(config, 'amtsbote-api'),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: config.env.BODY_LIMIT_BYTES,
    // Only behind a proxy the operator names: otherwise anyone could pick their address with
    // X-Forwarded-For and walk around the rate limits.
    trustProxy: config.trustProxy,
    // Answers given before any route or hook runs (bad URL, oversized headers) in the error shape.
    ...errorServerOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Said on every response, so nobody mistakes a sandbox installation for a real one.
    if (deps.gateway.sandbox) reply.header('x-stripe-sandbox', 'true; no real money moves');
  });
  app.addSchema(ErrorResponseSchema);

  const auth = createAuthService({ db, clock, sessionHours: config.env.STAFF_SESSION_HOURS });
  const webhookPolicy = createWebhookUrlPolicy(config.webhooks);
  const couriers = createCouriersService({ db, clock, webhookUrlProblem: (url) => webhookPolicy.problem(url) });
  const riders = createRidersService({ db, clock, sessionHours: RIDER_SESSION_HOURS });
  const webhookRelay = createWebhookRelay({ db, queues: deps.queues, clock });
  // Enqueueing after a commit may fail (Redis away): the committed work is then picked up by the
  // periodic jobs (a sweep, or the nightly ledger import), so the request still succeeds and the
  // failure is only logged. The queues' Redis connection holds commands while Redis does not
  // answer (BullMQ needs that), and these enqueues are idempotent by job id: a request waits for
  // one at most AFTER_COMMIT_WAIT_MS, and the enqueue goes on; it lands when Redis answers (if
  // this process still runs then), and a failure later is logged as one at once would be.
  const safely = async (what: string, fn: () => Promise<unknown>) => {
    const call = fn().catch((err: unknown) =>
      app.log.warn({ err, what }, 'enqueue failed; the periodic job of its queue catches up (a sweep, or the nightly ledger import)'),
    );
    await withinTime(call, AFTER_COMMIT_WAIT_MS, `the queue (${what})`).catch(() =>
      app.log.warn(
        { what },
        `enqueue not confirmed within ${AFTER_COMMIT_WAIT_MS} ms (Redis does not answer); it goes on in the background`,
      ),
    );
  };
  const handOverWebhooks = () => safely('webhook hand-over', () => webhookRelay.relayPending());
  // New offers: their deadline jobs, and their route.offered events handed to the delivery queue
  // at once; side by side, so a request waits for the two at most AFTER_COMMIT_WAIT_MS together.
  const afterOffers = async (offers: RouteOffer[]) => {
    await Promise.all([safely('expire-offer', () => scheduleOfferDeadlines(deps.queues, offers, clock())), handOverWebhooks()]);
  };
  const planning = createPlanningService({
    db,
    clock,
    jobs: createPlanJobs(deps.queues),
    offerMinutes: config.dispatch.offerMinutes,
    afterOffers,
  });
  const dispatch = createDispatchService({ db, clock, settings: config.dispatch, afterOffers });
  const afterCommit = {
    scheduleExpiry: (bookingId: string, deadline: Date) =>
      safely('expire-booking', () => scheduleBookingExpiry(deps.queues, bookingId, deadline, clock())),
    refundOwed: (refundId: string) => safely('execute-refund', () => scheduleRefund(deps.queues, refundId)),
  };
  const handover = createHandoverService({ db, clock, afterRefundOwed: afterCommit.refundOwed });
  const bookings = createBookingsService({
    db,
    gateway: deps.gateway,
    clock,
    paymentExpiryMinutes: config.env.PAYMENT_EXPIRY_MINUTES,
    kassenzeichenFormat: config.kassenzeichenFormat,
    afterCommit,
  });
  const paymentEvents = createPaymentEventsService({ db, clock, onRefundOwed: afterCommit.refundOwed });
  const holds = createBookingHoldsService({ db, clock, afterCommit });

  await app.register(errorHandlerPlugin);
  const metrics = createApiMetrics({ db, queues: deps.queues, include: deps.workerMetrics ? [deps.workerMetrics.registry] : [] });
  registerMetrics(app as unknown as App, metrics, config.env.METRICS_TOKEN ?? null);
  await app.register(swaggerPlugin, { version: API_VERSION, sandbox: deps.gateway.sandbox });
  await app.register(accessPlugin, { auth, couriers });
  await app.register(rateLimitPlugin, {
    redis: deps.redis,
    prefix: config.env.QUEUE_PREFIX,
    citizenPerMinute: config.env.RATE_LIMIT_PER_MINUTE,
  });

  await app.register(healthRoutes, {
    pingDatabase: () => deps.database.ping(),
    pingRedis: async () => {
      await deps.redis.ping();
    },
    stripeSandbox: deps.gateway.sandbox,
  });
  const officesService = createOfficesService({ db, clock });
  const calendar = createDeliveryCalendarService({ db, clock });
  await app.register(officesRoutes, { offices: createOfficesRepository(db), service: officesService });
  await app.register(deliveryCalendarRoutes, { calendar });
  const quotes = createQuotesService({ db, clock, quoteTtlMinutes: config.env.QUOTE_TTL_MINUTES });
  await app.register(quotesRoutes, { quotes });
  await app.register(bookingsRoutes, { bookings, holds });
  await app.register(privacyRoutes, { db, clock });
  const paymentRecords = createPaymentRecordsService({ db, clock });
  const refundDecisions = createRefundDecisionsService({ db, clock, afterCommit });
  await app.register(paymentsRoutes, { records: paymentRecords, refundDecisions });
  const financeReports = createFinanceReports({ db, finance: config.finance, clock });
  await app.register(financeReportsRoutes, { reports: financeReports });
  const runs = {
    // The API only records and lists runs; the finance worker executes them (and imports).
    reconciliation: createReconciliation({ db, importRange: null, clock, graceMs: RECONCILIATION_GRACE_MS }),
    clock,
    enqueueRun: (runId: string) =>
      safely('reconcile', () =>
        deps.queues.enqueue('finance', 'reconcile', { runId }, { jobId: reconcileJobId(runId) }).then(() => undefined),
      ),
  };
  await app.register(reconciliationRoutes, runs);
  await app.register(authRoutes, { auth });
  await app.register(stripeWebhookRoutes, {
    gateway: deps.gateway,
    events: paymentEvents,
    onApplied: metrics.countStripeEvent,
    onPayoutReported: (payoutId, eventId) =>
      safely('import-payout', () => deps.queues.enqueue('finance', 'import-payout', { payoutId }, { jobId: `payout-${eventId}` })),
  });
  await app.register(planningRoutes, { planning });
  await app.register(couriersRoutes, { couriers, planning });
  await app.register(ridersRoutes, { riders });
  await app.register(dispatchRoutes, { dispatch, handover, db });
  await app.register(courierEventRoutes, { dispatch, couriers });
  const webhooks = createWebhooksService({
    db,
    clock,
    handOver: handOverWebhooks,
  });
  await app.register(webhooksRoutes, { webhooks });

  // Only while mails go to the folder: with an SMTP server there is nothing local to show.
  if (config.notifications.mail.kind === 'folder') await app.register(devMailsRoutes, { dir: config.notifications.mail.dir });

  // The citizen's pages (and GET /): server-rendered, in a context of their own (headers, cookies, CSRF).
  const secureCookies = config.env.PUBLIC_BASE_URL?.startsWith('https://') ?? false;
  await app.register(webPlugin, {
    bookings,
    paymentState: createPaymentStateService({ db }),
    quotes,
    offices: createOfficesRepository(db),
    sandbox: deps.gateway.sandbox,
    version: API_VERSION,
    publicBaseUrl: config.env.PUBLIC_BASE_URL ?? null,
    secureCookies,
    hostedPageOrigins: deps.gateway.hostedPageOrigins,
    staff: {
      db,
      clock,
      auth,
      runs,
      reports: financeReports,
      offices: createOfficesRepository(db),
      couriers,
      bookings,
      holds,
      quotes,
      officesService,
      calendar,
      planning,
      dispatch,
      handover,
      webhooks,
      paymentRecords,
      refundDecisions,
      queues: deps.queues,
    },
    courier: { clock, riders, dispatch },
    geocoder: createGeocoder(config.geocoder, { version: API_VERSION }),
    map: config.map,
  });

  return app as unknown as App;
}
