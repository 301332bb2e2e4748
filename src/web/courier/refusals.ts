import { AppError } from '../../shared/errors.ts';
import type { MessageKey } from '../i18n.ts';

/** The platform's refusals a rider can meet, in the app's words; anything else is said generally. */
const REFUSALS: Record<string, MessageKey> = {
  'dispatch.route_wrong_state': 'ca.refused.wrongState',
  'dispatch.job_not_on_route': 'ca.refused.notOnRoute',
  'dispatch.event_time_implausible': 'ca.refused.time',
  'dispatch.invalid_event': 'ca.refused.invalid',
  'dispatch.event_id_reused': 'ca.refused.reused',
};

export const refusalKey = (err: unknown): MessageKey => (err instanceof AppError ? REFUSALS[err.code] : undefined) ?? 'ca.refused.other';
