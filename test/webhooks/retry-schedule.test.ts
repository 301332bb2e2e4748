import { describe, expect, test } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS, loadConfig } from '../../src/config/config.ts';
import { nextRetryDelayMs, parseRetryAfterMs } from '../../src/webhooks/retry-schedule.ts';

const now = new Date('2026-12-01T10:00:00Z');
const schedule = { retryDelaysMs: DEFAULT_WEBHOOK_RETRY_DELAYS_MS, retryAfterMaxMs: 36_000_000 };

describe('when a failed webhook delivery is tried again', () => {
  test('the default schedule is 8 attempts over about 28 hours: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(DEFAULT_WEBHOOK_RETRY_DELAYS_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(loadConfig({}).webhooks.retryDelaysMs).toEqual(DEFAULT_WEBHOOK_RETRY_DELAYS_MS);
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => nextRetryDelayMs(schedule, a, null, now))).toEqual(DEFAULT_WEBHOOK_RETRY_DELAYS_MS);
    expect(nextRetryDelayMs(schedule, 8, null, now)).toBeNull();
    const total = DEFAULT_WEBHOOK_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(total).toBeGreaterThan(27);
    expect(total).toBeLessThan(29);
  });

  test('Retry-After in seconds or as an HTTP date makes the wait longer, never shorter, and at most the cap', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Tue, 01 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    for (const junk of ['soon', '-5', '1.5', '2026-12-01', '']) expect(parseRetryAfterMs(junk, now), junk).toBeNull();
    expect(nextRetryDelayMs(schedule, 1, '120', now)).toBe(120_000);
    expect(nextRetryDelayMs(schedule, 2, '1', now)).toBe(300_000);
    expect(nextRetryDelayMs(schedule, 1, String(30 * 24 * 3600), now)).toBe(36_000_000);
  });

  test('the schedule and the allow-list come from the environment, and a wrong value names its variable', () => {
    const c = loadConfig({
      WEBHOOK_RETRY_DELAYS_MS: '10, 20,30',
      WEBHOOK_ALLOWED_HOSTS: 'receiver.internal, 127.0.0.1, 10.0.0.0/8, [::1]',
    });
    expect(c.webhooks.retryDelaysMs).toEqual([10, 20, 30]);
    expect(c.webhooks.allowedHosts).toEqual({ hostnames: ['receiver.internal'], addresses: ['127.0.0.1', '10.0.0.0/8', '::1'] });
    expect(loadConfig({ NODE_ENV: 'production' }).webhooks.requireHttps).toBe(true);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/33' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => loadConfig({ WEBHOOK_RETRY_DELAYS_MS: '5s' })).toThrow(/WEBHOOK_RETRY_DELAYS_MS/);
  });
});
