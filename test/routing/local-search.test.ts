import { describe, expect, it } from 'vitest';
import { checkSolution } from '../../src/routing/index.js';
import { compileInstance } from '../../src/routing/solver/instance.js';
import { LocalSearch } from '../../src/routing/solver/local-search.js';
import { createRng } from '../../src/routing/solver/prng.js';
import { DEFAULT_SISR_PARAMS, Sisr } from '../../src/routing/solver/sisr.js';
import type { VrptwProblem } from '../../src/routing/index.js';
import { makePlanarProblem, makeRandomProblem, vehicle } from './helpers.js';
import { must } from '../helpers/must.ts';

function routesOf(problem: VrptwProblem, search: Sisr): { vehicleId: string; stops: { stopId: string }[] }[] {
  const st = search.state;
  return problem.vehicles.map((v, r) => ({
    vehicleId: v.id,
    stops: Array.from(must(st.seq[r], 'st.seq[r]').subarray(0, must(st.len[r], 'st.len[r]')), (node) => ({
      stopId: must(problem.stops[node - 1], 'problem.stops[node - 1]').id,
    })),
  }));
}

describe('local search', () => {
  it('untangles a crossing route with intra-route 2-opt', () => {
    // A square visited in crossing order 1-3-2-4 (a "bow tie"); 2-opt gives the perimeter.
    const problem = makePlanarProblem({
      depot: [0, 0],
      stops: [
        { x: 10, y: 0 },
        { x: 10, y: 10 },
        { x: 0, y: 10 },
        { x: 0, y: 5 },
      ],
      vehicles: [vehicle('v', 'bike')],
    });
    const inst = compileInstance(problem, 'distance');
    const search = new Sisr(inst, createRng(1), { ...DEFAULT_SISR_PARAMS, localSearch: false });
    search.state.setRoute(0, [1, 3, 2, 4], 4);
    const before = checkSolution(problem, { routes: routesOf(problem, search), unassigned: [] }, 'distance');
    const applied = new LocalSearch(inst, search.state, 20, true).run();
    const after = checkSolution(problem, { routes: routesOf(problem, search), unassigned: [] }, 'distance');
    expect(applied).toBeGreaterThan(0);
    expect(after.violations).toEqual([]);
    expect(after.cost).toBeCloseTo(10 + 10 + 10 + 5 + 5, 9);
    expect(after.cost).toBeLessThan(before.cost);
  });

  it('never breaks feasibility and never increases cost on random problems', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const problem = makeRandomProblem(seed, 20, 4);
      const inst = compileInstance(problem, 'duration');
      const search = new Sisr(inst, createRng(seed), { ...DEFAULT_SISR_PARAMS, localSearch: false });
      search.construct();
      const unassigned = Array.from(search.absent.subarray(0, search.absentCount), (n) => ({
        stopId: must(problem.stops[n - 1], 'problem.stops[n - 1]').id,
      }));
      const before = checkSolution(problem, { routes: routesOf(problem, search), unassigned }, 'duration');
      new LocalSearch(inst, search.state, 20, seed % 2 === 0).run();
      const after = checkSolution(problem, { routes: routesOf(problem, search), unassigned }, 'duration');
      expect(before.violations).toEqual([]);
      expect(after.violations).toEqual([]);
      expect(after.cost).toBeLessThanOrEqual(before.cost + 1e-9);
      expect(search.state.resumCost()).toBeCloseTo(after.cost, 6);
    }
  });
});
