import { withCache, type Geocoder, type GeocoderConfig } from './geocoder.ts';
import { createNominatimGeocoder } from './nominatim.ts';
import { createPhotonGeocoder } from './photon.ts';

/** The configured geocoder behind a cache, or null when none is configured (GEOCODER unset). */
export function createGeocoder(config: GeocoderConfig | null, opts: { version: string; fetch?: typeof fetch }): Geocoder | null {
  if (!config) return null;
  const http = {
    baseUrl: config.url,
    timeoutMs: config.timeoutMs,
    userAgent: `Amtsbote/${opts.version} (courier delivery platform of German citizen offices)`,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  return withCache(config.kind === 'nominatim' ? createNominatimGeocoder(http) : createPhotonGeocoder(http));
}
