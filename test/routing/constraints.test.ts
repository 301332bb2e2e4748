import { describe, expect, it } from 'vitest';
import { checkSolution, solveVrptw } from '../../src/routing/index.js';
import { makePlanarProblem, routeIds, vehicle, type PlanarStop } from './helpers.js';
import { must } from '../helpers/must.ts';

describe('hard constraints', () => {
  it('a stop outside the bicycle zone is never put on a bike', async () => {
    // s2 lies on the bike's way but only allows e-cars; the car has room for one stop.
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0 },
        { x: 11, y: 0, types: ['ecar'] },
        { x: 12, y: 0 },
      ],
      vehicles: [vehicle('bike', 'bike'), vehicle('car', 'ecar', { capacity: 1, fixedCost: 50 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 500 });
    expect(routeIds(solution)).toEqual({ bike: ['s1', 's3'], car: ['s2'] });
    expect(checkSolution(problem, solution).feasible).toBe(true);
  });

  it('a stop inside the car-free zone is never put on an e-car, even when only the car has room', async () => {
    const problem = makePlanarProblem({
      stops: [
        { x: 5, y: 0, types: ['bike'], demand: 3 },
        { x: 6, y: 0, types: ['bike'], demand: 3 },
      ],
      vehicles: [vehicle('bike', 'bike', { capacity: 3 }), vehicle('car', 'ecar', { capacity: 100 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 200 });
    expect(solution.routes.map((r) => r.vehicleId)).toEqual(['bike']);
    expect(solution.unassigned).toEqual([{ stopId: expect.stringMatching(/^s[12]$/), reason: 'no_capacity_left' }]);
  });

  it('service starts inside the later window of a stop with two windows when the first cannot be reached', async () => {
    // Depot to s1 takes 100; the first window [0, 50] is over by then, the second [200, 260] is not.
    const problem = makePlanarProblem({
      stops: [
        {
          x: 100,
          y: 0,
          windows: [
            [0, 50],
            [200, 260],
          ],
        },
      ],
      vehicles: [vehicle('v', 'bike')],
    });
    const solution = await solveVrptw(problem, { maxIterations: 50 });
    const route = must(solution.routes[0], 'solution.routes[0]');
    expect(must(route.stops[0], 'route.stops[0]').serviceStart).toBe(200);
    // The courier leaves late instead of waiting at the door.
    expect(route.start).toBe(100);
    expect(must(route.stops[0], 'route.stops[0]').arrival).toBe(200);
    expect(route.end).toBe(300);
  });

  it('an early vehicle waits at a stop whose window has not opened yet', async () => {
    // s1 is on the way to s2; s2 opens at 100, so the courier arrives at 20 and waits.
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0, service: 5, windows: [[0, 50]] },
        { x: 15, y: 0, windows: [[100, 120]] },
      ],
      vehicles: [vehicle('v', 'bike')],
    });
    const solution = await solveVrptw(problem, { maxIterations: 100 });
    const [s1, s2] = must(solution.routes[0], 'solution.routes[0]').stops;
    expect(s1).toEqual({ stopId: 's1', arrival: 10, serviceStart: 10, departure: 15 });
    expect(s2).toEqual({ stopId: 's2', arrival: 20, serviceStart: 100, departure: 100 });
    expect(must(solution.routes[0], 'solution.routes[0]').end).toBe(115);
  });

  it('stops whose windows force an order are visited in that order even if it is longer', async () => {
    // Geometrically s2 (x=20) comes after s1 (x=10), but s2 must be served before t=30.
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0, windows: [[50, 100]] },
        { x: 20, y: 0, windows: [[0, 30]] },
      ],
      vehicles: [vehicle('v', 'bike')],
    });
    const solution = await solveVrptw(problem, { maxIterations: 200 });
    expect(routeIds(solution)).toEqual({ v: ['s2', 's1'] });
  });

  it('capacity splits the stops across vehicles and no route carries more than its capacity', async () => {
    const problem = makePlanarProblem({
      stops: Array.from({ length: 6 }, (_, i) => ({ x: 10 + i, y: 0, demand: 4 })),
      vehicles: [vehicle('a', 'bike', { capacity: 8 }), vehicle('b', 'bike', { capacity: 8 }), vehicle('c', 'bike', { capacity: 8 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 500 });
    expect(solution.unassigned).toEqual([]);
    expect(solution.routes).toHaveLength(3);
    for (const r of solution.routes) expect(r.load).toBeLessThanOrEqual(8);
    expect(checkSolution(problem, solution).feasible).toBe(true);
  });

  it('a bike with too little range leaves the far stop to the e-car', async () => {
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0 },
        { x: 200, y: 0 },
      ],
      vehicles: [
        vehicle('bike', 'bike', { maxDistance: 300, shift: [0, 10_000] }),
        vehicle('car', 'ecar', { capacity: 1, fixedCost: 1, shift: [0, 10_000] }),
      ],
    });
    const solution = await solveVrptw(problem, { maxIterations: 300, objective: 'distance' });
    expect(routeIds(solution)).toEqual({ bike: ['s1'], car: ['s2'] });
    for (const r of solution.routes) if (r.vehicleId === 'bike') expect(r.distance).toBeLessThanOrEqual(300);
  });

  it('serves as many stops as possible before minimising cost', async () => {
    // Serving s2 needs the expensive car; leaving it out would be cheaper but is not allowed.
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0 },
        { x: 10, y: 1, types: ['ecar'] },
      ],
      vehicles: [vehicle('bike', 'bike'), vehicle('car', 'ecar', { fixedCost: 100_000 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 200 });
    expect(solution.unassigned).toEqual([]);
    expect(solution.cost).toBeGreaterThan(100_000);
  });

  it('the duration objective prefers the faster vehicle, the distance objective ignores speed', async () => {
    const problem = makePlanarProblem({
      stops: [{ x: 30, y: 0 }],
      // Different profiles with the same geometry; the car is 3× faster but has a fixed cost of 15.
      vehicles: [vehicle('bike', 'bike', { fixedCost: 0 }), vehicle('car', 'ecar', { fixedCost: 15 })],
      speeds: { bike: 1, ecar: 3 },
    });
    const byDuration = await solveVrptw(problem, { maxIterations: 100, objective: 'duration' });
    const byDistance = await solveVrptw(problem, { maxIterations: 100, objective: 'distance' });
    expect(Object.keys(routeIds(byDuration))).toEqual(['car']); // 20 + 15 < 60
    expect(Object.keys(routeIds(byDistance))).toEqual(['bike']); // 60 < 60 + 15
    expect(byDuration.cost).toBeCloseTo(35, 9);
    expect(byDistance.cost).toBeCloseTo(60, 9);
  });
});

describe('unassigned reasons', () => {
  const cases = [
    {
      name: 'no_allowed_vehicle when no vehicle of an allowed type exists',
      stop: { x: 10, y: 0, types: ['truck'] },
      reason: 'no_allowed_vehicle',
    },
    { name: 'capacity_exceeded when demand exceeds every capacity', stop: { x: 10, y: 0, demand: 500 }, reason: 'capacity_exceeded' },
    {
      name: 'time_window_unreachable when no window can be reached from the depot',
      stop: { x: 100, y: 0, windows: [[0, 50]] as [number, number][] },
      reason: 'time_window_unreachable',
    },
    {
      name: 'time_window_unreachable when the vehicle could not return before its shift ends',
      stop: { x: 600, y: 0 },
      reason: 'time_window_unreachable',
    },
    {
      name: 'max_distance_exceeded when the round trip exceeds the range',
      stop: { x: 300, y: 0 },
      reason: 'max_distance_exceeded',
      maxDistance: 500,
    },
  ] as const;
  it.each(cases)('$name', async (c) => {
    const problem = makePlanarProblem({
      stops: [{ x: 5, y: 0 }, c.stop as PlanarStop],
      vehicles: [vehicle('v', 'bike', { maxDistance: 'maxDistance' in c ? c.maxDistance : 10_000 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 100 });
    expect(solution.unassigned).toEqual([{ stopId: 's2', reason: c.reason }]);
    expect(routeIds(solution)).toEqual({ v: ['s1'] });
  });

  it('no_capacity_left when each stop fits alone but the fleet is full', async () => {
    const problem = makePlanarProblem({
      stops: [
        { x: 10, y: 0, demand: 6 },
        { x: 20, y: 0, demand: 6 },
      ],
      vehicles: [vehicle('v', 'bike', { capacity: 10 })],
    });
    const solution = await solveVrptw(problem, { maxIterations: 100 });
    expect(solution.unassigned).toHaveLength(1);
    expect(must(solution.unassigned[0], 'solution.unassigned[0]').reason).toBe('no_capacity_left');
  });

  it('an empty stop list or an empty fleet gives a valid empty plan', async () => {
    const empty = makePlanarProblem({ stops: [], vehicles: [vehicle('v', 'bike')] });
    expect(await solveVrptw(empty, { maxIterations: 10 })).toMatchObject({ routes: [], unassigned: [], cost: 0 });
    const noFleet = makePlanarProblem({ stops: [{ x: 1, y: 1 }], vehicles: [] });
    const solution = await solveVrptw(noFleet, { maxIterations: 10 });
    expect(solution.unassigned).toEqual([{ stopId: 's1', reason: 'no_allowed_vehicle' }]);
  });
});
