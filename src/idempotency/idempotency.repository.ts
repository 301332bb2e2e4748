import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { deleteInBatches } from '../db/in-batches.ts';
import { placeholders, preparedByShape, preparedInsert, preparedStatement } from '../db/prepared.ts';
import { firstRow } from '../shared/required.ts';
import { idempotencyKeys } from './idempotency.table.ts';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

const insertKey = preparedInsert('insert_idempotency_key', idempotencyKeys, { onConflictDoNothing: true });
const keyForUpdate = preparedStatement('idempotency_key_for_update', (db) =>
  db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key'))))
    .for('update'),
);

/** Twice per booking (the claimed resource, then the stored response), so built once per set of columns. */
const updateKey = preparedByShape<unknown>(
  'update_idempotency_key',
  (keys) => (db) =>
    db
      .update(idempotencyKeys)
      .set(placeholders(keys) as Partial<typeof idempotencyKeys.$inferInsert>)
      .where(and(eq(idempotencyKeys.scope, sql.placeholder('whereScope')), eq(idempotencyKeys.key, sql.placeholder('whereKey')))),
);

export function createIdempotencyRepository(db: DbOrTx) {
  return {
    /** Inserts the key or returns the existing record (the row lock serialises concurrent retries). */
    async claim(input: {
      scope: string;
      key: string;
      requestHash: string;
      expiresAt: Date;
    }): Promise<{ fresh: boolean; record: IdempotencyRecord }> {
      const inserted = await insertKey(db, input);
      if (inserted[0]) return { fresh: true, record: inserted[0] };
      const existing = await keyForUpdate(db, { scope: input.scope, key: input.key });
      return { fresh: false, record: firstRow(existing, 'SELECT idempotency_keys after ON CONFLICT DO NOTHING') };
    },
    update: (scope: string, key: string, values: Partial<typeof idempotencyKeys.$inferInsert>) =>
      updateKey(db, values, { whereScope: scope, whereKey: key }),
    /**
     * The stored response of the live request that created `resourceId`. The confirmation mail
     * takes the booking's tracking token from here: the token is kept nowhere else (only its hash),
     * and this record already holds it for the 24 h a retried request may ask for it again.
     */
    async responseOfResource(scope: string, resourceId: string, now: Date): Promise<unknown> {
      const [row] = await db
        .select({ responseBody: idempotencyKeys.responseBody })
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.resourceId, resourceId), gt(idempotencyKeys.expiresAt, now)))
        .limit(1);
      return row?.responseBody ?? undefined;
    },

    /** Deletes the records expired at `now`; returns how many. */
    purgeExpired: (now: Date): Promise<number> => deleteInBatches(db, idempotencyKeys, lt(idempotencyKeys.expiresAt, now)),
  };
}
