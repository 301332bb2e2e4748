import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../helpers/test-env.ts';

describe('indexes the planner cannot mistake for a primary key', () => {
  const sql = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
  afterAll(() => sql.end());

  // A secondary index that leads with the primary key's first column also fits a lookup by the
  // whole key. A generic plan made while a table had no statistics took one such index for the
  // idempotency updates, with the scope (shared by nearly every record) as its only condition: each
  // update then walked every record of the scope, and createBooking slowed as the table grew.
  it('no secondary index of a multi-column primary key table leads with the key’s first column', async () => {
    const clashes = await sql<{ table: string; index: string }[]>`
      select c.relname as table, ic.relname as index
      from pg_index i
      join pg_index pk on pk.indrelid = i.indrelid and pk.indisprimary and pk.indnatts > 1 and pk.indkey[0] = i.indkey[0]
      join pg_class c on c.oid = i.indrelid
      join pg_class ic on ic.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
      where not i.indisprimary and n.nspname = 'public'`;
    expect(clashes).toEqual([]);
    // The check sees the tables at all: the idempotency records' key is (scope, key).
    const [pk] = await sql<{ natts: number }[]>`
      select i.indnatts as natts from pg_index i join pg_class c on c.oid = i.indrelid
      where c.relname = 'idempotency_keys' and i.indisprimary`;
    expect(pk?.natts).toBe(2);
  });
});
