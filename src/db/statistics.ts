import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from './client.ts';

/**
 * ANALYZE for tables PostgreSQL has never gathered statistics on. A fresh installation (or one
 * just seeded or bulk-loaded) otherwise plans its list queries blind and reads and sorts every
 * matching row until autovacuum catches up; measured: listBookings 121 → 1,123 req/s after an
 * ANALYZE. Tables with statistics are left to autovacuum, so a start of a big installation
 * costs nothing.
 */
export async function analyzeTablesWithoutStatistics(db: DbOrTx): Promise<string[]> {
  const rows = await queryRows<{ relname: string }>(
    db,
    sql`select relname from pg_stat_user_tables
        where schemaname = 'public' and last_analyze is null and last_autoanalyze is null
        order by relname`,
  );
  for (const { relname } of rows) {
    // Names come from the catalogue, quoted as identifiers.
    await db.execute(sql.raw(`analyze "${relname.replaceAll('"', '""')}"`));
  }
  return rows.map((r) => r.relname);
}
