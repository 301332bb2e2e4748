import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { qualified as q } from '../db/sql-columns.ts';
import { offices } from '../offices/offices.table.ts';
import { quotes, type Quote } from './quotes.table.ts';

type NewQuote = Required<Omit<typeof quotes.$inferInsert, 'id' | 'createdAt'>>;
type NewQuoteValues = Omit<typeof quotes.$inferInsert, 'id' | 'createdAt'>;
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
/**
 * createQuote's one statement: the quote, inserted only while its office is still at the revision
 * it was priced with (offices.revision counts every change of the office and its closing days).
 * The API keeps offices in memory, so a quote needs no read of its own; a change committed before
 * this statement runs leaves it inserting nothing, and the service prices again from a fresh read.
 * The values are cast here because a select list carries no column types for drizzle to map.
 */
const insertQuoteAtRevision = preparedStatement('insert_quote_at_office_revision', (db) => {
  const p = (name: keyof NewQuote | 'revision') => sql.placeholder(name);
  const selected: Record<keyof Quote, SQL> = {
    id: sql`gen_random_uuid()`,
    officeId: q(offices.id),
    location: sql`${p('location')}::jsonb`,
    options: sql`${p('options')}::jsonb`,
    postalCode: sql`${p('postalCode')}::varchar`,
    city: sql`${p('city')}::varchar`,
    addressHash: sql`${p('addressHash')}::varchar`,
    createdAt: sql`now()`,
    expiresAt: sql`${p('expiresAt')}::timestamptz`,
  };
  // In the table's column order, which is the order drizzle names the columns of the insert.
  const list = sql.join(
    Object.keys(getTableColumns(quotes)).map((c) => selected[c as keyof Quote]),
    sql`, `,
  );
  return db
    .insert(quotes)
    .select(
      sql`select ${list} from ${offices} where ${q(offices.id)} = ${p('officeId')}::uuid and ${q(offices.revision)} = ${p('revision')}::integer`,
    )
    .returning();
});

const quoteWithOffice = preparedStatement('quote_with_office', (db) =>
  db
    .select({ quote: quotes, office: offices })
    .from(quotes)
    .innerJoin(offices, eq(offices.id, quotes.officeId))
    .where(eq(quotes.id, sql.placeholder('id'))),
);

export function createQuotesRepository(db: DbOrTx) {
  return {
    async insert(values: NewQuoteValues): Promise<Quote> {
      const [row] = await insertQuote(db, { postalCode: null, city: null, addressHash: null, ...values } satisfies NewQuote);
      if (!row) throw new Error('INSERT … RETURNING gave no quote row');
      return row;
    },

    /**
     * Inserts the quote if its office's revision is still `officeRevision`; undefined when the
     * office changed (or is gone) since it was read.
     */
    async insertAtOfficeRevision(values: NewQuoteValues, officeRevision: number): Promise<Quote | undefined> {
      const row = { postalCode: null, city: null, addressHash: null, ...values } satisfies NewQuote;
      const [inserted] = await insertQuoteAtRevision(db, {
        ...row,
        location: JSON.stringify(row.location),
        options: JSON.stringify(row.options),
        expiresAt: row.expiresAt.toISOString(),
        revision: officeRevision,
      });
      return inserted;
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
