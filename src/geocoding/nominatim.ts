import { endpoint, getJson, type AddressQuery, type GeocodeConfidence, type Geocoder, type HttpGeocoderOptions } from './geocoder.ts';

interface NominatimPlace {
  lat?: unknown;
  lon?: unknown;
  display_name?: unknown;
  place_rank?: unknown;
  addresstype?: unknown;
}

/** place_rank 30 is a house or building, 26–27 a street (Nominatim's address ranks). */
function confidenceOf(place: NominatimPlace): GeocodeConfidence {
  const rank = typeof place.place_rank === 'number' ? place.place_rank : 0;
  if (rank >= 28 || place.addresstype === 'house' || place.addresstype === 'building') return 'house';
  if (rank >= 26 || place.addresstype === 'road') return 'street';
  return 'area';
}

/** Nominatim's structured search (`/search?format=jsonv2&street=…`), limited to Germany. */
export function createNominatimGeocoder(opts: HttpGeocoderOptions): Geocoder {
  return {
    async lookup(address: AddressQuery) {
      const url = endpoint(opts.baseUrl, 'search');
      url.search = new URLSearchParams({
        format: 'jsonv2',
        street: `${address.houseNumber} ${address.street}`.trim(),
        postalcode: address.postalCode,
        city: address.city,
        countrycodes: 'de',
        limit: '1',
      }).toString();
      const body = await getJson(url, opts);
      const place = (Array.isArray(body) ? body[0] : undefined) as NominatimPlace | undefined;
      if (!place) return null;
      const lng = Number(place.lon);
      const lat = Number(place.lat);
      if (!Number.isFinite(lng) || !Number.isFinite(lat)) return null;
      return {
        location: [lng, lat],
        matched: typeof place.display_name === 'string' ? place.display_name.slice(0, 300) : '',
        confidence: confidenceOf(place),
      };
    },
  };
}
