import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { offices } from '../offices/offices.table.ts';
import { quotes, type Quote } from './quotes.table.ts';

export function createQuotesRepository(db: DbOrTx) {
  return {
    async insert(values: typeof quotes.$inferInsert): Promise<Quote> {
      const [row] = await db.insert(quotes).values(values).returning();
      if (!row) throw new Error('INSERT … RETURNING gave no quote row');
      return row;
    },

    /** The quote with its office, in one statement (booking needs both). */
    async findWithOffice(id: string) {
      const [row] = await db
        .select({ quote: quotes, office: offices })
        .from(quotes)
        .innerJoin(offices, eq(offices.id, quotes.officeId))
        .where(eq(quotes.id, id));
      return row;
    },

    async findById(id: string): Promise<Quote | undefined> {
      const [row] = await db.select().from(quotes).where(eq(quotes.id, id));
      return row;
    },
  };
}
