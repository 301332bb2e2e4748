/**
 * Independent feasibility checker. It recomputes every schedule from the problem and the route
 * lists only (stop ids in order per vehicle) and never trusts times, loads or costs reported by
 * the solver; it shares no code with the solver so a bug there cannot hide a bug here.
 */
import type { MatrixInput, Objective, VrptwProblem } from './model.js';

/**
 * Times are compared with this slack: solver and checker may sum the same doubles in a
 * different order (e.g. latest-arrival propagation backwards), which differs by a few ulps.
 */
const EPS = 1e-6;

export type ViolationCode =
  | 'unknown_vehicle'
  | 'vehicle_used_twice'
  | 'unknown_stop'
  | 'stop_served_twice'
  | 'stop_missing'
  | 'unassigned_but_served'
  | 'vehicle_type_not_allowed'
  | 'time_window'
  | 'shift_end'
  | 'capacity'
  | 'max_distance'
  | 'unreachable';

export interface Violation {
  code: ViolationCode;
  message: string;
  vehicleId?: string;
  stopId?: string;
}

export interface SolutionToCheck {
  routes: readonly { vehicleId: string; stops: readonly { stopId: string }[] }[];
  unassigned: readonly { stopId: string }[];
}

export interface CheckResult {
  feasible: boolean;
  violations: Violation[];
  /** Objective value recomputed from the routes (travel cost + fixed costs). */
  cost: number;
  distance: number;
  travelTime: number;
  routeCount: number;
}

function readCell(m: MatrixInput, i: number, j: number): number {
  let v: number | null | undefined;
  if (m instanceof Float64Array) {
    const n = Math.round(Math.sqrt(m.length));
    v = m[i * n + j];
  } else {
    v = m[i]?.[j];
  }
  return v === null || v === undefined || !Number.isFinite(v) ? Infinity : v;
}

export function checkSolution(problem: VrptwProblem, solution: SolutionToCheck, objective: Objective = 'duration'): CheckResult {
  const violations: Violation[] = [];
  const stopById = new Map(problem.stops.map((s) => [s.id, s]));
  const vehicleById = new Map(problem.vehicles.map((v) => [v.id, v]));
  const served = new Set<string>();
  const usedVehicles = new Set<string>();
  const depot = problem.depot;
  const depotOpen = depot.timeWindow?.[0] ?? -Infinity;
  const depotClose = depot.timeWindow?.[1] ?? Infinity;
  let cost = 0;
  let totalDistance = 0;
  let totalTravel = 0;
  let routeCount = 0;

  for (const route of solution.routes) {
    const vehicle = vehicleById.get(route.vehicleId);
    if (!vehicle) {
      violations.push({ code: 'unknown_vehicle', message: `vehicle ${route.vehicleId} does not exist`, vehicleId: route.vehicleId });
      continue;
    }
    if (route.stops.length === 0) continue;
    if (usedVehicles.has(vehicle.id)) {
      violations.push({ code: 'vehicle_used_twice', message: `vehicle ${vehicle.id} has two routes`, vehicleId: vehicle.id });
    }
    usedVehicles.add(vehicle.id);
    routeCount++;
    const matrices = problem.matrices[vehicle.profile ?? vehicle.type];
    if (!matrices) throw new Error(`checker: no matrices for vehicle ${vehicle.id}`);
    const travelCost = objective === 'distance' ? matrices.distances : matrices.durations;
    let time = Math.max(vehicle.shift[0], depotOpen);
    let prev = depot.matrixIndex;
    let load = 0;
    let distance = 0;
    let travel = 0;
    let routeCost = vehicle.fixedCost ?? 0;
    const legs = [...route.stops.map((s) => s.stopId), null];
    for (const stopId of legs) {
      const stop = stopId === null ? null : stopById.get(stopId);
      if (stopId !== null && !stop) {
        violations.push({ code: 'unknown_stop', message: `stop ${stopId} does not exist`, vehicleId: vehicle.id, stopId });
        continue;
      }
      const to = stop ? stop.matrixIndex : depot.matrixIndex;
      const t = readCell(matrices.durations, prev, to);
      const d = readCell(matrices.distances, prev, to);
      if (t === Infinity || d === Infinity) {
        violations.push({ code: 'unreachable', message: `no path ${prev}→${to} for ${vehicle.id}`, vehicleId: vehicle.id });
      }
      time += t;
      travel += t;
      distance += d;
      routeCost += readCell(travelCost, prev, to);
      prev = to;
      if (!stop) break;
      if (served.has(stop.id)) {
        violations.push({
          code: 'stop_served_twice',
          message: `stop ${stop.id} served more than once`,
          vehicleId: vehicle.id,
          stopId: stop.id,
        });
      }
      served.add(stop.id);
      if (stop.allowedVehicleTypes && !stop.allowedVehicleTypes.includes(vehicle.type)) {
        violations.push({
          code: 'vehicle_type_not_allowed',
          message: `stop ${stop.id} does not allow type ${vehicle.type}`,
          vehicleId: vehicle.id,
          stopId: stop.id,
        });
      }
      const windows = stop.timeWindows.length > 0 ? [...stop.timeWindows].sort((a, b) => a[0] - b[0]) : [[-Infinity, Infinity] as const];
      const window = windows.find((w) => time <= w[1] + EPS);
      if (!window) {
        violations.push({
          code: 'time_window',
          message: `stop ${stop.id} reached at ${time}, after its last window closes`,
          vehicleId: vehicle.id,
          stopId: stop.id,
        });
      } else {
        time = Math.max(time, window[0]);
      }
      time += stop.serviceTime;
      load += stop.demand;
    }
    const end = Math.min(vehicle.shift[1], depotClose);
    if (time > end + EPS) {
      violations.push({ code: 'shift_end', message: `${vehicle.id} returns at ${time} after ${end}`, vehicleId: vehicle.id });
    }
    if (load > vehicle.capacity + EPS) {
      violations.push({ code: 'capacity', message: `${vehicle.id} carries ${load} > ${vehicle.capacity}`, vehicleId: vehicle.id });
    }
    if (vehicle.maxDistance !== undefined && distance > vehicle.maxDistance + EPS) {
      violations.push({
        code: 'max_distance',
        message: `${vehicle.id} drives ${distance} > ${vehicle.maxDistance}`,
        vehicleId: vehicle.id,
      });
    }
    cost += routeCost;
    totalDistance += distance;
    totalTravel += travel;
  }

  const unassigned = new Set<string>();
  for (const u of solution.unassigned) {
    if (!stopById.has(u.stopId)) {
      violations.push({ code: 'unknown_stop', message: `unassigned stop ${u.stopId} does not exist`, stopId: u.stopId });
    }
    if (served.has(u.stopId)) {
      violations.push({ code: 'unassigned_but_served', message: `stop ${u.stopId} is served and reported unassigned`, stopId: u.stopId });
    }
    unassigned.add(u.stopId);
  }
  for (const s of problem.stops) {
    if (!served.has(s.id) && !unassigned.has(s.id)) {
      violations.push({ code: 'stop_missing', message: `stop ${s.id} neither served nor reported unassigned`, stopId: s.id });
    }
  }
  return { feasible: violations.length === 0, violations, cost, distance: totalDistance, travelTime: totalTravel, routeCount };
}
