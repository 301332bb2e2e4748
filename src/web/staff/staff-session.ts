import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, StaffPrincipal } from '../../auth/auth.service.ts';
import type { StaffRole } from '../../auth/auth.table.ts';
import { AppError } from '../../shared/errors.ts';
import { sendPrivatePage, type PageOptions } from '../private-page.ts';
import { sectionsFor } from './console-sections.ts';

/** The staff session's bearer token, HttpOnly, SameSite=Strict, only sent to the consoles under /amt. */
export const STAFF_COOKIE = 'amtsbote_amt';
export const STAFF_COOKIE_PATH = '/amt';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is signed in on the staff pages (set by `requireStaff`). */
    consoleStaff: StaffPrincipal | null;
  }
}

/** A page of the consoles: the staff layout, who is signed in, a fresh CSRF token; never cached. */
export async function staffView(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: PageOptions,
  template: string,
  data: Record<string, unknown>,
  status = 200,
) {
  return sendPrivatePage(
    request,
    reply,
    opts,
    template,
    { staff: request.consoleStaff, sections: request.consoleStaff ? sectionsFor(request.consoleStaff.roles) : [], ...data },
    status,
  );
}

/** Who is signed in on a console page: requireStaff ran before every route of a console plugin. */
export function signedInStaff(request: FastifyRequest): StaffPrincipal {
  if (!request.consoleStaff) throw new AppError({ code: 'auth.required', status: 401, message: 'Sign in' });
  return request.consoleStaff;
}

/** Form fields as the consoles read them: a string field trimmed to its limit, or empty. */
export const formText = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only a path inside the consoles is a place to go back to after signing in (no open redirect). */
export const safeNext = (next: unknown): string | null =>
  typeof next === 'string' && next.length <= 500 && /^\/amt(\/[^/\\]|$|\?)/.test(next) && !next.includes('//') ? next : null;

/**
 * A pre-handler for a console page: resolves the session cookie to a staff member, sends anyone not
 * signed in to the sign-in page (and back here afterwards), and answers 403 to a role not allowed.
 */
export function requireStaff(auth: AuthService, opts: PageOptions, roles: readonly StaffRole[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[STAFF_COOKIE];
    const staff = token && token.length <= 200 ? await auth.authenticate(token) : null;
    if (!staff) {
      if (token) reply.clearCookie(STAFF_COOKIE, { path: STAFF_COOKIE_PATH });
      const back = request.method === 'GET' ? safeNext(request.url) : null;
      return reply.redirect(back ? `/amt/anmelden?weiter=${encodeURIComponent(back)}` : '/amt/anmelden', 303);
    }
    request.consoleStaff = staff;
    if (roles.length > 0 && !roles.some((r) => staff.roles.includes(r))) {
      return staffView(request, reply, opts, 'staff/forbidden.eta', { title: 'staff.forbidden.title', roles }, 403);
    }
  };
}
