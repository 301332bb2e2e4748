import { Type } from '@sinclair/typebox';
import { PASSWORD_POLICY } from '../auth/password.ts';
import { IdSchema, TimestampSchema } from '../shared/schemas.ts';

export const CreateRiderBody = Type.Object(
  {
    username: Type.String({
      pattern: '^[A-Za-z0-9._-]{3,64}$',
      maxLength: 64,
      description: 'Unique across the platform; stored lower-case',
    }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({
      minLength: 1,
      maxLength: PASSWORD_POLICY.maxLength,
      description: `${PASSWORD_POLICY.minLength} to ${PASSWORD_POLICY.maxLength} characters`,
    }),
  },
  { additionalProperties: false, examples: [{ username: 'velo.mia', displayName: 'Mia B.', password: 'correct horse battery staple' }] },
);

/** A rider as the company sees them: never the password or its hash. */
export const RiderSchema = Type.Object(
  {
    id: IdSchema,
    username: Type.String({ maxLength: 64 }),
    displayName: Type.String({ maxLength: 100 }),
    active: Type.Boolean(),
    createdAt: TimestampSchema,
    lastSignInAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
);

export const RiderListSchema = Type.Object({ data: Type.Array(RiderSchema, { maxItems: 1000 }) }, { additionalProperties: false });
