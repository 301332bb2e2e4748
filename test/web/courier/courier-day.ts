import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { localDate, zonedTimeToUtc } from '../../../src/shared/zoned-time.ts';
import { confirmedDay, registerCompany, type TestCompany } from '../../dispatch/helpers.ts';
import { must } from '../../helpers/must.ts';
import { api, NEAR, seedOffice, type TestPlatform } from '../../helpers/test-platform.ts';
import { webClient } from '../staff/staff-web.ts';

/** A rider's phone at the door: a small touch screen, the position granted (the address of NEAR, ±15 m). */
export const PHONE = {
  locale: 'de-DE',
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  geolocation: { longitude: NEAR[0], latitude: NEAR[1], accuracy: 15 },
  permissions: ['geolocation'],
};

export const RIDER_PASSWORD = 'sicher-an-der-tuer-42';

/** A rider account of the company, created through the company's API with its key. */
export async function riderOf(p: TestPlatform, company: TestCompany, displayName = 'Mia Berger') {
  const username = `kurier-${randomBytes(4).toString('hex')}`;
  const res = await api(p, 'POST', '/v1/courier/riders', {
    headers: company.headers,
    body: { username, displayName, password: RIDER_PASSWORD },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, username, password: RIDER_PASSWORD };
}

/** The webClient of the staff tests, signing in on the rider app instead. */
export function riderClient(p: TestPlatform) {
  const web = webClient(p);
  return {
    ...web,
    async signIn(account: { username: string; password: string }) {
      const page = await (await web.get('/kurier/anmelden')).text();
      return web.post('/kurier/anmelden', { _csrf: web.csrfOf(page), username: account.username, password: account.password });
    },
    /** A form posted with the CSRF token of the page it is on. */
    async submit(fromPage: string, action: string, fields: Record<string, string | string[]> = {}) {
      const page = await (await web.get(fromPage)).text();
      const body = new URLSearchParams({ _csrf: web.csrfOf(page) });
      for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
      return web.post(action, body);
    },
  };
}

/**
 * A route of the company for the platform's "today": a day planned and confirmed ahead, the route
 * accepted and handed over under four eyes, then the test clock moved to 10:00 office time on that
 * day (the rider app shows the routes of today, in Europe/Berlin).
 */
export async function routeForToday(p: TestPlatform, opts: { name: string; daysAhead: number; count: number }) {
  const { office, bikeZone } = await seedOffice(p.db);
  const supervisor = await p.staff(['supervisor'], office.id);
  const company = await registerCompany(p, { name: opts.name, zoneIds: [bikeZone.id] });
  const day = await confirmedDay(p, {
    officeId: office.id,
    supervisor,
    shiftsOf: [company.company.id],
    count: opts.count,
    daysAhead: opts.daysAhead,
  });
  const routeId = must(day.routeIds[0], 'route');
  expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: company.headers })).status).toBe(200);
  const route = await api(p, 'GET', `/v1/routes/${routeId}`, supervisor);
  const scanned = (route.body.stops as { applicationNumber: string }[]).map((s) => s.applicationNumber);
  const first = await p.staff(['clerk'], office.id);
  const second = await p.staff(['clerk'], office.id);
  const started = await api(p, 'POST', `/v1/routes/${routeId}/handover`, {
    ...first,
    body: { scanned, courierName: 'Mia Berger', courierRef: 'rider-app' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  expect((await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, second)).status).toBe(200);
  const own = await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: company.headers });
  const jobIds = (own.body.route.stops as { jobId: string; sequence: number }[])
    .sort((a, b) => a.sequence - b.sequence)
    .map((s) => s.jobId);
  p.clock.advance(zonedTimeToUtc(day.date, '10:00', 'Europe/Berlin').getTime() - p.clock().getTime());
  expect(localDate(p.clock(), 'Europe/Berlin')).toBe(day.date);
  return { office, company, routeId, jobIds, bookings: day.bookings, applicationNumbers: scanned, date: day.date };
}
