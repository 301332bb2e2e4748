import { readFileSync } from 'node:fs';
import { circle } from '@turf/turf';
import type { Polygon } from 'geojson';
import type { Database } from '../db/client.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { recordAudit } from '../audit/audit.repository.ts';

/** Bürgerbüro Mitte, Eberhardstraße 39, Stuttgart: the demo depot. */
export const DEMO_OFFICE_LOCATION: [number, number] = [9.1759, 48.7746];
export const DEMO_BIKE_RADIUS_KM = 4;
export const DEMO_PRICES = { bike: 450, ecar: 850 } as const;

/** The postal codes of the city of Stuttgart (Deutsche Post's assignment; facts, not a work). */
// prettier-ignore
export const STUTTGART_POSTAL_CODES = [
  '70173', '70174', '70176', '70178', '70180', '70182', '70184', '70186', '70188', '70190', '70191', '70192', '70193', '70195',
  '70197', '70199', '70327', '70329', '70372', '70374', '70376', '70378', '70435', '70437', '70439', '70469', '70499', '70563',
  '70565', '70567', '70569', '70597', '70599', '70619', '70629',
];

export function loadStuttgartBoundary(): Polygon {
  const fc = JSON.parse(readFileSync(new URL('./data/stuttgart-boundary.geojson', import.meta.url), 'utf8')) as {
    features: { geometry: Polygon }[];
  };
  const [feature] = fc.features;
  if (!feature) throw new Error('stuttgart-boundary.geojson holds no feature');
  return feature.geometry;
}

/**
 * On first start with an empty database: one Stuttgart office with a city-wide e-car zone (the
 * city boundary, © OpenStreetMap contributors, ODbL) and a 4 km bicycle zone around the office.
 * Returns null when offices already exist (nothing is touched then).
 */
export async function seedDemoIfEmpty(db: Database, now: Date) {
  const offices = createOfficesRepository(db);
  if ((await offices.list()).length > 0) return null;
  return db.transaction(async (tx) => {
    const repo = createOfficesRepository(tx);
    const office = await repo.insertOffice({
      slug: 'stuttgart-mitte',
      name: 'Bürgerbüro Mitte (Demo)',
      addressLine: 'Eberhardstraße 39, 70173 Stuttgart',
      location: DEMO_OFFICE_LOCATION,
      kassenzeichenPrefix: 'STR-BBM',
      refundPolicy: 'fee_after_ready',
      cancellationFeeCents: 150,
      state: 'BW',
      postalCodes: STUTTGART_POSTAL_CODES,
    });
    const cityZone = await repo.insertZone({
      officeId: office.id,
      name: 'Stuttgart (Stadtgebiet)',
      geometry: loadStuttgartBoundary(),
      vehicleTypes: ['ecar'],
    });
    const bikeZone = await repo.insertZone({
      officeId: office.id,
      name: `Innenstadt (${DEMO_BIKE_RADIUS_KM} km um das Bürgerbüro)`,
      geometry: circle(DEMO_OFFICE_LOCATION, DEMO_BIKE_RADIUS_KM, { steps: 64, units: 'kilometers' }).geometry,
      vehicleTypes: ['bike'],
    });
    const validFrom = new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
    await repo.insertTariff({ officeId: office.id, zoneId: bikeZone.id, vehicleType: 'bike', amountCents: DEMO_PRICES.bike, validFrom });
    await repo.insertTariff({ officeId: office.id, zoneId: cityZone.id, vehicleType: 'ecar', amountCents: DEMO_PRICES.ecar, validFrom });
    await recordAudit(tx, { actorType: 'system', action: 'demo.seeded', subjectType: 'office', subjectId: office.id, officeId: office.id });
    return { office, cityZone, bikeZone };
  });
}
