import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { translator } from '../i18n.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { requireStaff, signedInStaff, staffView } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Body = Record<string, unknown>;

/** What a scan can come to, as the API's recordDocumentArrival answers it. */
export type ScanOutcome = 'ready' | 'already' | 'unknown' | 'notPaid' | 'wrongStatus' | 'invalid';
interface Scan {
  code: string;
  outcome: ScanOutcome;
}

const CODE = /^[A-Za-z0-9-]{4,32}$/;
const SCANS_COOKIE = 'amtsbote_scans';
const SCANS_KEPT = 10;
const ALERT: Record<ScanOutcome, 'success' | 'danger' | 'warning'> = {
  ready: 'success',
  already: 'warning',
  unknown: 'danger',
  notPaid: 'danger',
  wrongStatus: 'warning',
  invalid: 'danger',
};

/**
 * This session's scans, for the list on the page without JavaScript. Only shown back to the same
 * browser and never trusted for anything else, so a plain HttpOnly cookie is enough (the cookie
 * plugin has no signing secret).
 */
function scansOf(request: FastifyRequest): Scan[] {
  try {
    const raw: unknown = JSON.parse(request.cookies[SCANS_COOKIE] ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.filter((s): s is Scan => typeof s?.code === 'string' && CODE.test(s.code) && s.outcome in ALERT).slice(0, SCANS_KEPT);
  } catch {
    return [];
  }
}

/** The service's refusals as outcomes; anything else is a real error. */
function outcomeOfError(err: unknown): ScanOutcome {
  if (err instanceof AppError) {
    if (err.code === 'booking.application_unknown') return 'unknown';
    if (err.code === 'booking.not_paid') return 'notPaid';
    if (err.code === 'booking.wrong_status') return 'wrongStatus';
  }
  throw err;
}

/** The clerk's console at the counter: scan-in of arriving documents. */
export async function clerkConsoleRoutes(app: App, deps: StaffConsoleDeps & { sandbox: boolean; secureCookies?: boolean }) {
  const counter = requireStaff(deps.auth, deps, SECTION_ROLES.counter);
  const staffOf = signedInStaff;

  const scanPage = (request: FastifyRequest, reply: FastifyReply, data: { scans: Scan[]; last?: Scan }, status = 200) =>
    staffView(
      request,
      reply,
      deps,
      'staff/clerk-scan.eta',
      {
        section: 'counter',
        title: 'clerk.scan.title',
        alert: data.last ? ALERT[data.last.outcome] : null,
        noOffice: !staffOf(request).officeId,
        ...data,
      },
      status,
    );

  app.get('/amt/schalter', { schema: { hide: true }, preHandler: counter }, async (request, reply) =>
    scanPage(request, reply, { scans: scansOf(request) }),
  );

  app.post<{ Body: Body }>(
    '/amt/schalter/eingang',
    { schema: { hide: true }, preHandler: [counter, app.csrfProtection] },
    async (request, reply) => {
      const staff = staffOf(request);
      const code = typeof request.body?.code === 'string' ? request.body.code.trim().slice(0, 64) : '';
      const outcome = await scanIn(staff, code, String(request.id));
      const last = { code: CODE.test(code) ? code : code.replace(/[^A-Za-z0-9-]/g, '').slice(0, 32), outcome };
      const scans = [last, ...scansOf(request)].slice(0, SCANS_KEPT);
      reply.setCookie(SCANS_COOKIE, JSON.stringify(scans), {
        path: '/amt/schalter',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies === true || request.protocol === 'https',
      });
      const status = outcome === 'ready' || outcome === 'already' ? 200 : 422;
      if (request.headers.accept?.includes('application/json')) {
        return reply
          .code(status)
          .header('cache-control', 'no-store')
          .send({
            ...last,
            alert: ALERT[outcome],
            message: translator(request.locale)(`clerk.scan.outcome.${outcome}`, { code: last.code }),
          });
      }
      return scanPage(request, reply, { scans, last }, status);
    },
  );

  async function scanIn(staff: NonNullable<FastifyRequest['consoleStaff']>, code: string, requestId: string): Promise<ScanOutcome> {
    // Staff without an office cannot scan: an arrival belongs to the office holding the document.
    if (!CODE.test(code) || !staff.officeId) return 'invalid';
    try {
      const { alreadyRecorded } = await deps.bookings.recordDocumentArrival(
        { officeId: staff.officeId, applicationNumber: code },
        staff,
        requestId,
      );
      return alreadyRecorded ? 'already' : 'ready';
    } catch (err) {
      return outcomeOfError(err);
    }
  }
}
