import fc from 'fast-check';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { priceLocation } from '../../src/quotes/pricing.ts';
import { prepareArea } from '../../src/shared/prepared-area.ts';
import { must } from '../helpers/must.ts';

type LngLat = [number, number];
const square = (west: number, south: number, size: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [west + size, south],
      [west + size, south + size],
      [west, south + size],
      [west, south],
    ],
  ],
});
const zone = (id: string, geometry: Polygon, vehicleTypes: ('bike' | 'ecar')[]) => ({ id, area: prepareArea(geometry), vehicleTypes });
const tariff = (zoneId: string, vehicleType: 'bike' | 'ecar', amountCents: number, currency = 'EUR') => ({
  id: `t-${zoneId}-${vehicleType}-${amountCents}`,
  zoneId,
  vehicleType,
  amountCents,
  currency,
});

// A small bike square inside a large e-car square, both around (9.18, 48.78).
const bike = zone('bike', square(9.17, 48.77, 0.02), ['bike']);
const city = zone('city', square(9.0, 48.6, 0.4), ['ecar']);
const tariffs = [tariff('bike', 'bike', 450), tariff('city', 'ecar', 850)];

describe('pricing a location', () => {
  it('inside both zones: bike and e-car, bike first', () => {
    const r = priceLocation([9.18, 48.78], [city, bike], tariffs);
    expect(r.insideAnyZone).toBe(true);
    expect(r.options.map((o) => [o.vehicleType, o.amountCents, o.zoneId, o.tariffId])).toEqual([
      ['bike', 450, 'bike', 't-bike-bike-450'],
      ['ecar', 850, 'city', 't-city-ecar-850'],
    ]);
  });

  it('inside the city only: e-car only; outside both: nothing', () => {
    expect(priceLocation([9.1, 48.7], [bike, city], tariffs).options.map((o) => o.vehicleType)).toEqual(['ecar']);
    const outside = priceLocation([11.57, 48.13], [bike, city], tariffs);
    expect(outside).toEqual({ insideAnyZone: false, zoneWithoutTariff: false, options: [] });
  });

  it('a point exactly on a border, or on a corner, counts as inside', () => {
    expect(priceLocation([9.17, 48.78], [bike], tariffs).options).toHaveLength(1);
    expect(priceLocation([9.17, 48.77], [bike], tariffs).options).toHaveLength(1);
    expect(priceLocation([9.1699999, 48.78], [bike], tariffs).options).toHaveLength(0);
  });

  it('where zones overlap, the citizen gets the cheaper price for each vehicle', () => {
    const inner = zone('inner', square(9.17, 48.77, 0.02), ['bike', 'ecar']);
    const r = priceLocation([9.18, 48.78], [city, inner], [...tariffs, tariff('inner', 'bike', 300), tariff('inner', 'ecar', 900)]);
    expect(r.options.map((o) => [o.vehicleType, o.amountCents, o.zoneId])).toEqual([
      ['bike', 300, 'inner'],
      ['ecar', 850, 'city'],
    ]);
  });

  it('a zone without a tariff for a vehicle is flagged and offers nothing for it', () => {
    const r = priceLocation([9.18, 48.78], [bike, city], [tariff('city', 'ecar', 850)]);
    expect(r.zoneWithoutTariff).toBe(true);
    expect(r.options.map((o) => o.vehicleType)).toEqual(['ecar']);
    const none = priceLocation([9.18, 48.78], [bike], []);
    expect(none).toMatchObject({ insideAnyZone: true, zoneWithoutTariff: true, options: [] });
  });

  it('tariffs in another currency are never used for a euro price', () => {
    const r = priceLocation([9.18, 48.78], [bike], [tariff('bike', 'bike', 100, 'USD')]);
    expect(r.options).toEqual([]);
    expect(r.zoneWithoutTariff).toBe(true);
  });

  it('works with MultiPolygon zones and holes', () => {
    const donut: Polygon = {
      type: 'Polygon',
      coordinates: [
        must(square(9.0, 48.6, 0.4).coordinates[0], 'square(9.0, 48.6, 0.4).coordinates[0]'),
        must(square(9.17, 48.77, 0.02).coordinates[0], 'square(9.17, 48.77, 0.02).coordinates[0]')
          .slice()
          .reverse(),
      ],
    };
    expect(priceLocation([9.18, 48.78], [zone('donut', donut, ['ecar'])], [tariff('donut', 'ecar', 850)]).insideAnyZone).toBe(false);
    const multi = {
      id: 'multi',
      vehicleTypes: ['ecar' as const],
      area: prepareArea({ type: 'MultiPolygon', coordinates: [square(9.0, 48.6, 0.1).coordinates, square(9.3, 48.9, 0.1).coordinates] }),
    };
    expect(priceLocation([9.35, 48.95], [multi], [tariff('multi', 'ecar', 700)]).options.map((o) => o.amountCents)).toEqual([700]);
  });

  it('for any set of overlapping zones and tariffs: each offered price is the minimum over the containing zones', () => {
    const point: LngLat = [9.18, 48.78];
    const arbZone = fc.record({
      contains: fc.boolean(),
      vehicleTypes: fc.subarray(['bike', 'ecar'] as const, { minLength: 1 }),
      prices: fc.record({ bike: fc.option(fc.integer({ min: 1, max: 5000 })), ecar: fc.option(fc.integer({ min: 1, max: 5000 })) }),
    });
    fc.assert(
      fc.property(fc.array(arbZone, { maxLength: 6 }), (specs) => {
        const zones = specs.map((s, i) => zone(`z${i}`, s.contains ? square(9.17, 48.77, 0.02) : square(10, 50, 0.1), [...s.vehicleTypes]));
        const ts = specs.flatMap((s, i) =>
          (['bike', 'ecar'] as const).flatMap((v) => (s.prices[v] === null ? [] : [tariff(`z${i}`, v, must(s.prices[v], 's.prices[v]'))])),
        );
        const r = priceLocation(point, zones, ts);
        expect(r.insideAnyZone).toBe(specs.some((s) => s.contains));
        for (const v of ['bike', 'ecar'] as const) {
          const candidates = specs.flatMap((s) =>
            s.contains && s.vehicleTypes.includes(v) && s.prices[v] !== null ? [must(s.prices[v], 's.prices[v]')] : [],
          );
          const offered = r.options.find((o) => o.vehicleType === v);
          expect(offered?.amountCents ?? null).toBe(candidates.length ? Math.min(...candidates) : null);
        }
        expect(r.options.map((o) => o.vehicleType)).toEqual([...r.options.map((o) => o.vehicleType)].sort());
      }),
    );
  });
});
