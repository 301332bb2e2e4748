import { Type, type TSchema } from '@sinclair/typebox';

/** Small bounded building blocks reused by every route schema. */
export const IdSchema = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });
export const IdParams = Type.Object({ id: IdSchema }, { additionalProperties: false });

export const LngLatSchema = Type.Tuple([Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })], {
  description: 'GeoJSON position [longitude, latitude], WGS84',
  examples: [[9.1829, 48.7758]],
});

export const MoneySchema = Type.Object(
  {
    amountCents: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Integer euro cents' }),
    currency: Type.Literal('EUR'),
  },
  { additionalProperties: false },
);

export const TimestampSchema = Type.String({ format: 'date-time', maxLength: 40, description: 'UTC, ISO 8601' });

export const DateSchema = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description: 'Calendar date YYYY-MM-DD' });

export const VehicleTypeSchema = Type.Union([Type.Literal('bike'), Type.Literal('ecar')]);

export const DocumentTypeSchema = Type.Union([
  Type.Literal('id_card'),
  Type.Literal('passport'),
  Type.Literal('eid_card'),
  Type.Literal('child_passport'),
]);

export const AddressSchema = Type.Object(
  {
    street: Type.String({ minLength: 1, maxLength: 120 }),
    houseNumber: Type.String({ minLength: 1, maxLength: 16 }),
    addressLine2: Type.Optional(Type.String({ maxLength: 120 })),
    postalCode: Type.String({ pattern: '^[0-9]{5}$', maxLength: 5, description: 'German postal code (PLZ)' }),
    city: Type.String({ minLength: 1, maxLength: 80 }),
  },
  { additionalProperties: false },
);

export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ maxLength: 100 }),
      message: Type.String({ maxLength: 2000 }),
      requestId: Type.String({ maxLength: 100 }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
);

export const ErrorRef = Type.Ref('ErrorResponse');

/** The error statuses every operation may answer, so each route documents them. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorRef]));
}

export const Paginated = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  });
