/**
 * Convenience entry for real data: locations in, matrices from a provider, then the solver.
 * The matrix step is the only asynchronous I/O; `solveVrptw` itself is pure.
 */
import type { Depot, LngLat, Stop, TimeWindow, Vehicle, VrptwProblem, VrptwSolution } from './model.js';
import { createGreatCircleProvider } from './matrix/great-circle.js';
import type { MatrixProvider } from './matrix/provider.js';
import { solveVrptw, type InternalSolveOptions } from './solver/solve.js';

export interface DeliveryRequest {
  depot: { location: LngLat; timeWindow?: TimeWindow };
  vehicles: readonly Vehicle[];
  stops: readonly (Omit<Stop, 'matrixIndex' | 'location'> & { location: LngLat })[];
}

export interface PlanOptions extends InternalSolveOptions {
  /** Default: great-circle distances with the default bike/e-car speeds. */
  matrixProvider?: MatrixProvider;
}

/** Builds the matrix-indexed problem: index 0 is the depot, stop i is index i + 1. */
export async function buildProblem(request: DeliveryRequest, provider: MatrixProvider, signal?: AbortSignal): Promise<VrptwProblem> {
  const locations: LngLat[] = [request.depot.location, ...request.stops.map((s) => s.location)];
  const profiles = [...new Set(request.vehicles.map((v) => v.profile ?? v.type))];
  const matrices = await provider({ locations, profiles, ...(signal ? { signal } : {}) });
  const depot: Depot = { matrixIndex: 0, location: request.depot.location };
  if (request.depot.timeWindow) depot.timeWindow = request.depot.timeWindow;
  return {
    depot,
    vehicles: request.vehicles,
    stops: request.stops.map((s, i) => ({ ...s, matrixIndex: i + 1 })),
    matrices,
  };
}

export async function planDeliveries(
  request: DeliveryRequest,
  options: PlanOptions = {},
): Promise<{ problem: VrptwProblem; solution: VrptwSolution }> {
  const { matrixProvider = createGreatCircleProvider(), ...solveOptions } = options;
  const problem = await buildProblem(request, matrixProvider, options.signal);
  const solution = await solveVrptw(problem, solveOptions);
  return { problem, solution };
}
