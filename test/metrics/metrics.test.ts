import { describe, expect } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice } from '../helpers/test-platform.ts';
import { sample } from './samples.ts';

const TOKEN = 'metrics-token-for-the-test-0123';
const test = platformTest({ workers: false, env: { METRICS_TOKEN: TOKEN } });

describe('GET /metrics', () => {
  test('only with the bearer token; HTTP by operation, Stripe events by type, queue depths and bookings by status', async ({ p }) => {
    expect((await api(p, 'GET', '/metrics')).status).toBe(401);
    expect((await api(p, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-of-the-same-size' } })).status).toBe(401);

    const { office } = await seedOffice(p.db);
    await createPaidBooking(p, office.id);
    await createPaidBooking(p, office.id, { pay: false });
    const res = await fetch(`${p.address}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();

    // Requests by operation id, never by raw URL (no ids in labels).
    expect(
      sample(text, 'amtsbote_http_request_duration_seconds_count', 'operation="createQuote",method="POST",status="201"'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'amtsbote_http_request_duration_seconds_count', 'operation="createBooking",method="POST",status="201"'),
    ).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/operation="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);
    // The paid booking's PaymentIntent succeeded through the verified webhook.
    expect(sample(text, 'amtsbote_stripe_events_total', 'type="payment_intent.succeeded",outcome="booking_paid"')).toBeGreaterThanOrEqual(
      1,
    );
    // Read when scraped: every queue has its states; the bookings of the whole (shared) test database by status.
    expect(sample(text, 'amtsbote_queue_jobs', 'queue="payments",state="delayed"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'amtsbote_bookings', 'status="paid"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'amtsbote_bookings', 'status="awaiting_payment"')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('amtsbote_api_process_cpu_seconds_total');
  });
});
