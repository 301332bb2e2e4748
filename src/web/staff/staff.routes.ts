import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../auth/auth.service.ts';
import { STAFF_ROLES } from '../../auth/auth.table.ts';
import type { createBookingHoldsService } from '../../bookings/booking-holds.service.ts';
import type { createBookingsService } from '../../bookings/bookings.service.ts';
import type { createCouriersService } from '../../couriers/couriers.service.ts';
import type { Database } from '../../db/client.ts';
import type { createDispatchService } from '../../dispatch/dispatch.service.ts';
import type { createHandoverService } from '../../handover/handover.service.ts';
import type { createDeliveryCalendarService } from '../../offices/delivery-calendar.service.ts';
import type { createOfficesService } from '../../offices/offices.service.ts';
import type { createPaymentRecordsService } from '../../payments/payment-records.service.ts';
import type { createRefundDecisionsService } from '../../payments/refund-decisions.service.ts';
import type { createPlanningService } from '../../planning/planning.service.ts';
import type { createQuotesService } from '../../quotes/quotes.service.ts';
import type { createWebhooksService } from '../../webhooks/webhooks.service.ts';
import type { StartRunDeps } from '../../finance/start-reconciliation-run.ts';
import type { FinanceReports } from '../../finance/reports/reports.service.ts';
import type { createOfficesRepository } from '../../offices/offices.repository.ts';
import { RATE_LIMITS } from '../../plugins/rate-limit.plugin.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { adminConsoleRoutes } from './admin.routes.ts';
import { queueDashboardRoutes } from './queue-dashboard.routes.ts';
import type { Queues } from '../../jobs/queues.ts';
import { adminZonesRoutes } from './admin-zones.routes.ts';
import { bookingsConsoleRoutes } from './bookings.routes.ts';
import { counterBookingRoutes, type CounterBookingOptions } from './counter-booking.routes.ts';
import { clerkConsoleRoutes } from './clerk.routes.ts';
import { financeConsoleRoutes } from './finance.routes.ts';
import { handoverConsoleRoutes } from './handover.routes.ts';
import { planningConsoleRoutes } from './planning.routes.ts';
import { requireStaff, safeNext, STAFF_COOKIE, STAFF_COOKIE_PATH, staffView } from './staff-session.ts';

export interface StaffConsoleDeps {
  db: Database;
  clock: () => Date;
  auth: AuthService;
  /** The API's own services: every console operation is one of theirs, with the same rules and audit. */
  bookings: ReturnType<typeof createBookingsService>;
  holds: ReturnType<typeof createBookingHoldsService>;
  quotes: ReturnType<typeof createQuotesService>;
  officesService: ReturnType<typeof createOfficesService>;
  calendar: ReturnType<typeof createDeliveryCalendarService>;
  planning: ReturnType<typeof createPlanningService>;
  dispatch: ReturnType<typeof createDispatchService>;
  handover: ReturnType<typeof createHandoverService>;
  webhooks: ReturnType<typeof createWebhooksService>;
  paymentRecords: ReturnType<typeof createPaymentRecordsService>;
  refundDecisions: ReturnType<typeof createRefundDecisionsService>;
  /** The reconciliation service with the way its runs are enqueued (the API's own). */
  runs: StartRunDeps;
  reports: FinanceReports;
  offices: ReturnType<typeof createOfficesRepository>;
  couriers: ReturnType<typeof createCouriersService>;
  /** The platform's queues, shown to admins in the queue dashboard. */
  queues: Queues;
}

type Body = Record<string, unknown>;

/**
 * The staff consoles under /amt: sign-in with a session cookie (the API's bearer token, kept
 * HttpOnly), sign-out, the overview, and each role's console (one plugin per section, see console-sections.ts).
 */
export async function staffRoutes(app: App, deps: StaffConsoleDeps & CounterBookingOptions & { secureCookies: boolean }) {
  app.decorateRequest('consoleStaff', null);
  const anyStaff = requireStaff(deps.auth, deps, STAFF_ROLES);

  const signInPage = (request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>, status = 200) =>
    staffView(request, reply, deps, 'staff/sign-in.eta', { title: 'staff.signIn.title', username: '', errors: {}, ...data }, status);
  const nextOf = (request: FastifyRequest) =>
    safeNext((request.query as Record<string, unknown>).weiter) ?? safeNext((request.body as Body | undefined)?.weiter);

  // Too many attempts: the sign-in form again, saying when the next one is allowed.
  app.setErrorHandler(async (err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? (err instanceof AppError ? err.status : 0);
    if (status !== 429 || request.routeOptions.url !== '/amt/anmelden') throw err;
    const seconds = Math.max(1, Number(reply.getHeader('retry-after')) || 60);
    const at = new Date(Date.now() + seconds * 1000);
    const body = (request.body as Body | undefined) ?? {};
    return signInPage(
      request,
      reply,
      {
        username: typeof body.username === 'string' ? body.username.slice(0, 64) : '',
        next: nextOf(request),
        lockedOut: { minutes: Math.ceil(seconds / 60), at },
      },
      429,
    );
  });

  app.get('/amt/anmelden', { schema: { hide: true } }, async (request, reply) =>
    signInPage(request, reply, { next: nextOf(request), signedOut: (request.query as Body).abgemeldet === '1' }),
  );

  app.post<{ Body: Body }>(
    '/amt/anmelden',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.signIn }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const body = request.body ?? {};
      const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
      const next = nextOf(request);
      const errors = {
        ...(username === '' ? { username: { key: 'error.required' } } : {}),
        ...(password === '' ? { password: { key: 'error.required' } } : {}),
      };
      if (Object.keys(errors).length > 0) return signInPage(request, reply, { username, next, errors }, 422);
      let session;
      try {
        session = await deps.auth.signIn({ username, password, requestId: String(request.id) });
      } catch (err) {
        if (err instanceof AppError && err.status === 401) return signInPage(request, reply, { username, next, failed: true }, 401);
        throw err;
      }
      reply.setCookie(STAFF_COOKIE, session.token, {
        path: STAFF_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies || request.protocol === 'https',
        expires: session.expiresAt,
      });
      const home = session.staff.roles.includes('finance') ? '/amt/finanzen' : '/amt';
      return reply.redirect(next ?? home, 303);
    },
  );

  app.post('/amt/abmelden', { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[STAFF_COOKIE];
    if (token && token.length <= 200) await deps.auth.signOut(token);
    reply.clearCookie(STAFF_COOKIE, { path: STAFF_COOKIE_PATH });
    return reply.redirect('/amt/anmelden?abgemeldet=1', 303);
  });

  app.get('/amt', { schema: { hide: true }, preHandler: anyStaff }, async (request, reply) =>
    staffView(request, reply, deps, 'staff/home.eta', { title: 'staff.home.title' }),
  );

  // Each console is a plugin of its own; a role not allowed on one of its pages gets the 403 page.
  await app.register(clerkConsoleRoutes, deps);
  await app.register(counterBookingRoutes, deps);
  await app.register(bookingsConsoleRoutes, deps);
  await app.register(planningConsoleRoutes, deps);
  await app.register(handoverConsoleRoutes, deps);
  await app.register(adminConsoleRoutes, deps);
  await app.register(adminZonesRoutes, deps);
  await app.register(queueDashboardRoutes, deps);
  await app.register(financeConsoleRoutes, deps);
}
