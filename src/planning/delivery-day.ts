/**
 * Delivery days are calendar days in the office's timezone; the database and the API speak UTC.
 * The solver counts seconds from the start of the delivery day, so a DST day simply has 23 or 25
 * hours of seconds.
 */
import { addDays, zonedTimeToUtc } from '../shared/zoned-time.ts';

export { addDays, isValidDeliveryDate, localDate, zonedTimeToUtc } from '../shared/zoned-time.ts';

export interface DeliveryDay {
  date: string;
  timeZone: string;
  /** Local midnight, as a UTC instant. */
  start: Date;
  /** The next local midnight. */
  end: Date;
}

export function deliveryDay(date: string, timeZone: string): DeliveryDay {
  return { date, timeZone, start: zonedTimeToUtc(date, '00:00', timeZone), end: zonedTimeToUtc(addDays(date, 1), '00:00', timeZone) };
}

/** Seconds since the start of the day (the solver's clock). */
export const toDaySeconds = (day: DeliveryDay, instant: Date | string): number =>
  Math.round((new Date(instant).getTime() - day.start.getTime()) / 1000);

export const fromDaySeconds = (day: DeliveryDay, seconds: number): Date => new Date(day.start.getTime() + Math.round(seconds) * 1000);
