import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.ts';
import { BASE_TEST_DATABASE_URL, adminUrlFor } from './helpers/test-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * Once per test run: a fresh database of its own on the machine's PostgreSQL server (named after
 * this process, so runs side by side do not drop each other's), migrated with the committed
 * migrations — the same ones production runs — and dropped again at the end.
 */
export default async function setup(project: TestProject) {
  const url = new URL(BASE_TEST_DATABASE_URL);
  const name = `${url.pathname.slice(1)}_${process.pid}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Refusing odd test database name ${name}`);
  url.pathname = `/${name}`;
  const admin = postgres(adminUrlFor(BASE_TEST_DATABASE_URL), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase({ url: url.toString(), dataDir: '.data', maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  project.provide('databaseUrl', url.toString());
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}
