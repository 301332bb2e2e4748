import { and, asc, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { QUEUE_NAMES } from '../../../src/jobs/registry.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });
const BASE = '/amt/verwaltung/warteschlangen';

describe('the queue dashboard (bull-board) for admins under /amt/verwaltung/warteschlangen', () => {
  test('nobody signed in is sent to the sign-in page, from the page, its files and its API alike', async ({ p }) => {
    const web = webClient(p);
    for (const path of [BASE, `${BASE}/`, `${BASE}/api/queues`, `${BASE}/static/favicon-32x32.png`, `${BASE}/queue/webhooks`]) {
      const res = await web.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 303 });
      expect(res.headers.get('location')).toBe(`/amt/anmelden?weiter=${encodeURIComponent(path)}`);
    }
    // A change without a session: no job is touched, the answer is the redirect (no "back here" for a PUT).
    const put = await fetch(`${p.address}${BASE}/api/queues/webhooks/retry/failed`, { method: 'PUT', redirect: 'manual' });
    expect(put.status).toBe(303);
    expect(put.headers.get('location')).toBe('/amt/anmelden');
  });

  test('a clerk (or any other role) gets the 403 page, also from the JSON API', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const web = webClient(p);
    expect((await web.signIn(await staffAccount(p, ['clerk', 'supervisor'], office.id))).status).toBe(303);
    const page = await web.get(BASE);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('<h1');
    expect(html).not.toContain('__UI_CONFIG__');
    expect((await web.get(`${BASE}/api/queues`, { accept: 'application/json' })).status).toBe(403);
  });

  test('an admin gets the page, with its own CSP and without Google Fonts, and the API lists every queue of the platform', async ({
    p,
  }) => {
    const web = webClient(p);
    expect((await web.signIn(await staffAccount(p, ['admin'], null))).status).toBe(303);
    const page = await web.get(BASE);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    const html = await page.text();
    expect(html).toContain(`<base href="${BASE}/"`);
    expect(html).not.toContain('fonts.googleapis.com');

    const api = await web.get(`${BASE}/api/queues`, { accept: 'application/json' });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());

    // The consoles' pages keep their strict policy: the dashboard's is only its own.
    const admin = await web.get('/amt/verwaltung');
    expect(admin.headers.get('content-security-policy')).toContain("style-src 'self';");
    const adminHtml = await admin.text();
    expect(adminHtml).toContain(`href="${BASE}"`);
  });

  test('an admin’s change from another origin is refused by its Sec-Fetch-Site, before any job is touched', async ({ p }) => {
    const web = webClient(p);
    expect((await web.signIn(await staffAccount(p, ['admin'], null))).status).toBe(303);
    const cookie = [...web.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${p.address}${BASE}/api/queues/webhooks/pause`, {
      method: 'PUT',
      headers: { cookie, 'sec-fetch-site': 'same-site' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('web.cross_origin');
    expect(await p.queues.queue('webhooks').isPaused()).toBe(false);
    // From the dashboard itself it works (and is undone).
    const same = await fetch(`${p.address}${BASE}/api/queues/webhooks/pause`, {
      method: 'PUT',
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
    expect(await p.queues.queue('webhooks').isPaused()).toBe(true);
    await p.queues.queue('webhooks').resume();
    // A browser without Sec-Fetch-Site: its Origin decides.
    const resume = (origin?: string) =>
      fetch(`${p.address}${BASE}/api/queues/webhooks/resume`, { method: 'PUT', headers: { cookie, ...(origin ? { origin } : {}) } });
    for (const origin of ['https://other.example', undefined]) {
      const refused = await resume(origin);
      expect(refused.status, String(origin)).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('web.cross_origin');
    }
    expect((await resume(p.address)).status).toBe(200);
  });

  test('an admin may pause and resume (each audited), but not add, empty, obliterate or drop a scheduler', async ({ p }) => {
    const web = webClient(p);
    const account = await staffAccount(p, ['admin'], null);
    expect((await web.signIn(account)).status).toBe(303);
    const cookie = [...web.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${p.address}${BASE}/api${path}`, {
        method,
        headers: { cookie, 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const queue = p.queues.queue('housekeeping');
    await queue.add('purge', {}, { delay: 60_000 });
    const before = await queue.getJobCounts('delayed');

    for (const [method, path, body] of [
      ['PUT', '/queues/housekeeping/empty'],
      ['PUT', '/queues/housekeeping/obliterate'],
      ['POST', '/queues/housekeeping/add', { name: 'purge', data: {} }],
      ['PUT', '/queues/housekeeping/clean/delayed'],
      ['PUT', '/queues/housekeeping/job-schedulers/housekeeping/remove'],
      ['PUT', '/queues/housekeeping/concurrency', { concurrency: 50 }],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('web.queue_action_refused');
    }
    expect(await queue.getJobCounts('delayed')).toEqual(before);

    expect((await call('PUT', '/queues/housekeeping/pause')).status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    expect((await call('PUT', '/queues/housekeeping/resume')).status).toBe(200);
    expect(await queue.isPaused()).toBe(false);
    const audited = await p.db
      .select({ action: auditLog.action, subjectId: auditLog.subjectId })
      .from(auditLog)
      .where(and(eq(auditLog.subjectType, 'queue'), eq(auditLog.actorId, account.user.id)))
      .orderBy(asc(auditLog.id));
    // Read straight after the answers: each change's audit row is written before its 200 is sent.
    expect(audited).toEqual([
      { action: 'queue.paused', subjectId: 'housekeeping' },
      { action: 'queue.resumed', subjectId: 'housekeeping' },
    ]);
    await queue.obliterate({ force: true });
  });

  test('the dashboard stays out of the OpenAPI document', async ({ p }) => {
    const doc = JSON.stringify(p.app.swagger());
    expect(doc).not.toContain('warteschlangen');
  });
});
