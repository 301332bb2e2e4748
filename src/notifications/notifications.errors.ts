import { createErrorFactory } from '../shared/errors.ts';

export const createDevMailNotFoundError = createErrorFactory({
  code: 'dev_mail.not_found',
  status: 404,
  message: 'No such mail in the local mail folder',
});

export const createDevMailsLocalOnlyError = createErrorFactory({
  code: 'dev_mail.local_only',
  status: 403,
  message: 'The local mail folder is shown only to requests from this machine, not through a proxy',
});
