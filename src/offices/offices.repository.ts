import { and, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { bookings } from '../bookings/bookings.table.ts';
import { firstRow } from '../shared/required.ts';
import { offices, serviceZones, tariffs, type Office, type ServiceZone, type Tariff, type VehicleType } from './offices.table.ts';

const officeById = preparedStatement('office_by_id', (db) =>
  db
    .select()
    .from(offices)
    .where(eq(offices.id, sql.placeholder('id'))),
);
const officeOfBooking = preparedStatement('office_of_booking', (db) =>
  db
    .select({ office: offices })
    .from(offices)
    .innerJoin(bookings, eq(bookings.officeId, offices.id))
    .where(eq(bookings.id, sql.placeholder('bookingId'))),
);

export function createOfficesRepository(db: DbOrTx) {
  /** In the transaction of the zone or tariff change: cached prices of the office are stale from its commit on. */
  const bumpPricingVersion = async (officeId: string) => {
    await db
      .update(offices)
      .set({ pricingVersion: sql`${offices.pricingVersion} + 1` })
      .where(eq(offices.id, officeId));
  };
  return {
    /** The office a booking belongs to. */
    async findByBooking(bookingId: string): Promise<Office | undefined> {
      const [row] = await officeOfBooking(db, { bookingId });
      return row?.office;
    },

    async findById(id: string): Promise<Office | undefined> {
      const [row] = await officeById(db, { id });
      return row;
    },
    list: () => db.select().from(offices).orderBy(offices.name),
    insertOffice: async (values: typeof offices.$inferInsert) =>
      firstRow(await db.insert(offices).values(values).returning(), 'INSERT offices RETURNING'),

    zonesByIds: (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([] as { id: string; officeId: string }[])
        : db.select({ id: serviceZones.id, officeId: serviceZones.officeId }).from(serviceZones).where(inArray(serviceZones.id, ids)),
    zonesOf: (officeId: string) =>
      db.select().from(serviceZones).where(eq(serviceZones.officeId, officeId)).orderBy(serviceZones.createdAt),
    activeZones: (officeId: string) =>
      db
        .select()
        .from(serviceZones)
        .where(and(eq(serviceZones.officeId, officeId), eq(serviceZones.active, true))),
    /** The zone of the office, locked until the transaction ends: tariff changes of a zone queue up behind it. */
    async lockZone(officeId: string, zoneId: string): Promise<ServiceZone | undefined> {
      const [row] = await db
        .select()
        .from(serviceZones)
        .where(and(eq(serviceZones.id, zoneId), eq(serviceZones.officeId, officeId)))
        .for('update');
      return row;
    },
    insertZone: async (values: typeof serviceZones.$inferInsert) => {
      const zone = firstRow(await db.insert(serviceZones).values(values).returning(), 'INSERT service_zones RETURNING');
      await bumpPricingVersion(values.officeId);
      return zone;
    },
    /** Undefined when the office has no such zone. */
    async setZoneActive(officeId: string, zoneId: string, active: boolean): Promise<ServiceZone | undefined> {
      const [row] = await db
        .update(serviceZones)
        .set({ active })
        .where(and(eq(serviceZones.id, zoneId), eq(serviceZones.officeId, officeId)))
        .returning();
      if (row) await bumpPricingVersion(officeId);
      return row;
    },

    tariffsOf: (officeId: string) => db.select().from(tariffs).where(eq(tariffs.officeId, officeId)).orderBy(tariffs.validFrom),
    tariffsValidAt: (officeId: string, at: Date) =>
      db
        .select()
        .from(tariffs)
        .where(and(eq(tariffs.officeId, officeId), lte(tariffs.validFrom, at), or(isNull(tariffs.validTo), gt(tariffs.validTo, at)))),
    /** Tariffs of the zone and vehicle valid at some moment of [validFrom, validTo) (open-ended when validTo is null). */
    async overlappingTariffs(input: { zoneId: string; vehicleType: VehicleType; validFrom: Date; validTo: Date | null }) {
      return db
        .select({ id: tariffs.id })
        .from(tariffs)
        .where(
          and(
            eq(tariffs.zoneId, input.zoneId),
            eq(tariffs.vehicleType, input.vehicleType),
            or(isNull(tariffs.validTo), gt(tariffs.validTo, input.validFrom)),
            input.validTo ? lt(tariffs.validFrom, input.validTo) : undefined,
          ),
        );
    },
    /** The tariff of the office, locked until the transaction ends. */
    async lockTariff(officeId: string, tariffId: string): Promise<Tariff | undefined> {
      const [row] = await db
        .select()
        .from(tariffs)
        .where(and(eq(tariffs.id, tariffId), eq(tariffs.officeId, officeId)))
        .for('update');
      return row;
    },
    insertTariff: async (values: typeof tariffs.$inferInsert) => {
      const tariff = firstRow(await db.insert(tariffs).values(values).returning(), 'INSERT tariffs RETURNING');
      await bumpPricingVersion(values.officeId);
      return tariff;
    },
    endTariff: async (tariffId: string, validTo: Date) => {
      const tariff = firstRow(
        await db.update(tariffs).set({ validTo }).where(eq(tariffs.id, tariffId)).returning(),
        'UPDATE tariffs RETURNING (row locked by lockTariff)',
      );
      await bumpPricingVersion(tariff.officeId);
      return tariff;
    },
  };
}
