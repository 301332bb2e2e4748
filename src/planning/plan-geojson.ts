import type { VehicleType } from '../offices/offices.table.ts';
import type { Plan, PlanRoute, PlanStop, RouteLine } from './planning.table.ts';

export interface PlanFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] } | RouteLine;
  properties: PlanFeatureProperties;
}

export interface PlanFeatureCollection {
  type: 'FeatureCollection';
  features: PlanFeature[];
}

export type PlanFeatureProperties =
  | { kind: 'depot'; officeId: string }
  | {
      kind: 'route';
      routeId: string;
      routeSequence: number;
      vehicleId: string;
      vehicleType: VehicleType;
      startsAt: string;
      endsAt: string;
      distanceMetres: number;
      durationSeconds: number;
      stopCount: number;
    }
  | {
      kind: 'stop';
      bookingId: string;
      applicationNumber: string;
      routeId: string;
      routeSequence: number;
      stopSequence: number;
      plannedArrival: string;
      announcedStart: string;
      announcedEnd: string;
    }
  | { kind: 'unassigned'; bookingId: string; applicationNumber: string; reason: string };

/**
 * The plan as one FeatureCollection (RFC 7946: WGS84, [lng, lat]) that QGIS or geojson.io open as
 * is: the office, one LineString per route, one Point per stop, and the bookings left over. Only
 * ids and times travel with the points; who lives there is in the booking, behind its audit.
 */
export function planToGeoJson(input: {
  plan: Plan;
  depot: [number, number];
  routes: readonly PlanRoute[];
  stops: readonly (PlanStop & { applicationNumber: string })[];
  unassigned: readonly { bookingId: string; applicationNumber: string; reason: string; location: [number, number] }[];
}): PlanFeatureCollection {
  const features: PlanFeature[] = [
    {
      type: 'Feature',
      id: `depot-${input.plan.officeId}`,
      geometry: { type: 'Point', coordinates: input.depot },
      properties: { kind: 'depot', officeId: input.plan.officeId },
    },
  ];
  const routeSeq = new Map(input.routes.map((r) => [r.id, r.sequence]));
  for (const r of input.routes) {
    features.push({
      type: 'Feature',
      id: `route-${r.id}`,
      geometry: r.geometry,
      properties: {
        kind: 'route',
        routeId: r.id,
        routeSequence: r.sequence,
        vehicleId: r.vehicleId,
        vehicleType: r.vehicleType,
        startsAt: r.startsAt.toISOString(),
        endsAt: r.endsAt.toISOString(),
        distanceMetres: r.distanceMetres,
        durationSeconds: r.durationSeconds,
        stopCount: input.stops.filter((s) => s.routeId === r.id).length,
      },
    });
  }
  for (const s of input.stops) {
    features.push({
      type: 'Feature',
      id: `stop-${s.bookingId}`,
      geometry: { type: 'Point', coordinates: s.location },
      properties: {
        kind: 'stop',
        bookingId: s.bookingId,
        applicationNumber: s.applicationNumber,
        routeId: s.routeId,
        routeSequence: routeSeq.get(s.routeId) ?? 0,
        stopSequence: s.sequence,
        plannedArrival: s.plannedArrival.toISOString(),
        announcedStart: s.announcedStart.toISOString(),
        announcedEnd: s.announcedEnd.toISOString(),
      },
    });
  }
  for (const u of input.unassigned) {
    features.push({
      type: 'Feature',
      id: `unassigned-${u.bookingId}`,
      geometry: { type: 'Point', coordinates: u.location },
      properties: { kind: 'unassigned', bookingId: u.bookingId, applicationNumber: u.applicationNumber, reason: u.reason },
    });
  }
  return { type: 'FeatureCollection', features };
}
