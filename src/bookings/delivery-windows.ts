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
