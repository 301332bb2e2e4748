import { Type } from '@sinclair/typebox';
import { BOOKING_STATUSES } from './booking-status.ts';
import { HOLD_REASONS } from './bookings.table.ts';
import {
  DiscrepancySchema,
  DisputeSchema,
  HoldSchema,
  PaymentSummarySchema,
  RefundDecisionSchema,
  RefundSchema,
} from '../payments/payments.schemas.ts';
import {
  AddressSchema,
  DocumentTypeSchema,
  IdSchema,
  LngLatSchema,
  Paginated,
  TimestampSchema,
  VehicleTypeSchema,
} from '../shared/schemas.ts';

export const BookingStatusSchema = Type.Union(BOOKING_STATUSES.map((s) => Type.Literal(s)));

export const DeliveryWindowSchema = Type.Object({ start: TimestampSchema, end: TimestampSchema }, { additionalProperties: false });

const RecipientSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    phone: Type.String({ pattern: '^\\+?[0-9 ()/-]{6,30}$', maxLength: 30 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);

export const ApplicationNumberSchema = Type.String({
  pattern: '^[A-Za-z0-9-]{4,32}$',
  maxLength: 32,
  description: 'Antragsnummer of the ID document application',
});

const returnUrl = (description: string) => Type.String({ minLength: 10, maxLength: 2000, pattern: '^https?://[^\\s]+$', description });

/** Pay on Stripe's hosted page (Checkout) instead of with Stripe.js and the client secret. */
export const CheckoutOptionsSchema = Type.Object(
  {
    flow: Type.Literal('checkout'),
    successUrl: returnUrl('Where Stripe sends the citizen after paying; {CHECKOUT_SESSION_ID} is replaced with the session id'),
    cancelUrl: returnUrl("Where the hosted page's cancel link goes"),
    locale: Type.Optional(
      Type.Union([Type.Literal('de'), Type.Literal('en')], { description: 'Language of the hosted page (default de)' }),
    ),
  },
  { additionalProperties: false },
);

export const CreateBookingBody = Type.Object(
  {
    quoteId: IdSchema,
    vehicleType: VehicleTypeSchema,
    applicationNumber: ApplicationNumberSchema,
    documentType: DocumentTypeSchema,
    recipient: RecipientSchema,
    address: AddressSchema,
    preferredWindows: Type.Array(DeliveryWindowSchema, { minItems: 1, maxItems: 5 }),
    locale: Type.Optional(
      Type.Union([Type.Literal('de'), Type.Literal('en')], { description: "Language of the citizen's e-mails and SMS; default `de`" }),
    ),
    consent: Type.Object(
      {
        powerOfAttorney: Type.Literal(true, {
          description: 'The citizen grants the courier company power of attorney (Vollmacht) to collect the document',
        }),
        textVersion: Type.String({ minLength: 1, maxLength: 32, description: 'Version of the Vollmacht text shown to the citizen' }),
      },
      { additionalProperties: false },
    ),
    payment: Type.Optional(CheckoutOptionsSchema),
  },
  {
    additionalProperties: false,
    examples: [
      {
        quoteId: '0b8f3c0e-54a4-4d43-8b1f-7f5c1a3e9d20',
        vehicleType: 'bike',
        applicationNumber: 'A2026-000123',
        documentType: 'id_card',
        recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567', email: 'erika@example.org' },
        address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
        preferredWindows: [{ start: '2026-12-15T08:00:00Z', end: '2026-12-15T12:00:00Z' }],
        consent: { powerOfAttorney: true, textVersion: '2026-01' },
      },
      {
        quoteId: '0b8f3c0e-54a4-4d43-8b1f-7f5c1a3e9d20',
        vehicleType: 'bike',
        applicationNumber: 'A2026-000124',
        documentType: 'passport',
        recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
        address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
        preferredWindows: [{ start: '2026-12-15T08:00:00Z', end: '2026-12-15T12:00:00Z' }],
        consent: { powerOfAttorney: true, textVersion: '2026-01' },
        payment: {
          flow: 'checkout',
          successUrl: 'https://amtsbote.example/bezahlt?session_id={CHECKOUT_SESSION_ID}',
          cancelUrl: 'https://amtsbote.example/buchung/abgebrochen',
          locale: 'de',
        },
      },
    ],
  },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 255,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'A unique key per booking attempt; retries reuse it',
  }),
});

export const CitizenBookingSchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  status: BookingStatusSchema,
  applicationNumber: ApplicationNumberSchema,
  documentType: DocumentTypeSchema,
  vehicleType: VehicleTypeSchema,
  amountCents: Type.Integer(),
  currency: Type.Literal('EUR'),
  kassenzeichen: Type.String({ maxLength: 40 }),
  preferredWindows: Type.Array(DeliveryWindowSchema),
  paymentDeadline: TimestampSchema,
  createdAt: TimestampSchema,
});

export const CreateBookingResponseSchema = Type.Object({
  booking: CitizenBookingSchema,
  payment: Type.Union([
    Type.Object({
      provider: Type.Literal('stripe'),
      flow: Type.Literal('checkout'),
      checkoutSessionId: Type.String({ maxLength: 255 }),
      checkoutUrl: Type.String({ maxLength: 2000, description: "Stripe's hosted payment page: redirect the citizen here (303)" }),
      sandbox: Type.Boolean({ description: 'True when the offline Stripe sandbox is used: no real money moves' }),
    }),
    Type.Object({
      provider: Type.Literal('stripe'),
      paymentIntentId: Type.String({ maxLength: 255 }),
      clientSecret: Type.String({ maxLength: 500, description: "For Stripe.js (confirmPayment) in the citizen's browser" }),
      payUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
        description:
          "A page where the citizen pays, ready to open (the sandbox's pay page); null with live Stripe, where the client secret is used with Stripe.js",
      }),
      sandbox: Type.Boolean({ description: 'True when the offline Stripe sandbox is used: no real money moves' }),
    }),
  ]),
  trackingToken: Type.String({ maxLength: 200, description: 'Give this to the citizen only; send it as the Tracking-Token header' }),
});

const BookingEventSchema = Type.Object({
  fromStatus: Type.Union([BookingStatusSchema, Type.Null()]),
  toStatus: BookingStatusSchema,
  actorType: Type.String({ maxLength: 20 }),
  actorId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
  reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  occurredAt: TimestampSchema,
});

export const StaffBookingSchema = Type.Object({
  ...CitizenBookingSchema.properties,
  recipient: RecipientSchema,
  address: AddressSchema,
  location: LngLatSchema,
  deliveryAttempts: Type.Integer(),
  createdByStaffId: Type.Union([IdSchema, Type.Null()]),
  updatedAt: TimestampSchema,
  events: Type.Array(BookingEventSchema),
  payment: Type.Union([PaymentSummarySchema, Type.Null()]),
  refunds: Type.Array(RefundSchema),
  refundDecision: Type.Union([RefundDecisionSchema, Type.Null()]),
  holds: Type.Array(HoldSchema, {
    description: 'Every hold, open (releasedAt null) and released: an open hold keeps the document in the office',
  }),
  disputes: Type.Array(DisputeSchema),
  discrepancies: Type.Array(DiscrepancySchema),
});

/** Lists carry no contact data or address: whoever needs those opens the booking (and is audited). */
export const BookingSummarySchema = Type.Object({
  ...Type.Omit(CitizenBookingSchema, ['preferredWindows', 'paymentDeadline', 'createdAt']).properties,
  postalCode: Type.String({ maxLength: 5 }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  payment: Type.Union([
    Type.Object({
      status: Type.String({ maxLength: 40 }),
      amountReceivedCents: Type.Union([Type.Integer(), Type.Null()]),
      amountRefundedCents: Type.Integer(),
      disputed: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  openHolds: Type.Array(Type.Union(HOLD_REASONS.map((r) => Type.Literal(r))), { description: 'Reasons the booking is held in the office' }),
});

export const ListBookingsQuery = Type.Object(
  {
    officeId: Type.Optional(IdSchema),
    status: Type.Optional(Type.Array(BookingStatusSchema, { maxItems: 11 })),
    applicationNumber: Type.Optional(ApplicationNumberSchema),
    kassenzeichen: Type.Optional(Type.String({ maxLength: 40 })),
    createdFrom: Type.Optional(TimestampSchema),
    createdTo: Type.Optional(TimestampSchema),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const BookingListSchema = Paginated(BookingSummarySchema);

export const TrackingHeaders = Type.Object({
  'tracking-token': Type.String({ minLength: 10, maxLength: 200 }),
});

const NextStepSchema = Type.Union([
  Type.Object({
    code: Type.Literal('pay'),
    amountCents: Type.Integer(),
    currency: Type.Literal('EUR'),
    payBy: TimestampSchema,
    payUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  }),
  Type.Object({ code: Type.Literal('wait_for_office'), reason: Type.String({ maxLength: 200 }) }),
  Type.Object({ code: Type.Literal('wait_for_document') }),
  Type.Object(
    { code: Type.Literal('confirm_pin_letter') },
    { description: 'Say (POST /v1/tracking/pin-letter) when the PIN letter arrived' },
  ),
  Type.Object({ code: Type.Literal('wait_for_delivery') }),
  Type.Object({ code: Type.Literal('wait_for_new_attempt'), attemptsMade: Type.Integer({ minimum: 1 }) }),
  Type.Object(
    { code: Type.Literal('collect_at_office') },
    { description: 'Every delivery attempt failed: collect the document at the office' },
  ),
  Type.Object({ code: Type.Literal('be_at_home'), window: Type.Union([DeliveryWindowSchema, Type.Null()]) }),
]);

export const TrackingSchema = Type.Object({
  status: BookingStatusSchema,
  amountCents: Type.Integer(),
  currency: Type.Literal('EUR'),
  nextSteps: Type.Array(NextStepSchema, { description: 'What the citizen still has to do or wait for, first things first' }),
  window: Type.Union([DeliveryWindowSchema, Type.Null()], {
    description: 'The announced window once planned, else the earliest preferred window',
  }),
  pinLetter: Type.Object({
    required: Type.Boolean({ description: 'ID and eID cards: dispatched only after the citizen confirmed the PIN letter arrived' }),
    confirmedAt: Type.Union([TimestampSchema, Type.Null()]),
  }),
  deliveryAttempts: Type.Integer({ minimum: 0 }),
  history: Type.Array(Type.Object({ status: BookingStatusSchema, at: TimestampSchema }), {
    description: 'Every step so far, oldest first (who did it is not shown)',
  }),
  updatedAt: TimestampSchema,
});

export const RescheduleBody = Type.Object(
  {
    preferredWindows: Type.Array(DeliveryWindowSchema, {
      minItems: 1,
      maxItems: 5,
      description: 'The new preferred windows; each must lie within a span of a day the office delivers (see listDeliverySlots)',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        preferredWindows: [
          { start: '2026-12-16T08:00:00Z', end: '2026-12-16T12:00:00Z' },
          { start: '2026-12-17T13:00:00Z', end: '2026-12-17T17:00:00Z' },
        ],
      },
    ],
  },
);

export const RescheduledSchema = Type.Object({
  status: BookingStatusSchema,
  preferredWindows: Type.Array(DeliveryWindowSchema),
  changed: Type.Boolean({ description: 'False when the booking already had exactly these windows (a repeated request)' }),
  updatedAt: TimestampSchema,
});

export const PinLetterConfirmedSchema = Type.Object({ pinLetterConfirmedAt: TimestampSchema, alreadyConfirmed: Type.Boolean() });

export const CancelBookingBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false, examples: [{ reason: 'Picking the document up myself' }] },
);

export const CancelBookingResponse = Type.Object({
  booking: CitizenBookingSchema,
  refund: Type.Union([Type.Object({ id: IdSchema, amountCents: Type.Integer(), status: Type.String({ maxLength: 20 }) }), Type.Null()]),
});

export const DocumentArrivalBody = Type.Object(
  { officeId: IdSchema, applicationNumber: ApplicationNumberSchema },
  { additionalProperties: false, examples: [{ officeId: '7d1b7c9e-2f3a-4c52-9a55-0c6f1e0b7a11', applicationNumber: 'A2026-000123' }] },
);

export const DocumentArrivalResponse = Type.Object({
  bookingId: IdSchema,
  status: BookingStatusSchema,
  alreadyRecorded: Type.Boolean(),
});

export const HoldParams = Type.Object({ id: IdSchema, holdId: IdSchema }, { additionalProperties: false });

export const ResolveHoldBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('continue'), Type.Literal('cancel')], {
      description:
        'continue: the booking goes on (a mismatched payment is accepted as paid); cancel: the booking is cancelled (a mismatched payment is refunded in full; money already returned through a refund or dispute is not refunded again)',
    }),
    comment: Type.String({ minLength: 1, maxLength: 1000, description: 'Why; kept with the hold and in the audit log' }),
  },
  {
    additionalProperties: false,
    examples: [{ decision: 'continue', comment: 'Amount differs by the old tariff; accepted by the Kämmerei' }],
  },
);

export const ResolveHoldResponse = Type.Object({
  booking: CitizenBookingSchema,
  hold: HoldSchema,
  refund: Type.Union([Type.Object({ id: IdSchema, amountCents: Type.Integer(), status: Type.String({ maxLength: 20 }) }), Type.Null()]),
});
