import { Type, type TSchema } from '@sinclair/typebox';
import { DateSchema, IdSchema, TimestampSchema } from '../shared/schemas.ts';

/**
 * The finance reports' query and JSON shapes. Amounts are integer cents, signed from the city's
 * side; no recipient data anywhere, only Kassenzeichen and ids.
 */
const Cents = Type.Integer({ description: 'Integer cents, signed' });
const Currency = Type.String({ maxLength: 3 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength: number) => Type.String({ maxLength });
const Account = Type.String({ maxLength: 9, description: 'Account number (digits)' });

const Encoding = Type.Union([Type.Literal('utf-8-bom'), Type.Literal('windows-1252')], {
  description: 'File encoding: UTF-8 with BOM (CSV default) or Windows-1252 (DATEV default)',
});
const Format = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('datev')], {
  default: 'json',
  description: 'json, csv (semicolon, decimal comma) or datev (EXTF Buchungsstapel)',
});

export const BookingListQuery = Type.Object(
  {
    officeId: IdSchema,
    date: { ...DateSchema, description: 'Office-local day, YYYY-MM-DD' },
    format: Format,
    encoding: Type.Optional(Encoding),
  },
  { additionalProperties: false },
);

export const PayoutParams = Type.Object(
  { payoutId: Type.String({ pattern: '^[A-Za-z0-9_]{3,100}$', maxLength: 100, description: "Stripe's payout id (po_…)" }) },
  { additionalProperties: false },
);

export const PayoutQuery = Type.Object({ format: Format, encoding: Type.Optional(Encoding) }, { additionalProperties: false });

export const PayoutRangeQuery = Type.Object(
  {
    from: { ...DateSchema, description: 'First arrival day (Europe/Berlin), YYYY-MM-DD' },
    to: { ...DateSchema, description: 'Last arrival day, inclusive; at most 92 days after from' },
    format: Format,
    encoding: Type.Optional(Encoding),
  },
  { additionalProperties: false },
);

export const CourierInvoiceQuery = Type.Object(
  {
    companyId: IdSchema,
    month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', maxLength: 7, description: 'YYYY-MM, each office-local' }),
    officeId: Type.Optional(IdSchema),
    format: Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      default: 'json',
      description: 'json or csv; no DATEV: the invoice is booked when it arrives, against the company as creditor',
    }),
    encoding: Type.Optional(Encoding),
  },
  { additionalProperties: false },
);

const AccountsSchema = Type.Object({
  revenueAccount: Account,
  feeAccount: Account,
  clearingAccount: Account,
  courierExpenseAccount: Account,
  costCentre: Text(36),
});

export const BookingListSchema = Type.Object({
  report: Type.Literal('bookings'),
  basis: Type.Literal('stripe_ledger'),
  office: Type.Object({ id: IdSchema, name: Text(200), kassenzeichenPrefix: Text(16), timeZone: Text(64) }),
  date: DateSchema,
  accounts: AccountsSchema,
  lines: Type.Array(
    Type.Object({
      lineType: Type.Union(['charge', 'refund', 'refund_failure', 'dispute', 'dispute_reversal', 'fee'].map((t) => Type.Literal(t))),
      bookingId: IdSchema,
      kassenzeichen: Text(40),
      stripeId: Text(255),
      stripeSourceId: Nullable(Text(255)),
      occurredAt: TimestampSchema,
      amountCents: Cents,
      currency: Currency,
      account: Account,
      contraAccount: Account,
      costCentre: Text(36),
    }),
  ),
  totals: Type.Object({
    chargedCents: Cents,
    refundedCents: Cents,
    refundFailuresCents: Cents,
    disputedCents: Cents,
    disputeReversedCents: Cents,
    feesCents: Cents,
    grossCents: Cents,
    netCents: Cents,
    lineCount: Type.Integer(),
  }),
});

const PayoutSummarySchema = {
  id: Text(255),
  amountCents: Cents,
  currency: Currency,
  status: Text(20),
  automatic: Type.Boolean(),
  arrivalDate: TimestampSchema,
  createdAt: TimestampSchema,
};

export const PayoutReportSchema = Type.Object({
  report: Type.Literal('payout'),
  payout: Type.Object(PayoutSummarySchema),
  lines: Type.Array(
    Type.Object({
      stripeId: Text(255),
      reportingCategory: Text(60),
      stripeSourceId: Nullable(Text(255)),
      bookingId: Nullable(IdSchema),
      kassenzeichen: Nullable(Text(40)),
      officeId: Nullable(IdSchema),
      occurredAt: TimestampSchema,
      grossCents: Cents,
      feeCents: Cents,
      netCents: Cents,
      currency: Currency,
    }),
  ),
  totals: Type.Object({
    grossCents: Cents,
    feeCents: Cents,
    netCents: Cents,
    payoutAmountCents: Cents,
    differenceCents: Type.Integer({ description: 'Payout amount minus the sum of the nets; 0 when it adds up' }),
    balanced: Type.Boolean(),
    lineCount: Type.Integer(),
  }),
});

export const PayoutRangeSchema = Type.Object({
  report: Type.Literal('payouts'),
  from: DateSchema,
  to: DateSchema,
  timeZone: Text(64),
  payouts: Type.Array(
    Type.Object({
      ...PayoutSummarySchema,
      netCents: Cents,
      lineCount: Type.Integer(),
      differenceCents: Cents,
      balanced: Type.Boolean(),
    }),
  ),
  totals: Type.Object({
    amountCents: Cents,
    netCents: Cents,
    differenceCents: Cents,
    unbalancedCount: Type.Integer(),
    payoutCount: Type.Integer(),
  }),
});

export const CourierInvoiceSchema = Type.Object({
  report: Type.Literal('courier_invoice'),
  company: Type.Object({ id: IdSchema, name: Text(200) }),
  month: Text(7),
  officeId: Nullable(IdSchema),
  lines: Type.Array(
    Type.Object({
      bookingId: IdSchema,
      kassenzeichen: Text(40),
      officeId: IdSchema,
      officeName: Text(200),
      attempt: Type.Integer(),
      outcome: Type.Union([Type.Literal('delivered'), Type.Literal('failed')]),
      reason: Nullable(Text(40)),
      fault: Nullable(Type.Union([Type.Literal('courier'), Type.Literal('citizen')])),
      payable: Type.Boolean(),
      priceCents: Cents,
      occurredAt: TimestampSchema,
      localDate: DateSchema,
      localTime: Text(5),
    }),
  ),
  totals: Type.Object({
    deliveredCount: Type.Integer(),
    deliveredCents: Cents,
    failedCitizenFaultCount: Type.Integer(),
    failedCitizenFaultCents: Cents,
    failedCourierFaultCount: Type.Integer(),
    failedCourierFaultCents: Cents,
    payableCents: Cents,
    notPayableCents: Cents,
  }),
});

/** A 200 that is JSON for `format=json` and a file download otherwise. */
export function reportResponse(json: TSchema) {
  const file = Type.String({ description: 'The file (Content-Disposition: attachment)' });
  return {
    description: 'The report: JSON, or the CSV / DATEV file as a download',
    content: {
      'application/json': { schema: json },
      'text/csv': { schema: file },
    },
  };
}
