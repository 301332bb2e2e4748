import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect } from 'vitest';
import { quotes } from '../../src/quotes/quotes.table.ts';
import { startGeocoderStandIn } from '../helpers/geocoder-stand-in.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { NEAR, OUTSIDE, seedOffice } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

const KOENIGSTRASSE = { street: 'Königstraße', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
const MUNICH = { street: 'Marienplatz', houseNumber: '8', postalCode: '80331', city: 'München' };
const standIn = await startGeocoderStandIn([
  { ...KOENIGSTRASSE, location: NEAR },
  { ...KOENIGSTRASSE, houseNumber: '3', location: NEAR },
  { ...MUNICH, location: OUTSIDE },
]);
afterAll(() => standIn.close());
beforeEach(() => standIn.set({}));

const test = platformTest({ env: { GEOCODER: 'nominatim', GEOCODER_URL: standIn.url, GEOCODER_TIMEOUT_MS: '300' } });

/** A citizen's browser without JavaScript: fetch, the CSRF cookie and token from the page, the form urlencoded. */
async function openAddressPage(base: string, slug: string) {
  const page = await fetch(`${base}/buchen/${slug}`, { headers: { accept: 'text/html' } });
  const html = await page.text();
  const cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = must(/name="_csrf" value="([^"]+)"/.exec(html)?.[1], 'csrf token');
  const post = (fields: Record<string, string>) =>
    fetch(`${base}/buchen/${slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      redirect: 'manual',
    });
  return { html, post };
}

describe('the booking page with a geocoder', () => {
  test('asks for the address alone and quotes at the position the geocoder found', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { html, post } = await openAddressPage(p.address, office.slug);
    expect(html).not.toContain('name="zoneId"');
    expect(html).not.toContain('book-map.js');

    const response = await post(KOENIGSTRASSE);
    expect(response.status).toBe(200);
    const details = await response.text();
    const quoteId = must(/name="quoteId" value="([0-9a-f-]{36})"/.exec(details)?.[1], 'quote id');
    const quote = must((await p.db.select().from(quotes).where(eq(quotes.id, quoteId)))[0], 'quote');
    expect(quote.location).toEqual(NEAR);
    // The position goes on to step 3 with the form, so a re-rendered step 2 need not ask again.
    expect(details).toContain(`name="lng" value="${NEAR[0]}"`);
    expect(standIn.requests.at(-1)?.headers['user-agent']).toMatch(/^Amtsbote\//);
  });

  test('an address the geocoder does not know is an error at the street field, in German and English', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { post } = await openAddressPage(p.address, office.slug);
    const response = await post({ ...KOENIGSTRASSE, houseNumber: '999' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('id="street-error"');
    expect(html).toContain('Diese Adresse haben wir nicht gefunden.');
    expect(html).toMatch(/id="street"[^>]*aria-invalid="true"/);

    const en = await openAddressPage(p.address, `${office.slug}?lang=en`);
    const inEnglish = await (await en.post({ ...KOENIGSTRASSE, houseNumber: '999' })).text();
    expect(inEnglish).toContain('We could not find this address.');
  });

  test('an address outside every zone is said to be outside the service area', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { post } = await openAddressPage(p.address, office.slug);
    const response = await post(MUNICH);
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('außerhalb des Liefergebiets');
    expect(html).toContain('id="street-error"');
  });

  test('while the geocoder does not answer, the citizen places the address with the zone list instead', async ({ p }) => {
    const { office, bikeZone } = await seedOffice(p.db);
    standIn.set({ stallMs: 2_000 });
    const { post } = await openAddressPage(p.address, office.slug);
    // Another house than the other tests': their answers are in the cache.
    const response = await post({ ...KOENIGSTRASSE, houseNumber: '3' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Die Adresssuche ist gerade nicht erreichbar.');
    expect(html).toContain(`value="${bikeZone.id}"`);
    // The zone chosen from the fallback list prices the booking, without the geocoder.
    const chosen = await post({ ...KOENIGSTRASSE, houseNumber: '2', zoneId: bikeZone.id });
    expect(chosen.status).toBe(200);
  });
});
