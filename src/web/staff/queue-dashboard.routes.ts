import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { errorResponse } from '@bull-board/api/dist/errors.js';
import { errorHandler as boardErrorHandler } from '@bull-board/api/dist/handlers/error.js';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queues } from '../../jobs/queues.ts';
import { QUEUE_NAMES } from '../../jobs/registry.ts';
import type { App } from '../../shared/app-types.ts';
import type { AuthService } from '../../auth/auth.service.ts';
import { CONSOLE_SECTIONS, SECTION_ROLES } from './console-sections.ts';
import { requireStaff } from './staff-session.ts';
import { recordAudit } from '../../audit/audit.repository.ts';
import type { Database } from '../../db/client.ts';

export const QUEUE_DASHBOARD_PATH = CONSOLE_SECTIONS.find((s) => s.id === 'queues')?.href ?? '/amt/verwaltung/warteschlangen';

/**
 * bull-board's page has inline styles (its loading placeholder) and React sets style attributes;
 * its scripts are files. So only styles get 'unsafe-inline', and only on these routes: the rest of
 * the pages keep the strict policy of web.plugin.ts. No outside origin at all (see GOOGLE_FONTS).
 */
const DASHBOARD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    objectSrc: ["'none'"],
  },
};

/**
 * bull-board's index.html loads IBM Plex from Google Fonts: that would tell Google every admin's
 * address (and the CSP refuses it anyway). The link is taken out; the UI falls back to system fonts.
 */
const GOOGLE_FONTS = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^"]*"[^>]*>/g;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The changes an admin may make here, by bull-board API route (after the dashboard's path): retry,
 * promote, remove one job, pause and resume. Everything else its API offers is refused: adding a
 * hand-made job, editing a job's data, delay or priority, emptying, cleaning or obliterating a
 * queue, removing or running a job scheduler (payments, finance and housekeeping run on them),
 * changing concurrency or rate limits. Those would bypass the platform's own rules, and the
 * database-backed sweeps already catch up what a lost job leaves behind.
 */
const ALLOWED_CHANGES: ReadonlyArray<{ action: string; pattern: RegExp }> = [
  { action: 'queue.paused_all', pattern: /^PUT \/api\/queues\/pause$/ },
  { action: 'queue.resumed_all', pattern: /^PUT \/api\/queues\/resume$/ },
  { action: 'queue.paused', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/pause$/ },
  { action: 'queue.resumed', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/resume$/ },
  { action: 'queue.retried_all', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/retry\/(?<state>failed|completed)$/ },
  { action: 'queue.promoted_all', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/promote$/ },
  { action: 'queue.job_retried', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/(?<job>[^/]+)\/retry$/ },
  { action: 'queue.job_promoted', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/(?<job>[^/]+)\/promote$/ },
  { action: 'queue.job_removed', pattern: /^PUT \/api\/queues\/(?<queue>[^/]+)\/(?<job>[^/]+)\/clean$/ },
];

/** The allowed change a request is, or null (also for GET); `path` is after the dashboard's prefix. */
export function queueChangeOf(method: string, path: string) {
  const line = `${method} ${path}`;
  for (const { action, pattern } of ALLOWED_CHANGES) {
    const match = pattern.exec(line);
    if (match) {
      const g = match.groups ?? {};
      return {
        action,
        queue: g.queue ? decodeURIComponent(g.queue) : null,
        jobId: g.job ? decodeURIComponent(g.job) : null,
        state: g.state ?? null,
      };
    }
  }
  return null;
}

/**
 * The queue dashboard for admins (bull-board) at /amt/verwaltung/warteschlangen: every queue of
 * the job registry, with its jobs, and retry/promote/remove/pause/resume (ALLOWED_CHANGES, each
 * audited). In an encapsulated context of its own:
 * bull-board's adapter registers @fastify/view (EJS) and @fastify/static in a child of this one, so
 * they do not touch the consoles' Eta and static files.
 *
 * Every route of it — the page, its static files and its JSON API (which can retry, remove and
 * empty) — is behind the admin's staff session: not signed in, to the sign-in page; another role,
 * the 403 page. Its API changes things with PUT/POST/PATCH fetch calls carrying the staff cookie,
 * which is SameSite=Strict (staff-session.ts): a cross-site form or fetch is sent without it and
 * ends at the sign-in redirect. On top, a browser's own Sec-Fetch-Site must say same-origin for
 * those methods (or, where a browser sends none, Origin must be this site's), so neither a sibling
 * subdomain (same site, other origin) can act.
 */
export async function queueDashboardRoutes(app: App, deps: { auth: AuthService; queues: Queues; sandbox: boolean; db: Database }) {
  // The consoles' Eta, taken here: inside bull-board's context `reply.viewAsync` is EJS's.
  const etaView = app.view;
  const render = (template: string, data: Record<string, unknown>) => etaView(template, data);
  const admin = requireStaff(deps.auth, { sandbox: deps.sandbox, render }, SECTION_ROLES.queues);

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  // Queues are handed over at the first request: building the app touches no queue (the OpenAPI
  // generator builds it with stand-ins that refuse every call, see openapi.ts).
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Amtsbote',
        hideDocsLink: true,
        miscLinks: [{ text: 'Verwaltung', url: '/amt/verwaltung' }],
        locale: { lng: 'de-DE' },
      },
    },
  });
  let queuesShown = false;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!queuesShown) {
      board.setQueues(QUEUE_NAMES.map((name) => new BullMQAdapter(deps.queues.queue(name))));
      queuesShown = true;
    }
    const site = request.headers['sec-fetch-site'];
    if (UNSAFE_METHODS.has(request.method) && site !== undefined && site !== 'same-origin') {
      return reply
        .code(403)
        .header('cache-control', 'no-store')
        .send({ error: { code: 'web.cross_origin', message: 'Only the dashboard itself may change queues', requestId: request.id } });
    }
    await admin(request, reply);
    // Returning the reply from an async hook means "answered": only when the guard did answer.
    if (reply.sent) return reply;
    // A browser that sends no Sec-Fetch-Site (Safari before 16.4) still sends Origin with a
    // changing fetch: it must be this site's own, so a sibling subdomain cannot act either.
    if (UNSAFE_METHODS.has(request.method) && site === undefined && request.headers.origin !== `${request.protocol}://${request.host}`) {
      return reply
        .code(403)
        .header('cache-control', 'no-store')
        .send({ error: { code: 'web.cross_origin', message: 'Only the dashboard itself may change queues', requestId: request.id } });
    }
    if (UNSAFE_METHODS.has(request.method) && !queueChangeOf(request.method, pathAfterPrefix(request.url))) {
      return reply
        .code(403)
        .header('cache-control', 'no-store')
        .send({
          error: {
            code: 'web.queue_action_refused',
            message: 'The dashboard may retry, promote or remove a job and pause or resume queues; nothing else',
            requestId: request.id,
          },
        });
    }
  });
  // Every change made here is audited once it has been made, and before the admin is told it was:
  // in onSend, not onResponse, so a 200 the browser sees has its audit row already (and a process
  // that ends right after answering has not answered a change it never recorded).
  app.addHook('onSend', async (request, reply) => {
    const change = UNSAFE_METHODS.has(request.method) ? queueChangeOf(request.method, pathAfterPrefix(request.url)) : null;
    if (!change || reply.statusCode >= 400 || !request.consoleStaff) return;
    await recordAudit(deps.db, {
      actorType: 'staff',
      actorId: request.consoleStaff.id,
      action: change.action,
      subjectType: 'queue',
      subjectId: change.queue ?? 'all',
      requestId: String(request.id),
      details: { ...(change.jobId ? { jobId: change.jobId } : {}), ...(change.state ? { state: change.state } : {}) },
    }).catch((err: unknown) => request.log.error({ err }, 'could not audit a queue dashboard change'));
  });
  // Nothing of it is cached: job data and errors are the platform's internals.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      return payload.replace(GOOGLE_FONTS, '');
    }
    return payload;
  });
  // The per-route policy of @fastify/helmet (read from the route's config when a request comes in).
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), helmet: { contentSecurityPolicy: DASHBOARD_CSP } } as typeof route.config;
  });

  // bull-board answers any error with its message; a Redis or driver message stays in the log.
  serverAdapter.setErrorHandler((error: Parameters<typeof boardErrorHandler>[0]) => {
    if ((error.statusCode ?? 500) < 500) return boardErrorHandler(error);
    app.log.error({ err: error }, 'queue dashboard failed');
    return errorResponse(500, 'ERRORS.INTERNAL_SERVER_ERROR');
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}

const pathAfterPrefix = (url: string) => (url.split('?')[0] ?? '').slice(QUEUE_DASHBOARD_PATH.length);
