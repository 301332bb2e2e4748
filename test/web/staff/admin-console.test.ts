import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { createCouriersService } from '../../../src/couriers/couriers.service.ts';
import { courierCompanies } from '../../../src/couriers/couriers.table.ts';
import { appendOutboundEvent } from '../../../src/webhooks/outbox.ts';
import { outboundEvents, webhookAttempts } from '../../../src/webhooks/webhooks.table.ts';
import { confirmedDay, registerCompany } from '../../dispatch/helpers.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, seedOffice, type TestPlatform } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

// Workers: the planning worker makes the routes whose offers the company page lists.
const test = platformTest({ workers: true });

const BERLIN = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'short' });
const apiKeyOf = (html: string) => /id="api-key">(ab_courier[^<]+)</.exec(html)?.[1];
const secretOf = (html: string) => /id="signing-secret">(whsec_[^<]+)</.exec(html)?.[1];
const ownCompany = (p: TestPlatform, key: string) => api(p, 'GET', '/v1/courier/company', { headers: { authorization: `Bearer ${key}` } });

/** An admin signed in on the pages. */
async function signedInAdmin(p: TestPlatform) {
  const web = webClient(p);
  expect((await web.signIn(await staffAccount(p, ['admin'], null))).status).toBe(303);
  return web;
}

/** The registration form as a browser sends it: the ticked boxes as repeated fields. */
function registration(csrf: string, fields: Record<string, string>, lists: { vehicleTypes?: string[]; zoneIds?: string[] }) {
  const body = new URLSearchParams({ _csrf: csrf, ...fields });
  for (const v of lists.vehicleTypes ?? []) body.append('vehicleTypes', v);
  for (const z of lists.zoneIds ?? []) body.append('zoneIds', z);
  return body;
}

const GOOD = {
  name: 'Formular Velo GmbH',
  pricePerDelivery: '6,00',
  pricePerFailedAttempt: '3',
  contactName: 'Dispo Nord',
  contactEmail: 'dispo@formular-velo.example',
  contactPhone: '+49 711 555 0100',
  webhookUrl: '',
};

describe('the admin console for courier companies', () => {
  test('a company registered through the form: key and secret shown once, the key opens the courier API, the pages never show them again', async ({
    p,
  }) => {
    const { bikeZone } = await seedOffice(p.db);
    const web = await signedInAdmin(p);
    const list = await web.get('/amt/verwaltung');
    expect(list.status).toBe(200);
    const form = await list.text();
    expect(form).toContain(`value="${bikeZone.id}"`);

    const formKey = must(/name="formKey" value="([0-9a-f-]{36})"/.exec(form)?.[1], 'the form key');
    const sent = registration(web.csrfOf(form), { ...GOOD, formKey }, { vehicleTypes: ['bike'], zoneIds: [bikeZone.id] });
    const created = await web.post('/amt/verwaltung/kurierdienste', sent);
    expect(created.status).toBe(201);
    // The same form again (a reload of the answer): no second company, and no key shown again.
    const again = await web.post('/amt/verwaltung/kurierdienste', sent);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toMatch(/^\/amt\/verwaltung\/kurierdienste\/[0-9a-f-]{36}\?schonAngelegt=1$/);
    expect(apiKeyOf(await again.text())).toBeUndefined();
    expect(await p.db.select().from(courierCompanies).where(eq(courierCompanies.name, GOOD.name))).toHaveLength(1);
    expect(await (await web.get(again.headers.get('location') ?? '')).text()).toContain('id="already"');
    // The used form with other contents: refused, with a fresh form to send again.
    const edited = new URLSearchParams(sent);
    edited.set('name', 'Formular Velo Zwei GmbH');
    const changed = await web.post('/amt/verwaltung/kurierdienste', edited);
    expect(changed.status).toBe(409);
    const changedPage = await changed.text();
    expect(changedPage).toContain('schon für einen anderen Kurierdienst verwendet');
    expect(changedPage).not.toContain(`value="${formKey}"`);
    expect(await p.db.select().from(courierCompanies).where(eq(courierCompanies.name, 'Formular Velo Zwei GmbH'))).toHaveLength(0);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('location')).toBeNull();
    const shown = await created.text();
    expect(shown).toContain('nicht noch einmal angezeigt');
    const key = must(apiKeyOf(shown), 'the API key on the page');
    const secret = must(secretOf(shown), 'the signing secret on the page');

    // The key is a working key of the API, for exactly this company and contract.
    const own = await ownCompany(p, key);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      name: GOOD.name,
      vehicleTypes: ['bike'],
      zoneIds: [bikeZone.id],
      pricePerDeliveryCents: 600,
      pricePerFailedAttemptCents: 300,
      contact: { name: 'Dispo Nord', email: GOOD.contactEmail, phone: GOOD.contactPhone },
      webhookUrl: null,
      status: 'active',
    });
    const companyId = own.body.id as string;
    // The same audit entry as through the API.
    const audit = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, companyId), eq(auditLog.action, 'courier_company.created')));
    expect(audit).toHaveLength(1);

    const listed = await (await web.get('/amt/verwaltung')).text();
    expect(listed).toContain(`href="/amt/verwaltung/kurierdienste/${companyId}"`);
    expect(listed).toMatch(new RegExp(`data-company="${companyId}"[\\s\\S]*?Aktiv[\\s\\S]*?Keiner eingetragen`));
    const companyPage = await web.get(`/amt/verwaltung/kurierdienste/${companyId}`);
    expect(companyPage.status).toBe(200);
    const html = await companyPage.text();
    expect(html).toContain(GOOD.name);
    expect(html).toContain(key.slice(0, 18));
    for (const page of [html, listed]) {
      expect(page).not.toContain(key);
      expect(page).not.toContain(secret);
    }
    // The same pages in English, every text from the catalogue.
    const en = await (await web.get(`/amt/verwaltung/kurierdienste/${companyId}?lang=en`)).text();
    expect(en).toContain('Rotate the API key');
    expect(en).not.toContain('API-Schlüssel erneuern');
  });

  test('rotating the key refuses the old one at once; rotating the secret keeps the old one for the overlap; bad overlap is a 422', async ({
    p,
  }) => {
    const { bikeZone } = await seedOffice(p.db);
    const c = await registerCompany(p, { name: 'Rotations Kurier', zoneIds: [bikeZone.id] });
    const web = await signedInAdmin(p);
    const path = `/amt/verwaltung/kurierdienste/${c.company.id}`;
    let page = await (await web.get(path)).text();

    const rotated = await web.post(`${path}/api-schluessel`, { _csrf: web.csrfOf(page) });
    expect(rotated.status).toBe(201);
    const shown = await rotated.text();
    expect(shown).toContain('nicht noch einmal angezeigt');
    const newKey = must(apiKeyOf(shown), 'the new key');
    expect(secretOf(shown)).toBeUndefined();
    expect((await ownCompany(p, c.apiKey)).status).toBe(401);
    expect((await ownCompany(p, newKey)).status).toBe(200);
    page = await (await web.get(path)).text();
    expect(page).not.toContain(newKey);

    const bad = await web.post(`${path}/signaturgeheimnis`, { _csrf: web.csrfOf(page), overlapHours: '1000' });
    expect(bad.status).toBe(422);
    const badPage = await bad.text();
    expect(badPage).toContain('id="overlapHours-error"');
    expect(badPage).toMatch(/id="overlapHours"[^>]*value="1000"[^>]*aria-invalid="true"/);

    const secret = await web.post(`${path}/signaturgeheimnis`, { _csrf: web.csrfOf(badPage), overlapHours: '48' });
    expect(secret.status).toBe(201);
    const secretPage = await secret.text();
    const newSecret = must(secretOf(secretPage), 'the new secret');
    expect(apiKeyOf(secretPage)).toBeUndefined();
    expect(secretPage).toContain('id="retires-at"');
    // Both sign for the next 48 hours, the new one first.
    const signing = await createCouriersService({ db: p.db, clock: p.clock }).signingSecrets(c.company.id);
    expect(signing).toEqual([newSecret, c.signingSecret]);
  });

  test('bad input: 422 with each error at its field and what was typed kept; unknown zones too; bad or unknown ids are the 404 page', async ({
    p,
  }) => {
    const web = await signedInAdmin(p);
    const before = (await p.db.select().from(courierCompanies)).length;
    let form = await (await web.get('/amt/verwaltung')).text();
    const res = await web.post(
      '/amt/verwaltung/kurierdienste',
      registration(
        web.csrfOf(form),
        {
          name: '',
          pricePerDelivery: 'sechs',
          pricePerFailedAttempt: '2000',
          contactName: '',
          contactEmail: 'kein-at-zeichen',
          contactPhone: 'ruf an',
          webhookUrl: 'ftp://kurier.example/hooks',
        },
        { vehicleTypes: ['zeppelin'] },
      ),
    );
    expect(res.status).toBe(422);
    form = await res.text();
    for (const field of [
      'name',
      'vehicleTypes',
      'zoneIds',
      'pricePerDelivery',
      'pricePerFailedAttempt',
      'contactName',
      'contactEmail',
      'contactPhone',
      'webhookUrl',
    ]) {
      expect(form, field).toContain(`id="${field}-error"`);
      // The error summary links to the field.
      expect(form, field).toContain(`href="#${field}"`);
    }
    expect(form).toContain('Bitte geben Sie einen Betrag in Euro an');
    expect(form).toContain('höchstens 1.000,00');
    expect(form).toContain('value="kein-at-zeichen"');
    expect(form).toContain('value="ftp://kurier.example/hooks"');

    // Zones that do not exist: the service's own check, shown at the zones.
    const unknownZone = await web.post(
      '/amt/verwaltung/kurierdienste',
      registration(web.csrfOf(form), GOOD, { vehicleTypes: ['bike'], zoneIds: [randomUUID()] }),
    );
    expect(unknownZone.status).toBe(422);
    const unknownPage = await unknownZone.text();
    expect(unknownPage).toContain('id="zoneIds-error"');
    expect(unknownPage).toContain('gibt es nicht mehr');
    // A character the database cannot store is a field error, not a 500.
    const { bikeZone } = await seedOffice(p.db);
    const nul = await web.post(
      '/amt/verwaltung/kurierdienste',
      registration(web.csrfOf(unknownPage), { ...GOOD, name: 'Velo\u0000' }, { vehicleTypes: ['bike'], zoneIds: [bikeZone.id] }),
    );
    expect(nul.status).toBe(422);
    expect(await nul.text()).toContain('id="name-error"');
    expect(await p.db.select().from(courierCompanies)).toHaveLength(before);

    for (const path of [
      '/amt/verwaltung/kurierdienste/kein-uuid',
      `/amt/verwaltung/kurierdienste/${randomUUID()}`,
      `/amt/verwaltung/kurierdienste/${randomUUID()}/ereignisse/msg_unbekannt`,
    ]) {
      const notFound = await web.get(path);
      expect(notFound.status, path).toBe(404);
      expect(await notFound.text()).toContain('<h1');
    }
    const csrf = web.csrfOf(await (await web.get('/amt/verwaltung')).text());
    expect((await web.post(`/amt/verwaltung/kurierdienste/${randomUUID()}/api-schluessel`, { _csrf: csrf })).status).toBe(404);
    expect((await web.post('/amt/verwaltung/kurierdienste/kein-uuid/signaturgeheimnis', { _csrf: csrf, overlapHours: '1' })).status).toBe(
      404,
    );
  });

  test('a supervisor and a clerk get the 403 page on every admin page and form, and change nothing', async ({ p }) => {
    const { office, bikeZone } = await seedOffice(p.db);
    const c = await registerCompany(p, { name: 'Verboten Kurier', zoneIds: [bikeZone.id] });
    for (const role of ['supervisor', 'clerk'] as const) {
      const web = webClient(p);
      await web.signIn(await staffAccount(p, [role], office.id));
      const home = await (await web.get('/amt')).text();
      expect(home).not.toContain('href="/amt/verwaltung"');
      for (const path of ['/amt/verwaltung', `/amt/verwaltung/kurierdienste/${c.company.id}`]) {
        const res = await web.get(path);
        expect(res.status, `${role} ${path}`).toBe(403);
        expect(await res.text()).toContain('Kein Zugriff');
      }
      const rotate = await web.post(`/amt/verwaltung/kurierdienste/${c.company.id}/api-schluessel`, { _csrf: web.csrfOf(home) });
      expect(rotate.status).toBe(403);
      expect(apiKeyOf(await rotate.text())).toBeUndefined();
      expect((await ownCompany(p, c.apiKey)).status).toBe(200);
    }
  });

  test('a form without its CSRF token is refused and changes nothing', async ({ p }) => {
    const { bikeZone } = await seedOffice(p.db);
    const c = await registerCompany(p, { name: 'Ohne Token Kurier', zoneIds: [bikeZone.id] });
    const web = await signedInAdmin(p);
    const before = (await p.db.select().from(courierCompanies)).length;
    const register = await web.post(
      '/amt/verwaltung/kurierdienste',
      registration('', GOOD, { vehicleTypes: ['bike'], zoneIds: [bikeZone.id] }),
    );
    expect(register.status).toBe(403);
    const rotate = await web.post(`/amt/verwaltung/kurierdienste/${c.company.id}/api-schluessel`, {});
    expect(rotate.status).toBe(403);
    expect(apiKeyOf(await rotate.text())).toBeUndefined();
    expect((await ownCompany(p, c.apiKey)).status).toBe(200);
    expect(await p.db.select().from(courierCompanies)).toHaveLength(before);
  });

  test('webhook events with their attempts in office time, dead letters marked and filtered, replay and re-enabling the endpoint', async ({
    p,
  }) => {
    const { bikeZone } = await seedOffice(p.db);
    const c = await registerCompany(p, { name: 'Ereignis Kurier', zoneIds: [bikeZone.id] });
    const other = await registerCompany(p, { name: 'Anderer Kurier', zoneIds: [bikeZone.id] });
    const emit = (companyId: string, subjectId: string) =>
      p.db.transaction(
        async (tx) =>
          (
            await appendOutboundEvent(tx, {
              companyId,
              type: 'route.offered',
              subjectId,
              data: { routeId: subjectId, stops: [{ recipient: 'Erika Mustermann', street: 'Marktplatz 1' }] },
            })
          ).id,
      );
    // A dead letter after two failed attempts (a 500, then no answer), and a delivered event: as the delivery worker records them.
    const dead = await emit(c.company.id, 'route-dead');
    const delivered = await emit(c.company.id, 'route-ok');
    const othersEvent = await emit(other.company.id, 'route-other');
    // 06:30 UTC in winter is 07:30 in the office.
    const first = new Date('2026-01-15T06:30:00Z');
    const second = new Date('2026-01-15T07:45:00Z');
    await p.db.insert(webhookAttempts).values([
      {
        eventId: dead,
        attemptNo: 1,
        round: 0,
        startedAt: first,
        latencyMs: 120,
        statusCode: 500,
        outcome: 'failed',
        error: 'http_500',
        responseExcerpt: 'database down',
      },
      { eventId: dead, attemptNo: 2, round: 0, startedAt: second, latencyMs: 500, statusCode: null, outcome: 'failed', error: 'timeout' },
      { eventId: delivered, attemptNo: 1, round: 0, startedAt: first, latencyMs: 80, statusCode: 204, outcome: 'delivered' },
    ]);
    await p.db
      .update(outboundEvents)
      .set({ status: 'dead', attempts: 2, deadAt: second, lastStatusCode: null, lastError: 'timeout', enqueuedAt: first })
      .where(eq(outboundEvents.id, dead));
    await p.db
      .update(outboundEvents)
      .set({ status: 'delivered', attempts: 1, deliveredAt: first, lastStatusCode: 204, enqueuedAt: first })
      .where(eq(outboundEvents.id, delivered));

    const web = await signedInAdmin(p);
    const path = `/amt/verwaltung/kurierdienste/${c.company.id}`;
    const all = await (await web.get(path)).text();
    expect(all).toMatch(new RegExp(`class="kern-table__row event--dead" data-event="${dead}"`));
    expect(all).toMatch(new RegExp(`class="kern-table__row" data-event="${delivered}" data-status="delivered"`));
    expect(all).toContain('Unzustellbare Ereignisse auf dieser Seite: 1');
    expect(all).not.toContain(othersEvent);
    expect(all).not.toContain('Mustermann');
    const onlyDead = await (await web.get(`${path}?status=dead`)).text();
    expect(onlyDead).toContain(`data-event="${dead}"`);
    expect(onlyDead).not.toContain(`data-event="${delivered}"`);

    const eventPath = `${path}/ereignisse/${dead}`;
    const eventPage = await (await web.get(eventPath)).text();
    expect(eventPage).toContain('id="attempts"');
    expect(eventPage).toContain(BERLIN.format(first));
    expect(BERLIN.format(first)).toContain('07:30');
    expect(eventPage).toContain(BERLIN.format(second));
    expect(eventPage).toMatch(/data-attempt="1"[\s\S]*?500[\s\S]*?http_500[\s\S]*?database down/);
    expect(eventPage).toMatch(/data-attempt="2"[\s\S]*?keine Antwort[\s\S]*?timeout/);
    expect(eventPage).not.toContain('Mustermann');
    // Another company's event is not found under this company.
    expect((await web.get(`${path}/ereignisse/${othersEvent}`)).status).toBe(404);
    expect((await web.post(`${path}/ereignisse/${othersEvent}/erneut-senden`, { _csrf: web.csrfOf(eventPage) })).status).toBe(404);

    const replay = await web.post(`${eventPath}/erneut-senden`, { _csrf: web.csrfOf(eventPage) });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe(`${eventPath}?erneut=1`);
    const [reopened] = await p.db.select().from(outboundEvents).where(eq(outboundEvents.id, dead));
    expect(reopened).toMatchObject({ status: 'pending', round: 1, deadAt: null });
    const replayed = await (await web.get(`${eventPath}?erneut=1`)).text();
    expect(replayed).toContain('id="replayed"');
    expect(replayed).toContain('In Zustellung');
    expect(replayed).not.toContain('/erneut-senden');
    // Still being delivered: a second replay is refused on the page.
    const again = await web.post(`${eventPath}/erneut-senden`, { _csrf: web.csrfOf(replayed) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('wird noch zugestellt');
    const audited = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, dead), eq(auditLog.action, 'webhook_event.replayed')));
    expect(audited).toHaveLength(1);

    // An endpoint a 410 disabled (and no address for the relay to send to meanwhile): the page offers to enable it.
    const closed = await registerCompany(p, { name: 'Abgemeldet Kurier', zoneIds: [bikeZone.id] });
    await p.db
      .update(courierCompanies)
      .set({ webhookUrl: 'https://abgemeldet.invalid/hooks', webhookDisabledAt: first, webhookDisabledReason: 'http_410' })
      .where(eq(courierCompanies.id, closed.company.id));
    const closedPath = `/amt/verwaltung/kurierdienste/${closed.company.id}`;
    const closedPage = await (await web.get(closedPath)).text();
    expect(closedPage).toContain(`Abgeschaltet seit ${BERLIN.format(first)}`);
    expect(await (await web.get('/amt/verwaltung')).text()).toContain(`Abgeschaltet seit ${BERLIN.format(first)}`);
    const enable = await web.post(`${closedPath}/webhook-einschalten`, { _csrf: web.csrfOf(closedPage) });
    expect(enable.status).toBe(303);
    expect(enable.headers.get('location')).toBe(`${closedPath}?aktiviert=1`);
    const [enabled] = await p.db.select().from(courierCompanies).where(eq(courierCompanies.id, closed.company.id));
    expect(enabled?.webhookDisabledAt).toBeNull();
    const enabledPage = await (await web.get(`${closedPath}?aktiviert=1`)).text();
    expect(enabledPage).toContain('id="enabled"');
    expect(enabledPage).not.toContain('/webhook-einschalten');
    const twice = await web.post(`${closedPath}/webhook-einschalten`, { _csrf: web.csrfOf(enabledPage) });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('nicht abgeschaltet');
  });

  test('suspending on the page closes the key and reactivating opens it; a bad webhook address is a 422 at its field; a new one re-opens a disabled endpoint', async ({
    p,
  }) => {
    const { bikeZone } = await seedOffice(p.db);
    const c = await registerCompany(p, { name: 'Sperr Kurier', zoneIds: [bikeZone.id] });
    const web = await signedInAdmin(p);
    const path = `/amt/verwaltung/kurierdienste/${c.company.id}`;
    const save = async (fields: Record<string, string>) =>
      web.post(`${path}/aendern`, { _csrf: web.csrfOf(await (await web.get(path)).text()), ...fields });

    let res = await save({ status: 'suspended', webhookUrl: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${path}?gespeichert=1`);
    expect((await ownCompany(p, c.apiKey)).status).toBe(401);
    const saved = await (await web.get(`${path}?gespeichert=1`)).text();
    expect(saved).toContain('id="saved"');
    expect(saved).toMatch(/id="company-status">Gesperrt</);
    res = await save({ status: 'active', webhookUrl: '' });
    expect(res.status).toBe(303);
    expect((await ownCompany(p, c.apiKey)).status).toBe(200);

    res = await save({ status: 'gelöscht', webhookUrl: 'kurier.example/hooks' });
    expect(res.status).toBe(422);
    const refused = await res.text();
    expect(refused).toContain('id="companyStatus-error"');
    expect(refused).toContain('id="webhookUrl-error"');
    expect(refused).toContain('value="kurier.example/hooks"');

    // Disabled by a 410: saving the same address changes nothing; a new address re-opens it.
    const disabledAt = new Date('2026-01-15T06:30:00Z');
    await p.db
      .update(courierCompanies)
      .set({ webhookUrl: 'https://alt.invalid/hooks', webhookDisabledAt: disabledAt, webhookDisabledReason: 'http_410' })
      .where(eq(courierCompanies.id, c.company.id));
    res = await save({ status: 'active', webhookUrl: 'https://alt.invalid/hooks' });
    expect(res.headers.get('location')).toBe(path);
    let [row] = await p.db.select().from(courierCompanies).where(eq(courierCompanies.id, c.company.id));
    expect(row?.webhookDisabledAt).toEqual(disabledAt);
    res = await save({ status: 'active', webhookUrl: 'https://neu.invalid/hooks' });
    expect(res.status).toBe(303);
    [row] = await p.db.select().from(courierCompanies).where(eq(courierCompanies.id, c.company.id));
    expect(row).toMatchObject({ webhookUrl: 'https://neu.invalid/hooks', webhookDisabledAt: null });
    const audit = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, c.company.id), eq(auditLog.action, 'courier_company.updated')));
    expect(audit).toHaveLength(3);
  });

  test("the company page lists the company's route offers with their answers", { timeout: 90_000 }, async ({ p }) => {
    const { office, bikeZone } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], office.id);
    const c = await registerCompany(p, { name: 'Angebots Kurier', zoneIds: [bikeZone.id] });
    const day = await confirmedDay(p, { officeId: office.id, supervisor, shiftsOf: [c.company.id], count: 1, daysAhead: 11 });
    const routeId = must(day.routeIds[0], 'route');
    const web = await signedInAdmin(p);
    const path = `/amt/verwaltung/kurierdienste/${c.company.id}`;
    const open = await (await web.get(path)).text();
    expect(open).toContain('id="offers"');
    expect(open).toMatch(new RegExp(`${office.name}, ${day.date}, Route \\d+[\\s\\S]*?Offen`));
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
    const answered = await (await web.get(path)).text();
    expect(answered).toMatch(new RegExp(`${office.name}, ${day.date}, Route \\d+[\\s\\S]*?Angenommen`));
  });
});
