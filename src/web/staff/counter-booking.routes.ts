import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Geocoder } from '../../geocoding/geocoder.ts';
import { trackingLink } from '../../notifications/tracking-link.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { createBookingFlow, type BookingPlace } from '../booking-flow.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { requireStaff, signedInStaff, staffView } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

export interface CounterBookingOptions {
  sandbox: boolean;
  geocoder?: Geocoder | null;
  map?: { tileUrl: string | null; tileAttribution: string | null };
  /** PUBLIC_BASE_URL: the tracking link in the receipt's QR code must reach the citizen's phone. */
  publicBaseUrl?: string | null;
}

const BASE = '/amt/schalter/buchen';

/**
 * Counter booking: a clerk books for a citizen at the desk through the very steps and service call
 * of the online booking (see booking-flow.ts), recorded as booked by that clerk, and prints the
 * receipt. The citizen pays on their own device: the receipt's QR code opens the tracking page,
 * which offers Stripe's hosted payment page until the deadline printed beside it.
 */
export async function counterBookingRoutes(app: App, deps: StaffConsoleDeps & CounterBookingOptions) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.counter);
  const flow = createBookingFlow({
    bookings: deps.bookings,
    quotes: deps.quotes,
    offices: deps.offices,
    geocoder: deps.geocoder ?? null,
    map: deps.map ?? { tileUrl: null, tileAttribution: null },
  });
  const baseUrl = (request: FastifyRequest) => deps.publicBaseUrl ?? `${request.protocol}://${request.host}`;

  const counter = (request: FastifyRequest): BookingPlace => ({
    formBase: BASE,
    render: (req, reply, template, data, status) =>
      staffView(req, reply, deps, template, { section: 'counter', layoutPath: './staff/layout', ...data }, status),
    staff: signedInStaff(request),
    checkout: (req) => ({
      flow: 'checkout',
      successUrl: `${baseUrl(req)}/sendung/zahlung`,
      cancelUrl: `${baseUrl(req)}/sendung/zahlung`,
      locale: req.locale,
    }),
    // The receipt is this answer itself: the tracking code exists only here (the platform keeps its
    // hash). Sending the form again replays the same booking with the same code (idempotency key).
    booked: async (req, reply, created, office) => {
      const link = trackingLink(baseUrl(req), created.trackingToken);
      const qr = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      return staffView(
        req,
        reply,
        deps,
        'staff/counter-receipt.eta',
        {
          section: 'counter',
          title: 'receipt.title',
          office,
          booking: created.booking,
          token: created.trackingToken,
          qrDataUri: `data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}`,
        },
        201,
      );
    },
  });

  /** The clerk's own office: a booking belongs to the office that will hand the document out. */
  async function officeOf(request: FastifyRequest) {
    const officeId = signedInStaff(request).officeId;
    const office = officeId ? await deps.offices.findById(officeId) : undefined;
    if (!office)
      throw new AppError({ code: 'web.no_office', status: 403, message: 'Only staff of a citizen office can book at the counter' });
    return office;
  }

  app.get(BASE, { schema: { hide: true }, preHandler: guard }, async (request, reply) =>
    flow.start(request, reply, counter(request), await officeOf(request)),
  );
  app.post(BASE, { schema: { hide: true }, preHandler: [guard, app.csrfProtection] }, async (request, reply) =>
    flow.submitAddress(request, reply, counter(request), await officeOf(request)),
  );
  app.post(
    `${BASE}/bestaetigen`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request: FastifyRequest, reply: FastifyReply) => flow.submitDetails(request, reply, counter(request), await officeOf(request)),
  );
}
