import type { Database } from '../db/client.ts';
import { generateToken, hashToken } from '../shared/tokens.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { createInvalidCredentialsError, createStaffOfficeRequiredError, createWeakPasswordError } from './auth.errors.ts';
import { createAuthRepository } from './auth.repository.ts';
import type { StaffRole, StaffUser } from './auth.table.ts';
import { DUMMY_HASH, hashPassword, PASSWORD_POLICY, verifyPassword } from './password.ts';

export interface StaffPrincipal {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
  officeId: string | null;
}

export const toPrincipal = (u: StaffUser): StaffPrincipal => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  roles: u.roles,
  officeId: u.officeId,
});

export function createAuthService(deps: { db: Database; clock: () => Date; sessionHours: number }) {
  const repo = createAuthRepository(deps.db);

  return {
    async signIn(input: { username: string; password: string; requestId?: string }) {
      const user = await repo.findUserByUsername(input.username);
      // Verify even for unknown users so that response time does not tell which usernames exist.
      const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || !user.active) {
        await recordAudit(deps.db, {
          actorType: 'staff',
          actorId: user?.id ?? null,
          action: 'staff.sign_in_failed',
          subjectType: 'staff_user',
          subjectId: user?.id ?? 'unknown',
          requestId: input.requestId,
        });
        throw createInvalidCredentialsError();
      }
      const token = generateToken('ab_staff');
      const expiresAt = new Date(deps.clock().getTime() + deps.sessionHours * 3_600_000);
      await repo.insertSession({ staffUserId: user.id, tokenHash: hashToken(token), expiresAt });
      await recordAudit(deps.db, {
        actorType: 'staff',
        actorId: user.id,
        action: 'staff.signed_in',
        subjectType: 'staff_user',
        subjectId: user.id,
        officeId: user.officeId,
        requestId: input.requestId,
      });
      return { token, expiresAt, staff: toPrincipal(user) };
    },

    async authenticate(token: string): Promise<StaffPrincipal | null> {
      const found = await repo.findActiveSession(hashToken(token), deps.clock());
      return found ? toPrincipal(found.user) : null;
    },

    signOut: (token: string) => repo.revokeSession(hashToken(token), deps.clock()),

    async createStaffUser(input: {
      username: string;
      displayName: string;
      password: string;
      roles: StaffRole[];
      officeId: string | null;
      actorId: string | null;
      requestId?: string;
    }) {
      validatePassword(input.password);
      if (input.roles.some((r) => r === 'clerk' || r === 'supervisor') && !input.officeId) {
        throw createStaffOfficeRequiredError();
      }
      const passwordHash = await hashPassword(input.password);
      return deps.db.transaction(async (tx) => {
        const user = await createAuthRepository(tx).insertUser({
          username: input.username,
          displayName: input.displayName,
          passwordHash,
          roles: [...new Set(input.roles)],
          officeId: input.officeId,
        });
        await recordAudit(tx, {
          actorType: input.actorId ? 'staff' : 'system',
          actorId: input.actorId,
          action: 'staff.created',
          subjectType: 'staff_user',
          subjectId: user.id,
          officeId: user.officeId,
          requestId: input.requestId,
          details: { roles: user.roles },
        });
        return toPrincipal(user);
      });
    },

    listStaffUsers: async () => (await repo.listUsers()).map((u) => ({ ...toPrincipal(u), active: u.active })),
    countAdmins: () => repo.countAdmins(),
  };
}

export function validatePassword(password: string) {
  if (password.length < PASSWORD_POLICY.minLength || password.length > PASSWORD_POLICY.maxLength) {
    throw createWeakPasswordError(PASSWORD_POLICY);
  }
}

export type AuthService = ReturnType<typeof createAuthService>;
