import { Type } from '@sinclair/typebox';
import { BOOKING_STATUSES } from '../bookings/booking-status.ts';
import { HOLD_REASONS } from '../bookings/bookings.table.ts';
import { IdSchema, Paginated, TimestampSchema } from '../shared/schemas.ts';
import { DISCREPANCY_ACTIONS, DISCREPANCY_KINDS, REFUND_RULES } from './payments.table.ts';

/**
 * What staff and the finance office see of money: payments, refunds, disputes and discrepancies,
 * with amounts in integer cents and the Kassenzeichen. No recipient data in any of them.
 */
const Cents = Type.Integer({ description: 'Integer cents of `currency`' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const PaymentSummarySchema = Type.Object({
  id: IdSchema,
  bookingId: IdSchema,
  paymentIntentId: Nullable(Type.String({ maxLength: 255 })),
  status: Type.String({ maxLength: 40, description: "The PaymentIntent's last known status" }),
  amountCents: Type.Integer({ description: "The booking's price" }),
  amountReceivedCents: Nullable(Type.Integer({ description: 'What Stripe received; differs from amountCents only in a discrepancy' })),
  amountRefundedCents: Cents,
  currency: Currency,
  disputed: Type.Boolean(),
  kassenzeichen: Type.String({ maxLength: 40 }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const RefundStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const RefundSchema = Type.Object({
  id: IdSchema,
  amountCents: Cents,
  status: RefundStatusSchema,
  reason: Type.String({ maxLength: 100 }),
  createdAt: TimestampSchema,
});

export const RefundDecisionSchema = Type.Object(
  {
    rule: Type.Union(
      REFUND_RULES.map((r) => Type.Literal(r)),
      {
        description:
          'Which rule decided: cancelled_before_handover (the office’s cancellation policy), courier_fault, citizen_fault, delivered, dispute_lost',
      },
    ),
    reason: Type.String({ maxLength: 500, description: 'The decision in plain words' }),
    policyAmountCents: Type.Integer({ description: 'What the rule owes back in total (integer cents)' }),
    amountCents: Type.Integer({ description: 'What is owed back in total: the rule’s amount, or a person’s override' }),
    decidedAt: TimestampSchema,
    overriddenByStaffId: Nullable(IdSchema),
    overriddenAt: Nullable(TimestampSchema),
    overrideComment: Nullable(Type.String({ maxLength: 2000 })),
  },
  { description: 'What the payer gets back, decided by code from the booking’s history when it ended; null while it is in flight' },
);

export const OverrideRefundDecisionBody = Type.Object(
  {
    amountCents: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      description: 'What is owed back in total (integer cents): not less than already refunded or pending, not more than was paid',
    }),
    comment: Type.String({ minLength: 1, maxLength: 2000, description: 'Why; kept with the decision' }),
  },
  {
    additionalProperties: false,
    examples: [{ amountCents: 450, comment: 'The courier came outside the announced window; the Kämmerei refunds in full' }],
  },
);

export const OverrideRefundDecisionResponse = Type.Object({
  decision: RefundDecisionSchema,
  refund: Nullable(Type.Object({ id: IdSchema, amountCents: Cents, status: RefundStatusSchema })),
});

export const DisputeSchema = Type.Object({
  id: Type.String({ maxLength: 255, description: "Stripe's dispute id" }),
  paymentId: IdSchema,
  bookingId: IdSchema,
  amountCents: Cents,
  currency: Currency,
  reason: Type.String({ maxLength: 100 }),
  status: Type.String({ maxLength: 40, description: "Stripe's dispute status (needs_response, under_review, won, lost, …)" }),
  openedAt: TimestampSchema,
  closedAt: Nullable(TimestampSchema),
});

export const DiscrepancyKindSchema = Type.Union(
  DISCREPANCY_KINDS.map((k) => Type.Literal(k)),
  {
    description:
      'amount_mismatch, currency_mismatch, metadata_mismatch: a signed payment that is not what its booking asked for; unknown_payment_intent: a payment the platform did not create names one of its bookings; refund_outside_platform: Stripe refunded more than the platform did (e.g. from the dashboard); dispute_opened / dispute_lost: a chargeback',
  },
);

export const DiscrepancySchema = Type.Object({
  id: IdSchema,
  kind: DiscrepancyKindSchema,
  action: Type.Union(
    DISCREPANCY_ACTIONS.map((a) => Type.Literal(a)),
    { description: 'What the platform did when it found it' },
  ),
  paymentId: Nullable(IdSchema),
  bookingId: Nullable(IdSchema),
  officeId: Nullable(IdSchema),
  kassenzeichen: Nullable(Type.String({ maxLength: 40 })),
  stripeObjectId: Nullable(Type.String({ maxLength: 255 })),
  expectedAmountCents: Nullable(Cents),
  actualAmountCents: Nullable(Cents),
  expectedCurrency: Nullable(Currency),
  actualCurrency: Nullable(Currency),
  holdId: Nullable(IdSchema),
  facts: Type.Record(
    Type.String({ maxLength: 60 }),
    Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
  detectedAt: TimestampSchema,
  resolvedAt: Nullable(TimestampSchema),
  resolvedBy: Nullable(Type.String({ maxLength: 300 })),
  resolutionComment: Nullable(Type.String({ maxLength: 1000 })),
});

export const HoldSchema = Type.Object({
  id: IdSchema,
  reason: Type.Union(HOLD_REASONS.map((r) => Type.Literal(r))),
  placedAt: TimestampSchema,
  releasedAt: Nullable(TimestampSchema),
  resolution: Nullable(Type.String({ maxLength: 40 })),
});

export const BookingStatusLiteralSchema = Type.Union(BOOKING_STATUSES.map((s) => Type.Literal(s)));

export const PaymentListItemSchema = Type.Object({
  ...PaymentSummarySchema.properties,
  officeId: IdSchema,
  bookingStatus: BookingStatusLiteralSchema,
});

export const PaymentDetailsSchema = Type.Object({
  ...PaymentListItemSchema.properties,
  refunds: Type.Array(RefundSchema),
  disputes: Type.Array(DisputeSchema),
  discrepancies: Type.Array(DiscrepancySchema),
  holds: Type.Array(HoldSchema),
});

export const RefundListItemSchema = Type.Object({
  ...RefundSchema.properties,
  paymentId: IdSchema,
  bookingId: IdSchema,
  officeId: IdSchema,
  kassenzeichen: Type.String({ maxLength: 40 }),
  stripeRefundId: Nullable(Type.String({ maxLength: 255 })),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String({ maxLength: 300 })),
  updatedAt: TimestampSchema,
});

const ListLimit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
const ListCursor = Type.Optional(Type.String({ maxLength: 400 }));

export const ListPaymentsQuery = Type.Object(
  {
    officeId: Type.Optional(IdSchema),
    status: Type.Optional(Type.Array(Type.String({ maxLength: 40, pattern: '^[a-z_]+$' }), { maxItems: 10 })),
    kassenzeichen: Type.Optional(Type.String({ maxLength: 40 })),
    disputed: Type.Optional(Type.Boolean()),
    refunded: Type.Optional(Type.Boolean()),
    createdFrom: Type.Optional(TimestampSchema),
    createdTo: Type.Optional(TimestampSchema),
    limit: ListLimit,
    cursor: ListCursor,
  },
  { additionalProperties: false },
);

export const ListRefundsQuery = Type.Object(
  {
    officeId: Type.Optional(IdSchema),
    status: Type.Optional(Type.Array(RefundStatusSchema, { maxItems: 3 })),
    limit: ListLimit,
    cursor: ListCursor,
  },
  { additionalProperties: false },
);

export const ListDisputesQuery = Type.Object(
  { officeId: Type.Optional(IdSchema), open: Type.Optional(Type.Boolean()), limit: ListLimit, cursor: ListCursor },
  { additionalProperties: false },
);

export const ListDiscrepanciesQuery = Type.Object(
  {
    officeId: Type.Optional(IdSchema),
    open: Type.Optional(Type.Boolean()),
    kind: Type.Optional(Type.Array(DiscrepancyKindSchema, { maxItems: DISCREPANCY_KINDS.length })),
    limit: ListLimit,
    cursor: ListCursor,
  },
  { additionalProperties: false },
);

export const PaymentListSchema = Paginated(PaymentListItemSchema);
export const RefundListSchema = Paginated(RefundListItemSchema);
export const DisputeListSchema = Paginated(
  Type.Object({ ...DisputeSchema.properties, officeId: IdSchema, kassenzeichen: Type.String({ maxLength: 40 }) }),
);
export const DiscrepancyListSchema = Paginated(DiscrepancySchema);

export const ResolveDiscrepancyBody = Type.Object(
  { comment: Type.String({ minLength: 1, maxLength: 1000, description: 'What was found and done; kept in the audit log' }) },
  { additionalProperties: false, examples: [{ comment: 'Refund of the fee as goodwill, approved by the Kämmerei (ticket 4711)' }] },
);
