import { access, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import type { PaymentRecordsService } from './payment-records.service.ts';
import type { RefundDecisionsService } from './refund-decisions.service.ts';
import { toDiscrepancyView, toDisputeView, toHoldView, toPaymentSummary, toRefundDecisionView, toRefundView } from './payment-views.ts';
import {
  DiscrepancyListSchema,
  DiscrepancySchema,
  DisputeListSchema,
  ListDiscrepanciesQuery,
  ListDisputesQuery,
  ListPaymentsQuery,
  ListRefundsQuery,
  OverrideRefundDecisionBody,
  OverrideRefundDecisionResponse,
  PaymentDetailsSchema,
  PaymentListSchema,
  RefundListSchema,
  ResolveDiscrepancyBody,
} from './payments.schemas.ts';

/** The finance office's operations: every cent charged, refunded or disputed, and what does not match. */
export async function paymentsRoutes(app: App, opts: { records: PaymentRecordsService; refundDecisions: RefundDecisionsService }) {
  const svc = opts.records;
  const finance = access.staff('finance');

  app.put(
    '/v1/bookings/:id/refund-decision',
    {
      // Money decisions are the finance office's, as deciding on a held booking is: the staff who
      // deliver and check documents back in (clerks, supervisors) do not also decide what is paid
      // back, and admins manage offices and accounts, not money.
      config: { access: finance },
      schema: {
        operationId: 'overrideRefundDecision',
        tags: ['finance'],
        summary: 'Override what a booking is owed back (audited): raising it refunds the difference at Stripe',
        description:
          'The refund is decided by code from the booking’s history when the booking ends; until then this is a 409 (refund_decision.not_decided). The amount is the total owed back: raising it writes a refund for the difference, which is carried out at once; an amount below what is already refunded or pending (refund_decision.below_refunded), above what was paid (refund_decision.above_paid), or a raise while the payment is disputed (refund_decision.disputed) is a 409.',
        params: IdParams,
        body: OverrideRefundDecisionBody,
        response: { 200: OverrideRefundDecisionResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { decision, refund } = await opts.refundDecisions.overrideDecision(
        request.params.id,
        request.body,
        staffOf(request),
        String(request.id),
      );
      return {
        decision: toRefundDecisionView(decision),
        refund: refund && { id: refund.id, amountCents: refund.amountCents, status: refund.status },
      };
    },
  );

  app.get(
    '/v1/payments',
    {
      config: { access: finance },
      schema: {
        operationId: 'listPayments',
        tags: ['finance'],
        summary: 'Payments with amounts, refunds, disputes and Kassenzeichen (newest first)',
        querystring: ListPaymentsQuery,
        response: { 200: PaymentListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listPayments(
        {
          officeId: q.officeId,
          statuses: q.status,
          kassenzeichen: q.kassenzeichen,
          disputed: q.disputed,
          refunded: q.refunded,
          createdFrom: q.createdFrom ? new Date(q.createdFrom) : undefined,
          createdTo: q.createdTo ? new Date(q.createdTo) : undefined,
          cursor: q.cursor,
          limit: q.limit,
        },
        staffOf(request),
      );
      return {
        data: page.data.map((r) => ({ ...toPaymentSummary(r.payment), officeId: r.officeId, bookingStatus: r.bookingStatus })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/payments/:id',
    {
      config: { access: finance },
      schema: {
        operationId: 'getPayment',
        tags: ['finance'],
        summary: 'One payment with its refunds, disputes, discrepancies and the holds they placed',
        params: IdParams,
        response: { 200: PaymentDetailsSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const found = await svc.getPayment(request.params.id, staffOf(request));
      return {
        ...toPaymentSummary(found.payment),
        officeId: found.officeId,
        bookingStatus: found.bookingStatus,
        refunds: found.refunds.map(toRefundView),
        disputes: found.disputes.map(toDisputeView),
        discrepancies: found.discrepancies.map(toDiscrepancyView),
        holds: found.holds.map(toHoldView),
      };
    },
  );

  app.get(
    '/v1/refunds',
    {
      config: { access: finance },
      schema: {
        operationId: 'listRefunds',
        tags: ['finance'],
        summary: 'Refunds the platform owes or made, with their state (a failed one needs a person)',
        querystring: ListRefundsQuery,
        response: { 200: RefundListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listRefunds({ officeId: q.officeId, statuses: q.status, cursor: q.cursor, limit: q.limit }, staffOf(request));
      return {
        data: page.data.map((r) => ({
          ...toRefundView(r.refund),
          paymentId: r.refund.paymentId,
          bookingId: r.refund.bookingId,
          officeId: r.officeId,
          kassenzeichen: r.kassenzeichen,
          stripeRefundId: r.refund.stripeRefundId,
          attempts: r.refund.attempts,
          lastError: r.refund.lastError?.slice(0, 300) ?? null,
          updatedAt: r.refund.updatedAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/disputes',
    {
      config: { access: finance },
      schema: {
        operationId: 'listDisputes',
        tags: ['finance'],
        summary: 'Disputes (chargebacks) of booking payments, open and closed',
        querystring: ListDisputesQuery,
        response: { 200: DisputeListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listDisputes({ officeId: q.officeId, open: q.open, cursor: q.cursor, limit: q.limit }, staffOf(request));
      return {
        data: page.data.map((r) => ({ ...toDisputeView(r.dispute), officeId: r.officeId, kassenzeichen: r.kassenzeichen })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/payment-discrepancies',
    {
      config: { access: finance },
      schema: {
        operationId: 'listPaymentDiscrepancies',
        tags: ['finance'],
        summary: 'Money that does not match: mismatched payments, refunds made at Stripe, disputes',
        querystring: ListDiscrepanciesQuery,
        response: { 200: DiscrepancyListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listDiscrepancies(
        { officeId: q.officeId, open: q.open, kinds: q.kind, cursor: q.cursor, limit: q.limit },
        staffOf(request),
      );
      return { data: page.data.map(toDiscrepancyView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/payment-discrepancies/:id/resolve',
    {
      config: { access: finance },
      schema: {
        operationId: 'resolvePaymentDiscrepancy',
        tags: ['finance'],
        summary: 'Mark a discrepancy resolved, with a comment (audited)',
        description: 'A discrepancy that holds its booking is resolved by deciding on the hold (resolveBookingHold): 409 here.',
        params: IdParams,
        body: ResolveDiscrepancyBody,
        response: { 200: DiscrepancySchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) =>
      toDiscrepancyView(await svc.resolveDiscrepancy(request.params.id, request.body, staffOf(request), String(request.id))),
  );
}
