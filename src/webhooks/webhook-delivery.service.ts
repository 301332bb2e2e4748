import type { WebhooksConfig } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import { createCouriersRepository } from '../couriers/couriers.repository.ts';
import { webhookHeaders } from '../couriers/webhook-signature.ts';
import { eventBody } from './outbox.ts';
import { nextRetryDelayMs } from './retry-schedule.ts';
import type { WebhookUrlPolicy } from './ssrf-guard.ts';
import type { NoAnswerReason, SendResult, SendWebhook } from './webhook-sender.ts';
import { createWebhooksRepository, type EventRef } from './webhooks.repository.ts';

export type DeliveryOutcome =
  | { outcome: 'delivered'; attemptNo: number }
  /** Round over (replayed, delivered or dead meanwhile): a leftover job. */
  | { outcome: 'skipped' }
  /** The company takes no deliveries now (no URL, or disabled by a 410): the event waits for a new round. */
  | { outcome: 'parked' }
  /** This attempt got a 410: the endpoint is disabled, the event waits. */
  | { outcome: 'endpoint_disabled'; attemptNo: number }
  | { outcome: 'retry'; attemptNo: number; delayMs: number }
  | { outcome: 'dead'; attemptNo: number };

/**
 * How one attempt went, in a few fixed words for counting (metrics): an answer by status class,
 * no answer by reason, or `blocked` when the SSRF guard refused the URL or the address it resolved to.
 */
export type AttemptResult =
  | 'success'
  | 'http_1xx'
  | 'http_3xx'
  | 'http_4xx'
  | 'http_5xx'
  | 'http_other'
  | Exclude<NoAnswerReason, 'address_refused'>
  | 'blocked'
  | 'no_signing_secret';

/** One attempt, as it was recorded: its result and what follows for the event. */
export interface DeliveryAttemptReport {
  result: AttemptResult;
  outcome: 'delivered' | 'endpoint_disabled' | 'retry' | 'dead';
}

type AttemptSendResult = SendResult | { kind: 'refused'; reason: string };

export function attemptResult(result: AttemptSendResult): AttemptResult {
  if (result.kind === 'refused') return result.reason === 'no_signing_secret' ? 'no_signing_secret' : 'blocked';
  if (result.kind === 'no_answer') return result.reason === 'address_refused' ? 'blocked' : result.reason;
  const s = result.status;
  if (s >= 200 && s < 300) return 'success';
  if (s >= 100 && s < 200) return 'http_1xx';
  if (s >= 300 && s < 400) return 'http_3xx';
  if (s >= 400 && s < 500) return 'http_4xx';
  if (s >= 500 && s < 600) return 'http_5xx';
  return 'http_other';
}

/**
 * One delivery attempt of an outbound event, recorded in the database before the caller hears the
 * outcome: the row says delivered / dead / when the next attempt is due, and each attempt is kept
 * (time, status, latency, a bounded excerpt of the answer). Knows nothing of BullMQ: the worker
 * gives the attempt's number within its round and turns `retry` into the queue's backoff.
 */
export function createWebhookDeliveryService(deps: {
  db: Database;
  config: Pick<WebhooksConfig, 'retryDelaysMs' | 'retryAfterMaxMs'>;
  policy: WebhookUrlPolicy;
  send: SendWebhook;
  clock: () => Date;
  /** Told each attempt after it is recorded (the worker counts them); must not throw. */
  onAttempt?: (report: DeliveryAttemptReport) => void;
}) {
  const { db, clock } = deps;
  const report = (result: AttemptSendResult, outcome: DeliveryAttemptReport['outcome']) =>
    deps.onAttempt?.({ result: attemptResult(result), outcome });
  const maxAttempts = deps.config.retryDelaysMs.length + 1;

  return {
    maxAttempts,

    /** `attemptInRound`: 1 for the first attempt of the round (BullMQ's attemptsMade + 1). */
    async deliver(ref: EventRef, attemptInRound: number): Promise<DeliveryOutcome> {
      const repo = createWebhooksRepository(db);
      const found = await repo.forDelivery(ref.id);
      if (!found || found.event.status !== 'pending' || found.event.round !== ref.round) return { outcome: 'skipped' };
      const { event, company } = found;
      if (!company.webhookUrl || company.webhookDisabledAt) {
        // Waits for the next round: the relay hands it over when the endpoint is open again.
        await repo.nextRound(ref, clock(), { handedOver: false });
        return { outcome: 'parked' };
      }
      const attemptNo = await repo.claimAttempt(ref);
      if (attemptNo === null) return { outcome: 'skipped' };

      const startedAt = clock();
      const problem = deps.policy.problem(company.webhookUrl);
      const secrets = problem ? [] : (await createCouriersRepository(db).signingSecrets(company.id, startedAt)).map((s) => s.secret);
      let result: AttemptSendResult;
      if (problem) result = { kind: 'refused', reason: `url_${problem}` };
      else if (secrets.length === 0) result = { kind: 'refused', reason: 'no_signing_secret' };
      else {
        const body = eventBody(event);
        const headers = webhookHeaders(secrets, { id: event.id, timestamp: Math.floor(startedAt.getTime() / 1000), body });
        result = await deps.send({ url: company.webhookUrl, headers, body });
      }

      const now = clock();
      const attempt = {
        eventId: event.id,
        attemptNo,
        round: ref.round,
        startedAt,
        latencyMs: result.kind === 'refused' ? 0 : result.latencyMs,
        statusCode: result.kind === 'answered' ? result.status : null,
        error: result.kind === 'answered' ? (result.status >= 200 && result.status < 300 ? null : `http_${result.status}`) : result.reason,
        responseExcerpt: result.kind === 'answered' ? result.excerpt : null,
      };

      if (result.kind === 'answered' && result.status >= 200 && result.status < 300) {
        await db.transaction(async (tx) => {
          const r = createWebhooksRepository(tx);
          await r.insertAttempt({ ...attempt, outcome: 'delivered' });
          await r.updateRound(ref, {
            status: 'delivered',
            deliveredAt: now,
            nextAttemptAt: null,
            lastStatusCode: result.status,
            lastError: null,
          });
        });
        report(result, 'delivered');
        return { outcome: 'delivered', attemptNo };
      }

      if (result.kind === 'answered' && result.status === 410) {
        await db.transaction(async (tx) => {
          const r = createWebhooksRepository(tx);
          await r.insertAttempt({ ...attempt, outcome: 'gone' });
          await r.updateRound(ref, { lastStatusCode: 410, lastError: 'http_410' });
          await r.disableEndpoint(company.id, `410 Gone answered to event ${event.id}`, now);
          // This event waits like the others and goes out again once the endpoint is enabled.
          await r.nextRound(ref, now, { handedOver: false });
        });
        report(result, 'endpoint_disabled');
        return { outcome: 'endpoint_disabled', attemptNo };
      }

      const delayMs =
        attemptInRound >= maxAttempts
          ? null
          : nextRetryDelayMs(deps.config, attemptInRound, result.kind === 'answered' ? result.retryAfter : null, now);
      await db.transaction(async (tx) => {
        const r = createWebhooksRepository(tx);
        await r.insertAttempt({ ...attempt, outcome: result.kind === 'refused' ? 'refused' : 'failed' });
        const last = { lastStatusCode: attempt.statusCode, lastError: attempt.error };
        await r.updateRound(
          ref,
          delayMs === null
            ? { ...last, status: 'dead', deadAt: now, nextAttemptAt: null }
            : { ...last, nextAttemptAt: new Date(now.getTime() + delayMs) },
        );
      });
      report(result, delayMs === null ? 'dead' : 'retry');
      return delayMs === null ? { outcome: 'dead', attemptNo } : { outcome: 'retry', attemptNo, delayMs };
    },
  };
}

export type WebhookDeliveryService = ReturnType<typeof createWebhookDeliveryService>;
