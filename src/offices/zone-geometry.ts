import { area, booleanValid, kinks } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { createInvalidZoneGeometryError } from './offices.errors.ts';

/**
 * A service zone must be a polygon a point-in-polygon test can trust: closed rings, no
 * self-intersections, a real area. Pure, so it is tested with plain GeoJSON.
 */
export function validateZoneGeometry(geometry: Polygon | MultiPolygon): void {
  const fail = (message: string) => {
    throw createInvalidZoneGeometryError(message);
  };
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const rings of polygons) {
    for (const ring of rings) {
      if (ring.length < 4) fail('Every ring needs at least 4 positions');
      const first = ring[0];
      const last = ring.at(-1);
      if (!first || !last || first[0] !== last[0] || first[1] !== last[1])
        fail('Every ring must be closed (first position = last position)');
    }
  }
  if (!booleanValid(geometry)) fail('The geometry is not a valid GeoJSON polygon');
  for (const rings of polygons) {
    if (kinks({ type: 'Polygon', coordinates: rings }).features.length > 0) fail('The polygon intersects itself');
  }
  if (area(geometry) < 1_000) fail('The zone is smaller than 1,000 m²');
}
