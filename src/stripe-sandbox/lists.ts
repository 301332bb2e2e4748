import type Stripe from 'stripe';
import { parameterInvalid, resourceMissing } from './errors.ts';
import { buildList } from './objects.ts';
import type { ParamReader } from './params.ts';

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

/**
 * Stripe's cursor pagination over objects stored oldest first: lists are newest first,
 * `starting_after` pages towards older objects, `ending_before` towards newer ones, and
 * `has_more` says whether another page exists in that direction.
 */
export function paginate<T extends { id: string; created: number }>(
  oldestFirst: T[],
  params: ParamReader,
  url: string,
  noun: string,
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
  const keep = buildCreatedFilter(params);
  const newestFirst = oldestFirst.filter((item) => keep(item.created)).reverse();

  const indexOf = (id: string, param: string): number => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index === -1) throw resourceMissing(noun, id, param);
    return index;
  };

  if (endingBefore !== undefined) {
    const end = indexOf(endingBefore, 'ending_before');
    const start = Math.max(0, end - limit);
    return buildList(newestFirst.slice(start, end), start > 0, url);
  }
  const start = startingAfter === undefined ? 0 : indexOf(startingAfter, 'starting_after') + 1;
  const page = newestFirst.slice(start, start + limit);
  return buildList(page, start + limit < newestFirst.length, url);
}
