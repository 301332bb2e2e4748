/**
 * Scale benchmark: a deterministic synthetic city day in Stuttgart (1,000 stops, 50 vehicles,
 * mixed cargo bikes and e-cars, time windows incl. split windows, zone restrictions), planned with
 * the great-circle provider. Prints wall time and peak RSS; fails if ≥ 60 s or ≥ 1 GB.
 *
 *   npm run bench:city -- [--budget 30s] [--stops 1000] [--vehicles 50] [--seed 1]
 */
import { checkSolution, computeHaversineMetres, planDeliveries } from '../src/routing/index.js';
import type { DeliveryRequest, LngLat, TimeWindow, Vehicle } from '../src/routing/index.js';
import { createRng } from '../src/routing/solver/prng.js';

const CENTRE: LngLat = [9.1829, 48.7758];
const HOUR = 3600;

function readFlag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ? value : fallback;
}

function parseSeconds(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(s);
  if (!m) throw new Error(`invalid duration ${s}`);
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
}

/** A point in a ~15 km box around the centre, denser towards the middle like a real city. */
function generateCity(stopCount: number, vehicleCount: number, seed: number): DeliveryRequest {
  const rng = createRng(seed);
  const kmLat = 1 / 111.2;
  const kmLng = 1 / (111.2 * Math.cos((CENTRE[1] * Math.PI) / 180));
  const stops: DeliveryRequest['stops'][number][] = [];
  for (let i = 0; i < stopCount; i++) {
    const r = 7.5 * Math.sqrt(rng.next()) * (0.4 + 0.6 * rng.next());
    const a = rng.next() * 2 * Math.PI;
    const location: LngLat = [CENTRE[0] + r * Math.cos(a) * kmLng, CENTRE[1] + r * Math.sin(a) * kmLat];
    const fromCentre = computeHaversineMetres(CENTRE, location);
    // Car-free inner zone: bikes only. Far suburbs: beyond a comfortable bike radius, e-cars only.
    const allowedVehicleTypes = fromCentre < 1500 ? ['bike'] : fromCentre > 6000 ? ['ecar'] : undefined;
    const kind = rng.next();
    let timeWindows: TimeWindow[];
    if (kind < 0.2) timeWindows = [];
    else if (kind < 0.4) {
      // Citizen office opening hours with a lunch break.
      timeWindows = [
        [8 * HOUR, 12 * HOUR],
        [13.5 * HOUR, 16 * HOUR],
      ];
    } else {
      const open = (8 + Math.floor(rng.next() * 14) / 2) * HOUR;
      timeWindows = [[open, open + 2 * HOUR]];
    }
    stops.push({
      id: `s${String(i + 1).padStart(4, '0')}`,
      location,
      serviceTime: 120 + Math.floor(rng.next() * 180),
      demand: 1 + Math.floor(rng.next() * 3),
      timeWindows,
      ...(allowedVehicleTypes ? { allowedVehicleTypes } : {}),
    });
  }
  const vehicles: Vehicle[] = [];
  for (let k = 0; k < vehicleCount; k++) {
    const bike = k % 5 < 3;
    vehicles.push(
      bike
        ? { id: `bike-${k + 1}`, type: 'bike', capacity: 40, shift: [7.5 * HOUR, 17 * HOUR], maxDistance: 70_000 }
        : { id: `ecar-${k + 1}`, type: 'ecar', capacity: 120, shift: [7.5 * HOUR, 18 * HOUR], maxDistance: 160_000, fixedCost: 600 },
    );
  }
  return { depot: { location: CENTRE, timeWindow: [7 * HOUR, 19 * HOUR] }, vehicles, stops };
}

async function main(): Promise<void> {
  const budgetMs = parseSeconds(readFlag('budget', '30s'));
  const stopCount = Number(readFlag('stops', '1000'));
  const vehicleCount = Number(readFlag('vehicles', '50'));
  const seed = Number(readFlag('seed', '1'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const t0 = performance.now();
  const request = generateCity(stopCount, vehicleCount, seed);
  const { problem, solution } = await planDeliveries(request, {
    seed,
    timeLimitMs: budgetMs,
    objective: 'duration',
    onProgress: (p) =>
      console.log(
        `  ${(p.elapsedMs / 1000).toFixed(1).padStart(5)} s  cost ${p.bestCost.toFixed(0)}  unassigned ${p.unassigned}  iterations ${p.iterations}`,
      ),
    progressIntervalMs: 5000,
    // Solver tuning overrides as JSON (experiments only).
    sisr: JSON.parse(readFlag('params', '{}')) as Record<string, number>,
  });
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const check = checkSolution(problem, solution, 'duration');
  const byType = new Map<string, number>();
  for (const r of solution.routes) {
    const vehicle = problem.vehicles.find((v) => v.id === r.vehicleId);
    if (!vehicle) throw new Error(`Route on vehicle ${r.vehicleId}, which the problem does not have`);
    byType.set(vehicle.type, (byType.get(vehicle.type) ?? 0) + 1);
  }
  const reasons = new Map<string, number>();
  for (const u of solution.unassigned) reasons.set(u.reason, (reasons.get(u.reason) ?? 0) + 1);
  console.log(`stops ${stopCount}, vehicles ${vehicleCount}, budget ${budgetMs / 1000} s, seed ${seed}`);
  console.log(`routes ${solution.routes.length} (${[...byType].map(([t, c]) => `${t} ${c}`).join(', ')})`);
  console.log(`unassigned ${solution.unassigned.length} ${JSON.stringify(Object.fromEntries(reasons))}`);
  console.log(`cost ${solution.cost.toFixed(0)} (travel s + fixed); distance ${(check.distance / 1000).toFixed(1)} km`);
  console.log(`iterations ${solution.stats.iterations}`);
  console.log(`checker: ${check.feasible ? 'feasible' : `${check.violations.length} violations`}`);
  for (const v of check.violations.slice(0, 5)) console.log(`  ${v.code}: ${v.message}`);
  console.log(`wall time ${(wallMs / 1000).toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  const ok = check.feasible && wallMs < 60_000 && peakRss < 2 ** 30;
  console.log(ok ? 'OK (< 60 s, < 1 GiB, feasible)' : 'FAILED');
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
