import { randomBytes, randomUUID } from 'node:crypto';
import { insertBooking } from '../../src/bookings/bookings.repository.ts';
import type { VehicleType } from '../../src/offices/offices.table.ts';
import { addDays, localDate, zonedTimeToUtc } from '../../src/planning/delivery-day.ts';
import { createQuotesRepository } from '../../src/quotes/quotes.repository.ts';
import { hashToken } from '../../src/shared/tokens.ts';
import { ADDRESS, api, NEAR, newApplicationNumber, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

export const TZ = 'Europe/Berlin';

/** A delivery day a few days ahead, in office time. */
export const futureDeliveryDate = (daysAhead = 3) => addDays(localDate(new Date(), TZ), daysAhead);

/** A window on the delivery day, given in office wall-clock time. */
export const localWindow = (date: string, from: string, to: string) => ({
  start: zonedTimeToUtc(date, from, TZ).toISOString(),
  end: zonedTimeToUtc(date, to, TZ).toISOString(),
});

/**
 * A booking whose document is at the office, inserted directly (no payment round trip): quoted
 * for its location through the API, so zone and tariff are the office's own. A `bike` booking at
 * a location outside the bicycle zone stands for a zone that shrank after booking.
 */
export async function insertReadyBooking(
  p: TestPlatform,
  officeId: string,
  opts: {
    location: [number, number];
    vehicleType: VehicleType;
    windows: { start: string; end: string }[];
  },
) {
  const quoteFor = async (location: [number, number]) => {
    const res = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location } });
    if (res.status !== 201 && res.status !== 200) throw new Error(`quote failed: ${JSON.stringify(res.body)}`);
    return must(await createQuotesRepository(p.db).findById(res.body.id), 'await createQuotesRepository(p.db).findById(res.body.id)');
  };
  let quote = await quoteFor(opts.location);
  let option = quote.options.find((o) => o.vehicleType === opts.vehicleType);
  if (!option) {
    quote = await quoteFor(NEAR);
    option = must(
      quote.options.find((o) => o.vehicleType === opts.vehicleType),
      'quote.options.find((o) => o.vehicleType === opts.vehicleType)',
    );
  }
  const suffix = randomBytes(6).toString('hex');
  return p.db.transaction((tx) =>
    insertBooking(
      tx,
      {
        id: randomUUID(),
        officeId,
        quoteId: quote.id,
        applicationNumber: newApplicationNumber(),
        documentType: 'id_card',
        recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
        address: ADDRESS,
        location: opts.location,
        vehicleType: opts.vehicleType,
        zoneId: option.zoneId,
        tariffId: option.tariffId,
        amountCents: option.amountCents,
        preferredWindows: opts.windows,
        consent: { powerOfAttorney: true, textVersion: '2026-01', consentedAt: new Date().toISOString() },
        status: 'document_ready',
        // Scanned in, and the ID card's PIN letter confirmed: ready to go out.
        custodyHolder: 'office',
        pinLetterConfirmedAt: new Date(),
        kassenzeichen: `TEST-${suffix}`,
        trackingTokenHash: hashToken(`ab_track_${suffix}`),
        paymentDeadline: new Date(Date.now() + 3_600_000),
      },
      { type: 'system', id: 'test' },
    ),
  );
}

/** A courier shift through the API, in office wall-clock time. */
export async function createShift(
  p: TestPlatform,
  officeId: string,
  headers: Record<string, string>,
  opts: {
    date: string;
    vehicleType: VehicleType;
    vehicleCount?: number;
    capacity?: number;
    from?: string;
    to?: string;
    /** The company whose couriers work the shift. */
    courierCompanyId?: string;
  },
) {
  const res = await api(p, 'POST', `/v1/offices/${officeId}/courier-shifts`, {
    headers,
    body: {
      deliveryDate: opts.date,
      vehicleType: opts.vehicleType,
      vehicleCount: opts.vehicleCount ?? 1,
      capacity: opts.capacity ?? 20,
      shiftStart: zonedTimeToUtc(opts.date, opts.from ?? '08:00', TZ).toISOString(),
      shiftEnd: zonedTimeToUtc(opts.date, opts.to ?? '18:00', TZ).toISOString(),
      ...(opts.courierCompanyId ? { courierCompanyId: opts.courierCompanyId } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`shift failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}

/** A few addresses around the office, all inside the 4 km bicycle circle. */
export const NEARBY: [number, number][] = [
  [9.1773, 48.7754],
  [9.185, 48.78],
  [9.165, 48.77],
  [9.19, 48.768],
  [9.17, 48.782],
  [9.16, 48.776],
];
