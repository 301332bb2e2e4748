import type { MultiPolygon, Polygon } from 'geojson';

/**
 * An uploaded zone as GeoJSON text: a Polygon or MultiPolygon given bare, as a Feature, or as a
 * FeatureCollection with exactly one feature (what GIS tools export). Pure: the page shows the
 * answer at the field; the service's own geometry check (closed rings, no kinks, an area) follows.
 */
export type ZoneUpload =
  { ok: true; geometry: Polygon | MultiPolygon } | { ok: false; key: 'zo.error.json' | 'zo.error.type' | 'zo.error.many' };

export function readZoneUpload(text: string): ZoneUpload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, key: 'zo.error.json' };
  }
  const obj = value as { type?: unknown; features?: unknown; geometry?: unknown };
  if (obj?.type === 'FeatureCollection') {
    if (!Array.isArray(obj.features) || obj.features.length !== 1) return { ok: false, key: 'zo.error.many' };
    return readZoneUpload(JSON.stringify(obj.features[0]));
  }
  const geometry = (obj?.type === 'Feature' ? obj.geometry : obj) as { type?: unknown; coordinates?: unknown } | null;
  if (
    !geometry ||
    (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') ||
    !isPositions(geometry.coordinates, geometry.type === 'Polygon' ? 2 : 3)
  )
    return { ok: false, key: 'zo.error.type' };
  // Only the two fields a zone keeps: nothing else from the upload is stored.
  return { ok: true, geometry: { type: geometry.type, coordinates: geometry.coordinates } as Polygon | MultiPolygon };
}

/** Nested arrays `depth` deep around [lng, lat] pairs of finite numbers within the globe. */
function isPositions(v: unknown, depth: number): boolean {
  if (!Array.isArray(v) || v.length === 0 || v.length > 100_000) return false;
  if (depth === 0) {
    const [lng, lat] = v as unknown[];
    return (
      v.length >= 2 && v.length <= 3 && typeof lng === 'number' && typeof lat === 'number' && Math.abs(lng) <= 180 && Math.abs(lat) <= 90
    );
  }
  return v.every((x) => isPositions(x, depth - 1));
}
