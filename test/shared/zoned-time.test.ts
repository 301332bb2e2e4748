import { describe, expect, it } from 'vitest';
import { localDate, localTimeOfDay, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';

/** What Intl itself says (Swedish writes dates and times the ISO way): the reference the remembered offsets must agree with. */
const swedish = new Map<string, Intl.DateTimeFormat>();
function intlWallClock(instant: Date, timeZone: string) {
  if (!swedish.has(timeZone)) swedish.set(timeZone, new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }));
  const [date = '', time = ''] = (swedish.get(timeZone)?.format(instant) ?? '').split(' ');
  return { date, time };
}

// Zones with whole-hour, half-hour (Lord Howe's 30-minute DST) and 45-minute offsets, both hemispheres.
const ZONES = ['Europe/Berlin', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'];

describe('zoned time', () => {
  it('gives the date and time of day Intl gives, every 7 minutes across both DST changes of 2026', () => {
    const wrong: object[] = [];
    for (const zone of ZONES) {
      // Around Europe's and the southern hemisphere's changes: late March / early April and October.
      for (const [from, to] of [
        ['2026-03-27T00:00:00Z', '2026-04-07T00:00:00Z'],
        ['2026-09-25T00:00:00Z', '2026-11-03T00:00:00Z'],
        ['2026-12-31T20:00:00Z', '2027-01-01T04:00:00Z'],
      ] as const) {
        for (let ms = Date.parse(from); ms < Date.parse(to); ms += 7 * 60_000 + 13_000) {
          const instant = new Date(ms);
          const want = intlWallClock(instant, zone);
          const got = { date: localDate(instant, zone), time: localTimeOfDay(instant, zone) };
          if (got.date !== want.date || got.time !== want.time) wrong.push({ zone, at: instant.toISOString(), got, want });
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('turns an office-local time into its UTC instant on both sides of a DST change', () => {
    expect(zonedTimeToUtc('2026-03-28', '10:00', 'Europe/Berlin').toISOString()).toBe('2026-03-28T09:00:00.000Z');
    expect(zonedTimeToUtc('2026-03-29', '10:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(zonedTimeToUtc('2026-10-25', '10:00', 'Europe/Berlin').toISOString()).toBe('2026-10-25T09:00:00.000Z');
    // The New Year in Stuttgart begins an hour before UTC's.
    expect(localDate(new Date('2026-12-31T23:30:00Z'), 'Europe/Berlin')).toBe('2027-01-01');
  });
});
