import { describe, expect } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, NEAR, api, seedOffice } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ env: { RATE_LIMIT_PER_MINUTE: '3' } });

describe('rate limits', () => {
  let officeId: string;
  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  test('a client asking for quotes too fast gets 429 with the standard error shape', async ({ p }) => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const fifth = must(last, 'the fifth response');
    expect(fifth.body.error).toMatchObject({ code: 'request.rate_limited', requestId: expect.any(String) });
    expect(fifth.headers.get('retry-after')).toBeTruthy();
  });

  test('staff operations are not limited by the citizen limit', async ({ p }) => {
    const admin = await p.staff(['admin'], null);
    for (let i = 0; i < 5; i++) {
      const res = await api(p, 'GET', '/v1/staff', { headers: admin.headers });
      expect(res.status).toBe(200);
    }
  });

  test('a client cannot walk around the sign-in limit by inventing X-Forwarded-For addresses', async ({ p }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api(p, 'POST', '/v1/auth/sessions', {
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        body: { username: 'nobody-here', password: 'wrong password' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
