import type { Database } from '../db/client.ts';
import { deliveryCalendarOf } from '../offices/delivery-calendar.service.ts';
import { createOfficeCalendarRepository } from '../offices/office-calendar.repository.ts';
import { offeredDays, toDeliverySlotsView, type DeliveryCalendar } from '../offices/delivery-hours.ts';
import { createLru } from '../shared/lru.ts';
import { addDays, localDate } from '../shared/zoned-time.ts';
import { addressFingerprint, describePostalCodes, type AddressLike } from './address-match.ts';
import { priceLocation } from './pricing.ts';
import { createPricingCache, type PricingCache } from './pricing-cache.ts';
import { createOfficeNotFoundError } from '../offices/offices.errors.ts';
import {
  createNoTariffError,
  createOfficeChangingError,
  createOutsideServiceAreaError,
  createPostalCodeNotServedError,
} from './quotes.errors.ts';
import type { Office } from '../offices/offices.table.ts';
import { createQuotesRepository } from './quotes.repository.ts';

/** How many days of delivery slots a quote shows (from tomorrow, office time). */
export const QUOTE_SLOT_DAYS = 28;

/** Offices (per UTC date) a process keeps for quoting; more are read again when asked. */
const MAX_KEPT_OFFICES = 500;

/** Reads of the office a quote tries before it gives up on an office that keeps changing. */
const MAX_QUOTE_ATTEMPTS = 3;

/** Slot views a process keeps: one per office and first day while its calendar stays the same. */
const MAX_KEPT_SLOT_VIEWS = 500;

/**
 * The 28 days of slots a quote shows, computed once per office, first day and calendar (hours,
 * state, closing days), not per quote: turning office hours into UTC instants for four weeks was
 * a fifth of createQuote's CPU. The key is the calendar itself, so an admin's change to the hours
 * or a closing day is seen by the next quote (the closing days are still read per quote).
 */
function createSlotViews() {
  const kept = createLru<string, ReturnType<typeof toDeliverySlotsView>>(MAX_KEPT_SLOT_VIEWS);
  return (firstDay: string, calendar: DeliveryCalendar) => {
    const key = JSON.stringify([firstDay, calendar.timeZone, calendar.state, calendar.hours, [...calendar.closures]]);
    let view = kept.get(key);
    if (!view) {
      view = toDeliverySlotsView(calendar, offeredDays(firstDay, QUOTE_SLOT_DAYS, calendar));
      kept.set(key, view);
    }
    return view;
  };
}

/** Why the office cannot deliver to this address (postal code, zones, tariffs), or null when it can. */
function refusalOf(office: Office, postalCode: string, priced: ReturnType<typeof priceLocation>): Error | null {
  if (office.postalCodes.length > 0 && !office.postalCodes.includes(postalCode)) {
    return createPostalCodeNotServedError(postalCode, describePostalCodes(office.postalCodes));
  }
  if (!priced.insideAnyZone) return createOutsideServiceAreaError();
  if (priced.options.length === 0) return createNoTariffError();
  return null;
}

export function createQuotesService(deps: { db: Database; clock: () => Date; quoteTtlMinutes: number; pricing?: PricingCache }) {
  const calendars = createOfficeCalendarRepository(deps.db);
  const pricing = deps.pricing ?? createPricingCache();
  const slotViews = createSlotViews();
  // Offices with their closing days around one UTC date, as read for an earlier quote; each quote
  // is inserted only while the office's revision is unchanged, so a stale entry costs one retry.
  const offices = createLru<string, { office: Office; closures: { date: string; reason: string }[] }>(MAX_KEPT_OFFICES);
  return {
    /**
     * Prices delivery to an address at a position. The postal code must be one the office serves
     * (where it keeps a list) and the position must lie in one of its zones; the quote remembers
     * the address's fingerprint, so the booking made from it goes to the same address.
     */
    async createQuote(input: { officeId: string; address: AddressLike; location: [number, number] }) {
      const now = deps.clock();
      // The office's closing days by UTC date with a day to spare on either side: the quote's 28
      // days (from tomorrow, office time) lie within, whatever the office's time zone.
      const utcToday = now.toISOString().slice(0, 10);
      const key = `${input.officeId} ${utcToday}`;
      for (let attempt = 1; ; attempt++) {
        let found = offices.get(key);
        const remembered = found !== undefined;
        if (!found) {
          found = await calendars.officeWithClosures(input.officeId, addDays(utcToday, -1), addDays(utcToday, QUOTE_SLOT_DAYS + 2));
          if (!found) throw createOfficeNotFoundError();
          offices.set(key, found);
        }
        const { office, closures } = found;
        const { zones, tariffs } = await pricing.pricingOf(deps.db, office, now);
        const priced = priceLocation(input.location, zones, tariffs);
        const refusal = refusalOf(office, input.address.postalCode, priced);
        if (refusal) {
          // A refusal is never made from memory: the office may have added the postal code or
          // the zone since this process read it. It is made from a fresh read, as before the cache.
          if (!remembered) throw refusal;
          offices.delete(key);
          continue;
        }
        const firstDay = addDays(localDate(now, office.timezone), 1);
        const quote = await createQuotesRepository(deps.db).insertAtOfficeRevision(
          {
            officeId: office.id,
            location: input.location,
            options: priced.options,
            postalCode: input.address.postalCode,
            city: input.address.city.trim().slice(0, 80),
            addressHash: addressFingerprint(input.address),
            expiresAt: new Date(now.getTime() + deps.quoteTtlMinutes * 60_000),
          },
          office.revision,
        );
        if (quote) return { quote, deliverySlots: slotViews(firstDay, deliveryCalendarOf(office, closures)) };
        // The office (or a closing day) changed since this process read it, or it is gone: price
        // again from a fresh read. A third change within one quote would be a script in a loop;
        // the citizen then gets a clear error rather than a wait.
        offices.delete(key);
        if (attempt === MAX_QUOTE_ATTEMPTS) throw createOfficeChangingError();
      }
    },
  };
}
