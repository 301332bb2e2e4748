import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Repositories take either the database or a transaction they are part of. */
export type DbOrTx = Database | Transaction;

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Applies the committed migrations (idempotent). */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A PostgreSQL server when a URL is given; otherwise PGlite, PostgreSQL compiled to WebAssembly,
 * in a data folder: the same SQL and migrations, for `npm start` on a machine without a server.
 * PGlite lives inside one process, so API and workers must then share that process.
 */
export async function openDatabase(opts: { url?: string; dataDir: string; maxConnections?: number }): Promise<DatabaseHandle> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(opts.url, { max: opts.maxConnections ?? 10, onnotice: () => {} });
    const db = drizzle(client, { schema }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      migrate: () => migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR }),
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const dir = path.resolve(opts.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const pdb = drizzle(client, { schema });
  return {
    db: pdb as unknown as Database,
    kind: 'pglite',
    migrate: () => migrate(pdb, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Raw SQL rows, whichever driver runs: postgres.js returns an array, PGlite `{ rows }`. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Sends a transaction's independent statements in one round trip. postgres.js pipelines queries
 * issued on the transaction's one connection before the first answer returns (once a statement
 * has been prepared on that connection), and PostgreSQL runs them in the order sent, so a later
 * statement may rely on an earlier one's rows (a booking before its event row). If one fails,
 * the transaction is aborted, the later ones fail with it, and the first error is thrown (answers
 * come back in order). Only for a transaction, which the type demands: on the pool, the
 * statements would run on separate connections in no order. PGlite runs them one after another.
 */
export function inOneRoundTrip<T extends readonly PromiseLike<unknown>[] | []>(
  _tx: Transaction,
  statements: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  // Promise.all calls each statement's then() in the order given, which sends it.
  return Promise.all(statements);
}
