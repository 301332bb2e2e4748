import { and, asc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { deleteInBatches } from '../db/in-batches.ts';
import { isUniqueViolation } from '../shared/errors.ts';
import { firstRow } from '../shared/required.ts';
import { createRiderUsernameTakenError } from './couriers.errors.ts';
import { courierCompanies } from './couriers.table.ts';
import { courierRiderSessions, courierRiders, type CourierRider } from './riders.table.ts';

export function createRidersRepository(db: DbOrTx) {
  /** Deletes the matching sessions; returns how many. */
  const deleteSessionsWhere = async (where: SQL): Promise<number> =>
    (await db.delete(courierRiderSessions).where(where).returning({ tokenHash: courierRiderSessions.tokenHash })).length;

  return {
    async insertRider(values: { companyId: string; username: string; displayName: string; passwordHash: string }): Promise<CourierRider> {
      try {
        const rows = await db
          .insert(courierRiders)
          .values({ ...values, username: values.username.toLowerCase() })
          .returning();
        return firstRow(rows, 'INSERT courier_riders RETURNING');
      } catch (e) {
        if (isUniqueViolation(e)) throw createRiderUsernameTakenError();
        throw e;
      }
    },

    listOfCompany: (companyId: string) =>
      db.select().from(courierRiders).where(eq(courierRiders.companyId, companyId)).orderBy(asc(courierRiders.username)).limit(1000),

    async findOfCompany(companyId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<CourierRider | undefined> {
      const q = db
        .select()
        .from(courierRiders)
        .where(and(eq(courierRiders.id, id), eq(courierRiders.companyId, companyId)));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async findByUsername(username: string): Promise<CourierRider | undefined> {
      const [row] = await db.select().from(courierRiders).where(eq(courierRiders.username, username.toLowerCase()));
      return row;
    },

    async setActive(id: string, active: boolean): Promise<CourierRider> {
      return firstRow(await db.update(courierRiders).set({ active }).where(eq(courierRiders.id, id)).returning(), 'UPDATE courier_riders');
    },

    async insertSession(values: { tokenHash: string; riderId: string; expiresAt: Date }, now: Date) {
      await db.insert(courierRiderSessions).values({ ...values, createdAt: now });
      await db.update(courierRiders).set({ lastSignInAt: now }).where(eq(courierRiders.id, values.riderId));
    },

    /** The session's rider and company, while the session lasts, the rider is active and the company not suspended. */
    async findActiveSession(tokenHash: string, now: Date) {
      const [row] = await db
        .select({ rider: courierRiders, company: courierCompanies })
        .from(courierRiderSessions)
        .innerJoin(courierRiders, eq(courierRiders.id, courierRiderSessions.riderId))
        .innerJoin(courierCompanies, eq(courierCompanies.id, courierRiders.companyId))
        .where(
          and(
            eq(courierRiderSessions.tokenHash, tokenHash),
            gt(courierRiderSessions.expiresAt, now),
            eq(courierRiders.active, true),
            eq(courierCompanies.status, 'active'),
          ),
        );
      return row;
    },

    deleteSession: (tokenHash: string) => db.delete(courierRiderSessions).where(eq(courierRiderSessions.tokenHash, tokenHash)),

    deleteSessionsOf: (riderId: string) => deleteSessionsWhere(eq(courierRiderSessions.riderId, riderId)),

    /** Sessions that expired before `before`, of every rider (housekeeping: also riders who never sign in again). */
    purgeSessionsExpiredBefore: (before: Date) => deleteInBatches(db, courierRiderSessions, lt(courierRiderSessions.expiresAt, before)),

    /** A rider's expired sessions go at their next sign-in, so the table holds no more than a few per rider. */
    deleteExpiredSessionsOf: (riderId: string, now: Date) =>
      db.delete(courierRiderSessions).where(and(eq(courierRiderSessions.riderId, riderId), lt(courierRiderSessions.expiresAt, now))),
  };
}
