import { Type } from '@sinclair/typebox';
import { access, staffOf } from '../plugins/access.plugin.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses } from '../shared/schemas.ts';
import { createSignInRequiredError } from './auth.errors.ts';
import type { AuthService } from './auth.service.ts';
import { CreateStaffBody, SessionSchema, SignInBody, StaffListSchema, StaffSchema } from './auth.schemas.ts';
import { STAFF_ROLES } from './auth.table.ts';

export async function authRoutes(app: App, opts: { auth: AuthService }) {
  app.post(
    '/v1/auth/sessions',
    {
      config: { access: access.public({ ignoresStaffToken: true }), rateLimit: RATE_LIMITS.signIn },
      schema: {
        operationId: 'signIn',
        tags: ['staff'],
        summary: 'Staff sign-in: returns a bearer token',
        description: 'Ten attempts per address and username in five minutes; then 429 until the window has passed.',
        body: SignInBody,
        response: { 201: SessionSchema, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { token, expiresAt, staff } = await opts.auth.signIn({ ...request.body, requestId: String(request.id) });
      return reply.status(201).send({ token, expiresAt: expiresAt.toISOString(), staff });
    },
  );

  app.delete(
    '/v1/auth/sessions/current',
    {
      config: { access: access.staff(...STAFF_ROLES) },
      schema: { operationId: 'signOut', tags: ['staff'], summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const header = request.headers.authorization;
      // The access hook authenticated this header; a request without one never gets here.
      if (!header) throw createSignInRequiredError();
      await opts.auth.signOut(header.slice('Bearer '.length));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/auth/me',
    {
      config: { access: access.staff(...STAFF_ROLES) },
      schema: { operationId: 'getCurrentStaff', tags: ['staff'], summary: 'Who is signed in', response: { 200: StaffSchema } },
    },
    async (request) => staffOf(request),
  );

  app.post(
    '/v1/staff',
    {
      config: { access: access.staff('admin') },
      schema: {
        operationId: 'createStaffUser',
        tags: ['staff'],
        summary: 'Create a staff account',
        body: CreateStaffBody,
        response: { 201: StaffSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const staff = await opts.auth.createStaffUser({ ...request.body, actorId: staffOf(request).id, requestId: String(request.id) });
      return reply.status(201).send(staff);
    },
  );

  app.get(
    '/v1/staff',
    {
      config: { access: access.staff('admin') },
      schema: { operationId: 'listStaffUsers', tags: ['staff'], summary: 'All staff accounts', response: { 200: StaffListSchema } },
    },
    async () => ({ data: await opts.auth.listStaffUsers() }),
  );
}
