import { describe, expect } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api } from '../helpers/test-platform.ts';

const test = platformTest({ workers: false });

describe('GET /metrics without METRICS_TOKEN', () => {
  test('does not exist: no figures without a token configured', async ({ p }) => {
    expect((await api(p, 'GET', '/metrics')).status).toBe(404);
    expect((await api(p, 'GET', '/metrics', { headers: { authorization: 'Bearer anything-at-all-1234' } })).status).toBe(404);
  });
});
