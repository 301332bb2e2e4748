/**
 * Public entry of the solver: compiles the problem, runs construction + SISR within the budget,
 * and turns the best internal solution back into ids and schedules.
 */
import type {
  Objective,
  PlannedRoute,
  SolveOptions,
  SolveStats,
  UnassignedReason,
  UnassignedStop,
  VrptwProblem,
  VrptwSolution,
} from '../model.js';
import { compileInstance, UNREACHABLE, type CompiledInstance } from './instance.js';
import { createRng } from './prng.js';
import { DEFAULT_SISR_PARAMS, GRANULAR_INSERTION_THRESHOLD, Sisr, type SisrParams } from './sisr.js';

export interface InternalSolveOptions extends SolveOptions {
  /** Overrides for tuning experiments. */
  sisr?: Partial<SisrParams>;
}

const DEFAULT_TIME_LIMIT_MS = 5000;
/** Returning control to the event loop this often lets an AbortSignal fire during the search. */
const YIELD_EVERY_MS = 50;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function solveVrptw(problem: VrptwProblem, options: InternalSolveOptions = {}): Promise<VrptwSolution> {
  const started = performance.now();
  const objective: Objective = options.objective ?? 'duration';
  const seed = options.seed ?? 1;
  const maxIterations = options.maxIterations ?? Infinity;
  const timeLimitMs = options.timeLimitMs ?? (options.maxIterations === undefined ? DEFAULT_TIME_LIMIT_MS : Infinity);
  const progressEvery = options.progressIntervalMs ?? 250;
  const signal = options.signal;

  const inst = compileInstance(problem, objective);
  const rng = createRng(seed);
  const search = new Sisr(inst, rng, {
    ...DEFAULT_SISR_PARAMS,
    candidateNeighbours: inst.n > GRANULAR_INSERTION_THRESHOLD ? 40 : 0,
    ...options.sisr,
  });
  search.construct();

  const elapsed = (): number => performance.now() - started;
  // Temperatures are relative to the mean arc cost of the first solution, so the same
  // parameters fit Solomon units and seconds/metres alike.
  // Fixed costs are excluded: they would inflate the temperature of fleets with expensive vehicles.
  const arcs = inst.n + countRoutes(search);
  const travelCost = search.bestCost - sumFixedCosts(search);
  const meanArc = arcs > 0 && travelCost > 0 ? travelCost / arcs : 1;
  const t0 = search.params.startTemperature * meanArc;
  const tf = search.params.finalTemperature * meanArc;

  let iterations = 0;
  let bestIteration = 0;
  let stoppedBy: SolveStats['stoppedBy'] = Number.isFinite(maxIterations) ? 'iteration_limit' : 'time_limit';
  let lastProgress = 0;
  let lastYield = elapsed();
  const report = (): void => {
    options.onProgress?.({
      elapsedMs: elapsed(),
      bestCost: search.bestCost,
      iterations,
      unassigned: search.bestAbsent,
    });
  };

  if (inst.n > 0 && inst.vehicleCount > 0) {
    for (;;) {
      if (signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (iterations >= maxIterations) {
        stoppedBy = 'iteration_limit';
        break;
      }
      const now = elapsed();
      if (now >= timeLimitMs) {
        stoppedBy = 'time_limit';
        break;
      }
      // The schedule follows whichever budget binds, so an iteration-limited run is deterministic.
      const fraction = Number.isFinite(maxIterations) ? iterations / maxIterations : now / timeLimitMs;
      const temperature = t0 * Math.pow(tf / t0, Math.min(1, fraction));
      // Checking the clock costs far less than one iteration, but batching keeps it negligible.
      for (let b = 0; b < 16 && iterations < maxIterations; b++) {
        if (search.iterate(temperature)) bestIteration = iterations;
        iterations++;
      }
      if (options.onProgress && now - lastProgress >= progressEvery) {
        lastProgress = now;
        report();
      }
      if (now - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = elapsed();
      }
    }
  }

  search.restoreBest();
  report();
  const solution = formatSolution(problem, inst, search, objective);
  solution.stats = { iterations, elapsedMs: elapsed(), bestIteration, seed, stoppedBy };
  return solution;
}

function sumFixedCosts(search: Sisr): number {
  let sum = 0;
  for (let r = 0; r < search.inst.vehicleCount; r++) if (search.bestLen[r]! > 0) sum += search.inst.vFixedCost[r]!;
  return sum;
}

function countRoutes(search: Sisr): number {
  let k = 0;
  for (let r = 0; r < search.inst.vehicleCount; r++) if (search.bestLen[r]! > 0) k++;
  return k;
}

function formatSolution(problem: VrptwProblem, inst: CompiledInstance, search: Sisr, objective: Objective): VrptwSolution {
  const st = search.state;
  const S = inst.size;
  const routes: PlannedRoute[] = [];
  let cost = 0;
  for (let r = 0; r < inst.vehicleCount; r++) {
    const len = st.len[r]!;
    if (len === 0) continue;
    const p = inst.vProfile[r]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    const seq = st.seq[r]!;
    // Leave the depot as late as possible without delaying the first service, so a courier
    // does not wait at the first door; all later times are unaffected.
    const first = seq[0]!;
    const start = Math.max(inst.vShiftStart[r]!, st.es[first]! - T[first]!);
    let t = start;
    let prev = 0;
    let travel = 0;
    let distance = 0;
    const stops = [];
    for (let i = 0; i < len; i++) {
      const node = seq[i]!;
      const arrival = t + T[prev * S + node]!;
      const serviceStart = st.es[node]!;
      const departure = serviceStart + inst.service[node]!;
      travel += T[prev * S + node]!;
      distance += D[prev * S + node]!;
      stops.push({ stopId: problem.stops[node - 1]!.id, arrival, serviceStart, departure });
      t = departure;
      prev = node;
    }
    travel += T[prev * S]!;
    distance += D[prev * S]!;
    const end = t + T[prev * S]!;
    routes.push({
      vehicleId: problem.vehicles[r]!.id,
      stops,
      start,
      end,
      distance,
      travelTime: travel,
      duration: end - start,
      load: st.load[r]!,
      cost: st.cost[r]!,
    });
    cost += st.cost[r]!;
  }
  const unassigned: UnassignedStop[] = [];
  for (let i = 0; i < search.absentCount; i++) {
    const node = search.absent[i]!;
    unassigned.push({ stopId: problem.stops[node - 1]!.id, reason: diagnoseUnassigned(inst, node) });
  }
  unassigned.sort((a, b) => (a.stopId < b.stopId ? -1 : a.stopId > b.stopId ? 1 : 0));
  return {
    routes,
    unassigned,
    cost,
    objective,
    stats: { iterations: 0, elapsedMs: 0, bestIteration: 0, seed: 0, stoppedBy: 'time_limit' },
  };
}

/** Explains why a stop was left out by testing it alone on each allowed vehicle. */
export function diagnoseUnassigned(inst: CompiledInstance, node: number): UnassignedReason {
  const V = inst.vehicleCount;
  const S = inst.size;
  let anyAllowed = false;
  let anyCapacity = false;
  let anyReachable = false;
  let anyTime = false;
  for (let r = 0; r < V; r++) {
    if (!inst.allowed[node * V + r]) continue;
    anyAllowed = true;
    if (inst.demand[node]! > inst.vCapacity[r]!) continue;
    anyCapacity = true;
    const p = inst.vProfile[r]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    if (T[node]! >= UNREACHABLE || T[node * S]! >= UNREACHABLE || D[node]! >= UNREACHABLE || D[node * S]! >= UNREACHABLE) continue;
    anyReachable = true;
    const arr = inst.vShiftStart[r]! + T[node]!;
    let start = Infinity;
    for (let k = inst.twStart[node]!; k < inst.twStart[node + 1]!; k++) {
      if (arr <= inst.twClose[k]!) {
        start = Math.max(arr, inst.twOpen[k]!);
        break;
      }
    }
    if (start + inst.service[node]! + T[node * S]! > inst.vShiftEnd[r]!) continue;
    anyTime = true;
    if (D[node]! + D[node * S]! <= inst.vMaxDistance[r]!) return 'no_capacity_left';
  }
  if (!anyAllowed) return 'no_allowed_vehicle';
  if (!anyCapacity) return 'capacity_exceeded';
  if (!anyReachable) return 'unreachable';
  if (!anyTime) return 'time_window_unreachable';
  return 'max_distance_exceeded';
}
