import { randomUUID } from 'node:crypto';
import { bearing, booleanPointInPolygon, destination, distance, midpoint, point } from '@turf/turf';
import { describe, expect } from 'vitest';
import { loadStuttgartBoundary } from '../../src/demo/seed-demo.ts';
import { createOfficesRepository } from '../../src/offices/offices.repository.ts';
import {
  ADDRESS,
  api,
  bookingBody,
  CITY_ONLY,
  NEAR,
  OFFICE_LOCATION,
  OUTSIDE,
  seedOffice,
  type TestPlatform,
} from '../helpers/test-platform.ts';
import { test } from '../helpers/platform-fixture.ts';
import { must } from '../helpers/must.ts';

type LngLat = [number, number];

const at = (from: LngLat, km: number, bearingDeg: number) =>
  destination(from, km, bearingDeg, { units: 'kilometers' }).geometry.coordinates as LngLat;

/**
 * Two points a few metres either side of the city boundary, off the middle of its longest edge far
 * from the bike circle: which of the two lies inside is decided by turf, then checked end to end.
 */
function acrossCityBoundary(offsetMetres: number) {
  const ring = must(loadStuttgartBoundary().coordinates[0], 'loadStuttgartBoundary().coordinates[0]') as LngLat[];
  let best = { length: 0, a: must(ring[0], 'ring[0]'), b: must(ring[1], 'ring[1]') };
  for (let i = 1; i < ring.length; i++) {
    const a = must(ring[i - 1], 'ring[i - 1]');
    const b = must(ring[i], 'ring[i]');
    const length = distance(a, b, { units: 'kilometers' });
    if (length > best.length && distance(a, OFFICE_LOCATION, { units: 'kilometers' }) > 5) best = { length, a, b };
  }
  const mid = midpoint(point(best.a), point(best.b)).geometry.coordinates as LngLat;
  const along = bearing(best.a, best.b);
  const left = at(mid, offsetMetres / 1000, along - 90);
  const right = at(mid, offsetMetres / 1000, along + 90);
  const boundary = loadStuttgartBoundary();
  const leftInside = booleanPointInPolygon(left, boundary);
  expect(leftInside, 'the two points must lie on different sides').not.toBe(booleanPointInPolygon(right, boundary));
  return leftInside ? { inside: left, outside: right } : { inside: right, outside: left };
}

describe('quotes on both sides of a zone border', () => {
  let officeId: string;

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db, { bikeCents: 450, ecarCents: 850 }));
  });

  const quote = (p: TestPlatform, location: unknown, office = officeId) =>
    api(p, 'POST', '/v1/quotes', { body: { officeId: office, address: ADDRESS, location } });
  const vehicles = (res: { body: { options: { vehicleType: string }[] } }) => res.body.options.map((o) => o.vehicleType);

  test.for([0, 73, 137.5, 211, 290])(
    'at bearing %s°, 3.99 km from the office offers bike and e-car, 4.01 km e-car only',
    async (deg, { p }) => {
      const inside = await quote(p, at(OFFICE_LOCATION, 3.99, deg));
      expect(inside.status).toBe(201);
      expect(inside.body.options).toEqual([
        { vehicleType: 'bike', amountCents: 450, currency: 'EUR' },
        { vehicleType: 'ecar', amountCents: 850, currency: 'EUR' },
      ]);
      const outside = await quote(p, at(OFFICE_LOCATION, 4.01, deg));
      expect(outside.status).toBe(201);
      expect(vehicles(outside)).toEqual(['ecar']);
    },
  );

  test('a few metres inside the city boundary offers the e-car; a few metres outside is outside the service area', async ({ p }) => {
    const { inside, outside } = acrossCityBoundary(10);
    const res = await quote(p, inside);
    expect(res.status).toBe(201);
    expect(vehicles(res)).toEqual(['ecar']);
    expect(res.body.location).toEqual(inside);

    const out = await quote(p, outside);
    expect(out.status).toBe(422);
    expect(out.body.error).toMatchObject({ code: 'quote.outside_service_area', requestId: expect.any(String) });
  });

  test('far outside every zone is outside the service area', async ({ p }) => {
    const res = await quote(p, OUTSIDE);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('quote.outside_service_area');
  });

  test('an unknown office is a 404', async ({ p }) => {
    const res = await quote(p, NEAR, randomUUID());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('office.not_found');
  });

  test('a zone with no tariff valid today answers 422 quote.no_tariff, not an empty offer', async ({ p }) => {
    const repo = createOfficesRepository(p.db);
    const { office } = await seedOffice(p.db);
    const zone = await repo.insertZone({
      officeId: office.id,
      name: 'Far away',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [11.5, 48.1],
            [11.7, 48.1],
            [11.7, 48.2],
            [11.5, 48.2],
            [11.5, 48.1],
          ],
        ],
      },
      vehicleTypes: ['ecar'],
    });
    // A tariff that only starts next year does not price today's quote.
    await repo.insertTariff({
      officeId: office.id,
      zoneId: zone.id,
      vehicleType: 'ecar',
      amountCents: 999,
      validFrom: new Date(Date.now() + 365 * 86_400_000),
    });
    const res = await quote(p, OUTSIDE, office.id);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('quote.no_tariff');
  });

  test('booking from an expired quote is 410 quote.expired', async ({ p }) => {
    const q = await quote(p, NEAR);
    const ttl = p.config.env.QUOTE_TTL_MINUTES;
    p.clock.advance((ttl + 1) * 60_000);
    try {
      const res = await api(p, 'POST', '/v1/bookings', {
        body: bookingBody(q.body.id, {}, new Date(Date.now() + (ttl + 1) * 60_000)),
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('quote.expired');
    } finally {
      p.clock.advance(-(ttl + 1) * 60_000);
    }
    // Before it expires, the same quote books fine.
    const ok = await api(p, 'POST', '/v1/bookings', { body: bookingBody(q.body.id), headers: { 'idempotency-key': randomUUID() } });
    expect(ok.status).toBe(201);
  });

  test('booking a vehicle the quote does not offer is 422 quote.vehicle_not_offered', async ({ p }) => {
    const q = await quote(p, CITY_ONLY);
    expect(vehicles(q)).toEqual(['ecar']);
    const res = await api(p, 'POST', '/v1/bookings', {
      body: bookingBody(q.body.id, { vehicleType: 'bike' }),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('quote.vehicle_not_offered');
    const ecar = await api(p, 'POST', '/v1/bookings', {
      body: bookingBody(q.body.id, { vehicleType: 'ecar' }),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(ecar.status).toBe(201);
    expect(ecar.body.booking).toMatchObject({ vehicleType: 'ecar', amountCents: 850 });
  });

  test('booking from an unknown quote is 404 quote.not_found', async ({ p }) => {
    const res = await api(p, 'POST', '/v1/bookings', { body: bookingBody(randomUUID()), headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('quote.not_found');
  });
});
