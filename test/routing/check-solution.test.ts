import { describe, expect, it } from 'vitest';
import { checkSolution, type SolutionToCheck } from '../../src/routing/index.js';
import { makePlanarProblem, vehicle } from './helpers.js';
import { must } from '../helpers/must.ts';

// depot (0,0); s1 at x=10 window [0,15]; s2 at x=20 demand 5; s3 bike-only at x=-10.
const problem = makePlanarProblem({
  stops: [
    { x: 10, y: 0, windows: [[0, 15]], service: 2 },
    { x: 20, y: 0, demand: 5 },
    { x: -10, y: 0, types: ['bike'] },
  ],
  vehicles: [vehicle('bike', 'bike', { capacity: 5, maxDistance: 100, shift: [0, 100] }), vehicle('car', 'ecar', { fixedCost: 7 })],
});

const plan = (routes: Record<string, string[]>, unassigned: string[] = []): SolutionToCheck => ({
  routes: Object.entries(routes).map(([vehicleId, ids]) => ({ vehicleId, stops: ids.map((stopId) => ({ stopId })) })),
  unassigned: unassigned.map((stopId) => ({ stopId })),
});

const codes = (s: SolutionToCheck): string[] =>
  checkSolution(problem, s)
    .violations.map((v) => v.code)
    .sort();

describe('independent solution checker', () => {
  it('accepts a feasible plan and recomputes its cost including fixed costs', () => {
    const result = checkSolution(problem, plan({ bike: ['s3'], car: ['s1', 's2'] }));
    expect(result.violations).toEqual([]);
    expect(result.feasible).toBe(true);
    expect(result.cost).toBe(20 + 40 + 7);
    expect(result.distance).toBe(60);
    expect(result.routeCount).toBe(2);
  });

  it('flags a stop served twice, a stop missing and a stop both served and unassigned', () => {
    expect(codes(plan({ bike: ['s3'], car: ['s1', 's1'] }))).toEqual(['stop_missing', 'stop_served_twice']);
    expect(codes(plan({ bike: ['s3'], car: ['s1', 's2'] }, ['s2']))).toEqual(['unassigned_but_served']);
  });

  it('flags a late arrival, an exceeded capacity, range and shift, and a forbidden vehicle type', () => {
    expect(codes(plan({ car: ['s2', 's1', 's3'] }))).toEqual(['time_window', 'vehicle_type_not_allowed']);
    expect(codes(plan({ bike: ['s1', 's2', 's3'] }))).toContain('capacity');
    const far = makePlanarProblem({
      stops: [{ x: 60, y: 0 }],
      vehicles: [vehicle('bike', 'bike', { maxDistance: 100, shift: [0, 110] })],
    });
    expect(
      checkSolution(far, plan({ bike: ['s1'] }))
        .violations.map((v) => v.code)
        .sort(),
    ).toEqual(['max_distance', 'shift_end']);
  });

  it('flags unknown vehicles and stops and a vehicle with two routes', () => {
    const s = plan({ bike: ['s3'], car: ['s1', 's2'] });
    const bad: SolutionToCheck = {
      routes: [...s.routes, { vehicleId: 'bike', stops: [{ stopId: 'nope' }] }, { vehicleId: 'ghost', stops: [{ stopId: 's1' }] }],
      unassigned: [],
    };
    expect(codes(bad)).toEqual(['unknown_stop', 'unknown_vehicle', 'vehicle_used_twice']);
  });

  it('treats null matrix entries as unreachable', () => {
    const p = makePlanarProblem({ stops: [{ x: 1, y: 0 }], vehicles: [vehicle('v', 'bike')] });
    must(
      (must(p.matrices.bike, 'p.matrices.bike').durations as (number | null)[][])[0],
      '(p.matrices.bike.durations as (number | null)[][])[0]',
    )[1] = null;
    expect(checkSolution(p, plan({ v: ['s1'] })).violations.map((v) => v.code)).toContain('unreachable');
  });
});
