import { createOtherOfficeError } from './auth.errors.ts';
import type { StaffPrincipal } from './auth.service.ts';

/** Staff of one office act only for that office; city-wide staff (officeId null) for every office. */
export const canActForOffice = (staff: Pick<StaffPrincipal, 'officeId'>, officeId: string) =>
  staff.officeId === null || staff.officeId === officeId;

export function assertOfficeScope(staff: Pick<StaffPrincipal, 'officeId'>, officeId: string, message?: string) {
  if (!canActForOffice(staff, officeId)) throw createOtherOfficeError({ message });
}
