import { recordAudit } from '../audit/audit.repository.ts';
import { createInvalidCredentialsError } from '../auth/auth.errors.ts';
import { DUMMY_HASH, hashPassword, PASSWORD_POLICY, verifyPassword } from '../auth/password.ts';
import type { Database } from '../db/client.ts';
import { generateToken, hashToken } from '../shared/tokens.ts';
import { createRiderNotFoundError, createRiderWeakPasswordError } from './couriers.errors.ts';
import { createCouriersRepository } from './couriers.repository.ts';
import type { CourierCompany } from './couriers.table.ts';
import { createRidersRepository } from './riders.repository.ts';
import type { CourierRider } from './riders.table.ts';

/** Rider session tokens start like this, so a leaked one is recognisable as what it is. */
export const RIDER_TOKEN_PREFIX = 'ab_rider';

/** A delivery day and its return trip: a rider signs in again the next morning. */
export const RIDER_SESSION_HOURS = 14;

/** Who is signed in on the rider app: the rider, and the company whose routes they drive. */
export interface RiderPrincipal {
  rider: CourierRider;
  company: CourierCompany;
}

/**
 * The rider accounts of courier companies without a system of their own (the app under /kurier).
 * Passwords follow the staff policy and hashing; sessions are opaque tokens of which only the
 * SHA-256 is stored. A company reaches only its own riders: another company's is not found.
 */
export function createRidersService(deps: { db: Database; clock: () => Date; sessionHours: number }) {
  const { db, clock } = deps;

  // The company acts (creates, deactivates); a rider's own sign-in is recorded under the company too.
  const audit = (companyId: string, action: string, riderId: string, requestId?: string) =>
    recordAudit(db, {
      actorType: 'courier',
      actorId: companyId,
      action,
      subjectType: 'courier_rider',
      subjectId: riderId,
      requestId,
    });

  return {
    async createRider(company: CourierCompany, input: { username: string; displayName: string; password: string }, requestId?: string) {
      if (input.password.length < PASSWORD_POLICY.minLength || input.password.length > PASSWORD_POLICY.maxLength) {
        throw createRiderWeakPasswordError(PASSWORD_POLICY);
      }
      const passwordHash = await hashPassword(input.password);
      const rider = await createRidersRepository(db).insertRider({
        companyId: company.id,
        username: input.username,
        displayName: input.displayName,
        passwordHash,
      });
      await audit(company.id, 'courier_rider.created', rider.id, requestId);
      return rider;
    },

    listRiders: (company: CourierCompany) => createRidersRepository(db).listOfCompany(company.id),

    /** Deactivates a rider of the company; their sessions end at once (a lost phone is why one does it). */
    async deactivateRider(company: CourierCompany, riderId: string, requestId?: string) {
      const rider = await db.transaction(async (tx) => {
        const repo = createRidersRepository(tx);
        if (!(await repo.findOfCompany(company.id, riderId, { forUpdate: true }))) throw createRiderNotFoundError();
        const updated = await repo.setActive(riderId, false);
        await repo.deleteSessionsOf(riderId);
        return updated;
      });
      await audit(company.id, 'courier_rider.deactivated', rider.id, requestId);
      return rider;
    },

    async signIn(input: { username: string; password: string; requestId?: string }) {
      const repo = createRidersRepository(db);
      const rider = await repo.findByUsername(input.username);
      // Verified even for an unknown username, so the answer's timing does not tell which exist.
      const ok = await verifyPassword(input.password, rider?.passwordHash ?? DUMMY_HASH);
      const principal = rider && ok && rider.active ? await companyIfActive(rider) : undefined;
      if (!rider || !principal) {
        if (rider) await audit(rider.companyId, 'courier_rider.sign_in_failed', rider.id, input.requestId);
        throw createInvalidCredentialsError();
      }
      const now = clock();
      const token = generateToken(RIDER_TOKEN_PREFIX);
      const expiresAt = new Date(now.getTime() + deps.sessionHours * 3_600_000);
      await repo.deleteExpiredSessionsOf(rider.id, now);
      await repo.insertSession({ tokenHash: hashToken(token), riderId: rider.id, expiresAt }, now);
      await audit(principal.company.id, 'courier_rider.signed_in', rider.id, input.requestId);
      return { token, expiresAt, rider };
    },

    /** The rider and company of a session token, or null once it expired, was ended, or either was deactivated. */
    async authenticate(token: string): Promise<RiderPrincipal | null> {
      if (!token.startsWith(`${RIDER_TOKEN_PREFIX}_`) || token.length > 200) return null;
      return (await createRidersRepository(db).findActiveSession(hashToken(token), clock())) ?? null;
    },

    signOut: async (token: string) => {
      await createRidersRepository(db).deleteSession(hashToken(token));
    },
  };

  /** A suspended company's riders cannot sign in: its key opens nothing, and neither does their password. */
  async function companyIfActive(rider: CourierRider): Promise<RiderPrincipal | undefined> {
    const company = await createCouriersRepository(db).findCompany(rider.companyId);
    return company?.status === 'active' ? { rider, company } : undefined;
  }
}

export type RidersService = ReturnType<typeof createRidersService>;
