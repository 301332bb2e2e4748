import type { FastifyReply, FastifyRequest } from 'fastify';
import { CANCELLABLE_STATUSES, ON_ROUTE_STATUSES, RESCHEDULABLE_STATUSES } from '../bookings/booking-status.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { createBookingsService } from '../bookings/bookings.service.ts';
import type { createOfficesRepository } from '../offices/offices.repository.ts';
import type { Office } from '../offices/offices.table.ts';
import type { createQuotesService } from '../quotes/quotes.service.ts';
import QRCode from 'qrcode';
import { homeDocument } from '../home/home.routes.ts';
import type { PaymentStateService } from '../payments/payment-state.service.ts';
import { trackingLink } from '../notifications/tracking-link.ts';
import { AppError } from '../shared/errors.ts';
import type { App } from '../shared/app-types.ts';
import type { Geocoder } from '../geocoding/geocoder.ts';
import { hasErrors, type FieldErrors } from './booking-form.ts';
import { createBookingFlow, type BookingPlace } from './booking-flow.ts';
import { readRescheduleForm, rescheduleChoices } from './reschedule-form.ts';
import { serviceAreaGeoJson } from './place-address.ts';
import { pageContext } from './web.plugin.ts';

export interface CitizenPageDeps {
  bookings: ReturnType<typeof createBookingsService>;
  paymentState: PaymentStateService;
  quotes: ReturnType<typeof createQuotesService>;
  offices: ReturnType<typeof createOfficesRepository>;
  sandbox: boolean;
  version: string;
  /** PUBLIC_BASE_URL, for links that leave the site and come back (the payment page's return link). */
  publicBaseUrl: string | null;
  secureCookies: boolean;
  /** Places the booking page's address; null: the citizen places it (zone list, map pin). */
  geocoder: Geocoder | null;
  /** The booking page's map: an optional tile layer under the GeoJSON layers. */
  map: { tileUrl: string | null; tileAttribution: string | null };
}

/** The tracking token lives in this cookie (HttpOnly), never in a URL: not in logs, history or a Referer. */
const TRACK_COOKIE = 'amtsbote_sendung';

type Body = Record<string, unknown>;

export async function citizenRoutes(app: App, deps: CitizenPageDeps) {
  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  const view = async (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) => {
    const office = data.office as Office | undefined;
    const csrf = reply.generateCsrf();
    const page = await reply.viewAsync(template, {
      ...pageContext(request, { sandbox: deps.sandbox, timeZone: office?.timezone }),
      csrf,
      ...data,
    });
    return html(reply, page, status);
  };
  const trackCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(TRACK_COOKIE, token, {
      path: '/',
      httpOnly: true,
      // Lax: the way back from the payment page (another site) must still show the booking.
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: 30 * 86_400,
    });
  const officeBySlug = async (slug: string) => {
    const office = (await deps.offices.list()).find((o) => o.slug === slug);
    if (!office) throw new AppError({ code: 'web.office_not_found', status: 404, message: 'Office not found' });
    return office;
  };
  const zonesOf = (office: Office) => deps.offices.activeZones(office.id);
  const flow = createBookingFlow(deps);
  /** Online: the citizen books, pays on Stripe's hosted page and comes back to the payment page. */
  const online = (office: Office): BookingPlace => ({
    formBase: `/buchen/${encodeURIComponent(office.slug)}`,
    render: view,
    staff: null,
    checkout: (request) => ({
      flow: 'checkout',
      successUrl: `${baseUrl(request)}/sendung/zahlung`,
      cancelUrl: `${baseUrl(request)}/sendung/zahlung`,
      locale: request.locale,
    }),
    booked: async (_request, reply, created) => {
      trackCookie(reply, created.trackingToken);
      const { payment } = created;
      return reply.redirect('checkoutUrl' in payment ? payment.checkoutUrl : '/sendung/zahlung', 303);
    },
  });

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    // A program asking for JSON gets the platform's self-description (the API's front door).
    if (!/\btext\/html\b/.test(request.headers.accept ?? '')) return homeDocument({ version: deps.version, sandbox: deps.sandbox });
    const offices = await deps.offices.list();
    return view(request, reply, 'start.eta', { title: 'start.title', offices });
  });

  // Step 1: the address.
  app.get<{ Params: { slug: string } }>('/buchen/:slug', { schema: { hide: true } }, async (request, reply) => {
    const office = await officeBySlug(request.params.slug);
    return flow.start(request, reply, online(office), office);
  });

  // The map's layers: the office's zones and the office, as GeoJSON (the page's script draws them).
  app.get<{ Params: { slug: string } }>('/buchen/:slug/gebiete.geojson', { schema: { hide: true } }, async (request, reply) => {
    const office = await officeBySlug(request.params.slug);
    return reply
      .type('application/geo+json')
      .header('cache-control', 'public, max-age=300')
      .send(serviceAreaGeoJson(office, await zonesOf(office)));
  });

  // Step 2: the price, the days and the person (a quote for the address).
  app.post<{ Params: { slug: string }; Body: Body }>(
    '/buchen/:slug',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const office = await officeBySlug(request.params.slug);
      return flow.submitAddress(request, reply, online(office), office);
    },
  );

  // Step 3: book; then to the payment page.
  app.post<{ Params: { slug: string }; Body: Body }>(
    '/buchen/:slug/bestaetigen',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const office = await officeBySlug(request.params.slug);
      return flow.submitDetails(request, reply, online(office), office);
    },
  );

  /** The booking behind the tracking cookie, or null (no cookie, or a code that matches nothing). */
  const tokenOf = (request: FastifyRequest) => {
    const token = request.cookies[TRACK_COOKIE];
    return token && token.length <= 200 ? token : null;
  };
  /** The tracking view (status, window, history, next steps with the pay link): only the pages that show it. */
  const tracked = async (request: FastifyRequest) => {
    const token = tokenOf(request);
    if (!token) return null;
    try {
      return { token, ...(await deps.bookings.trackBooking(token)) };
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  };
  /** Just the booking, for the pages that act on it (cancel, PIN letter, reschedule, receipt). */
  const trackedBooking = async (request: FastifyRequest) => {
    const token = tokenOf(request);
    const booking = token ? await deps.bookings.bookingByTrackingToken(token) : null;
    return token && booking ? { token, booking } : null;
  };
  const baseUrl = (request: FastifyRequest) => deps.publicBaseUrl ?? `${request.protocol}://${request.host}`;
  const officeOf = async (officeId: string) => deps.offices.findById(officeId);

  app.get('/sendung/zahlung', { schema: { hide: true } }, async (request, reply) => {
    const found = await tracked(request);
    if (!found) return reply.redirect('/sendung', 303);
    const office = await officeOf(found.booking.officeId);
    const pay = found.nextSteps.find((s) => s.code === 'pay');
    const payUrl = pay && 'payUrl' in pay ? pay.payUrl : null;
    return view(request, reply, 'pay.eta', { title: 'pay.title', office, booking: found.booking, token: found.token, payUrl });
  });

  // For the payment page's script: the booking's status, nothing else (the cookie says whose).
  app.get('/sendung/zahlung/status', { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen } }, async (request, reply) => {
    // Polled every few seconds while the citizen pays: the database only, never Stripe.
    const token = tokenOf(request);
    const answer = token ? await deps.paymentState.paymentState({ trackingToken: token }) : null;
    reply.header('cache-control', 'no-store');
    return { state: answer?.state ?? null, status: answer?.bookingStatus ?? null };
  });

  app.get('/sendung', { schema: { hide: true } }, async (request, reply) => {
    const found = await tracked(request);
    if (!found) return view(request, reply, 'track-enter.eta', { title: 'track.title', errors: {} });
    const office = await officeOf(found.booking.officeId);
    return view(request, reply, 'track-status.eta', {
      title: 'track.title',
      office,
      booking: found.booking,
      window: found.window,
      history: found.history,
      nextSteps: found.nextSteps,
      cancellable: CANCELLABLE_STATUSES.includes(found.booking.status),
      reschedulable: RESCHEDULABLE_STATUSES.includes(found.booking.status),
      rescheduled: (request.query as Record<string, unknown> | undefined)?.verschoben === '1',
      pinLetterRequired: found.booking.documentType === 'id_card' || found.booking.documentType === 'eid_card',
    });
  });

  app.post<{ Body: Body }>(
    '/sendung',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const code = typeof request.body?.code === 'string' ? request.body.code.trim() : '';
      if (code === '' || code.length > 200) {
        return view(request, reply, 'track-enter.eta', { title: 'track.title', errors: { code: { key: 'error.required' } } }, 422);
      }
      try {
        await deps.bookings.trackBooking(code);
      } catch (err) {
        if (err instanceof AppError && err.status === 404) {
          return view(request, reply, 'track-enter.eta', { title: 'track.title', errors: { code: { key: 'track.notFound' } } }, 404);
        }
        throw err;
      }
      trackCookie(reply, code);
      return reply.redirect('/sendung', 303);
    },
  );

  app.post(
    '/sendung/abmelden',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (_request, reply) => {
      reply.clearCookie(TRACK_COOKIE, { path: '/' });
      return reply.redirect('/sendung', 303);
    },
  );

  app.post(
    '/sendung/pin-brief',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const found = await trackedBooking(request);
      if (!found) return reply.redirect('/sendung', 303);
      await deps.bookings.confirmPinLetter(found.token);
      return reply.redirect('/sendung', 303);
    },
  );

  app.get('/sendung/stornieren', { schema: { hide: true } }, async (request, reply) => {
    const found = await trackedBooking(request);
    if (!found) return reply.redirect('/sendung', 303);
    const office = await officeOf(found.booking.officeId);
    if (!office) throw new AppError({ code: 'web.office_not_found', status: 404, message: 'Office not found' });
    const cancellable = CANCELLABLE_STATUSES.includes(found.booking.status);
    return view(request, reply, 'cancel.eta', {
      title: 'track.cancel.title',
      office,
      booking: found.booking,
      cancellable,
      refundCents: cancellable ? await deps.bookings.cancellationRefundPreview(found.booking) : 0,
    });
  });

  app.post(
    '/sendung/stornieren',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const found = await trackedBooking(request);
      if (!found) return reply.redirect('/sendung', 303);
      await deps.bookings.cancelBooking(found.booking.id, { staff: null, trackingToken: found.token, requestId: String(request.id) });
      return reply.redirect('/sendung', 303);
    },
  );

  // Other days at home, until the booking is on a confirmed route.
  const reschedulePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    found: NonNullable<Awaited<ReturnType<typeof trackedBooking>>>,
    opts: { chosen?: { start: string; end: string }[]; errors?: FieldErrors; status?: number } = {},
  ) => {
    const booking = found.booking;
    if (!RESCHEDULABLE_STATUSES.includes(booking.status)) {
      const office = await officeOf(booking.officeId);
      const reason = ON_ROUTE_STATUSES.includes(booking.status) ? 'reschedule.notPossible.onRoute' : 'reschedule.notPossible.ended';
      return view(request, reply, 'reschedule.eta', { title: 'reschedule.title', office, possible: false, reason }, opts.status ?? 200);
    }
    const offer = await deps.bookings.rescheduleOffer(booking);
    return view(
      request,
      reply,
      'reschedule.eta',
      {
        title: 'reschedule.title',
        office: offer.office,
        possible: true,
        current: [...booking.preferredWindows].sort((a, b) => a.start.localeCompare(b.start)),
        days: rescheduleChoices(offer.days, opts.chosen ?? booking.preferredWindows),
        errors: opts.errors ?? {},
      },
      opts.status ?? 200,
    );
  };

  app.get('/sendung/verschieben', { schema: { hide: true } }, async (request, reply) => {
    const found = await trackedBooking(request);
    if (!found) return reply.redirect('/sendung', 303);
    return reschedulePage(request, reply, found);
  });

  app.post<{ Body: Body }>(
    '/sendung/verschieben',
    { schema: { hide: true }, config: { rateLimit: RATE_LIMITS.citizen }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const found = await trackedBooking(request);
      if (!found) return reply.redirect('/sendung', 303);
      const { windows, errors } = readRescheduleForm(request.body ?? {});
      if (hasErrors(errors)) return reschedulePage(request, reply, found, { chosen: windows, errors, status: 422 });
      try {
        await deps.bookings.rescheduleBooking(found.token, windows, { requestId: String(request.id) });
      } catch (err) {
        if (err instanceof AppError && err.code === 'booking.invalid_windows') {
          // A day closed or passed since the page was shown: the page shows the days offered now.
          const notOffered = { window: { key: 'reschedule.error.notOffered' as const } };
          return reschedulePage(request, reply, found, { chosen: windows, errors: notOffered, status: 422 });
        }
        if (err instanceof AppError && err.code === 'booking.not_reschedulable') {
          // Planned meanwhile: the page says why (the booking read again).
          const again = await trackedBooking(request);
          return again ? reschedulePage(request, reply, again, { status: 409 }) : reply.redirect('/sendung', 303);
        }
        throw err;
      }
      return reply.redirect('/sendung?verschoben=1', 303);
    },
  );

  app.get('/sendung/beleg', { schema: { hide: true } }, async (request, reply) => {
    const found = await trackedBooking(request);
    if (!found) return reply.redirect('/sendung', 303);
    const office = await officeOf(found.booking.officeId);
    // The QR code carries the tracking link with the code in its fragment (never sent to a server).
    const qr = await QRCode.toString(trackingLink(baseUrl(request), found.token), { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    const qrDataUri = `data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}`;
    return view(request, reply, 'receipt.eta', { title: 'receipt.title', office, booking: found.booking, token: found.token, qrDataUri });
  });
}
