import { offeredHoursSentence, windowOutsideHours, type DeliveryCalendar } from '../offices/delivery-hours.ts';
import { createInvalidDeliveryWindowsError } from './bookings.errors.ts';
import type { DeliveryWindow } from './bookings.table.ts';

const HOUR = 3_600_000;

/**
 * Preferred delivery windows: 1–5 windows, each 1 to 12 hours long, in the future and within the
 * next 120 days (ID documents take weeks to arrive from Bundesdruckerei), not overlapping.
 */
export function validateDeliveryWindows(windows: DeliveryWindow[], now: Date): void {
  const fail = (message: string) => {
    throw createInvalidDeliveryWindowsError(message);
  };
  if (windows.length < 1 || windows.length > 5) fail('Give 1 to 5 preferred delivery windows');
  const parsed = windows.map((w) => ({ start: Date.parse(w.start), end: Date.parse(w.end) }));
  for (const w of parsed) {
    if (Number.isNaN(w.start) || Number.isNaN(w.end)) fail('Window times must be ISO 8601 timestamps');
    if (w.end - w.start < HOUR || w.end - w.start > 12 * HOUR) fail('Each window must be 1 to 12 hours long');
    if (w.start < now.getTime()) fail('Windows must lie in the future');
    if (w.start > now.getTime() + 120 * 24 * HOUR) fail('Windows must lie within the next 120 days');
  }
  const sorted = [...parsed].sort((a, b) => a.start - b.start);
  let previous: (typeof sorted)[number] | undefined;
  for (const w of sorted) {
    if (previous && w.start < previous.end) fail('Windows must not overlap');
    previous = w;
  }
}

/** Every preferred window lies in the office's delivery hours on a day it delivers (422 `booking.invalid_windows` naming which does not). */
export function assertWithinDeliveryHours(calendar: DeliveryCalendar, windows: DeliveryWindow[]) {
  const problems = windows.map((w) => windowOutsideHours(w, calendar)).filter((p): p is string => p !== null);
  if (problems.length > 0) {
    throw createInvalidDeliveryWindowsError(`${problems.join('; ')}. ${offeredHoursSentence(calendar)}.`, {
      timeZone: calendar.timeZone,
      hours: calendar.hours,
    });
  }
}

/** The same set of windows, whatever their order or ISO spelling (`…:00Z` or `…:00.000Z`). */
export function sameWindows(a: readonly DeliveryWindow[], b: readonly DeliveryWindow[]): boolean {
  const key = (ws: readonly DeliveryWindow[]) =>
    ws
      .map((w) => `${Date.parse(w.start)}|${Date.parse(w.end)}`)
      .sort()
      .join(',');
  return a.length === b.length && key(a) === key(b);
}

/** Windows as stored after a change: UTC ISO instants, earliest first (call after validation). */
export function normaliseWindows(windows: readonly DeliveryWindow[]): DeliveryWindow[] {
  return windows
    .map((w) => ({ start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() }))
    .sort((x, y) => x.start.localeCompare(y.start));
}
