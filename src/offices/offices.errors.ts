import { createError, createErrorFactory } from '../shared/errors.ts';
import type { VehicleType } from './offices.table.ts';

/** Also what staff of another office hear: that an office exists is not theirs to learn. */
export const createOfficeNotFoundError = createErrorFactory({
  code: 'office.not_found',
  status: 404,
  message: 'Office not found',
});

export const createOfficeSlugTakenError = createErrorFactory({
  code: 'office.slug_taken',
  status: 409,
  message: 'An office with this slug exists',
});

export const createZoneNotFoundError = createErrorFactory({
  code: 'zone.not_found',
  status: 404,
  message: 'Zone not found',
});

/** A zone polygon a point-in-polygon test could not trust; each check says what is wrong. */
export const createInvalidZoneGeometryError = (reason: string) =>
  createError({ code: 'zone.invalid_geometry', status: 422, message: reason });

export const createTariffNotFoundError = createErrorFactory({
  code: 'tariff.not_found',
  status: 404,
  message: 'Tariff not found',
});

export const createTariffInvalidPeriodError = createErrorFactory({
  code: 'tariff.invalid_period',
  status: 422,
  message: 'validTo must lie after validFrom',
});

export const createTariffExtensionError = createErrorFactory({
  code: 'tariff.invalid_period',
  status: 422,
  message: 'A tariff can only be ended earlier, not extended',
});

export const createTariffVehicleNotInZoneError = (vehicleType: VehicleType) =>
  createError({ code: 'tariff.vehicle_not_in_zone', status: 422, message: `The zone does not allow ${vehicleType}` });

export const createTariffOverlapsError = createErrorFactory({
  code: 'tariff.overlaps',
  status: 409,
  message: 'Another tariff for this zone and vehicle is valid in that period: end it first',
});

/** Weekly delivery hours an admin sent that are malformed, reversed or overlapping. */
export const createInvalidDeliveryHoursError = (reason: string) =>
  createError({ code: 'office.invalid_delivery_hours', status: 422, message: reason });

export const createInvalidOfficeDateError = (message: string) => createError({ code: 'office.invalid_date', status: 422, message });

export const createClosureNotFoundError = (date: string) =>
  createError({ code: 'office.closure_not_found', status: 404, message: `No closing day on ${date}` });
