import { describe, expect } from 'vitest';
import { createOfficesRepository } from '../../src/offices/offices.repository.ts';
import { createPricingCache } from '../../src/quotes/pricing-cache.ts';
import { createQuotesService } from '../../src/quotes/quotes.service.ts';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, NEAR, seedOffice } from '../helpers/test-platform.ts';

describe('the pricing cache of quotes', () => {
  test('every process prices with a zone or tariff change from its commit on, and reads no zone while nothing changed', async ({ p }) => {
    const { office, bikeZone } = await seedOffice(p.db);
    // Two API processes: each has its own cache.
    const caches = [createPricingCache(), createPricingCache()];
    const [one, two] = caches.map((pricing) => createQuotesService({ db: p.db, clock: p.clock, quoteTtlMinutes: 30, pricing }));
    if (!one || !two) throw new Error('two services');
    const quote = (svc: typeof one) => svc.createQuote({ officeId: office.id, address: ADDRESS, location: NEAR });
    const bikePrice = async (svc: typeof one) => (await quote(svc)).quote.options.find((o) => o.vehicleType === 'bike')?.amountCents;

    expect(await bikePrice(one)).toBe(450);
    expect(await bikePrice(two)).toBe(450);

    // A cheaper bike tariff from now on, written through the repository as the admin operation does.
    const repo = createOfficesRepository(p.db);
    const [current] = (await repo.tariffsOf(office.id)).filter((t) => t.zoneId === bikeZone.id && t.validTo === null);
    if (!current) throw new Error('bike tariff');
    const now = new Date(p.clock().getTime() - 1000);
    await p.db.transaction(async (tx) => {
      const r = createOfficesRepository(tx);
      await r.endTariff(current.id, now);
      await r.insertTariff({ officeId: office.id, zoneId: bikeZone.id, vehicleType: 'bike', amountCents: 390, validFrom: now });
    });
    expect(await bikePrice(one)).toBe(390);
    expect(await bikePrice(two)).toBe(390);

    // The bike zone switched off: no bike option any more, in either process.
    await repo.setZoneActive(office.id, bikeZone.id, false);
    expect(await bikePrice(two)).toBeUndefined();
    expect(await bikePrice(one)).toBeUndefined();
    expect(caches.map((c) => c.size())).toEqual([1, 1]);
  });
});
