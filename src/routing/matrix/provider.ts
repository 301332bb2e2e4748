import type { LngLat, MatrixSet } from '../model.js';

export interface MatrixRequest {
  /** Row/column i of every returned matrix is `locations[i]`. */
  locations: readonly LngLat[];
  /** Routing profiles to compute (vehicle `profile ?? type`). */
  profiles: readonly string[];
  signal?: AbortSignal;
}

/** Produces duration (s) and distance (m) matrices per profile for a list of locations. */
export type MatrixProvider = (request: MatrixRequest) => Promise<MatrixSet>;
