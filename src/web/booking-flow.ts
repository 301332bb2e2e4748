import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import type { CheckoutOptions, createBookingsService, CreateBookingResponse } from '../bookings/bookings.service.ts';
import type { Geocoder } from '../geocoding/geocoder.ts';
import type { createOfficesRepository } from '../offices/offices.repository.ts';
import type { Office } from '../offices/offices.table.ts';
import type { createQuotesService } from '../quotes/quotes.service.ts';
import { AppError } from '../shared/errors.ts';
import { hasErrors, readAddressForm, readDetailsForm, type AddressForm, type FieldErrors } from './booking-form.ts';
import type { Locale } from './i18n.ts';
import { areasOf, placeAddress } from './place-address.ts';

/** The version of the Vollmacht text in the message catalogue; bump it with the text. */
export const CONSENT_TEXT_VERSION = '2026-12';

type Body = Record<string, unknown>;
type Render = (
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown>,
  status?: number,
) => Promise<unknown>;

export interface BookingFlowDeps {
  bookings: ReturnType<typeof createBookingsService>;
  quotes: ReturnType<typeof createQuotesService>;
  offices: ReturnType<typeof createOfficesRepository>;
  /** Places the address; null: the person booking places it (zone list, map pin). */
  geocoder: Geocoder | null;
  map: { tileUrl: string | null; tileAttribution: string | null };
}

/**
 * Where a booking flow lives: the citizen's pages online, or the clerk's at the counter. Both take
 * the same three steps through the same templates and the same service call, so the rules cannot
 * differ; only the place (form addresses, layout), who books, and what follows the booking do.
 */
export interface BookingPlace {
  /** Step 1 posts to `formBase`, step 3 to `${formBase}/bestaetigen`. */
  formBase: string;
  render: Render;
  /** The staff member booking at the counter, or null for a citizen. */
  staff: StaffPrincipal | null;
  /** The hosted payment page's way back (Stripe Checkout). */
  checkout: (request: FastifyRequest) => CheckoutOptions;
  /** The answer once booked: the payment page online, the receipt at the counter. */
  booked: (request: FastifyRequest, reply: FastifyReply, created: CreateBookingResponse, office: Office) => Promise<unknown>;
}

export function createBookingFlow(deps: BookingFlowDeps) {
  const zonesOf = (office: Office) => deps.offices.activeZones(office.id);

  /**
   * Step 1's page. With a geocoder the address alone is asked for; without one (or while it
   * cannot be reached) the zone list, and the map as an enhancement over it.
   */
  const addressPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    place: BookingPlace,
    office: Office,
    extra: { form: Partial<AddressForm>; errors: FieldErrors; problem?: string; geocoderDown?: boolean },
    status = 200,
  ) =>
    place.render(
      request,
      reply,
      'book-address.eta',
      {
        title: 'book.address.title',
        office,
        formBase: place.formBase,
        areas: areasOf(await zonesOf(office)),
        placing: deps.geocoder && !extra.geocoderDown ? 'geocoder' : 'map',
        map: { ...deps.map, geojsonUrl: `/buchen/${encodeURIComponent(office.slug)}/gebiete.geojson` },
        ...extra,
      },
      status,
    );

  // Step 2: the price, the days and the person (a quote for the address).
  const detailsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    place: BookingPlace,
    office: Office,
    address: AddressForm,
    form: Record<string, unknown>,
    errors: FieldErrors,
    status = 200,
  ) => {
    const placed = await placeAddress(address, await zonesOf(office), deps.geocoder);
    if (!placed.location) {
      return addressPage(request, reply, place, office, { form: address, errors: placed.errors, geocoderDown: placed.geocoderDown }, 422);
    }
    const { quote, deliverySlots } = await deps.quotes.createQuote({
      officeId: office.id,
      address: { street: address.street, houseNumber: address.houseNumber, postalCode: address.postalCode, city: address.city },
      location: placed.location,
    });
    // Step 3 carries the position on (a re-rendered step 2 quotes there again, without the geocoder).
    const [lng, lat] = placed.location;
    address = { ...address, lng, lat };
    const days = deliverySlots.days.filter((d) => !d.closed && d.windows.length > 0).slice(0, 14);
    const formKey = typeof form.formKey === 'string' ? form.formKey : randomUUID();
    return place.render(
      request,
      reply,
      'book-details.eta',
      { title: 'book.details.title', office, formBase: place.formBase, address, quote, days, form, errors, formKey },
      status,
    );
  };

  return {
    /** Step 1, empty. */
    start: (request: FastifyRequest, reply: FastifyReply, place: BookingPlace, office: Office) =>
      addressPage(request, reply, place, office, { form: {}, errors: {} }),

    /** Step 1 sent: its errors, or step 2 for the placed address. */
    async submitAddress(request: FastifyRequest, reply: FastifyReply, place: BookingPlace, office: Office) {
      const { form, errors } = readAddressForm((request.body as Body | undefined) ?? {}, { zoneRequired: !deps.geocoder });
      if (hasErrors(errors)) return addressPage(request, reply, place, office, { form, errors }, 422);
      try {
        return await detailsPage(request, reply, place, office, form, {}, {});
      } catch (err) {
        if (err instanceof AppError && err.status < 500) {
          return addressPage(request, reply, place, office, { form, errors: {}, problem: err.message }, 422);
        }
        throw err;
      }
    },

    /** Step 3: book with the service (its rules are the last word), then the place's next page. */
    async submitDetails(request: FastifyRequest, reply: FastifyReply, place: BookingPlace, office: Office) {
      const body = (request.body as Body | undefined) ?? {};
      const address = readAddressForm(body, { zoneRequired: !deps.geocoder });
      const { form, errors } = readDetailsForm(body);
      if (hasErrors(address.errors)) return addressPage(request, reply, place, office, { form: address.form, errors: address.errors }, 422);
      const again: Record<string, unknown> = { ...form, formKey: body.formKey };
      if (hasErrors(errors)) return detailsPage(request, reply, place, office, address.form, again, errors, 422);
      let created;
      try {
        created = await deps.bookings.createBooking(
          {
            quoteId: form.quoteId,
            vehicleType: form.vehicleType as 'bike' | 'ecar',
            applicationNumber: form.applicationNumber,
            documentType: form.documentType as 'id_card',
            recipient: { name: form.name, phone: form.phone, ...(form.email ? { email: form.email } : {}) },
            address: {
              street: address.form.street,
              houseNumber: address.form.houseNumber,
              postalCode: address.form.postalCode,
              city: address.form.city,
              ...(address.form.addressLine2 ? { addressLine2: address.form.addressLine2 } : {}),
            },
            preferredWindows: form.windows,
            consent: { powerOfAttorney: true, textVersion: CONSENT_TEXT_VERSION },
            // The language the booking was made in is the language of the citizen's mails.
            locale: request.locale as Locale,
            // Stripe Checkout: card data only ever on Stripe's page.
            payment: place.checkout(request),
          },
          // A form sent twice (double click) books twice only with two keys; the key is the form's.
          {
            idempotencyKey: typeof body.formKey === 'string' && /^[0-9a-f-]{36}$/.test(body.formKey) ? body.formKey : randomUUID(),
            staff: place.staff,
            requestId: String(request.id),
          },
        );
      } catch (err) {
        if (err instanceof AppError && err.status < 500) {
          return detailsPage(request, reply, place, office, address.form, { ...again, problem: err.message }, {}, 422);
        }
        throw err;
      }
      return place.booked(request, reply, created.response, office);
    },
  };
}
