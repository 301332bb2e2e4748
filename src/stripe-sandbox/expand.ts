import { parameterInvalid } from './errors.ts';

/**
 * Stripe's `expand[]`: replaces an id field with the full object (`latest_charge`,
 * `latest_charge.balance_transaction`, `data.source` on lists). Only the fields Stripe marks
 * expandable on these object types are accepted; anything else is rejected as Stripe does.
 */

const EXPANDABLE_FIELDS: Record<string, readonly string[]> = {
  payment_intent: ['latest_charge', 'payment_method'],
  charge: ['balance_transaction', 'payment_intent'],
  refund: ['balance_transaction', 'charge', 'payment_intent', 'payment_method'],
  balance_transaction: ['source'],
  dispute: ['charge', 'payment_intent'],
};

const MAX_EXPANSION_DEPTH = 4;

export type ResolveObject = (id: string) => object | undefined;

type Mutable = Record<string, unknown>;

function isRecord(value: unknown): value is Mutable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expandPath(target: Mutable, segments: string[], fullPath: string, resolve: ResolveObject): void {
  const [field, ...rest] = segments;
  if (field === undefined) return;
  if (target.object === 'list' && field === 'data' && Array.isArray(target.data)) {
    for (const item of target.data) if (isRecord(item)) expandPath(item, rest, fullPath, resolve);
    return;
  }
  const allowed = typeof target.object === 'string' ? EXPANDABLE_FIELDS[target.object] : undefined;
  if (!allowed?.includes(field)) {
    throw parameterInvalid('expand', `This property cannot be expanded (${fullPath}).`);
  }
  const current = target[field];
  const expanded = typeof current === 'string' ? (resolve(current) ?? current) : current;
  target[field] = expanded;
  if (rest.length > 0 && isRecord(expanded)) expandPath(expanded, rest, fullPath, resolve);
}

/** Returns a copy of `object` with every requested path expanded. */
export function applyExpansions<T extends object>(object: T, paths: readonly string[], resolve: ResolveObject): T {
  if (paths.length === 0) return object;
  const copy = structuredClone(object) as T & Mutable;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_EXPANSION_DEPTH) {
      throw parameterInvalid('expand', `You cannot expand more than ${MAX_EXPANSION_DEPTH} levels of a property (${path}).`);
    }
    expandPath(copy, segments, path, resolve);
  }
  return copy;
}
