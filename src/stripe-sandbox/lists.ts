import type Stripe from 'stripe';
import { parameterInvalid, resourceMissing } from './errors.ts';
import { buildList } from './objects.ts';
import type { ParamReader } from './params.ts';
import { idsAfter, type SandboxStore, type ScanOptions, type StoredKind, type StoredObjects } from './store.ts';

/** Parameters every list endpoint accepts, in addition to its own filters. */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * Stripe's range filter on a timestamp parameter (`created`, `arrival_date`): an exact value or
 * `[gt|gte|lt|lte]`. Without the parameter everything passes.
 */
export function buildRangeFilter(params: ParamReader, key: string): (value: number) => boolean {
  if (!params.has(key)) return () => true;
  const range = params.optionalObject(key, RANGE_KEYS, { allowScalar: true });
  if (range === undefined) {
    const exact = params.requiredInteger(key);
    return (value) => value === exact;
  }
  const gt = range.optionalInteger('gt');
  const gte = range.optionalInteger('gte');
  const lt = range.optionalInteger('lt');
  const lte = range.optionalInteger('lte');
  return (value) =>
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte);
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

/** Kinds a list endpoint can return: Stripe objects with an id and a creation time. */
export type ListedKind = { [K in StoredKind]: StoredObjects[K] extends { id: string; created: number } ? K : never }[StoredKind];

/** What a list pages through, kept oldest first: a whole kind, or a given set of its objects. */
export interface ListSource<T> {
  scan(options: ScanOptions): Iterable<T>;
  /** The object, if it belongs to this source. */
  get(id: string): T | undefined;
}

/** Every stored object of a kind. */
export function storeSource<K extends ListedKind>(store: SandboxStore, kind: K): ListSource<StoredObjects[K]> {
  return { scan: (options) => store.scan(kind, options), get: (id) => store.get(kind, id) };
}

/**
 * The objects of `kind` named by `newestFirst` (ids, newest first), read one by one as a page
 * reaches them. An id the list does not hold yields nothing after it, as with the store.
 */
export function idListSource<K extends ListedKind>(
  store: SandboxStore,
  kind: K,
  newestFirst: readonly string[],
): ListSource<StoredObjects[K]> {
  return {
    *scan(options) {
      const ids = options.newestFirst ? newestFirst : [...newestFirst].reverse();
      for (const id of idsAfter(ids, options.after)) {
        const found = store.get(kind, id);
        if (found !== undefined) yield found;
      }
    },
    get: (id) => (newestFirst.includes(id) ? store.get(kind, id) : undefined),
  };
}

/**
 * Stripe's cursor pagination over a kind of stored objects (kept oldest first): lists are newest
 * first, `starting_after` pages towards older objects, `ending_before` towards newer ones, and
 * `has_more` says whether another page exists in that direction. `matches` is the endpoint's own
 * filter. The store is walked from the cursor (or the newest object) and the walk stops once a
 * page and one more object are found, so a page costs what it shows and skips, not the whole kind.
 */
export function paginate<K extends ListedKind>(
  store: SandboxStore,
  kind: K,
  params: ParamReader,
  url: string,
  noun: string,
  matches: (item: StoredObjects[K]) => boolean = () => true,
): Stripe.ApiList<StoredObjects[K]> {
  return paginateSource(storeSource(store, kind), params, url, noun, matches);
}

/** paginate() over any source, e.g. the balance transactions of one payout. */
export function paginateSource<T extends { id: string; created: number }>(
  source: ListSource<T>,
  params: ParamReader,
  url: string,
  noun: string,
  matches: (item: T) => boolean = () => true,
): Stripe.ApiList<T> {
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
  const created = buildRangeFilter(params, 'created');
  const keep = (item: T) => created(item.created) && matches(item);

  // A cursor must be an object of this list, filters included, as before: else "No such …".
  const requireCursor = (id: string, param: string) => {
    const cursor = source.get(id);
    if (cursor === undefined || !keep(cursor)) throw resourceMissing(noun, id, param);
  };

  if (endingBefore !== undefined) {
    requireCursor(endingBefore, 'ending_before');
    // The page is the `limit` objects just newer than the cursor, found walking towards the newest.
    const newer = take(source.scan({ after: endingBefore }), keep, limit + 1);
    return buildList(newer.slice(0, limit).reverse(), newer.length > limit, url);
  }
  if (startingAfter !== undefined) requireCursor(startingAfter, 'starting_after');
  const older = take(source.scan({ newestFirst: true, ...(startingAfter === undefined ? {} : { after: startingAfter }) }), keep, limit + 1);
  return buildList(older.slice(0, limit), older.length > limit, url);
}
