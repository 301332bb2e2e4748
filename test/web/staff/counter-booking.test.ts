import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { hashToken } from '../../../src/shared/tokens.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, newApplicationNumber, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });

const ADDRESS = { street: 'Königstraße', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
const valueOf = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

describe('booking at the counter', () => {
  test('a clerk books through the online steps; the receipt carries the Kassenzeichen and the tracking code, which lets the citizen pay', async ({
    p,
  }) => {
    const { office } = await seedOffice(p.db);
    const clerk = await staffAccount(p, ['clerk'], office.id);
    const web = webClient(p);
    await web.signIn(clerk);

    const scanPage = await (await web.get('/amt/schalter')).text();
    expect(scanPage).toContain('href="/amt/schalter/buchen"');
    const step1 = await (await web.get('/amt/schalter/buchen')).text();
    // The online step in the staff layout, posting to the counter.
    expect(step1).toContain('id="whoami"');
    expect(step1).toContain('action="/amt/schalter/buchen"');
    const zoneId = /name="zoneId" value="([^"]+)"/.exec(step1)?.[1] ?? '';

    const step2res = await web.post('/amt/schalter/buchen', { _csrf: web.csrfOf(step1), ...ADDRESS, zoneId });
    expect(step2res.status).toBe(200);
    const step2 = await step2res.text();
    expect(step2).toContain('action="/amt/schalter/buchen/bestaetigen"');
    const window = /name="window" value="([^"]+)"/.exec(step2)?.[1] ?? '';
    const applicationNumber = newApplicationNumber();
    const details = {
      _csrf: web.csrfOf(step2),
      ...ADDRESS,
      zoneId,
      lng: valueOf(step2, 'lng'),
      lat: valueOf(step2, 'lat'),
      quoteId: valueOf(step2, 'quoteId'),
      formKey: valueOf(step2, 'formKey'),
      vehicleType: 'bike',
      window,
      name: 'Erika Mustermann',
      phone: '+49 711 1234567',
      documentType: 'passport',
      applicationNumber,
      consent: 'yes',
    };

    // Without the citizen's power of attorney: refused at its field, nothing booked.
    const noConsent = await web.post('/amt/schalter/buchen/bestaetigen', { ...details, consent: '' });
    expect(noConsent.status).toBe(422);
    expect(await noConsent.text()).toContain('id="consent-error"');

    const receipt = await web.post('/amt/schalter/buchen/bestaetigen', details);
    expect(receipt.status).toBe(201);
    const html = await receipt.text();
    const token = /id="tracking-code">([^<]+)</.exec(html)?.[1] ?? '';
    const [row] = await p.db.select().from(bookings).where(eq(bookings.applicationNumber, applicationNumber));
    expect(row).toMatchObject({ status: 'awaiting_payment', createdByStaffId: clerk.user.id, officeId: office.id });
    expect(html).toContain(`id="kassenzeichen">${row?.kassenzeichen}<`);
    expect(row?.trackingTokenHash).toBe(hashToken(token));
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);

    // The form sent again (a reload): the same booking and the same code, not a second one.
    const again = await (await web.post('/amt/schalter/buchen/bestaetigen', details)).text();
    expect(/id="tracking-code">([^<]+)</.exec(again)?.[1]).toBe(token);
    expect(await p.db.select().from(bookings).where(eq(bookings.applicationNumber, applicationNumber))).toHaveLength(1);

    // With the code from the receipt the citizen finds the booking and its way to pay.
    const tracked = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': token } });
    expect(tracked.status).toBe(200);
    expect(tracked.body.nextSteps[0]).toMatchObject({ code: 'pay', amountCents: row?.amountCents });
    expect(tracked.body.nextSteps[0].payUrl).toMatch(/^http/);
  });

  test('only counter staff of an office book at the counter, and only with the CSRF token', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const finance = webClient(p);
    await finance.signIn(await staffAccount(p, ['finance'], null));
    expect((await finance.get('/amt/schalter/buchen')).status).toBe(403);
    const admin = webClient(p);
    await admin.signIn(await staffAccount(p, ['admin'], null));
    expect((await admin.get('/amt/schalter/buchen')).status).toBe(403);
    const clerk = webClient(p);
    await clerk.signIn(await staffAccount(p, ['clerk'], office.id));
    expect((await clerk.post('/amt/schalter/buchen', { ...ADDRESS })).status).toBe(403);
  });
});
