import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api } from '../helpers/test-platform.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

/**
 * Runs the admin creation command against this run's test database: through `npm run
 * admin:create -- …` as an operator would, or (for the refusals, to save npm's start-up) the
 * script it names directly.
 */
function adminCreate(args: string[], env: Record<string, string>, via: 'npm' | 'node' = 'node') {
  const [command, commandArgs] =
    via === 'npm'
      ? ['npm', ['run', '--silent', 'admin:create', '--', ...args]]
      : [process.execPath, ['--import', 'tsx', 'src/auth/create-admin.cli.ts', ...args]];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      command,
      commandArgs,
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run admin:create', () => {
  const username = `admin-${randomBytes(4).toString('hex')}`;
  const password = `first admin ${randomBytes(8).toString('hex')}`;

  test('creates an admin who can then sign in and create staff', async ({ p }) => {
    const run = await adminCreate(['--username', username, '--display-name', 'Erste Admin'], { ADMIN_PASSWORD: password }, 'npm');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Admin "${username}" created`);
    expect(run.stdout).not.toContain(password);

    const session = await api(p, 'POST', '/v1/auth/sessions', { body: { username, password } });
    expect(session.status).toBe(201);
    expect(session.body.staff).toMatchObject({ username, displayName: 'Erste Admin', roles: ['admin'], officeId: null });
    const headers = { authorization: `Bearer ${session.body.token}` };
    expect((await api(p, 'GET', '/v1/staff', { headers })).status).toBe(200);

    const [created] = await p.db.select().from(auditLog).where(eq(auditLog.subjectId, session.body.staff.id));
    expect(created).toMatchObject({ action: 'staff.created', actorType: 'system' });
  });

  test('refuses a taken username, a short password, a missing username or password, with a message and no account', async ({ p }) => {
    // Independent refusals, run side by side: each is a process start.
    const [taken, weak, noName, noPassword] = await Promise.all([
      adminCreate(['--username', username], { ADMIN_PASSWORD: password }),
      adminCreate(['--username', `${username}-2`], { ADMIN_PASSWORD: 'short' }),
      adminCreate([], { ADMIN_PASSWORD: password }),
      adminCreate(['--username', `${username}-3`], {}),
    ]);
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('staff.username_taken') });
    expect(weak).toMatchObject({ code: 1, stderr: expect.stringContaining('staff.weak_password') });
    expect(noName).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage') });
    expect(noPassword).toMatchObject({ code: 2, stderr: expect.stringContaining('ADMIN_PASSWORD') });
    const users = await api(p, 'GET', '/v1/staff', { headers: (await p.staff(['admin'], null)).headers });
    expect(users.body.data.filter((u: { username: string }) => u.username.startsWith(`${username}-`))).toEqual([]);
  });
});
