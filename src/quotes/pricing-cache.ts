import type { DbOrTx } from '../db/client.ts';
import { createLru } from '../shared/lru.ts';
import { prepareArea, type PreparedArea } from '../shared/prepared-area.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { Office, ServiceZone, Tariff } from '../offices/offices.table.ts';

export interface OfficePricing {
  version: number;
  /**
   * Active zones, each with its geometry prepared once for the point tests of every quote. The
   * GeoJSON itself is not kept: the prepared area is all a quote asks, and about half its size
   * (typed arrays, where parsed GeoJSON is an array per position: 1.8 MB against 3.3 MB for a
   * 46,481-vertex boundary).
   */
  zones: { id: string; vehicleTypes: ServiceZone['vehicleTypes']; area: PreparedArea }[];
  /** Every tariff of the office; which is valid is decided per quote (validity depends on the moment). */
  tariffs: Tariff[];
}

/** Offices whose pricing a process keeps; more are loaded again when asked (least recently used first out). */
const MAX_OFFICES = 500;

/**
 * The zones and tariffs a quote needs, kept per office and `pricingVersion`. The office row a quote
 * prices with says whether the cached pricing is still the office's. A zone or tariff change bumps
 * the version in its own transaction, which also bumps the office's revision, so the quote that
 * priced with a remembered office before the commit inserts nothing and prices again from a fresh
 * read (quotes.service.ts): after the commit, every API process prices with the change (no timer,
 * no cross-process message).
 */
export function createPricingCache() {
  const cache = createLru<string, OfficePricing>(MAX_OFFICES);
  return {
    async pricingOf(db: DbOrTx, office: Office, at: Date) {
      let entry = cache.get(office.id);
      if (entry?.version !== office.pricingVersion) {
        const repo = createOfficesRepository(db);
        const [zones, tariffs] = await Promise.all([repo.activeZones(office.id), repo.tariffsOf(office.id)]);
        entry = {
          version: office.pricingVersion,
          zones: zones.map((z) => ({ id: z.id, vehicleTypes: z.vehicleTypes, area: prepareArea(z.geometry) })),
          tariffs,
        };
        cache.set(office.id, entry);
      }
      const valid = entry.tariffs.filter(
        (t) => t.validFrom.getTime() <= at.getTime() && (t.validTo === null || t.validTo.getTime() > at.getTime()),
      );
      return { zones: entry.zones, tariffs: valid };
    },
    size: () => cache.size,
  };
}

export type PricingCache = ReturnType<typeof createPricingCache>;
