import { access, staffOf } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import {
  DiscrepancyListSchema,
  ListReconciliationDiscrepanciesQuery,
  ListRunsQuery,
  ReconciliationDiscrepancySchema,
  ResolveReconciliationDiscrepancyBody,
  RunListSchema,
  RunSchema,
  StartRunBody,
} from './reconciliation.schemas.ts';
import type { Reconciliation } from './reconciliation.service.ts';
import { startReconciliationRun } from './start-reconciliation-run.ts';
import type { ReconciliationDiscrepancy, ReconciliationRun } from './reconciliation.table.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRunView(run: ReconciliationRun) {
  return {
    id: run.id,
    status: run.status,
    requestedBy: run.requestedBy,
    from: run.rangeFrom.toISOString(),
    to: run.rangeTo.toISOString(),
    importLedger: run.importLedger,
    progress: { phase: run.phase, stepsDone: run.stepsDone, stepsTotal: run.stepsTotal },
    totals: run.totals ?? null,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}

function toDiscrepancyView(d: ReconciliationDiscrepancy) {
  return {
    id: d.id,
    kind: d.kind,
    status: d.status,
    subjectKey: d.subjectKey,
    bookingId: d.bookingId,
    officeId: d.officeId,
    kassenzeichen: d.kassenzeichen,
    stripeObjectId: d.stripeObjectId,
    expectedAmountCents: d.expectedAmountCents,
    actualAmountCents: d.actualAmountCents,
    currency: d.currency,
    facts: d.facts,
    subjectAt: d.subjectAt.toISOString(),
    firstSeenAt: d.firstSeenAt.toISOString(),
    lastSeenAt: d.lastSeenAt.toISOString(),
    firstRunId: d.firstRunId,
    lastRunId: d.lastRunId,
    resolvedAt: iso(d.resolvedAt),
    resolvedByStaffId: d.resolvedByStaffId,
    resolutionComment: d.resolutionComment,
  };
}

/**
 * The finance office's reconciliation: start a run (a job; its progress is read back), list runs
 * with their totals, list and resolve the discrepancies they keep. Amounts and Kassenzeichen only.
 */
export async function reconciliationRoutes(
  app: App,
  opts: { reconciliation: Reconciliation; clock: () => Date; enqueueRun: (runId: string) => Promise<void> },
) {
  const svc = opts.reconciliation;
  const finance = access.staff('finance');

  app.post(
    '/v1/reconciliation-runs',
    {
      config: { access: finance },
      schema: {
        operationId: 'startReconciliationRun',
        tags: ['finance'],
        summary: "Start a reconciliation: import Stripe's ledger for the range, then match every line (a job; poll the run)",
        body: StartRunBody,
        response: { 202: RunSchema, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { run } = await startReconciliationRun(opts, {
        from: request.body.from ? new Date(request.body.from) : undefined,
        to: request.body.to ? new Date(request.body.to) : undefined,
        importLedger: request.body.importLedger,
        requestedBy: staffOf(request).id,
      });
      return reply.code(202).send(toRunView(run));
    },
  );

  app.get(
    '/v1/reconciliation-runs',
    {
      config: { access: finance },
      schema: {
        operationId: 'listReconciliationRuns',
        tags: ['finance'],
        summary: 'Reconciliation runs with progress and totals (newest first)',
        querystring: ListRunsQuery,
        response: { 200: RunListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const page = await svc.listRuns({ cursor: request.query.cursor, limit: request.query.limit });
      return { data: page.data.map(toRunView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/reconciliation-runs/:id',
    {
      config: { access: finance },
      schema: {
        operationId: 'getReconciliationRun',
        tags: ['finance'],
        summary: 'One reconciliation run: its progress while it runs, its totals when done',
        params: IdParams,
        response: { 200: RunSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toRunView(await svc.getRun(request.params.id)),
  );

  app.get(
    '/v1/reconciliation-discrepancies',
    {
      config: { access: finance },
      schema: {
        operationId: 'listReconciliationDiscrepancies',
        tags: ['finance'],
        summary: 'What reconciliations found, by class and status (newest first)',
        querystring: ListReconciliationDiscrepanciesQuery,
        response: { 200: DiscrepancyListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await svc.listDiscrepancies(
        { statuses: q.status, kinds: q.kind, officeId: q.officeId, runId: q.runId, cursor: q.cursor, limit: q.limit },
        staffOf(request),
      );
      return { data: page.data.map(toDiscrepancyView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/reconciliation-discrepancies/:id',
    {
      config: { access: finance },
      schema: {
        operationId: 'getReconciliationDiscrepancy',
        tags: ['finance'],
        summary: 'One discrepancy with its facts',
        params: IdParams,
        response: { 200: ReconciliationDiscrepancySchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => toDiscrepancyView(await svc.getDiscrepancy(request.params.id, staffOf(request))),
  );

  app.post(
    '/v1/reconciliation-discrepancies/:id/resolve',
    {
      config: { access: finance },
      schema: {
        operationId: 'resolveReconciliationDiscrepancy',
        tags: ['finance'],
        summary: 'Mark an open discrepancy resolved with a comment (audited); it stays resolved unless its facts change',
        params: IdParams,
        body: ResolveReconciliationDiscrepancyBody,
        response: { 200: ReconciliationDiscrepancySchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) =>
      toDiscrepancyView(
        await svc.resolve(request.params.id, { comment: request.body.comment, requestId: String(request.id) }, staffOf(request)),
      ),
  );
}
