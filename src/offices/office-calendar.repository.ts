import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { quotes } from '../quotes/quotes.table.ts';
import { officeClosures, offices, type Office } from './offices.table.ts';

const closuresOfOffice = preparedStatement('closures_of_office', (db) =>
  db
    .select()
    .from(officeClosures)
    .where(
      and(
        eq(officeClosures.officeId, sql.placeholder('officeId')),
        gte(officeClosures.date, sql.placeholder('fromDate')),
        lte(officeClosures.date, sql.placeholder('toDate')),
      ),
    )
    .orderBy(asc(officeClosures.date)),
);
const closuresOfQuotesOffice = preparedStatement('closures_of_quotes_office', (db) =>
  db
    .select({ date: officeClosures.date, reason: officeClosures.reason })
    .from(officeClosures)
    .innerJoin(quotes, eq(quotes.officeId, officeClosures.officeId))
    .where(
      and(
        eq(quotes.id, sql.placeholder('quoteId')),
        gte(officeClosures.date, sql.placeholder('fromDate')),
        lte(officeClosures.date, sql.placeholder('toDate')),
      ),
    ),
);

/** An office's delivery calendar: its settings row and the closing days an admin entered. */
export function createOfficeCalendarRepository(db: DbOrTx) {
  return {
    closuresBetween: (officeId: string, fromDate: string, toDate: string) => closuresOfOffice(db, { officeId, fromDate, toDate }),

    /** The closing days of a quote's office, for a caller that reads the office in the same round trip. */
    closuresOfQuoteOffice: (quoteId: string, fromDate: string, toDate: string) => closuresOfQuotesOffice(db, { quoteId, fromDate, toDate }),

    /** Adds a closing day; an existing one for the date keeps its reason (`added: false`). */
    async addClosure(values: { officeId: string; date: string; reason: string }) {
      const [row] = await db.insert(officeClosures).values(values).onConflictDoNothing().returning();
      if (row) return { added: true, closure: row };
      const [existing] = await db
        .select()
        .from(officeClosures)
        .where(and(eq(officeClosures.officeId, values.officeId), eq(officeClosures.date, values.date)));
      if (!existing) throw new Error(`Closure ${values.date} vanished between insert and read`);
      return { added: false, closure: existing };
    },

    async removeClosure(officeId: string, date: string): Promise<boolean> {
      const rows = await db
        .delete(officeClosures)
        .where(and(eq(officeClosures.officeId, officeId), eq(officeClosures.date, date)))
        .returning({ date: officeClosures.date });
      return rows.length > 0;
    },

    async updateSettings(
      officeId: string,
      values: Partial<
        Pick<typeof offices.$inferInsert, 'state' | 'deliveryHours' | 'postalCodes' | 'paymentIssueHandling' | 'refundRules'>
      >,
    ): Promise<Office | undefined> {
      const [row] = await db.update(offices).set(values).where(eq(offices.id, officeId)).returning();
      return row;
    },
  };
}
