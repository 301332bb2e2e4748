import { Type } from '@sinclair/typebox';
import { IdSchema, TimestampSchema } from '../shared/schemas.ts';
import { PASSWORD_POLICY } from './password.ts';

export const RoleSchema = Type.Union([Type.Literal('clerk'), Type.Literal('supervisor'), Type.Literal('finance'), Type.Literal('admin')]);
const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{3,64}$', maxLength: 64 });

export const StaffSchema = Type.Object({
  id: IdSchema,
  username: Type.String({ maxLength: 64 }),
  displayName: Type.String({ maxLength: 200 }),
  roles: Type.Array(RoleSchema),
  officeId: Type.Union([IdSchema, Type.Null()]),
});

export const SignInBody = Type.Object(
  { username: Username, password: Type.String({ minLength: 1, maxLength: PASSWORD_POLICY.maxLength }) },
  { additionalProperties: false, examples: [{ username: 'admin', password: 'correct horse battery staple' }] },
);

export const SessionSchema = Type.Object({ token: Type.String({ maxLength: 200 }), expiresAt: TimestampSchema, staff: StaffSchema });

export const CreateStaffBody = Type.Object(
  {
    username: Username,
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    // The minimum is the service's rule (422 staff.weak_password, as the CLI gets it), not a schema
    // minLength, which would answer a generic 400 and leave the documented 422 unreachable.
    password: Type.String({
      maxLength: PASSWORD_POLICY.maxLength,
      description: `${PASSWORD_POLICY.minLength} to ${PASSWORD_POLICY.maxLength} characters; shorter is a 422 staff.weak_password`,
    }),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    officeId: Type.Union([IdSchema, Type.Null()]),
  },
  {
    additionalProperties: false,
    examples: [
      {
        username: 'k.schmidt',
        displayName: 'Karin Schmidt',
        password: 'a long passphrase 2026',
        roles: ['clerk'],
        officeId: '7d1b7c9e-2f3a-4c52-9a55-0c6f1e0b7a11',
      },
    ],
  },
);

export const StaffListSchema = Type.Object({ data: Type.Array(Type.Object({ ...StaffSchema.properties, active: Type.Boolean() })) });
