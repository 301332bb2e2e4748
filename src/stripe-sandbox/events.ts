import type Stripe from 'stripe';
import { generateId } from './ids.ts';
import type { SandboxStore } from './store.ts';

/**
 * Event creation. Every state change the platform may react to is recorded as a Stripe Event
 * (stored for GET /v1/events) and handed to the webhook dispatcher. The event carries a deep
 * snapshot of the object as it was at that moment, like Stripe's events do.
 */

export interface EventObjects {
  'payment_intent.created': Stripe.PaymentIntent;
  'payment_intent.succeeded': Stripe.PaymentIntent;
  'payment_intent.payment_failed': Stripe.PaymentIntent;
  'payment_intent.canceled': Stripe.PaymentIntent;
  'checkout.session.completed': Stripe.Checkout.Session;
  'checkout.session.expired': Stripe.Checkout.Session;
  'charge.succeeded': Stripe.Charge;
  'charge.failed': Stripe.Charge;
  'charge.refunded': Stripe.Charge;
  'charge.dispute.created': Stripe.Dispute;
  'charge.dispute.funds_withdrawn': Stripe.Dispute;
  'charge.dispute.funds_reinstated': Stripe.Dispute;
  'charge.dispute.closed': Stripe.Dispute;
  'refund.created': Stripe.Refund;
  'payout.created': Stripe.Payout;
  'payout.paid': Stripe.Payout;
  'payout.failed': Stripe.Payout;
  'payout.reconciliation_completed': Stripe.Payout;
}

export type SandboxEventType = keyof EventObjects;

export const SANDBOX_EVENT_TYPES: readonly SandboxEventType[] = [
  'payment_intent.created',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'checkout.session.completed',
  'checkout.session.expired',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.dispute.closed',
  'refund.created',
  'payout.created',
  'payout.paid',
  'payout.failed',
  'payout.reconciliation_completed',
];

/** The API request that caused an event; both null for events the sandbox raises on its own. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

export interface BuildEventOptions<T extends SandboxEventType> {
  created: number;
  apiVersion: string;
  request: EventRequest;
  pendingWebhooks: number;
  previousAttributes?: Partial<EventObjects[T]>;
}

export function buildEvent<T extends SandboxEventType>(
  type: T,
  object: EventObjects[T],
  options: BuildEventOptions<T>,
): Extract<Stripe.Event, { type: T }> {
  const data =
    options.previousAttributes === undefined
      ? { object: structuredClone(object) }
      : { object: structuredClone(object), previous_attributes: options.previousAttributes };
  const event = {
    id: generateId('evt'),
    object: 'event' as const,
    api_version: options.apiVersion,
    created: options.created,
    data,
    livemode: false,
    pending_webhooks: options.pendingWebhooks,
    request: { ...options.request },
    type,
  };
  // TypeScript cannot narrow the Stripe.Event union by a generic `type`; EventObjects pins each
  // type to the object Stripe's own `<Type>Event.Data` declares, which the type test checks.
  return event as unknown as Extract<Stripe.Event, { type: T }>;
}

/** The id of the object an event is about: deliveries are ordered per object. */
export function getEventObjectId(event: Stripe.Event): string {
  const object = event.data.object as { id?: unknown };
  return typeof object.id === 'string' ? object.id : event.id;
}

export interface EventRecorderDeps {
  store: SandboxStore;
  now: () => number;
  apiVersion: string;
  /** How many webhook endpoints are subscribed to this event type right now. */
  countRecipients: (type: SandboxEventType) => number;
  /** Hands the stored event to asynchronous delivery. */
  dispatch: (event: Stripe.Event) => void;
}

export type RecordEvent = <T extends SandboxEventType>(
  type: T,
  object: EventObjects[T],
  request: EventRequest,
  previousAttributes?: Partial<EventObjects[T]>,
) => Stripe.Event;

export function createEventRecorder(deps: EventRecorderDeps): RecordEvent {
  return (type, object, request, previousAttributes) => {
    const event: Stripe.Event = buildEvent(type, object, {
      created: deps.now(),
      apiVersion: deps.apiVersion,
      request,
      pendingWebhooks: deps.countRecipients(type),
      ...(previousAttributes === undefined ? {} : { previousAttributes }),
    });
    deps.store.save('event', event);
    deps.dispatch(event);
    return event;
  };
}

/** Stripe's `enabled_events` matching: `*` subscribes to everything. */
export function isSubscribed(enabledEvents: readonly string[], type: string): boolean {
  return enabledEvents.includes('*') || enabledEvents.includes(type);
}

/**
 * Stripe's `previous_attributes`: the earlier values of the listed fields, for those that
 * actually changed (unchanged fields are left out, as Stripe does).
 */
export function pickChangedAttributes<T extends object>(before: T, after: T, keys: readonly (keyof T)[]): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key];
  }
  return changed;
}
