import { sendReportFile } from '../../finance/reports.routes.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RECONCILIATION_DAYS } from '../../jobs/queue-config.ts';
import {
  DISCREPANCY_STATUSES,
  RECONCILIATION_KINDS,
  type ReconciliationDiscrepancyStatus,
  type ReconciliationKind,
} from '../../finance/reconciliation.table.ts';
import { startReconciliationRun } from '../../finance/start-reconciliation-run.ts';
import type { ReportAnswer } from '../../finance/reports/reports.service.ts';
import { PAYOUT_TIME_ZONE } from '../../finance/reports/report-files.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { addDays, isValidDeliveryDate, localDate, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import { formatters, translator, type MessageKey, type Translate } from '../i18n.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Query = Record<string, unknown>;
type Body = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const PAGE_SIZE = 50;

const text = formText;
/** The run totals the console names in words (kind_* counts use the discrepancy kinds' names). */
const TOTAL_KEYS = new Set([
  'chargeLines',
  'chargesMatched',
  'paidBookings',
  'refundBookings',
  'refundsMatched',
  'payouts',
  'payoutsMatched',
  'paidOutCents',
  'disputesWithheldCents',
  'chargedCents',
  'refundedCents',
  'disputedCents',
  'feesCents',
  'discrepancies',
  'newDiscrepancies',
  'reopenedDiscrepancies',
  'changedDiscrepancies',
  'clearedDiscrepancies',
  'importedLines',
  'importedPayouts',
]);
export function totalLabel(t: Translate, key: string): string {
  const kind = key.startsWith('kind_') ? key.slice(5) : null;
  if (kind && (RECONCILIATION_KINDS as readonly string[]).includes(kind)) return t(`fin.disc.kind.${kind}` as MessageKey);
  return TOTAL_KEYS.has(key) ? t(`fin.total.${key}` as MessageKey) : key;
}
const oneOf = <T extends string>(all: readonly T[], v: unknown): T | undefined =>
  typeof v === 'string' && (all as readonly string[]).includes(v) ? (v as T) : undefined;
const cursorOf = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(v) ? v : undefined);
const isDate = (v: string) => DATE.test(v) && isValidDeliveryDate(v);

/**
 * The finance office's console: reconciliation runs (start one, watch its progress and totals),
 * the discrepancies they keep (filter, read the facts, resolve with a comment) and the three
 * reports on screen with their downloads. Every operation is the API's service function.
 */
export async function financeConsoleRoutes(app: App, deps: StaffConsoleDeps & { sandbox: boolean }) {
  const finance = requireStaff(deps.auth, deps, ['finance']);
  const svc = deps.runs.reconciliation;
  const page = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) =>
    staffView(request, reply, deps, template, { section: 'finance', ...data }, status);
  const staffOf = signedInStaff;

  const overview = async (request: FastifyRequest, reply: FastifyReply, form: Record<string, unknown>, status = 200) => {
    const q = request.query as Query;
    const runs = await svc.listRuns({ cursor: cursorOf(q.cursor), limit: 20 });
    return page(
      request,
      reply,
      'staff/finance-overview.eta',
      { title: 'fin.title', runs: runs.data, nextCursor: runs.nextCursor, days: RECONCILIATION_DAYS, form, errors: {}, ...form },
      status,
    );
  };

  app.get('/amt/finanzen', { schema: { hide: true }, preHandler: finance }, async (request, reply) =>
    overview(request, reply, { form: { importLedger: true } }),
  );

  app.post<{ Body: Body }>(
    '/amt/finanzen/abgleich',
    { schema: { hide: true }, preHandler: [finance, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const from = text(body.from, 10);
      const to = text(body.to, 10);
      const form = { from, to, importLedger: body.importLedger === 'on' };
      const errors = {
        ...(from && !isDate(from) ? { from: { key: 'fin.start.date' } } : {}),
        ...(to && !isDate(to) ? { to: { key: 'fin.start.date' } } : {}),
      };
      if (Object.keys(errors).length > 0) return overview(request, reply, { form, errors }, 422);
      const now = deps.runs.clock();
      // Office days (Europe/Berlin); a last day of today ends now, not at midnight to come.
      const toInstant = to ? zonedTimeToUtc(addDays(to, 1), '00:00', PAYOUT_TIME_ZONE) : undefined;
      try {
        const { run } = await startReconciliationRun(deps.runs, {
          from: from ? zonedTimeToUtc(from, '00:00', PAYOUT_TIME_ZONE) : undefined,
          to: toInstant && toInstant > now ? now : toInstant,
          importLedger: form.importLedger,
          requestedBy: staffOf(request).id,
        });
        return await reply.redirect(`/amt/finanzen/abgleich/${run.id}`, 303);
      } catch (err) {
        if (err instanceof AppError && err.status === 400) return overview(request, reply, { form, problemKey: 'fin.start.invalid' }, 422);
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/amt/finanzen/abgleich/:id',
    { schema: { hide: true }, preHandler: finance },
    async (request, reply) => {
      if (!UUID.test(request.params.id)) throw pageNotFound();
      const run = await svc.getRun(request.params.id);
      const t = translator(request.locale);
      return page(request, reply, 'staff/finance-run.eta', { title: 'fin.run.title', run, totalLabel: (k: string) => totalLabel(t, k) });
    },
  );

  app.get('/amt/finanzen/abweichungen', { schema: { hide: true }, preHandler: finance }, async (request, reply) => {
    const q = request.query as Query;
    const kind = oneOf<ReconciliationKind>(RECONCILIATION_KINDS, q.kind);
    // Open ones by default: what is still to do.
    const status = q.status === 'all' ? undefined : (oneOf<ReconciliationDiscrepancyStatus>(DISCREPANCY_STATUSES, q.status) ?? 'open');
    const runId = typeof q.runId === 'string' && UUID.test(q.runId) ? q.runId : undefined;
    const list = await svc.listDiscrepancies(
      { kinds: kind ? [kind] : undefined, statuses: status ? [status] : undefined, runId, cursor: cursorOf(q.cursor), limit: PAGE_SIZE },
      staffOf(request),
    );
    const filter = { kind: kind ?? '', status: status ?? 'all', runId: runId ?? '' };
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
    return page(request, reply, 'staff/finance-discrepancies.eta', {
      title: 'fin.disc.title',
      list: list.data,
      filter,
      kinds: RECONCILIATION_KINDS,
      statuses: DISCREPANCY_STATUSES,
      moreHref: list.nextCursor ? `/amt/finanzen/abweichungen?${params.toString()}&cursor=${encodeURIComponent(list.nextCursor)}` : null,
    });
  });

  const discrepancyPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: Record<string, unknown>,
    status = 200,
  ) => {
    if (!UUID.test(id)) throw pageNotFound();
    const discrepancy = await svc.getDiscrepancy(id, staffOf(request));
    return page(
      request,
      reply,
      'staff/finance-discrepancy.eta',
      { title: 'fin.disc.detail', d: discrepancy, comment: '', errors: {}, ...extra },
      status,
    );
  };

  app.get<{ Params: { id: string } }>(
    '/amt/finanzen/abweichungen/:id',
    { schema: { hide: true }, preHandler: finance },
    async (request, reply) => discrepancyPage(request, reply, request.params.id, {}),
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/amt/finanzen/abweichungen/:id/erledigen',
    { schema: { hide: true }, preHandler: [finance, app.csrfProtection] },
    async (request, reply) => {
      const comment = typeof request.body?.comment === 'string' ? request.body.comment.trim() : '';
      if (comment === '' || comment.length > 2000) {
        const key = comment === '' ? { key: 'error.required' } : { key: 'error.tooLong', params: { max: 2000 } };
        return discrepancyPage(request, reply, request.params.id, { comment: comment.slice(0, 2000), errors: { comment: key } }, 422);
      }
      try {
        await svc.resolve(request.params.id, { comment, requestId: String(request.id) }, staffOf(request));
      } catch (err) {
        if (err instanceof AppError && err.status === 409)
          return discrepancyPage(request, reply, request.params.id, { problem: err.message }, 409);
        throw err;
      }
      return reply.redirect(`/amt/finanzen/abweichungen/${request.params.id}`, 303);
    },
  );

  // The reports: a form each; the same address with format=csv or datev is the download.
  const reportForms = async (request: FastifyRequest) => {
    const staff = staffOf(request);
    const offices = (await deps.offices.list()).filter((o) => staff.officeId === null || o.id === staff.officeId);
    const companies = await deps.couriers.listCompanies();
    const today = localDate(deps.runs.clock(), PAYOUT_TIME_ZONE);
    return {
      offices: offices.map((o) => ({ id: o.id, name: o.name })),
      companies: companies.map((c) => ({ id: c.id, name: c.name })),
      cityWide: staff.officeId === null,
      defaults: { date: today, from: addDays(today, -30), to: today, month: today.slice(0, 7) },
    };
  };
  const reportPage = async (request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>, status = 200) =>
    page(
      request,
      reply,
      'staff/finance-reports.eta',
      {
        title: 'fin.reports.title',
        query: request.query,
        // A booking list's times in its office's zone.
        fmtIn: (timeZone: string) => formatters(request.locale, timeZone),
        ...(await reportForms(request)),
        ...data,
      },
      status,
    );
  const formatOf = (q: Query) => oneOf(['json', 'csv', 'datev'] as const, q.format) ?? 'json';
  const download = (request: FastifyRequest, extra: Record<string, string>) => {
    const params = new URLSearchParams({ ...(request.query as Record<string, string>), ...extra });
    return `${request.url.split('?')[0] ?? ''}?${params.toString()}`;
  };
  /** The HTML page for JSON, the file otherwise; a refused request (bad day, other office) on the form page. */
  const report = async <R>(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: string,
    valid: boolean,
    build: () => Promise<ReportAnswer<R>>,
  ) => {
    if (!valid) return reportPage(request, reply, { problemKey: 'fin.reports.missing' }, 422);
    let answer: ReportAnswer<R>;
    try {
      answer = await build();
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return reportPage(request, reply, { problem: err.message }, err.status);
      throw err;
    }
    if (answer.kind === 'file') return sendReportFile(reply, answer.file);
    return reportPage(request, reply, {
      shown: kind,
      report: answer.report,
      csvHref: download(request, { format: 'csv' }),
      datevHref: kind === 'courier' ? null : download(request, { format: 'datev' }),
    });
  };

  app.get('/amt/finanzen/berichte', { schema: { hide: true }, preHandler: finance }, async (request, reply) =>
    reportPage(request, reply, {}),
  );

  app.get('/amt/finanzen/berichte/buchungen', { schema: { hide: true }, preHandler: finance }, async (request, reply) => {
    const q = request.query as Query;
    const officeId = text(q.officeId, 36);
    const date = text(q.date, 10);
    return report(request, reply, 'bookings', UUID.test(officeId) && DATE.test(date), () =>
      deps.reports.bookingList({ officeId, date, format: formatOf(q) }, staffOf(request)),
    );
  });

  app.get('/amt/finanzen/berichte/auszahlungen', { schema: { hide: true }, preHandler: finance }, async (request, reply) => {
    const q = request.query as Query;
    const from = text(q.from, 10);
    const to = text(q.to, 10);
    return report(request, reply, 'payouts', DATE.test(from) && DATE.test(to), () =>
      deps.reports.payoutRange({ from, to, format: formatOf(q) }, staffOf(request)),
    );
  });

  app.get('/amt/finanzen/berichte/kurier', { schema: { hide: true }, preHandler: finance }, async (request, reply) => {
    const q = request.query as Query;
    const companyId = text(q.companyId, 36);
    const month = text(q.month, 7);
    const officeId = text(q.officeId, 36);
    const format = formatOf(q) === 'csv' ? 'csv' : 'json';
    return report(request, reply, 'courier', UUID.test(companyId) && MONTH.test(month) && (officeId === '' || UUID.test(officeId)), () =>
      deps.reports.courierInvoice({ companyId, month, officeId: officeId || undefined, format }, staffOf(request)),
    );
  });
}
