import { describe, expect, it } from 'vitest';
import {
  describeWeeklyHours,
  holidayName,
  offerForDate,
  offeredDays,
  weeklyHoursProblem,
  windowOutsideHours,
  type DeliveryCalendar,
} from '../../src/offices/delivery-hours.ts';
import { DEFAULT_DELIVERY_HOURS } from '../../src/offices/offices.table.ts';

const cal: DeliveryCalendar = {
  timeZone: 'Europe/Berlin',
  state: 'BW',
  hours: {
    ...DEFAULT_DELIVERY_HOURS,
    tue: [
      { start: '08:00', end: '12:00' },
      { start: '14:00', end: '18:00' },
    ],
  },
  closures: new Map([['2027-02-11', 'Betriebsausflug']]),
};

describe('delivery hours in office time, without public holidays and closing days', () => {
  it('a window within a span of a delivery day is accepted (office time, UTC in the API)', () => {
    // Monday 2027-02-08, 09:00–11:00 in Stuttgart is 08:00–10:00 UTC (winter time).
    expect(windowOutsideHours({ start: '2027-02-08T08:00:00Z', end: '2027-02-08T10:00:00Z' }, cal)).toBeNull();
    // Summer time: 18:00–20:00 local is 16:00–18:00 UTC.
    expect(windowOutsideHours({ start: '2027-06-07T16:00:00Z', end: '2027-06-07T18:00:00Z' }, cal)).toBeNull();
  });

  it('03:00 at night, a Sunday, a public holiday, a closing day and a lunch break are refused, each saying why', () => {
    expect(windowOutsideHours({ start: '2027-02-08T02:00:00Z', end: '2027-02-08T04:00:00Z' }, cal)).toMatch(
      /2027-02-08 03:00–05:00 lies outside the delivery hours/,
    );
    expect(windowOutsideHours({ start: '2027-02-07T09:00:00Z', end: '2027-02-07T11:00:00Z' }, cal)).toMatch(/no delivery on Sun/);
    expect(windowOutsideHours({ start: '2027-01-06T09:00:00Z', end: '2027-01-06T11:00:00Z' }, cal)).toMatch(
      /public holiday \(Heilige Drei Könige\)/,
    );
    expect(windowOutsideHours({ start: '2027-02-11T09:00:00Z', end: '2027-02-11T11:00:00Z' }, cal)).toMatch(/Betriebsausflug/);
    // Tuesday 11:00–13:00 local crosses the lunch break.
    expect(windowOutsideHours({ start: '2027-02-09T10:00:00Z', end: '2027-02-09T12:00:00Z' }, cal)).toMatch(/outside the delivery hours/);
  });

  it('holidays are the state’s: Epiphany in Baden-Württemberg, not in Berlin', () => {
    expect(holidayName('2027-01-06', 'BW')).toBe('Heilige Drei Könige');
    expect(holidayName('2027-01-06', 'BE')).toBeNull();
    expect(holidayName('2026-12-25', 'BE')).toBe('1. Weihnachtstag');
  });

  it('the offer of a day lists its spans; closed days say why', () => {
    const tuesday = offerForDate('2027-02-09', cal);
    expect(tuesday.spans.map((s) => [s.start.toISOString(), s.end.toISOString()])).toEqual([
      ['2027-02-09T07:00:00.000Z', '2027-02-09T11:00:00.000Z'],
      ['2027-02-09T13:00:00.000Z', '2027-02-09T17:00:00.000Z'],
    ]);
    expect(offerForDate('2026-12-26', cal).closed).toEqual({ kind: 'holiday', name: '2. Weihnachtstag' });
    const week = offeredDays('2027-02-08', 7, cal);
    expect(week.map((d) => d.closed?.kind ?? 'open')).toEqual(['open', 'open', 'open', 'closure', 'open', 'open', 'no_hours']);
  });

  it('the hours are described in words, consecutive equal days grouped', () => {
    expect(describeWeeklyHours(DEFAULT_DELIVERY_HOURS)).toBe('Mon–Fri 08:00–20:00, Sat 09:00–14:00');
    expect(describeWeeklyHours(cal.hours)).toBe('Mon 08:00–20:00, Tue 08:00–12:00 and 14:00–18:00, Wed–Fri 08:00–20:00, Sat 09:00–14:00');
  });

  it('malformed, reversed or overlapping spans are refused', () => {
    expect(weeklyHoursProblem(DEFAULT_DELIVERY_HOURS)).toBeNull();
    expect(weeklyHoursProblem({ ...DEFAULT_DELIVERY_HOURS, mon: [{ start: '18:00', end: '08:00' }] })).toMatch(/end after it starts/);
    expect(
      weeklyHoursProblem({
        ...DEFAULT_DELIVERY_HOURS,
        mon: [
          { start: '08:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      }),
    ).toMatch(/must not overlap/);
    expect(weeklyHoursProblem({ ...DEFAULT_DELIVERY_HOURS, mon: [{ start: '8:00', end: '12:00' }] })).toMatch(/HH:MM/);
  });
});
