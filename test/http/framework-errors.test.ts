import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, NEAR, api, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';

/**
 * Error answers through the real listener: the error shape, a request id, and nothing of the
 * (long) input echoed back.
 */

function expectShaped(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String), requestId: expect.any(String) } });
}

describe('error answers, also those given before a route runs, have the error shape and echo nothing long', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => p?.close());

  it('an unknown route quotes at most 200 characters of its path', async () => {
    const res = await api(p, 'GET', `/v1/nothing/${'n'.repeat(5000)}?token=secret`);
    expectShaped(res, 404, 'route.not_found');
    expect(res.body.error.message.length).toBeLessThan(250);
    expect(res.body.error.message).toMatch(/^No route GET \/v1\/nothing\/n+…$/);
    expect(res.body.error.message).not.toContain('secret');
  });

  it('an unknown field with a very long name is named in the details, cut to 200 characters', async () => {
    const { office } = await seedOffice(p.db);
    const key = 'k'.repeat(5000);
    const res = await api(p, 'POST', '/v1/quotes', { body: { officeId: office.id, address: ADDRESS, location: NEAR, [key]: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid_body');
    expect(res.body.error.details[0].params.additionalProperty).toBe(`${'k'.repeat(199)}…`);
    expect(JSON.stringify(res.body).length).toBeLessThan(1000);
  });
});
