import postgres from 'postgres';
import { openDatabase } from '../src/db/client.ts';
import { TEST_DATABASE_URL, adminUrlFor } from './helpers/test-env.ts';

/**
 * Once per test run: a fresh database on the machine's PostgreSQL server, migrated with the
 * committed migrations (the same ones production runs).
 */
export default async function setup() {
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Refusing odd test database name ${name}`);
  const admin = postgres(adminUrlFor(TEST_DATABASE_URL), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const handle = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '.data', maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
}
