import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { deleteInBatches } from '../db/in-batches.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../shared/errors.ts';
import { firstRow } from '../shared/required.ts';
import { createStaffOfficeUnknownError, createStaffUsernameTakenError } from './auth.errors.ts';
import { staffSessions, staffUsers, type StaffRole, type StaffUser } from './auth.table.ts';

export function createAuthRepository(db: DbOrTx) {
  return {
    async findUserByUsername(username: string): Promise<StaffUser | undefined> {
      const [row] = await db.select().from(staffUsers).where(eq(staffUsers.username, username.toLowerCase()));
      return row;
    },

    async insertUser(input: { username: string; displayName: string; passwordHash: string; roles: StaffRole[]; officeId: string | null }) {
      try {
        const rows = await db
          .insert(staffUsers)
          .values({ ...input, username: input.username.toLowerCase() })
          .returning();
        return firstRow(rows, 'INSERT staff_users RETURNING');
      } catch (e) {
        if (isUniqueViolation(e)) throw createStaffUsernameTakenError();
        if (isForeignKeyViolation(e)) throw createStaffOfficeUnknownError();
        throw e;
      }
    },

    listUsers: () => db.select().from(staffUsers).orderBy(staffUsers.username),

    countAdmins: async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(staffUsers)
        .where(sql`'admin' = any(${staffUsers.roles}) and ${staffUsers.active}`);
      return row?.n ?? 0;
    },

    async insertSession(input: { staffUserId: string; tokenHash: string; expiresAt: Date }) {
      await db.insert(staffSessions).values(input);
      await db
        .update(staffUsers)
        .set({ lastLoginAt: sql`now()` })
        .where(eq(staffUsers.id, input.staffUserId));
    },

    async findActiveSession(tokenHash: string, now: Date) {
      const [row] = await db
        .select({ session: staffSessions, user: staffUsers })
        .from(staffSessions)
        .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffUserId))
        .where(
          and(
            eq(staffSessions.tokenHash, tokenHash),
            isNull(staffSessions.revokedAt),
            gt(staffSessions.expiresAt, now),
            eq(staffUsers.active, true),
          ),
        );
      return row;
    },

    revokeSession: (tokenHash: string, now: Date) =>
      db.update(staffSessions).set({ revokedAt: now }).where(eq(staffSessions.tokenHash, tokenHash)),

    /** Deletes sessions that expired before `before`; returns how many. */
    purgeSessionsExpiredBefore: (before: Date): Promise<number> => deleteInBatches(db, staffSessions, lt(staffSessions.expiresAt, before)),
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
