import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { qualified as q } from '../db/sql-columns.ts';
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

// A quote reads its office (pricing version, hours, zones' owner) and the closing days it shows:
// one statement instead of two in a row, the closing days as a JSON array beside the office row.
const officeWithClosures = preparedStatement('office_with_closures', (db) =>
  db
    .select({
      office: offices,
      closures: sql<
        { date: string; reason: string }[]
      >`(select coalesce(json_agg(json_build_object('date', ${q(officeClosures.date)}, 'reason', ${q(officeClosures.reason)})), '[]'::json)
        from ${officeClosures} where ${q(officeClosures.officeId)} = ${q(offices.id)}
        and ${q(officeClosures.date)} between ${sql.placeholder('fromDate')}::date and ${sql.placeholder('toDate')}::date)`,
    })
    .from(offices)
    .where(eq(offices.id, sql.placeholder('officeId'))),
);

/** An office's delivery calendar: its settings row and the closing days an admin entered. */
export function createOfficeCalendarRepository(db: DbOrTx) {
  return {
    /** The office with its closing days from `fromDate` to `toDate` (YYYY-MM-DD), or undefined when there is no such office. */
    async officeWithClosures(
      officeId: string,
      fromDate: string,
      toDate: string,
    ): Promise<{ office: Office; closures: { date: string; reason: string }[] } | undefined> {
      const [row] = await officeWithClosures(db, { officeId, fromDate, toDate });
      return row;
    },

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
