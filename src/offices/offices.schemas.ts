import { Type } from '@sinclair/typebox';
import { DateSchema, IdSchema, LngLatSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';
import { ATTEMPT_REASONS } from '../dispatch/courier-events.ts';
import { DEFAULT_DELIVERY_HOURS, DEFAULT_REFUND_RULES, GERMAN_STATES, WEEKDAYS } from './offices.table.ts';

export const GermanStateSchema = Type.Union(
  GERMAN_STATES.map((s) => Type.Literal(s)),
  { description: 'Bundesland (ISO 3166-2:DE without the DE- prefix): its public holidays have no delivery' },
);

/** An example that names every day (the document's examples exercise every field). */
const EXAMPLE_HOURS = { ...DEFAULT_DELIVERY_HOURS, sun: [{ start: '10:00', end: '13:00' }] };

const TimeOfDaySchema = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  maxLength: 5,
  description: 'Office-local HH:MM',
});
export const TimeSpanSchema = Type.Object({ start: TimeOfDaySchema, end: TimeOfDaySchema }, { additionalProperties: false });
export const WeeklyHoursSchema = Type.Object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Array(TimeSpanSchema, { maxItems: 4 })])) as Record<
    (typeof WEEKDAYS)[number],
    ReturnType<typeof Type.Array<typeof TimeSpanSchema>>
  >,
  {
    additionalProperties: false,
    description: 'Delivery hours per weekday in office time; an empty list: no delivery that day',
    examples: [EXAMPLE_HOURS],
  },
);

export const PostalCodesSchema = Type.Array(Type.String({ pattern: '^[0-9]{5}$', maxLength: 5 }), {
  minItems: 1,
  maxItems: 2000,
  description: 'The postal codes the office delivers to: a quote for any other is refused',
});

export const PaymentIssueHandlingSchema = Type.Union([Type.Literal('hold'), Type.Literal('automatic')], {
  description:
    'hold: a payment that does not match its booking, a full refund made at Stripe or a lost dispute holds the booking for a finance officer; automatic: the mismatched payment is refunded and the booking cancelled, a booking whose money went back is cancelled',
});

const AttemptFaultSchema = Type.Union([Type.Literal('courier'), Type.Literal('citizen')]);

/** Every known reason may be listed once; an unknown one is refused, an unlisted one is the company's fault. */
export const RefundRulesSchema = Type.Object(
  {
    faultByReason: Type.Object(Object.fromEntries(ATTEMPT_REASONS.map((r) => [r, Type.Optional(AttemptFaultSchema)])), {
      additionalProperties: false,
      description:
        'Who answers for a failed attempt, per reason: courier (the company; the citizen gets everything back) or citizen. A reason not listed counts as the company’s fault.',
    }),
    citizenFault: Type.Union([Type.Literal('none'), Type.Literal('minus_fee')], {
      description: 'When every attempt failed through the citizen: none (nothing back) or minus_fee (everything but the cancellation fee)',
    }),
  },
  {
    additionalProperties: false,
    description: 'How a booking returned to the office after failed attempts is refunded (cancellations follow refundPolicy)',
    examples: [DEFAULT_REFUND_RULES],
  },
);

const DeliveryDaySchema = Type.Object({
  date: DateSchema,
  weekday: Type.Union(WEEKDAYS.map((d) => Type.Literal(d))),
  windows: Type.Array(Type.Object({ start: TimestampSchema, end: TimestampSchema }), {
    description: 'When delivery is offered that day (UTC)',
  }),
  closed: Type.Union([
    Type.Object({
      kind: Type.Union([Type.Literal('holiday'), Type.Literal('closure'), Type.Literal('no_hours')]),
      name: Type.String({ maxLength: 200 }),
    }),
    Type.Null(),
  ]),
});

export const DeliverySlotsSchema = Type.Object({
  timeZone: Type.String({ maxLength: 64 }),
  state: GermanStateSchema,
  hours: WeeklyHoursSchema,
  hoursText: Type.String({ maxLength: 500, description: 'The offered hours in words' }),
  days: Type.Array(DeliveryDaySchema),
});

export const OfficeSchema = Type.Object({
  id: IdSchema,
  slug: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 200 }),
  addressLine: Type.String({ maxLength: 300 }),
  location: LngLatSchema,
});

export const RefundPolicySchema = Type.Union([Type.Literal('full'), Type.Literal('fee_after_ready'), Type.Literal('fee')], {
  description:
    'full: always refund everything; fee_after_ready: keep the cancellation fee once the document has arrived; fee: always keep the fee',
});

export const OfficeDetailsSchema = Type.Object({
  ...OfficeSchema.properties,
  timezone: Type.String({ maxLength: 64 }),
  kassenzeichenPrefix: Type.String({ maxLength: 16 }),
  refundPolicy: RefundPolicySchema,
  cancellationFeeCents: Type.Integer(),
  deliveryAttemptLimit: Type.Integer(),
  state: GermanStateSchema,
  deliveryHours: WeeklyHoursSchema,
  postalCodes: Type.Array(Type.String({ maxLength: 5 })),
  paymentIssueHandling: PaymentIssueHandlingSchema,
  refundRules: RefundRulesSchema,
  createdAt: TimestampSchema,
});

export const CreateOfficeBody = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9-]{3,64}$', maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    addressLine: Type.String({ minLength: 1, maxLength: 300 }),
    location: LngLatSchema,
    kassenzeichenPrefix: Type.String({ pattern: '^[A-Z0-9-]{1,16}$', maxLength: 16 }),
    refundPolicy: RefundPolicySchema,
    cancellationFeeCents: Type.Integer({ minimum: 0, maximum: 100_000 }),
    deliveryAttemptLimit: Type.Integer({ minimum: 1, maximum: 5 }),
    state: GermanStateSchema,
    postalCodes: PostalCodesSchema,
    deliveryHours: Type.Optional(WeeklyHoursSchema),
    paymentIssueHandling: Type.Optional(PaymentIssueHandlingSchema),
    refundRules: Type.Optional(RefundRulesSchema),
  },
  {
    additionalProperties: false,
    examples: [
      {
        refundRules: DEFAULT_REFUND_RULES,
        state: 'BW',
        postalCodes: ['70372', '70374', '70376'],
        deliveryHours: EXAMPLE_HOURS,
        paymentIssueHandling: 'hold',
        slug: 'stuttgart-bad-cannstatt',
        name: 'Bürgerbüro Bad Cannstatt',
        addressLine: 'Marktplatz 10, 70372 Stuttgart',
        location: [9.2143, 48.8048],
        kassenzeichenPrefix: 'STR-BBC',
        refundPolicy: 'fee_after_ready',
        cancellationFeeCents: 150,
        deliveryAttemptLimit: 2,
      },
    ],
  },
);

const Ring = Type.Array(LngLatSchema, { minItems: 4, maxItems: 20_000 });
const PolygonSchema = Type.Object(
  { type: Type.Literal('Polygon'), coordinates: Type.Array(Ring, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);
const MultiPolygonSchema = Type.Object(
  {
    type: Type.Literal('MultiPolygon'),
    coordinates: Type.Array(Type.Array(Ring, { minItems: 1, maxItems: 100 }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
export const ZoneGeometrySchema = Type.Union([PolygonSchema, MultiPolygonSchema], {
  description: 'GeoJSON Polygon or MultiPolygon, WGS84 [lng, lat]',
});

export const ZoneSchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  name: Type.String({ maxLength: 200 }),
  geometry: ZoneGeometrySchema,
  vehicleTypes: Type.Array(VehicleTypeSchema),
  active: Type.Boolean(),
  createdAt: TimestampSchema,
});

export const CreateZoneBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    geometry: ZoneGeometrySchema,
    vehicleTypes: Type.Array(VehicleTypeSchema, { minItems: 1, maxItems: 2, uniqueItems: true }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Innenstadt',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [9.16, 48.77],
              [9.19, 48.77],
              [9.19, 48.785],
              [9.16, 48.785],
              [9.16, 48.77],
            ],
          ],
        },
        vehicleTypes: ['bike'],
      },
    ],
  },
);

export const UpdateZoneBody = Type.Object({ active: Type.Boolean() }, { additionalProperties: false, examples: [{ active: false }] });

export const TariffSchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  zoneId: IdSchema,
  vehicleType: VehicleTypeSchema,
  amountCents: Type.Integer(),
  currency: Type.Literal('EUR'),
  validFrom: TimestampSchema,
  validTo: Type.Union([TimestampSchema, Type.Null()]),
});

export const CreateTariffBody = Type.Object(
  {
    zoneId: IdSchema,
    vehicleType: VehicleTypeSchema,
    amountCents: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Integer euro cents' }),
    validFrom: TimestampSchema,
    validTo: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      { zoneId: '3f2c1b9e-8a6d-4c3b-9e1f-2a7b5c4d6e8f', vehicleType: 'bike', amountCents: 450, validFrom: '2027-01-01T00:00:00Z' },
    ],
  },
);

export const EndTariffBody = Type.Object(
  { validTo: TimestampSchema },
  { additionalProperties: false, examples: [{ validTo: '2027-06-30T22:00:00Z' }] },
);

export const OfficeZoneParams = Type.Object({ id: IdSchema, zoneId: IdSchema }, { additionalProperties: false });
export const OfficeTariffParams = Type.Object({ id: IdSchema, tariffId: IdSchema }, { additionalProperties: false });

export const UpdateOfficeBody = Type.Object(
  {
    state: Type.Optional(GermanStateSchema),
    postalCodes: Type.Optional(PostalCodesSchema),
    deliveryHours: Type.Optional(WeeklyHoursSchema),
    paymentIssueHandling: Type.Optional(PaymentIssueHandlingSchema),
    refundRules: Type.Optional(RefundRulesSchema),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [
      {
        state: 'BW',
        postalCodes: ['70173', '70174'],
        deliveryHours: EXAMPLE_HOURS,
        paymentIssueHandling: 'hold',
        refundRules: { faultByReason: { ...DEFAULT_REFUND_RULES.faultByReason, identity_mismatch: 'courier' }, citizenFault: 'minus_fee' },
      },
    ],
  },
);

export const DeliverySlotsQuery = Type.Object(
  {
    from: Type.Optional(DateSchema),
    days: Type.Integer({ minimum: 1, maximum: 120, default: 28 }),
  },
  { additionalProperties: false },
);

export const ClosureSchema = Type.Object({ date: DateSchema, reason: Type.String({ maxLength: 200 }) });

export const CreateClosureBody = Type.Object(
  { date: DateSchema, reason: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, examples: [{ date: '2027-02-11', reason: 'Betriebsausflug' }] },
);

export const OfficeClosureParams = Type.Object({ id: IdSchema, date: DateSchema }, { additionalProperties: false });
