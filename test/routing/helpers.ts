import type { Stop, TimeWindow, Vehicle, VrptwProblem, VrptwSolution } from '../../src/routing/index.js';
import { createRng } from '../../src/routing/solver/prng.js';

export interface PlanarStop {
  x: number;
  y: number;
  demand?: number;
  service?: number;
  windows?: TimeWindow[];
  types?: string[];
}

/**
 * A planar problem: node 0 is the depot at `depot`; each profile has Euclidean distances and
 * durations = distance / speed.
 */
export function makePlanarProblem(opts: {
  depot?: [number, number];
  stops: PlanarStop[];
  vehicles: Vehicle[];
  speeds?: Record<string, number>;
}): VrptwProblem {
  const pts: [number, number][] = [opts.depot ?? [0, 0], ...opts.stops.map((s) => [s.x, s.y] as [number, number])];
  const m = pts.length;
  const dist: number[][] = pts.map((a) => pts.map((b) => Math.hypot(a[0] - b[0], a[1] - b[1])));
  const profiles = new Set(opts.vehicles.map((v) => v.profile ?? v.type));
  const matrices: VrptwProblem['matrices'] = {};
  for (const p of profiles) {
    const speed = opts.speeds?.[p] ?? 1;
    matrices[p] = { distances: dist, durations: dist.map((row) => row.map((d) => d / speed)) };
  }
  void m;
  const stops: Stop[] = opts.stops.map((s, i) => ({
    id: `s${i + 1}`,
    matrixIndex: i + 1,
    serviceTime: s.service ?? 0,
    demand: s.demand ?? 1,
    timeWindows: s.windows ?? [],
    ...(s.types ? { allowedVehicleTypes: s.types } : {}),
  }));
  return { depot: { matrixIndex: 0 }, vehicles: opts.vehicles, stops, matrices };
}

export function vehicle(id: string, type: string, extra: Partial<Vehicle> = {}): Vehicle {
  return { id, type, capacity: 100, shift: [0, 1000], ...extra };
}

/** Random small problem with windows (some split), demands, two vehicle types and zones. */
export function makeRandomProblem(seed: number, n: number, vehicleCount: number): VrptwProblem {
  const rng = createRng(seed);
  const stops: PlanarStop[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.round(rng.next() * 100 - 50);
    const y = Math.round(rng.next() * 100 - 50);
    const kind = rng.next();
    let windows: TimeWindow[] = [];
    if (kind < 0.4) {
      const open = Math.round(rng.next() * 300);
      windows = [[open, open + 40 + Math.round(rng.next() * 100)]];
    } else if (kind < 0.7) {
      const a = Math.round(rng.next() * 150);
      const b = a + 100 + Math.round(rng.next() * 150);
      windows = [
        [a, a + 30],
        [b, b + 30],
      ];
    }
    const t = rng.next();
    stops.push({
      x,
      y,
      demand: 1 + Math.floor(rng.next() * 4),
      service: Math.round(rng.next() * 10),
      windows,
      ...(t < 0.2 ? { types: ['bike'] } : t < 0.35 ? { types: ['ecar'] } : {}),
    });
  }
  const vehicles: Vehicle[] = [];
  for (let k = 0; k < vehicleCount; k++) {
    const bike = k % 2 === 0;
    vehicles.push(
      vehicle(`v${k + 1}`, bike ? 'bike' : 'ecar', {
        capacity: bike ? 6 : 12,
        shift: [0, 400 + Math.round(rng.next() * 200)],
        maxDistance: bike ? 250 : 600,
        fixedCost: bike ? 0 : 5,
      }),
    );
  }
  return makePlanarProblem({ stops, vehicles, speeds: { bike: 1, ecar: 1.5 } });
}

export function routeIds(solution: VrptwSolution): Record<string, string[]> {
  return Object.fromEntries(solution.routes.map((r) => [r.vehicleId, r.stops.map((s) => s.stopId)]));
}
