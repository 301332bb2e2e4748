import { circle } from '@turf/turf';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { addDays, deliveryDay, isValidDeliveryDate, localDate, toDaySeconds, zonedTimeToUtc } from '../../src/planning/delivery-day.ts';
import { allowedVehicleTypes, announcedWindow, buildDeliveryRequest, windowsOnDay } from '../../src/planning/delivery-request.ts';
import type { CourierShift } from '../../src/planning/planning.table.ts';
import { prepareArea } from '../../src/shared/prepared-area.ts';

const TZ = 'Europe/Berlin';
// As in test-platform.ts (not imported: it would boot half the app for a pure test).
const OFFICE_LOCATION: [number, number] = [9.1759, 48.7746];
const NEAR: [number, number] = [9.1773, 48.7754];
const CITY_ONLY: [number, number] = [9.1105, 48.7297];
const bikeZone = prepareArea(circle(OFFICE_LOCATION, 4, { steps: 64, units: 'kilometers' }).geometry as Polygon);
const settings = { serviceSeconds: 300, announcedWindowSeconds: 3600 };

describe('delivery days in office time', () => {
  it('a winter day starts at 23:00 UTC the evening before and has 24 hours', () => {
    const day = deliveryDay('2026-12-15', TZ);
    expect(day.start.toISOString()).toBe('2026-12-14T23:00:00.000Z');
    expect(toDaySeconds(day, day.end)).toBe(24 * 3600);
  });

  it('the spring-forward day has 23 hours and the fall-back day 25', () => {
    expect(toDaySeconds(deliveryDay('2026-03-29', TZ), deliveryDay('2026-03-29', TZ).end)).toBe(23 * 3600);
    expect(toDaySeconds(deliveryDay('2026-10-25', TZ), deliveryDay('2026-10-25', TZ).end)).toBe(25 * 3600);
    expect(zonedTimeToUtc('2026-07-01', '09:30', TZ).toISOString()).toBe('2026-07-01T07:30:00.000Z');
  });

  it('knows calendar dates and the local date of an instant', () => {
    expect(isValidDeliveryDate('2026-02-29')).toBe(false);
    expect(isValidDeliveryDate('2028-02-29')).toBe(true);
    expect(localDate(new Date('2026-12-14T23:30:00Z'), TZ)).toBe('2026-12-15');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('turning bookings and shifts into a routing request', () => {
  const date = '2026-12-15';
  const day = deliveryDay(date, TZ);
  const w = (from: string, to: string) => ({
    start: zonedTimeToUtc(date, from, TZ).toISOString(),
    end: zonedTimeToUtc(date, to, TZ).toISOString(),
  });

  it('an e-car booking goes by e-car; a bike booking by bike or e-car, but by e-car only outside the bicycle zone', () => {
    expect(allowedVehicleTypes({ id: 'a', location: NEAR, vehicleType: 'ecar', preferredWindows: [] }, [bikeZone])).toEqual(['ecar']);
    expect(allowedVehicleTypes({ id: 'b', location: NEAR, vehicleType: 'bike', preferredWindows: [] }, [bikeZone])).toEqual([
      'bike',
      'ecar',
    ]);
    expect(allowedVehicleTypes({ id: 'c', location: CITY_ONLY, vehicleType: 'bike', preferredWindows: [] }, [bikeZone])).toEqual(['ecar']);
    expect(allowedVehicleTypes({ id: 'd', location: NEAR, vehicleType: 'bike', preferredWindows: [] }, [])).toEqual(['ecar']);
  });

  it('keeps only the parts of preferred windows on the day, and leaves time for the handover', () => {
    const booking = {
      id: 'b',
      location: NEAR,
      vehicleType: 'bike' as const,
      preferredWindows: [w('09:00', '11:00'), { start: '2026-12-16T08:00:00Z', end: '2026-12-16T10:00:00Z' }],
    };
    expect(windowsOnDay(booking, day)).toEqual([[9 * 3600, 11 * 3600]]);
    const shift = {
      id: 's1',
      vehicleType: 'bike',
      vehicleCount: 2,
      capacity: 7,
      shiftStart: zonedTimeToUtc(date, '08:00', TZ),
      shiftEnd: zonedTimeToUtc(date, '16:00', TZ),
      maxDistanceMetres: 40_000,
    } as CourierShift;
    const other = { ...booking, id: 'other', preferredWindows: [{ start: '2026-12-16T08:00:00Z', end: '2026-12-16T10:00:00Z' }] };
    const built = buildDeliveryRequest({
      depot: OFFICE_LOCATION,
      day,
      bookings: [booking, other],
      shifts: [shift],
      bikeZones: [bikeZone],
      settings,
    });
    expect(built.candidates.map((b) => b.id)).toEqual(['b']);
    expect(built.request.stops).toEqual([
      {
        id: 'b',
        location: NEAR,
        serviceTime: 300,
        demand: 1,
        timeWindows: [[9 * 3600, 11 * 3600 - 300]],
        allowedVehicleTypes: ['bike', 'ecar'],
      },
    ]);
    expect(built.request.vehicles).toEqual([
      { id: 's1#1', type: 'bike', capacity: 7, shift: [8 * 3600, 16 * 3600], maxDistance: 40_000 },
      { id: 's1#2', type: 'bike', capacity: 7, shift: [8 * 3600, 16 * 3600], maxDistance: 40_000 },
    ]);
  });

  it('announces an hour on quarter hours around the planned time, inside the preferred window', () => {
    const at = (s: string) => new Date(s);
    const preferred = { start: at('2026-12-15T08:00:00Z'), end: at('2026-12-15T12:00:00Z') };
    const mid = announcedWindow(at('2026-12-15T10:07:00Z'), preferred, 3_600_000);
    expect([mid.start.toISOString(), mid.end.toISOString()]).toEqual(['2026-12-15T09:30:00.000Z', '2026-12-15T10:30:00.000Z']);
    const early = announcedWindow(at('2026-12-15T08:05:00Z'), preferred, 3_600_000);
    expect([early.start.toISOString(), early.end.toISOString()]).toEqual(['2026-12-15T08:00:00.000Z', '2026-12-15T09:00:00.000Z']);
    const late = announcedWindow(at('2026-12-15T11:50:00Z'), preferred, 3_600_000);
    expect([late.start.toISOString(), late.end.toISOString()]).toEqual(['2026-12-15T11:00:00.000Z', '2026-12-15T12:00:00.000Z']);
  });
});
