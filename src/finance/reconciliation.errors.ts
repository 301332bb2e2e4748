import { createErrorFactory } from '../shared/errors.ts';

export const createReconciliationRunNotFoundError = createErrorFactory({
  code: 'reconciliation.run_not_found',
  status: 404,
  message: 'Reconciliation run not found',
});

export const createReconciliationDiscrepancyNotFoundError = createErrorFactory({
  code: 'reconciliation.discrepancy_not_found',
  status: 404,
  message: 'Reconciliation discrepancy not found',
});

export const createDiscrepancyNotOpenError = createErrorFactory({
  code: 'reconciliation.discrepancy_not_open',
  status: 409,
  message: 'Only an open discrepancy can be resolved',
});

export const createInvalidReconciliationRangeError = createErrorFactory({
  code: 'reconciliation.invalid_range',
  status: 400,
  message: 'The range must start before it ends, lie in the past and span at most 400 days',
});
