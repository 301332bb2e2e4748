import { and, eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { custodyLog } from '../../../src/custody/custody.table.ts';
import { serviceZones, tariffs } from '../../../src/offices/offices.table.ts';
import { zonedTimeToUtc } from '../../../src/shared/zoned-time.ts';
import { centsOf } from '../../../src/web/staff/admin-zones.routes.ts';
import { readZoneUpload } from '../../../src/web/staff/zone-upload.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });

const SQUARE = {
  type: 'Feature',
  properties: { name: 'from a GIS tool' },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [9.16, 48.77],
        [9.19, 48.77],
        [9.19, 48.785],
        [9.16, 48.785],
        [9.16, 48.77],
      ],
    ],
  },
};
const BOWTIE = {
  type: 'Polygon',
  coordinates: [
    [
      [9.16, 48.77],
      [9.19, 48.785],
      [9.19, 48.77],
      [9.16, 48.785],
      [9.16, 48.77],
    ],
  ],
};

describe('reading an uploaded zone and a typed price', () => {
  test('a bare geometry, a Feature or a one-feature collection; anything else named', ({ expect }) => {
    expect(readZoneUpload(JSON.stringify(SQUARE))).toEqual({ ok: true, geometry: SQUARE.geometry });
    expect(readZoneUpload(JSON.stringify({ type: 'FeatureCollection', features: [SQUARE] }))).toEqual({
      ok: true,
      geometry: SQUARE.geometry,
    });
    expect(readZoneUpload(JSON.stringify({ type: 'FeatureCollection', features: [SQUARE, SQUARE] }))).toEqual({
      ok: false,
      key: 'zo.error.many',
    });
    expect(readZoneUpload('{"type":"Point","coordinates":[9,48]}')).toEqual({ ok: false, key: 'zo.error.type' });
    expect(readZoneUpload('{"type":"Polygon","coordinates":[[[200,48],[9,48],[9,49],[200,48]]]}')).toEqual({
      ok: false,
      key: 'zo.error.type',
    });
    expect(readZoneUpload('{not json')).toEqual({ ok: false, key: 'zo.error.json' });
    expect([centsOf('4,50'), centsOf('4.5'), centsOf('12'), centsOf('4,505'), centsOf('-1'), centsOf('')]).toEqual([
      450,
      450,
      1200,
      null,
      null,
      null,
    ]);
  });
});

describe('zones, prices and the custody chain in the admin console', () => {
  test('an admin previews an uploaded zone on the map, saves it, switches it off, prices it and ends the price', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const web = webClient(p);
    await web.signIn(await staffAccount(p, ['admin'], null));
    const path = `/amt/verwaltung/gebiete?buero=${office.id}`;
    const page = await (await web.get(path)).text();
    expect(page).toContain(office.name);
    const before = await p.db.select().from(serviceZones).where(eq(serviceZones.officeId, office.id));
    expect(before.length).toBeGreaterThan(0);
    for (const z of before) expect(page).toContain(`data-zone="${z.id}"`);
    const form = { _csrf: web.csrfOf(page), buero: office.id, name: 'Neues Gebiet', vehicleTypes: 'bike' };

    const badJson = await web.post('/amt/verwaltung/gebiete/vorschau', { ...form, geojson: '{oops' });
    expect(badJson.status).toBe(422);
    expect(await badJson.text()).toContain('id="geojson-error"');

    const preview = await web.post('/amt/verwaltung/gebiete/vorschau', { ...form, geojson: JSON.stringify(SQUARE) });
    expect(preview.status).toBe(200);
    const previewHtml = await preview.text();
    expect(previewHtml).toContain('id="preview-shown"');
    expect(previewHtml).toContain('data-preview="zone-preview"');
    // The typed text comes back in the form, so saving sends the same zone.
    expect(previewHtml).toContain('&quot;Polygon&quot;');
    expect(await p.db.select().from(serviceZones).where(eq(serviceZones.officeId, office.id))).toHaveLength(before.length);

    const kinked = await web.post('/amt/verwaltung/gebiete', { ...form, geojson: JSON.stringify(BOWTIE) });
    expect(kinked.status).toBe(422);
    expect(await kinked.text()).toContain('Die Fläche ist kein brauchbares Polygon');

    const saved = await web.post('/amt/verwaltung/gebiete', { ...form, geojson: JSON.stringify(SQUARE) });
    expect(saved.status).toBe(303);
    const [zone] = await p.db
      .select()
      .from(serviceZones)
      .where(and(eq(serviceZones.officeId, office.id), eq(serviceZones.name, 'Neues Gebiet')));
    expect(zone?.geometry).toEqual(SQUARE.geometry);
    expect(zone?.vehicleTypes).toEqual(['bike']);
    const audited = await p.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.subjectId, zone?.id ?? ''));
    expect(audited.map((a) => a.action)).toEqual(['zone.created']);
    const layers = (await (await web.get(`/amt/verwaltung/gebiete/karte.geojson?buero=${office.id}`)).json()) as { features: unknown[] };
    expect(layers.features).toHaveLength(before.length + 2);

    const listed = await (await web.get(path)).text();
    const off = await web.post(`/amt/verwaltung/gebiete/${zone?.id}/schalten`, {
      _csrf: web.csrfOf(listed),
      buero: office.id,
      active: 'false',
    });
    expect(off.status).toBe(303);
    expect(
      (
        await p.db
          .select()
          .from(serviceZones)
          .where(eq(serviceZones.id, zone?.id ?? ''))
      )[0]?.active,
    ).toBe(false);

    const price = {
      _csrf: web.csrfOf(listed),
      buero: office.id,
      zoneId: zone?.id ?? '',
      vehicleType: 'bike',
      price: '5,20',
      validFrom: '2027-01-01',
    };
    const badPrice = await web.post('/amt/verwaltung/gebiete/tarife', { ...price, price: 'fünf', validFrom: '2027-02-30' });
    expect(badPrice.status).toBe(422);
    const badHtml = await badPrice.text();
    expect(badHtml).toContain('id="price-error"');
    expect(badHtml).toContain('id="validFrom-error"');
    // An e-car price in a bicycle-only zone: the service refuses, the page says why.
    const wrongVehicle = await web.post('/amt/verwaltung/gebiete/tarife', { ...price, vehicleType: 'ecar' });
    expect(wrongVehicle.status).toBe(422);
    expect(await wrongVehicle.text()).toContain('Dieses Fahrzeug fährt in dem Gebiet nicht');

    // A change must name its office: a city-wide admin's form without one does not fall back to the first.
    expect((await web.post('/amt/verwaltung/gebiete/tarife', { ...price, buero: '' })).status).toBe(404);
    expect((await web.post('/amt/verwaltung/gebiete/tarife', price)).status).toBe(303);
    const [tariff] = await p.db
      .select()
      .from(tariffs)
      .where(eq(tariffs.zoneId, zone?.id ?? ''));
    expect(tariff).toMatchObject({ amountCents: 520, vehicleType: 'bike', validTo: null });
    // The office's day, stored as the instant it starts (Europe/Berlin, UTC+1 in winter).
    expect(tariff?.validFrom.toISOString()).toBe(zonedTimeToUtc('2027-01-01', '00:00', office.timezone).toISOString());
    const overlapping = await web.post('/amt/verwaltung/gebiete/tarife', { ...price, price: '6', validFrom: '2027-03-01' });
    expect(overlapping.status).toBe(422);
    expect(await overlapping.text()).toContain('gilt in diesem Zeitraum schon ein Preis');

    const ended = await web.post(`/amt/verwaltung/gebiete/tarife/${tariff?.id}/beenden`, {
      _csrf: web.csrfOf(listed),
      buero: office.id,
      // The last day it applies; stored as the start of the day after.
      validTo: '2027-05-31',
    });
    expect(ended.status).toBe(303);
    expect(
      (
        await p.db
          .select()
          .from(tariffs)
          .where(eq(tariffs.id, tariff?.id ?? ''))
      )[0]?.validTo?.toISOString(),
    ).toBe(zonedTimeToUtc('2027-06-01', '00:00', office.timezone).toISOString());
  });

  test('a supervisor cannot change zones here; a change without its CSRF token is refused', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const supervisor = webClient(p);
    await supervisor.signIn(await staffAccount(p, ['supervisor'], office.id));
    expect((await supervisor.get('/amt/verwaltung/gebiete')).status).toBe(403);
    expect((await supervisor.get('/amt/verwaltung/verwahrkette')).status).toBe(403);
    const admin = webClient(p);
    await admin.signIn(await staffAccount(p, ['admin'], null));
    expect(
      (await admin.post('/amt/verwaltung/gebiete', { buero: office.id, name: 'x', vehicleTypes: 'bike', geojson: JSON.stringify(SQUARE) }))
        .status,
    ).toBe(403);
  });

  // The test database is shared by all files: the entry changed here is put back before the test ends.
  test('the chain check says intact with the number of entries, and names the entry that was changed afterwards', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking } = await createPaidBooking(p, office.id);
    const clerk = webClient(p);
    await clerk.signIn(await staffAccount(p, ['clerk'], office.id));
    const counter = await (await clerk.get('/amt/schalter')).text();
    await clerk.post('/amt/schalter/eingang', { _csrf: clerk.csrfOf(counter), code: booking.applicationNumber });

    const admin = webClient(p);
    const adminAccount = await staffAccount(p, ['admin'], null);
    await admin.signIn(adminAccount);
    // Opening the page checks nothing; the button (a POST) runs the check.
    const check = async () => {
      const page = await (await admin.get('/amt/verwaltung/verwahrkette')).text();
      expect(page).not.toContain('id="chain-result"');
      return (await admin.post('/amt/verwaltung/verwahrkette', { _csrf: admin.csrfOf(page) })).text();
    };
    const intact = await check();
    const entries = (await p.db.select().from(custodyLog)).length;
    expect(entries).toBeGreaterThan(0);
    expect(intact).toContain('data-ok="true"');
    expect(intact).toContain(`${entries} Einträge geprüft`);

    // Someone with database access rewrites an entry past the append-only trigger.
    const rewrite = (name: string | null) =>
      p.db.transaction(async (tx) => {
        await tx.execute(sql`alter table custody_log disable trigger custody_log_append_only`);
        await tx.execute(sql`update custody_log set courier_name = ${name} where booking_id = ${booking.id}`);
        await tx.execute(sql`alter table custody_log enable trigger custody_log_append_only`);
      });
    const [changed] = await p.db.select().from(custodyLog).where(eq(custodyLog.bookingId, booking.id)).orderBy(custodyLog.seq).limit(1);
    await rewrite('Niemand');
    try {
      const broken = await check();
      expect(broken).toContain('data-ok="false"');
      expect(broken).toContain(`Eintrag ${changed?.seq} wurde nachträglich geändert`);
    } finally {
      await rewrite(changed?.courierName ?? null);
    }
    expect(await check()).toContain('data-ok="true"');
    const checks = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'custody.chain_checked'), eq(auditLog.actorId, adminAccount.user.id)))
      .orderBy(auditLog.id);
    expect(checks.map((c) => (c.details as { ok: boolean }).ok)).toEqual([true, false, true]);
  });
});
