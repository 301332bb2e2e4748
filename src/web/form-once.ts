import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { hashToken } from '../shared/tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEPT_MS = 24 * 3_600_000;

/** A form's key as it came back (a hidden field), or null when it is missing or not one of ours. */
export const formKeyOf = (v: unknown): string | null => (typeof v === 'string' && UUID.test(v) ? v : null);
/** A new key for a form about to be shown. */
export const newFormKey = () => randomUUID();

/**
 * A form that makes something must make it once, however often it is sent (a double click, a
 * reload of the answer). The form's key is claimed in the idempotency records (scope per form)
 * before the work; a repeat learns what the first sending made, and whether its contents were the
 * same. Only the made thing's id is kept, never what the page showed (a secret, a token).
 */
export async function claimForm(db: DbOrTx, input: { scope: string; key: string; contents: unknown; now: Date }) {
  const requestHash = hashToken(JSON.stringify(input.contents));
  const claim = await createIdempotencyRepository(db).claim({
    scope: input.scope,
    key: input.key,
    requestHash,
    expiresAt: new Date(input.now.getTime() + KEPT_MS),
  });
  return {
    fresh: claim.fresh,
    /** What the first sending made; null while it is still at work (or broke off). */
    madeId: claim.fresh ? null : claim.record.resourceId,
    sameContents: claim.record.requestHash === requestHash,
    /** Records what this sending made, for the repeats. */
    made: (resourceId: string) => createIdempotencyRepository(db).update(input.scope, input.key, { resourceId, responseStatus: 201 }),
  };
}
