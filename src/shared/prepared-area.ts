import type { MultiPolygon, Polygon, Position } from 'geojson';
import { orient2d } from 'robust-predicates';

/** An area prepared once for many point-in-area tests (a quote asks every zone of its office). */
export interface PreparedArea {
  /** Whether the point lies inside or on the border, exactly as turf's booleanPointInPolygon says. */
  contains(point: readonly [number, number]): boolean;
}

/** About this many edges per horizontal band: a test walks one band, not the whole ring. */
const EDGES_PER_BAND = 4;
const MAX_BANDS = 8192;

interface PreparedPolygon {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Bands per unit of latitude (0 when the polygon has no height: one band). */
  bandsPerY: number;
  bands: number;
  /** Edge k runs from (x1[k], y1[k]) to (x2[k], y2[k]); the edges of band b are bandEdges[bandStart[b] … bandStart[b + 1]). */
  x1: Float64Array;
  y1: Float64Array;
  x2: Float64Array;
  y2: Float64Array;
  bandStart: Int32Array;
  bandEdges: Int32Array;
}

/**
 * Prepares a zone's polygon or multipolygon: per polygon its bounding box and its edges (of the
 * outer ring and the holes together) sorted into horizontal bands by the latitudes they span. A
 * test looks only at the edges of the point's band. A city boundary has thousands of vertices
 * (Stuttgart's 2,325) and a quote tested every one of them with turf.
 *
 * The answer is turf's (point-in-polygon-hao, which turf calls) to the bit, not an approximation:
 * that algorithm counts crossings over all rings of a polygon and answers "on the border" the
 * moment an edge holds the point, and an edge does either only if its latitude range holds the
 * point's. Every such edge is in the point's band, because the band of a latitude
 * (floor((y − minY) × bandsPerY), in floating point) never decreases as the latitude grows. The
 * same orient2d (robust-predicates) is asked the same question with the same operands, so a point a
 * hair from an edge gets the same side. test/shared/prepared-area.test.ts compares the two.
 */
export function prepareArea(geometry: Polygon | MultiPolygon): PreparedArea {
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).map(preparePolygon);
  return {
    contains(point) {
      for (const polygon of polygons) if (polygonContains(polygon, point[0], point[1])) return true;
      return false;
    },
  };
}

function preparePolygon(rings: Position[][]): PreparedPolygon {
  let edges = 0;
  for (const ring of rings) edges += Math.max(ring.length - 1, 0);
  const x1 = new Float64Array(edges);
  const y1 = new Float64Array(edges);
  const x2 = new Float64Array(edges);
  const y2 = new Float64Array(edges);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let k = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i] as [number, number];
      const [bx, by] = ring[i + 1] as [number, number];
      x1[k] = ax;
      y1[k] = ay;
      x2[k] = bx;
      y2[k] = by;
      k++;
      minX = Math.min(minX, ax, bx);
      minY = Math.min(minY, ay, by);
      maxX = Math.max(maxX, ax, bx);
      maxY = Math.max(maxY, ay, by);
    }
  }
  const height = maxY - minY;
  const bands = height > 0 ? Math.min(MAX_BANDS, Math.max(1, Math.ceil(edges / EDGES_PER_BAND))) : 1;
  const polygon = { minX, minY, maxX, maxY, bandsPerY: height > 0 ? bands / height : 0, bands, x1, y1, x2, y2 };

  // Each edge's first and last band; then two passes (count, then fill) into one flat array.
  const lo = new Int32Array(edges);
  const hi = new Int32Array(edges);
  const bandStart = new Int32Array(bands + 1);
  for (let e = 0; e < edges; e++) {
    lo[e] = bandOf(polygon, Math.min(y1[e] as number, y2[e] as number));
    hi[e] = bandOf(polygon, Math.max(y1[e] as number, y2[e] as number));
    for (let b = lo[e] as number; b <= (hi[e] as number); b++) (bandStart[b + 1] as number)++;
  }
  for (let b = 0; b < bands; b++) bandStart[b + 1] = (bandStart[b + 1] as number) + (bandStart[b] as number);
  const filled = bandStart.slice(0, bands);
  const bandEdges = new Int32Array(bandStart[bands] as number);
  for (let e = 0; e < edges; e++) for (let b = lo[e] as number; b <= (hi[e] as number); b++) bandEdges[(filled[b] as number)++] = e;
  return { ...polygon, bandStart, bandEdges };
}

/**
 * The band of a latitude, for filing an edge and for testing a point alike: one computation, so
 * the band of a point between an edge's lowest and highest latitude lies between theirs.
 */
function bandOf(p: Pick<PreparedPolygon, 'minY' | 'bandsPerY' | 'bands'>, y: number): number {
  return Math.min(p.bands - 1, Math.max(0, Math.floor((y - p.minY) * p.bandsPerY)));
}

/** point-in-polygon-hao's loop over the edges of one band (its comments: the same cases in the same order). */
function polygonContains(p: PreparedPolygon, x: number, y: number): boolean {
  if (x < p.minX || x > p.maxX || y < p.minY || y > p.maxY) return false;
  const band = bandOf(p, y);
  let crossings = 0;
  for (let i = p.bandStart[band] as number, end = p.bandStart[band + 1] as number; i < end; i++) {
    const e = p.bandEdges[i] as number;
    const u1 = (p.x1[e] as number) - x;
    const v1 = (p.y1[e] as number) - y;
    const u2 = (p.x2[e] as number) - x;
    const v2 = (p.y2[e] as number) - y;
    if (v1 === 0 && v2 === 0) {
      // A horizontal edge at the point's latitude: on the border if it spans the point.
      if ((u2 <= 0 && u1 >= 0) || (u1 <= 0 && u2 >= 0)) return true;
    } else if ((v2 >= 0 && v1 <= 0) || (v2 <= 0 && v1 >= 0)) {
      const f = orient2d(u1, u2, v1, v2, 0, 0);
      if (f === 0) return true; // on the edge itself
      if ((f > 0 && v2 > 0 && v1 <= 0) || (f < 0 && v2 <= 0 && v1 > 0)) crossings++;
    }
  }
  return crossings % 2 === 1;
}
