import { eq, inArray } from 'drizzle-orm';
import type { StaffPrincipal } from '../../auth/auth.service.ts';
import { assertOfficeScope } from '../../auth/office-scope.ts';
import type { FinanceConfig } from '../../config/config.ts';
import type { Database } from '../../db/client.ts';
import { courierCompanies } from '../../couriers/couriers.table.ts';
import { offices, type FinanceAccounts } from '../../offices/offices.table.ts';
import { isValidDeliveryDate, addDays, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import type { TextEncodingName } from '../encoding.ts';
import { buildBookingList } from './booking-list.ts';
import { buildCourierInvoice } from './courier-invoice.ts';
import { resolveFinanceAccounts, type ResolvedFinanceAccounts } from './finance-accounts.ts';
import { buildPayoutRange, buildPayoutReport } from './payout-report.ts';
import {
  bookingListCsv,
  bookingListDatev,
  courierInvoiceCsv,
  PAYOUT_TIME_ZONE,
  payoutCsv,
  payoutDatev,
  payoutRangeCsv,
  payoutRangeDatev,
  type ReportFile,
} from './report-files.ts';
import {
  createInvalidReportPeriodError,
  createPayoutsCityWideError,
  createReportCompanyNotFoundError,
  createReportOfficeNotFoundError,
} from './reports.errors.ts';

export type ReportFormat = 'json' | 'csv' | 'datev';

export interface ReportRequest {
  format: ReportFormat;
  /** Default: UTF-8 with BOM for CSV, Windows-1252 for DATEV. */
  encoding?: TextEncodingName;
}

/** A report as JSON (the built report) or as a file to download. */
export type ReportAnswer<R> = { kind: 'json'; report: R } | { kind: 'file'; file: ReportFile };

/** Longest payout range: a quarter, so a range stays one fiscal year's worth at most and a bounded list. */
const MAX_RANGE_DAYS = 92;

/**
 * The finance office's reports: builds each (booking-list.ts, payout-report.ts,
 * courier-invoice.ts) and writes it in the asked format with the office's accounts over the
 * platform's. No report reads recipient contact data: amounts, Kassenzeichen and ids only.
 */
export function createFinanceReports(deps: { db: Database; finance: FinanceConfig; clock: () => Date }) {
  const { db, finance, clock } = deps;

  const fileOptions = (staff: StaffPrincipal, encoding: TextEncodingName) => ({
    encoding,
    createdAt: clock(),
    exportedBy: staff.username,
  });

  async function loadOffice(officeId: string) {
    const [office] = await db
      .select({
        id: offices.id,
        name: offices.name,
        kassenzeichenPrefix: offices.kassenzeichenPrefix,
        timezone: offices.timezone,
        financeAccounts: offices.financeAccounts,
      })
      .from(offices)
      .where(eq(offices.id, officeId));
    if (!office) throw createReportOfficeNotFoundError();
    return office;
  }

  /** Accounts per office for the lines of a report that spans offices (a payout, a company's month). */
  async function accountsByOffice(officeIds: (string | null)[]): Promise<(officeId: string | null) => ResolvedFinanceAccounts> {
    const ids = [...new Set(officeIds.filter((id): id is string => id !== null))];
    const own = new Map<string, FinanceAccounts>();
    if (ids.length > 0) {
      const rows = await db
        .select({ id: offices.id, financeAccounts: offices.financeAccounts })
        .from(offices)
        .where(inArray(offices.id, ids));
      for (const r of rows) own.set(r.id, r.financeAccounts);
    }
    return (officeId) => resolveFinanceAccounts(finance.accounts, officeId === null ? null : own.get(officeId));
  }

  const assertDate = (date: string, name: string) => {
    if (!isValidDeliveryDate(date)) throw createInvalidReportPeriodError(`${name} ${date} is not a calendar date`);
  };

  return {
    /** The daily booking list of an office on an office-local day. */
    async bookingList(q: { officeId: string; date: string } & ReportRequest, staff: StaffPrincipal) {
      assertOfficeScope(staff, q.officeId, 'Finance staff of an office see only its reports');
      assertDate(q.date, 'date');
      const office = await loadOffice(q.officeId);
      const accounts = resolveFinanceAccounts(finance.accounts, office.financeAccounts);
      const report = await buildBookingList(db, { office, date: q.date, accounts });
      if (q.format === 'csv') return { kind: 'file', file: bookingListCsv(report, q.encoding ?? 'utf-8-bom') } as const;
      if (q.format === 'datev')
        return { kind: 'file', file: bookingListDatev(report, finance, fileOptions(staff, q.encoding ?? 'windows-1252')) } as const;
      return { kind: 'json', report } as const;
    },

    /** One payout with the lines it paid out. City-wide: a payout mixes every office's money. */
    async payout(q: { payoutId: string } & ReportRequest, staff: StaffPrincipal) {
      if (staff.officeId !== null) throw createPayoutsCityWideError();
      const report = await buildPayoutReport(db, { payoutId: q.payoutId });
      if (q.format === 'csv') {
        const accountsOf = await accountsByOffice(report.lines.map((l) => l.officeId));
        return { kind: 'file', file: payoutCsv(report, accountsOf, q.encoding ?? 'utf-8-bom') } as const;
      }
      if (q.format === 'datev')
        return { kind: 'file', file: payoutDatev(report, finance, fileOptions(staff, q.encoding ?? 'windows-1252')) } as const;
      return { kind: 'json', report } as const;
    },

    /** Payouts arriving from `from` to `to` (inclusive, city-local dates), each with the sum of its lines. */
    async payoutRange(q: { from: string; to: string } & ReportRequest, staff: StaffPrincipal) {
      if (staff.officeId !== null) throw createPayoutsCityWideError();
      assertDate(q.from, 'from');
      assertDate(q.to, 'to');
      if (q.to < q.from) throw createInvalidReportPeriodError('to is before from');
      if (q.to > addDays(q.from, MAX_RANGE_DAYS - 1))
        throw createInvalidReportPeriodError(`A payout range covers at most ${MAX_RANGE_DAYS} days`);
      const report = await buildPayoutRange(db, {
        from: zonedTimeToUtc(q.from, '00:00', PAYOUT_TIME_ZONE),
        to: zonedTimeToUtc(addDays(q.to, 1), '00:00', PAYOUT_TIME_ZONE),
        fromDate: q.from,
        toDate: q.to,
        timeZone: PAYOUT_TIME_ZONE,
      });
      if (q.format === 'csv') return { kind: 'file', file: payoutRangeCsv(report, q.encoding ?? 'utf-8-bom') } as const;
      if (q.format === 'datev')
        return { kind: 'file', file: payoutRangeDatev(report, finance, fileOptions(staff, q.encoding ?? 'windows-1252')) } as const;
      return { kind: 'json', report } as const;
    },

    /** A courier company's month: what it may invoice. Office staff see only their office's attempts. */
    async courierInvoice(
      q: { companyId: string; month: string; officeId?: string; format: 'json' | 'csv'; encoding?: TextEncodingName },
      staff: StaffPrincipal,
    ) {
      if (q.officeId) assertOfficeScope(staff, q.officeId, 'Finance staff of an office see only its reports');
      const officeId = staff.officeId ?? q.officeId ?? null;
      if (q.officeId) await loadOffice(q.officeId);
      const [company] = await db
        .select({ id: courierCompanies.id, name: courierCompanies.name })
        .from(courierCompanies)
        .where(eq(courierCompanies.id, q.companyId));
      if (!company) throw createReportCompanyNotFoundError();
      const report = await buildCourierInvoice(db, { company, month: q.month, officeId });
      if (q.format === 'csv') {
        const accountsOf = await accountsByOffice(report.lines.map((l) => l.officeId));
        return { kind: 'file', file: courierInvoiceCsv(report, accountsOf, q.encoding ?? 'utf-8-bom') } as const;
      }
      return { kind: 'json', report } as const;
    },
  };
}

export type FinanceReports = ReturnType<typeof createFinanceReports>;
