import { Type } from '@sinclair/typebox';
import { IdSchema, Paginated, TimestampSchema } from '../shared/schemas.ts';
import { DISCREPANCY_STATUSES, RECONCILIATION_KINDS, RECONCILIATION_RUN_STATUSES } from './reconciliation.table.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Cents = Type.Integer({ description: 'Integer cents' });

export const StartRunBody = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Inclusive, UTC; default 35 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Exclusive, UTC; default now' })),
    importLedger: Type.Optional(
      Type.Boolean({ default: true, description: "Import Stripe's ledger for the range first (false: match what is imported)" }),
    ),
  },
  { additionalProperties: false, examples: [{ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', importLedger: true }] },
);

export const RunSchema = Type.Object({
  id: IdSchema,
  status: Type.Union(RECONCILIATION_RUN_STATUSES.map((s) => Type.Literal(s))),
  requestedBy: Type.String({ maxLength: 100, description: 'A staff id, `scheduler`, or `stripe:<payout id>`' }),
  from: TimestampSchema,
  to: TimestampSchema,
  importLedger: Type.Boolean(),
  progress: Type.Object({
    phase: Nullable(
      Type.String({ maxLength: 40, description: 'import, charges, paid_bookings, refunds, disputes, payouts, totals, record' }),
    ),
    stepsDone: Type.Integer(),
    stepsTotal: Type.Integer(),
  }),
  totals: Nullable(
    Type.Record(Type.String({ maxLength: 60 }), Type.Number(), {
      description:
        'Counts (chargeLines, chargesMatched, discrepancies, kind_<class>, newDiscrepancies, clearedDiscrepancies, …) and money in cents (chargedCents, refundedCents, feesCents, paidOutCents, …)',
    }),
  ),
  error: Nullable(Type.String({ maxLength: 1000 })),
  createdAt: TimestampSchema,
  startedAt: Nullable(TimestampSchema),
  finishedAt: Nullable(TimestampSchema),
});

export const RunListSchema = Paginated(RunSchema);

export const ReconciliationKindSchema = Type.Union(
  RECONCILIATION_KINDS.map((k) => Type.Literal(k)),
  {
    description:
      'paid_without_booking: a charge at Stripe no booking knows; missing_at_stripe: paid here, no charge at Stripe; amount_mismatch / currency_mismatch: the charge is not the price; refund_owed_not_made / refund_without_cause: what went back differs from what the refund decision owes; dispute_open / dispute_won / dispute_lost; payout_mismatch: the lines do not add up to the payout; payout_failed',
  },
);
export const DiscrepancyStatusSchema = Type.Union(DISCREPANCY_STATUSES.map((s) => Type.Literal(s)));

export const ReconciliationDiscrepancySchema = Type.Object({
  id: IdSchema,
  kind: ReconciliationKindSchema,
  status: DiscrepancyStatusSchema,
  subjectKey: Type.String({
    maxLength: 300,
    description: 'What it is about: charge:<id>, payment:<id>, refund:<booking>, dispute:<id>, payout:<id>',
  }),
  bookingId: Nullable(IdSchema),
  officeId: Nullable(IdSchema),
  kassenzeichen: Nullable(Type.String({ maxLength: 40 })),
  stripeObjectId: Nullable(Type.String({ maxLength: 255 })),
  expectedAmountCents: Nullable(Cents),
  actualAmountCents: Nullable(Cents),
  currency: Nullable(Type.String({ maxLength: 3 })),
  facts: Type.Record(
    Type.String({ maxLength: 60 }),
    Type.Union([Type.String({ maxLength: 300 }), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
  subjectAt: TimestampSchema,
  firstSeenAt: TimestampSchema,
  lastSeenAt: TimestampSchema,
  firstRunId: IdSchema,
  lastRunId: IdSchema,
  resolvedAt: Nullable(TimestampSchema),
  resolvedByStaffId: Nullable(IdSchema),
  resolutionComment: Nullable(Type.String({ maxLength: 2000 })),
});

export const DiscrepancyListSchema = Paginated(ReconciliationDiscrepancySchema);

const ListLimit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
const ListCursor = Type.Optional(Type.String({ maxLength: 400 }));

export const ListRunsQuery = Type.Object({ limit: ListLimit, cursor: ListCursor }, { additionalProperties: false });

export const ListReconciliationDiscrepanciesQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(DiscrepancyStatusSchema, { maxItems: DISCREPANCY_STATUSES.length })),
    kind: Type.Optional(Type.Array(ReconciliationKindSchema, { maxItems: RECONCILIATION_KINDS.length })),
    officeId: Type.Optional(IdSchema),
    runId: Type.Optional(IdSchema),
    limit: ListLimit,
    cursor: ListCursor,
  },
  { additionalProperties: false },
);

export const ResolveReconciliationDiscrepancyBody = Type.Object(
  { comment: Type.String({ minLength: 1, maxLength: 2000, description: 'What was found and done; kept with the record and audited' }) },
  {
    additionalProperties: false,
    examples: [{ comment: 'Bank statement 2026-11-14 shows the payout; Stripe corrected the line (case 88121)' }],
  },
);
