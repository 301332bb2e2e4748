import type Stripe from 'stripe';
import { parameterInvalid, resourceMissing } from './errors.ts';
import { buildList } from './objects.ts';
import type { ParamReader } from './params.ts';
import type { SandboxStore, StoredKind, StoredObjects } from './store.ts';

/** Parameters every list endpoint accepts, in addition to its own filters. */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

function buildCreatedFilter(params: ParamReader): (created: number) => boolean {
  if (!params.has('created')) return () => true;
  const range = params.optionalObject('created', RANGE_KEYS, { allowScalar: true });
  if (range === undefined) {
    const exact = params.requiredInteger('created');
    return (created) => created === exact;
  }
  const gt = range.optionalInteger('gt');
  const gte = range.optionalInteger('gte');
  const lt = range.optionalInteger('lt');
  const lte = range.optionalInteger('lte');
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/** Up to `count` items of `items` that pass `keep`, reading no further than that. */
function take<T>(items: Iterable<T>, keep: (item: T) => boolean, count: number): T[] {
  const taken: T[] = [];
  if (count <= 0) return taken;
  for (const item of items) {
    if (!keep(item)) continue;
    taken.push(item);
    if (taken.length === count) break;
  }
  return taken;
}

/**
 * Stripe's cursor pagination over a kind of stored objects (kept oldest first): lists are newest
 * first, `starting_after` pages towards older objects, `ending_before` towards newer ones, and
 * `has_more` says whether another page exists in that direction. `matches` is the endpoint's own
 * filter. The store is walked from the cursor (or the newest object) and the walk stops once a
 * page and one more object are found, so a page costs what it shows and skips, not the whole kind.
 */
export function paginate<K extends StoredKind>(
  store: SandboxStore,
  kind: K,
  params: ParamReader,
  url: string,
  noun: string,
  matches: (item: StoredObjects[K]) => boolean = () => true,
): Stripe.ApiList<StoredObjects[K]> {
  const limit = params.optionalInteger('limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = params.optionalString('starting_after');
  const endingBefore = params.optionalString('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw parameterInvalid(
      'ending_before',
      'You may only specify one of these parameters: ending_before, starting_after.',
      'parameters_exclusive',
    );
  }
  const created = buildCreatedFilter(params);
  const keep = (item: StoredObjects[K]) => created(item.created) && matches(item);

  // A cursor must be an object of this list, filters included, as before: else "No such …".
  const requireCursor = (id: string, param: string) => {
    const cursor = store.get(kind, id);
    if (cursor === undefined || !keep(cursor)) throw resourceMissing(noun, id, param);
  };

  if (endingBefore !== undefined) {
    requireCursor(endingBefore, 'ending_before');
    // The page is the `limit` objects just newer than the cursor, found walking towards the newest.
    const newer = take(store.scan(kind, { after: endingBefore }), keep, limit + 1);
    return buildList(newer.slice(0, limit).reverse(), newer.length > limit, url);
  }
  if (startingAfter !== undefined) requireCursor(startingAfter, 'starting_after');
  const older = take(
    store.scan(kind, { newestFirst: true, ...(startingAfter === undefined ? {} : { after: startingAfter }) }),
    keep,
    limit + 1,
  );
  return buildList(older.slice(0, limit), older.length > limit, url);
}
