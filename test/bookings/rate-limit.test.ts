import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, NEAR, api, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';

describe('rate limits', () => {
  let p: TestPlatform;
  let officeId: string;
  beforeAll(async () => {
    p = await startTestPlatform({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });
  afterAll(async () => p?.close());

  it('a client asking for quotes too fast gets 429 with the standard error shape', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(last!.body.error).toMatchObject({ code: 'request.rate_limited', requestId: expect.any(String) });
    expect(last!.headers.get('retry-after')).toBeTruthy();
  });

  it('staff operations are not limited by the citizen limit', async () => {
    const admin = await p.staff(['admin'], null);
    for (let i = 0; i < 5; i++) {
      const res = await api(p, 'GET', '/v1/staff', { headers: admin.headers });
      expect(res.status).toBe(200);
    }
  });
});
