import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { custodyLog } from '../../../src/custody/custody.table.ts';
import { identityChecks, inboundCourierEvents } from '../../../src/dispatch/dispatch.table.ts';
import { planStops } from '../../../src/planning/planning.table.ts';
import { registerCompany } from '../../dispatch/helpers.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, NEAR, type TestPlatform } from '../../helpers/test-platform.ts';
import { riderClient, riderOf, routeForToday } from './courier-day.ts';

const test = platformTest({ workers: true });

type Day = Awaited<ReturnType<typeof routeForToday>>;
let day: Day;

const bookingOfStop = async (p: TestPlatform, jobId: string) => {
  const [stop] = await p.db.select().from(planStops).where(eq(planStops.id, jobId));
  const [booking] = await p.db
    .select()
    .from(bookings)
    .where(eq(bookings.id, must(stop, 'stop').bookingId));
  return must(booking, 'booking');
};

/** At the door of Erika Mustermann, near the office, with a phone's GPS accuracy. */
const AT_THE_DOOR = { lng: String(NEAR[0]), lat: String(NEAR[1]), accuracy: '12' };

describe('the rider app (/kurier)', () => {
  test.beforeAll(async ({ p }) => {
    day = await routeForToday(p, { name: 'App Velo', daysAhead: 6, count: 2 });
  }, 120_000);

  test('sign-in: wrong password on the page, CSRF missing is 403, the cookie is HttpOnly, SameSite=Strict, path /kurier', async ({ p }) => {
    const rider = await riderOf(p, day.company);
    const web = riderClient(p);
    expect((await web.get('/kurier')).headers.get('location')).toBe('/kurier/anmelden');
    const wrong = await web.signIn({ username: rider.username, password: 'falsch-falsch-falsch' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Benutzername oder Passwort ist falsch.');
    const noCsrf = await web.post('/kurier/anmelden', { username: rider.username, password: rider.password });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toContain('Das Formular ist abgelaufen');

    const page = await (await web.get('/kurier/anmelden')).text();
    const res = await fetch(`${p.address}/kurier/anmelden`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...web.jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: new URLSearchParams({ _csrf: web.csrfOf(page), username: rider.username, password: rider.password }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/kurier');
    const cookie = must(
      res.headers.getSetCookie().find((c) => c.startsWith('amtsbote_kurier=')),
      'session cookie',
    );
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/kurier(;|$)/);
    expect(cookie).toMatch(/amtsbote_kurier=ab_rider_/);

    // German first; the same pages in English from the catalogue.
    const english = await (await fetch(`${p.address}/kurier/anmelden?lang=en`)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('Sign in for couriers');
  });

  test('after ten wrong passwords the sign-in page says how long to wait and lets nobody in meanwhile', async ({ p }) => {
    const rider = await riderOf(p, day.company);
    const web = riderClient(p);
    for (let i = 0; i < 10; i++) expect((await web.signIn({ ...rider, password: 'falsch-falsch-falsch' })).status).toBe(401);
    const locked = await web.signIn(rider);
    expect(locked.status).toBe(429);
    const html = await locked.text();
    expect(html).toMatch(/Zu viele Versuche\. Bitte warten Sie [1-5] Minuten \(bis \d{2}:\d{2} Uhr\)\./);
    expect(html).toContain(`value="${rider.username}"`);
    expect(web.jar.has('amtsbote_kurier')).toBe(false);
  });

  test('a day on the road: start, deliver with the identity check, fail one, return the documents', { timeout: 60_000 }, async ({ p }) => {
    const rider = await riderOf(p, day.company, 'Mia Berger');
    const web = riderClient(p);
    expect((await web.signIn(rider)).status).toBe(303);
    const [deliverJob, failJob] = day.jobIds.map((j) => must(j, 'job'));
    if (!deliverJob || !failJob) throw new Error('two stops expected on the route');

    // Today's routes of the company, with their state.
    const home = await (await web.get('/kurier')).text();
    expect(home).toContain('Mia Berger, App Velo');
    expect(home).toContain(`/kurier/touren/${day.routeId}`);
    expect(home).toContain('Übergeben – bereit zur Abfahrt');

    // The route: what the courier needs at each door and nothing more.
    const routePath = `/kurier/touren/${day.routeId}`;
    const routeRes = await web.get(routePath);
    expect(routeRes.headers.get('cache-control')).toBe('no-store');
    let page = await routeRes.text();
    expect(page).toContain('Erika Mustermann');
    expect(page).toContain('href="tel:+497111234567"');
    expect(page).toMatch(/href="geo:48\.\d+,9\.\d+"/);
    expect(page).toContain('Marktplatz 1');
    expect(page).toMatch(/Zeitfenster \d{2}:\d{2}–\d{2}:\d{2} Uhr/);
    for (const b of day.bookings) {
      expect(page).not.toContain(b.kassenzeichen);
      expect(page).not.toContain(b.applicationNumber);
    }
    expect(page).not.toContain('@');
    expect(page).toContain('Tour gestartet');

    // CSRF missing on an action: 403, nothing sent.
    expect((await web.post(`${routePath}/start`, {})).status).toBe(403);

    let res = await web.submit(routePath, `${routePath}/start`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${routePath}?ergebnis=applied&meldung=route.started`);
    page = await (await web.get(must(res.headers.get('location'), 'location'))).text();
    expect(page).toContain('Gemeldet: Tour gestartet.');
    expect(page).toContain('Unterwegs');
    expect((await bookingOfStop(p, deliverJob)).status).toBe('out_for_delivery');

    // The door: without a position the delivery is refused on the page and nothing happens.
    const stopPath = `${routePath}/stopps/${deliverJob}`;
    const stopPage = await (await web.get(stopPath)).text();
    expect(stopPage).toContain('Gesicht mit dem Foto im Dokument verglichen <strong>(Pflicht)</strong>');
    expect(stopPage).toContain('Altes Dokument eingezogen');
    expect(stopPage).toContain('Empfang bestätigt');
    expect(stopPage).toContain('Niemand angetroffen');
    const delivered = { result: 'delivered', methods: ['photo_comparison'], oldDocumentCollected: 'yes', recipientConfirmed: 'yes' };
    res = await web.submit(stopPath, stopPath, delivered);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Ohne Position kann die Identitätsprüfung nicht gemeldet werden.');
    // Nor without the required check.
    res = await web.submit(stopPath, stopPath, { ...delivered, methods: ['signature_comparison'], ...AT_THE_DOOR });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Bitte machen Sie erst alle Pflicht-Prüfungen');
    expect((await bookingOfStop(p, deliverJob)).status).toBe('out_for_delivery');

    res = await web.submit(stopPath, stopPath, { ...delivered, ...AT_THE_DOOR });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${routePath}?ergebnis=applied&meldung=stop.delivered`);
    const deliveredBooking = await bookingOfStop(p, deliverJob);
    expect(deliveredBooking.status).toBe('delivered');
    expect(deliveredBooking.custodyHolder).toBe('citizen');
    const [custody] = await p.db
      .select()
      .from(custodyLog)
      .where(and(eq(custodyLog.bookingId, deliveredBooking.id), eq(custodyLog.event, 'delivered')));
    expect(custody).toMatchObject({ fromHolder: 'courier', toHolder: 'citizen', courierRef: rider.id, routeId: day.routeId });
    const [check] = await p.db.select().from(identityChecks).where(eq(identityChecks.bookingId, deliveredBooking.id));
    expect(check).toMatchObject({
      courierRef: rider.id,
      passed: true,
      accuracyMetres: 12,
      oldDocumentCollected: true,
      flaggedForReview: false,
    });

    // A second tap on the same button (the form sent again) is a harmless duplicate, said in words.
    res = await web.submit(routePath, stopPath, { ...delivered, ...AT_THE_DOOR });
    expect(res.headers.get('location')).toBe(`${routePath}?ergebnis=duplicate&meldung=stop.delivered`);
    page = await (await web.get(must(res.headers.get('location'), 'location'))).text();
    expect(page).toContain('Schon gemeldet: Zugestellt. Es hat sich nichts geändert.');
    expect(await (await web.get(stopPath)).text()).toContain('Für diesen Stopp ist nichts mehr zu melden.');
    expect(await p.db.select().from(identityChecks).where(eq(identityChecks.bookingId, deliveredBooking.id))).toHaveLength(1);

    // The second door: nobody home, no identity check, so no position needed.
    const failPath = `${routePath}/stopps/${failJob}`;
    res = await web.submit(failPath, failPath, { result: 'failed' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Bitte wählen Sie einen Grund.');
    res = await web.submit(failPath, failPath, { result: 'failed', reason: 'not_home', note: 'Zweimal geklingelt' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${routePath}?ergebnis=applied&meldung=stop.failed`);
    expect((await bookingOfStop(p, failJob)).status).toBe('attempt_failed');

    // No stop is open: the documents go back, with the failed stop's job id.
    page = await (await web.get(routePath)).text();
    expect(page).toContain('Nicht zugestellt – Dokument zurückbringen');
    expect(page).toContain('Dokumente zurückgegeben');
    res = await web.submit(routePath, `${routePath}/rueckgabe`);
    expect(res.status).toBe(303);
    page = await (await web.get(must(res.headers.get('location'), 'location'))).text();
    expect(page).toContain('Gemeldet: Dokumente zurückgegeben.');
    const [returned] = await p.db
      .select()
      .from(inboundCourierEvents)
      .where(
        and(
          eq(inboundCourierEvents.companyId, day.company.company.id),
          eq(inboundCourierEvents.eventId, `app.${day.routeId}.document.returned`),
        ),
      );
    expect(returned).toMatchObject({ type: 'document.returned', outcome: 'applied', routeId: day.routeId });
    // Sent twice: the platform has it once.
    res = await web.submit(routePath, `${routePath}/rueckgabe`);
    expect(res.headers.get('location')).toBe(`${routePath}?ergebnis=duplicate&meldung=document.returned`);
    page = await (await web.get(must(res.headers.get('location'), 'location'))).text();
    expect(page).toContain('Schon gemeldet: Dokumente zurückgegeben.');

    // A route that is not on the road any more is refused on the page, not with a 500.
    res = await web.submit(routePath, `${routePath}/start`);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('Das geht im jetzigen Stand der Tour nicht.');
  });

  test('another company’s rider gets 404 for the route; a deactivated rider is signed out', async ({ p }) => {
    const other = await registerCompany(p, { name: 'Fremd Velo', zoneIds: [...day.company.company.zoneIds] });
    const stranger = riderClient(p);
    expect((await stranger.signIn(await riderOf(p, other))).status).toBe(303);
    const home = await (await stranger.get('/kurier')).text();
    expect(home).not.toContain(day.routeId);
    expect(home).toContain('Heute hat Ihre Firma keine Touren.');
    const foreign = await stranger.get(`/kurier/touren/${day.routeId}`);
    expect(foreign.status).toBe(404);
    const body = await foreign.text();
    expect(body).toContain('Diese Tour oder diesen Stopp gibt es für Sie nicht.');
    expect(body).not.toContain('Erika Mustermann');
    expect((await stranger.get(`/kurier/touren/${day.routeId}/stopps/${must(day.jobIds[0], 'job')}`)).status).toBe(404);
    expect((await stranger.get('/kurier/touren/nicht-da')).status).toBe(404);

    const rider = await riderOf(p, day.company);
    const web = riderClient(p);
    expect((await web.signIn(rider)).status).toBe(303);
    expect((await web.get('/kurier')).status).toBe(200);
    expect((await api(p, 'POST', `/v1/courier/riders/${rider.id}/deactivate`, { headers: day.company.headers })).status).toBe(200);
    const after = await web.get('/kurier');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/kurier/anmelden?abgelaufen=1');
    expect(web.jar.has('amtsbote_kurier')).toBe(false);
    expect((await web.signIn(rider)).status).toBe(401);

    // Signing out ends the session on the server, not only in the browser.
    const leaving = riderClient(p);
    expect((await leaving.signIn(await riderOf(p, day.company))).status).toBe(303);
    const token = must(leaving.jar.get('amtsbote_kurier'), 'token');
    expect((await leaving.submit('/kurier', '/kurier/abmelden')).headers.get('location')).toBe('/kurier/anmelden?abgemeldet=1');
    const replay = await fetch(`${p.address}/kurier`, { redirect: 'manual', headers: { cookie: `amtsbote_kurier=${token}` } });
    expect(replay.status).toBe(303);
  });

  test('the PWA: manifest, icons and a service worker for /kurier that caches no page', async ({ p }) => {
    const manifest = (await (await fetch(`${p.address}/static/courier.webmanifest`)).json()) as { icons: { src: string }[] };
    expect(manifest).toMatchObject({ start_url: '/kurier', display: 'standalone', short_name: 'Kurier' });
    for (const icon of manifest.icons) expect((await fetch(`${p.address}${icon.src}`)).status).toBe(200);
    const sw = await fetch(`${p.address}/kurier/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('service-worker-allowed')).toBe('/kurier');
    const source = await sw.text();
    expect(source).toContain("url.pathname.startsWith('/static/')");
    const signIn = await (await fetch(`${p.address}/kurier/anmelden`)).text();
    expect(signIn).toContain('<link rel="manifest" href="/static/courier.webmanifest">');
  });
});
