import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { createRidersService } from '../../src/couriers/riders.service.ts';
import { courierRiderSessions, courierRiders } from '../../src/couriers/riders.table.ts';
import { registerCompany } from '../dispatch/helpers.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, seedOffice } from '../helpers/test-platform.ts';

const test = platformTest();

const username = () => `rider-${randomBytes(4).toString('hex')}`;
const PASSWORD = 'lange-genug-fuer-die-tuer';

describe('rider accounts of a courier company (API key)', () => {
  test('a company creates, lists and deactivates its own riders; the password never comes back', async ({ p }) => {
    const { bikeZone } = await seedOffice(p.db);
    const a = await registerCompany(p, { name: 'Rider A', zoneIds: [bikeZone.id] });
    const b = await registerCompany(p, { name: 'Rider B', zoneIds: [bikeZone.id] });
    const name = username();

    const created = await api(p, 'POST', '/v1/courier/riders', {
      headers: a.headers,
      body: { username: name.toUpperCase(), displayName: 'Mia Berger', password: PASSWORD },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      username: name,
      displayName: 'Mia Berger',
      active: true,
      createdAt: expect.any(String),
      lastSignInAt: null,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/scrypt|password/i);
    const [stored] = await p.db.select().from(courierRiders).where(eq(courierRiders.id, created.body.id));
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.companyId).toBe(a.company.id);
    const [audited] = await p.db.select().from(auditLog).where(eq(auditLog.subjectId, created.body.id));
    expect(audited).toMatchObject({ actorType: 'courier', actorId: a.company.id, action: 'courier_rider.created' });

    const listA = await api(p, 'GET', '/v1/courier/riders', { headers: a.headers });
    expect(listA.status).toBe(200);
    expect(listA.body.data.map((r: { id: string }) => r.id)).toContain(created.body.id);
    expect(JSON.stringify(listA.body)).not.toMatch(/scrypt|passwordHash/);
    // The other company sees none of them and cannot touch one.
    const listB = await api(p, 'GET', '/v1/courier/riders', { headers: b.headers });
    expect(listB.body.data).toEqual([]);
    const foreign = await api(p, 'POST', `/v1/courier/riders/${created.body.id}/deactivate`, { headers: b.headers });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('courier_rider.not_found');

    // Signed in, then deactivated: the session ends with it.
    const riders = createRidersService({ db: p.db, clock: p.clock, sessionHours: 1 });
    const session = await riders.signIn({ username: name, password: PASSWORD });
    expect((await riders.authenticate(session.token))?.rider.id).toBe(created.body.id);
    const deactivated = await api(p, 'POST', `/v1/courier/riders/${created.body.id}/deactivate`, { headers: a.headers });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: created.body.id, active: false });
    expect(deactivated.body.lastSignInAt).toEqual(expect.any(String));
    expect(await riders.authenticate(session.token)).toBeNull();
    expect(await p.db.select().from(courierRiderSessions).where(eq(courierRiderSessions.riderId, created.body.id))).toEqual([]);
    await expect(riders.signIn({ username: name, password: PASSWORD })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    expect((await api(p, 'POST', `/v1/courier/riders/${created.body.id}/deactivate`, { headers: a.headers })).status).toBe(200);
  });

  test('bad input: 400 for the shape, 422 for a short password, 409 for a taken username, 401 without a key', async ({ p }) => {
    const { bikeZone } = await seedOffice(p.db);
    const a = await registerCompany(p, { name: 'Rider C', zoneIds: [bikeZone.id] });
    const post = (body: unknown, headers = a.headers) => api(p, 'POST', '/v1/courier/riders', { headers, body });
    const name = username();
    for (const body of [
      { username: 'a b', displayName: 'X', password: PASSWORD },
      { username: 'x'.repeat(65), displayName: 'X', password: PASSWORD },
      { username: name, displayName: '', password: PASSWORD },
      { username: name, displayName: 'X'.repeat(101), password: PASSWORD },
      { username: name, displayName: 'X', password: 'p'.repeat(257) },
      { username: name, displayName: 'X', password: PASSWORD, passwordHash: 'scrypt$1' },
      { username: name, displayName: 'X' },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const weak = await post({ username: name, displayName: 'X', password: 'kurz' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.code).toBe('courier_rider.weak_password');
    expect((await post({ username: name, displayName: 'X', password: PASSWORD })).status).toBe(201);
    const taken = await post({ username: name.toUpperCase(), displayName: 'Y', password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('courier_rider.username_taken');
    expect((await api(p, 'POST', '/v1/courier/riders/not-a-uuid/deactivate', { headers: a.headers })).status).toBe(400);
    expect((await api(p, 'GET', '/v1/courier/riders')).status).toBe(401);
    // A staff token is no company key, not even an admin's.
    const admin = await p.staff(['admin'], null);
    expect((await api(p, 'GET', '/v1/courier/riders', admin)).status).toBe(401);
  });

  test('a wrong password, an unknown rider and a suspended company sign in nowhere', async ({ p }) => {
    const { bikeZone } = await seedOffice(p.db);
    const a = await registerCompany(p, { name: 'Rider D', zoneIds: [bikeZone.id] });
    const riders = createRidersService({ db: p.db, clock: p.clock, sessionHours: 1 });
    const name = username();
    await riders.createRider(a.company, { username: name, displayName: 'Ali', password: PASSWORD });
    await expect(riders.signIn({ username: name, password: 'falsch-falsch-falsch' })).rejects.toMatchObject({ status: 401 });
    await expect(riders.signIn({ username: username(), password: PASSWORD })).rejects.toMatchObject({ status: 401 });
    const session = await riders.signIn({ username: name, password: PASSWORD });
    expect(session.token).toMatch(/^ab_rider_/);
    const admin = await p.staff(['admin'], null);
    expect((await api(p, 'PATCH', `/v1/courier-companies/${a.company.id}`, { ...admin, body: { status: 'suspended' } })).status).toBe(200);
    expect(await riders.authenticate(session.token)).toBeNull();
    await expect(riders.signIn({ username: name, password: PASSWORD })).rejects.toMatchObject({ status: 401 });
    // The session expires on its own too.
    expect((await api(p, 'PATCH', `/v1/courier-companies/${a.company.id}`, { ...admin, body: { status: 'active' } })).status).toBe(200);
    expect(await riders.authenticate(session.token)).not.toBeNull();
    p.clock.advance(2 * 3_600_000);
    try {
      expect(await riders.authenticate(session.token)).toBeNull();
    } finally {
      p.clock.advance(-2 * 3_600_000);
    }
  });
});
