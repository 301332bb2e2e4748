import { Value } from '@sinclair/typebox/value';
import '../../dispatch/courier-event-formats.ts';
import { CourierEventSchema, FAILURE_REASONS, type CourierEvent, type FailureReason } from '../../dispatch/courier-events.ts';
import { createEventInvalidBodyError } from '../../dispatch/dispatch.errors.ts';
import { IDENTITY_METHODS, type IdentityMethod } from '../../dispatch/dispatch.table.ts';
import type { ReportedIdentityCheck } from '../../dispatch/identity-check.ts';

/**
 * The rider app's actions as the courier API's events: the same envelope, the same schema, so the
 * platform applies them like any company's report. Ids are derived from what the rider did (route,
 * stop, event type): a second tap on the same button is a duplicate the platform ignores.
 */
export const appEventId = (routeId: string, type: CourierEvent['type'], jobId?: string) =>
  ['app', routeId, ...(jobId ? [jobId] : []), type].join('.');

/** Only states in which the document is with the rider and nothing was reported from the door yet. */
export const OPEN_STOP_STATUSES = ['handed_over', 'out_for_delivery'] as const;
export const isOpenStop = (status: string) => (OPEN_STOP_STATUSES as readonly string[]).includes(status);

/** A candidate event checked against the courier API's schema; a form that produced none is a 400 on the page. */
export function checkedEvent(candidate: unknown): CourierEvent {
  if (Value.Check(CourierEventSchema, candidate)) return candidate;
  const first = [...Value.Errors(CourierEventSchema, candidate)][0];
  throw createEventInvalidBodyError(`${first?.path || '/'} ${first?.message ?? ''}`.trim());
}

const envelope = (id: string, type: CourierEvent['type'], now: Date, data: Record<string, unknown>) =>
  checkedEvent({ id, type, timestamp: now.toISOString(), data });

export const routeStartedEvent = (routeId: string, now: Date) =>
  envelope(appEventId(routeId, 'route.started'), 'route.started', now, { routeId });

export const routeCompletedEvent = (routeId: string, now: Date) =>
  envelope(appEventId(routeId, 'route.completed'), 'route.completed', now, { routeId });

export const documentsReturnedEvent = (routeId: string, jobIds: string[], now: Date) =>
  envelope(appEventId(routeId, 'document.returned'), 'document.returned', now, { routeId, jobIds });

/** What the rider filled in at the door (the stop page's form), before it becomes an event. */
export interface DoorForm {
  result: 'delivered' | 'failed' | '';
  methods: IdentityMethod[];
  oldDocumentCollected: boolean;
  recipientConfirmed: boolean;
  reason: FailureReason | '';
  note: string;
  position: ReportedIdentityCheck['position'] | null;
}

type Body = Record<string, unknown>;
const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const number = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && v.length <= 32 ? Number(v) : Number.NaN);

/** The browser's position from the hidden fields the position script fills; absent or out of range: none. */
function positionOf(body: Body): DoorForm['position'] {
  const lng = number(body.lng);
  const lat = number(body.lat);
  const accuracy = number(body.accuracy);
  if (![lng, lat, accuracy].every(Number.isFinite)) return null;
  if (Math.abs(lng) > 180 || Math.abs(lat) > 90 || accuracy < 0) return null;
  return { lng, lat, accuracyMetres: Math.min(100_000, Math.round(accuracy)) };
}

export function readDoorForm(body: Body): DoorForm {
  const result = body.result === 'delivered' || body.result === 'failed' ? body.result : '';
  const reason = (FAILURE_REASONS as readonly unknown[]).includes(body.reason) ? (body.reason as FailureReason) : '';
  return {
    result,
    methods: IDENTITY_METHODS.filter((m) => list(body.methods).includes(m)),
    oldDocumentCollected: body.oldDocumentCollected === 'yes',
    recipientConfirmed: body.recipientConfirmed === 'yes',
    reason,
    note: typeof body.note === 'string' ? body.note.trim().slice(0, 500) : '',
    position: positionOf(body),
  };
}

export type DoorErrors = Partial<Record<'result' | 'methods' | 'recipientConfirmed' | 'reason' | 'position', { key: string }>>;

/**
 * What the page refuses before anything is sent. A delivery needs every required check, the
 * recipient's confirmation and a position (the platform would count anything less as a failed
 * attempt, the rider's fault); a failed attempt needs a reason, and a position only if an identity
 * check was made (then it is reported with it).
 */
export function doorFormErrors(form: DoorForm, requiredMethods: readonly IdentityMethod[]): DoorErrors {
  const errors: DoorErrors = {};
  if (form.result === '') errors.result = { key: 'ca.error.result' };
  if (form.result === 'delivered') {
    if (requiredMethods.some((m) => !form.methods.includes(m))) errors.methods = { key: 'ca.error.requiredMethods' };
    if (!form.recipientConfirmed) errors.recipientConfirmed = { key: 'ca.error.recipientConfirmed' };
  }
  if (form.result === 'failed' && form.reason === '') errors.reason = { key: 'ca.error.reason' };
  const checked = form.result === 'delivered' || (form.result === 'failed' && form.methods.length > 0);
  if (checked && !form.position) errors.position = { key: 'ca.error.position' };
  return errors;
}

/** stop.delivered or stop.failed from a form without errors; the courier in the check is the rider. */
export function doorEvent(input: { routeId: string; jobId: string; riderId: string; form: DoorForm; now: Date }): CourierEvent {
  const { routeId, jobId, form, now } = input;
  const identityCheck =
    form.position && form.methods.length > 0
      ? {
          methods: form.methods,
          result: form.result === 'delivered' ? 'passed' : 'failed',
          checkedAt: now.toISOString(),
          courier: { id: input.riderId },
          position: form.position,
          oldDocumentCollected: form.oldDocumentCollected,
          recipientConfirmed: form.recipientConfirmed,
        }
      : undefined;
  if (form.result === 'delivered') {
    return envelope(appEventId(routeId, 'stop.delivered', jobId), 'stop.delivered', now, { routeId, jobId, identityCheck });
  }
  return envelope(appEventId(routeId, 'stop.failed', jobId), 'stop.failed', now, {
    routeId,
    jobId,
    reason: form.reason,
    ...(form.note ? { note: form.note } : {}),
    ...(identityCheck ? { identityCheck } : {}),
  });
}
