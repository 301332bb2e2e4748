import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, seedOffice } from '../../helpers/test-platform.ts';
import { confirmedDay, registerCompany } from '../../dispatch/helpers.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: true });

describe('the four-eyes handover on screen', () => {
  test(
    'scans show what is missing and unexpected; a second person confirms; the same person twice and a wrong password are refused',
    {
      timeout: 90_000,
    },
    async ({ p }) => {
      const { office, bikeZone } = await seedOffice(p.db);
      const supervisor = await p.staff(['supervisor'], office.id);
      const c = await registerCompany(p, { name: 'Web Velo', zoneIds: [bikeZone.id] });
      const day = await confirmedDay(p, { officeId: office.id, supervisor, shiftsOf: [c.company.id], count: 2, daysAhead: 12 });
      const routeId = must(day.routeIds[0], 'route');
      expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
      const route = await api(p, 'GET', `/v1/routes/${routeId}`, supervisor);
      const onRoute = (route.body.stops as { applicationNumber: string }[]).map((s) => ({ applicationNumber: s.applicationNumber }));
      expect(onRoute.length).toBeGreaterThan(0);
      const [first, ...rest] = onRoute.map((b) => b.applicationNumber);

      const clerkA = await staffAccount(p, ['clerk'], office.id);
      const clerkB = await staffAccount(p, ['clerk'], office.id);
      const web = webClient(p);
      await web.signIn(clerkA);
      const list = await (await web.get('/amt/uebergabe')).text();
      expect(list).toContain(`/amt/uebergabe/${routeId}/uebergabe`);
      expect(await (await web.get(`/amt/uebergabe/${routeId}/uebergabe`)).text()).toMatch(/<h1[^>]*>[^<]*: Route \d+<\/h1>/);

      const path = `/amt/uebergabe/${routeId}/uebergabe`;
      let page = await (await web.get(path)).text();
      const form = (extra: Record<string, string>, scanned: string[]) => {
        const body = new URLSearchParams({ _csrf: web.csrfOf(page), ...extra });
        for (const s of scanned) body.append('scanned', s);
        return body;
      };
      const post = (to: string, body: URLSearchParams) => web.post(to, body);

      // One right code and one that is not on this route: the page says both, and what is missing.
      let res = await post(`${path}/scan`, form({ code: must(first, 'first') }, []));
      expect(res.status).toBe(200);
      res = await post(`${path}/scan`, form({ code: 'FREMD-0001' }, [must(first, 'first')]));
      page = await res.text();
      expect(page).toContain('FREMD-0001');
      for (const missing of rest) expect(page).toContain(missing);

      // Starting with the wrong set is refused on the page, not with a 500.
      res = await post(`${path}/start`, form({ courierName: 'Mia Berger', courierRef: 'rider-7' }, [must(first, 'first'), 'FREMD-0001']));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      // In the page's language, with the facts: one of the route's documents missing, one not on it.
      expect(await res.text()).toContain(`Die gescannten Dokumente passen nicht zur Route: ${rest.length} fehlen, 1 gehören nicht dazu.`);

      const all = onRoute.map((b) => b.applicationNumber);
      page = await (await web.get(path)).text();
      res = await post(`${path}/start`, form({ courierName: 'Mia Berger', courierRef: 'rider-7' }, all));
      expect(res.status).toBe(303);
      page = await (await web.get(path)).text();
      const handoverId = must(/name="handoverId" value="([0-9a-f-]{36})"/.exec(page)?.[1], 'handover id');

      const confirm = (username: string, password: string) =>
        post(`${path}/bestaetigen`, new URLSearchParams({ _csrf: web.csrfOf(page), handoverId, username, password }));
      res = await confirm(clerkA.username, clerkA.password);
      expect(res.status).toBe(409);
      expect(await res.text()).toContain('Vier Augen: bestätigen muss eine zweite Person');
      res = await confirm(clerkB.username, 'wrong-wrong-wrong');
      expect(res.status).toBe(401);
      res = await confirm(clerkB.username, clerkB.password);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/amt/uebergabe?erledigt=uebergabe');
      const [handed] = await p.db
        .select()
        .from(bookings)
        .where(eq(bookings.applicationNumber, must(first, 'first')));
      expect(handed?.custodyHolder).toBe('courier');
      // The first person is still the one signed in.
      expect(await (await web.get('/amt')).text()).toContain('Test clerk');
    },
  );

  test('a finance officer cannot open the handover', async ({ p }) => {
    const finance = await staffAccount(p, ['finance'], null);
    const web = webClient(p);
    await web.signIn(finance);
    expect((await web.get('/amt/uebergabe')).status).toBe(403);
  });
});
