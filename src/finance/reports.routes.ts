import type { FastifyReply } from 'fastify';
import { access, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses } from '../shared/schemas.ts';
import type { ReportAnswer } from './reports/reports.service.ts';
import type { FinanceReports } from './reports/reports.service.ts';
import {
  BookingListQuery,
  BookingListSchema,
  CourierInvoiceQuery,
  CourierInvoiceSchema,
  PayoutParams,
  PayoutQuery,
  PayoutRangeQuery,
  PayoutRangeSchema,
  PayoutReportSchema,
  reportResponse,
} from './reports.schemas.ts';

/** JSON as the report; a file with its type and a download name (ASCII only: prefixes and ids). */
function answer<R>(reply: FastifyReply, result: ReportAnswer<R>) {
  if (result.kind === 'json') return reply.send(result.report);
  return sendReportFile(reply, result.file);
}

/** A report file as a download, for the API and the finance console alike. */
export function sendReportFile(reply: FastifyReply, file: { contentType: string; filename: string; bytes: Buffer | Uint8Array | string }) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .send(file.bytes);
}

/**
 * The finance office's report downloads. Finance only, like the payment lists: amounts and
 * Kassenzeichen, never a recipient's contact data. Admins run the platform, not the books.
 */
export async function financeReportsRoutes(app: App, opts: { reports: FinanceReports }) {
  const { reports } = opts;
  const finance = access.staff('finance');

  app.get(
    '/v1/finance/reports/bookings',
    {
      config: { access: finance },
      schema: {
        operationId: 'getBookingListReport',
        tags: ['finance'],
        summary: "An office's daily booking list from Stripe's ledger: charges, refunds, disputes, fees as separate lines",
        querystring: BookingListQuery,
        response: { 200: reportResponse(BookingListSchema), ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request, reply) => answer(reply, await reports.bookingList(request.query, staffOf(request))),
  );

  app.get(
    '/v1/finance/reports/payouts/:payoutId',
    {
      config: { access: finance },
      schema: {
        operationId: 'getPayoutReport',
        tags: ['finance'],
        summary: 'The lines a payout paid out, with Kassenzeichen, gross, fee and net, and whether they add up to it',
        params: PayoutParams,
        querystring: PayoutQuery,
        response: { 200: reportResponse(PayoutReportSchema), ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request, reply) => answer(reply, await reports.payout({ ...request.query, ...request.params }, staffOf(request))),
  );

  app.get(
    '/v1/finance/reports/payouts',
    {
      config: { access: finance },
      schema: {
        operationId: 'getPayoutRangeReport',
        tags: ['finance'],
        summary: 'Payouts arriving in a date range, each with the sum of its lines and the difference',
        querystring: PayoutRangeQuery,
        response: { 200: reportResponse(PayoutRangeSchema), ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => answer(reply, await reports.payoutRange(request.query, staffOf(request))),
  );

  app.get(
    '/v1/finance/reports/courier-invoices',
    {
      config: { access: finance },
      schema: {
        operationId: 'getCourierInvoiceReport',
        tags: ['finance'],
        summary: "A courier company's month: delivered jobs and failed attempts at contracted prices, split by fault",
        querystring: CourierInvoiceQuery,
        response: { 200: reportResponse(CourierInvoiceSchema), ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => answer(reply, await reports.courierInvoice(request.query, staffOf(request))),
  );
}
