import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { courierShifts } from '../../../src/planning/planning.table.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { eventually, seedOffice } from '../../helpers/test-platform.ts';
import { registerCompany } from '../../dispatch/helpers.ts';
import { futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from '../../planning/helpers.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: true });

describe('the planning console', () => {
  test(
    'a supervisor enters a shift, plans the day, reads routes and unassigned reasons, sees the map layers, confirms and withdraws',
    { timeout: 90_000 },
    async ({ p }) => {
      const { office, bikeZone } = await seedOffice(p.db);
      const company = await registerCompany(p, { name: 'Planungs-Velo', zoneIds: [bikeZone.id] });
      const date = futureDeliveryDate(9);
      const windows = [localWindow(date, '09:00', '17:00')];
      const onBike = [];
      for (let i = 0; i < 3; i++)
        onBike.push(await insertReadyBooking(p, office.id, { location: must(NEARBY[i], 'a location'), vehicleType: 'bike', windows }));
      // An e-car booking with only bicycles on shift: left unassigned, with the solver's reason.
      const byCar = await insertReadyBooking(p, office.id, { location: must(NEARBY[3], 'a location'), vehicleType: 'ecar', windows });
      const web = webClient(p);
      await web.signIn(await staffAccount(p, ['supervisor'], office.id));
      const day = `/amt/planung?tag=${date}`;

      const empty = await (await web.get(day)).text();
      expect(empty).toContain('id="no-shifts"');
      expect(empty).toContain('id="start-plan"');

      // A shift that ends before it starts, with no vehicles: the form again, errors at their fields.
      const bad = await web.post('/amt/planung/schichten', {
        _csrf: web.csrfOf(empty),
        tag: date,
        vehicleType: 'bike',
        vehicleCount: '0',
        capacity: '20',
        start: '16:00',
        end: '08:00',
        courierCompanyId: company.company.id,
      });
      expect(bad.status).toBe(422);
      const badHtml = await bad.text();
      expect(badHtml).toContain('id="vehicleCount-error"');
      expect(badHtml).toContain('id="end-error"');
      expect(await p.db.select().from(courierShifts).where(eq(courierShifts.officeId, office.id))).toHaveLength(0);

      const shiftForm = {
        _csrf: web.csrfOf(empty),
        formKey: must(/name="formKey" value="([0-9a-f-]{36})"/.exec(empty)?.[1], 'the form key'),
        tag: date,
        vehicleType: 'bike',
        vehicleCount: '1',
        capacity: '20',
        start: '08:00',
        end: '18:00',
        maxDistanceKm: '80',
        courierCompanyId: company.company.id,
      };
      const added = await web.post('/amt/planung/schichten', shiftForm);
      expect(added.status).toBe(303);
      // The same form again (a double click): still one shift, not twice the capacity.
      expect((await web.post('/amt/planung/schichten', shiftForm)).status).toBe(303);
      expect(await p.db.select().from(courierShifts).where(eq(courierShifts.officeId, office.id))).toHaveLength(1);
      const [shift] = await p.db.select().from(courierShifts).where(eq(courierShifts.officeId, office.id));
      // Office time on the form, UTC in storage.
      expect(shift?.shiftStart.toISOString()).toBe(localWindow(date, '08:00', '18:00').start);
      expect(shift?.maxDistanceMetres).toBe(80_000);
      expect(shift?.courierCompanyId).toBe(company.company.id);
      const withShift = await (await web.get(added.headers.get('location') ?? '')).text();
      expect(withShift).toContain('Die Schicht ist eingetragen.');
      expect(withShift).toMatch(/id="shifts"[\s\S]*08:00–18:00[\s\S]*Planungs-Velo/);

      const started = await web.post('/amt/planung/planen', { _csrf: web.csrfOf(withShift), tag: date });
      expect(started.status).toBe(303);
      const stand = await eventually(
        async () => (await (await web.get(`/amt/planung/stand?tag=${date}`, { accept: 'application/json' })).json()) as { status: string },
        (s) => s.status === 'draft' || s.status === 'failed',
        30_000,
      );
      expect(stand.status).toBe('draft');

      const draft = await (await web.get(day)).text();
      expect(draft).toContain('data-status="draft"');
      for (const b of onBike) expect(draft).toContain(b.applicationNumber);
      const unassigned = /<table class="kern-table" id="unassigned">[\s\S]*?<\/table>/.exec(draft)?.[0] ?? '';
      expect(unassigned).toContain(byCar.applicationNumber);
      expect(unassigned).toContain('Keine Schicht mit einem passenden Fahrzeug');
      expect(draft).toContain('id="confirm-plan"');

      // The map's layers: zones, the office, the route and its stops, the unassigned booking. The read is audited.
      const layers = await (await web.get(`/amt/planung/karte.geojson?tag=${date}`, { accept: 'application/geo+json' })).json();
      const kinds = (layers as { features: { properties: { kind: string } }[] }).features.map((f) => f.properties.kind);
      expect(new Set(kinds)).toEqual(new Set(['zone', 'depot', 'route', 'stop', 'unassigned']));
      expect(kinds.filter((k) => k === 'stop')).toHaveLength(3);
      const exported = await p.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.officeId, office.id), eq(auditLog.action, 'plan.geojson_exported')));
      expect(exported).toHaveLength(1);

      const confirmed = await web.post('/amt/planung/bestaetigen', { _csrf: web.csrfOf(draft), tag: date });
      expect(confirmed.status).toBe(303);
      const ids = onBike.map((b) => b.id);
      const statuses = async () => (await p.db.select().from(bookings).where(inArray(bookings.id, ids))).map((b) => b.status);
      expect(await statuses()).toEqual(['planned', 'planned', 'planned']);
      const confirmedPage = await (await web.get(confirmed.headers.get('location') ?? '')).text();
      expect(confirmedPage).toContain('id="withdraw-plan"');

      // Confirming again: the service refuses, the page says why in German, nothing changes.
      const twice = await web.post('/amt/planung/bestaetigen', { _csrf: web.csrfOf(confirmedPage), tag: date });
      expect(twice.status).toBe(409);
      expect(await twice.text()).toContain('Der Plan dieses Tages ist schon bestätigt.');

      const withdrawn = await web.post('/amt/planung/zuruecknehmen', { _csrf: web.csrfOf(confirmedPage), tag: date });
      expect(withdrawn.status).toBe(303);
      expect(await statuses()).toEqual(['document_ready', 'document_ready', 'document_ready']);
    },
  );

  test('a clerk cannot open the planning console; a supervisor plans only their own office', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { office: other } = await seedOffice(p.db);
    const clerk = webClient(p);
    await clerk.signIn(await staffAccount(p, ['clerk'], office.id));
    expect((await clerk.get('/amt/planung')).status).toBe(403);
    expect((await clerk.get('/amt/planung/karte.geojson')).status).toBe(403);
    const supervisor = webClient(p);
    await supervisor.signIn(await staffAccount(p, ['supervisor'], office.id));
    const page = await (await supervisor.get(`/amt/planung?buero=${other.id}`)).text();
    expect(page).toContain(office.name);
    expect(page).not.toContain(other.name);
    expect((await supervisor.post('/amt/planung/planen', { tag: futureDeliveryDate(5) })).status).toBe(403);
  });
});
