import { describe, expect, it } from 'vitest';
import { checkSolution, solveVrptw, type Objective, type VrptwProblem } from '../../src/routing/index.js';
import { makeRandomProblem } from './helpers.js';
import { must } from '../helpers/must.ts';

const at = (m: ArrayLike<number | null>[] | Float64Array, i: number, j: number): number => {
  if (m instanceof Float64Array) throw new Error('tests use nested matrices');
  return must(m[i], 'm[i]')[j] ?? Infinity;
};

/** Cost of one route, or null if it breaks a constraint. Written independently of the solver. */
function evaluateRoute(problem: VrptwProblem, v: number, seq: number[], objective: Objective): number | null {
  const veh = must(problem.vehicles[v], 'problem.vehicles[v]');
  const mats = must(problem.matrices[veh.profile ?? veh.type], 'problem.matrices[veh.profile ?? veh.type]');
  const costM = objective === 'distance' ? mats.distances : mats.durations;
  let time = veh.shift[0];
  let prev = 0;
  let load = 0;
  let dist = 0;
  let cost = veh.fixedCost ?? 0;
  for (const s of [...seq, -1]) {
    const node = s < 0 ? 0 : must(problem.stops[s], 'problem.stops[s]').matrixIndex;
    time += at(mats.durations, prev, node);
    dist += at(mats.distances, prev, node);
    cost += at(costM, prev, node);
    prev = node;
    if (s < 0) break;
    const stop = must(problem.stops[s], 'problem.stops[s]');
    if (stop.allowedVehicleTypes && !stop.allowedVehicleTypes.includes(veh.type)) return null;
    if (stop.timeWindows.length > 0) {
      const w = [...stop.timeWindows].sort((a, b) => a[0] - b[0]).find((x) => time <= x[1]);
      if (!w) return null;
      time = Math.max(time, w[0]);
    }
    time += stop.serviceTime;
    load += stop.demand;
  }
  if (time > veh.shift[1] || load > veh.capacity || dist > (veh.maxDistance ?? Infinity)) return null;
  return cost;
}

/** Enumerates every pair of disjoint ordered routes (two vehicles); leftovers are unassigned. */
function bruteForce(problem: VrptwProblem, objective: Objective): { unassigned: number; cost: number } {
  const n = problem.stops.length;
  let best = { unassigned: Infinity, cost: Infinity };
  const used = new Array<boolean>(n).fill(false);
  const routes: number[][] = [[], []];
  const routeCosts = [0, 0];
  const extend = (v: number, served: number): void => {
    const c = evaluateRoute(problem, v, must(routes[v], 'routes[v]'), objective);
    if (c === null) return; // an infeasible prefix stays infeasible when extended
    routeCosts[v] = must(routes[v], 'routes[v]').length > 0 ? c : 0;
    if (v === 0) extend(1, served);
    else {
      const unassigned = n - served;
      const cost = must(routeCosts[0], 'routeCosts[0]') + must(routeCosts[1], 'routeCosts[1]');
      if (unassigned < best.unassigned || (unassigned === best.unassigned && cost < best.cost - 1e-9)) best = { unassigned, cost };
    }
    for (let s = 0; s < n; s++) {
      if (used[s]) continue;
      used[s] = true;
      must(routes[v], 'routes[v]').push(s);
      extend(v, served + 1);
      must(routes[v], 'routes[v]').pop();
      used[s] = false;
    }
  };
  extend(0, 0);
  return best;
}

describe('solver against brute force on tiny instances', () => {
  // A prefix that is feasible can become infeasible only through the return leg, so the
  // enumeration prunes exactly; the instance mix covers split windows, zones, range and capacity.
  const cases = Array.from({ length: 14 }, (_, i) => ({ seed: 100 + i, n: 5 + (i % 3) }));
  it.each(cases)('finds the optimum of random instance seed $seed with $n stops and 2 vehicles', async ({ seed, n }) => {
    const problem = makeRandomProblem(seed, n, 2);
    const objective: Objective = seed % 2 === 0 ? 'duration' : 'distance';
    const optimum = bruteForce(problem, objective);
    const solution = await solveVrptw(problem, { seed: 7, maxIterations: 2000, objective });
    const check = checkSolution(problem, solution, objective);
    expect(check.violations).toEqual([]);
    expect(solution.unassigned.length).toBe(optimum.unassigned);
    expect(check.cost).toBeCloseTo(optimum.cost, 6);
    expect(solution.cost).toBeCloseTo(check.cost, 6);
  });
});
