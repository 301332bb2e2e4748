import { endpoint, getJson, type AddressQuery, type GeocodeConfidence, type Geocoder, type HttpGeocoderOptions } from './geocoder.ts';

interface PhotonProperties {
  type?: unknown;
  countrycode?: unknown;
  name?: unknown;
  street?: unknown;
  housenumber?: unknown;
  postcode?: unknown;
  city?: unknown;
}

interface PhotonFeature {
  geometry?: { type?: unknown; coordinates?: unknown };
  properties?: PhotonProperties;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function confidenceOf(p: PhotonProperties): GeocodeConfidence {
  if (p.type === 'house' || str(p.housenumber) !== '') return 'house';
  if (p.type === 'street') return 'street';
  return 'area';
}

function matchedOf(p: PhotonProperties): string {
  const street = [str(p.street) || str(p.name), str(p.housenumber)].filter(Boolean).join(' ');
  const place = [str(p.postcode), str(p.city)].filter(Boolean).join(' ');
  return [street, place].filter(Boolean).join(', ').slice(0, 300);
}

/** Photon's free-text search (`/api?q=…`), answering a GeoJSON FeatureCollection; only German results count. */
export function createPhotonGeocoder(opts: HttpGeocoderOptions): Geocoder {
  return {
    async lookup(address: AddressQuery) {
      const url = endpoint(opts.baseUrl, 'api');
      url.search = new URLSearchParams({
        q: `${address.street} ${address.houseNumber}, ${address.postalCode} ${address.city}`,
        limit: '1',
        lang: 'de',
      }).toString();
      const body = (await getJson(url, opts)) as { features?: unknown } | null;
      const feature = (Array.isArray(body?.features) ? body.features[0] : undefined) as PhotonFeature | undefined;
      if (!feature || feature.geometry?.type !== 'Point' || !Array.isArray(feature.geometry.coordinates)) return null;
      const [lng, lat] = feature.geometry.coordinates.map(Number) as [number, number];
      if (!Number.isFinite(lng) || !Number.isFinite(lat)) return null;
      const props = feature.properties ?? {};
      if (str(props.countrycode).toUpperCase() !== 'DE') return null;
      return { location: [lng, lat], matched: matchedOf(props), confidence: confidenceOf(props) };
    },
  };
}
