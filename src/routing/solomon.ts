/**
 * Reader for the Solomon VRPTW text format (CRLF or LF) and conversion into a {@link VrptwProblem}
 * with the conventions of the published distance-only results: double-precision Euclidean
 * distances, travel time = distance, the depot's due date as the end of every shift.
 */
import type { Stop, Vehicle, VrptwProblem } from './model.js';

export interface SolomonCustomer {
  id: number;
  x: number;
  y: number;
  demand: number;
  ready: number;
  due: number;
  service: number;
}

export interface SolomonInstance {
  name: string;
  vehicleCount: number;
  capacity: number;
  /** Row 0 is the depot. */
  nodes: SolomonCustomer[];
}

export function parseSolomon(text: string): SolomonInstance {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const name = lines.find((l) => l.length > 0);
  if (!name) throw new Error('Solomon: empty file');
  const vIdx = lines.findIndex((l) => /^VEHICLE\b/i.test(l));
  const cIdx = lines.findIndex((l) => /^CUSTOMER\b/i.test(l));
  if (vIdx < 0 || cIdx < 0) throw new Error('Solomon: missing VEHICLE or CUSTOMER section');
  const numericRow = (l: string): number[] | null => {
    if (!/^[-+\d.\s]+$/.test(l) || l.length === 0) return null;
    return l.split(/\s+/).map(Number);
  };
  let vehicleCount = NaN;
  let capacity = NaN;
  for (const line of lines.slice(vIdx + 1, cIdx)) {
    const [count, cap] = numericRow(line) ?? [];
    if (count !== undefined && cap !== undefined) {
      vehicleCount = count;
      capacity = cap;
      break;
    }
  }
  if (!Number.isFinite(vehicleCount) || !Number.isFinite(capacity)) {
    throw new Error('Solomon: VEHICLE section has no NUMBER/CAPACITY row');
  }
  const nodes: SolomonCustomer[] = [];
  for (const [i, line] of lines.entries()) {
    if (i <= cIdx) continue;
    const row = numericRow(line);
    if (!row) continue;
    if (row.length < 7 || row.some((v) => !Number.isFinite(v))) {
      throw new Error(`Solomon: malformed customer row ${i + 1}: "${line}"`);
    }
    const [id, x, y, demand, ready, due, service] = row as [number, number, number, number, number, number, number];
    nodes.push({ id, x, y, demand, ready, due, service });
  }
  if (nodes[0]?.id !== 0) throw new Error('Solomon: first customer row must be the depot (0)');
  return { name, vehicleCount, capacity, nodes };
}

/** Profile key used for the Euclidean matrices of Solomon problems. */
export const SOLOMON_PROFILE = 'euclid';

export function buildSolomonProblem(inst: SolomonInstance): VrptwProblem {
  const { nodes } = inst;
  const m = nodes.length;
  const matrix = new Float64Array(m * m);
  nodes.forEach((a, i) => {
    nodes.forEach((b, j) => {
      matrix[i * m + j] = Math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2);
    });
  });
  const [depot] = nodes;
  if (!depot) throw new Error('Solomon: the instance has no depot');
  const vehicles: Vehicle[] = Array.from({ length: inst.vehicleCount }, (_, k) => ({
    id: `v${k + 1}`,
    type: SOLOMON_PROFILE,
    capacity: inst.capacity,
    shift: [depot.ready, depot.due] as const,
  }));
  const stops: Stop[] = nodes.slice(1).map((c, i) => ({
    id: String(c.id),
    matrixIndex: i + 1,
    serviceTime: c.service,
    demand: c.demand,
    timeWindows: [[c.ready, c.due] as const],
  }));
  return {
    depot: { matrixIndex: 0, timeWindow: [depot.ready, depot.due] },
    vehicles,
    stops,
    matrices: { [SOLOMON_PROFILE]: { durations: matrix, distances: matrix } },
  };
}
