import { booleanPointInPolygon, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { GeocoderUnavailableError, type Geocoder } from '../geocoding/geocoder.ts';
import type { AddressForm, FieldErrors } from './booking-form.ts';

/** An office's active zone as the booking page needs it. */
export interface PageZone {
  id: string;
  name: string;
  geometry: Polygon | MultiPolygon;
}

/** The no-JavaScript way to place the address: each zone, priced at a point inside it. */
export const areasOf = (zones: readonly PageZone[]) =>
  zones
    .map((z) => ({ id: z.id, name: z.name, point: pointOnFeature(z.geometry).geometry.coordinates as [number, number] }))
    .sort((a, b) => a.name.localeCompare(b.name));

/** The office's zones and the office itself as GeoJSON, for the booking page's map. */
export function serviceAreaGeoJson(office: { name: string; location: [number, number] }, zones: readonly PageZone[]): FeatureCollection {
  const features: Feature[] = zones.map((z) => ({ type: 'Feature', properties: { kind: 'zone', name: z.name }, geometry: z.geometry }));
  features.push({
    type: 'Feature',
    properties: { kind: 'office', name: office.name },
    geometry: { type: 'Point', coordinates: office.location },
  });
  return { type: 'FeatureCollection', features };
}

const inside = (point: [number, number], zones: readonly PageZone[]) => zones.some((z) => booleanPointInPolygon(point, z.geometry));

/**
 * Where the quote is made: a pin the citizen set on the map (when inside a zone), else a point
 * inside the zone chosen from the list, else the geocoder's position for the typed address.
 * Errors are field errors for the address page.
 */
export async function placeAddress(
  form: AddressForm,
  zones: readonly PageZone[],
  geocoder: Geocoder | null,
): Promise<{ location: [number, number]; errors?: undefined } | { location?: undefined; errors: FieldErrors; geocoderDown?: boolean }> {
  const pin = form.lng !== null && form.lat !== null ? ([form.lng, form.lat] as [number, number]) : null;
  if (pin && inside(pin, zones)) return { location: pin };
  const chosen = zones.find((z) => z.id === form.zoneId);
  if (chosen) return { location: pointOnFeature(chosen.geometry).geometry.coordinates as [number, number] };
  if (geocoder && !pin) {
    try {
      const found = await geocoder.lookup(form);
      // Only the town or district matched: a price there could be the wrong zone's.
      if (!found || found.confidence === 'area') return { errors: { street: { key: 'geo.notFound' } } };
      if (!inside(found.location, zones)) return { errors: { street: { key: 'geo.outside' } } };
      return { location: found.location };
    } catch (err) {
      // The geocoder cannot be asked: the citizen places the address themselves (zone list, map).
      if (err instanceof GeocoderUnavailableError) return { errors: { zoneId: { key: 'geo.unavailable' } }, geocoderDown: true };
      throw err;
    }
  }
  return { errors: { zoneId: { key: pin ? 'map.pinOutside' : 'error.chooseArea' } } };
}
