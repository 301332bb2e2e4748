import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

type Headers = Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON
type Json = any;

describe('staff accounts: signing in, creating accounts, the audit log', () => {
  let officeA: string;
  let officeB: string;
  let admin: { headers: Headers };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeA },
    } = await seedOffice(p.db));
    ({
      office: { id: officeB },
    } = await seedOffice(p.db));
    admin = await p.staff(['admin'], null);
  });

  describe('signIn', () => {
    let username: string;
    const password = `correct horse ${randomBytes(6).toString('hex')}`;

    test.beforeAll(async ({ p }) => {
      username = `clerk.${randomBytes(4).toString('hex')}`;
      const res = await api(p, 'POST', '/v1/staff', {
        headers: admin.headers,
        body: { username, displayName: 'Clara Clerk', password, roles: ['clerk'], officeId: officeA },
      });
      expect(res.status).toBe(201);
    });

    test('the right password returns a working token (the username is not case-sensitive)', async ({ p }) => {
      const res = await api(p, 'POST', '/v1/auth/sessions', { body: { username: username.toUpperCase(), password } });
      expect(res.status).toBe(201);
      expect(res.body.staff).toMatchObject({ username, roles: ['clerk'], officeId: officeA });
      const me = await api(p, 'GET', '/v1/auth/me', { headers: { authorization: `Bearer ${res.body.token}` } });
      expect(me.body.username).toBe(username);
    });

    test('a wrong password is a 401 and an audited staff.sign_in_failed', async ({ p }) => {
      const requestId = `signin-${randomUUID()}`;
      const res = await api(p, 'POST', '/v1/auth/sessions', {
        body: { username, password: `${password}x` },
        headers: { 'x-request-id': requestId },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_credentials');
      expect(res.body).not.toHaveProperty('token');
      const [row] = await p.db.select().from(auditLog).where(eq(auditLog.requestId, requestId));
      expect(row).toMatchObject({ action: 'staff.sign_in_failed', subjectType: 'staff_user' });
      expect(JSON.stringify(row)).not.toContain(password);
    });

    test('an unknown username answers exactly like a wrong password', async ({ p }) => {
      const unknown = await api(p, 'POST', '/v1/auth/sessions', { body: { username: 'nobody-here', password } });
      const wrong = await api(p, 'POST', '/v1/auth/sessions', { body: { username, password: 'wrong password!' } });
      expect(unknown.status).toBe(401);
      expect({ ...unknown.body.error, requestId: '' }).toEqual({ ...wrong.body.error, requestId: '' });
    });
  });

  test('password guessing is paused after ten attempts per username, without locking out the colleague at the next desk', async ({ p }) => {
    const victim = `guess.${randomBytes(4).toString('hex')}`;
    const attempt = (username: string) => api(p, 'POST', '/v1/auth/sessions', { body: { username, password: 'not the password' } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt(victim)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const limited = await attempt(victim.toUpperCase());
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'request.rate_limited', requestId: expect.any(String) });
    // Same address, another username: its own counter.
    expect((await attempt(`other.${randomBytes(4).toString('hex')}`)).status).toBe(401);
  });

  describe('createStaffUser', () => {
    const create = (p: TestPlatform, body: Record<string, unknown>) =>
      api(p, 'POST', '/v1/staff', {
        headers: admin.headers,
        body: { displayName: 'New Staff', roles: ['finance'], officeId: null, password: 'a long passphrase 2026', ...body },
      });
    const fresh = () => `staff.${randomBytes(4).toString('hex')}`;

    test('a password shorter than 12 characters is a 422 staff.weak_password', async ({ p }) => {
      for (const password of ['', 'short', 'elevenchars']) {
        const res = await create(p, { username: fresh(), password });
        expect(res.status, password).toBe(422);
        expect(res.body.error.code).toBe('staff.weak_password');
      }
      expect((await create(p, { username: fresh(), password: 'x'.repeat(257) })).status).toBe(400);
    });

    test('a username already taken (in any letter case) is a 409 staff.username_taken', async ({ p }) => {
      const username = fresh();
      expect((await create(p, { username })).status).toBe(201);
      for (const again of [username, username.toUpperCase()]) {
        const res = await create(p, { username: again });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('staff.username_taken');
      }
    });

    test('clerks need an office, and it must exist', async ({ p }) => {
      const none = await create(p, { username: fresh(), roles: ['clerk'], officeId: null });
      expect(none.status).toBe(422);
      expect(none.body.error.code).toBe('staff.office_required');
      const unknown = await create(p, { username: fresh(), roles: ['clerk'], officeId: randomUUID() });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.code).toBe('staff.office_unknown');
    });

    test('the new account appears in listStaffUsers, without any password data', async ({ p }) => {
      const username = fresh();
      const created = await create(p, { username, roles: ['supervisor'], officeId: officeB });
      expect(created.status).toBe(201);
      const res = await api(p, 'GET', '/v1/staff', { headers: admin.headers });
      const entry = res.body.data.find((u: Json) => u.username === username);
      expect(entry).toEqual({
        id: created.body.id,
        username,
        displayName: 'New Staff',
        roles: ['supervisor'],
        officeId: officeB,
        active: true,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/i);
    });
  });

  test('the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async ({ p }) => {
    const [found] = await p.db.select().from(auditLog).limit(1);
    expect(found).toBeDefined();
    const row = must(found, 'an audit_log row');
    // drizzle wraps the driver's error; the database's own message is its cause.
    const refusal = (q: Promise<unknown>) =>
      q.then(
        () => 'accepted',
        (e: { cause?: { message?: string } }) => String(e.cause?.message),
      );
    expect(await refusal(p.db.execute(sql`update audit_log set action = 'tampered' where id = ${row.id}`))).toMatch(
      /append-only \(UPDATE rejected\)/,
    );
    expect(await refusal(p.db.execute(sql`delete from audit_log where id = ${row.id}`))).toMatch(/append-only \(DELETE rejected\)/);
    expect(await refusal(p.db.execute(sql`truncate audit_log`))).toMatch(/append-only \(TRUNCATE rejected\)/);
    const [still] = await p.db.select().from(auditLog).where(eq(auditLog.id, row.id));
    expect(still).toEqual(row);
  });
});
