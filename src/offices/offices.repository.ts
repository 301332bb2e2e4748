import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { offices, serviceZones, tariffs, type Office } from './offices.table.ts';

export function createOfficesRepository(db: DbOrTx) {
  return {
    async findById(id: string): Promise<Office | undefined> {
      const [row] = await db.select().from(offices).where(eq(offices.id, id));
      return row;
    },
    list: () => db.select().from(offices).orderBy(offices.name),
    activeZones: (officeId: string) =>
      db
        .select()
        .from(serviceZones)
        .where(and(eq(serviceZones.officeId, officeId), eq(serviceZones.active, true))),
    tariffsValidAt: (officeId: string, at: Date) =>
      db
        .select()
        .from(tariffs)
        .where(and(eq(tariffs.officeId, officeId), lte(tariffs.validFrom, at), or(isNull(tariffs.validTo), gt(tariffs.validTo, at)))),
    insertOffice: async (values: typeof offices.$inferInsert) => (await db.insert(offices).values(values).returning())[0]!,
    insertZone: async (values: typeof serviceZones.$inferInsert) => (await db.insert(serviceZones).values(values).returning())[0]!,
    insertTariff: async (values: typeof tariffs.$inferInsert) => (await db.insert(tariffs).values(values).returning())[0]!,
  };
}
