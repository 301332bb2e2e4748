import { describe, expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createCouriersService } from '../../src/couriers/couriers.service.ts';
import { webhookHeaders } from '../../src/couriers/webhook-signature.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, seedOffice } from '../helpers/test-platform.ts';
import { addDays, localDate, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';

const test = platformTest();

describe('courier companies: the registry, their keys, their secrets and their own shifts', () => {
  let admin: { headers: Record<string, string> };
  let supervisor: { headers: Record<string, string> };
  let officeId: string;
  let bikeZoneId: string;

  test.beforeAll(async ({ p }) => {
    const seeded = await seedOffice(p.db);
    officeId = seeded.office.id;
    bikeZoneId = seeded.bikeZone.id;
    admin = await p.staff(['admin'], null);
    supervisor = await p.staff(['supervisor'], officeId);
  });

  const register = (p: Parameters<typeof api>[0], name: string, zoneIds = [bikeZoneId]) =>
    api(p, 'POST', '/v1/courier-companies', {
      headers: admin.headers,
      body: {
        name,
        vehicleTypes: ['bike'],
        zoneIds,
        pricePerDeliveryCents: 600,
        pricePerFailedAttemptCents: 300,
        contact: { name: 'Dispo', email: 'dispo@example.org' },
        webhookUrl: 'https://courier.example/hooks',
      },
    });

  const day = () => addDays(localDate(new Date(), 'Europe/Berlin'), 3);
  const shiftBody = (date: string, vehicleType = 'bike') => ({
    officeId,
    deliveryDate: date,
    vehicleType,
    vehicleCount: 2,
    capacity: 20,
    shiftStart: zonedTimeToUtc(date, '08:00', 'Europe/Berlin').toISOString(),
    shiftEnd: zonedTimeToUtc(date, '16:00', 'Europe/Berlin').toISOString(),
  });

  test('an admin registers a company: key and secret are shown once, stored hashed, and open only that company', async ({ p }) => {
    const res = await register(p, 'Velokurier A');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.apiKey).toMatch(/^ab_courier_/);
    expect(res.body.signingSecret).toMatch(/^whsec_/);
    const details = await api(p, 'GET', `/v1/courier-companies/${res.body.company.id}`, { headers: admin.headers });
    expect(JSON.stringify(details.body)).not.toContain(res.body.apiKey);
    expect(JSON.stringify(details.body)).not.toContain(res.body.signingSecret);
    expect(details.body.apiKeys).toEqual([{ prefix: res.body.apiKey.slice(0, 18), createdAt: expect.any(String) }]);

    const own = await api(p, 'GET', '/v1/courier/company', { headers: { authorization: `Bearer ${res.body.apiKey}` } });
    expect(own.body).toMatchObject({ id: res.body.company.id, name: 'Velokurier A', status: 'active' });
    expect(
      (await api(p, 'GET', '/v1/courier/company', { headers: { authorization: 'Bearer ab_courier_not-a-real-key-000' } })).status,
    ).toBe(401);
  });

  test('zones that do not exist are refused', async ({ p }) => {
    const res = await register(p, 'Ghost', ['00000000-0000-4000-8000-000000000000']);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('courier_company.unknown_zones');
  });

  test('a rotated key replaces the old one at once; a suspended company’s key opens nothing', async ({ p }) => {
    const { body } = await register(p, 'Velokurier B');
    const rotated = await api(p, 'POST', `/v1/courier-companies/${body.company.id}/api-key`, { headers: admin.headers });
    expect(rotated.status).toBe(201);
    const asCompany = (key: string) => api(p, 'GET', '/v1/courier/company', { headers: { authorization: `Bearer ${key}` } });
    expect((await asCompany(body.apiKey)).status).toBe(401);
    expect((await asCompany(rotated.body.apiKey)).status).toBe(200);
    const suspended = await api(p, 'PATCH', `/v1/courier-companies/${body.company.id}`, {
      headers: admin.headers,
      body: { status: 'suspended' },
    });
    expect(suspended.body.status).toBe('suspended');
    expect((await asCompany(rotated.body.apiKey)).status).toBe(401);
  });

  test('companies announce their own shifts; a second company sees and changes none of them', async ({ p }) => {
    const a = (await register(p, 'Velokurier C')).body;
    const b = (await register(p, 'Velokurier D')).body;
    const asA = { authorization: `Bearer ${a.apiKey}` };
    const asB = { authorization: `Bearer ${b.apiKey}` };
    const date = day();
    const created = await api(p, 'POST', '/v1/courier/shifts', { headers: asA, body: shiftBody(date) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ courierCompanyId: a.company.id, vehicleType: 'bike', vehicleCount: 2 });

    const ownA = await api(p, 'GET', `/v1/courier/shifts?deliveryDate=${date}`, { headers: asA });
    expect(ownA.body.data.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    const ownB = await api(p, 'GET', `/v1/courier/shifts?deliveryDate=${date}`, { headers: asB });
    expect(ownB.body.data).toEqual([]);

    // A vehicle outside the contract is refused; the office's supervisors see every company's shift.
    const ecar = await api(p, 'POST', '/v1/courier/shifts', { headers: asA, body: shiftBody(date, 'ecar') });
    expect(ecar.body.error.code).toBe('courier_shift.vehicle_not_contracted');
    const office = await api(p, 'GET', `/v1/offices/${officeId}/courier-shifts?deliveryDate=${date}`, { headers: supervisor.headers });
    expect(office.body.data.map((s: { courierCompanyId: string | null }) => s.courierCompanyId)).toContain(a.company.id);

    // A supervisor enters a shift for a named company.
    const { courierCompanyId: _none, officeId: _office, ...forB } = { ...shiftBody(date), courierCompanyId: undefined };
    const byHand = await api(p, 'POST', `/v1/offices/${officeId}/courier-shifts`, {
      headers: supervisor.headers,
      body: { ...forB, courierCompanyId: b.company.id },
    });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(201);
    expect((await api(p, 'GET', `/v1/courier/shifts?deliveryDate=${date}`, { headers: asB })).body.data).toHaveLength(1);
    expect((await api(p, 'GET', `/v1/courier/shifts?deliveryDate=${date}`, { headers: asA })).body.data).toHaveLength(1);
  });

  test('our webhook signatures verify with the independent standardwebhooks package, with both secrets during a rotation', async ({
    p,
  }) => {
    const { body } = await register(p, 'Velokurier E');
    const couriers = createCouriersService({ db: p.db, clock: () => new Date() });
    const message = { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: Math.floor(Date.now() / 1000), body: '{"type":"route.offered"}' };
    const verify = (secret: string, headers: Record<string, string>) => new Webhook(secret).verify(message.body, headers);

    const before = webhookHeaders(await couriers.signingSecrets(body.company.id), message);
    expect(verify(body.signingSecret, before)).toEqual({ type: 'route.offered' });

    const rotated = await api(p, 'POST', `/v1/courier-companies/${body.company.id}/signing-secret`, {
      headers: admin.headers,
      body: { overlapHours: 24 },
    });
    expect(rotated.status).toBe(201);
    const during = webhookHeaders(await couriers.signingSecrets(body.company.id), message);
    expect(during['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(body.signingSecret, during)).toEqual({ type: 'route.offered' });
    expect(verify(rotated.body.signingSecret, during)).toEqual({ type: 'route.offered' });

    // Without overlap the old secret stops signing at once.
    const again = await api(p, 'POST', `/v1/courier-companies/${body.company.id}/signing-secret`, {
      headers: admin.headers,
      body: { overlapHours: 0 },
    });
    const after = webhookHeaders(await couriers.signingSecrets(body.company.id), message);
    expect(after['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verify(again.body.signingSecret, after)).toEqual({ type: 'route.offered' });
    expect(() => verify(body.signingSecret, after)).toThrow();
  });
});
