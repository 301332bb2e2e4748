import { loadConfig } from '../config/config.ts';
import { openDatabase } from './client.ts';

/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded database). */
const config = loadConfig();
const handle = await openDatabase({ url: config.env.DATABASE_URL, dataDir: config.env.DATA_DIR, maxConnections: 1 });
try {
  await handle.migrate();
  console.log(`Migrations applied (${handle.kind}).`);
} catch (err) {
  console.error('Migration failed:', err);
  process.exitCode = 1;
} finally {
  await handle.close();
}
