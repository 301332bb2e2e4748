import { sql, type Placeholder } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.ts';

type Executable<R> = { execute(placeholderValues?: Record<string, unknown>): Promise<R> };
type Preparable<R> = { prepare(name: string): Executable<R> };
/** What drizzle's sessions and prepared queries hold (not in its public types). */
type WithClient = { client?: unknown };

/**
 * A statement that drizzle builds once, not on every call. Building is what costs on the hot
 * paths: for every call drizzle walks the table's columns and renders the SQL text again, about
 * 0.3 ms of CPU for a select of the bookings table against 0.15 ms for sending it and mapping the
 * row (bench/prepared-statements.ts). The statement is written with `sql.placeholder('name')` for
 * its values and run with them.
 *
 * One prepared query is kept per driver; each call runs it on the client of the database or
 * transaction it is given, so the same statement works inside a transaction (on the
 * transaction's connection) and on the pool. PostgreSQL-side preparation is the client's
 * concern (see preparingStatements in client.ts). Should a drizzle upgrade change the internals
 * this relies on (a session's and a prepared query's `client`), the statement is built per call
 * as before: slower, never wrong.
 */
export function preparedStatement<R>(name: string, build: (db: DbOrTx) => Preparable<R>) {
  const byDriver = new Map<unknown, Executable<R> & WithClient>();
  return (db: DbOrTx, values: Record<string, unknown> = {}): Promise<R> => {
    const session = (db as unknown as { session?: WithClient }).session;
    if (!session?.client) return build(db).prepare(name).execute(values);
    let template = byDriver.get(session.constructor);
    if (!template) {
      template = build(db).prepare(name) as Executable<R> & WithClient;
      if (!('client' in template)) return template.execute(values);
      byDriver.set(session.constructor, template);
    }
    const bound =
      template.client === session.client ? template : (Object.assign(Object.create(template), { client: session.client }) as Executable<R>);
    return bound.execute(values);
  };
}

/** Placeholders named after the keys, for a statement's values (`values(placeholders(keys))`). */
export function placeholders<K extends string>(keys: readonly K[]): Record<K, Placeholder<K>> {
  return Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)])) as Record<K, Placeholder<K>>;
}

/** Column sets a statement keeps a prepared form for; the code has a handful per statement, not more. */
const MAX_SHAPES = 32;

/**
 * A statement whose columns vary from call to call (an insert's values, an update's set), built
 * once per set of columns given. Undefined values are left out, as drizzle itself leaves them
 * out. `fixed` are the statement's other placeholders (its `where`). They must not share a name
 * with a column.
 */
export function preparedByShape<R>(name: string, build: (columns: string[]) => (db: DbOrTx) => Preparable<R>) {
  const byShape = new Map<string, (db: DbOrTx, values: Record<string, unknown>) => Promise<R>>();
  return (db: DbOrTx, columns: Record<string, unknown>, fixed: Record<string, unknown> = {}): Promise<R> => {
    const given = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
    const keys = Object.keys(given).sort();
    const shape = keys.join(',');
    let statement = byShape.get(shape);
    if (!statement) {
      statement = preparedStatement(`${name}(${shape})`, build(keys));
      if (byShape.size < MAX_SHAPES) byShape.set(shape, statement);
    }
    return statement(db, { ...given, ...fixed });
  };
}

/**
 * `INSERT … RETURNING *` built once per set of columns given (undefined ones leave the column's
 * default, as drizzle's own insert does). `onConflictDoNothing` returns no row for a conflict.
 */
export function preparedInsert<T extends PgTable>(name: string, table: T, opts: { onConflictDoNothing?: boolean } = {}) {
  const insert = preparedByShape<T['$inferSelect'][]>(name, (keys) => (d) => {
    const statement = d.insert(table).values(placeholders(keys) as T['$inferInsert']);
    return (opts.onConflictDoNothing ? statement.onConflictDoNothing() : statement).returning() as unknown as Preparable<
      T['$inferSelect'][]
    >;
  });
  return (db: DbOrTx, values: T['$inferInsert']) => insert(db, values);
}
