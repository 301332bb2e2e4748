import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { offices } from '../offices/offices.table.ts';
import { quotes, type Quote } from './quotes.table.ts';

type NewQuote = Required<Omit<typeof quotes.$inferInsert, 'id' | 'createdAt'>>;
const NEW_QUOTE_COLUMNS = [
  'officeId',
  'location',
  'options',
  'postalCode',
  'city',
  'addressHash',
  'expiresAt',
] as const satisfies readonly (keyof NewQuote)[];

// The two statements of createQuote and createBooking, built once.
const insertQuote = preparedStatement('insert_quote', (db) =>
  db
    .insert(quotes)
    .values(
      Object.fromEntries(NEW_QUOTE_COLUMNS.map((c) => [c, sql.placeholder(c)])) as Record<
        keyof NewQuote,
        ReturnType<typeof sql.placeholder>
      >,
    )
    .returning(),
);
const quoteWithOffice = preparedStatement('quote_with_office', (db) =>
  db
    .select({ quote: quotes, office: offices })
    .from(quotes)
    .innerJoin(offices, eq(offices.id, quotes.officeId))
    .where(eq(quotes.id, sql.placeholder('id'))),
);

export function createQuotesRepository(db: DbOrTx) {
  return {
    async insert(values: Omit<typeof quotes.$inferInsert, 'id' | 'createdAt'>): Promise<Quote> {
      const [row] = await insertQuote(db, { postalCode: null, city: null, addressHash: null, ...values } satisfies NewQuote);
      if (!row) throw new Error('INSERT … RETURNING gave no quote row');
      return row;
    },

    /** The quote with its office, in one statement (booking needs both). */
    async findWithOffice(id: string) {
      const [row] = await quoteWithOffice(db, { id });
      return row;
    },

    async findById(id: string): Promise<Quote | undefined> {
      const [row] = await db.select().from(quotes).where(eq(quotes.id, id));
      return row;
    },
  };
}
