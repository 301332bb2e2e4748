import { createLru } from '../shared/lru.ts';

/** What a geocoder is asked: a German street address as the citizen typed it. */
export interface AddressQuery {
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
}

/**
 * How precisely the answer places the address: the house itself, only its street, or only a
 * wider area (a district, the town). Only the first two are good enough to price a delivery.
 */
export type GeocodeConfidence = 'house' | 'street' | 'area';

export interface GeocodeResult {
  /** GeoJSON order. */
  location: [number, number];
  /** The address as the geocoder understood it (for the page, never for the logs). */
  matched: string;
  confidence: GeocodeConfidence;
}

export interface Geocoder {
  /** null: the geocoder knows no such address. Throws GeocoderUnavailableError when it cannot be asked. */
  lookup(address: AddressQuery): Promise<GeocodeResult | null>;
}

export type GeocoderConfig = { kind: 'nominatim' | 'photon'; url: string; timeoutMs: number };

/** The geocoder did not answer in time or answered with an error: the address may well exist. */
export class GeocoderUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    // The reason names the status or the timeout, never the address asked for.
    super(`geocoder unavailable: ${reason}`, options);
    this.name = 'GeocoderUnavailableError';
  }
}

export interface HttpGeocoderOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Nominatim's usage policy asks every client to name itself. */
  userAgent: string;
  fetch?: typeof fetch;
}

/** GET a JSON document, within the timeout; every failure becomes GeocoderUnavailableError. */
export async function getJson(url: URL, opts: HttpGeocoderOptions): Promise<unknown> {
  let response: Response;
  try {
    response = await (opts.fetch ?? fetch)(url, {
      headers: { 'user-agent': opts.userAgent, accept: 'application/json', 'accept-language': 'de' },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new GeocoderUnavailableError(timedOut ? `no answer within ${opts.timeoutMs} ms` : 'request failed', { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new GeocoderUnavailableError(`HTTP ${response.status}`);
  }
  try {
    return await response.json();
  } catch (err) {
    throw new GeocoderUnavailableError('answer is not JSON', { cause: err });
  }
}

/** A base URL with the given path appended (a geocoder may live under a path prefix). */
export function endpoint(baseUrl: string, path: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(path.replace(/^\//, ''), base);
}

const normalise = (a: AddressQuery) =>
  [a.street, a.houseNumber, a.postalCode, a.city].map((s) => s.trim().toLowerCase().replace(/\s+/g, ' ')).join('|');

/**
 * Answers kept per process: the same address is asked again on every form error and every
 * re-render, and a public geocoder allows about one request per second. Found and not-found
 * answers are kept (addresses do not move); failures are not, so the next try asks again.
 */
export function withCache(geocoder: Geocoder, max = 1000): Geocoder & { readonly size: number } {
  const cache = createLru<string, GeocodeResult | null>(max);
  const inFlight = new Map<string, Promise<GeocodeResult | null>>();
  return {
    async lookup(address) {
      const key = normalise(address);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const asked = geocoder
        .lookup(address)
        .then((result) => {
          cache.set(key, result);
          return result;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, asked);
      return asked;
    },
    get size() {
      return cache.size;
    },
  };
}
