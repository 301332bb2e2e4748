import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/audit.repository.ts';
import { BOOKING_STATUSES, CANCELLABLE_STATUSES, type BookingStatus } from '../../bookings/booking-status.ts';
import { needsPinLetter } from '../../bookings/pin-letter.ts';
import { createCustodyRepository } from '../../custody/custody.repository.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { addDays, isValidDeliveryDate, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Query = Record<string, unknown>;
type Body = Record<string, unknown>;

const PAGE_SIZE = 50;
const OFFICE_TIME_ZONE = 'Europe/Berlin';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Za-z0-9-]{1,40}$/;
const notFound = pageNotFound;
const cursorOf = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(v) ? v : undefined);

/** The search form as typed, and the errors tied to its fields. */
function readFilter(q: Query) {
  const filter = {
    applicationNumber: formText(q.applicationNumber, 40),
    kassenzeichen: formText(q.kassenzeichen, 40),
    status: BOOKING_STATUSES.find((s) => s === q.status) ?? ('' as BookingStatus | ''),
    from: formText(q.from, 10),
    to: formText(q.to, 10),
  };
  const badDate = (v: string) => v !== '' && !(DATE.test(v) && isValidDeliveryDate(v));
  const badCode = (v: string) => v !== '' && !CODE.test(v);
  const errors = {
    ...(badCode(filter.applicationNumber) ? { applicationNumber: { key: 'bk.error.code' } } : {}),
    ...(badCode(filter.kassenzeichen) ? { kassenzeichen: { key: 'bk.error.code' } } : {}),
    ...(badDate(filter.from) ? { from: { key: 'bk.error.date' } } : {}),
    ...(badDate(filter.to) ? { to: { key: 'bk.error.date' } } : {}),
  };
  return { filter, errors };
}

/**
 * The bookings console (clerk, supervisor): search and filter an office's bookings, open one (the
 * look is audited, as in the API), read its history, payment and custody chain, and cancel it after
 * seeing what the office's refund policy gives back. Each operation is the API's service function.
 */
export async function bookingsConsoleRoutes(app: App, deps: StaffConsoleDeps & { sandbox: boolean }) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.bookings);
  const page = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) =>
    staffView(request, reply, deps, template, { section: 'bookings', ...data }, status);

  app.get('/amt/buchungen', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const q = request.query as Query;
    const { filter, errors } = readFilter(q);
    const base = { title: 'bk.title', filter, errors, statuses: BOOKING_STATUSES };
    if (Object.keys(errors).length > 0) return page(request, reply, 'staff/bookings-list.eta', { ...base, list: [] }, 422);
    const found = await deps.bookings.listBookings(
      {
        applicationNumber: filter.applicationNumber || undefined,
        kassenzeichen: filter.kassenzeichen || undefined,
        statuses: filter.status ? [filter.status] : undefined,
        // Office days: from the start of the first to the end of the last.
        createdFrom: filter.from ? zonedTimeToUtc(filter.from, '00:00', OFFICE_TIME_ZONE) : undefined,
        createdTo: filter.to ? zonedTimeToUtc(addDays(filter.to, 1), '00:00', OFFICE_TIME_ZONE) : undefined,
        cursor: cursorOf(q.cursor),
        limit: PAGE_SIZE,
      },
      signedInStaff(request),
    );
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
    if (found.nextCursor) params.set('cursor', found.nextCursor);
    return page(request, reply, 'staff/bookings-list.eta', {
      ...base,
      list: found.data,
      moreHref: found.nextCursor ? `/amt/buchungen?${params}` : null,
    });
  });

  /** One booking for a page: the service's audited read, plus its custody chain (audited like the API's). */
  async function openBooking(request: FastifyRequest, id: string) {
    if (!UUID.test(id)) throw notFound();
    const staff = signedInStaff(request);
    const found = await deps.bookings.getBooking(id, staff, String(request.id));
    const custody = await createCustodyRepository(deps.db).chainOf(id);
    await recordAudit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      action: 'custody.viewed',
      subjectType: 'booking',
      subjectId: id,
      officeId: found.booking.officeId,
      requestId: String(request.id),
    });
    return { ...found, custody };
  }

  app.get<{ Params: { id: string } }>('/amt/buchungen/:id', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const found = await openBooking(request, request.params.id);
    const q = request.query as Query;
    // After a cancellation the page says what was refunded: the refund row, not the URL, says how much.
    const cancelled = q.storniert === '1' && found.booking.status === 'cancelled';
    return page(request, reply, 'staff/booking.eta', {
      title: 'bk.detail.title',
      ...found,
      needsPinLetter: needsPinLetter(found.booking.documentType),
      cancellable: CANCELLABLE_STATUSES.includes(found.booking.status),
      cancelledRefundCents: cancelled ? found.refunds.reduce((sum, r) => sum + r.amountCents, 0) : null,
    });
  });

  const cancelPage = async (request: FastifyRequest, reply: FastifyReply, id: string, data: Record<string, unknown>, status = 200) => {
    if (!UUID.test(id)) throw notFound();
    const { booking } = await deps.bookings.getBooking(id, signedInStaff(request), String(request.id));
    const cancellable = CANCELLABLE_STATUSES.includes(booking.status);
    const refundCents = cancellable ? await deps.bookings.cancellationRefundPreview(booking) : 0;
    return page(
      request,
      reply,
      'staff/booking-cancel.eta',
      { title: 'bk.cancel.title', booking, cancellable, refundCents, reason: '', errors: {}, ...data },
      status,
    );
  };

  app.get<{ Params: { id: string } }>(
    '/amt/buchungen/:id/stornieren',
    { schema: { hide: true }, preHandler: guard },
    async (request, reply) => cancelPage(request, reply, request.params.id, {}),
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/amt/buchungen/:id/stornieren',
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw notFound();
      // A staff cancellation says why: it stands in the booking's history and the audit log.
      const reason = formText(request.body?.reason, 200);
      if (reason.length < 3)
        return cancelPage(request, reply, id, { reason, errors: { reason: { key: 'bk.cancel.reasonRequired' } } }, 422);
      try {
        await deps.bookings.cancelBooking(id, {
          staff: signedInStaff(request),
          trackingToken: null,
          reason,
          requestId: String(request.id),
        });
      } catch (err) {
        // Moved on since the preview (handed over meanwhile): the page says so, with the booking's state.
        if (err instanceof AppError && err.status === 409) return cancelPage(request, reply, id, { reason, refused: true }, 409);
        throw err;
      }
      return reply.redirect(`/amt/buchungen/${id}?storniert=1`, 303);
    },
  );
}
