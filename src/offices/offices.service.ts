import type { MultiPolygon, Polygon } from 'geojson';
import type { Database } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import { isUniqueViolation } from '../shared/errors.ts';
import {
  createOfficeNotFoundError,
  createInvalidDeliveryHoursError,
  createOfficeSlugTakenError,
  createTariffExtensionError,
  createTariffInvalidPeriodError,
  createTariffNotFoundError,
  createTariffOverlapsError,
  createTariffVehicleNotInZoneError,
  createZoneNotFoundError,
} from './offices.errors.ts';
import { createOfficesRepository } from './offices.repository.ts';
import type { GermanState, PaymentIssueHandling, RefundPolicy, VehicleType, WeeklyHours } from './offices.table.ts';
import { toRefundRules, type RefundRulesInput } from './refund-rules.ts';
import { validateZoneGeometry } from './zone-geometry.ts';
import { weeklyHoursProblem } from './delivery-hours.ts';

/** Offices, their service zones and tariffs: what admins and supervisors manage. */
export function createOfficesService(deps: { db: Database; clock: () => Date }) {
  const { db } = deps;

  async function officeFor(officeId: string, staff: StaffPrincipal) {
    const office = await createOfficesRepository(db).findById(officeId);
    if (!office || !canActForOffice(staff, officeId)) throw createOfficeNotFoundError();
    return office;
  }

  return {
    async createOffice(
      input: {
        slug: string;
        name: string;
        addressLine: string;
        location: [number, number];
        kassenzeichenPrefix: string;
        refundPolicy: RefundPolicy;
        cancellationFeeCents: number;
        deliveryAttemptLimit: number;
        state: GermanState;
        postalCodes: string[];
        deliveryHours?: WeeklyHours;
        paymentIssueHandling?: PaymentIssueHandling;
        refundRules?: RefundRulesInput;
      },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      const hoursProblem = input.deliveryHours ? weeklyHoursProblem(input.deliveryHours) : null;
      if (hoursProblem) throw createInvalidDeliveryHoursError(hoursProblem);
      return db.transaction(async (tx) => {
        const office = await createOfficesRepository(tx)
          .insertOffice({
            ...input,
            postalCodes: [...new Set(input.postalCodes)].sort(),
            refundRules: input.refundRules ? toRefundRules(input.refundRules) : undefined,
          })
          .catch((e: unknown) => {
            if (isUniqueViolation(e)) throw createOfficeSlugTakenError();
            throw e;
          });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'office.created',
          subjectType: 'office',
          subjectId: office.id,
          officeId: office.id,
          requestId,
        });
        return office;
      });
    },

    async listZones(officeId: string, staff: StaffPrincipal) {
      await officeFor(officeId, staff);
      return createOfficesRepository(db).zonesOf(officeId);
    },

    async createZone(
      officeId: string,
      input: { name: string; geometry: Polygon | MultiPolygon; vehicleTypes: VehicleType[] },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      await officeFor(officeId, staff);
      validateZoneGeometry(input.geometry);
      return db.transaction(async (tx) => {
        const zone = await createOfficesRepository(tx).insertZone({
          officeId,
          name: input.name,
          geometry: input.geometry,
          vehicleTypes: [...new Set(input.vehicleTypes)],
        });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'zone.created',
          subjectType: 'service_zone',
          subjectId: zone.id,
          officeId,
          requestId,
        });
        return zone;
      });
    },

    async setZoneActive(officeId: string, zoneId: string, active: boolean, staff: StaffPrincipal, requestId?: string) {
      await officeFor(officeId, staff);
      return db.transaction(async (tx) => {
        const zone = await createOfficesRepository(tx).setZoneActive(officeId, zoneId, active);
        if (!zone) throw createZoneNotFoundError();
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: active ? 'zone.activated' : 'zone.deactivated',
          subjectType: 'service_zone',
          subjectId: zone.id,
          officeId,
          requestId,
        });
        return zone;
      });
    },

    async listTariffs(officeId: string, staff: StaffPrincipal) {
      await officeFor(officeId, staff);
      return createOfficesRepository(db).tariffsOf(officeId);
    },

    async createTariff(
      officeId: string,
      input: { zoneId: string; vehicleType: VehicleType; amountCents: number; validFrom: Date; validTo: Date | null },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      await officeFor(officeId, staff);
      if (input.validTo && input.validTo <= input.validFrom) throw createTariffInvalidPeriodError();
      return db.transaction(async (tx) => {
        const repo = createOfficesRepository(tx);
        const zone = await repo.lockZone(officeId, input.zoneId);
        if (!zone) throw createZoneNotFoundError();
        if (!zone.vehicleTypes.includes(input.vehicleType)) throw createTariffVehicleNotInZoneError(input.vehicleType);
        // Two prices for one zone and vehicle at the same moment would make quotes arbitrary.
        // The zone row lock above serialises concurrent tariff changes for the zone.
        const overlapping = await repo.overlappingTariffs(input);
        if (overlapping.length > 0) throw createTariffOverlapsError();
        const tariff = await repo.insertTariff({
          officeId,
          zoneId: input.zoneId,
          vehicleType: input.vehicleType,
          amountCents: input.amountCents,
          validFrom: input.validFrom,
          validTo: input.validTo,
        });
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'tariff.created',
          subjectType: 'tariff',
          subjectId: tariff.id,
          officeId,
          requestId,
          details: { amountCents: tariff.amountCents },
        });
        return tariff;
      });
    },

    async endTariff(officeId: string, tariffId: string, validTo: Date, staff: StaffPrincipal, requestId?: string) {
      await officeFor(officeId, staff);
      return db.transaction(async (tx) => {
        const repo = createOfficesRepository(tx);
        const current = await repo.lockTariff(officeId, tariffId);
        if (!current) throw createTariffNotFoundError();
        if (validTo <= current.validFrom) throw createTariffInvalidPeriodError();
        if (current.validTo && current.validTo <= validTo) throw createTariffExtensionError();
        const tariff = await repo.endTariff(tariffId, validTo);
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'tariff.ended',
          subjectType: 'tariff',
          subjectId: tariffId,
          officeId,
          requestId,
          details: { validTo: validTo.toISOString() },
        });
        return tariff;
      });
    },
  };
}

export type OfficesService = ReturnType<typeof createOfficesService>;
