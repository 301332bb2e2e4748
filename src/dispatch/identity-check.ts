import type { Static } from '@sinclair/typebox';
import { distance, point } from '@turf/turf';
import type { Booking } from '../bookings/bookings.table.ts';
import type { IdentityCheckSchema } from './courier-events.ts';
import type { IdentityMethod } from './dispatch.table.ts';

/** The identity check as a courier company reports it with `stop.delivered` or `stop.failed` (its schema is the contract). */
export type ReportedIdentityCheck = Static<typeof IdentityCheckSchema>;

/**
 * What the courier must have checked before handing the document over: the face against the
 * photo on the new document; for a child's passport, that the recipient is a parent with custody,
 * shown with their own ID document.
 */
export function requiredMethods(documentType: Booking['documentType']): IdentityMethod[] {
  return documentType === 'child_passport' ? ['parental_custody', 'second_id_document'] : ['photo_comparison'];
}

export interface IdentityAssessment {
  /** The delivery counts: the courier reported a pass, used every required method, and the recipient confirmed. */
  passed: boolean;
  missingMethods: IdentityMethod[];
  distanceMetres: number;
  /** Farther from the address than the geofence allows (beyond the position's own accuracy): a person looks. */
  flaggedForReview: boolean;
}

export function assessIdentityCheck(input: {
  documentType: Booking['documentType'];
  address: [number, number];
  check: ReportedIdentityCheck;
  geofenceMetres: number;
}): IdentityAssessment {
  const { check } = input;
  const missingMethods = requiredMethods(input.documentType).filter((m) => !check.methods.includes(m));
  const metres = distance(point(input.address), point([check.position.lng, check.position.lat]), { units: 'meters' });
  const distanceMetres = Math.round(metres);
  return {
    passed: check.result === 'passed' && missingMethods.length === 0 && check.recipientConfirmed,
    missingMethods,
    distanceMetres,
    flaggedForReview: distanceMetres > input.geofenceMetres + Math.min(check.position.accuracyMetres, input.geofenceMetres),
  };
}
