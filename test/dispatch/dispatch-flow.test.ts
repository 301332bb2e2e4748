import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { createBookingHoldsRepository } from '../../src/bookings/booking-holds.repository.ts';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { createCustodyRepository } from '../../src/custody/custody.repository.ts';
import { createDispatchService } from '../../src/dispatch/dispatch.service.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';
import { must } from '../helpers/must.ts';
import { confirmedDay, registerCompany, type TestCompany } from './helpers.ts';

const test = platformTest({
  workers: true,
  env: {
    PLANNING_TIME_LIMIT_SECONDS: '1',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RELAY_EVERY_MS: '200',
    GEOFENCE_REVIEW_METRES: '150',
  },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked field by field
type Json = any;

/** An identity check as a careful courier reports it, at the stop's own position. */
const passedCheck = (at: Date, position: [number, number], methods = ['photo_comparison']) => ({
  methods,
  result: 'passed',
  checkedAt: at.toISOString(),
  courier: { id: 'rider-7' },
  position: { lng: position[0], lat: position[1], accuracyMetres: 12 },
  oldDocumentCollected: true,
  recipientConfirmed: true,
});

describe('dispatch: offers, the four-eyes handover, the road, returns and custody', () => {
  let officeId: string;
  let bikeZoneId: string;
  let supervisor: { headers: Record<string, string> };
  const receivers: Receiver[] = [];

  /** Each test plans its own office: a plan takes every plannable booking of the office. */
  async function freshOffice(p: TestPlatform) {
    const seeded = await seedOffice(p.db);
    officeId = seeded.office.id;
    bikeZoneId = seeded.bikeZone.id;
    supervisor = await p.staff(['supervisor'], officeId);
  }
  test.afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  /** A company with a receiver that verifies our signatures with the standardwebhooks package. */
  async function companyWithReceiver(p: TestPlatform, name: string) {
    let secret = '';
    const receiver = await startReceiver(() => secret);
    receivers.push(receiver);
    const company = await registerCompany(p, { name, zoneIds: [bikeZoneId], webhookUrl: receiver.url });
    secret = company.signingSecret;
    const events = () =>
      receiver.receptions.filter((r) => r.verified).map((r) => JSON.parse(r.body) as { type: string; data: Json; timestamp: string });
    return { ...company, receiver, events };
  }

  const dispatchService = (p: TestPlatform) =>
    createDispatchService({ db: p.db, clock: p.clock, settings: { offerMinutes: 30, geofenceMetres: 150, eventToleranceSeconds: 300 } });

  test('a confirmed plan offers each route to the company whose shift it uses, signed, with what a courier needs and no more', async ({
    p,
  }) => {
    await freshOffice(p);
    const a = await companyWithReceiver(p, 'A Velo');
    const b = await registerCompany(p, { name: 'B Velo', zoneIds: [bikeZoneId] });
    const { routeIds, bookings } = await confirmedDay(p, { officeId, supervisor, shiftsOf: [a.company.id], count: 2, daysAhead: 3 });
    expect(routeIds).toHaveLength(1);
    const routeId = must(routeIds[0], 'route');
    const offered = await eventually(
      async () => a.events().filter((e) => e.type === 'route.offered'),
      (e) => e.length === 1,
      10_000,
    );
    const data = must(offered[0], 'offer').data;
    expect(data).toMatchObject({ routeId, vehicleType: 'bike', version: 1 });
    expect(data.stops).toHaveLength(2);
    expect(data.stops[0]).toMatchObject({
      recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
      identityCheck: { requiredMethods: ['photo_comparison'] },
    });
    const body = JSON.stringify(offered);
    for (const b2 of bookings) {
      expect(body).not.toContain(b2.applicationNumber);
      expect(body).not.toContain(b2.kassenzeichen);
      expect(body).not.toContain(b2.id);
    }

    // The company sees its route; a second company's key finds nothing of it, reading or writing.
    const own = await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: a.headers });
    expect(own.status).toBe(200);
    expect(own.body.dispatchStatus).toBe('offered');
    expect((await api(p, 'GET', '/v1/courier/routes', { headers: a.headers })).body.data.map((r: Json) => r.routeId)).toContain(routeId);
    expect((await api(p, 'GET', '/v1/courier/routes', { headers: b.headers })).body.data).toEqual([]);
    for (const [method, path] of [
      ['GET', `/v1/courier/routes/${routeId}`],
      ['POST', `/v1/courier/routes/${routeId}/accept`],
      ['POST', `/v1/courier/routes/${routeId}/decline`],
    ] as const) {
      const res = await api(p, method, path, { headers: b.headers, ...(method === 'POST' ? { body: {} } : {}) });
      expect(res.status, path).toBe(404);
    }
    const foreignEvent = await b.event('route.accepted', { routeId });
    expect(foreignEvent.status).toBe(404);
    expect((await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body.dispatchStatus).toBe('offered');

    const accepted = await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: a.headers });
    expect(accepted.body).toMatchObject({ dispatchStatus: 'accepted', alreadyAccepted: false });
    const again = await a.event('route.accepted', { routeId });
    expect(again.body.outcome).toBe('stale');
  });

  test('a decline or silence moves the offer to the next company that fits; none left flags the route, which a supervisor releases', async ({
    p,
  }) => {
    await freshOffice(p);
    const a = await companyWithReceiver(p, 'C Velo');
    const b = await companyWithReceiver(p, 'D Velo');
    const { routeIds, bookings } = await confirmedDay(p, {
      officeId,
      supervisor,
      shiftsOf: [a.company.id, b.company.id],
      count: 1,
      daysAhead: 4,
    });
    // One booking, two shifts: one route, on the shift of whichever company the solver picked.
    const routeId = must(routeIds[0], 'route');
    const first = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body;
    const [holder, other] = first.courierCompanyId === a.company.id ? [a, b] : [b, a];
    const declined = await holder.event('route.declined', { routeId, reason: 'No rider free' });
    expect(declined.body.outcome).toBe('applied');
    const moved = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body;
    expect(moved).toMatchObject({ dispatchStatus: 'offered', courierCompanyId: other.company.id });
    expect(moved.offers.map((o: Json) => o.status)).toEqual(['declined', 'open']);
    await eventually(
      async () => other.events().filter((e) => e.type === 'route.offered' && e.data.routeId === routeId),
      (e) => e.length === 1,
    );

    // The other company stays silent past the deadline: the offer expires, it is told, and nobody is left.
    p.clock.advance(31 * 60_000);
    try {
      const offerId = must(moved.offers[1], 'open offer').id;
      expect(await dispatchService(p).expireOffer(offerId)).toBe('expired');
    } finally {
      p.clock.advance(-31 * 60_000);
    }
    const flagged = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body;
    expect(flagged).toMatchObject({ dispatchStatus: 'unstaffed', courierCompanyId: null });
    // The supervisors' plan view shows the flag too.
    const planView = await api(p, 'GET', `/v1/offices/${officeId}/plans/${flagged.deliveryDate}`, supervisor);
    expect(planView.body.routes[0]).toMatchObject({ id: routeId, dispatchStatus: 'unstaffed', courierCompanyId: null });
    await eventually(
      async () => other.events().filter((e) => e.type === 'route.cancelled'),
      (e) => e.length === 1,
    );
    expect((await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: other.headers })).status).toBe(404);

    const clerk = await p.staff(['clerk'], officeId);
    expect((await api(p, 'POST', `/v1/routes/${routeId}/release`, clerk)).status).toBe(403);
    const released = await api(p, 'POST', `/v1/routes/${routeId}/release`, supervisor);
    expect(released.body).toMatchObject({ dispatchStatus: 'cancelled', releasedBookingIds: [must(bookings[0], 'booking').id] });
    expect((await createBookingsRepository(p.db).findById(must(bookings[0], 'booking').id))?.status).toBe('document_ready');
  });

  async function acceptedRoute(p: TestPlatform, name: string, daysAhead: number, count = 2, alsoDaysAhead: number[] = []) {
    const c = await registerCompany(p, { name, zoneIds: [bikeZoneId] });
    const day = await confirmedDay(p, { officeId, supervisor, shiftsOf: [c.company.id], count, daysAhead, alsoDaysAhead });
    const routeId = must(day.routeIds[0], 'route');
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
    return { c, routeId, ...day };
  }

  /** One staff member scans, a different one confirms: a handover, or a return check-in. */
  async function fourEyes(p: TestPlatform, kind: 'handover' | 'return', routeId: string, scanned: string[]) {
    const first = await p.staff(['clerk'], officeId);
    const second = await p.staff([kind === 'handover' ? 'clerk' : 'supervisor'], officeId);
    const started = await api(p, 'POST', `/v1/routes/${routeId}/${kind}`, {
      ...first,
      body: { scanned, courierName: 'Mia Berger', courierRef: 'rider-7' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const confirmed = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, second);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return confirmed.body;
  }
  const handOver = (p: TestPlatform, routeId: string, scanned: string[]) => fourEyes(p, 'handover', routeId, scanned);
  const checkIn = (p: TestPlatform, routeId: string, scanned: string[]) => fourEyes(p, 'return', routeId, scanned);

  test('nothing leaves before a company accepted; an answer after the deadline is refused; nothing to return is said so', async ({ p }) => {
    await freshOffice(p);
    const c = await registerCompany(p, { name: 'K Velo', zoneIds: [bikeZoneId] });
    const { routeIds, bookings } = await confirmedDay(p, { officeId, supervisor, shiftsOf: [c.company.id], count: 1, daysAhead: 11 });
    const routeId = must(routeIds[0], 'route');
    const booking = must(bookings[0], 'booking');
    const clerk = await p.staff(['clerk'], officeId);
    const scan = { ...clerk, body: { scanned: [booking.applicationNumber], courierName: 'Mia Berger', courierRef: 'rider-7' } };
    const early = await api(p, 'POST', `/v1/routes/${routeId}/handover`, scan);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('handover.route_not_ready');
    expect((await api(p, 'POST', `/v1/routes/${routeId}/return`, scan)).body.error.code).toBe('handover.route_not_ready');
    p.clock.advance(31 * 60_000);
    try {
      const late = await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('dispatch.offer_expired');
    } finally {
      p.clock.advance(-31 * 60_000);
    }
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
    await handOver(p, routeId, [booking.applicationNumber]);
    const delivered = await c.event('stop.delivered', {
      routeId,
      jobId: (await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: c.headers })).body.route.stops[0].jobId,
      identityCheck: passedCheck(p.clock(), booking.location),
    });
    expect(delivered.body.outcome).toBe('applied');
    const nothing = await api(p, 'POST', `/v1/routes/${routeId}/return`, scan);
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('handover.nothing_to_return');
    // A confirmed handover cannot be confirmed again.
    const done = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body.handovers[0];
    const again = await api(p, 'POST', `/v1/handovers/${done.id}/confirm`, await p.staff(['supervisor'], officeId));
    expect(again.body.error.code).toBe('handover.not_open');
  });

  test('four eyes: the scan must match the route exactly, and the same person cannot confirm', async ({ p }) => {
    await freshOffice(p);
    const { routeId, bookings } = await acceptedRoute(p, 'E Velo', 5);
    const [one, two] = [must(bookings[0], 'b1'), must(bookings[1], 'b2')];
    const clerk = await p.staff(['clerk'], officeId);
    const body = (scanned: string[]) => ({ ...clerk, body: { scanned, courierName: 'Mia Berger', courierRef: 'rider-7' } });
    const missing = await api(p, 'POST', `/v1/routes/${routeId}/handover`, body([one.applicationNumber]));
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'handover.scan_mismatch', details: { missing: [two.applicationNumber], extra: [] } });
    const extra = await api(p, 'POST', `/v1/routes/${routeId}/handover`, body([one.applicationNumber, two.applicationNumber, 'X0000000']));
    expect(extra.body.error.details).toEqual({ missing: [], extra: ['X0000000'] });
    const started = await api(p, 'POST', `/v1/routes/${routeId}/handover`, body([two.applicationNumber, one.applicationNumber]));
    expect(started.status).toBe(201);
    const self = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, clerk);
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('handover.same_person');
    expect((await createBookingsRepository(p.db).findById(one.id))?.status).toBe('planned');
    const second = await p.staff(['clerk'], officeId);
    const confirmed = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, second);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.bookings.map((b: Json) => b.status)).toEqual(['handed_over', 'handed_over']);
    const custody = await api(p, 'GET', `/v1/bookings/${one.id}/custody`, second);
    expect(custody.body.holder).toBe('courier');
    expect(custody.body.entries.at(-1)).toMatchObject({
      from: 'office',
      to: 'courier',
      event: 'handover',
      courierName: 'Mia Berger',
      courierRef: 'rider-7',
    });
    expect(custody.body.entries.at(-1).staffIds).toEqual([clerk.user.id, second.user.id]);
  });

  test('a document on hold (a dispute since planning) does not leave the office', async ({ p }) => {
    await freshOffice(p);
    const { routeId, bookings } = await acceptedRoute(p, 'J Velo', 10, 1);
    const booking = must(bookings[0], 'booking');
    await createBookingHoldsRepository(p.db).place(booking.id, 'dispute');
    const clerk = await p.staff(['clerk'], officeId);
    const res = await api(p, 'POST', `/v1/routes/${routeId}/handover`, {
      ...clerk,
      body: { scanned: [booking.applicationNumber], courierName: 'Mia Berger', courierRef: 'rider-7' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'handover.documents_blocked',
      details: { blocked: [{ applicationNumber: booking.applicationNumber, reason: 'on_hold' }] },
    });
    expect((await createBookingsRepository(p.db).findById(booking.id))?.status).toBe('planned');
  });

  test('from the road: started, delivered with a passed check, duplicates, stale, forged and stale-timestamp events, the geofence', async ({
    p,
  }) => {
    await freshOffice(p);
    const { c, routeId, bookings } = await acceptedRoute(p, 'F Velo', 6, 3);
    await handOver(
      p,
      routeId,
      bookings.map((b) => b.applicationNumber),
    );
    const route = (await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: c.headers })).body;
    const jobOf = (bookingId: string) => {
      const idx = bookings.findIndex((b) => b.id === bookingId);
      const b = must(bookings[idx], 'booking');
      const stop = must(
        route.route.stops.find((s: Json) => s.location[0] === b.location[0] && s.location[1] === b.location[1]),
        'stop',
      );
      return { jobId: stop.jobId as string, location: stop.location as [number, number], booking: b };
    };
    const [s1, s2, s3] = bookings.map((b) => jobOf(b.id));
    if (!s1 || !s2 || !s3) throw new Error('three stops');

    const started = await c.signed({ id: 'evt-start-1', type: 'route.started', timestamp: p.clock().toISOString(), data: { routeId } });
    expect(started).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect((await createBookingsRepository(p.db).findById(s1.booking.id))?.status).toBe('out_for_delivery');
    // The same event again: applied once.
    const dup = await c.signed({ id: 'evt-start-1', type: 'route.started', timestamp: p.clock().toISOString(), data: { routeId } });
    expect(dup.body.outcome).toBe('duplicate');
    // Forged, and signed for another moment than now.
    const forged = await c.signed(
      { id: 'evt-x', type: 'route.completed', timestamp: p.clock().toISOString(), data: { routeId } },
      { secret: 'whsec_' + Buffer.from('not-the-secret-at-all-32-bytes!!').toString('base64') },
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('dispatch.invalid_signature');
    const old = await c.signed(
      { id: 'evt-y', type: 'route.completed', timestamp: p.clock().toISOString(), data: { routeId } },
      { timestamp: new Date(p.clock().getTime() - 10 * 60_000) },
    );
    expect(old.body.error.code).toBe('dispatch.event_timestamp_out_of_tolerance');
    // With the API key, the event's time is when it happened: a late report counts, a future one does not.
    const future = await c.event('route.completed', { routeId }, { timestamp: new Date(p.clock().getTime() + 10 * 60_000) });
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('dispatch.event_time_implausible');

    const delivered = await c.event('stop.delivered', { routeId, jobId: s1.jobId, identityCheck: passedCheck(p.clock(), s1.location) });
    expect(delivered.body.outcome).toBe('applied');
    expect((await createBookingsRepository(p.db).findById(s1.booking.id))?.status).toBe('delivered');
    // A late failure report for a delivered stop changes nothing.
    const late = await c.event('stop.failed', { routeId, jobId: s1.jobId, reason: 'not_home' });
    expect(late.body.outcome).toBe('stale');
    expect((await createBookingsRepository(p.db).findById(s1.booking.id))?.status).toBe('delivered');

    // Delivered 2 km away: it counts, but is flagged for review.
    const far: [number, number] = [s2.location[0] + 0.03, s2.location[1]];
    expect((await c.event('stop.delivered', { routeId, jobId: s2.jobId, identityCheck: passedCheck(p.clock(), far) })).body.outcome).toBe(
      'applied',
    );
    // Handed over without the required face check: no delivery, a failed attempt.
    const noPhoto = await c.event('stop.delivered', {
      routeId,
      jobId: s3.jobId,
      identityCheck: passedCheck(p.clock(), s3.location, ['signature_comparison']),
    });
    expect(noPhoto.body.outcome).toBe('counted_as_failed');
    const b3 = await createBookingsRepository(p.db).findById(s3.booking.id);
    expect(b3).toMatchObject({ status: 'attempt_failed', deliveryAttempts: 1, custodyHolder: 'courier' });

    const staffView = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body;
    const checkOf = (id: string) => staffView.identityChecks.find((x: Json) => x.bookingId === id);
    expect(checkOf(s1.booking.id)).toMatchObject({ passed: true, flaggedForReview: false });
    expect(checkOf(s2.booking.id)).toMatchObject({ passed: true, flaggedForReview: true });
    expect(checkOf(s2.booking.id).distanceMetres).toBeGreaterThan(2000);
    expect(checkOf(s3.booking.id)).toMatchObject({ passed: false });
    // Nothing the check does not need: no photo, no document number, in the stored rows.
    const stored = await p.db.execute(sql`select * from identity_checks where route_id = ${routeId}`);
    expect(JSON.stringify(stored)).not.toMatch(/photo\b|documentNumber|document_number/);
  });

  test('a failed attempt comes back under four eyes, is planned again, fails again and is returned to the office', async ({ p }) => {
    await freshOffice(p);
    // The citizen gave windows on two days: the second attempt uses the second.
    const first = await acceptedRoute(p, 'G Velo', 7, 1, [8]);
    const booking = must(first.bookings[0], 'booking');
    await handOver(p, first.routeId, [booking.applicationNumber]);
    const jobOf = async (c: TestCompany, routeId: string) =>
      (await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: c.headers })).body.route.stops[0].jobId as string;
    let job = await jobOf(first.c, first.routeId);
    expect((await first.c.event('stop.failed', { routeId: first.routeId, jobId: job, reason: 'not_home' })).body.outcome).toBe('applied');
    // Still with the courier: not plannable until it is checked back in.
    expect((await createBookingsRepository(p.db).plannableBookings(officeId, 2)).map((b) => b.id)).not.toContain(booking.id);
    const back = await checkIn(p, first.routeId, [booking.applicationNumber]);
    expect(back.bookings).toEqual([{ bookingId: booking.id, status: 'attempt_failed' }]);
    expect((await createBookingsRepository(p.db).plannableBookings(officeId, 2)).map((b) => b.id)).toContain(booking.id);

    // Another day, another route: it fails again and, checked in, stays at the office for collection.
    const c2 = await registerCompany(p, { name: 'H Velo', zoneIds: [bikeZoneId] });
    const day2 = await confirmedDay(p, { officeId, supervisor, shiftsOf: [c2.company.id], count: 0, daysAhead: 8 });
    const routeId = must(day2.routeIds[0], 'route');
    await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c2.headers });
    await handOver(p, routeId, [booking.applicationNumber]);
    // The first company's courier syncs late: its reports about the old route change nothing now.
    const oldJob = job;
    const lateDelivered = await first.c.event('stop.delivered', {
      routeId: first.routeId,
      jobId: oldJob,
      identityCheck: passedCheck(p.clock(), booking.location),
    });
    expect(lateDelivered.body.outcome).toBe('stale');
    expect((await first.c.event('route.started', { routeId: first.routeId })).body.outcome).toBe('stale');
    expect((await createBookingsRepository(p.db).findById(booking.id))?.status).toBe('handed_over');
    job = await jobOf(c2, routeId);
    await c2.event('route.started', { routeId });
    expect((await c2.event('stop.failed', { routeId, jobId: job, reason: 'not_home' })).body.outcome).toBe('applied');
    const returned = await checkIn(p, routeId, [booking.applicationNumber]);
    expect(returned.bookings).toEqual([{ bookingId: booking.id, status: 'returned_to_office' }]);
    const final = must(await createBookingsRepository(p.db).findById(booking.id), 'booking');
    expect(final).toMatchObject({ status: 'returned_to_office', deliveryAttempts: 2, custodyHolder: 'office' });

    const chain = (await createCustodyRepository(p.db).chainOf(booking.id)).map((e) => `${e.fromHolder}→${e.toHolder}`);
    expect(chain).toEqual(['office→courier', 'courier→office', 'office→courier', 'courier→office']);
  });

  test('the custody chain verifies, and a tampered row is named as the first broken entry', async ({ p }) => {
    await freshOffice(p);
    const { routeId, bookings } = await acceptedRoute(p, 'I Velo', 9, 2);
    await handOver(
      p,
      routeId,
      bookings.map((b) => b.applicationNumber),
    );
    const repo = createCustodyRepository(p.db);
    expect(await repo.verify()).toMatchObject({ ok: true });
    const entries = await repo.chainOf(must(bookings[0], 'booking').id);
    const target = must(entries.at(-1), 'entry');
    // The trigger refuses changes; a tamperer with the owner's rights switches it off first.
    const refused = await p.db.execute(sql`update custody_log set courier_name = 'Someone Else' where seq = ${target.seq}`).then(
      () => null,
      (err: { cause?: { message?: string } }) => err.cause?.message ?? '',
    );
    expect(refused).toMatch(/append-only/);
    await p.db.transaction(async (tx) => {
      await tx.execute(sql`alter table custody_log disable trigger custody_log_append_only`);
      await tx.execute(sql`update custody_log set courier_name = 'Someone Else' where seq = ${target.seq}`);
      await tx.execute(sql`alter table custody_log enable trigger custody_log_append_only`);
    });
    try {
      expect(await repo.verify()).toEqual({ ok: false, entries: expect.any(Number), brokenAt: target.seq, reason: 'hash' });
    } finally {
      await p.db.transaction(async (tx) => {
        await tx.execute(sql`alter table custody_log disable trigger custody_log_append_only`);
        await tx.execute(sql`update custody_log set courier_name = ${target.courierName} where seq = ${target.seq}`);
        await tx.execute(sql`alter table custody_log enable trigger custody_log_append_only`);
      });
    }
    expect(await repo.verify()).toMatchObject({ ok: true });
  });
});
