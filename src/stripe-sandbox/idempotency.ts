import { idempotencyMismatch, parameterInvalid } from './errors.ts';
import type { IdempotencyRecord, SandboxStore } from './store.ts';

/**
 * Stripe's idempotency rules: a POST with an `Idempotency-Key` seen before replays the stored
 * status and body; reusing the key for another endpoint or other parameters is an
 * `idempotency_error`. Keys expire after 24 hours.
 */

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export interface IdempotentRequest {
  key: string;
  method: string;
  path: string;
  fingerprint: string;
}

/** Returns the stored response to replay, undefined when the request must execute. */
export function findReplay(store: SandboxStore, request: IdempotentRequest, nowMs: number): IdempotencyRecord | undefined {
  if (request.key.length > MAX_KEY_LENGTH) {
    throw parameterInvalid('Idempotency-Key', `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long.`);
  }
  store.pruneIdempotencyRecords(nowMs - IDEMPOTENCY_TTL_MS);
  const record = store.getIdempotencyRecord(request.key);
  if (!record || record.createdAtMs < nowMs - IDEMPOTENCY_TTL_MS) return undefined;
  if (record.method !== request.method || record.path !== request.path) throw idempotencyMismatch(request.key, 'endpoint');
  if (record.fingerprint !== request.fingerprint) throw idempotencyMismatch(request.key, 'parameters');
  return record;
}
