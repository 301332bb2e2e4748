import { existsSync, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { createAuthService } from '../auth/auth.service.ts';
import type { Database } from '../db/client.ts';
import { createDemoStaff, demoCredentialsPath } from './demo-staff.ts';
import { seedDemoIfEmpty } from './seed-demo.ts';

/**
 * `npm start` on an empty database: the demo office and one account per role. On a later start
 * (same DATA_DIR, demo already there) nothing is created, but the credentials file written the
 * first time is still where to find the passwords, so it is returned when it exists.
 */
export async function setUpDemo(deps: {
  db: Database;
  dataDir: string;
  /** SEED_DEMO=auto: create the demo office when there is none. */
  seed: boolean;
  sessionHours: number;
  clock: () => Date;
  logger: Logger;
}): Promise<{ credentialsFile: string | null }> {
  mkdirSync(deps.dataDir, { recursive: true });
  if (deps.seed) {
    const seeded = await seedDemoIfEmpty(deps.db, deps.clock());
    if (seeded) {
      deps.logger.info({ office: seeded.office.name }, 'demo office created (Stuttgart; zone data © OpenStreetMap contributors, ODbL)');
      const auth = createAuthService({ db: deps.db, clock: deps.clock, sessionHours: deps.sessionHours });
      if ((await auth.countAdmins()) === 0) return { credentialsFile: await createDemoStaff(auth, seeded.office.id, deps.dataDir) };
    }
  }
  const file = demoCredentialsPath(deps.dataDir);
  return { credentialsFile: existsSync(file) ? file : null };
}
