import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { deleteInBatches, updateInBatches } from '../../src/db/in-batches.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const table = pgTable(`in_batches_${randomBytes(4).toString('hex')}`, { id: integer('id').primaryKey(), state: text('state').notNull() });

describe.each(['postgres', 'pglite'] as const)('purges in batches (%s)', (kind) => {
  let handle: DatabaseHandle;
  let dir: string | null = null;
  beforeAll(async () => {
    dir = kind === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'amtsbote-batches-')) : null;
    handle = await openDatabase(
      kind === 'pglite' ? { dataDir: dir ?? '' } : { url: testDatabaseUrl(), dataDir: tmpdir(), maxConnections: 2 },
    );
    await handle.db.execute(sql`create table ${table} (id integer primary key, state text not null)`);
  });
  afterAll(async () => {
    await handle.db.execute(sql`drop table if exists ${table}`);
    await handle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deletes every matching row over several statements and counts them; the others stay', async () => {
    const { db } = handle;
    await db.delete(table);
    await db.insert(table).values(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, state: i % 3 === 0 ? 'keep' : 'old' })));
    // 13 rows match: batches of 3, 3, 3, 3, 1.
    expect(await deleteInBatches(db, table, and(eq(table.state, 'old'), gt(table.id, 0)) ?? sql`false`, 3)).toBe(13);
    const left = await db.select().from(table).orderBy(asc(table.id));
    expect(left.map((r) => r.id)).toEqual([1, 4, 7, 10, 13, 16, 19]);
    // A batch size that divides the count exactly ends with an empty batch, not a loop.
    await db.insert(table).values([20, 21, 22].map((id) => ({ id, state: 'old' })));
    expect(await deleteInBatches(db, table, eq(table.state, 'old'), 3)).toBe(3);
    expect(await deleteInBatches(db, table, eq(table.state, 'old'), 3)).toBe(0);
  });

  it('updates every matching row over several statements; the set makes them no longer match', async () => {
    const { db } = handle;
    await db.delete(table);
    await db.insert(table).values(Array.from({ length: 10 }, (_, i) => ({ id: i + 1, state: i < 8 ? 'full' : 'pending' })));
    expect(await updateInBatches(db, table, sql`${sql.identifier('state')} = 'emptied'`, eq(table.state, 'full'), 3)).toBe(8);
    const rows = await db.select().from(table).orderBy(asc(table.id));
    expect(rows.map((r) => r.state)).toEqual([...Array<string>(8).fill('emptied'), 'pending', 'pending']);
  });
});
