/**
 * Offline Stripe sandbox: used by the platform when no STRIPE_SECRET_KEY is configured, and by
 * tests. See sandbox.ts for the factory and its options.
 */
export {
  createStripeSandbox,
  type ListenOptions,
  type ListeningAddress,
  type SandboxClientOptions,
  type SandboxWebhookEndpointOption,
  type StripeSandbox,
  type StripeSandboxOptions,
} from './sandbox.ts';
export type { SandboxLogger } from './logger.ts';
export type { SandboxFees } from './money.ts';
export type { PayoutFailureOptions } from './payouts.ts';
export type { DeliveryAttempt, RetryPolicy } from './webhooks.ts';
export type { SandboxStore, IdempotencyRecord, StoredObjects, StoredKind, PayoutContents, PayoutLedger } from './store.ts';
export { createMemoryStore } from './store.ts';
export { createFileStore } from './file-store.ts';
export { signWebhookPayload } from './signature.ts';
export { listTestCardIds } from './test-cards.ts';
