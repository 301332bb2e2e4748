import type { PreparedArea } from '../shared/prepared-area.ts';
import type { QuoteOption } from './quotes.table.ts';

interface ZoneLike {
  id: string;
  /** The zone's geometry prepared for point tests (prepareArea): turf's answer, without walking every edge. */
  area: PreparedArea;
  vehicleTypes: ('bike' | 'ecar')[];
}
interface TariffLike {
  id: string;
  zoneId: string;
  vehicleType: 'bike' | 'ecar';
  amountCents: number;
  currency: string;
}

/**
 * The vehicles that may serve a location and their prices: every active zone containing the point
 * offers its vehicle types at its tariff; where zones overlap, the citizen gets the cheaper price.
 * A point exactly on a border counts as inside (turf's default), so no address on the line is
 * refused. Pure: no database, so the rule is tested with plain polygons (prepared by prepareArea).
 */
export function priceLocation(location: [number, number], zones: ZoneLike[], tariffs: TariffLike[]) {
  const containing = zones.filter((z) => z.area.contains(location));
  const best = new Map<'bike' | 'ecar', QuoteOption>();
  let zoneWithoutTariff = false;
  for (const zone of containing) {
    for (const vehicleType of zone.vehicleTypes) {
      const tariff = tariffs.find((t) => t.zoneId === zone.id && t.vehicleType === vehicleType && t.currency === 'EUR');
      if (!tariff) {
        zoneWithoutTariff = true;
        continue;
      }
      const current = best.get(vehicleType);
      if (!current || tariff.amountCents < current.amountCents) {
        best.set(vehicleType, { vehicleType, zoneId: zone.id, tariffId: tariff.id, amountCents: tariff.amountCents, currency: 'EUR' });
      }
    }
  }
  const order = { bike: 0, ecar: 1 } as const;
  return {
    insideAnyZone: containing.length > 0,
    zoneWithoutTariff,
    options: [...best.values()].sort((a, b) => order[a.vehicleType] - order[b.vehicleType]),
  };
}
