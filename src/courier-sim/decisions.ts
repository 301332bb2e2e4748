import type { IdentityMethod } from '../dispatch/dispatch.table.ts';
import type { ReportedIdentityCheck } from '../dispatch/identity-check.ts';
import { destination, point } from '@turf/turf';

/**
 * What the reference courier company decides: whether to take an offer, what happens at each door,
 * and how its webhook receiver misbehaves (for tests and the soak). Pure: every choice comes from
 * the random source it is given, so a seed repeats a run.
 */

export type Random = () => number;

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const FAILED_STOP_REASONS = ['not_home', 'refused', 'address_not_found', 'other'] as const;
export type FailedStopReason = (typeof FAILED_STOP_REASONS)[number] | 'identity_mismatch';

export interface OutcomeShares {
  /** Share of stops where nobody takes the document (not home, refused, address not found, other). */
  failedStops: number;
  /** Share of the remaining stops where the identity check fails (the document stays with the courier). */
  failedIdentityChecks: number;
}

export type StopOutcome = { kind: 'delivered' } | { kind: 'failed'; reason: FailedStopReason };

/** What happens at a door. A failed identity check is reported as stop.failed with reason identity_mismatch. */
export function decideStopOutcome(random: Random, shares: OutcomeShares): StopOutcome {
  if (random() < shares.failedStops) {
    const reasons = FAILED_STOP_REASONS;
    // not_home is by far the most common reason in practice.
    const r = random();
    const reason = r < 0.7 ? 'not_home' : (reasons[1 + Math.floor(((r - 0.7) / 0.3) * (reasons.length - 1))] ?? 'other');
    return { kind: 'failed', reason };
  }
  if (random() < shares.failedIdentityChecks) return { kind: 'failed', reason: 'identity_mismatch' };
  return { kind: 'delivered' };
}

export const decideOffer = (random: Random, declineShare: number): 'accept' | 'decline' => (random() < declineShare ? 'decline' : 'accept');

/** What the platform's event schema accepts as the check at the door (the sim speaks the same contract). */
export type IdentityCheckReport = ReportedIdentityCheck;

/**
 * A plausible identity check at the door: the stop's required methods, a GPS fix a few metres from
 * the address (never farther than `maxOffsetMetres`), and the recipient's confirmation when it passed.
 */
export function identityCheckAtDoor(input: {
  random: Random;
  location: [number, number];
  requiredMethods: readonly IdentityMethod[];
  passed: boolean;
  courierRef: string;
  at: Date;
  maxOffsetMetres?: number;
}): IdentityCheckReport {
  const offset = input.random() * (input.maxOffsetMetres ?? 25);
  const bearing = input.random() * 360 - 180;
  const [lng, lat] = destination(point(input.location), offset / 1000, bearing, { units: 'kilometers' }).geometry.coordinates as [
    number,
    number,
  ];
  return {
    methods: [...input.requiredMethods],
    result: input.passed ? 'passed' : 'failed',
    checkedAt: input.at.toISOString(),
    courier: { id: input.courierRef },
    position: { lng: round6(lng), lat: round6(lat), accuracyMetres: 5 + Math.floor(input.random() * 15) },
    oldDocumentCollected: input.passed,
    recipientConfirmed: input.passed,
  };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

export interface ReceiverShares {
  /** Share of webhook messages answered late (after `slowMs`), but accepted. */
  slow: number;
  /** Share answered 500 (not processed: the platform retries). */
  serverError: number;
  /** Share answered 429 with Retry-After (not processed). */
  throttled: number;
  slowMs: number;
  retryAfterSeconds: number;
}

export type ReceiverAnswer =
  { kind: 'accept'; delayMs: number } | { kind: 'server_error' } | { kind: 'throttled'; retryAfterSeconds: number };

/** How the receiver answers one (verified) message. */
export function decideReceiverAnswer(random: Random, shares: ReceiverShares): ReceiverAnswer {
  const r = random();
  if (r < shares.serverError) return { kind: 'server_error' };
  if (r < shares.serverError + shares.throttled) return { kind: 'throttled', retryAfterSeconds: shares.retryAfterSeconds };
  if (r < shares.serverError + shares.throttled + shares.slow) return { kind: 'accept', delayMs: shares.slowMs };
  return { kind: 'accept', delayMs: 0 };
}
