import { parameterInvalid } from './errors.ts';

/**
 * Stripe's `expand[]`: replaces an id field with the full object (`latest_charge`,
 * `latest_charge.balance_transaction`, `data.source` on lists). Only the fields Stripe marks
 * expandable on these object types are accepted; anything else is rejected as Stripe does.
 */

export type ExpandableType = 'payment_intent' | 'charge' | 'refund' | 'balance_transaction' | 'dispute' | 'payment_method' | 'payout';

/** Expandable fields per object type and the type they expand to (`null`: depends on the id). */
const EXPANDABLE_FIELDS: Record<string, Record<string, ExpandableType | null>> = {
  payment_intent: { latest_charge: 'charge', payment_method: 'payment_method' },
  'checkout.session': { payment_intent: 'payment_intent' },
  charge: { balance_transaction: 'balance_transaction', payment_intent: 'payment_intent' },
  refund: {
    balance_transaction: 'balance_transaction',
    charge: 'charge',
    payment_intent: 'payment_intent',
    payment_method: 'payment_method',
  },
  balance_transaction: { source: null },
  dispute: { charge: 'charge', payment_intent: 'payment_intent' },
  // `destination` is expandable on Stripe too, but the sandbox holds no bank account object.
  payout: {
    balance_transaction: 'balance_transaction',
    failure_balance_transaction: 'balance_transaction',
    original_payout: 'payout',
    reversed_by: 'payout',
  },
};

const MAX_EXPANSION_DEPTH = 4;

/** What an endpoint returns: one object of a type, or a list of them. */
export interface ResponseShape {
  type: string;
  list: boolean;
}

export type ResolveObject = (id: string) => object | undefined;

type Mutable = Record<string, unknown>;

function isRecord(value: unknown): value is Mutable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectPath(path: string): never {
  throw parameterInvalid('expand', `This property cannot be expanded (${path}).`);
}

/**
 * Checks expand paths against the endpoint's response shape before the request executes, so a
 * typo in `expand` cannot fail a request after it already changed state.
 */
export function validateExpansions(shape: ResponseShape, paths: readonly string[]): void {
  for (const path of paths) {
    const segments = path.split('.');
    if (shape.list) {
      if (segments.shift() !== 'data') rejectPath(path);
    }
    if (segments.length > MAX_EXPANSION_DEPTH) {
      throw parameterInvalid('expand', `You cannot expand more than ${MAX_EXPANSION_DEPTH} levels of a property (${path}).`);
    }
    let type: string | null = shape.type;
    for (const segment of segments) {
      // After a polymorphic field (balance_transaction.source) the type is known only per object.
      if (type === null) break;
      const fields: Record<string, ExpandableType | null> | undefined = EXPANDABLE_FIELDS[type];
      if (!fields || !Object.hasOwn(fields, segment)) rejectPath(path);
      type = fields[segment] ?? null;
    }
  }
}

function expandPath(target: Mutable, segments: string[], fullPath: string, resolve: ResolveObject): void {
  const [field, ...rest] = segments;
  if (field === undefined) return;
  if (target.object === 'list' && field === 'data' && Array.isArray(target.data)) {
    for (const item of target.data) if (isRecord(item)) expandPath(item, rest, fullPath, resolve);
    return;
  }
  const fields = typeof target.object === 'string' ? EXPANDABLE_FIELDS[target.object] : undefined;
  if (!fields || !Object.hasOwn(fields, field)) rejectPath(fullPath);
  const current = target[field];
  const expanded = typeof current === 'string' ? (resolve(current) ?? current) : current;
  target[field] = expanded;
  if (rest.length > 0 && isRecord(expanded)) expandPath(expanded, rest, fullPath, resolve);
}

/** Returns a copy of `object` with every requested path expanded. */
export function applyExpansions<T extends object>(object: T, paths: readonly string[], resolve: ResolveObject): T {
  if (paths.length === 0) return object;
  const copy = structuredClone(object) as T & Mutable;
  for (const path of paths) expandPath(copy, path.split('.'), path, resolve);
  return copy;
}
