import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type DbOrTx } from './client.ts';

/** Rows per statement of a purge: small enough for short locks and little WAL at a time. */
const PURGE_BATCH = 5_000;

/**
 * Deletes the rows of `table` that match `where`, `batchSize` at a time, each batch its own
 * statement (and, on the pool, its own transaction), and counts them in the database. One
 * DELETE of a whole night's expired quotes or idempotency records would hold its row locks and
 * write its WAL all at once, and a `RETURNING` of every id would bring them all into Node.
 * Batches are picked by ctid, and each statement changes only what it picked, so no row is
 * counted twice and none is changed outside the condition (see inBatches).
 */
export async function deleteInBatches(db: DbOrTx, table: PgTable, where: SQL, batchSize = PURGE_BATCH): Promise<number> {
  return inBatches(db, table, where, batchSize, (picked) => sql`delete from ${table} where ctid = any(${picked}) and ${where}`);
}

/** As deleteInBatches, for an UPDATE that sets `set` (which must make `where` false, or it never ends). */
export async function updateInBatches(db: DbOrTx, table: PgTable, set: SQL, where: SQL, batchSize = PURGE_BATCH): Promise<number> {
  return inBatches(db, table, where, batchSize, (picked) => sql`update ${table} set ${set} where ctid = any(${picked}) and ${where}`);
}

/**
 * The outer statement repeats `where`: a row changed while the statement waited for its lock is
 * then judged again as it is now (a TID condition alone was not rechecked by older PostgreSQL
 * releases, and a courier event set back to pending would have been emptied). The loop goes on
 * while batches come full as picked, not as changed, so a row someone else changed meanwhile does
 * not end the purge early.
 */
async function inBatches(db: DbOrTx, table: PgTable, where: SQL, batchSize: number, change: (picked: SQL) => SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await queryRows<{ picked: number | string | null; changed: number | string }>(
      db,
      sql`with batch as (select array(select ctid from ${table} where ${where} limit ${batchSize}) as ids),
      done as (${change(sql`(select ids from batch)::tid[]`)} returning 1)
      select (select cardinality(ids) from batch) as picked, (select count(*) from done)::int as changed`,
    );
    total += Number(row?.changed ?? 0);
    if (Number(row?.picked ?? 0) < batchSize) return total;
  }
}
