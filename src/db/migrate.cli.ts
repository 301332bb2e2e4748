import { loadConfig } from '../config/config.ts';
import { openDatabaseForCommand } from './client.ts';

/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded database). */
const config = loadConfig();
const handle = await openDatabaseForCommand(config);
try {
  await handle.migrate();
  console.log(`Migrations applied (${handle.kind}).`);
} catch (err) {
  console.error('Migration failed:', err);
  process.exitCode = 1;
} finally {
  await handle.close();
}
