import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import * as schema from '../../src/db/schema.ts';
import { createOfficeCalendarRepository } from '../../src/offices/office-calendar.repository.ts';
import { createQuotesService } from '../../src/quotes/quotes.service.ts';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, NEAR, seedOffice } from '../helpers/test-platform.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

/** A database whose statements are counted (postgres.js's debug hook sees every one it sends). */
function countingDatabase() {
  const counter = { statements: 0 };
  const client = postgres(testDatabaseUrl(), { max: 2, onnotice: () => {}, debug: () => void counter.statements++ });
  return { db: drizzle(client, { schema }) as unknown as Database, counter, close: () => client.end() };
}

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
});

describe('quotes from the office an API process keeps in memory', () => {
  test('a quote for an office read before is one statement; a change of the office in between costs a fresh read, not a stale quote', async ({
    p,
  }) => {
    const { office } = await seedOffice(p.db);
    const counting = countingDatabase();
    opened.push(counting);
    const quotes = createQuotesService({ db: counting.db, clock: p.clock, quoteTtlMinutes: 30 });
    const statementsOf = async (run: () => Promise<unknown>) => {
      const before = counting.counter.statements;
      await run();
      return counting.counter.statements - before;
    };
    const quote = () => quotes.createQuote({ officeId: office.id, address: ADDRESS, location: NEAR });

    // The first quote reads the office (with its closing days), its zones and tariffs, and inserts.
    expect(await statementsOf(quote)).toBeGreaterThanOrEqual(3);
    // Every later one: the insert, which checks the office's revision itself.
    expect(await statementsOf(quote)).toBe(1);
    expect(await statementsOf(quote)).toBe(1);

    // Any change of the office row (here one that does not even touch what a quote reads) makes
    // the remembered office stale: the insert inserts nothing, the office is read again, and the
    // quote is inserted at the new revision.
    await p.db.execute(`update offices set name = name where id = '${office.id}'`);
    expect(await statementsOf(quote)).toBe(3);
    expect(await statementsOf(quote)).toBe(1);
  });

  test('every process sees a closing day, a postal-code list and an office gone from its next quote on', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    // Two API processes, each with its own memory.
    const [one, two] = [0, 1].map(() => createQuotesService({ db: p.db, clock: p.clock, quoteTtlMinutes: 30 }));
    if (!one || !two) throw new Error('two services');
    const quote = (svc: typeof one) => svc.createQuote({ officeId: office.id, address: ADDRESS, location: NEAR });
    const refusal = async (svc: typeof one) => {
      try {
        await quote(svc);
        return null;
      } catch (err) {
        return (err as { code?: string }).code ?? String(err);
      }
    };
    const closure = async (svc: typeof one, date: string) =>
      (await quote(svc)).deliverySlots.days.find((d) => d.date === date)?.closed?.kind;

    // A day the office delivers on, closed as the admin console closes it.
    const open = (await quote(one)).deliverySlots.days.find((d) => d.closed === null)?.date;
    if (!open) throw new Error('a delivery day within four weeks');
    expect(await closure(two, open)).toBeUndefined();
    const calendar = createOfficeCalendarRepository(p.db);
    await calendar.addClosure({ officeId: office.id, date: open, reason: 'Betriebsausflug' });
    expect(await closure(one, open)).toBe('closure');
    expect(await closure(two, open)).toBe('closure');
    await calendar.removeClosure(office.id, open);
    expect(await closure(two, open)).toBeUndefined();
    expect(await closure(one, open)).toBeUndefined();

    // The office now serves other postal codes only: both refuse, from a fresh read.
    await calendar.updateSettings(office.id, { postalCodes: ['70174'] });
    expect(await refusal(one)).toBe('quote.postal_code_not_served');
    expect(await refusal(two)).toBe('quote.postal_code_not_served');
    // The address's postal code added again: the offices both processes remember say no, but a
    // refusal is not made from memory, so both quote.
    await calendar.updateSettings(office.id, { postalCodes: ['70173', '70174'] });
    expect(await refusal(one)).toBeNull();
    expect(await refusal(two)).toBeNull();

    // The office gone (its quotes with it): the remembered office inserts nothing, the fresh read finds none.
    await p.db.execute(`delete from quotes where office_id = '${office.id}'`);
    await p.db.execute(`delete from tariffs where office_id = '${office.id}'`);
    await p.db.execute(`delete from service_zones where office_id = '${office.id}'`);
    await p.db.execute(`delete from offices where id = '${office.id}'`);
    expect(await refusal(one)).toBe('office.not_found');
  });
});
