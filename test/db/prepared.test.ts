import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { preparedStatement } from '../../src/db/prepared.ts';
import { offices } from '../../src/offices/offices.table.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const officeById = preparedStatement('test_office_by_id', (db) =>
  db
    .select()
    .from(offices)
    .where(eq(offices.id, sql.placeholder('id'))),
);
const renameOffice = preparedStatement('test_rename_office', (db) =>
  db
    .update(offices)
    .set({ name: sql`${sql.placeholder('name')}` })
    .where(eq(offices.id, sql.placeholder('id')))
    .returning(),
);

function newOffice() {
  const id = randomUUID();
  return {
    id,
    slug: `prepared-${id}`,
    name: `Prepared ${id.slice(0, 8)}`,
    addressLine: 'Marktplatz 1',
    kassenzeichenPrefix: 'PRP',
    location: [9.17, 48.77] as [number, number],
  };
}

// Both drivers: the same statement object runs on each, on the pool and in transactions.
describe.each([['postgres'], ['pglite']] as const)('a statement built once (%s)', (kind) => {
  let handle: DatabaseHandle;
  let dir: string | undefined;
  beforeAll(async () => {
    if (kind === 'pglite') dir = mkdtempSync(path.join(tmpdir(), 'amtsbote-prepared-'));
    handle = await openDatabase({ url: kind === 'postgres' ? testDatabaseUrl() : undefined, dataDir: dir ?? '.data' });
    if (kind === 'pglite') await handle.migrate();
  }, 60_000);
  afterAll(async () => {
    await handle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds rows by its placeholders on the pool, call after call', async () => {
    const a = newOffice();
    const b = newOffice();
    await handle.db.insert(offices).values([a, b]);
    expect((await officeById(handle.db, { id: a.id })).map((o) => o.name)).toEqual([a.name]);
    expect((await officeById(handle.db, { id: b.id })).map((o) => o.name)).toEqual([b.name]);
    expect(await officeById(handle.db, { id: randomUUID() })).toEqual([]);
  });

  it("runs inside a transaction on the transaction's connection: it sees its uncommitted rows, and a rollback takes its writes back", async () => {
    const office = newOffice();
    await handle.db.insert(offices).values(office);
    await handle.db
      .transaction(async (tx) => {
        const [renamed] = await renameOffice(tx, { id: office.id, name: 'Inside the transaction' });
        expect(renamed?.name).toBe('Inside the transaction');
        expect((await officeById(tx, { id: office.id }))[0]?.name).toBe('Inside the transaction');
        // Another connection (the pool) does not see the uncommitted change.
        if (kind === 'postgres') expect((await officeById(handle.db, { id: office.id }))[0]?.name).toBe(office.name);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect((await officeById(handle.db, { id: office.id }))[0]?.name).toBe(office.name);
  });
});
