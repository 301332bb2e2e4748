import { createError, createErrorFactory } from '../shared/errors.ts';

export const createHandoverNotFoundError = createErrorFactory({ code: 'handover.not_found', status: 404, message: 'Handover not found' });

/** The scanned documents are not exactly the route's: what is missing and what does not belong. */
export const createScanMismatchError = (difference: { missing: string[]; extra: string[] }) =>
  createError({
    code: 'handover.scan_mismatch',
    status: 422,
    message: `The scanned documents do not match the route: ${difference.missing.length} missing, ${difference.extra.length} not on it`,
    details: difference,
  });

export const createSamePersonError = createErrorFactory({
  code: 'handover.same_person',
  status: 409,
  message: 'Four eyes: a second staff member must confirm, not the one who scanned the documents',
});

export const createHandoverNotOpenError = createErrorFactory({
  code: 'handover.not_open',
  status: 409,
  message: 'This handover was already confirmed or replaced by a new scan',
});

export const createRouteNotReadyError = (dispatchStatus: string) =>
  createError({
    code: 'handover.route_not_ready',
    status: 409,
    message:
      dispatchStatus === 'offered' || dispatchStatus === 'unstaffed'
        ? 'No courier company has accepted this route yet'
        : `The route is ${dispatchStatus}: its documents cannot be handed over now`,
    details: { dispatchStatus },
  });

/** Documents that must stay in the office: a hold on the payment, or the PIN letter not confirmed. */
export const createDocumentsBlockedError = (blocked: { applicationNumber: string; reason: 'on_hold' | 'pin_letter_not_confirmed' }[]) =>
  createError({
    code: 'handover.documents_blocked',
    status: 409,
    message: `${blocked.length} document(s) on the route must stay in the office: take them off the route (release it) or wait`,
    details: { blocked },
  });

export const createNothingToReturnError = createErrorFactory({
  code: 'handover.nothing_to_return',
  status: 409,
  message: 'The courier holds no document of this route',
});
