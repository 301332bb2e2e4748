import { booleanPointInPolygon, circle } from '@turf/turf';
import fc from 'fast-check';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { loadStuttgartBoundary } from '../../src/demo/seed-demo.ts';
import { prepareArea } from '../../src/shared/prepared-area.ts';

type LngLat = [number, number];

/** Points that test a polygon hard: every vertex, every edge's midpoint, random points, and random points at a vertex's latitude. */
function probes(geometry: Polygon | MultiPolygon, random: () => number, count: number): LngLat[] {
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  const vertices = rings.flat() as LngLat[];
  const xs = vertices.map((v) => v[0]);
  const ys = vertices.map((v) => v[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = Math.max(maxX - minX, maxY - minY) * 0.05;
  const points: LngLat[] = [...vertices];
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [a, b] = [ring[i] as Position, ring[i + 1] as Position];
      points.push([((a[0] as number) + (b[0] as number)) / 2, ((a[1] as number) + (b[1] as number)) / 2]);
    }
  }
  for (let i = 0; i < count; i++) {
    const x = minX - margin + random() * (maxX - minX + 2 * margin);
    points.push([x, minY - margin + random() * (maxY - minY + 2 * margin)]);
    points.push([x, ys[Math.floor(random() * ys.length)] as number]);
  }
  return points;
}

/** A deterministic generator, so a failure is the same failure on the next run. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function expectSameAsTurf(geometry: Polygon | MultiPolygon, points: LngLat[]) {
  const area = prepareArea(geometry);
  const differing = points.filter((p) => area.contains(p) !== booleanPointInPolygon(p, geometry));
  expect(differing).toEqual([]);
}

const square = (west: number, south: number, size: number): Position[] => [
  [west, south],
  [west + size, south],
  [west + size, south + size],
  [west, south + size],
  [west, south],
];

describe('a prepared area', () => {
  it('answers as turf does for the Stuttgart boundary (2,325 vertices): vertices, edge midpoints, 40,000 other points', () => {
    const boundary = loadStuttgartBoundary();
    const points = probes(boundary, seeded(1), 20_000);
    expectSameAsTurf(boundary, points);
    // The probes are not all on one side: the comparison means something.
    const area = prepareArea(boundary);
    const inside = points.filter((p) => area.contains(p)).length;
    expect(inside).toBeGreaterThan(points.length * 0.2);
    expect(inside).toBeLessThan(points.length * 0.9);
  });

  it('answers as turf does for a bike circle, a square on its edges and corners, a donut and a multipolygon', () => {
    const bike = circle([9.1772, 48.7758], 4, { steps: 64, units: 'kilometers' }).geometry;
    expectSameAsTurf(bike, probes(bike, seeded(2), 5_000));

    const box: Polygon = { type: 'Polygon', coordinates: [square(9, 48, 1)] };
    const onEdges: LngLat[] = [
      [9, 48],
      [10, 49],
      [9.5, 48],
      [9.5, 49],
      [9, 48.5],
      [10, 48.5],
      [9.5, 48.5],
      [8.999999, 48.5],
      [10.000001, 48.5],
      [9.5, 47.999999],
      [9.5, 49.000001],
    ];
    expectSameAsTurf(box, [...onEdges, ...probes(box, seeded(3), 2_000)]);
    expect(onEdges.map((p) => prepareArea(box).contains(p))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);

    const donut: Polygon = { type: 'Polygon', coordinates: [square(9, 48, 1), square(9.25, 48.25, 0.5).reverse()] };
    expectSameAsTurf(donut, [[9.5, 48.5], [9.25, 48.5], [9.1, 48.5], ...probes(donut, seeded(4), 5_000)]);
    expect(prepareArea(donut).contains([9.5, 48.5])).toBe(false);

    const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(9, 48, 0.1)], [square(9.3, 48.3, 0.1)]] };
    expectSameAsTurf(multi, [[9.35, 48.35], [9.2, 48.2], ...probes(multi, seeded(5), 5_000)]);

    // No height at all (one band): a flat sliver holds only the points on it.
    const flat: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [9, 48],
          [10, 48],
          [9.5, 48],
          [9, 48],
        ],
      ],
    };
    expectSameAsTurf(flat, [[9.2, 48], [10.5, 48], [9.2, 48.1], ...probes(flat, seeded(6), 500)]);
  });

  it('answers as turf does for any star-shaped polygon and any point, on a vertex’s latitude or not', () => {
    const polygon = fc
      .array(fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true })), {
        minLength: 3,
        maxLength: 60,
      })
      .map((spokes): Polygon => {
        const ring = spokes.sort((a, b) => a[1] - b[1]).map(([r, t]): Position => [9 + r * Math.cos(t), 48 + r * Math.sin(t)]);
        return { type: 'Polygon', coordinates: [[...ring, ring[0] as Position]] };
      });
    fc.assert(
      fc.property(polygon, fc.integer(), (geometry, seed) => {
        expectSameAsTurf(geometry, probes(geometry, seeded(seed), 200));
      }),
      { numRuns: 300 },
    );
  });
});
