import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDeliveryWindows } from '../../src/bookings/delivery-windows.ts';
import { isAppError } from '../../src/shared/errors.ts';
import { must } from '../helpers/must.ts';

const HOUR = 3_600_000;
const NOW = new Date('2026-03-02T09:00:00Z');
const w = (startOffsetMs: number, lengthMs: number) => ({
  start: new Date(NOW.getTime() + startOffsetMs).toISOString(),
  end: new Date(NOW.getTime() + startOffsetMs + lengthMs).toISOString(),
});

function refusal(windows: Array<{ start: string; end: string }>): string | null {
  try {
    validateDeliveryWindows(windows, NOW);
    return null;
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect(e).toMatchObject({ code: 'booking.invalid_windows', status: 422 });
    return e.message;
  }
}

describe('preferred delivery windows', () => {
  it('accepts windows of exactly 1 and exactly 12 hours', () => {
    expect(refusal([w(24 * HOUR, HOUR)])).toBeNull();
    expect(refusal([w(24 * HOUR, 12 * HOUR)])).toBeNull();
  });

  it('refuses a window a millisecond shorter than an hour or longer than 12 hours', () => {
    expect(refusal([w(24 * HOUR, HOUR - 1)])).toMatch(/1 to 12 hours/);
    expect(refusal([w(24 * HOUR, 12 * HOUR + 1)])).toMatch(/1 to 12 hours/);
    expect(refusal([w(24 * HOUR, -2 * HOUR)])).toMatch(/1 to 12 hours/);
  });

  it('a window may start now but not a millisecond earlier', () => {
    expect(refusal([w(0, 2 * HOUR)])).toBeNull();
    expect(refusal([w(-1, 2 * HOUR)])).toMatch(/future/);
  });

  it('a window may start 120 days ahead but not a millisecond later', () => {
    expect(refusal([w(120 * 24 * HOUR, 2 * HOUR)])).toBeNull();
    expect(refusal([w(120 * 24 * HOUR + 1, 2 * HOUR)])).toMatch(/120 days/);
  });

  it('windows that touch are fine; overlapping by a millisecond is not', () => {
    expect(refusal([w(24 * HOUR, 2 * HOUR), w(26 * HOUR, 2 * HOUR)])).toBeNull();
    expect(refusal([w(24 * HOUR, 2 * HOUR), w(26 * HOUR - 1, 2 * HOUR)])).toMatch(/overlap/);
  });

  it('an overlap is found whatever order the windows are given in, also between non-neighbours', () => {
    const long = w(24 * HOUR, 12 * HOUR);
    const inside = w(30 * HOUR, 2 * HOUR);
    const between = w(26 * HOUR, 2 * HOUR);
    expect(refusal([inside, w(48 * HOUR, 2 * HOUR), long])).toMatch(/overlap/);
    expect(refusal([between, inside, long])).toMatch(/overlap/);
  });

  it('needs one to five windows', () => {
    expect(refusal([])).toMatch(/1 to 5/);
    expect(refusal(Array.from({ length: 5 }, (_, i) => w((24 + 24 * i) * HOUR, 2 * HOUR)))).toBeNull();
    expect(refusal(Array.from({ length: 6 }, (_, i) => w((24 + 24 * i) * HOUR, 2 * HOUR)))).toMatch(/1 to 5/);
  });

  it('refuses times that are not timestamps', () => {
    expect(refusal([{ start: 'tomorrow', end: 'later' }])).toMatch(/ISO 8601/);
  });

  it('any set of disjoint valid windows is accepted, in any order; adding an overlapping one is refused', () => {
    const slot = fc.record({
      day: fc.integer({ min: 1, max: 110 }),
      hour: fc.integer({ min: 0, max: 11 }),
      length: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(slot, { minLength: 1, maxLength: 4, selector: (s) => s.day }), fc.nat(), (slots, pick) => {
        // One window per day, each inside its own day: never overlapping.
        const windows = slots.map((s) => w(s.day * 24 * HOUR + s.hour * HOUR, s.length * HOUR));
        expect(refusal(windows)).toBeNull();
        expect(refusal([...windows].reverse())).toBeNull();
        const victim = must(slots[pick % slots.length], 'slots[pick % slots.length]');
        const overlapping = w(victim.day * 24 * HOUR + victim.hour * HOUR + 30 * 60_000, HOUR);
        expect(refusal([...windows, overlapping])).toMatch(/overlap/);
      }),
    );
  });
});
