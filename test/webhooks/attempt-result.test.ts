import { describe, expect, test } from 'vitest';
import { attemptResult } from '../../src/webhooks/webhook-delivery.service.ts';

const answered = (status: number) => ({ kind: 'answered' as const, status, retryAfter: null, excerpt: null, latencyMs: 1 });

describe('an attempt in a few fixed words, for the metrics', () => {
  test('answers by status class', () => {
    expect([200, 204, 301, 404, 410, 429, 500, 503, 0, 99, 700].map((s) => attemptResult(answered(s)))).toEqual([
      'success',
      'success',
      'http_3xx',
      'http_4xx',
      'http_4xx',
      'http_4xx',
      'http_5xx',
      'http_5xx',
      'http_other',
      'http_other',
      'http_other',
    ]);
  });

  test('no answer by reason; the SSRF guard refusing the URL or the address it resolved to is `blocked`', () => {
    expect(attemptResult({ kind: 'no_answer', reason: 'timeout', latencyMs: 1 })).toBe('timeout');
    expect(attemptResult({ kind: 'no_answer', reason: 'dns_failed', latencyMs: 1 })).toBe('dns_failed');
    expect(attemptResult({ kind: 'no_answer', reason: 'address_refused', latencyMs: 1 })).toBe('blocked');
    expect(attemptResult({ kind: 'refused', reason: 'url_address_not_allowed' })).toBe('blocked');
    expect(attemptResult({ kind: 'refused', reason: 'url_https_required' })).toBe('blocked');
    expect(attemptResult({ kind: 'refused', reason: 'no_signing_secret' })).toBe('no_signing_secret');
  });
});
