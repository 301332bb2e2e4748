import { Type } from '@sinclair/typebox';
import { IdSchema, LngLatSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';

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
  },
  {
    additionalProperties: false,
    examples: [
      {
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
