import { describe, expect } from 'vitest';
import { createLogCapture } from '../helpers/log-capture.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api } from '../helpers/test-platform.ts';

const logs = createLogCapture();
const test = platformTest({ logger: logs.logger });

/** What a driver may say: a host, a user and a password, none of which a probe's caller should see. */
const DRIVER_MESSAGE = 'WRONGPASS invalid password for redis://amtsbote:s3cret-pw@10.20.30.40:6379';

describe('health probes', () => {
  test('/health/live answers while the process runs', async ({ p }) => {
    const res = await api(p, 'GET', '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('/health/ready is 200 with the database and Redis checks ok', async ({ p }) => {
    const res = await api(p, 'GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { status: 'ok' }, redis: { status: 'ok' } }, stripeSandbox: true });
  });

  test('/health/ready is 503 naming the failing check when Redis is gone; the driver message goes to the log only', async ({ p }) => {
    // The connection itself stays up (close() needs it); only its answer to the probe fails.
    const original = p.redis.ping.bind(p.redis);
    p.redis.ping = (async () => {
      throw new Error(DRIVER_MESSAGE);
    }) as typeof p.redis.ping;
    logs.lines.length = 0;
    try {
      const res = await api(p, 'GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'not_ready',
        checks: { database: { status: 'ok' }, redis: { status: 'failing', error: expect.stringMatching(/^Redis does not answer/) } },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/WRONGPASS|s3cret|10\.20\.30\.40/);
      expect(logs.lines.some((l) => l.includes('readiness check failed') && l.includes('WRONGPASS'))).toBe(true);
    } finally {
      p.redis.ping = original;
    }
    expect((await api(p, 'GET', '/health/ready')).status).toBe(200);
  });

  test('/health/ready is 503 when the database does not answer, with a fixed message', async ({ p }) => {
    const original = p.database.ping;
    p.database.ping = async () => {
      throw new Error('password authentication failed for user "amtsbote" at db.internal:5432');
    };
    try {
      const res = await api(p, 'GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.checks).toEqual({
        database: { status: 'failing', error: expect.stringMatching(/^The database does not answer/) },
        redis: { status: 'ok' },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|amtsbote|db\.internal/);
    } finally {
      p.database.ping = original;
    }
  });
});
