import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { firstRow } from '../shared/required.ts';
import { courierApiKeys, courierCompanies, courierSigningSecrets, type CourierCompany } from './couriers.table.ts';

export function createCouriersRepository(db: DbOrTx) {
  return {
    async insertCompany(values: typeof courierCompanies.$inferInsert): Promise<CourierCompany> {
      return firstRow(await db.insert(courierCompanies).values(values).returning(), 'INSERT courier_companies RETURNING');
    },

    async findCompany(id: string, opts: { forUpdate?: boolean } = {}): Promise<CourierCompany | undefined> {
      const q = db.select().from(courierCompanies).where(eq(courierCompanies.id, id));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    listCompanies: () => db.select().from(courierCompanies).orderBy(asc(courierCompanies.name), asc(courierCompanies.id)),

    async updateCompany(id: string, values: Partial<typeof courierCompanies.$inferInsert>): Promise<CourierCompany | undefined> {
      const [row] = await db
        .update(courierCompanies)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(courierCompanies.id, id))
        .returning();
      return row;
    },

    insertApiKey: async (values: { companyId: string; keyHash: string; prefix: string }) => {
      await db.insert(courierApiKeys).values(values);
    },

    /** Revokes every live key of the company except `keepId` (a rotation keeps only the new one). */
    revokeApiKeys: (companyId: string, at: Date) =>
      db
        .update(courierApiKeys)
        .set({ revokedAt: at })
        .where(and(eq(courierApiKeys.companyId, companyId), isNull(courierApiKeys.revokedAt))),

    /** The active company a live key belongs to. */
    async companyByKeyHash(keyHash: string): Promise<CourierCompany | undefined> {
      const [row] = await db
        .select({ company: courierCompanies })
        .from(courierApiKeys)
        .innerJoin(courierCompanies, eq(courierCompanies.id, courierApiKeys.companyId))
        .where(and(eq(courierApiKeys.keyHash, keyHash), isNull(courierApiKeys.revokedAt), eq(courierCompanies.status, 'active')));
      return row?.company;
    },

    liveKeyPrefixes: (companyId: string) =>
      db
        .select({ prefix: courierApiKeys.prefix, createdAt: courierApiKeys.createdAt })
        .from(courierApiKeys)
        .where(and(eq(courierApiKeys.companyId, companyId), isNull(courierApiKeys.revokedAt))),

    insertSigningSecret: async (values: { companyId: string; secret: string }) => {
      await db.insert(courierSigningSecrets).values(values);
    },

    /** Lets the secrets still signing retire at `retiresAt` (the overlap of a rotation). */
    retireSigningSecrets: (companyId: string, retiresAt: Date, now: Date) =>
      db
        .update(courierSigningSecrets)
        .set({ retiresAt })
        .where(
          and(
            eq(courierSigningSecrets.companyId, companyId),
            or(isNull(courierSigningSecrets.retiresAt), gt(courierSigningSecrets.retiresAt, now)),
          ),
        ),

    /** The secrets that sign now, newest first: during an overlap, the new and the previous one. */
    signingSecrets: (companyId: string, now: Date) =>
      db
        .select()
        .from(courierSigningSecrets)
        .where(
          and(
            eq(courierSigningSecrets.companyId, companyId),
            or(isNull(courierSigningSecrets.retiresAt), gt(courierSigningSecrets.retiresAt, now)),
          ),
        )
        .orderBy(sql`${courierSigningSecrets.createdAt} desc`),

    companiesByIds: (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([] as CourierCompany[])
        : db.select().from(courierCompanies).where(inArray(courierCompanies.id, ids)),
  };
}

export type CouriersRepository = ReturnType<typeof createCouriersRepository>;
