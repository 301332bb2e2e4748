/**
 * Calendar dates and wall-clock times in a timezone (an office's), for a database and API that
 * speak UTC. No timezone library: `Intl` knows the tz database.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDeliveryDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClockParts(ms: number, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => {
    const part = parts.find((p) => p.type === type);
    if (!part) throw new Error(`Intl.DateTimeFormat gave no ${type} for ${timeZone}`);
    return Number(part.value);
  };
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const OFFSET_SPAN_MS = 15 * 60_000;
const offsets = new Map<string, number>();

/**
 * How far the zone's wall clock is ahead of UTC at the instant `ms`. Remembered per quarter
 * hour: offsets change only at transitions, which today's zones make on a quarter hour
 * (formatToParts was the largest cost of a quote, which works out weeks of delivery slots).
 */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const span = Math.floor(ms / OFFSET_SPAN_MS);
  const key = `${timeZone}|${span}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const start = span * OFFSET_SPAN_MS;
  const p = wallClockParts(start, timeZone);
  const offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - start;
  if (offsets.size >= 50_000) offsets.clear(); // bounded: a few months of quarter hours per zone
  offsets.set(key, offset);
  return offset;
}

/** The UTC instant of a wall-clock time (`HH:MM`) on a date in a timezone. */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the offset when the first guess lands on the other side of a DST change.
  let ms = naive - zoneOffsetMs(naive, timeZone);
  ms = naive - zoneOffsetMs(ms, timeZone);
  return new Date(ms);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The instant's wall clock in the zone, as a Date whose UTC fields are that wall clock. Through
 * the offset remembered per quarter hour: formatToParts for every date and time of day was a few
 * per cent of a quote's and a booking's CPU.
 */
function wallClock(instant: Date, timeZone: string): Date {
  const ms = instant.getTime();
  return new Date(ms + zoneOffsetMs(ms, timeZone));
}

/** The calendar date of an instant in a timezone. */
export function localDate(instant: Date, timeZone: string): string {
  return wallClock(instant, timeZone).toISOString().slice(0, 10);
}

/** The wall-clock time `HH:MM` of an instant in a timezone. */
export function localTimeOfDay(instant: Date, timeZone: string): string {
  return wallClock(instant, timeZone).toISOString().slice(11, 16);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}
