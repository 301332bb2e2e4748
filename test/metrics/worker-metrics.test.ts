import { describe, expect } from 'vitest';
import { appendOutboundEvent } from '../../src/webhooks/outbox.ts';
import { createWebhookRelay } from '../../src/webhooks/webhook-relay.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';
import { createShift, futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from '../planning/helpers.ts';
import { must } from '../helpers/must.ts';
import { sample, samplesOf } from './samples.ts';

const TOKEN = 'metrics-token-for-the-test-0123';
// API and workers in one process (as `npm start`): the API's /metrics shows the workers' figures too.
const test = platformTest({
  workers: true,
  env: {
    METRICS_TOKEN: TOKEN,
    // Ignored here (the API serves the metrics); a worker process on its own opens it (worker-metrics-port.test.ts).
    METRICS_PORT: '0',
    PLANNING_TIME_LIMIT_SECONDS: '1',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_DELAYS_MS: '100',
    WEBHOOK_RELAY_EVERY_MS: '200',
  },
});

const scrape = async (p: TestPlatform) => {
  const res = await fetch(`${p.address}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
};
/** Scrapes until the sample is there and at least `min`. */
const untilSample = (p: TestPlatform, name: string, labels: string, min = 1) =>
  eventually(
    () => scrape(p),
    (text) => (sample(text, name, labels) ?? 0) >= min,
    20_000,
  );

describe('worker metrics in the API process: job durations, webhook attempts, plan solve times', () => {
  const receivers: Receiver[] = [];
  test.afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  test('one process: no second metrics port, and Node figures only once (the API registry has them)', async ({ p }) => {
    expect(p.metricsAddress).toBeNull();
    const text = await scrape(p);
    expect(text).toContain('amtsbote_api_process_cpu_seconds_total');
    expect(text).not.toContain('amtsbote_worker_process_cpu_seconds_total');
    expect(text).toContain('# TYPE amtsbote_job_duration_seconds histogram');
  });

  test('a job of an unknown name fails at once: counted as failed under job="unknown", not its name', async ({ p }) => {
    await p.queues.queue('housekeeping').add('made-up-job-name-0123', {}, { attempts: 1 });
    const text = await untilSample(p, 'amtsbote_job_duration_seconds_count', 'queue="housekeeping",job="unknown",outcome="failed"');
    expect(text).not.toContain('made-up-job-name-0123');
  });

  test('webhook deliveries by result and outcome: a 204 delivered, a 500 retried; the jobs counted per queue', async ({ p }) => {
    const { bikeZone } = await seedOffice(p.db);
    const admin = await p.staff(['admin'], null);
    const company = async (status: (n: number) => number) => {
      let secret = '';
      const receiver = await startReceiver(
        () => secret,
        (_id, n) => ({ status: status(n) }),
      );
      receivers.push(receiver);
      const res = await api(p, 'POST', '/v1/courier-companies', {
        headers: admin.headers,
        body: {
          name: `Kurier ${receiver.port}`,
          vehicleTypes: ['bike'],
          zoneIds: [bikeZone.id],
          pricePerDeliveryCents: 600,
          pricePerFailedAttemptCents: 300,
          contact: { name: 'Dispo', email: 'dispo@example.org' },
          webhookUrl: `http://127.0.0.1:${receiver.port}/hooks`,
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      secret = res.body.signingSecret;
      return res.body.company.id as string;
    };
    const fine = await company(() => 204);
    const failingOnce = await company((n) => (n === 1 ? 500 : 204));
    for (const companyId of [fine, failingOnce]) {
      await p.db.transaction((tx) => appendOutboundEvent(tx, { companyId, type: 'route.cancelled', data: { routeId: 'r-metrics' } }));
    }
    await createWebhookRelay({ db: p.db, queues: p.queues, clock: p.clock }).relayPending();

    await untilSample(p, 'amtsbote_webhook_deliveries_total', 'result="http_5xx",outcome="retry"');
    const text = await untilSample(p, 'amtsbote_webhook_deliveries_total', 'result="success",outcome="delivered"', 2);
    // The delivery jobs: completed ones and the failed first attempt that was retried.
    expect(
      sample(text, 'amtsbote_job_duration_seconds_count', 'queue="webhooks",job="deliver-event",outcome="completed"'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'amtsbote_job_duration_seconds_count', 'queue="webhooks",job="deliver-event",outcome="retried"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'amtsbote_job_duration_seconds_count', 'queue="webhooks-relay",job="relay-pending",outcome="completed"'),
    ).toBeGreaterThanOrEqual(1);
    // No id, URL or port of a company in any label.
    const labels = samplesOf(text, 'amtsbote_webhook_deliveries_total').map((s) => s.labels);
    expect(labels.join(' ')).not.toMatch(/127\.0\.0\.1|msg_|[0-9a-f]{8}-[0-9a-f]{4}/);
  });

  test('a plan run: the solver wall time observed by outcome, the planning job by name', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], office.id);
    const date = futureDeliveryDate(3);
    await insertReadyBooking(p, office.id, {
      location: must(NEARBY[0], 'NEARBY[0]'),
      vehicleType: 'bike',
      windows: [localWindow(date, '09:00', '13:00')],
    });
    await createShift(p, office.id, supervisor.headers, { date, vehicleType: 'bike' });
    const requested = await api(p, 'POST', `/v1/offices/${office.id}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(requested.status).toBe(202);

    const text = await eventually(
      () => scrape(p),
      (t) => samplesOf(t, 'amtsbote_plan_solve_duration_seconds_count').some((s) => s.labels.startsWith('outcome="solved"')),
      30_000,
    );
    const solved = samplesOf(text, 'amtsbote_plan_solve_duration_seconds_count').filter((s) => s.labels.startsWith('outcome="solved"'));
    expect(solved.map((s) => s.labels)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^outcome="solved",stopped_by="(time_limit|iteration_limit)"$/)]),
    );
    const seconds = samplesOf(text, 'amtsbote_plan_solve_duration_seconds_sum').find((s) => s.labels === solved[0]?.labels);
    expect(seconds?.value).toBeGreaterThan(0);
    const planned = await untilSample(
      p,
      'amtsbote_job_duration_seconds_count',
      'queue="planning",job="plan-delivery-day",outcome="completed"',
    );
    expect(planned).toContain(
      'amtsbote_job_duration_seconds_bucket{le="600",queue="planning",job="plan-delivery-day",outcome="completed"}',
    );
  });
});
