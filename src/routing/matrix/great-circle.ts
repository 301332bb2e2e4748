/**
 * Offline matrix provider: great-circle (haversine) distance × a per-profile detour factor, divided
 * by the profile's average speed. Good enough to plan without a road network; swap in the OSRM
 * provider for street-accurate figures.
 */
import type { LngLat, MatrixSet } from '../model.js';
import type { MatrixProvider } from './provider.js';

export interface ProfileSpeed {
  /** Average door-to-door speed in metres per second. */
  speedMps: number;
  /** Road distance / straight-line distance. */
  detourFactor: number;
}

/** City averages: cargo bikes ~15 km/h, e-cars ~24 km/h including lights and parking. */
export const DEFAULT_PROFILE_SPEEDS: Readonly<Record<string, ProfileSpeed>> = {
  bike: { speedMps: 15 / 3.6, detourFactor: 1.25 },
  ecar: { speedMps: 24 / 3.6, detourFactor: 1.4 },
};

/** Mean Earth radius in metres, the value turf uses, so results agree with `@turf/distance`. */
const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

export function computeHaversineMetres(a: LngLat, b: LngLat): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLng = (b[0] - a[0]) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.atan2(Math.sqrt(s), Math.sqrt(1 - s));
}

export function createGreatCircleProvider(speeds: Readonly<Record<string, ProfileSpeed>> = DEFAULT_PROFILE_SPEEDS): MatrixProvider {
  return async ({ locations, profiles }) => {
    const n = locations.length;
    const base = new Float64Array(n * n);
    locations.forEach((a, i) => {
      locations.forEach((b, j) => {
        if (j <= i) return;
        const d = computeHaversineMetres(a, b);
        base[i * n + j] = d;
        base[j * n + i] = d;
      });
    });
    const out: MatrixSet = {};
    for (const profile of profiles) {
      const speed = speeds[profile];
      if (!speed) throw new Error(`great-circle provider: no speed configured for profile "${profile}"`);
      if (!(speed.speedMps > 0) || !(speed.detourFactor >= 1)) {
        throw new Error(`great-circle provider: invalid speed/detour for profile "${profile}"`);
      }
      const distances = base.map((d) => d * speed.detourFactor);
      const durations = distances.map((d) => d / speed.speedMps);
      out[profile] = { durations, distances };
    }
    return out;
  };
}
