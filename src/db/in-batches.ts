import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type DbOrTx } from './client.ts';

/** Rows per statement of a purge: small enough for short locks and little WAL at a time. */
export const PURGE_BATCH = 5_000;

/**
 * Deletes the rows of `table` that match `where`, `batchSize` at a time, each batch its own
 * statement (and, on the pool, its own transaction), and counts them in the database. One
 * DELETE of a whole night's expired quotes or idempotency records would hold its row locks and
 * write its WAL all at once, and a `RETURNING` of every id would bring them all into Node.
 * Batches are chosen by ctid, so the condition needs no index of its own: expired rows are the
 * oldest, near the table's start. A row changed meanwhile is left for the next run.
 */
export async function deleteInBatches(db: DbOrTx, table: PgTable, where: SQL, batchSize = PURGE_BATCH): Promise<number> {
  return inBatches(
    db,
    (limit) => sql`with done as (
      delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ${limit}))
      returning 1)
    select count(*)::int as n from done`,
    batchSize,
  );
}

/** As deleteInBatches, for an UPDATE that sets `set` (which must make `where` false, or it never ends). */
export async function updateInBatches(db: DbOrTx, table: PgTable, set: SQL, where: SQL, batchSize = PURGE_BATCH): Promise<number> {
  return inBatches(
    db,
    (limit) => sql`with done as (
      update ${table} set ${set} where ctid = any(array(select ctid from ${table} where ${where} limit ${limit}))
      returning 1)
    select count(*)::int as n from done`,
    batchSize,
  );
}

async function inBatches(db: DbOrTx, statement: (limit: number) => SQL, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await queryRows<{ n: number | string }>(db, statement(batchSize));
    const n = Number(row?.n ?? 0);
    total += n;
    if (n < batchSize) return total;
  }
}
