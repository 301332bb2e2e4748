import type { Booking } from '../bookings/bookings.table.ts';
import type { Office } from '../offices/offices.table.ts';
import type { PlanRoute, PlanStop } from '../planning/planning.table.ts';
import { requiredMethods } from './identity-check.ts';

export interface RouteStopFacts {
  stop: PlanStop;
  booking: Pick<Booking, 'id' | 'status' | 'documentType' | 'recipient' | 'address' | 'location'>;
}

/**
 * What a courier company is told of a route: what its courier needs at each door and nothing
 * more. Name, phone, address, position and announced window per stop, with an opaque job id (the
 * stop's id); never the application number, the document number or a date of birth. Cancelled
 * bookings are no longer stops.
 */
export function routeData(input: {
  route: PlanRoute;
  deliveryDate: string;
  office: Office;
  stops: RouteStopFacts[];
  offerDeadline: Date | null;
}) {
  const { route, office } = input;
  return {
    routeId: route.id,
    version: route.version,
    deliveryDate: input.deliveryDate,
    office: { id: office.id, name: office.name, address: office.addressLine, location: office.location },
    vehicleType: route.vehicleType,
    pickupAt: route.startsAt.toISOString(),
    returnBy: route.endsAt.toISOString(),
    distanceMetres: route.distanceMetres,
    offerDeadline: input.offerDeadline?.toISOString() ?? null,
    stops: input.stops
      .filter((s) => s.booking.status !== 'cancelled')
      .map((s) => ({
        jobId: s.stop.id,
        sequence: s.stop.sequence,
        recipient: { name: s.booking.recipient.name, phone: s.booking.recipient.phone },
        address: {
          street: s.booking.address.street,
          houseNumber: s.booking.address.houseNumber,
          ...(s.booking.address.addressLine2 ? { addressLine2: s.booking.address.addressLine2 } : {}),
          postalCode: s.booking.address.postalCode,
          city: s.booking.address.city,
        },
        location: s.booking.location,
        window: { start: s.stop.announcedStart.toISOString(), end: s.stop.announcedEnd.toISOString() },
        plannedArrival: s.stop.plannedArrival.toISOString(),
        identityCheck: { requiredMethods: requiredMethods(s.booking.documentType), minor: s.booking.documentType === 'child_passport' },
      })),
  };
}

export type RouteData = ReturnType<typeof routeData>;
