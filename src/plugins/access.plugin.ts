import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { StaffRole } from '../auth/auth.table.ts';
import type { AuthService, StaffPrincipal } from '../auth/auth.service.ts';
import {
  createInvalidSessionTokenError,
  createMalformedAuthorizationError,
  createRoleRequiredError,
  createSignInOrTrackingTokenRequiredError,
  createSignInRequiredError,
  createStaffRoleNotAllowedError,
} from '../auth/auth.errors.ts';
import { ErrorRef } from '../shared/schemas.ts';
import { createCourierKeyInvalidError, createCourierKeyRequiredError } from '../couriers/couriers.errors.ts';
import type { CourierCompany } from '../couriers/couriers.table.ts';
import { COURIER_KEY_PREFIX } from '../couriers/couriers.service.ts';

/**
 * Who may call an operation. Every `/v1` route must declare one (registration fails otherwise),
 * so a new route cannot forget it; the role-matrix test walks this registry.
 */
export type Access =
  /**
   * Anyone. A staff token, if sent, is checked and identifies the caller (a clerk booking at the
   * counter), unless the operation ignores it: sign-in must work while a client still sends the
   * token of the session that just expired.
   */
  | {
      kind: 'public';
      ignoresStaffToken?: true;
      /** Staff who send a token must hold one of these roles (a counter booking is a clerk's work, not finance's). */
      staffRoles?: readonly StaffRole[];
    }
  | { kind: 'staff'; roles: readonly StaffRole[] }
  /** Staff with one of the roles, or a citizen holding the booking's tracking token. */
  | { kind: 'staff_or_tracking_token'; roles: readonly StaffRole[] }
  /** A courier company with its API key; it acts only on what is its own. */
  | { kind: 'courier_company' }
  /** Authenticated by a signature on the body (Stripe), checked by the handler. */
  | { kind: 'signature' };

export const access = {
  public: (opts: { ignoresStaffToken?: true; staffRoles?: readonly StaffRole[] } = {}): Access => ({ kind: 'public', ...opts }),
  staff: (...roles: StaffRole[]): Access => ({ kind: 'staff', roles }),
  staffOrTrackingToken: (...roles: StaffRole[]): Access => ({ kind: 'staff_or_tracking_token', roles }),
  courierCompany: (): Access => ({ kind: 'courier_company' }),
  signature: (): Access => ({ kind: 'signature' }),
};

/** What the access layer needs to know of courier companies: who an API key belongs to. */
export interface CourierKeyAuthenticator {
  authenticate(apiKey: string): Promise<CourierCompany | undefined>;
}

export interface RegisteredOperation {
  method: string;
  url: string;
  operationId: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    staff: StaffPrincipal | null;
    trackingToken: string | null;
    courierCompany: CourierCompany | null;
  }
  interface FastifyInstance {
    operations: RegisteredOperation[];
  }
}

export const TRACKING_TOKEN_HEADER = 'tracking-token';

/**
 * The signed-in staff member, for handlers of `access.staff(…)` operations: the onRequest hook
 * has set `request.staff` before the handler runs. Called where the hook did not (a route
 * declared public by mistake), it answers the hook's own 401 `auth.required`.
 */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw createSignInRequiredError();
  return request.staff;
}

export const accessPlugin = fp(
  async (app: FastifyInstance, opts: { auth: AuthService; couriers: CourierKeyAuthenticator }) => {
    app.decorate('operations', [] as RegisteredOperation[]);
    app.decorateRequest('staff', null);
    app.decorateRequest('trackingToken', null);
    app.decorateRequest('courierCompany', null);

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1/') || route.method === 'HEAD') return;
      const decl = route.config?.access;
      const operationId = (route.schema as { operationId?: string } | undefined)?.operationId;
      if (!decl) throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access)`);
      if (!operationId) throw new Error(`Route ${String(route.method)} ${route.url} has no operationId`);
      for (const method of [route.method].flat()) app.operations.push({ method, url: route.url, operationId, access: decl });
      if (decl.kind === 'public' && decl.staffRoles) {
        const schema = (route.schema ??= {}) as Record<string, unknown>;
        schema.description = `${schema.description ? `${String(schema.description)}\n\n` : ''}Open to everyone; staff who send a token must be: ${decl.staffRoles.join(', ')}.`;
      }
      if (decl.kind === 'courier_company') {
        const schema = (route.schema ??= {}) as Record<string, unknown>;
        schema.security = [{ courierApiKey: [] }];
        const response = (schema.response ??= {}) as Record<string, unknown>;
        response[401] ??= ErrorRef;
        schema.description = `${schema.description ? `${String(schema.description)}\n\n` : ''}Courier companies, with their API key; a company sees and changes only its own.`;
      }
      if (decl.kind === 'staff' || decl.kind === 'staff_or_tracking_token') {
        const schema = (route.schema ??= {}) as Record<string, unknown>;
        schema.security = decl.kind === 'staff' ? [{ staffBearer: [] }] : [{ staffBearer: [] }, { trackingToken: [] }];
        const response = (schema.response ??= {}) as Record<string, unknown>;
        response[401] ??= ErrorRef;
        response[403] ??= ErrorRef;
        const roles = decl.roles.join(', ');
        schema.description = `${schema.description ? `${String(schema.description)}\n\n` : ''}Roles: ${roles}${decl.kind === 'staff_or_tracking_token' ? ", or the citizen with the booking's tracking token (header `Tracking-Token`)" : ''}.`;
      }
    });

    app.addHook('onRequest', async (request) => {
      const decl = request.routeOptions.config?.access;
      if (!decl || decl.kind === 'public' || decl.kind === 'signature') {
        // Public operations may still be called by staff (a clerk booking at the counter).
        if (decl?.kind === 'public' && !decl.ignoresStaffToken && request.headers.authorization) {
          const staff = await authenticate(request, opts.auth);
          if (staff && decl.staffRoles && !staff.roles.some((r) => decl.staffRoles?.includes(r))) {
            throw createStaffRoleNotAllowedError(decl.staffRoles);
          }
          request.staff = staff;
        }
        return;
      }
      if (decl.kind === 'courier_company') {
        const key = bearerOf(request);
        if (!key || !key.startsWith(`${COURIER_KEY_PREFIX}_`)) throw createCourierKeyRequiredError();
        const company = await opts.couriers.authenticate(key);
        if (!company) throw createCourierKeyInvalidError();
        request.courierCompany = company;
        return;
      }
      if (decl.kind === 'staff_or_tracking_token' && !request.headers.authorization) {
        const token = request.headers[TRACKING_TOKEN_HEADER];
        if (typeof token !== 'string' || token.length < 10 || token.length > 200) {
          throw createSignInOrTrackingTokenRequiredError();
        }
        request.trackingToken = token;
        return;
      }
      const staff = await authenticate(request, opts.auth);
      if (!staff) throw createSignInRequiredError();
      if (!staff.roles.some((r) => decl.roles.includes(r))) {
        throw createRoleRequiredError(decl.roles);
      }
      request.staff = staff;
    });
  },
  { name: 'access', dependencies: ['error-handler'] },
);

/** The bearer token of the request; a malformed Authorization header is a 401. */
function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const token = /^Bearer ([A-Za-z0-9_\-.]{10,200})$/.exec(header)?.[1];
  if (!token) throw createMalformedAuthorizationError();
  return token;
}

/** The courier company of an `access.courierCompany()` operation (set by the onRequest hook). */
export function companyOf(request: FastifyRequest): CourierCompany {
  if (!request.courierCompany) throw createCourierKeyRequiredError();
  return request.courierCompany;
}

async function authenticate(request: FastifyRequest, auth: AuthService): Promise<StaffPrincipal | null> {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_\-.]{10,200})$/.exec(header);
  const token = match?.[1];
  if (!token) throw createMalformedAuthorizationError();
  const staff = await auth.authenticate(token);
  if (!staff) throw createInvalidSessionTokenError();
  return staff;
}
