import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config/config.ts';
import { openDatabaseForCommand } from '../db/client.ts';
import { isAppError } from '../shared/errors.ts';
import { createAuthService } from './auth.service.ts';

/**
 * `npm run admin:create -- --username NAME [--display-name "…"]`: creates an admin account. The
 * password comes from ADMIN_PASSWORD or is asked on the terminal, never from the command line
 * (where it would stay in the shell history and the process list).
 */
const { values } = parseArgs({
  options: { username: { type: 'string' }, 'display-name': { type: 'string' } },
  strict: true,
});
if (!values.username) {
  console.error('Usage: npm run admin:create -- --username NAME [--display-name "Full Name"]  (password from ADMIN_PASSWORD or prompt)');
  process.exit(2);
}
let password = process.env.ADMIN_PASSWORD;
if (!password) {
  if (!process.stdin.isTTY) {
    console.error('Set ADMIN_PASSWORD or run in a terminal to be asked for the password.');
    process.exit(2);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  password = await rl.question('Password (12+ characters): ');
  rl.close();
}

const config = loadConfig();
const handle = await openDatabaseForCommand(config);
try {
  await handle.migrate();
  const auth = createAuthService({ db: handle.db, clock: () => new Date(), sessionHours: config.env.STAFF_SESSION_HOURS });
  const admin = await auth.createStaffUser({
    username: values.username,
    displayName: values['display-name'] ?? values.username,
    password,
    roles: ['admin'],
    officeId: null,
    actorId: null,
  });
  console.log(`Admin "${admin.username}" created (id ${admin.id}). Sign in with POST /v1/auth/sessions.`);
} catch (err) {
  console.error(isAppError(err) ? `Could not create the admin: ${err.message} (${err.code})` : err);
  process.exitCode = 1;
} finally {
  await handle.close();
}
