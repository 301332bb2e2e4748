/**
 * Compiles a {@link VrptwProblem} into flat typed arrays indexed by internal node numbers
 * (0 = depot, 1..n = stops in input order), so the search never touches objects or strings.
 */
import type { MatrixInput, Objective, VrptwProblem } from '../model.js';

/** Stand-in for "unreachable": finite so that arithmetic never produces NaN, yet beyond any window. */
export const UNREACHABLE = 1e15;

export interface CompiledInstance {
  /** Number of stops; nodes are 0..n. */
  n: number;
  /** n + 1, the row length of every matrix. */
  size: number;
  vehicleCount: number;
  service: Float64Array;
  demand: Float64Array;
  /** Windows of node i are `twOpen/twClose[twStart[i] .. twStart[i+1])`, sorted and disjoint. */
  twStart: Int32Array;
  twOpen: Float64Array;
  twClose: Float64Array;
  vCapacity: Float64Array;
  vShiftStart: Float64Array;
  vShiftEnd: Float64Array;
  vMaxDistance: Float64Array;
  vFixedCost: Float64Array;
  vProfile: Int32Array;
  /** Vehicles with equal attributes share a class; only one empty vehicle per class is tried. */
  vClass: Int32Array;
  classCount: number;
  /** allowed[node * vehicleCount + v] = 1 if v may serve node. */
  allowed: Uint8Array;
  /** Per profile, flat size×size. `cost` aliases durations or distances depending on the objective. */
  time: Float64Array[];
  dist: Float64Array[];
  cost: Float64Array[];
  /** For each stop, the other stops sorted by closeness (averaged over profiles), capped length. */
  neighbours: Int32Array;
  neighbourCount: number;
}

function readMatrix(input: MatrixInput, order: Int32Array, label: string): Float64Array {
  const size = order.length;
  const out = new Float64Array(size * size);
  if (input instanceof Float64Array) {
    const m = Math.round(Math.sqrt(input.length));
    if (m * m !== input.length) throw new Error(`${label}: flat matrix length ${input.length} is not a square`);
    for (let i = 0; i < size; i++) {
      const oi = order[i]!;
      if (oi >= m) throw new Error(`${label}: matrix index ${oi} out of range (size ${m})`);
      for (let j = 0; j < size; j++) {
        const v = input[oi * m + order[j]!]!;
        out[i * size + j] = Number.isFinite(v) ? v : UNREACHABLE;
      }
    }
    return out;
  }
  for (let i = 0; i < size; i++) {
    const row = input[order[i]!];
    if (!row) throw new Error(`${label}: matrix has no row ${order[i]}`);
    for (let j = 0; j < size; j++) {
      const v = row[order[j]!];
      if (v === undefined) throw new Error(`${label}: matrix row ${order[i]} has no column ${order[j]}`);
      out[i * size + j] = v !== null && Number.isFinite(v) ? v : UNREACHABLE;
    }
  }
  return out;
}

/** Sorts and merges windows so the feasibility helpers can stop at the first match. */
function normaliseWindows(windows: readonly (readonly [number, number])[]): [number, number][] {
  if (windows.length === 0) return [[-Infinity, Infinity]];
  const sorted = windows.filter((w) => w[0] <= w[1]).map((w) => [w[0], w[1]] as [number, number]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of sorted) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push(w);
  }
  return merged;
}

export function compileInstance(problem: VrptwProblem, objective: Objective): CompiledInstance {
  const { stops, vehicles, depot } = problem;
  const n = stops.length;
  const size = n + 1;
  const V = vehicles.length;
  const ids = new Set<string>();
  for (const s of stops) {
    if (ids.has(s.id)) throw new Error(`duplicate stop id ${s.id}`);
    ids.add(s.id);
  }
  const order = new Int32Array(size);
  order[0] = depot.matrixIndex;
  for (let i = 0; i < n; i++) order[i + 1] = stops[i]!.matrixIndex;

  const profileNames: string[] = [];
  const vProfile = new Int32Array(V);
  vehicles.forEach((v, k) => {
    const p = v.profile ?? v.type;
    if (!problem.matrices[p]) throw new Error(`no matrices for profile "${p}" of vehicle ${v.id}`);
    let idx = profileNames.indexOf(p);
    if (idx < 0) idx = profileNames.push(p) - 1;
    vProfile[k] = idx;
  });
  const time: Float64Array[] = [];
  const dist: Float64Array[] = [];
  for (const p of profileNames) {
    const m = problem.matrices[p]!;
    const t = readMatrix(m.durations, order, `${p}.durations`);
    const d = readMatrix(m.distances, order, `${p}.distances`);
    // An arc missing from either matrix is missing: the time check then always rejects it
    // (a finite duration with an unknown distance must not slip past an unlimited range).
    for (let k = 0; k < t.length; k++) {
      if (t[k]! >= UNREACHABLE || d[k]! >= UNREACHABLE) {
        t[k] = UNREACHABLE;
        d[k] = UNREACHABLE;
      }
    }
    time.push(t);
    dist.push(d);
  }
  const cost = objective === 'distance' ? dist : time;

  const service = new Float64Array(size);
  const demand = new Float64Array(size);
  const twStart = new Int32Array(size + 1);
  const opens: number[] = [];
  const closes: number[] = [];
  const depotWindow = depot.timeWindow ?? [-Infinity, Infinity];
  twStart[0] = 0;
  opens.push(depotWindow[0]);
  closes.push(depotWindow[1]);
  for (let i = 0; i < n; i++) {
    const s = stops[i]!;
    service[i + 1] = s.serviceTime;
    demand[i + 1] = s.demand;
    twStart[i + 1] = opens.length;
    for (const w of normaliseWindows(s.timeWindows)) {
      opens.push(w[0]);
      closes.push(w[1]);
    }
  }
  twStart[size] = opens.length;

  const vCapacity = new Float64Array(V);
  const vShiftStart = new Float64Array(V);
  const vShiftEnd = new Float64Array(V);
  const vMaxDistance = new Float64Array(V);
  const vFixedCost = new Float64Array(V);
  const vClass = new Int32Array(V);
  const classKeys = new Map<string, number>();
  vehicles.forEach((v, k) => {
    vCapacity[k] = v.capacity;
    vShiftStart[k] = Math.max(v.shift[0], depotWindow[0]);
    vShiftEnd[k] = Math.min(v.shift[1], depotWindow[1]);
    vMaxDistance[k] = v.maxDistance ?? Infinity;
    vFixedCost[k] = v.fixedCost ?? 0;
    const key = [v.type, vProfile[k], v.capacity, vShiftStart[k], vShiftEnd[k], vMaxDistance[k], vFixedCost[k]].join('|');
    let c = classKeys.get(key);
    if (c === undefined) {
      c = classKeys.size;
      classKeys.set(key, c);
    }
    vClass[k] = c;
  });

  const allowed = new Uint8Array(size * V);
  for (let i = 0; i < n; i++) {
    const types = stops[i]!.allowedVehicleTypes;
    for (let k = 0; k < V; k++) {
      allowed[(i + 1) * V + k] = !types || types.includes(vehicles[k]!.type) ? 1 : 0;
    }
  }

  // Neighbour lists drive the string removals; closeness is averaged over the profiles in use.
  const neighbourCount = Math.min(Math.max(n - 1, 0), 100);
  const neighbours = new Int32Array(size * neighbourCount);
  const others = new Int32Array(Math.max(n - 1, 0));
  const keyOf = new Float64Array(size);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) {
      let sum = 0;
      for (const c of cost) sum += Math.min(c[i * size + j]!, c[j * size + i]!);
      keyOf[j] = sum;
    }
    let m = 0;
    for (let j = 1; j <= n; j++) if (j !== i) others[m++] = j;
    const sorted = Array.from(others).sort((a, b) => keyOf[a]! - keyOf[b]! || a - b);
    for (let k = 0; k < neighbourCount; k++) neighbours[i * neighbourCount + k] = sorted[k]!;
  }

  return {
    n,
    size,
    vehicleCount: V,
    service,
    demand,
    twStart,
    twOpen: Float64Array.from(opens),
    twClose: Float64Array.from(closes),
    vCapacity,
    vShiftStart,
    vShiftEnd,
    vMaxDistance,
    vFixedCost,
    vProfile,
    vClass,
    classCount: classKeys.size,
    allowed,
    time,
    dist,
    cost,
    neighbours,
    neighbourCount,
  };
}
