import { getHolidays } from 'feiertagejs';
import { addDays, isoWeekday, localDate, localTimeOfDay, zonedTimeToUtc } from '../shared/zoned-time.ts';
import { required } from '../shared/required.ts';
import { WEEKDAYS, type GermanState, type TimeSpan, type Weekday, type WeeklyHours } from './offices.table.ts';

/**
 * When an office delivers: weekly hours in office time, minus the public holidays of its state
 * (computed by `feiertagejs`, MIT) and the closing days an admin entered. Pure: the calendar is
 * passed in, so the rules are tested without a database.
 */
export interface DeliveryCalendar {
  timeZone: string;
  state: GermanState;
  hours: WeeklyHours;
  /** Office-local date → reason. */
  closures: ReadonlyMap<string, string>;
}

export interface DayOffer {
  date: string;
  weekday: Weekday;
  /** The spans of the day as UTC instants (a span across a DST change keeps its wall-clock ends). */
  spans: { start: Date; end: Date }[];
  closed: { kind: 'holiday' | 'closure' | 'no_hours'; name: string } | null;
}

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const WEEKDAY_LABELS: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

const holidayCache = new Map<string, Map<string, string>>();

/** The public holidays of a state in a year: date → German name. */
function holidaysOf(year: number, state: GermanState): Map<string, string> {
  const key = `${state}:${year}`;
  let found = holidayCache.get(key);
  if (!found) {
    found = new Map(getHolidays(year, state).map((h) => [h.dateString, h.translate('de') ?? h.name]));
    holidayCache.set(key, found);
  }
  return found;
}

export function holidayName(date: string, state: GermanState): string | null {
  return holidaysOf(Number(date.slice(0, 4)), state).get(date) ?? null;
}

export const weekdayOf = (date: string): Weekday => required(WEEKDAYS[isoWeekday(date) - 1], `the weekday of ${date}`);

export function offerForDate(date: string, cal: DeliveryCalendar): DayOffer {
  const weekday = weekdayOf(date);
  const holiday = holidayName(date, cal.state);
  const closure = cal.closures.get(date);
  const spans = cal.hours[weekday];
  const closed = holiday
    ? { kind: 'holiday' as const, name: holiday }
    : closure !== undefined
      ? { kind: 'closure' as const, name: closure }
      : spans.length === 0
        ? { kind: 'no_hours' as const, name: WEEKDAY_LABELS[weekday] }
        : null;
  return {
    date,
    weekday,
    closed,
    spans: closed ? [] : spans.map((s) => ({ start: toInstant(date, s.start, cal.timeZone), end: toInstant(date, s.end, cal.timeZone) })),
  };
}

/** `24:00` is the next midnight. */
function toInstant(date: string, time: string, timeZone: string): Date {
  return time === '24:00' ? zonedTimeToUtc(addDays(date, 1), '00:00', timeZone) : zonedTimeToUtc(date, time, timeZone);
}

/** The offer of `days` consecutive dates from `fromDate`, for clients to show the slots. */
export function offeredDays(fromDate: string, days: number, cal: DeliveryCalendar): DayOffer[] {
  return Array.from({ length: days }, (_, i) => offerForDate(addDays(fromDate, i), cal));
}

/** "Mon–Fri 08:00–20:00, Sat 09:00–14:00": consecutive days with the same hours are grouped. */
export function describeWeeklyHours(hours: WeeklyHours): string {
  const text = (spans: TimeSpan[]) => spans.map((s) => `${s.start}–${s.end}`).join(' and ');
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const day of WEEKDAYS) {
    if (hours[day].length === 0) continue;
    const last = groups.at(-1);
    const h = text(hours[day]);
    if (last && last.hours === h && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(day) - 1) last.to = day;
    else groups.push({ from: day, to: day, hours: h });
  }
  if (groups.length === 0) return 'no delivery hours are set';
  return groups.map((g) => `${WEEKDAY_LABELS[g.from]}${g.from === g.to ? '' : `–${WEEKDAY_LABELS[g.to]}`} ${g.hours}`).join(', ');
}

/**
 * Why a preferred window cannot be delivered in, or null when it lies within one span of the
 * office's hours on a day it delivers.
 */
export function windowOutsideHours(window: { start: string; end: string }, cal: DeliveryCalendar): string | null {
  const start = new Date(window.start);
  const end = new Date(window.end);
  const date = localDate(start, cal.timeZone);
  const label = `${date} ${localTimeOfDay(start, cal.timeZone)}–${localTimeOfDay(end, cal.timeZone)}`;
  const offer = offerForDate(date, cal);
  if (offer.closed?.kind === 'holiday') return `${label}: ${date} is a public holiday (${offer.closed.name})`;
  if (offer.closed?.kind === 'closure') return `${label}: the office does not deliver on ${date} (${offer.closed.name})`;
  if (offer.closed?.kind === 'no_hours') return `${label}: there is no delivery on ${offer.closed.name}`;
  const inside = offer.spans.some((s) => start >= s.start && end <= s.end);
  return inside ? null : `${label} lies outside the delivery hours of that day`;
}

/** The sentence a refused window's error ends with: which hours are offered. */
export function offeredHoursSentence(cal: DeliveryCalendar): string {
  return `Delivery is offered ${describeWeeklyHours(cal.hours)} (office time, ${cal.timeZone}), not on public holidays (${cal.state}) or days the office is closed`;
}

/** Problems of a weekly-hours value an admin sends, or null: well-formed, ordered, not overlapping. */
export function weeklyHoursProblem(hours: WeeklyHours): string | null {
  for (const day of WEEKDAYS) {
    const spans = hours[day];
    for (const [i, span] of spans.entries()) {
      if (!HH_MM.test(span.start) || !HH_MM.test(span.end)) return `${day}: times are HH:MM (00:00–24:00)`;
      if (span.start >= span.end) return `${day}: a span must end after it starts (${span.start}–${span.end})`;
      const prev = spans[i - 1];
      if (prev && span.start < prev.end) return `${day}: spans must be in order and must not overlap`;
    }
  }
  return null;
}

/** The API's view of a calendar's offer: hours in office time, each day's spans as UTC instants. */
export function toDeliverySlotsView(cal: DeliveryCalendar, days: DayOffer[]) {
  return {
    timeZone: cal.timeZone,
    state: cal.state,
    hours: cal.hours,
    hoursText: offeredHoursSentence(cal),
    days: days.map((d) => ({
      date: d.date,
      weekday: d.weekday,
      windows: d.spans.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
      closed: d.closed,
    })),
  };
}
