import { createError, createErrorFactory } from '../../shared/errors.ts';

export const createReportOfficeNotFoundError = createErrorFactory({
  code: 'finance.office_not_found',
  status: 404,
  message: 'No such office',
});

export const createReportCompanyNotFoundError = createErrorFactory({
  code: 'finance.courier_company_not_found',
  status: 404,
  message: 'No such courier company',
});

export const createPayoutNotFoundError = createErrorFactory({
  code: 'finance.payout_not_found',
  status: 404,
  message: 'No such payout in the imported ledger (is the ledger import up to date?)',
});

export const createInvalidReportPeriodError = (message: string) => createError({ code: 'finance.invalid_period', status: 400, message });

/** A report is built in memory (CSV and DATEV files are one document); past this, ask for a smaller period. */
export const createReportTooLargeError = (limit: number) =>
  createError({
    code: 'finance.report_too_large',
    status: 422,
    message: `The report has more than ${limit} lines; ask for a shorter period or a single office`,
    details: { limit },
  });

export const createDatevNotConfiguredError = createErrorFactory({
  code: 'finance.datev_not_configured',
  status: 409,
  message: 'DATEV export needs DATEV_CONSULTANT_NUMBER and DATEV_CLIENT_NUMBER (the Beraternummer and Mandantennummer)',
});

export const createPayoutNotPaidError = (status: string) =>
  createError({
    code: 'finance.payout_not_paid',
    status: 409,
    message: `The payout is ${status}, not paid: nothing arrived at the bank to book`,
    details: { status },
  });

export const createPayoutsCityWideError = createErrorFactory({
  code: 'auth.other_office',
  status: 403,
  message: 'A payout holds the money of every office: payout reports are for city-wide finance staff',
});
