import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import type { Database } from '../db/client.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { VehicleType } from '../offices/offices.table.ts';
import { generateToken, hashToken } from '../shared/tokens.ts';
import { createCourierCompanyNotFoundError, createUnknownZonesError, createWebhookUrlNotAllowedError } from './couriers.errors.ts';
import { createCouriersRepository } from './couriers.repository.ts';
import type { CourierCompany, CourierCompanyStatus } from './couriers.table.ts';
import { generateSigningSecret } from './webhook-signature.ts';

export interface CourierCompanyInput {
  name: string;
  vehicleTypes: VehicleType[];
  zoneIds: string[];
  pricePerDeliveryCents: number;
  pricePerFailedAttemptCents: number;
  contact: { name: string; email: string; phone?: string };
  webhookUrl?: string | null;
}

/** API keys of courier companies start like this, so the access layer tells them from staff tokens. */
export const COURIER_KEY_PREFIX = 'ab_courier';

/** How long the previous signing secret keeps signing after a rotation, unless the admin says otherwise. */
export const DEFAULT_SECRET_OVERLAP_HOURS = 24;

/**
 * The registry of courier companies (admin work): contracts, API keys (shown once, stored hashed)
 * and Standard Webhooks signing secrets (shown once, rotated with an overlap).
 */
export function createCouriersService(deps: {
  db: Database;
  clock: () => Date;
  /** The outbound webhooks' URL policy (https in production, no private addresses); none: any http(s) URL. */
  webhookUrlProblem?: (url: string) => string | null;
}) {
  const { db } = deps;

  const assertWebhookUrlAllowed = (url: string | null | undefined) => {
    const problem = url ? deps.webhookUrlProblem?.(url) : null;
    if (problem) throw createWebhookUrlNotAllowedError(problem);
  };

  async function assertZonesExist(zoneIds: string[]) {
    const unique = [...new Set(zoneIds)];
    const found = new Set((await createOfficesRepository(db).zonesByIds(unique)).map((z) => z.id));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) throw createUnknownZonesError(missing);
    return unique;
  }

  const newKey = () => {
    const key = generateToken(COURIER_KEY_PREFIX);
    return { key, keyHash: hashToken(key), prefix: key.slice(0, 18) };
  };

  const audit = (staff: StaffPrincipal, action: string, companyId: string, requestId?: string, details: Record<string, unknown> = {}) =>
    recordAudit(db, {
      actorType: 'staff',
      actorId: staff.id,
      action,
      subjectType: 'courier_company',
      subjectId: companyId,
      requestId,
      details,
    });

  return {
    /** Registers a company; its API key and signing secret are in the answer and never again. */
    async createCompany(input: CourierCompanyInput, staff: StaffPrincipal, requestId?: string) {
      assertWebhookUrlAllowed(input.webhookUrl);
      const zoneIds = await assertZonesExist(input.zoneIds);
      const { key, keyHash, prefix } = newKey();
      const secret = generateSigningSecret();
      const company = await db.transaction(async (tx) => {
        const repo = createCouriersRepository(tx);
        const created = await repo.insertCompany({
          name: input.name,
          vehicleTypes: [...new Set(input.vehicleTypes)],
          zoneIds,
          pricePerDeliveryCents: input.pricePerDeliveryCents,
          pricePerFailedAttemptCents: input.pricePerFailedAttemptCents,
          contactName: input.contact.name,
          contactEmail: input.contact.email,
          contactPhone: input.contact.phone ?? null,
          webhookUrl: input.webhookUrl ?? null,
        });
        await repo.insertApiKey({ companyId: created.id, keyHash, prefix });
        await repo.insertSigningSecret({ companyId: created.id, secret });
        return created;
      });
      await audit(staff, 'courier_company.created', company.id, requestId);
      return { company, apiKey: key, signingSecret: secret };
    },

    listCompanies: () => createCouriersRepository(db).listCompanies(),

    async getCompany(id: string) {
      const repo = createCouriersRepository(db);
      const company = await repo.findCompany(id);
      if (!company) throw createCourierCompanyNotFoundError();
      return { company, keys: await repo.liveKeyPrefixes(id) };
    },

    async updateCompany(
      id: string,
      input: Partial<Omit<CourierCompanyInput, 'contact'>> & { contact?: CourierCompanyInput['contact']; status?: CourierCompanyStatus },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      assertWebhookUrlAllowed(input.webhookUrl);
      const zoneIds = input.zoneIds ? await assertZonesExist(input.zoneIds) : undefined;
      const updated = await createCouriersRepository(db).updateCompany(id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.vehicleTypes ? { vehicleTypes: [...new Set(input.vehicleTypes)] } : {}),
        ...(zoneIds ? { zoneIds } : {}),
        ...(input.pricePerDeliveryCents !== undefined ? { pricePerDeliveryCents: input.pricePerDeliveryCents } : {}),
        ...(input.pricePerFailedAttemptCents !== undefined ? { pricePerFailedAttemptCents: input.pricePerFailedAttemptCents } : {}),
        ...(input.contact
          ? { contactName: input.contact.name, contactEmail: input.contact.email, contactPhone: input.contact.phone ?? null }
          : {}),
        // Setting the URL (again) also re-opens an endpoint a 410 disabled: its waiting events go out.
        ...(input.webhookUrl !== undefined ? { webhookUrl: input.webhookUrl, webhookDisabledAt: null, webhookDisabledReason: null } : {}),
        ...(input.status ? { status: input.status } : {}),
      });
      if (!updated) throw createCourierCompanyNotFoundError();
      await audit(staff, 'courier_company.updated', id, requestId, { fields: Object.keys(input).sort() });
      return updated;
    },

    /** A new API key; every earlier one stops working at once (a leaked key is why one rotates). */
    async rotateApiKey(id: string, staff: StaffPrincipal, requestId?: string) {
      const { key, keyHash, prefix } = newKey();
      await db.transaction(async (tx) => {
        const repo = createCouriersRepository(tx);
        if (!(await repo.findCompany(id, { forUpdate: true }))) throw createCourierCompanyNotFoundError();
        await repo.revokeApiKeys(id, deps.clock());
        await repo.insertApiKey({ companyId: id, keyHash, prefix });
      });
      await audit(staff, 'courier_company.api_key_rotated', id, requestId);
      return { apiKey: key };
    },

    /**
     * A new signing secret; the ones signing now keep signing for `overlapHours` (0: stop at once),
     * so every event in between carries both signatures and the company can switch at leisure.
     */
    async rotateSigningSecret(id: string, overlapHours: number, staff: StaffPrincipal, requestId?: string) {
      const secret = generateSigningSecret();
      const now = deps.clock();
      const retiresAt = new Date(now.getTime() + overlapHours * 3_600_000);
      await db.transaction(async (tx) => {
        const repo = createCouriersRepository(tx);
        if (!(await repo.findCompany(id, { forUpdate: true }))) throw createCourierCompanyNotFoundError();
        await repo.retireSigningSecrets(id, retiresAt, now);
        await repo.insertSigningSecret({ companyId: id, secret });
      });
      await audit(staff, 'courier_company.signing_secret_rotated', id, requestId, { overlapHours });
      return { signingSecret: secret, previousSecretsRetireAt: retiresAt };
    },

    /** The secrets that sign an event now (newest first). */
    /** A company that may act (not suspended), for the signed inbound webhook. */
    findActiveCompany: async (id: string) => {
      const company = await createCouriersRepository(db).findCompany(id);
      return company?.status === 'active' ? company : undefined;
    },

    signingSecrets: async (id: string) => (await createCouriersRepository(db).signingSecrets(id, deps.clock())).map((s) => s.secret),

    /** The company a presented API key belongs to, if the key is live and the company active. */
    authenticate: (apiKey: string): Promise<CourierCompany | undefined> => createCouriersRepository(db).companyByKeyHash(hashToken(apiKey)),
  };
}

export type CouriersService = ReturnType<typeof createCouriersService>;
