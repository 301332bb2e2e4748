import { Type } from '@sinclair/typebox';
import { IdSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';
import { CourierShiftSchema, CreateCourierShiftBody } from '../planning/planning.schemas.ts';

const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()/-]{6,30}$', maxLength: 30 })),
  },
  { additionalProperties: false },
);

const WebhookUrl = Type.String({ maxLength: 2048, pattern: '^https?://', description: 'Where route offers and updates are POSTed' });
const Cents = (description: string) => Type.Integer({ minimum: 0, maximum: 100_000, description });

const CompanyFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  vehicleTypes: Type.Array(VehicleTypeSchema, { minItems: 1, maxItems: 2, uniqueItems: true }),
  zoneIds: Type.Array(IdSchema, { minItems: 1, maxItems: 200, description: 'Service zones the company delivers in' }),
  pricePerDeliveryCents: Cents('What the company may invoice per delivered job'),
  pricePerFailedAttemptCents: Cents('What the company may invoice per failed attempt'),
  contact: Contact,
  webhookUrl: Type.Optional(Type.Union([WebhookUrl, Type.Null()])),
};

const EXAMPLE = {
  name: 'Velokurier Stuttgart GmbH',
  vehicleTypes: ['bike'],
  zoneIds: ['3f2c1b9e-8a6d-4c3b-9e1f-2a7b5c4d6e8f'],
  pricePerDeliveryCents: 600,
  pricePerFailedAttemptCents: 300,
  contact: { name: 'Dispo', email: 'dispo@velokurier.example', phone: '+49 711 555 0100' },
  webhookUrl: 'https://velokurier.example/hooks/amtsbote',
};

export const CreateCourierCompanyBody = Type.Object(CompanyFields, { additionalProperties: false, examples: [EXAMPLE] });

export const UpdateCourierCompanyBody = Type.Object(
  {
    ...Type.Partial(Type.Object(CompanyFields)).properties,
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('suspended')], {
        description: 'A suspended company gets no offers and its key opens nothing',
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ ...EXAMPLE, status: 'suspended' }],
  },
);

export const CourierCompanySchema = Type.Object({
  id: IdSchema,
  name: Type.String({ maxLength: 200 }),
  vehicleTypes: Type.Array(VehicleTypeSchema),
  zoneIds: Type.Array(IdSchema),
  pricePerDeliveryCents: Type.Integer(),
  pricePerFailedAttemptCents: Type.Integer(),
  contact: Type.Object({
    name: Type.String({ maxLength: 200 }),
    email: Type.String({ maxLength: 254 }),
    phone: Type.Union([Type.String({ maxLength: 30 }), Type.Null()]),
  }),
  webhookUrl: Type.Union([Type.String({ maxLength: 2048 }), Type.Null()]),
  webhookDisabled: Type.Union(
    [Type.Object({ at: TimestampSchema, reason: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]) }), Type.Null()],
    {
      description:
        'Set when the receiver answered 410 Gone: events wait until an admin enables it (enableCourierWebhook, or a new webhookUrl)',
    },
  ),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const CourierCompanyDetailsSchema = Type.Object({
  ...CourierCompanySchema.properties,
  apiKeys: Type.Array(Type.Object({ prefix: Type.String({ maxLength: 24 }), createdAt: TimestampSchema }), {
    description: 'Live keys, by their first characters only',
  }),
});

const ApiKey = Type.String({ maxLength: 200, description: 'Shown once: the company sends it as `Authorization: Bearer <key>`' });
const SigningSecret = Type.String({
  maxLength: 100,
  description: 'Shown once: the Standard Webhooks secret (`whsec_…`) our webhooks are signed with',
});

export const CreatedCourierCompanySchema = Type.Object({ company: CourierCompanySchema, apiKey: ApiKey, signingSecret: SigningSecret });
export const RotatedApiKeySchema = Type.Object({ apiKey: ApiKey });

export const RotateSecretBody = Type.Object(
  {
    overlapHours: Type.Integer({
      minimum: 0,
      maximum: 720,
      default: 24,
      description: 'How long the previous secret keeps signing next to the new one (0: it stops at once)',
    }),
  },
  { additionalProperties: false, examples: [{ overlapHours: 24 }] },
);
export const RotatedSecretSchema = Type.Object({ signingSecret: SigningSecret, previousSecretsRetireAt: TimestampSchema });

export const AnnounceShiftBody = Type.Object(
  { officeId: IdSchema, ...Type.Omit(CreateCourierShiftBody, ['courierCompanyId']).properties },
  {
    additionalProperties: false,
    examples: [
      {
        officeId: '7d1b7c9e-2f3a-4c52-9a55-0c6f1e0b7a11',
        deliveryDate: '2026-12-15',
        vehicleType: 'bike',
        vehicleCount: 2,
        capacity: 20,
        shiftStart: '2026-12-15T07:00:00Z',
        shiftEnd: '2026-12-15T15:00:00Z',
      },
    ],
  },
);

export const OwnShiftsQuery = Type.Object(
  {
    officeId: Type.Optional(IdSchema),
    deliveryDate: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10 })),
  },
  { additionalProperties: false },
);

export { CourierShiftSchema };
export const CourierShiftListSchema = Type.Object({ data: Type.Array(CourierShiftSchema) });
