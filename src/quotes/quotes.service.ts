import { eq } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/client.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { createError } from '../shared/errors.ts';
import { priceLocation } from './pricing.ts';
import { quotes, type Quote } from './quotes.table.ts';

export function createQuotesService(deps: { db: Database; clock: () => Date; quoteTtlMinutes: number }) {
  const offices = createOfficesRepository(deps.db);
  return {
    async createQuote(input: { officeId: string; location: [number, number] }) {
      const office = await offices.findById(input.officeId);
      if (!office) throw createError({ code: 'office.not_found', status: 404, message: 'Office not found' });
      const now = deps.clock();
      const [zones, tariffs] = await Promise.all([offices.activeZones(office.id), offices.tariffsValidAt(office.id, now)]);
      const priced = priceLocation(input.location, zones, tariffs);
      if (!priced.insideAnyZone) {
        throw createError({
          code: 'quote.outside_service_area',
          status: 422,
          message: 'This address lies outside every delivery zone of the office; the document can be collected at the office',
        });
      }
      if (priced.options.length === 0) {
        throw createError({ code: 'quote.no_tariff', status: 422, message: 'No price is set for this zone today; please ask the office' });
      }
      const [quote] = await deps.db
        .insert(quotes)
        .values({
          officeId: office.id,
          location: input.location,
          options: priced.options,
          expiresAt: new Date(now.getTime() + deps.quoteTtlMinutes * 60_000),
        })
        .returning();
      return { quote: quote! };
    },
  };
}

export async function findQuote(db: DbOrTx, id: string): Promise<Quote | undefined> {
  const [row] = await db.select().from(quotes).where(eq(quotes.id, id));
  return row;
}
