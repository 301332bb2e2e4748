import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.ts';
import { BASE_TEST_DATABASE_URL, adminUrlFor } from './helpers/test-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One migrated database per test worker (VITEST_POOL_ID 1…n picks its own). */
    databaseUrls: string[];
  }
}

/**
 * Once per test run: a fresh database on the machine's PostgreSQL server (named after this
 * process, so runs side by side do not drop each other's), migrated with the committed migrations
 * — the same ones production runs — and one copy of it per test worker, made with `CREATE
 * DATABASE … TEMPLATE`. Files run two at a time; each worker's files run one after another in its
 * own database, so a file that reads every row of a table (the role matrix, the lists, the
 * notification relay) sees only its own worker's rows, as it did when the files ran in series.
 * Everything is dropped again at the end.
 */
export default async function setup(project: TestProject) {
  const url = new URL(BASE_TEST_DATABASE_URL);
  const template = `${url.pathname.slice(1)}_${process.pid}`;
  if (!/^[a-z0-9_]+$/.test(template)) throw new Error(`Refusing odd test database name ${template}`);
  const workers = Math.max(1, project.globalConfig.maxWorkers);
  const names = Array.from({ length: workers }, (_, i) => `${template}_w${i + 1}`);
  const admin = postgres(adminUrlFor(BASE_TEST_DATABASE_URL), { max: 1, onnotice: () => {} });
  const dropAll = async () => {
    for (const name of [...names, template]) await admin.unsafe(`drop database if exists ${name} with (force)`);
  };
  await dropAll();
  await admin.unsafe(`create database ${template}`);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  const handle = await openDatabase({ url: templateUrl.toString(), dataDir: '.data', maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  for (const name of names) await admin.unsafe(`create database ${name} template ${template}`);
  project.provide(
    'databaseUrls',
    names.map((name) => Object.assign(new URL(url), { pathname: `/${name}` }).toString()),
  );
  return async () => {
    await dropAll();
    await admin.end();
  };
}
