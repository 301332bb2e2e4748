import { recordAudit } from '../../src/audit/audit.repository.ts';
import { describe, expect } from 'vitest';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { createPlanningRepository } from '../../src/planning/planning.repository.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, CITY_ONLY, eventually, moveBooking, OFFICE_LOCATION, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { createShift, futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from './helpers.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ workers: true, env: { PLANNING_TIME_LIMIT_SECONDS: '1' } });

type Headers = { headers: Record<string, string> };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked field by field
type Json = any;

describe('planning a delivery day through the API and the planning worker', () => {
  const date = futureDeliveryDate(3);

  async function newOffice(p: TestPlatform) {
    const { office } = await seedOffice(p.db);
    const supervisor: Headers = await p.staff(['supervisor'], office.id);
    return { officeId: office.id, supervisor };
  }

  const getPlan = (p: TestPlatform, officeId: string, h: Headers, d = date) => api(p, 'GET', `/v1/offices/${officeId}/plans/${d}`, h);
  const waitForDraft = (p: TestPlatform, officeId: string, h: Headers) =>
    eventually(
      () => getPlan(p, officeId, h),
      (r) => r.status === 200 && ['draft', 'failed'].includes(r.body.status),
      20_000,
    );

  test('courier shifts: supervisors add and list them, only inside the delivery day, only for their office', async ({ p }) => {
    const { officeId, supervisor } = await newOffice(p);
    const shift = await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike', vehicleCount: 2, capacity: 15 });
    const listed = await api(p, 'GET', `/v1/offices/${officeId}/courier-shifts?deliveryDate=${date}`, supervisor);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: shift.id, vehicleType: 'bike', vehicleCount: 2, capacity: 15, deliveryDate: date }),
    ]);

    const outside = await api(p, 'POST', `/v1/offices/${officeId}/courier-shifts`, {
      ...supervisor,
      body: {
        deliveryDate: date,
        vehicleType: 'bike',
        vehicleCount: 1,
        capacity: 5,
        shiftStart: localWindow(date, '20:00', '23:00').start,
        shiftEnd: `${date}T23:30:00Z`,
      },
    });
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('courier_shift.outside_day');

    const clerk = await p.staff(['clerk'], officeId);
    expect((await api(p, 'GET', `/v1/offices/${officeId}/courier-shifts?deliveryDate=${date}`, clerk)).status).toBe(403);
    const other = await newOffice(p);
    const foreign = await api(p, 'GET', `/v1/offices/${officeId}/courier-shifts?deliveryDate=${date}`, other.supervisor);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('auth.other_office');
  });

  test('plans ready bookings into routes, keeps e-car bookings and addresses outside the bicycle zone off bikes, and exports GeoJSON', async ({
    p,
  }) => {
    const { officeId, supervisor } = await newOffice(p);
    const morning = [localWindow(date, '09:00', '13:00')];
    const bikeBookings = await Promise.all(
      NEARBY.slice(0, 4).map((location) => insertReadyBooking(p, officeId, { location, vehicleType: 'bike', windows: morning })),
    );
    const ecarBooking = await insertReadyBooking(p, officeId, {
      location: must(NEARBY[4], 'NEARBY[4]'),
      vehicleType: 'ecar',
      windows: [localWindow(date, '14:00', '17:00')],
    });
    // Booked by bike, but the address lies outside the bicycle circle (the zone shrank since).
    const outsideBikeZone = await insertReadyBooking(p, officeId, { location: CITY_ONLY, vehicleType: 'bike', windows: morning });
    // Wants another day: not part of this plan.
    const otherDay = await insertReadyBooking(p, officeId, {
      location: must(NEARBY[5], 'NEARBY[5]'),
      vehicleType: 'bike',
      windows: [localWindow(futureDeliveryDate(4), '09:00', '12:00')],
    });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike', vehicleCount: 1, capacity: 10 });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'ecar', vehicleCount: 1, capacity: 10 });

    // Two supervisors press "plan" at once: one plan, one job.
    const requestPlan = () => api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    const [created, concurrent] = await Promise.all([requestPlan(), requestPlan()]);
    expect(created.status).toBe(202);
    expect(created.body.plan).toMatchObject({ deliveryDate: date, officeId });
    expect(created.body.job.id).toBe(`plan_${officeId}_${date}`);
    expect(concurrent.status).toBe(202);
    expect(concurrent.body.job.id).toBe(created.body.job.id);
    expect(concurrent.body.plan.id).toBe(created.body.plan.id);
    const again = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(again.status).toBe(202);
    expect(again.body.job.id).toBe(created.body.job.id);
    expect(again.body.plan.id).toBe(created.body.plan.id);

    const plan: Json = (await waitForDraft(p, officeId, supervisor)).body;
    expect(plan.status).toBe('draft');
    expect(plan.id).toBe(created.body.plan.id);
    expect(plan.progress.percent).toBe(100);
    expect(plan.unassigned).toEqual([]);
    expect(plan.stats).toMatchObject({ stops: 6, assigned: 6, unassigned: 0, vehicles: 2, matrix: 'great_circle' });
    const stops: Json[] = plan.routes.flatMap((r: Json) => r.stops.map((s: Json) => ({ ...s, routeVehicle: r.vehicleType })));
    expect(stops.map((s) => s.bookingId).sort()).toEqual([...bikeBookings.map((b) => b.id), ecarBooking.id, outsideBikeZone.id].sort());
    expect(stops.find((s) => s.bookingId === otherDay.id)).toBeUndefined();
    expect(stops.find((s) => s.bookingId === ecarBooking.id).routeVehicle).toBe('ecar');
    expect(stops.find((s) => s.bookingId === outsideBikeZone.id).routeVehicle).toBe('ecar');

    for (const route of plan.routes) {
      expect(route.stops.map((s: Json) => s.sequence)).toEqual(route.stops.map((_: Json, i: number) => i + 1));
      expect(route.distanceMetres).toBeGreaterThan(0);
      for (const s of route.stops) {
        const booking = must(
          [...bikeBookings, ecarBooking, outsideBikeZone].find((b) => b.id === s.bookingId),
          '[...bikeBookings, ecarBooking, outsideBikeZone].find((b) => b.id === s.bookingId)',
        );
        const preferred = must(booking.preferredWindows[0], 'booking.preferredWindows[0]');
        // Service starts inside the preferred window, the announced window contains it and stays inside.
        expect(Date.parse(s.serviceStart)).toBeGreaterThanOrEqual(Date.parse(preferred.start));
        expect(Date.parse(s.departure)).toBeLessThanOrEqual(Date.parse(preferred.end));
        expect(Date.parse(s.announcedWindow.start)).toBeGreaterThanOrEqual(Date.parse(preferred.start));
        expect(Date.parse(s.announcedWindow.end)).toBeLessThanOrEqual(Date.parse(preferred.end));
        expect(Date.parse(s.announcedWindow.start)).toBeLessThanOrEqual(Date.parse(s.serviceStart));
        expect(Date.parse(s.announcedWindow.end)).toBeGreaterThan(Date.parse(s.serviceStart));
        expect(Date.parse(route.startsAt)).toBeLessThanOrEqual(Date.parse(s.plannedArrival));
      }
    }

    const geo = await api(p, 'GET', `/v1/offices/${officeId}/plans/${date}/geojson`, supervisor);
    expect(geo.status).toBe(200);
    expect(geo.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(geo.body.type).toBe('FeatureCollection');
    const features: Json[] = geo.body.features;
    for (const f of features) {
      expect(f.type).toBe('Feature');
      const positions: number[][] = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates;
      expect(positions.length).toBeGreaterThanOrEqual(1);
      expect(positions.every((pos) => pos.length === 2 && pos.every(Number.isFinite))).toBe(true);
      expect(typeof f.properties).toBe('object');
      for (const [lng, lat] of positions) {
        expect(lng).toBeGreaterThanOrEqual(-180);
        expect(lng).toBeLessThanOrEqual(180);
        expect(lat).toBeGreaterThanOrEqual(-90);
        expect(lat).toBeLessThanOrEqual(90);
      }
    }
    expect(new Set(features.map((f) => f.id)).size).toBe(features.length);
    expect(features.filter((f) => f.properties.kind === 'depot')).toEqual([
      expect.objectContaining({ geometry: { type: 'Point', coordinates: OFFICE_LOCATION } }),
    ]);
    const lines = features.filter((f) => f.properties.kind === 'route');
    expect(lines).toHaveLength(plan.routes.length);
    for (const line of lines) {
      expect(line.geometry.type).toBe('LineString');
      expect(line.geometry.coordinates[0]).toEqual(OFFICE_LOCATION);
      expect(line.geometry.coordinates.at(-1)).toEqual(OFFICE_LOCATION);
      expect(line.geometry.coordinates).toHaveLength(line.properties.stopCount + 2);
    }
    expect(features.filter((f) => f.properties.kind === 'stop')).toHaveLength(6);
    // Only ids and times: nothing that names the citizen.
    expect(JSON.stringify(geo.body)).not.toContain('Mustermann');

    const clerk = await p.staff(['clerk'], officeId);
    expect((await getPlan(p, officeId, clerk)).status).toBe(200);
    expect((await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, clerk)).status).toBe(403);

    const confirmed = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.plan.status).toBe('confirmed');
    expect(confirmed.body.bookingIds).toHaveLength(6);
    const repo = createBookingsRepository(p.db);
    for (const id of confirmed.body.bookingIds) {
      const booking = must(await repo.findById(id), 'await repo.findById(id)');
      expect(booking.status).toBe('planned');
      expect((await repo.events(id)).at(-1)).toMatchObject({ fromStatus: 'document_ready', toStatus: 'planned', actorType: 'staff' });
    }
    expect(must(await repo.findById(otherDay.id), 'await repo.findById(otherDay.id)').status).toBe('document_ready');
    // What the tracking page can show the citizen from now on.
    const announced = stops.find((s) => s.bookingId === ecarBooking.id).announcedWindow;
    const window = must(
      await createPlanningRepository(p.db).announcedWindowOf(ecarBooking.id),
      'the announced window of the e-car booking',
    );
    expect({ start: window.start.toISOString(), end: window.end.toISOString() }).toEqual(announced);
    expect(await createPlanningRepository(p.db).announcedWindowOf(otherDay.id)).toBeUndefined();
    // The citizen's tracking view now shows the announced window instead of the preferred one.
    const tracked = await api(p, 'GET', '/v1/tracking', {
      headers: { 'tracking-token': `ab_track_${ecarBooking.kassenzeichen.slice('TEST-'.length)}` },
    });
    expect(tracked.body).toMatchObject({ status: 'planned', window: announced });
    const trackedOther = await api(p, 'GET', '/v1/tracking', {
      headers: { 'tracking-token': `ab_track_${otherDay.kassenzeichen.slice('TEST-'.length)}` },
    });
    expect(trackedOther.body).toMatchObject({ status: 'document_ready', window: otherDay.preferredWindows[0] });

    const replan = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(replan.status).toBe(409);
    expect(replan.body.error.code).toBe('plan.already_confirmed');
    const twice = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(twice.status).toBe(409);
    expect((await getPlan(p, officeId, supervisor)).body.status).toBe('confirmed');
  });

  test('with bicycles only, a stop outside the bicycle zone and an e-car booking stay unassigned instead of going by bike', async ({
    p,
  }) => {
    const { officeId, supervisor } = await newOffice(p);
    const windows = [localWindow(date, '10:00', '14:00')];
    const inZone = await insertReadyBooking(p, officeId, { location: must(NEARBY[0], 'NEARBY[0]'), vehicleType: 'bike', windows });
    const outside = await insertReadyBooking(p, officeId, { location: CITY_ONLY, vehicleType: 'bike', windows });
    const ecar = await insertReadyBooking(p, officeId, { location: must(NEARBY[1], 'NEARBY[1]'), vehicleType: 'ecar', windows });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike', vehicleCount: 2 });

    expect((await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } })).status).toBe(202);
    const plan: Json = (await waitForDraft(p, officeId, supervisor)).body;
    expect(plan.status).toBe('draft');
    expect(plan.routes.flatMap((r: Json) => r.stops.map((s: Json) => s.bookingId))).toEqual([inZone.id]);
    expect(plan.routes.every((r: Json) => r.vehicleType === 'bike')).toBe(true);
    expect(plan.unassigned).toEqual(
      expect.arrayContaining([
        { bookingId: outside.id, applicationNumber: outside.applicationNumber, reason: 'no_allowed_vehicle' },
        { bookingId: ecar.id, applicationNumber: ecar.applicationNumber, reason: 'no_allowed_vehicle' },
      ]),
    );
    expect(plan.unassigned).toHaveLength(2);
    const geo = await api(p, 'GET', `/v1/offices/${officeId}/plans/${date}/geojson`, supervisor);
    expect(geo.body.features.filter((f: Json) => f.properties.kind === 'unassigned').map((f: Json) => f.geometry.coordinates)).toEqual(
      expect.arrayContaining([CITY_ONLY, NEARBY[1]]),
    );
  });

  test('a draft whose booking the citizen rescheduled meanwhile cannot be confirmed on the old days', async ({ p }) => {
    const { officeId, supervisor } = await newOffice(p);
    const windows = [localWindow(date, '09:00', '12:00')];
    const keep = await insertReadyBooking(p, officeId, { location: must(NEARBY[0], 'NEARBY[0]'), vehicleType: 'bike', windows });
    const moved = await insertReadyBooking(p, officeId, { location: must(NEARBY[1], 'NEARBY[1]'), vehicleType: 'bike', windows });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike' });
    await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect((await waitForDraft(p, officeId, supervisor)).body.stats.assigned).toBe(2);
    // What rescheduling records (src/bookings/reschedule.ts), written here without the tracking token.
    await recordAudit(p.db, { actorType: 'citizen', action: 'booking.rescheduled', subjectType: 'booking', subjectId: moved.id, officeId });
    const stale = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'plan.stale', details: { bookingIds: [moved.id] } });
    expect(must(await createBookingsRepository(p.db).findById(keep.id), 'keep').status).toBe('document_ready');
  });

  test('a draft whose booking was cancelled meanwhile cannot be confirmed; planning again replaces the draft', async ({ p }) => {
    const { officeId, supervisor } = await newOffice(p);
    const windows = [localWindow(date, '09:00', '12:00')];
    const keep = await insertReadyBooking(p, officeId, { location: must(NEARBY[0], 'NEARBY[0]'), vehicleType: 'bike', windows });
    const gone = await insertReadyBooking(p, officeId, { location: must(NEARBY[1], 'NEARBY[1]'), vehicleType: 'bike', windows });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike' });
    await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    const first: Json = (await waitForDraft(p, officeId, supervisor)).body;
    expect(first.stats.assigned).toBe(2);

    const repo = createBookingsRepository(p.db);
    await moveBooking(p, must(await repo.findById(gone.id), 'await repo.findById(gone.id)'), 'cancelled', { type: 'citizen' }, 'test');
    const stale = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'plan.stale', details: { bookingIds: [gone.id] } });
    expect(must(await repo.findById(keep.id), 'await repo.findById(keep.id)').status).toBe('document_ready');

    const replanned = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(replanned.status).toBe(202);
    expect(replanned.body.plan.id).not.toBe(first.id);
    const second: Json = (
      await eventually(
        () => getPlan(p, officeId, supervisor),
        (r) => r.body.id === replanned.body.plan.id && r.body.status === 'draft',
        20_000,
      )
    ).body;
    expect(second.routes.flatMap((r: Json) => r.stops.map((s: Json) => s.bookingId))).toEqual([keep.id]);
    const confirmed = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor);
    expect(confirmed.status).toBe(200);
    expect(must(await repo.findById(keep.id), 'await repo.findById(keep.id)').status).toBe('planned');
  });

  test('a confirmed plan can be withdrawn before handover: its bookings return to document_ready and the day is planned again', async ({
    p,
  }) => {
    const { officeId, supervisor } = await newOffice(p);
    const windows = [localWindow(date, '09:00', '12:00')];
    const a = await insertReadyBooking(p, officeId, { location: must(NEARBY[0], 'NEARBY[0]'), vehicleType: 'bike', windows });
    const b = await insertReadyBooking(p, officeId, { location: must(NEARBY[1], 'NEARBY[1]'), vehicleType: 'bike', windows });
    await createShift(p, officeId, supervisor.headers, { date, vehicleType: 'bike' });
    await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    await waitForDraft(p, officeId, supervisor);
    const notYet = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/withdraw`, supervisor);
    expect(notYet.body.error.code).toBe('plan.not_confirmed');
    expect((await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor)).status).toBe(200);

    const withdrawn = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/withdraw`, supervisor);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.plan.status).toBe('superseded');
    expect([...withdrawn.body.bookingIds].sort()).toEqual([a.id, b.id].sort());
    const repo = createBookingsRepository(p.db);
    for (const id of [a.id, b.id]) {
      expect(must(await repo.findById(id), 'await repo.findById(id)').status).toBe('document_ready');
      expect((await repo.events(id)).at(-1)).toMatchObject({ fromStatus: 'planned', toStatus: 'document_ready', actorType: 'staff' });
    }
    const again = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(again.status).toBe(202);
    await eventually(
      () => getPlan(p, officeId, supervisor),
      (r) => r.body.id === again.body.plan.id && r.body.status === 'draft',
      20_000,
    );
    expect((await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/confirm`, supervisor)).status).toBe(200);

    // Once a document has left the office, the plan stands.
    await moveBooking(
      p,
      must(await repo.findById(a.id), 'await repo.findById(a.id)'),
      'handed_over',
      { type: 'staff', id: 'test' },
      'handover',
    );
    const late = await api(p, 'POST', `/v1/offices/${officeId}/plans/${date}/withdraw`, supervisor);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'plan.in_progress', details: { bookingIds: [a.id] } });
    expect(must(await repo.findById(b.id), 'await repo.findById(b.id)').status).toBe('planned');
  });

  test('refuses days in the past and answers 404 for a day never planned', async ({ p }) => {
    const { officeId, supervisor } = await newOffice(p);
    const past = await api(p, 'POST', `/v1/offices/${officeId}/plans`, { ...supervisor, body: { deliveryDate: '2020-01-01' } });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('planning.date_out_of_range');
    const none = await getPlan(p, officeId, supervisor, futureDeliveryDate(9));
    expect(none.status).toBe(404);
  });
});
