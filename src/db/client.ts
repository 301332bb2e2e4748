import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { ParameterOrJSON, Sql, UnsafeQueryOptions } from 'postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Config } from '../config/config.ts';
import { lockDataDir } from '../infra/data-dir-lock.ts';
import { exitAtOnce, StartupError } from '../infra/process.ts';
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

/** Statements with more parameters than this are sent unnamed (long `in (…)` lists vary in length). */
const PREPARE_UP_TO_PARAMETERS = 64;

/**
 * Makes drizzle's queries prepared statements. Drizzle asks postgres.js for an unnamed statement
 * unless a query was `.prepare('name')`d, and postgres.js must then describe every query with
 * parameters before it can bind them: two round trips per statement, and no pipelining (see
 * inOneRoundTrip). Prepared, a statement is parsed once per connection and costs one round
 * trip. postgres.js keeps them per connection by SQL text; drizzle's SQL text depends only on
 * the query's shape, and long parameter lists stay unnamed, so their number stays bounded.
 * Transactions and savepoints get a wrapped client too.
 */
function preparingStatements(client: Sql): Sql {
  // Made once per client: `unsafe` is looked up for every statement drizzle sends.
  const unsafe = (query: string, params?: ParameterOrJSON<never>[], options?: UnsafeQueryOptions) =>
    client.unsafe(query, params, { ...options, prepare: (params?.length ?? 0) <= PREPARE_UP_TO_PARAMETERS });
  // begin(fn), begin(options, fn), savepoint(fn), savepoint(name, fn): the callback is always last.
  const wrapScope =
    (key: 'begin' | 'savepoint') =>
    (...args: unknown[]) => {
      const fn = args.pop() as (sql: Sql) => unknown;
      return (Reflect.get(client, key) as (...a: unknown[]) => unknown)(...args, (sql: Sql) => fn(preparingStatements(sql)));
    };
  const wrapped: Record<string | symbol, unknown> = { unsafe, begin: wrapScope('begin'), savepoint: wrapScope('savepoint') };
  return new Proxy(client, {
    get: (target, key, receiver) => (key in wrapped ? wrapped[key] : (Reflect.get(target, key, receiver) as unknown)),
  });
}

/**
 * Seconds before a pool connection tries again after a failed one: doubling from 50 ms, at most
 * one second (either way up to half less, so the pool's connections do not knock in step).
 * postgres.js counts the failures of the whole pool and waits up to 20 s by default: after a
 * PostgreSQL crash that was back within 1.5 s, a booking waited 17 s for its connection and then
 * failed (the soak). A refused connection costs the server next to nothing.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

/**
 * A PostgreSQL server when a URL is given; otherwise PGlite, PostgreSQL compiled to WebAssembly,
 * in a data folder: the same SQL and migrations, for `npm start` on a machine without a server.
 * PGlite lives inside one process, so API and workers must then share that process, and no other
 * process may open it meanwhile (a command such as `npm run admin:create` included): it is opened
 * under the lock on DATA_DIR (infra/data-dir-lock.ts), which this takes unless the caller holds it.
 */
export async function openDatabase(opts: {
  url?: string;
  dataDir: string;
  maxConnections?: number;
  /** The caller holds the lock on DATA_DIR already (createPlatform, which also keeps the sandbox's file there). */
  dataDirLocked?: boolean;
  /** Told, in words, when the start waits for the lock on DATA_DIR. */
  onLockWait?: (message: string) => void;
}): Promise<DatabaseHandle> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(opts.url, { max: opts.maxConnections ?? 10, onnotice: () => {}, backoff: reconnectDelaySeconds });
    const db = drizzle(preparingStatements(client), { schema }) as unknown as Database;
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
  const lock = opts.dataDirLocked
    ? null
    : await lockDataDir({ dataDir: opts.dataDir, holds: 'the embedded PGlite database', onLost: exitAtOnce, onWait: opts.onLockWait });
  let client: InstanceType<typeof PGlite>;
  try {
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir);
  } catch (err) {
    await lock?.release();
    throw err;
  }
  const pdb = drizzle(client, { schema });
  return {
    db: pdb as unknown as Database,
    kind: 'pglite',
    migrate: () => migrate(pdb, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/**
 * openDatabase for a command (`npm run admin:create`, `db:migrate`, `custody:verify`): a database it
 * cannot open or reach (the embedded one held by a running Amtsbote, a server that does not
 * answer) is a message on stderr and exit code `exitCode`, not a stack trace. A wait for the
 * lock on DATA_DIR is said on stderr too.
 */
export async function openDatabaseForCommand(config: Config, exitCode = 1): Promise<DatabaseHandle> {
  let handle: DatabaseHandle | null = null;
  try {
    handle = await openDatabase({
      url: config.env.DATABASE_URL,
      dataDir: config.env.DATA_DIR,
      maxConnections: 1,
      onLockWait: (message) => console.error(message),
    });
    // postgres.js connects on the first query: a server that does not answer is found here.
    await handle.ping();
    return handle;
  } catch (err) {
    await handle?.close().catch(() => {});
    console.error(err instanceof StartupError ? err.message : `The database cannot be opened: ${(err as Error).message}`);
    process.exit(exitCode);
  }
}

/** Raw SQL rows, whichever driver runs: postgres.js returns an array, PGlite `{ rows }`. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Sends a transaction's statements in one round trip. Each is given as a function that starts
 * it; they are started in the order given, and postgres.js pipelines queries issued on the
 * transaction's one connection before the first answer returns (once a statement has been
 * prepared on that connection). PostgreSQL runs them in the order sent, so a later statement
 * may rely on an earlier one's rows (a booking before its event row) and locks are taken in
 * that order. If one fails, the transaction is aborted, the later ones fail with it, and the
 * first error in sending order is thrown. Only for a transaction, which the type
 * demands: on the pool, the statements would run on separate connections in no order. PGlite
 * runs them one after another.
 */
export async function inOneRoundTrip<T extends readonly PromiseLike<unknown>[] | []>(
  _tx: Transaction,
  statements: { [K in keyof T]: () => T[K] },
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  // Promise.resolve queues the call of a query builder's then() (which sends it) at once, so a
  // builder is sent in its place, not after the statements that async functions started.
  const started = statements.map((start) => Promise.resolve(start()));
  // All are awaited and the first failure in sending order is thrown: the error that aborted the
  // transaction, not a later statement's "transaction is aborted", which may settle sooner when
  // the failing statement's caller wraps it (a unique violation turned into a 409).
  const settled = await Promise.allSettled(started);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
