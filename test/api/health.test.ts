import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';

describe('health probes', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => p?.close());

  it('/health/live answers while the process runs', async () => {
    const res = await api(p, 'GET', '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/health/ready is 200 with the database and Redis checks ok', async () => {
    const res = await api(p, 'GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { status: 'ok' }, redis: { status: 'ok' } }, stripeSandbox: true });
  });

  it('/health/ready is 503 naming the failing check when Redis is gone', async () => {
    // The connection itself stays up (close() needs it); only its answer to the probe fails.
    const original = p.redis.ping.bind(p.redis);
    p.redis.ping = (async () => {
      throw new Error('connect ECONNREFUSED');
    }) as typeof p.redis.ping;
    try {
      const res = await api(p, 'GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'not_ready',
        checks: { database: { status: 'ok' }, redis: { status: 'failing', error: expect.stringContaining('ECONNREFUSED') } },
      });
    } finally {
      p.redis.ping = original;
    }
    expect((await api(p, 'GET', '/health/ready')).status).toBe(200);
  });
});
