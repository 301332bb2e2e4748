import type { VehicleType } from '../offices/offices.table.ts';

/** What a route asks of the company and the shift that would drive it. */
export interface RouteNeeds {
  vehicleType: VehicleType;
  /** The service zones of the route's stops. */
  zoneIds: readonly string[];
  startsAt: Date;
  endsAt: Date;
  stops: number;
  distanceMetres: number;
}

export interface CandidateCompany {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  vehicleTypes: readonly VehicleType[];
  zoneIds: readonly string[];
}

export interface CandidateShift {
  id: string;
  companyId: string | null;
  vehicleType: VehicleType;
  vehicleCount: number;
  capacity: number;
  shiftStart: Date;
  shiftEnd: Date;
  maxDistanceMetres: number | null;
  /** Routes of the day that already use (or are offered on) one of the shift's vehicles. */
  vehiclesInUse: number;
}

/** A shift can drive the route as planned: same vehicle, covering its times, load and length, a vehicle free. */
export function shiftFits(route: RouteNeeds, shift: CandidateShift): boolean {
  return (
    shift.vehicleType === route.vehicleType &&
    shift.vehiclesInUse < shift.vehicleCount &&
    shift.shiftStart.getTime() <= route.startsAt.getTime() &&
    shift.shiftEnd.getTime() >= route.endsAt.getTime() &&
    shift.capacity >= route.stops &&
    (shift.maxDistanceMetres === null || shift.maxDistanceMetres >= route.distanceMetres)
  );
}

/** The company runs the vehicle and serves every zone the route enters. */
export function companyFits(route: RouteNeeds, company: CandidateCompany): boolean {
  return (
    company.status === 'active' &&
    company.vehicleTypes.includes(route.vehicleType) &&
    route.zoneIds.every((z) => company.zoneIds.includes(z))
  );
}

/**
 * The next company to offer a route to, after a decline or silence: one that has not had this
 * route's offer yet, whose vehicles and zones fit, and that has an unused shift that day able to
 * drive the route as planned. Companies in name order (then id), so the choice is repeatable; null
 * when none is left (the route is flagged to supervisors).
 */
export function chooseNextOffer(
  route: RouteNeeds,
  companies: readonly CandidateCompany[],
  shifts: readonly CandidateShift[],
  alreadyOffered: ReadonlySet<string>,
): { companyId: string; shiftId: string } | null {
  const ordered = [...companies].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  for (const company of ordered) {
    if (alreadyOffered.has(company.id) || !companyFits(route, company)) continue;
    const shift = shifts
      .filter((s) => s.companyId === company.id && shiftFits(route, s))
      .sort((a, b) => a.shiftStart.getTime() - b.shiftStart.getTime() || a.id.localeCompare(b.id))[0];
    if (shift) return { companyId: company.id, shiftId: shift.id };
  }
  return null;
}
