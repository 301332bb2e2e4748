import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, NEAR, api, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';

/**
 * What Fastify's router and Node's HTTP parser answer on their own, before any route or hook
 * runs, tested through the real listener: the same error shape as everything else, a request id,
 * and nothing of the (long) input echoed back.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  body: any;
}

/** Sends bytes as they are (no client library that would fix or refuse them) and reads until the server closes. */
function rawRequest(p: TestPlatform, bytes: string): Promise<RawResponse> {
  const { hostname, port } = new URL(p.address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const text = rest.join('\r\n\r\n');
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text, body: text ? JSON.parse(text) : null });
    });
    socket.end(bytes);
  });
}

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

  it('headers larger than Node accepts are a 431 request.headers_too_large with a fresh request id', async () => {
    const huge = 'h'.repeat(20_000);
    const res = await fetch(`${p.address}/v1/health`, { headers: { 'x-padding': huge } });
    const text = await res.text();
    const body = JSON.parse(text);
    expectShaped({ status: res.status, body }, 431, 'request.headers_too_large');
    expect(body.error.requestId).toMatch(UUID);
    expect(res.headers.get('x-request-id')).toBe(body.error.requestId);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).not.toContain('hhhhhhhhhh');
  });

  it('two oversized requests get two different request ids', async () => {
    const send = () => rawRequest(p, `GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'h'.repeat(20_000)}\r\n\r\n`);
    const [a, b] = [await send(), await send()];
    expectShaped(a, 431, 'request.headers_too_large');
    expectShaped(b, 431, 'request.headers_too_large');
    expect(a.body.error.requestId).not.toBe(b.body.error.requestId);
  });

  it('bytes that are not HTTP are a 400 request.malformed, not a bare "Bad Request"', async () => {
    for (const bytes of [
      'HELLO\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: localhost\r\nThis is no header\r\n\r\n',
      'POST /v1/quotes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]) {
      const res = await rawRequest(p, bytes);
      expectShaped(res, 400, 'request.malformed');
      expect(res.body.error.requestId).toMatch(UUID);
      expect(res.headers['x-request-id']).toBe(res.body.error.requestId);
    }
  });

  it('a path parameter longer than the router takes is a 414 request.path_segment_too_long that does not repeat the URL', async () => {
    const long = 'p'.repeat(2000);
    const res = await api(p, 'GET', `/v1/bookings/${long}`, { headers: { 'x-request-id': 'trace-414' } });
    expectShaped(res, 414, 'request.path_segment_too_long');
    expect(res.body.error.requestId).toBe('trace-414');
    expect(res.headers.get('x-request-id')).toBe('trace-414');
    expect(JSON.stringify(res.body)).not.toContain('pppppppppp');
  });

  it('percent-encoding that does not decode (%zz) is a 400 request.bad_url that does not repeat the URL', async () => {
    for (const path of ['/v1/bookings/%zz', `/v1/bookings/%zz${'u'.repeat(3000)}`, '/v1/offices/%E0%A4%A']) {
      const res = await api(p, 'GET', path);
      expectShaped(res, 400, 'request.bad_url');
      expect(res.body.error.requestId).toMatch(UUID);
      expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
      expect(JSON.stringify(res.body)).not.toContain('%zz');
      expect(JSON.stringify(res.body)).not.toContain('uuuuuuuuuu');
    }
  });

  it('a request line Node cannot parse is a 400 request.malformed that does not repeat it', async () => {
    const res = await rawRequest(p, `GET nonsense-${'t'.repeat(1000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expectShaped(res, 400, 'request.malformed');
    expect(res.text).not.toContain('tttttttttt');
  });

  it('an HTTP/1.1 request without Host is a 400 request.missing_host; HTTP/1.0 needs none', async () => {
    const res = await rawRequest(p, 'GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n');
    expectShaped(res, 400, 'request.missing_host');
    expect(res.headers['x-request-id']).toBe(res.body.error.requestId);
    const old = await rawRequest(p, 'GET /v1/nothing HTTP/1.0\r\n\r\n');
    expectShaped(old, 404, 'route.not_found');
  });

  it('an Expect header other than 100-continue is a 417 request.expectation_failed', async () => {
    const res = await rawRequest(p, 'GET /v1/health HTTP/1.1\r\nHost: localhost\r\nExpect: the-unexpected\r\nConnection: close\r\n\r\n');
    expectShaped(res, 417, 'request.expectation_failed');
    expect(res.body.error.requestId).toMatch(UUID);
    expect(res.headers['x-request-id']).toBe(res.body.error.requestId);
    expect(res.text).not.toContain('the-unexpected');
  });

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
