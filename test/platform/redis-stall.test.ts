import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDRESS, NEAR, api, bookingBody, seedOffice, startTestPlatform } from '../helpers/test-platform.ts';
import { freePort } from '../helpers/webhook-receiver.ts';

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a Redis that stops answering', () => {
  let server: ChildProcess | undefined;
  let platform: Awaited<ReturnType<typeof startTestPlatform>> | undefined;
  // Also when the test fails on its timeout, before its own finally has run.
  afterAll(async () => {
    server?.kill('SIGCONT');
    await platform?.close();
    server?.kill('SIGKILL');
  });

  it('holds a quote about a second and a booking a few, not until it answers again; the held expiry job lands then', async () => {
    // A Redis of its own, so stopping it (SIGSTOP: connections stay open, nothing answers) touches
    // no other test file.
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
    probe.on('error', () => {});
    let notStarted: Error | undefined;
    server.on('error', (err) => (notStarted = err));
    try {
      await until(() => {
        if (notStarted) throw new Error(`redis-server did not start: ${notStarted.message}`);
        return probe.ping().then(
          () => true,
          () => false,
        );
      }, 10_000);
      const p = (platform = await startTestPlatform({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } }));
      const { office } = await seedOffice(p.db);
      const quoteBody = { officeId: office.id, address: ADDRESS, location: NEAR };
      const quote = await api(p, 'POST', '/v1/quotes', { body: quoteBody });
      expect(quote.status).toBe(201);

      server.kill('SIGSTOP');
      let bookingId: string;
      try {
        const t0 = performance.now();
        const second = await api(p, 'POST', '/v1/quotes', { body: quoteBody });
        const quoteMs = performance.now() - t0;
        const t1 = performance.now();
        const booking = await api(p, 'POST', '/v1/bookings', {
          body: bookingBody(quote.body.id),
          headers: { 'idempotency-key': randomUUID() },
        });
        const bookingMs = performance.now() - t1;
        expect(second.status).toBe(201);
        expect(booking.status).toBe(201);
        bookingId = booking.body.booking.id;
        // The rate limit's wait (1 s); for the booking also the expiry job's (2 s). The upper
        // bounds leave room for a busy machine; without the waits' bounds both wait for SIGCONT.
        expect(quoteMs).toBeGreaterThanOrEqual(900);
        expect(quoteMs).toBeLessThan(4_000);
        expect(bookingMs).toBeLessThan(8_000);
      } finally {
        server.kill('SIGCONT');
      }
      // The connection kept the job's commands: they run once Redis answers again.
      const jobKey = `${p.config.env.QUEUE_PREFIX}:payments:expire-booking_${bookingId}`;
      await until(async () => (await probe.exists(jobKey)) === 1, 10_000);
    } finally {
      server.kill('SIGCONT');
      await platform?.close();
      platform = undefined;
      probe.disconnect();
      server.kill('SIGKILL');
    }
  }, 60_000);
});
