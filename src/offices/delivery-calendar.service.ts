import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import type { Database, DbOrTx } from '../db/client.ts';
import {
  createClosureNotFoundError,
  createInvalidDeliveryHoursError,
  createInvalidOfficeDateError,
  createOfficeNotFoundError,
} from './offices.errors.ts';
import { addDays, isValidDeliveryDate, localDate } from '../shared/zoned-time.ts';
import { offeredDays, weeklyHoursProblem, type DeliveryCalendar } from './delivery-hours.ts';
import { createOfficeCalendarRepository } from './office-calendar.repository.ts';
import { createOfficesRepository } from './offices.repository.ts';
import type { GermanState, Office, PaymentIssueHandling, WeeklyHours } from './offices.table.ts';
import { toRefundRules, type RefundRulesInput } from './refund-rules.ts';

/** How far ahead windows may be chosen (ID documents take weeks to arrive from Bundesdruckerei). */
export const BOOKING_HORIZON_DAYS = 120;

/** The calendar of an office for the dates `fromDate`…`toDate` (closures loaded for that range). */
export async function loadDeliveryCalendar(db: DbOrTx, office: Office, fromDate: string, toDate: string): Promise<DeliveryCalendar> {
  return deliveryCalendarOf(office, await createOfficeCalendarRepository(db).closuresBetween(office.id, fromDate, toDate));
}

/** The calendar from an office row and closing days read elsewhere (at least those of the days asked about). */
export function deliveryCalendarOf(office: Office, closures: readonly { date: string; reason: string }[]): DeliveryCalendar {
  return {
    timeZone: office.timezone,
    state: office.state,
    hours: office.deliveryHours,
    closures: new Map(closures.map((c) => [c.date, c.reason])),
  };
}

/** Delivery hours, closing days and the slots they offer; settings a city's admin keeps. */
export function createDeliveryCalendarService(deps: { db: Database; clock: () => Date }) {
  const { db } = deps;

  async function officeFor(officeId: string, staff: StaffPrincipal | null) {
    const office = await createOfficesRepository(db).findById(officeId);
    if (!office || (staff && !canActForOffice(staff, officeId))) throw createOfficeNotFoundError();
    return office;
  }

  return {
    /** The days from `fromDate` (default tomorrow, office time) with the spans offered on each. */
    async deliverySlots(officeId: string, opts: { fromDate?: string; days: number }) {
      const office = await officeFor(officeId, null);
      const today = localDate(deps.clock(), office.timezone);
      const fromDate = opts.fromDate ?? addDays(today, 1);
      if (!isValidDeliveryDate(fromDate)) throw createInvalidOfficeDateError('from must be a calendar date YYYY-MM-DD');
      if (fromDate < today || fromDate > addDays(today, BOOKING_HORIZON_DAYS)) {
        throw createInvalidOfficeDateError(`from must lie between ${today} and ${addDays(today, BOOKING_HORIZON_DAYS)}`);
      }
      const toDate = addDays(fromDate, opts.days - 1);
      const cal = await loadDeliveryCalendar(db, office, fromDate, toDate);
      return { office, calendar: cal, days: offeredDays(fromDate, opts.days, cal) };
    },

    async listClosures(officeId: string, staff: StaffPrincipal) {
      const office = await officeFor(officeId, staff);
      const today = localDate(deps.clock(), office.timezone);
      return createOfficeCalendarRepository(db).closuresBetween(officeId, addDays(today, -31), addDays(today, 3 * 366));
    },

    async addClosure(officeId: string, input: { date: string; reason: string }, staff: StaffPrincipal, requestId?: string) {
      await officeFor(officeId, staff);
      if (!isValidDeliveryDate(input.date)) throw createInvalidOfficeDateError('date must be a calendar date YYYY-MM-DD');
      return db.transaction(async (tx) => {
        const { added, closure } = await createOfficeCalendarRepository(tx).addClosure({
          officeId,
          date: input.date,
          reason: input.reason,
        });
        if (added) {
          await recordAudit(tx, {
            actorType: 'staff',
            actorId: staff.id,
            action: 'office.closure_added',
            subjectType: 'office',
            subjectId: officeId,
            officeId,
            requestId,
            details: { date: input.date },
          });
        }
        return { added, closure };
      });
    },

    async removeClosure(officeId: string, date: string, staff: StaffPrincipal, requestId?: string) {
      await officeFor(officeId, staff);
      if (!isValidDeliveryDate(date)) throw createInvalidOfficeDateError('date must be a calendar date YYYY-MM-DD');
      return db.transaction(async (tx) => {
        const removed = await createOfficeCalendarRepository(tx).removeClosure(officeId, date);
        if (!removed) throw createClosureNotFoundError(date);
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'office.closure_removed',
          subjectType: 'office',
          subjectId: officeId,
          officeId,
          requestId,
          details: { date },
        });
      });
    },

    async updateSettings(
      officeId: string,
      input: {
        state?: GermanState;
        deliveryHours?: WeeklyHours;
        postalCodes?: string[];
        paymentIssueHandling?: PaymentIssueHandling;
        refundRules?: RefundRulesInput;
      },
      staff: StaffPrincipal,
      requestId?: string,
    ) {
      await officeFor(officeId, staff);
      if (input.deliveryHours) {
        const problem = weeklyHoursProblem(input.deliveryHours);
        if (problem) throw createInvalidDeliveryHoursError(problem);
      }
      const { refundRules, ...rest } = input;
      const values = {
        ...rest,
        ...(input.postalCodes ? { postalCodes: [...new Set(input.postalCodes)].sort() } : {}),
        ...(refundRules ? { refundRules: toRefundRules(refundRules) } : {}),
      };
      return db.transaction(async (tx) => {
        const office = await createOfficeCalendarRepository(tx).updateSettings(officeId, values);
        if (!office) throw createOfficeNotFoundError();
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'office.settings_updated',
          subjectType: 'office',
          subjectId: officeId,
          officeId,
          requestId,
          details: { fields: Object.keys(input).sort() },
        });
        return office;
      });
    },
  };
}

export type DeliveryCalendarService = ReturnType<typeof createDeliveryCalendarService>;
