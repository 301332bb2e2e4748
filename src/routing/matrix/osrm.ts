/**
 * Matrix provider backed by an OSRM `table` service. Large location lists are split into blocks
 * (OSRM rejects tables beyond its `--max-table-size`); unreachable pairs (`null`) become Infinity,
 * which the solver treats as "never drive this arc".
 */
import type { LngLat, MatrixSet } from '../model.js';
import type { MatrixProvider } from './provider.js';

export interface OsrmProviderOptions {
  /** e.g. `http://localhost:5000` (no trailing path). */
  baseUrl: string;
  /** Our profile key → OSRM profile segment in the URL; identity by default. */
  profileMap?: Readonly<Record<string, string>>;
  /** Per HTTP request. Default 15 s. */
  timeoutMs?: number;
  /** Coordinates per request (sources + destinations). Default 100, OSRM's default limit. */
  maxLocationsPerRequest?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

export class OsrmError extends Error {
  /** OSRM's `code` (e.g. `InvalidQuery`), or `Timeout`, `HttpError`, `NetworkError`, `BadResponse`. */
  readonly code: string;
  readonly status: number | undefined;
  constructor(code: string, message: string, status?: number) {
    super(`OSRM ${code}: ${message}`);
    this.name = 'OsrmError';
    this.code = code;
    this.status = status;
  }
}

interface OsrmTableResponse {
  code?: string;
  message?: string;
  durations?: (number | null)[][];
  distances?: (number | null)[][];
}

const formatCoordinate = (p: LngLat): string => `${p[0].toFixed(6)},${p[1].toFixed(6)}`;

export function createOsrmProvider(options: OsrmProviderOptions): MatrixProvider {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxLocations = Math.max(2, options.maxLocationsPerRequest ?? 100);
  const doFetch = options.fetch ?? fetch;

  async function requestBlock(
    profile: string,
    locations: readonly LngLat[],
    sources: number[],
    destinations: number[],
    signal: AbortSignal | undefined,
  ): Promise<{ durations: (number | null)[][]; distances: (number | null)[][] }> {
    // One URL holds the sources followed by the destinations that are not also sources.
    const coords: number[] = [...sources];
    const destIdx = destinations.map((d) => {
      const at = coords.indexOf(d);
      return at >= 0 ? at : coords.push(d) - 1;
    });
    const path = coords
      .map((i) => {
        const location = locations[i];
        if (!location) throw new RangeError(`OSRM table: no location ${i} among ${locations.length}`);
        return formatCoordinate(location);
      })
      .join(';');
    const query = new URLSearchParams({
      annotations: 'duration,distance',
      sources: sources.map((_, k) => k).join(';'),
      destinations: destIdx.join(';'),
    });
    const url = `${base}/table/v1/${encodeURIComponent(profile)}/${path}?${query.toString().replace(/%3B/g, ';')}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await doFetch(url, { signal: combined, headers: { accept: 'application/json' } });
    } catch (err) {
      if (timeout.aborted) throw new OsrmError('Timeout', `no answer from ${base} within ${timeoutMs} ms`);
      if (signal?.aborted) throw err;
      throw new OsrmError('NetworkError', err instanceof Error ? err.message : String(err));
    }
    let body: OsrmTableResponse;
    try {
      body = (await res.json()) as OsrmTableResponse;
    } catch {
      throw new OsrmError(res.ok ? 'BadResponse' : 'HttpError', `HTTP ${res.status}, body is not JSON`, res.status);
    }
    if (!res.ok || body.code !== 'Ok') {
      throw new OsrmError(body.code ?? 'HttpError', body.message ?? `HTTP ${res.status}`, res.status);
    }
    const { durations, distances } = body;
    if (!durations || !distances || durations.length !== sources.length || distances.length !== sources.length) {
      throw new OsrmError('BadResponse', 'table response lacks durations/distances of the requested size', res.status);
    }
    return { durations, distances };
  }

  return async ({ locations, profiles, signal }) => {
    const n = locations.length;
    const out: MatrixSet = {};
    // Split so that each request carries at most maxLocations coordinates.
    const blockSize = n <= maxLocations ? n : Math.floor(maxLocations / 2);
    const blocks: number[][] = [];
    for (let s = 0; s < n; s += blockSize) {
      blocks.push(Array.from({ length: Math.min(blockSize, n - s) }, (_, k) => s + k));
    }
    for (const profile of profiles) {
      const osrmProfile = options.profileMap?.[profile] ?? profile;
      const durations = new Float64Array(n * n);
      const distances = new Float64Array(n * n);
      for (const src of blocks) {
        for (const dst of blocks) {
          const block = await requestBlock(osrmProfile, locations, src, dst, signal);
          src.forEach((i, a) => {
            const rowT = block.durations[a];
            const rowD = block.distances[a];
            if (!rowT || !rowD) throw new OsrmError('BadResponse', `table response has no row for source ${a}`);
            dst.forEach((j, b) => {
              const t = rowT[b];
              const d = rowD[b];
              durations[i * n + j] = typeof t === 'number' ? t : Infinity;
              distances[i * n + j] = typeof d === 'number' ? d : Infinity;
            });
          });
        }
      }
      out[profile] = { durations, distances };
    }
    return out;
  };
}
