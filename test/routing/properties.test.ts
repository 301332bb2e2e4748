import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSolution, solveVrptw, type TimeWindow, type Vehicle } from '../../src/routing/index.js';
import { makePlanarProblem, routeIds, type PlanarStop } from './helpers.js';
import { must } from '../helpers/must.ts';

const windowArb: fc.Arbitrary<TimeWindow[]> = fc.oneof(
  fc.constant<TimeWindow[]>([]),
  fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 200 })).map(([o, w]) => [[o, o + w] as TimeWindow]),
  fc
    .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 10, max: 300 }))
    .map(([o, w, gap]) => [[o, o + w] as TimeWindow, [o + w + gap, o + 2 * w + gap] as TimeWindow]),
);

const stopArb: fc.Arbitrary<PlanarStop> = fc
  .record({
    x: fc.integer({ min: -100, max: 100 }),
    y: fc.integer({ min: -100, max: 100 }),
    demand: fc.integer({ min: 0, max: 8 }),
    service: fc.integer({ min: 0, max: 20 }),
    windows: windowArb,
    types: fc.oneof(fc.constant(undefined), fc.constant(['bike']), fc.constant(['ecar']), fc.constant(['truck'])),
  })
  .map((s) => (s.types === undefined ? { x: s.x, y: s.y, demand: s.demand, service: s.service, windows: s.windows } : s) as PlanarStop);

const vehicleArb: fc.Arbitrary<Omit<Vehicle, 'id'>> = fc.record({
  type: fc.constantFrom('bike', 'ecar'),
  capacity: fc.integer({ min: 1, max: 30 }),
  shift: fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 100, max: 900 })).map(([a, b]) => [a, a + b] as TimeWindow),
  maxDistance: fc.integer({ min: 50, max: 1500 }),
  fixedCost: fc.integer({ min: 0, max: 50 }),
});

const problemArb = fc
  .tuple(fc.array(stopArb, { minLength: 0, maxLength: 25 }), fc.array(vehicleArb, { minLength: 1, maxLength: 4 }))
  .map(([stops, vehicles]) =>
    makePlanarProblem({
      stops,
      vehicles: vehicles.map((v, k) => ({ ...v, id: `v${k + 1}` })),
      speeds: { bike: 1, ecar: 2 },
    }),
  );

describe('solver properties on random problems', () => {
  it('every returned solution is feasible per the independent checker and accounts for every stop exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        problemArb,
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('duration' as const, 'distance' as const),
        async (problem, seed, objective) => {
          const solution = await solveVrptw(problem, { seed, maxIterations: 150, objective });
          const check = checkSolution(problem, solution, objective);
          expect(check.violations).toEqual([]);
          const seen = [...solution.routes.flatMap((r) => r.stops.map((s) => s.stopId)), ...solution.unassigned.map((u) => u.stopId)];
          expect(seen.sort()).toEqual(problem.stops.map((s) => s.id).sort());
          expect(solution.cost).toBeCloseTo(check.cost, 6);
          // Reported schedules agree with the windows they claim.
          for (const r of solution.routes) {
            for (const s of r.stops) {
              expect(s.serviceStart).toBeGreaterThanOrEqual(s.arrival);
              expect(s.departure).toBeGreaterThanOrEqual(s.serviceStart);
            }
          }
        },
      ),
      { numRuns: 120, seed: 42 },
    );
  });

  it('arcs missing from a matrix (null, as OSRM reports them) are never driven', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, fc.integer({ min: 1, max: 1000 }), async (problem, seed) => {
        const size = problem.stops.length + 1;
        // Drop roughly every seventh arc from one of the two matrices of a profile.
        let k = seed;
        for (const m of Object.values(problem.matrices)) {
          const rows = (k % 2 === 0 ? m.durations : m.distances) as (number | null)[][];
          const copy = rows.map((row) => [...row]);
          for (let i = 0; i < size; i++)
            for (let j = 0; j < size; j++) if (i !== j && (i * 31 + j * 17 + k) % 7 === 0) must(copy[i], 'copy[i]')[j] = null;
          if (k % 2 === 0) m.durations = copy;
          else m.distances = copy;
          k++;
        }
        const solution = await solveVrptw(problem, { seed, maxIterations: 150 });
        expect(checkSolution(problem, solution).violations).toEqual([]);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('a stop that no vehicle type may serve is reported as no_allowed_vehicle', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, async (problem) => {
        const solution = await solveVrptw(problem, { seed: 1, maxIterations: 50 });
        const truckOnly = new Set(problem.stops.filter((s) => s.allowedVehicleTypes?.includes('truck')).map((s) => s.id));
        for (const u of solution.unassigned) if (truckOnly.has(u.stopId)) expect(u.reason).toBe('no_allowed_vehicle');
        for (const r of solution.routes) for (const s of r.stops) expect(truckOnly.has(s.stopId)).toBe(false);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('the same seed and iteration budget reproduce the same plan', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, fc.integer({ min: 1, max: 1_000_000 }), async (problem, seed) => {
        const a = await solveVrptw(problem, { seed, maxIterations: 200 });
        const b = await solveVrptw(problem, { seed, maxIterations: 200 });
        expect(routeIds(b)).toEqual(routeIds(a));
        expect(b.unassigned).toEqual(a.unassigned);
        expect(b.cost).toBe(a.cost);
      }),
      { numRuns: 25, seed: 3 },
    );
  });
});
