import { describe, expect } from 'vitest';
import { STAFF_ROLES } from '../../../src/auth/auth.table.ts';
import { CONSOLE_SECTIONS, SECTION_ROLES } from '../../../src/web/staff/console-sections.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('role boundaries through the pages', () => {
  test('each role opens exactly the sections of its roles, sees only those in the navigation, and gets the 403 page elsewhere', async ({
    p,
  }) => {
    const { office } = await seedOffice(p.db);
    // Every console in the matrix, the admin's included: a section left out of the list would go untested.
    expect(CONSOLE_SECTIONS.map((s) => s.id)).toEqual(['counter', 'bookings', 'planning', 'handover', 'admin', 'queues', 'finance']);
    expect(SECTION_ROLES.admin).toEqual(['admin']);
    for (const role of STAFF_ROLES) {
      const account = await staffAccount(p, [role], role === 'finance' || role === 'admin' ? null : office.id);
      const web = webClient(p);
      expect((await web.signIn(account)).status).toBe(303);
      const home = await (await web.get('/amt')).text();
      for (const section of CONSOLE_SECTIONS) {
        const allowed = (section.roles as readonly string[]).includes(role);
        const res = await web.get(section.href);
        expect({ role, section: section.id, status: res.status }).toEqual({ role, section: section.id, status: allowed ? 200 : 403 });
        const html = await res.text();
        if (!allowed) expect(html).toContain('<h1');
        // The overview and the navigation link only to what the role may open.
        expect({ role, section: section.id, linked: home.includes(`href="${section.href}"`) }).toEqual({
          role,
          section: section.id,
          linked: allowed,
        });
      }
    }
  });

  test('nobody signed in is sent to the sign-in page from every section', async ({ p }) => {
    const web = webClient(p);
    for (const section of CONSOLE_SECTIONS) {
      const res = await web.get(section.href);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/amt/anmelden?weiter=${encodeURIComponent(section.href)}`);
    }
  });
});
