import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuthService } from '../auth/auth.service.ts';
import type { StaffRole } from '../auth/auth.table.ts';

/** Where the demo accounts' passwords are written: kept there, so a later start can point at it again. */
export const demoCredentialsPath = (dataDir: string) => path.resolve(dataDir, 'demo-credentials.txt');

/**
 * Demo accounts for a first start: one per role, with random passwords written to a file only the
 * owner can read (never to the log). Returns the file path.
 */
export async function createDemoStaff(auth: AuthService, officeId: string, dataDir: string): Promise<string> {
  const accounts: { username: string; displayName: string; roles: StaffRole[]; officeId: string | null }[] = [
    { username: 'admin', displayName: 'Demo Admin', roles: ['admin'], officeId: null },
    { username: 'clerk', displayName: 'Demo Sachbearbeitung', roles: ['clerk'], officeId },
    { username: 'supervisor', displayName: 'Demo Leitung', roles: ['supervisor'], officeId },
    { username: 'finance', displayName: 'Demo Stadtkasse', roles: ['finance'], officeId: null },
  ];
  const lines = ['# Amtsbote demo accounts (created on first start). Sign in with POST /v1/auth/sessions.'];
  for (const a of accounts) {
    const password = randomBytes(12).toString('base64url');
    await auth.createStaffUser({ ...a, password, actorId: null });
    lines.push(`${a.username.padEnd(12)} ${password}   roles: ${a.roles.join(',')}`);
  }
  const file = demoCredentialsPath(dataDir);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
