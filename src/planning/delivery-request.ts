/**
 * From bookings and courier shifts to the solver's `DeliveryRequest`, and from its solution back to
 * routes with UTC timestamps. Pure: the service loads the rows, this decides what they mean.
 */
import type { Booking } from '../bookings/bookings.table.ts';
import type { VehicleType } from '../offices/offices.table.ts';
import type { PreparedArea } from '../shared/prepared-area.ts';
import type { DeliveryRequest, TimeWindow, Vehicle, VrptwSolution } from '../routing/index.ts';
import { fromDaySeconds, toDaySeconds, type DeliveryDay } from './delivery-day.ts';
import type { CourierShift, UnassignedBooking } from './planning.table.ts';

export type PlannableBooking = Pick<Booking, 'id' | 'location' | 'vehicleType' | 'preferredWindows'>;

export interface PlanningSettings {
  /** Time at the door: identity check and handover. */
  serviceSeconds: number;
  /** Length of the window announced to the citizen. */
  announcedWindowSeconds: number;
}

export interface VehicleRef {
  shiftId: string;
  type: VehicleType;
}

export interface BuiltRequest {
  request: DeliveryRequest;
  /** Bookings with a preferred window on this day, in request order. */
  candidates: PlannableBooking[];
  vehicles: Map<string, VehicleRef>;
}

/** The parts of a booking's preferred windows that fall on the day, in day seconds. */
export function windowsOnDay(booking: PlannableBooking, day: DeliveryDay): Array<[number, number]> {
  const dayLength = toDaySeconds(day, day.end);
  const out: Array<[number, number]> = [];
  for (const w of booking.preferredWindows) {
    const open = Math.max(0, toDaySeconds(day, w.start));
    const close = Math.min(dayLength, toDaySeconds(day, w.end));
    if (close > open) out.push([open, close]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Which vehicle types may serve a booking. An e-car booking goes by e-car. A bike booking may go by
 * bike or e-car, but by bike only while its address lies in an active bicycle zone: zones can
 * shrink between booking and delivery, and a rider must never be sent outside one.
 */
export function allowedVehicleTypes(booking: PlannableBooking, bikeZones: readonly PreparedArea[]): VehicleType[] {
  if (booking.vehicleType === 'ecar') return ['ecar'];
  const inBikeZone = bikeZones.some((z) => z.contains(booking.location));
  return inBikeZone ? ['bike', 'ecar'] : ['ecar'];
}

export function buildDeliveryRequest(input: {
  depot: [number, number];
  day: DeliveryDay;
  bookings: readonly PlannableBooking[];
  shifts: readonly CourierShift[];
  /** The active bicycle zones, each prepared once for the day's bookings (prepareArea). */
  bikeZones: readonly PreparedArea[];
  settings: PlanningSettings;
}): BuiltRequest {
  const { day, settings } = input;
  const dayLength = toDaySeconds(day, day.end);
  const vehicles: Vehicle[] = [];
  const refs = new Map<string, VehicleRef>();
  for (const shift of input.shifts) {
    const start = Math.max(0, toDaySeconds(day, shift.shiftStart));
    const end = Math.min(dayLength, toDaySeconds(day, shift.shiftEnd));
    if (end <= start) continue;
    for (let i = 1; i <= shift.vehicleCount; i++) {
      const id = `${shift.id}#${i}`;
      vehicles.push({
        id,
        type: shift.vehicleType,
        capacity: shift.capacity,
        shift: [start, end],
        ...(shift.maxDistanceMetres ? { maxDistance: shift.maxDistanceMetres } : {}),
      });
      refs.set(id, { shiftId: shift.id, type: shift.vehicleType });
    }
  }

  const candidates: PlannableBooking[] = [];
  const stops: DeliveryRequest['stops'][number][] = [];
  for (const booking of input.bookings) {
    const windows = windowsOnDay(booking, day);
    if (windows.length === 0) continue;
    candidates.push(booking);
    // Service has to start early enough to finish the handover inside the citizen's window.
    const timeWindows: TimeWindow[] = windows.map(([open, close]) => [open, Math.max(open, close - settings.serviceSeconds)]);
    stops.push({
      id: booking.id,
      location: booking.location,
      serviceTime: settings.serviceSeconds,
      demand: 1,
      timeWindows,
      allowedVehicleTypes: allowedVehicleTypes(booking, input.bikeZones),
    });
  }
  return { request: { depot: { location: input.depot }, vehicles, stops }, candidates, vehicles: refs };
}

export interface StopDraft {
  bookingId: string;
  sequence: number;
  location: [number, number];
  plannedArrival: Date;
  serviceStart: Date;
  departure: Date;
  announcedStart: Date;
  announcedEnd: Date;
}

export interface RouteDraft {
  sequence: number;
  vehicleId: string;
  vehicleType: VehicleType;
  shiftId: string;
  startsAt: Date;
  endsAt: Date;
  distanceMetres: number;
  durationSeconds: number;
  travelSeconds: number;
  geometry: { type: 'LineString'; coordinates: [number, number][] };
  stops: StopDraft[];
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The window told to the citizen: `length` long, around the planned service start, on quarter
 * hours, and never outside the preferred window the stop was planned into (the citizen promised
 * to be at home then, not at other times).
 */
export function announcedWindow(
  serviceStart: Date,
  preferred: { start: Date; end: Date } | undefined,
  lengthMs: number,
): { start: Date; end: Date } {
  const t = serviceStart.getTime();
  const lo = preferred?.start.getTime() ?? -Infinity;
  const hi = preferred?.end.getTime() ?? Infinity;
  let start = Math.max(lo, Math.floor((t - lengthMs / 2) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
  const end = Math.min(hi, start + lengthMs);
  if (end - start < lengthMs) start = Math.max(lo, end - lengthMs);
  return { start: new Date(start), end: new Date(end) };
}

export function describeSolution(
  solution: VrptwSolution,
  ctx: {
    depot: [number, number];
    day: DeliveryDay;
    bookings: ReadonlyMap<string, PlannableBooking>;
    vehicles: ReadonlyMap<string, VehicleRef>;
    settings: PlanningSettings;
  },
): { routes: RouteDraft[]; unassigned: UnassignedBooking[] } {
  const routes: RouteDraft[] = [];
  for (const route of solution.routes) {
    if (route.stops.length === 0) continue;
    const vehicle = ctx.vehicles.get(route.vehicleId);
    if (!vehicle) throw new Error(`Solver returned unknown vehicle ${route.vehicleId}`);
    const stops = route.stops.map((s, i): StopDraft => {
      const booking = ctx.bookings.get(s.stopId);
      if (!booking) throw new Error(`Solver returned unknown stop ${s.stopId}`);
      const serviceStart = fromDaySeconds(ctx.day, s.serviceStart);
      const preferred = booking.preferredWindows
        .map((w) => ({ start: new Date(w.start), end: new Date(w.end) }))
        .find((w) => w.start <= serviceStart && serviceStart <= w.end);
      const announced = announcedWindow(serviceStart, preferred, ctx.settings.announcedWindowSeconds * 1000);
      return {
        bookingId: booking.id,
        sequence: i + 1,
        location: booking.location,
        plannedArrival: fromDaySeconds(ctx.day, s.arrival),
        serviceStart,
        departure: fromDaySeconds(ctx.day, s.departure),
        announcedStart: announced.start,
        announcedEnd: announced.end,
      };
    });
    routes.push({
      sequence: 0,
      vehicleId: route.vehicleId,
      vehicleType: vehicle.type,
      shiftId: vehicle.shiftId,
      startsAt: fromDaySeconds(ctx.day, route.start),
      endsAt: fromDaySeconds(ctx.day, route.end),
      distanceMetres: Math.round(route.distance),
      durationSeconds: Math.round(route.duration),
      travelSeconds: Math.round(route.travelTime),
      geometry: { type: 'LineString', coordinates: [ctx.depot, ...stops.map((s) => s.location), ctx.depot] },
      stops,
    });
  }
  // Stable numbering for people: by departure, then vehicle.
  routes.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.vehicleId.localeCompare(b.vehicleId));
  routes.forEach((r, i) => (r.sequence = i + 1));
  const unassigned = solution.unassigned.map((u) => ({ bookingId: u.stopId, reason: u.reason }));
  return { routes, unassigned };
}
