import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { createCustodyRepository } from '../../src/custody/custody.repository.ts';
import { createCourierSim, type CourierSim, type SimOptions } from '../../src/courier-sim/courier-sim.ts';
import { localDate } from '../../src/shared/zoned-time.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, deliveryWindow, eventually, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { NEARBY } from '../planning/helpers.ts';
import { must } from '../helpers/must.ts';

/**
 * The whole way of a document, against the real platform (API, workers, outbound webhooks through
 * the SSRF guard, the Stripe sandbox) and the reference courier company (src/courier-sim) as an
 * integrator would run it: its own receiver verifying our signatures, its own HTTP calls.
 */
const test = platformTest({
  workers: true,
  env: {
    PLANNING_TIME_LIMIT_SECONDS: '1',
    // The sim's receiver listens on loopback: the operator names it (as COURIER_SIM=1 does for the demo).
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RELAY_EVERY_MS: '100',
    // The sim answers the first try of each webhook with 500 and the second too late: retries come quickly here.
    WEBHOOK_RETRY_DELAYS_MS: '100,200,200,200,200,200,200',
    WEBHOOK_TIMEOUT_MS: '1000',
  },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked field by field
type Json = any;
type Headers = { headers: Record<string, string> };

const TZ = 'Europe/Berlin';

describe('end to end: booking, payment, scan-in, plan, offer, four-eyes handover, delivery by the reference courier company', () => {
  let officeId: string;
  let clerk: Headers;
  let colleague: Headers;
  let supervisor: Headers;
  let admin: { username: string; password: string };
  let sim: CourierSim;
  let simPort: number;
  /** Jobs the sim's couriers find nobody at (the test decides the doors; the shares are for the soak). */
  const notHome = new Set<string>();
  const d1 = deliveryWindow(new Date(), 3);
  const d2 = deliveryWindow(new Date(Date.parse(d1.start) + 86_400_000), 0);
  const day1 = localDate(new Date(d1.start), TZ);
  const day2 = localDate(new Date(d2.start), TZ);

  const simOptions = (overrides: Partial<SimOptions>, p: TestPlatform): SimOptions => ({
    platformUrl: p.address,
    office: { id: officeId },
    host: '127.0.0.1',
    port: 0,
    timeFactor: 20_000,
    outcomes: { failedStops: 0, failedIdentityChecks: 0 },
    declineShare: 0,
    receiver: { slow: 0, serverError: 0, throttled: 0, slowMs: 0, retryAfterSeconds: 0 },
    transport: 'signed',
    seed: 7,
    pollMs: 100,
    doorSeconds: 120,
    courierRef: 'sim-rider-7',
    shiftDays: 0,
    shift: { vehicleCount: 1, capacity: 20 },
    ...overrides,
  });
  const startSim = async (p: TestPlatform, overrides: Partial<SimOptions>) => {
    const s = createCourierSim(simOptions(overrides, p), {
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      hooks: {
        decideStop: (stop) => (notHome.has(stop.jobId) ? { kind: 'failed', reason: 'not_home' } : { kind: 'delivered' }),
        // Every webhook: first a 500 (not processed, retried), then an answer after the platform's
        // timeout (processed, but retried again), then at once: the sim must act on it once.
        answerWebhook: (_id, n) =>
          n === 1 ? { kind: 'server_error' } : n === 2 ? { kind: 'accept', delayMs: 1_500 } : { kind: 'accept', delayMs: 0 },
      },
    });
    return { sim: s, started: await s.start() };
  };

  test.beforeAll(async ({ p }) => {
    officeId = (await seedOffice(p.db)).office.id;
    clerk = await p.staff(['clerk'], officeId);
    colleague = await p.staff(['clerk'], officeId);
    supervisor = await p.staff(['supervisor'], officeId);
    admin = { username: `adm-${randomBytes(4).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` };
    await p.auth.createStaffUser({ ...admin, displayName: 'E2E Admin', roles: ['admin'], officeId: null, actorId: null });
    // The sim signs in as admin through the auth API and registers itself with all zones of the office.
    const started = await startSim(p, {
      register: {
        adminUsername: admin.username,
        adminPassword: admin.password,
        companyName: `Sim ${randomBytes(3).toString('hex')}`,
        vehicleTypes: ['bike', 'ecar'],
      },
    });
    sim = started.sim;
    simPort = started.started.port;
  });

  test.afterAll(async () => {
    await sim?.close();
  });

  async function paidBooking(p: TestPlatform, overrides: Record<string, unknown>, location: [number, number] = NEAR) {
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location } });
    const body = bookingBody(quote.body.id, overrides);
    const created = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await p.stripe.paymentIntents.confirm(created.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
    const tracking = { 'tracking-token': created.body.trackingToken as string };
    await eventually(
      () => api(p, 'GET', '/v1/tracking', { headers: tracking }),
      (r) => r.body?.status === 'paid',
    );
    return { id: created.body.booking.id as string, applicationNumber: body.applicationNumber, tracking };
  }

  const route = (p: TestPlatform, id: string) => api(p, 'GET', `/v1/routes/${id}`, supervisor);
  const untilRoute = (p: TestPlatform, id: string, check: (r: Json) => boolean) =>
    eventually(
      () => route(p, id),
      (r) => r.status === 200 && check(r.body),
      20_000,
    );

  /** Plans the day, waits for the draft, confirms it: the one route is offered to the sim's company. */
  async function planAndConfirm(p: TestPlatform, date: string, bookingIds: string[]) {
    const requested = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    const draft = await eventually(
      () => api(p, 'GET', `/v1/offices/${officeId}/plans/${date}`, supervisor),
      (r) => r.status === 200 && ['draft', 'failed'].includes(r.body.status),
      20_000,
    );
    expect(draft.body.status).toBe('draft');
    expect(draft.body.routes).toHaveLength(1);
    expect(draft.body.routes[0].stops.map((s: Json) => s.bookingId).sort()).toEqual([...bookingIds].sort());
    const confirmed = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return draft.body.routes[0].id as string;
  }

  /** Four eyes: one clerk scans, the same clerk may not confirm, a colleague does. */
  async function handOver(p: TestPlatform, routeId: string, kind: 'handover' | 'return', scanned: string[]) {
    const started = await api(p, 'POST', `/v1/routes/${routeId}/${kind}`, {
      ...clerk,
      body: { scanned, courierName: 'Sim Rider', courierRef: 'sim-rider-7' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const self = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, clerk);
    expect(self.status).toBe(409);
    const confirmed = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, colleague);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return confirmed.body as { bookings: { bookingId: string; status: string }[] };
  }

  test('one document is delivered with an identity check; another fails twice and goes back to the office', async ({ p }) => {
    const companyId = sim.credentials().companyId;
    // An ID card (its PIN letter must have arrived first) for day 1, a passport that could go on day 1 or 2.
    const card = await paidBooking(p, { documentType: 'id_card', preferredWindows: [d1] });
    const passport = await paidBooking(p, { documentType: 'passport', preferredWindows: [d1, d2] });

    for (const b of [card, passport]) {
      const arrived = await api(p, 'POST', '/v1/document-arrivals', {
        ...clerk,
        body: { officeId, applicationNumber: b.applicationNumber },
      });
      expect(arrived.status, JSON.stringify(arrived.body)).toBe(200);
      expect(arrived.body.status).toBe('document_ready');
    }
    const pin = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: card.tracking });
    expect(pin.status, JSON.stringify(pin.body)).toBe(200);

    // The company announces its own shifts (API key), covering the office's delivery hours.
    for (const date of [day1, day2]) expect(await sim.announceShift(date, 'bike')).toMatchObject({ id: expect.any(String) });

    // Day 1.
    const route1 = await planAndConfirm(p, day1, [card.id, passport.id]);
    const accepted1 = await untilRoute(p, route1, (r) => r.dispatchStatus === 'accepted');
    expect(accepted1.body.courierCompanyId).toBe(companyId);
    expect(accepted1.body.offers).toEqual([expect.objectContaining({ companyId, status: 'accepted' })]);
    // The offer came by webhook (verified by the sim with standardwebhooks), and the sim knows its stops.
    expect(
      sim.book.routes
        .get(route1)
        ?.route?.stops.map((s) => s.jobId)
        .sort(),
    ).toEqual(accepted1.body.stops.map((s: Json) => s.jobId).sort());
    const passportJob = accepted1.body.stops.find((s: Json) => s.bookingId === passport.id).jobId as string;
    notHome.add(passportJob);

    // Not before the handover: the sim waits for it.
    expect(sim.driving()).toEqual([]);
    const handed = await handOver(p, route1, 'handover', [card.applicationNumber, passport.applicationNumber]);
    expect(handed.bookings.map((b) => b.status)).toEqual(['handed_over', 'handed_over']);

    const done1 = await untilRoute(p, route1, (r) => r.dispatchStatus === 'completed');
    const byBooking = (r: Json, id: string) => r.stops.find((s: Json) => s.bookingId === id);
    expect(byBooking(done1.body, card.id)).toMatchObject({ status: 'delivered', custodyHolder: 'citizen', deliveryAttempts: 0 });
    expect(byBooking(done1.body, passport.id)).toMatchObject({ status: 'attempt_failed', custodyHolder: 'courier', deliveryAttempts: 1 });
    const [check] = done1.body.identityChecks;
    expect(done1.body.identityChecks).toHaveLength(1);
    expect(check).toMatchObject({
      bookingId: card.id,
      methods: ['photo_comparison'],
      passed: true,
      flaggedForReview: false,
      courierRef: 'sim-rider-7',
    });
    expect(check.distanceMetres).toBeLessThanOrEqual(25);

    // The custody of the delivered card: office → courier → citizen, in a chain that verifies.
    const custody = await api(p, 'GET', `/v1/bookings/${card.id}/custody`, supervisor);
    expect(custody.body.holder).toBe('citizen');
    expect(custody.body.entries.map((e: Json) => [e.from, e.to, e.event])).toEqual([
      [null, 'office', 'arrived'],
      ['office', 'courier', 'handover'],
      ['courier', 'citizen', 'delivered'],
    ]);
    expect(custody.body.entries[1]).toMatchObject({ courierCompanyId: companyId, courierRef: 'sim-rider-7', routeId: route1 });
    expect(custody.body.entries[1].staffIds).toHaveLength(2);
    expect(await createCustodyRepository(p.db).verify()).toMatchObject({ ok: true });
    const cardTracking = await api(p, 'GET', '/v1/tracking', { headers: card.tracking });
    expect(cardTracking.body.status).toBe('delivered');
    expect(cardTracking.body.history.map((h: Json) => h.status)).toEqual(
      expect.arrayContaining(['paid', 'document_ready', 'planned', 'handed_over', 'out_for_delivery', 'delivered']),
    );

    // The courier brings the passport back; the check-in puts it back in the office, plannable for day 2.
    const returned = await handOver(p, route1, 'return', [passport.applicationNumber]);
    expect(returned.bookings).toEqual([{ bookingId: passport.id, status: 'attempt_failed' }]);

    // Day 2, with the same company reporting by API key instead of signed events (a restart of the sim).
    const first = sim.stats;
    expect(first).toMatchObject({ signatureRejected: 0, offersReceived: 1, accepted: 1, delivered: 1, failed: 1, eventsRefused: 0 });
    expect(first.answeredWithError).toBeGreaterThanOrEqual(1);
    expect(first.duplicatesIgnored).toBeGreaterThanOrEqual(1);
    const own = await api(p, 'GET', '/v1/courier/webhook-events', { headers: { authorization: `Bearer ${sim.credentials().apiKey}` } });
    const offered = own.body.data.find((e: Json) => e.type === 'route.offered' && e.subjectId === route1);
    expect(offered).toMatchObject({ status: 'delivered', attemptCount: 3 });
    await sim.close();
    ({ sim } = await startSim(p, { credentials: sim.credentials(), transport: 'api-key', port: simPort, seed: 8 }));

    const route2 = await planAndConfirm(p, day2, [passport.id]);
    await untilRoute(p, route2, (r) => r.dispatchStatus === 'accepted');
    const job2 = (await route(p, route2)).body.stops[0].jobId as string;
    notHome.add(job2);
    await handOver(p, route2, 'handover', [passport.applicationNumber]);
    const done2 = await untilRoute(p, route2, (r) => r.dispatchStatus === 'completed');
    expect(done2.body.stops[0]).toMatchObject({ status: 'attempt_failed', deliveryAttempts: 2, custodyHolder: 'courier' });
    const back = await handOver(p, route2, 'return', [passport.applicationNumber]);
    // The office's attempt limit (2) is reached.
    expect(back.bookings).toEqual([{ bookingId: passport.id, status: 'returned_to_office' }]);
    expect(sim.stats).toMatchObject({ signatureRejected: 0, accepted: 1, failed: 1, delivered: 0, eventsRefused: 0 });

    const passportTracking = await api(p, 'GET', '/v1/tracking', { headers: passport.tracking });
    expect(passportTracking.body).toMatchObject({ status: 'returned_to_office', deliveryAttempts: 2 });
    expect(passportTracking.body.history.map((h: Json) => h.status)).toEqual([
      'awaiting_payment',
      'paid',
      'document_ready',
      'planned',
      'handed_over',
      'out_for_delivery',
      'attempt_failed',
      'planned',
      'handed_over',
      'out_for_delivery',
      'attempt_failed',
      'returned_to_office',
    ]);
    const passportCustody = await api(p, 'GET', `/v1/bookings/${passport.id}/custody`, supervisor);
    expect(passportCustody.body.entries.map((e: Json) => e.event)).toEqual(['arrived', 'handover', 'returned', 'handover', 'returned']);
    expect(passportCustody.body.holder).toBe('office');
    expect(await createCustodyRepository(p.db).verify()).toMatchObject({ ok: true });
  }, 60_000);
  test('under a misbehaving receiver and random doors, every document ends delivered or back in the office, and each event counts once', async ({
    p,
  }) => {
    const d3 = deliveryWindow(new Date(Date.parse(d2.start) + 86_400_000), 0);
    const day3 = localDate(new Date(d3.start), TZ);
    // A second company of its own, with the shares instead of the test's choices: 30 % of doors fail,
    // 20 % of the rest fail the identity check; the receiver answers 30 % with 500, 15 % with 429
    // (Retry-After 1 s) and 15 % after the platform's timeout.
    const chaos = createCourierSim(
      simOptions(
        {
          register: {
            adminUsername: admin.username,
            adminPassword: admin.password,
            companyName: `Chaos ${randomBytes(3).toString('hex')}`,
            vehicleTypes: ['bike'],
          },
          outcomes: { failedStops: 0.3, failedIdentityChecks: 0.2 },
          receiver: { slow: 0.15, serverError: 0.3, throttled: 0.15, slowMs: 1_500, retryAfterSeconds: 1 },
          seed: 2026,
        },
        p,
      ),
      { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) },
    );
    await chaos.start();
    try {
      const bookings = [];
      for (const [i, location] of NEARBY.entries()) {
        // Every third one is a child's passport: a parent with custody shows their own ID document.
        bookings.push(
          await paidBooking(p, { documentType: i % 3 === 0 ? 'child_passport' : 'passport', preferredWindows: [d3] }, location),
        );
      }
      for (const b of bookings) {
        expect(
          (await api(p, 'POST', '/v1/document-arrivals', { ...clerk, body: { officeId, applicationNumber: b.applicationNumber } })).status,
        ).toBe(200);
      }
      // Three riders of two stops each: three routes driven at once.
      expect(await chaos.announceShift(day3, 'bike', { vehicleCount: 3, capacity: 2 })).toMatchObject({ id: expect.any(String) });

      const requested = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: day3 } });
      expect(requested.status).toBe(202);
      const draft = await eventually(
        () => api(p, 'GET', `/v1/offices/${officeId}/plans/${day3}`, supervisor),
        (r) => r.status === 200 && ['draft', 'failed'].includes(r.body.status),
        20_000,
      );
      expect(draft.body.unassigned).toEqual([]);
      expect((await api(p, 'POST', `/v1/offices/${officeId}/plans/${day3}/confirm`, supervisor)).status).toBe(200);
      const routeIds: string[] = draft.body.routes.map((r: Json) => r.id);

      expect(routeIds.length).toBeGreaterThanOrEqual(3);
      for (const id of routeIds) await untilRoute(p, id, (r) => r.dispatchStatus === 'accepted');

      // A citizen cancels after the company accepted: it hears route.updated (a higher version, one stop fewer).
      const cancelled = must(bookings[1], 'the second booking');
      const cancelledRoute = must(
        routeIds.find((id) => draft.body.routes.find((r: Json) => r.id === id).stops.some((s: Json) => s.bookingId === cancelled.id)),
        'the route of the cancelled booking',
      );
      const versionBefore = must(chaos.book.routes.get(cancelledRoute), 'the route in the sim').version;
      const cancel = await api(p, 'POST', `/v1/bookings/${cancelled.id}/cancel`, { headers: cancelled.tracking });
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
      await eventually(
        async () => chaos.book.routes.get(cancelledRoute),
        (r) => r !== undefined && r.version > versionBefore,
        20_000,
      );
      expect(chaos.book.routes.get(cancelledRoute)?.route?.stops).toHaveLength(
        draft.body.routes.find((r: Json) => r.id === cancelledRoute).stops.length - 1,
      );

      for (const id of routeIds) {
        const accepted = await route(p, id);
        const planned = accepted.body.stops.filter((s: Json) => s.status === 'planned');
        await handOver(
          p,
          id,
          'handover',
          planned.map((s: Json) => s.applicationNumber),
        );
      }
      const done = [];
      for (const id of routeIds) done.push((await untilRoute(p, id, (r) => r.dispatchStatus === 'completed')).body);
      const stops: Json[] = done.flatMap((r) => r.stops).filter((s: Json) => s.bookingId !== cancelled.id);
      expect(stops).toHaveLength(bookings.length - 1);
      const delivered = stops.filter((s) => s.status === 'delivered');
      const failed = stops.filter((s) => s.status === 'attempt_failed');
      expect(delivered.length + failed.length).toBe(bookings.length - 1);
      expect(chaos.stats).toMatchObject({
        offersReceived: routeIds.length,
        accepted: routeIds.length,
        delivered: delivered.length,
        failed: failed.length,
      });
      expect(chaos.stats).toMatchObject({ signatureRejected: 0, eventsRefused: 0 });
      // Every delivered document has exactly one passed check with its required methods, near the door.
      const checks: Json[] = done.flatMap((r) => r.identityChecks);
      for (const s of delivered) {
        const passed = checks.filter((c) => c.bookingId === s.bookingId);
        expect(passed).toHaveLength(1);
        expect(passed[0]).toMatchObject({ passed: true, flaggedForReview: false });
      }
      const childPassports = bookings.filter((_, i) => i % 3 === 0).map((b) => b.id);
      for (const c of checks.filter((c) => childPassports.includes(c.bookingId))) {
        expect([...c.methods].sort()).toEqual(['parental_custody', 'second_id_document']);
      }
      for (const s of failed) expect(s).toMatchObject({ custodyHolder: 'courier', deliveryAttempts: 1 });

      // The failed ones come back under four eyes: in the office, plannable again.
      for (const r of done) {
        const back = r.stops.filter((s: Json) => s.status === 'attempt_failed').map((s: Json) => s.applicationNumber);
        if (back.length === 0) continue;
        const returned = await handOver(p, r.id, 'return', back);
        expect(returned.bookings.map((b) => b.status)).toEqual(back.map(() => 'attempt_failed'));
      }
      // No webhook died or is still pending: the retries got every one through, and the sim acted on each once.
      // (A message the sim took but answered after the timeout is retried once more: wait for that too.)
      const ownEvents = () =>
        api(p, 'GET', '/v1/courier/webhook-events', { headers: { authorization: `Bearer ${chaos.credentials().apiKey}` } });
      const own = await eventually(ownEvents, (r) => r.body.data.every((e: Json) => e.status === 'delivered'), 20_000);
      // One route.offered per route and the cancellation's route.updated.
      expect(own.body.data.length).toBe(routeIds.length + 1);
      expect(chaos.stats.messagesReceived - chaos.stats.duplicatesIgnored).toBe(routeIds.length + 1);
      expect(chaos.stats.staleIgnored).toBe(0);
      expect(await createCustodyRepository(p.db).verify()).toMatchObject({ ok: true });
    } finally {
      await chaos.close();
    }
  }, 60_000);
});
