import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RiderPrincipal, RidersService } from '../../couriers/riders.service.ts';
import { AppError } from '../../shared/errors.ts';
import { sendPrivatePage } from '../private-page.ts';

/** The rider's session token: HttpOnly, SameSite=Strict, sent only to the app under /kurier. */
export const RIDER_COOKIE = 'amtsbote_kurier';
export const RIDER_COOKIE_PATH = '/kurier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is signed in on the rider app (set by `requireRider`). */
    rider: RiderPrincipal | null;
  }
}

/**
 * A page of the rider app: its own layout, a fresh CSRF token, never cached (by the browser or
 * the service worker: the pages carry names, addresses and phone numbers).
 */
export async function riderView(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { sandbox: boolean },
  template: string,
  data: Record<string, unknown>,
  status = 200,
) {
  return sendPrivatePage(
    request,
    reply,
    opts,
    template,
    { rider: request.rider?.rider ?? null, company: request.rider?.company ?? null, ...data },
    status,
  );
}

export function signedInRider(request: FastifyRequest): RiderPrincipal {
  if (!request.rider) throw new AppError({ code: 'auth.required', status: 401, message: 'Sign in' });
  return request.rider;
}

/** A pre-handler for the app's pages: no (live) session, and the rider is sent to the sign-in page. */
export function requireRider(riders: RidersService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[RIDER_COOKIE];
    const principal = token ? await riders.authenticate(token) : null;
    if (!principal) {
      if (token) reply.clearCookie(RIDER_COOKIE, { path: RIDER_COOKIE_PATH });
      return reply.redirect(token ? '/kurier/anmelden?abgelaufen=1' : '/kurier/anmelden', 303);
    }
    request.rider = principal;
  };
}
