import { asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { bookings } from '../bookings/bookings.table.ts';
import { chainHash, createChainVerifier, GENESIS_HASH, type ChainCheck } from './custody-chain.ts';
import type { CustodyHolder } from './custody-holder.ts';
import { custodyLog, type CustodyEntry } from './custody.table.ts';

export interface CustodyChange {
  bookingId: string;
  from: CustodyHolder | null;
  to: CustodyHolder;
  event: 'arrived' | 'handover' | 'delivered' | 'returned';
  routeId?: string | null;
  courierCompanyId?: string | null;
  courierRef?: string | null;
  courierName?: string | null;
  staffIds?: string[];
  at: Date;
}

/** Any fixed number: the key of the advisory lock that puts custody entries in one line. */
const CHAIN_LOCK_KEY = 7_204_118;

/**
 * Appends custody changes to the chain and sets each booking's holder, in the caller's
 * transaction. The transaction-scoped advisory lock orders appends across processes, so two
 * handovers never both chain to the same previous entry; it is held only until the commit.
 */
export async function appendCustody(tx: DbOrTx, changes: CustodyChange[]): Promise<CustodyEntry[]> {
  if (changes.length === 0) return [];
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
  const [last] = await tx.select({ seq: custodyLog.seq, hash: custodyLog.hash }).from(custodyLog).orderBy(desc(custodyLog.seq)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  const rows = changes.map((c) => {
    seq++;
    const facts = {
      seq,
      bookingId: c.bookingId,
      fromHolder: c.from,
      toHolder: c.to,
      event: c.event,
      routeId: c.routeId ?? null,
      courierCompanyId: c.courierCompanyId ?? null,
      courierRef: c.courierRef ?? null,
      courierName: c.courierName ?? null,
      staffIds: c.staffIds ?? [],
      // Stored with millisecond precision: the hash must cover exactly what a reader gets back.
      recordedAt: new Date(c.at.getTime()),
    };
    const hash = chainHash(prevHash, facts);
    const row = { ...facts, prevHash, hash };
    prevHash = hash;
    return row;
  });
  const inserted = await tx.insert(custodyLog).values(rows).returning();
  for (const c of changes) {
    await tx.update(bookings).set({ custodyHolder: c.to, updatedAt: c.at }).where(eq(bookings.id, c.bookingId));
  }
  return inserted;
}

export function createCustodyRepository(db: DbOrTx) {
  return {
    chainOf: (bookingId: string) => db.select().from(custodyLog).where(eq(custodyLog.bookingId, bookingId)).orderBy(asc(custodyLog.seq)),

    /** Checks the whole chain, reading it in pages so memory stays flat however long it grows. */
    async verify(pageSize = 5_000): Promise<ChainCheck> {
      const verifier = createChainVerifier();
      let after = 0;
      // Pages are checked as one sequence: a page's first entry links to the last one before it.
      for (;;) {
        const page = await db.select().from(custodyLog).where(gt(custodyLog.seq, after)).orderBy(asc(custodyLog.seq)).limit(pageSize);
        for (const entry of page) if (!verifier.push(entry)) return verifier.result();
        const lastOfPage = page.at(-1);
        if (!lastOfPage || page.length < pageSize) return verifier.result();
        after = lastOfPage.seq;
      }
    },
  };
}
