/**
 * Problem and solution types of the route solver.
 *
 * Times are seconds (or any unit, as long as matrices, windows and service times agree), distances
 * are metres. The solver only sees matrix indices; `location` is carried for the matrix providers
 * and for callers that want to draw routes.
 */

/** WGS84 longitude/latitude, in that order (GeoJSON order). */
export type LngLat = readonly [lng: number, lat: number];

/** A closed interval `[open, close]` in which service may start. */
export type TimeWindow = readonly [open: number, close: number];

/**
 * A square matrix, either flat row-major (`m[i * n + j]`) or nested (`m[i][j]`).
 * `null` / non-finite entries mean "unreachable" (OSRM returns `null` for those).
 */
export type MatrixInput = Float64Array | ArrayLike<number | null>[];

/** Travel matrices of one routing profile (e.g. `bike`, `ecar`). */
export interface ProfileMatrices {
  durations: MatrixInput;
  distances: MatrixInput;
}

/** Matrices keyed by profile; every profile covers the same list of locations. */
export type MatrixSet = Record<string, ProfileMatrices>;

export interface Depot {
  /** Row/column of the depot in every matrix. */
  matrixIndex: number;
  location?: LngLat;
  /** Opening hours of the depot; intersected with each vehicle's shift. */
  timeWindow?: TimeWindow;
}

export interface Vehicle {
  id: string;
  /** Vehicle type, e.g. `'bike'` or `'ecar'`; matched against `Stop.allowedVehicleTypes`. */
  type: string;
  /** Matrix profile; defaults to `type`. */
  profile?: string;
  capacity: number;
  /** Shift `[start, end]`: leaves the depot at or after `start`, back at the depot by `end`. */
  shift: TimeWindow;
  /** Battery range / rider endurance in metres (distance matrix units). Unlimited if omitted. */
  maxDistance?: number;
  /** Cost added to the objective when the vehicle is used at all. */
  fixedCost?: number;
}

export interface Stop {
  id: string;
  matrixIndex: number;
  location?: LngLat;
  serviceTime: number;
  demand: number;
  /** Service must start inside one of these windows; an early vehicle waits. Empty = any time. */
  timeWindows: readonly TimeWindow[];
  /** Vehicle types that may serve this stop (zone restrictions). Omitted = every type. */
  allowedVehicleTypes?: readonly string[];
}

export interface VrptwProblem {
  depot: Depot;
  vehicles: readonly Vehicle[];
  stops: readonly Stop[];
  matrices: MatrixSet;
}

/** What the objective sums over the travelled arcs (plus fixed costs of used vehicles). */
export type Objective = 'duration' | 'distance';

export type UnassignedReason =
  /** No vehicle of an allowed type exists. */
  | 'no_allowed_vehicle'
  /** Demand exceeds the capacity of every allowed vehicle. */
  | 'capacity_exceeded'
  /** The matrices have no path between depot and stop (OSRM `null`) for any allowed vehicle. */
  | 'unreachable'
  /** Even a dedicated vehicle cannot reach the stop inside a window and return within its shift. */
  | 'time_window_unreachable'
  /** Even a dedicated vehicle would exceed its range on the round trip. */
  | 'max_distance_exceeded'
  /** The stop could be served alone, but the fleet is used up. */
  | 'no_capacity_left';

export interface ScheduledStop {
  stopId: string;
  arrival: number;
  serviceStart: number;
  departure: number;
}

export interface PlannedRoute {
  vehicleId: string;
  stops: ScheduledStop[];
  /**
   * Departure from the depot (the latest that keeps the first service start, never before the
   * shift start) and return to the depot.
   */
  start: number;
  end: number;
  distance: number;
  /** Travel time only (no waiting, no service). */
  travelTime: number;
  /** `end - start`: travel, waiting and service. */
  duration: number;
  load: number;
  /** Objective contribution of this route (travel cost + fixed cost). */
  cost: number;
}

export interface UnassignedStop {
  stopId: string;
  reason: UnassignedReason;
}

export interface SolveStats {
  iterations: number;
  elapsedMs: number;
  /** Iteration at which the returned solution was found. */
  bestIteration: number;
  seed: number;
  /** Why the search ended. */
  stoppedBy: 'time_limit' | 'iteration_limit' | 'signal';
}

export interface VrptwSolution {
  routes: PlannedRoute[];
  unassigned: UnassignedStop[];
  cost: number;
  objective: Objective;
  stats: SolveStats;
}

export interface SolveProgress {
  elapsedMs: number;
  bestCost: number;
  iterations: number;
  unassigned: number;
}

export interface SolveOptions {
  /** PRNG seed; same seed + same `maxIterations` ⇒ same result. Default 1. */
  seed?: number;
  /** Wall-clock budget in milliseconds. Default 5000 unless `maxIterations` is given. */
  timeLimitMs?: number;
  /** Iteration budget; with no time limit the result is fully deterministic. */
  maxIterations?: number;
  /** Cancels the search; the best solution so far is returned (not an error). */
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` (default 250 ms) and once at the end. */
  onProgress?: (progress: SolveProgress) => void;
  progressIntervalMs?: number;
  objective?: Objective;
}
