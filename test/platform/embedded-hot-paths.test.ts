import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { demoCredentialsPath } from '../../src/demo/demo-staff.ts';
import { createPlatform, type Platform } from '../../src/platform.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { TEST_REDIS_URL } from '../helpers/test-env.ts';
import { must } from '../helpers/must.ts';

// The statements of the hot paths (the quote's office with its closing days, tracking in one
// statement with JSON subqueries, the staff list with its payment and holds beside each row) on
// the embedded database `npm start` uses when no DATABASE_URL is set.
describe('quote, booking, payment, tracking and the staff list on the embedded database (PGlite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amtsbote-embedded-hot-'));
  let platform: Platform;
  let base: string;
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    const config = loadConfig({
      DATA_DIR: dir,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      PORT: '0',
      STRIPE_SANDBOX_PORT: '0',
    });
    platform = await createPlatform(config, { api: 'listen', migrate: true, seedDemo: true }, { logger: createLogCapture().logger });
    base = must(platform.address, 'platform.address');
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each as on PostgreSQL', async () => {
    const office = must(
      (await call('GET', '/v1/offices')).body.data.find((o: { slug: string }) => o.slug === 'stuttgart-mitte'),
      'demo office',
    );
    const address = { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
    const quote = await call('POST', '/v1/quotes', { officeId: office.id, address, location: [9.1773, 48.7754] });
    expect(quote.status).toBe(201);
    const days = quote.body.deliverySlots.days as { windows: { start: string; end: string }[] }[];
    expect(days).toHaveLength(28);
    const window = must(days.flatMap((d) => d.windows)[0], 'a delivery window');

    const booking = await call(
      'POST',
      '/v1/bookings',
      {
        quoteId: quote.body.id,
        vehicleType: 'bike',
        applicationNumber: `A${randomBytes(5).toString('hex').toUpperCase()}`,
        documentType: 'passport',
        recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
        address,
        preferredWindows: [window],
        consent: { powerOfAttorney: true, textVersion: '2026-01' },
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(booking.status).toBe(201);
    const token = { 'tracking-token': booking.body.trackingToken as string };

    const unpaid = await call('GET', '/v1/tracking', undefined, token);
    expect(unpaid.body).toMatchObject({ status: 'awaiting_payment', window, nextSteps: [{ code: 'pay' }] });
    expect(unpaid.body.nextSteps[0].payUrl).toMatch(/\/sandbox\/pay\//);

    const stripe = new Stripe('sk_test_embedded', { ...must(platform.sandbox, 'sandbox').clientOptions() });
    await stripe.paymentIntents.confirm(booking.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await must(platform.sandbox, 'sandbox').flushWebhooks();
    const paid = await call('GET', '/v1/tracking', undefined, token);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.history.map((h: { status: string }) => h.status)).toEqual(['awaiting_payment', 'paid']);
    for (const h of paid.body.history as { at: string }[]) expect(Number.isNaN(Date.parse(h.at))).toBe(false);

    const password = must(/^clerk +(\S+)/m.exec(readFileSync(demoCredentialsPath(dir), 'utf8'))?.[1], 'clerk password');
    const session = await call('POST', '/v1/auth/sessions', { username: 'clerk', password });
    const list = await call('GET', '/v1/bookings?limit=5', undefined, { authorization: `Bearer ${session.body.token}` });
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toMatchObject({
      id: booking.body.booking.id,
      status: 'paid',
      postalCode: '70173',
      payment: { status: 'succeeded', amountReceivedCents: booking.body.booking.amountCents, amountRefundedCents: 0, disputed: false },
      openHolds: [],
    });
  }, 60_000);
});
