import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config/config.ts';
import type { Database } from '../src/db/client.ts';
import { createHousekeepingService } from '../src/housekeeping/housekeeping.service.ts';
import type { Queues } from '../src/jobs/queues.ts';
import type { PaymentGateway } from '../src/payments/payment-gateway.ts';
import { createPaymentUpkeepService } from '../src/payments/payment-upkeep.service.ts';
import { scheduleOfferDeadlines } from '../src/dispatch/dispatch-jobs.ts';
import { createDispatchService } from '../src/dispatch/dispatch.service.ts';
import { startDispatchWorker } from './dispatch.worker.ts';
import { startHousekeepingWorker } from './housekeeping.worker.ts';
import { startFinanceWorker } from './finance.worker.ts';
import { createLedgerImport } from '../src/finance/ledger-import.service.ts';
import { createReconciliation } from '../src/finance/reconciliation.service.ts';
import { RECONCILIATION_GRACE_MS } from '../src/jobs/queue-config.ts';
import { startPaymentsWorker } from './payments.worker.ts';
import { createPlanningServices, startPlanningWorker } from './planning.worker.ts';
import { createWebhooksDelivery } from '../src/webhooks/webhooks.wiring.ts';
import { createWebhookRelay } from '../src/webhooks/webhook-relay.ts';
import { startWebhooksWorkers } from './webhooks.worker.ts';
import { createNotifications } from '../src/notifications/notifications.wiring.ts';
import { startNotificationsWorkers } from './notifications.worker.ts';
import type { WorkerMetrics } from '../src/metrics/worker-metrics.ts';

export interface WorkerDeps {
  config: Config;
  db: Database;
  /** PGlite is one connection: a run's progress is then written inside its transaction. */
  databaseKind?: 'postgres' | 'pglite';
  connection: Redis;
  queues: Queues;
  gateway: PaymentGateway;
  clock?: () => Date;
  logger: Logger;
  /** Where job runs, webhook attempts and plan solves are counted; without it, nowhere. */
  metrics?: WorkerMetrics;
}

export interface StartedWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * The composition root of the worker side: every BullMQ worker of the platform. The platform
 * (`src/platform.ts`) calls this; the worker process entry is `workers/main.ts`.
 */
export async function startWorkers(deps: WorkerDeps): Promise<StartedWorkers> {
  const clock = deps.clock ?? (() => new Date());
  const prefix = deps.config.env.QUEUE_PREFIX;
  const upkeep = createPaymentUpkeepService({ db: deps.db, gateway: deps.gateway, clock });
  const ledgerImport = createLedgerImport({ db: deps.db, ledger: deps.gateway.ledger });
  const { metrics } = deps;
  const workers: Worker[] = [];
  // Watched as each start function returns: a run that ends while its worker still sets up its
  // schedulers is not counted (a few at start at most), every later one is.
  const add = (...started: Worker[]) => {
    for (const worker of started) metrics?.watchWorker(worker);
    workers.push(...started);
  };
  const notifications = deps.config.notifications.enabled
    ? createNotifications({ db: deps.db, queues: deps.queues, config: deps.config.notifications, clock })
    : null;
  const close = async () => {
    await Promise.all(workers.map((w) => w.close()));
    notifications?.mailer.close();
  };
  try {
    add(await startPaymentsWorker({ connection: deps.connection, prefix, queues: deps.queues, upkeep, clock, logger: deps.logger }));
    add(
      await startHousekeepingWorker({
        connection: deps.connection,
        prefix,
        queues: deps.queues,
        logger: deps.logger,
        housekeeping: createHousekeepingService({
          db: deps.db,
          clock,
          retentionDays: deps.config.env.PERSONAL_DATA_RETENTION_DAYS,
          mailFolder: deps.config.notifications.mail.kind === 'folder' ? deps.config.notifications.mail.dir : null,
        }),
      }),
    );
    add(
      await startFinanceWorker({
        connection: deps.connection,
        prefix,
        queues: deps.queues,
        clock,
        logger: deps.logger,
        ledgerImport,
        reconciliation: createReconciliation({
          db: deps.db,
          importRange: (range) => ledgerImport.importRange(range),
          clock,
          graceMs: RECONCILIATION_GRACE_MS,
          embedded: deps.databaseKind === 'pglite',
        }),
      }),
    );
    add(
      await startPlanningWorker({
        connection: deps.connection,
        prefix,
        queues: deps.queues,
        logger: deps.logger,
        ...createPlanningServices(
          deps.config.planning,
          deps.db,
          deps.queues,
          clock,
          deps.config.dispatch.offerMinutes,
          metrics?.observePlanSolve,
        ),
      }),
    );
    add(
      await startDispatchWorker({
        connection: deps.connection,
        prefix,
        queues: deps.queues,
        logger: deps.logger,
        dispatch: createDispatchService({
          db: deps.db,
          clock,
          settings: deps.config.dispatch,
          afterOffers: (offers) => scheduleOfferDeadlines(deps.queues, offers, clock()),
        }),
      }),
    );
    const webhooks = deps.config.webhooks;
    add(
      ...(await startWebhooksWorkers({
        connection: deps.connection,
        prefix,
        queues: deps.queues,
        delivery: createWebhooksDelivery({ db: deps.db, config: webhooks, clock, onAttempt: metrics?.countWebhookAttempt }),
        relay: createWebhookRelay({ db: deps.db, queues: deps.queues, clock }),
        concurrency: webhooks.concurrency,
        relayEveryMs: webhooks.relayEveryMs,
        retryDelaysMs: webhooks.retryDelaysMs,
        logger: deps.logger,
      })),
    );
    if (notifications) {
      add(
        ...(await startNotificationsWorkers({
          connection: deps.connection,
          prefix,
          queues: deps.queues,
          sender: notifications.sender,
          relay: notifications.relay,
          relayEveryMs: deps.config.notifications.relayEveryMs,
          logger: deps.logger,
        })),
      );
    }
  } catch (err) {
    // The ones already running must not keep taking jobs in a process that failed to start.
    await close().catch(() => {});
    throw err;
  }
  return { workers, close };
}
