import { describe, expect } from 'vitest';
import { validateZoneGeometry } from '../../src/offices/zone-geometry.ts';
import { loadStuttgartBoundary } from '../../src/demo/seed-demo.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, ADDRESS, seedOffice } from '../helpers/test-platform.ts';

const square = (lng: number, lat: number, d: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ] as [number, number][][],
});

describe('zone geometry rules', () => {
  test('accepts the Stuttgart city boundary and a plain square', () => {
    expect(() => validateZoneGeometry(loadStuttgartBoundary())).not.toThrow();
    expect(() => validateZoneGeometry(square(9.1, 48.7, 0.01))).not.toThrow();
  });
  test('refuses a ring that is not closed, a bow-tie that crosses itself, and a speck', () => {
    expect(() =>
      validateZoneGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [9, 48],
            [9.1, 48],
            [9.1, 48.1],
            [9, 48.1],
          ],
        ],
      }),
    ).toThrow(/closed|4 positions/);
    expect(() =>
      validateZoneGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [9, 48],
            [9.1, 48.1],
            [9.1, 48],
            [9, 48.1],
            [9, 48],
          ],
        ],
      }),
    ).toThrow(/itself|valid/);
    expect(() => validateZoneGeometry(square(9.1, 48.7, 0.00001))).toThrow(/smaller/);
  });
});

describe('managing offices, zones and tariffs', () => {
  let admin: { headers: Record<string, string> };

  test.beforeAll(async ({ p }) => {
    admin = await p.staff(['admin'], null);
  });

  test('an admin adds an office, a zone and a price, and citizens can then get quotes there', async ({ p }) => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const office = await api(p, 'POST', '/v1/offices', {
      headers: admin.headers,
      body: {
        slug: `bc-${suffix}`,
        name: 'Bürgerbüro Bad Cannstatt',
        addressLine: 'Marktplatz 10, 70372 Stuttgart',
        location: [9.2143, 48.8048],
        kassenzeichenPrefix: `BC${suffix.toUpperCase()}`.slice(0, 16),
        refundPolicy: 'full',
        cancellationFeeCents: 0,
        deliveryAttemptLimit: 2,
        state: 'BW',
        postalCodes: ['70173', '70372'],
      },
    });
    expect(office.status).toBe(201);
    expect(office.body).toMatchObject({ state: 'BW', postalCodes: ['70173', '70372'], paymentIssueHandling: 'hold' });
    const officeId = office.body.id;
    const outside = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: [9.215, 48.805] } });
    expect(outside.body.error.code).toBe('quote.outside_service_area');

    const zone = await api(p, 'POST', `/v1/offices/${officeId}/zones`, {
      headers: admin.headers,
      body: { name: 'Cannstatt', geometry: square(9.2, 48.79, 0.03), vehicleTypes: ['bike'] },
    });
    expect(zone.status).toBe(201);
    const noPrice = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: [9.215, 48.805] } });
    expect(noPrice.body.error.code).toBe('quote.no_tariff');

    const tariff = await api(p, 'POST', `/v1/offices/${officeId}/tariffs`, {
      headers: admin.headers,
      body: { zoneId: zone.body.id, vehicleType: 'bike', amountCents: 390, validFrom: '2020-01-01T00:00:00Z' },
    });
    expect(tariff.status).toBe(201);
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: [9.215, 48.805] } });
    expect(quote.body.options).toEqual([{ vehicleType: 'bike', amountCents: 390, currency: 'EUR' }]);

    // A second open-ended price for the same zone and vehicle would make quotes arbitrary.
    const overlap = await api(p, 'POST', `/v1/offices/${officeId}/tariffs`, {
      headers: admin.headers,
      body: { zoneId: zone.body.id, vehicleType: 'bike', amountCents: 500, validFrom: '2030-01-01T00:00:00Z' },
    });
    expect(overlap.status).toBe(409);
    const ended = await api(p, 'POST', `/v1/offices/${officeId}/tariffs/${tariff.body.id}/end`, {
      headers: admin.headers,
      body: { validTo: '2030-01-01T00:00:00Z' },
    });
    expect(ended.body.validTo).toBe('2030-01-01T00:00:00.000Z');
    const next = await api(p, 'POST', `/v1/offices/${officeId}/tariffs`, {
      headers: admin.headers,
      body: { zoneId: zone.body.id, vehicleType: 'bike', amountCents: 500, validFrom: '2030-01-01T00:00:00Z' },
    });
    expect(next.status).toBe(201);

    const wrongVehicle = await api(p, 'POST', `/v1/offices/${officeId}/tariffs`, {
      headers: admin.headers,
      body: { zoneId: zone.body.id, vehicleType: 'ecar', amountCents: 900, validFrom: '2020-01-01T00:00:00Z' },
    });
    expect(wrongVehicle.body.error.code).toBe('tariff.vehicle_not_in_zone');

    const off = await api(p, 'PATCH', `/v1/offices/${officeId}/zones/${zone.body.id}`, { headers: admin.headers, body: { active: false } });
    expect(off.body.active).toBe(false);
    const afterOff = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: [9.215, 48.805] } });
    expect(afterOff.body.error.code).toBe('quote.outside_service_area');
  });

  test('a self-intersecting zone is refused with 422 and nothing is stored', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const before = await api(p, 'GET', `/v1/offices/${office.id}/zones`, { headers: admin.headers });
    const bad = await api(p, 'POST', `/v1/offices/${office.id}/zones`, {
      headers: admin.headers,
      body: {
        name: 'Bow tie',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [9, 48],
              [9.1, 48.1],
              [9.1, 48],
              [9, 48.1],
              [9, 48],
            ],
          ],
        },
        vehicleTypes: ['ecar'],
      },
    });
    expect(bad.status).toBe(422);
    const after = await api(p, 'GET', `/v1/offices/${office.id}/zones`, { headers: admin.headers });
    expect(after.body.data).toHaveLength(before.body.data.length);
  });

  test('a supervisor manages only their own office', async ({ p }) => {
    const { office: mine } = await seedOffice(p.db);
    const { office: other, bikeZone } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], mine.id);
    const own = await api(p, 'GET', `/v1/offices/${mine.id}/zones`, { headers: supervisor.headers });
    expect(own.body.data).toHaveLength(2);
    const foreign = await api(p, 'POST', `/v1/offices/${other.id}/tariffs`, {
      headers: supervisor.headers,
      body: { zoneId: bikeZone.id, vehicleType: 'bike', amountCents: 1, validFrom: '2031-01-01T00:00:00Z' },
    });
    expect(foreign.status).toBe(404);
  });
});
