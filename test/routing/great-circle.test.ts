import { distance, point } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { computeHaversineMetres, createGreatCircleProvider, planDeliveries, checkSolution, type LngLat } from '../../src/routing/index.js';
import { must } from '../helpers/must.ts';

const STUTTGART: LngLat = [9.1829, 48.7758];
const places: LngLat[] = [STUTTGART, [9.2, 48.8], [9.1, 48.7], [13.405, 52.52], [-0.1276, 51.5072], [9.18291, 48.77581]];

describe('great-circle matrix provider', () => {
  it('haversine agrees with turf distance to within a millimetre per kilometre', () => {
    for (const a of places) {
      for (const b of places) {
        const turfMetres = distance(point([...a]), point([...b]), { units: 'kilometers' }) * 1000;
        expect(Math.abs(computeHaversineMetres(a, b) - turfMetres)).toBeLessThanOrEqual(1e-6 * Math.max(1, turfMetres));
      }
    }
  });

  it('applies each profile’s detour factor and speed to a symmetric matrix with zero diagonal', async () => {
    const provider = createGreatCircleProvider({ bike: { speedMps: 4, detourFactor: 1.25 }, ecar: { speedMps: 8, detourFactor: 1.5 } });
    const m = await provider({ locations: places.slice(0, 3), profiles: ['bike', 'ecar'] });
    const straight = computeHaversineMetres(must(places[0], 'places[0]'), must(places[1], 'places[1]'));
    const bikeD = must(m.bike, 'm.bike').distances as Float64Array;
    const bikeT = must(m.bike, 'm.bike').durations as Float64Array;
    const carD = must(m.ecar, 'm.ecar').distances as Float64Array;
    const carT = must(m.ecar, 'm.ecar').durations as Float64Array;
    expect(bikeD[1]).toBeCloseTo(straight * 1.25, 6);
    expect(bikeT[1]).toBeCloseTo((straight * 1.25) / 4, 6);
    expect(carD[1]).toBeCloseTo(straight * 1.5, 6);
    expect(carT[1]).toBeCloseTo((straight * 1.5) / 8, 6);
    for (let i = 0; i < 3; i++) {
      expect(bikeD[i * 3 + i]).toBe(0);
      for (let j = 0; j < 3; j++) expect(bikeD[i * 3 + j]).toBe(bikeD[j * 3 + i]);
    }
  });

  it('rejects a profile without configured speed', async () => {
    await expect(createGreatCircleProvider({})({ locations: places, profiles: ['drone'] })).rejects.toThrow(/drone/);
  });

  it('plans real locations end to end: bikes in the centre, e-car for the far stop', async () => {
    const { problem, solution } = await planDeliveries(
      {
        depot: { location: STUTTGART },
        vehicles: [
          { id: 'bike-1', type: 'bike', capacity: 10, shift: [8 * 3600, 12 * 3600], maxDistance: 20_000 },
          { id: 'ecar-1', type: 'ecar', capacity: 10, shift: [8 * 3600, 12 * 3600], fixedCost: 300 },
        ],
        stops: [
          { id: 'rathaus', location: [9.1794, 48.7754], serviceTime: 300, demand: 1, timeWindows: [[9 * 3600, 10 * 3600]] },
          { id: 'bad-cannstatt', location: [9.2147, 48.8049], serviceTime: 300, demand: 1, timeWindows: [] },
          { id: 'ludwigsburg', location: [9.1917, 48.8974], serviceTime: 300, demand: 1, timeWindows: [], allowedVehicleTypes: ['ecar'] },
        ],
      },
      { maxIterations: 300 },
    );
    expect(checkSolution(problem, solution).feasible).toBe(true);
    expect(solution.unassigned).toEqual([]);
    const car = must(
      solution.routes.find((r) => r.vehicleId === 'ecar-1'),
      "solution.routes.find((r) => r.vehicleId === 'ecar-1')",
    );
    expect(car.stops.map((s) => s.stopId)).toContain('ludwigsburg');
  });
});
