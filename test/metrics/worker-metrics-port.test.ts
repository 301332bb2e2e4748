import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createPlatform, type Platform } from '../../src/platform.ts';
import { eventually } from '../helpers/test-platform.ts';
import { TEST_REDIS_URL, testDatabaseUrl } from '../helpers/test-env.ts';
import { must } from '../helpers/must.ts';
import { sample } from './samples.ts';

const TOKEN = 'worker-metrics-token-for-the-test';

describe('a worker process on its own (start:workers) serves its metrics on METRICS_PORT', () => {
  let platform: Platform;
  let url: string;
  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'silent',
      NOTIFICATIONS: 'off',
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: '0',
    });
    // As workers/main.ts builds it: no API, the workers.
    platform = await createPlatform(
      config,
      { api: 'none', workers: true },
      { logger: pino({ level: 'silent' }), database: { maxConnections: 3 } },
    );
    url = `${must(platform.metricsAddress, 'the metrics address of a worker process with METRICS_PORT')}/metrics`;
  });
  afterAll(async () => {
    await platform?.close();
  });

  test('401 without the bearer token or with a wrong one; 404 elsewhere; 405 for a POST', async () => {
    expect(platform.address).toBeNull();
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'metrics.unauthorized', message: expect.any(String) } });
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-of-the-same-length!' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: TOKEN } })).status).toBe(401);
    expect((await fetch(url.replace('/metrics', '/'), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  test('200 with the token: its own Node figures and the jobs it ran', async () => {
    await platform.queues.queue('housekeeping').add('not-a-housekeeping-job', {}, { attempts: 1 });
    const scrape = async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(res.headers.get('cache-control')).toBe('no-store');
      return res.text();
    };
    const text = await eventually(
      scrape,
      (t) => (sample(t, 'amtsbote_job_duration_seconds_count', 'queue="housekeeping",job="unknown",outcome="failed"') ?? 0) >= 1,
      20_000,
    );
    expect(text).toContain('amtsbote_worker_process_cpu_seconds_total');
    // The API's figures are the API process's to show.
    expect(text).not.toContain('amtsbote_http_request_duration_seconds');
  });

  test('METRICS_PORT without METRICS_TOKEN does not start', () => {
    expect(() => loadConfig({ METRICS_PORT: '9464' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: '9464' })).toThrow(/METRICS_PORT needs METRICS_TOKEN/);
  });
});
