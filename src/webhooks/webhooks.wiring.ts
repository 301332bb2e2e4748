import type { WebhooksConfig } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import { createWebhookUrlPolicy } from './ssrf-guard.ts';
import { createWebhookDeliveryService, type DeliveryAttemptReport } from './webhook-delivery.service.ts';
import { createWebhookSender } from './webhook-sender.ts';

/** The delivery service with the real sender behind the SSRF guard (what the worker runs). */
export function createWebhooksDelivery(deps: {
  db: Database;
  config: WebhooksConfig;
  clock: () => Date;
  onAttempt?: (report: DeliveryAttemptReport) => void;
}) {
  const guard = createWebhookUrlPolicy(deps.config);
  return createWebhookDeliveryService({
    db: deps.db,
    config: deps.config,
    policy: guard,
    send: createWebhookSender({ guard, timeoutMs: deps.config.timeoutMs }),
    clock: deps.clock,
    onAttempt: deps.onAttempt,
  });
}
