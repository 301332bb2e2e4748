import type { FastifyReply, FastifyRequest } from 'fastify';
import { scanDifference } from '../../handover/handover.service.ts';
import type { HandoverKind } from '../../handover/handover.table.ts';
import { RATE_LIMITS } from '../../plugins/rate-limit.plugin.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { localDate } from '../../shared/zoned-time.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { deskRoutes } from './handover-queries.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Body = Record<string, unknown>;
type Params = { id: string; kind: string };

const text = formText;
/** The scans so far travel with the form (the service keeps no scans before start): one hidden field each. */
const scansOf = (v: unknown) =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .map((s) => text(s, 64))
    .filter((s) => s !== '')
    .slice(0, 500);
const kindOf = (v: string): HandoverKind | null => (v === 'uebergabe' ? 'handover' : v === 'rueckgabe' ? 'return' : null);
const notFound = pageNotFound;

/** The four-eyes handover of a route to its courier, and the check-in of the documents it brings back. */
/**
 * A service refusal in the page's language: the known ones by code, with their facts (what is
 * missing, which documents must stay); anything else with the service's own message.
 */
function refusalText(err: AppError): { problemKey: string; problemParams?: Record<string, string | number> } | { problem: string } {
  const details = (err.details ?? {}) as Record<string, unknown>;
  switch (err.code) {
    case 'handover.scan_mismatch':
      return {
        problemKey: 'ho.refused.scan_mismatch',
        problemParams: {
          missing: (details.missing as unknown[] | undefined)?.length ?? 0,
          extra: (details.extra as unknown[] | undefined)?.length ?? 0,
        },
      };
    case 'handover.route_not_ready':
      return { problemKey: 'ho.refused.route_not_ready', problemParams: { status: String(details.dispatchStatus ?? '') } };
    case 'handover.documents_blocked': {
      const blocked = (details.blocked as { applicationNumber: string }[] | undefined) ?? [];
      return {
        problemKey: 'ho.refused.documents_blocked',
        problemParams: { documents: blocked.map((b) => b.applicationNumber).join(', ') },
      };
    }
    case 'handover.same_person':
    case 'handover.not_open':
    case 'handover.nothing_to_return':
      return { problemKey: `ho.refused.${err.code.slice('handover.'.length)}` };
    default:
      return { problem: err.message };
  }
}

export async function handoverConsoleRoutes(app: App, deps: StaffConsoleDeps & { sandbox: boolean }) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.handover);
  const staffOf = signedInStaff;

  app.get('/amt/uebergabe', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const staff = staffOf(request);
    const today = localDate(deps.clock(), 'Europe/Berlin');
    const routes = await deskRoutes(deps.db, staff.officeId, today);
    return staffView(request, reply, deps, 'staff/handover-list.eta', {
      section: 'handover',
      title: 'ho.title',
      done: Boolean((request.query as Body).erledigt),
      ...routes,
    });
  });

  /** The scan page: the route's expected documents against what was scanned, and the open handover if any. */
  const scanPage = async (request: FastifyRequest, reply: FastifyReply, params: Params, extra: Record<string, unknown>, status = 200) => {
    const kind = kindOf(params.kind);
    if (!kind || !UUID.test(params.id)) throw notFound();
    const staff = staffOf(request);
    const { route, stops } = await deps.dispatch.getRoute(params.id, staff);
    const expected = stops
      .filter(({ booking }) =>
        kind === 'handover'
          ? booking.status === 'planned'
          : booking.custodyHolder === 'courier' && ['handed_over', 'out_for_delivery', 'attempt_failed'].includes(booking.status),
      )
      .map(({ booking }) => booking.applicationNumber);
    const scanned = (extra.scanned as string[] | undefined) ?? [];
    const open = (await deps.handover.handoversOfRoute(route.id)).filter((h) => h.kind === kind && h.status === 'started').at(-1);
    return staffView(
      request,
      reply,
      deps,
      'staff/handover-scan.eta',
      {
        section: 'handover',
        title: kind === 'handover' ? 'ho.handover.title' : 'ho.return.title',
        route,
        kind,
        path: `/amt/uebergabe/${route.id}/${params.kind}`,
        expected,
        diff: scanDifference(expected, scanned),
        open: open ?? null,
        ownOpen: open?.startedByStaffId === staff.id,
        courierName: '',
        courierRef: '',
        errors: {},
        ...extra,
        scanned,
      },
      status,
    );
  };
  /** A refusal of the service (mismatch, same person, not ready) shown on the page, never a 500. */
  const refused = (request: FastifyRequest, reply: FastifyReply, params: Params, err: unknown, extra: Record<string, unknown>) => {
    if (err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 404)
      return scanPage(request, reply, params, { ...refusalText(err), ...extra }, err.status);
    throw err;
  };

  app.get<{ Params: Params }>('/amt/uebergabe/:id/:kind', { schema: { hide: true }, preHandler: guard }, async (request, reply) =>
    scanPage(request, reply, request.params, {}),
  );

  app.post<{ Params: Params; Body: Body }>(
    '/amt/uebergabe/:id/:kind/scan',
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const scanned = scansOf(body.scanned);
      const code = text(body.code, 64);
      const form = {
        scanned: code && !scanned.includes(code) ? [...scanned, code] : scanned,
        courierName: text(body.courierName, 200),
        courierRef: text(body.courierRef, 200),
      };
      if (code === '') return scanPage(request, reply, request.params, { ...form, errors: { code: { key: 'error.required' } } }, 422);
      return scanPage(request, reply, request.params, { ...form, lastScan: code });
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/amt/uebergabe/:id/:kind/start',
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const kind = kindOf(request.params.kind);
      if (!kind || !UUID.test(request.params.id)) throw notFound();
      const form = { scanned: scansOf(body.scanned), courierName: text(body.courierName, 200), courierRef: text(body.courierRef, 200) };
      const errors = {
        ...(form.courierName === '' ? { courierName: { key: 'error.required' } } : {}),
        ...(form.courierRef === '' ? { courierRef: { key: 'error.required' } } : {}),
      };
      if (Object.keys(errors).length > 0) return scanPage(request, reply, request.params, { ...form, errors }, 422);
      try {
        await deps.handover.start(request.params.id, kind, form, staffOf(request), String(request.id));
      } catch (err) {
        return refused(request, reply, request.params, err, form);
      }
      return reply.redirect(`/amt/uebergabe/${request.params.id}/${request.params.kind}`, 303);
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/amt/uebergabe/:id/:kind/bestaetigen',
    // A password is checked here too: the same limit as the sign-in, so this is no way around it.
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.signIn }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const handoverId = text(body.handoverId, 36);
      const username = text(body.username, 64);
      const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
      const errors = {
        ...(username === '' ? { username: { key: 'error.required' } } : {}),
        ...(password === '' ? { password: { key: 'error.required' } } : {}),
      };
      if (!UUID.test(handoverId)) throw notFound();
      if (Object.keys(errors).length > 0) return scanPage(request, reply, request.params, { username, errors }, 422);
      // The second person's own session, only for this confirmation: the first person's cookie stays.
      let second;
      try {
        second = await deps.auth.signIn({ username, password, requestId: String(request.id) });
      } catch (err) {
        if (err instanceof AppError && err.status === 401)
          return scanPage(request, reply, request.params, { username, problemKey: 'ho.confirm.badCredentials' }, 401);
        throw err;
      }
      try {
        if (!SECTION_ROLES.handover.some((r) => second.staff.roles.includes(r))) {
          return await scanPage(request, reply, request.params, { username, problemKey: 'ho.confirm.notAllowed' }, 403);
        }
        await deps.handover.confirm(handoverId, second.staff, String(request.id));
      } catch (err) {
        return refused(request, reply, request.params, err, { username });
      } finally {
        await deps.auth.signOut(second.token);
      }
      return reply.redirect(`/amt/uebergabe?erledigt=${request.params.kind}`, 303);
    },
  );
}
