import { Type } from '@sinclair/typebox';
import { AddressSchema, IdSchema, LngLatSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';
import { DeliverySlotsSchema } from '../offices/offices.schemas.ts';

export const CreateQuoteBody = Type.Object(
  {
    officeId: IdSchema,
    address: AddressSchema,
    location: LngLatSchema,
  },
  {
    additionalProperties: false,
    examples: [
      {
        officeId: '7d1b7c9e-2f3a-4c52-9a55-0c6f1e0b7a11',
        address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
        location: [9.1773, 48.7754],
      },
    ],
  },
);

export const QuoteOptionSchema = Type.Object({
  vehicleType: VehicleTypeSchema,
  amountCents: Type.Integer({ minimum: 1 }),
  currency: Type.Literal('EUR'),
});

export const QuoteSchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  location: LngLatSchema,
  options: Type.Array(QuoteOptionSchema),
  expiresAt: TimestampSchema,
  deliverySlots: Type.Object(DeliverySlotsSchema.properties, {
    description: 'When delivery is offered in the coming four weeks: the preferred windows of a booking must lie within these',
  }),
});
