/**
 * How the planning service reaches the route solver. The worker hands it a function that runs the
 * solve in a worker thread; tests and a single-process setup may run it in process. Everything
 * crossing this boundary is plain data, so it can be posted to a thread.
 */
import {
  checkSolution,
  createGreatCircleProvider,
  createOsrmProvider,
  planDeliveries,
  type DeliveryRequest,
  type MatrixProvider,
  type Objective,
  type SolveProgress,
  type VrptwSolution,
} from '../routing/index.ts';

export type MatrixChoice = { kind: 'great_circle' } | { kind: 'osrm'; baseUrl: string };

export interface SolveInput {
  request: DeliveryRequest;
  seed: number;
  timeLimitMs: number;
  /** Iterations per stop for days of up to 100 stops; 0 uses the whole time budget. */
  iterationsPerStop: number;
  objective: Objective;
  matrix: MatrixChoice;
}

export type SolveDeliveries = (
  input: SolveInput,
  hooks: { onProgress?: (progress: SolveProgress) => void; signal?: AbortSignal },
) => Promise<VrptwSolution>;

export function createMatrixProvider(choice: MatrixChoice): MatrixProvider {
  return choice.kind === 'osrm' ? createOsrmProvider({ baseUrl: choice.baseUrl }) : createGreatCircleProvider();
}

/**
 * Runs the solve on the caller's thread (the worker thread's body; elsewhere only for tests and
 * tools, as it competes with the event loop).
 */
export const solveInProcess: SolveDeliveries = async (input, hooks) => {
  const { problem, solution } = await planDeliveries(input.request, {
    seed: input.seed,
    timeLimitMs: input.timeLimitMs,
    ...iterationBudget(input.request.stops.length, input.iterationsPerStop),
    objective: input.objective,
    matrixProvider: createMatrixProvider(input.matrix),
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  // Routes go to couriers and times to citizens: an infeasible plan (a solver bug) must fail the
  // job rather than become a draft. The checker shares no code with the solver.
  const check = checkSolution(problem, solution, input.objective);
  if (!check.feasible) {
    throw new Error(
      `The route solver returned an infeasible plan: ${check.violations
        .slice(0, 3)
        .map((v) => v.message)
        .join('; ')}`,
    );
  }
  return solution;
};

/**
 * A small day (a handful of stops) is solved to the end in a fraction of a second; searching on
 * for the whole time budget would only keep the office waiting. Up to 100 stops the search gets
 * an iteration budget (which also makes the plan reproducible); the time limit still caps it on a
 * slow machine. Larger days use the whole time budget.
 */
export function iterationBudget(stops: number, perStop: number): { maxIterations?: number } {
  return perStop > 0 && stops <= 100 ? { maxIterations: Math.max(50_000, stops * perStop) } : {};
}
