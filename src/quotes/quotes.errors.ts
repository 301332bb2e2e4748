import { createError, createErrorFactory } from '../shared/errors.ts';

export const createQuoteNotFoundError = createErrorFactory({ code: 'quote.not_found', status: 404, message: 'Quote not found' });

export const createQuoteExpiredError = createErrorFactory({
  code: 'quote.expired',
  status: 410,
  message: 'The quote has expired: ask for a new one',
});

export const createVehicleNotOfferedError = (vehicleType: string) =>
  createError({ code: 'quote.vehicle_not_offered', status: 422, message: `The quote offers no ${vehicleType} delivery` });

export const createOutsideServiceAreaError = createErrorFactory({
  code: 'quote.outside_service_area',
  status: 422,
  message: 'This address lies outside every delivery zone of the office; the document can be collected at the office',
});

export const createNoTariffError = createErrorFactory({
  code: 'quote.no_tariff',
  status: 422,
  message: 'No price is set for this zone today; please ask the office',
});

export const createPostalCodeNotServedError = (postalCode: string, served: string) =>
  createError({
    code: 'quote.postal_code_not_served',
    status: 422,
    message: `The office does not deliver to postal code ${postalCode}; it delivers to ${served}`,
  });

export const createOfficeChangingError = createErrorFactory({
  code: 'quote.office_changing',
  status: 409,
  message: "The office's delivery settings changed while this quote was priced; please ask again",
});
