import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RidersService } from '../../couriers/riders.service.ts';
import type { DispatchService } from '../../dispatch/dispatch.service.ts';
import { RATE_LIMITS } from '../../plugins/rate-limit.plugin.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { RIDER_COOKIE, RIDER_COOKIE_PATH, riderView } from './courier-session.ts';
import { refusalKey } from './refusals.ts';
import { tourRoutes } from './tour.routes.ts';

const SERVICE_WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public/courier-sw.js');

export interface CourierAppDeps {
  clock: () => Date;
  riders: RidersService;
  /** The courier API's own service: every action of the app is one of its events. */
  dispatch: DispatchService;
}

export type CourierAppOptions = CourierAppDeps & { sandbox: boolean; secureCookies: boolean };

type Body = Record<string, unknown>;

/**
 * The rider app under /kurier, for courier companies without a system of their own: a rider signs
 * in (session cookie, like the staff consoles), sees the company's routes of today, and reports
 * from the road and the door. Small screens first; installable as a PWA.
 */
export async function courierAppRoutes(app: App, deps: CourierAppOptions) {
  app.decorateRequest('rider', null);

  const signInPage = (request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>, status = 200) =>
    riderView(request, reply, deps, 'courier/sign-in.eta', { title: 'ca.signIn.title', username: '', errors: {}, ...data }, status);

  // The app's own answers to what goes wrong: its layout, its words; too many sign-ins say until when.
  app.setErrorHandler(async (err, request, reply) => {
    const code = (err as { code?: string }).code;
    const status = (err as { statusCode?: number }).statusCode ?? (err instanceof AppError ? err.status : 0);
    if (status === 429 && request.routeOptions.url === '/kurier/anmelden') {
      const seconds = Math.max(1, Number(reply.getHeader('retry-after')) || 60);
      const body = (request.body as Body | undefined) ?? {};
      return signInPage(
        request,
        reply,
        {
          username: typeof body.username === 'string' ? body.username.slice(0, 64) : '',
          lockedOut: { minutes: Math.ceil(seconds / 60), at: new Date(Date.now() + seconds * 1000) },
        },
        429,
      );
    }
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      return riderView(request, reply, deps, 'courier/error.eta', { title: 'ca.error.title', messageKey: 'error.csrf' }, 403);
    }
    if (status >= 400 && status < 500) {
      const messageKey = status === 404 ? 'ca.error.notFound' : refusalKey(err);
      return riderView(request, reply, deps, 'courier/error.eta', { title: 'ca.error.title', messageKey }, status);
    }
    throw err;
  });

  app.get('/kurier/anmelden', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Body;
    return signInPage(request, reply, { signedOut: query.abgemeldet === '1', expired: query.abgelaufen === '1' });
  });

  app.post<{ Body: Body }>(
    '/kurier/anmelden',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.signIn }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const body = request.body ?? {};
      const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
      const errors = {
        ...(username === '' ? { username: { key: 'error.required' } } : {}),
        ...(password === '' ? { password: { key: 'error.required' } } : {}),
      };
      if (Object.keys(errors).length > 0) return signInPage(request, reply, { username, errors }, 422);
      let session;
      try {
        session = await deps.riders.signIn({ username, password, requestId: String(request.id) });
      } catch (err) {
        if (err instanceof AppError && err.status === 401) return signInPage(request, reply, { username, failed: true }, 401);
        throw err;
      }
      reply.setCookie(RIDER_COOKIE, session.token, {
        path: RIDER_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies || request.protocol === 'https',
        expires: session.expiresAt,
      });
      return reply.redirect('/kurier', 303);
    },
  );

  app.post('/kurier/abmelden', { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[RIDER_COOKIE];
    if (token && token.length <= 200) await deps.riders.signOut(token);
    reply.clearCookie(RIDER_COOKIE, { path: RIDER_COOKIE_PATH });
    return reply.redirect('/kurier/anmelden?abgemeldet=1', 303);
  });

  // The service worker lives at /kurier/ so that it may control the app's pages (a worker's scope
  // is at most its own directory, widened here to /kurier itself, the start page); always revalidated.
  const worker = await readFile(SERVICE_WORKER, 'utf8');
  app.get('/kurier/sw.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/kurier')
      .send(worker),
  );

  await app.register(tourRoutes, deps);
}
