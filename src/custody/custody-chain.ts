import { createHash } from 'node:crypto';
import type { CustodyHolder } from './custody-holder.ts';

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a custody entry that its hash covers: all of them, except the hash itself. */
export interface CustodyFacts {
  seq: number;
  bookingId: string;
  fromHolder: CustodyHolder | null;
  toHolder: CustodyHolder;
  event: string;
  routeId: string | null;
  courierCompanyId: string | null;
  courierRef: string | null;
  courierName: string | null;
  staffIds: string[];
  recordedAt: Date;
}

/**
 * The canonical form of an entry: a JSON array in a fixed field order, times as ISO strings with
 * milliseconds, so the same row hashes the same in every process and after every round trip.
 */
export function canonicalEntry(facts: CustodyFacts): string {
  return JSON.stringify([
    facts.seq,
    facts.bookingId,
    facts.fromHolder,
    facts.toHolder,
    facts.event,
    facts.routeId,
    facts.courierCompanyId,
    facts.courierRef,
    facts.courierName,
    [...facts.staffIds],
    facts.recordedAt.toISOString(),
  ]);
}

/** SHA-256 over the previous hash and the canonical entry. */
export function chainHash(prevHash: string, facts: CustodyFacts): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalEntry(facts)).digest('hex');
}

export type ChainCheck =
  { ok: true; entries: number; lastHash: string } | { ok: false; entries: number; brokenAt: number; reason: 'hash' | 'link' };

type StoredEntry = CustodyFacts & { prevHash: string; hash: string };

/**
 * Checks entries fed in `seq` order, one page at a time. The first entry whose stored hash does
 * not match its contents (`hash`: the row was changed), or whose `prevHash` is not the previous
 * entry's hash (`link`: an entry was removed or inserted before it), is the broken one.
 */
export function createChainVerifier() {
  let prev = GENESIS_HASH;
  let count = 0;
  let broken: ChainCheck | null = null;
  return {
    /** False once the chain is broken: nothing after the first broken entry can be trusted. */
    push(entry: StoredEntry): boolean {
      if (broken) return false;
      count++;
      if (entry.prevHash !== prev) broken = { ok: false, entries: count, brokenAt: entry.seq, reason: 'link' };
      else if (chainHash(entry.prevHash, entry) !== entry.hash) broken = { ok: false, entries: count, brokenAt: entry.seq, reason: 'hash' };
      else prev = entry.hash;
      return broken === null;
    },
    result: (): ChainCheck => broken ?? { ok: true, entries: count, lastHash: prev },
  };
}

export function verifyChain(entries: Iterable<StoredEntry>): ChainCheck {
  const verifier = createChainVerifier();
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.result();
}
