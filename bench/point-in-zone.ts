/**
 * What a quote's point-in-zone test costs: turf's booleanPointInPolygon (with the bounding box
 * set, as the pricing cache used to do) against the prepared area (src/shared/prepared-area.ts),
 * for the demo's bike circle, Stuttgart's boundary (2,325 vertices) and that boundary with every
 * edge cut in 20 (46,481 vertices: what a surveyed administrative boundary can hold). Points are
 * random within each zone's bounding box, the same for both; both must agree on every one.
 *
 *   npm run bench:zones -- [--points 20000]
 */
import { bbox, booleanPointInPolygon, circle } from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import { loadStuttgartBoundary } from '../src/demo/seed-demo.ts';
import { prepareArea } from '../src/shared/prepared-area.ts';
import { wholeNumberFlag } from './flags.ts';

const POINTS = wholeNumberFlag('points', 20_000);

function densified(polygon: Polygon, parts: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: polygon.coordinates.map((ring) => {
      const out: Position[] = [];
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax, ay] = ring[i] as [number, number];
        const [bx, by] = ring[i + 1] as [number, number];
        for (let k = 0; k < parts; k++) out.push([ax + ((bx - ax) * k) / parts, ay + ((by - ay) * k) / parts]);
      }
      out.push(ring[ring.length - 1] as Position);
      return out;
    }),
  };
}

const stuttgart = loadStuttgartBoundary();
const zones: [string, Polygon][] = [
  ['bike circle (65 vertices)', circle([9.1772, 48.7758], 4, { steps: 64, units: 'kilometers' }).geometry],
  ['Stuttgart (2,325 vertices)', stuttgart],
  ['Stuttgart cut in 20 (46,481 vertices)', densified(stuttgart, 20)],
];

const perCallUs = (run: () => void, calls: number) => {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1000) / calls;
};

console.log(`point-in-zone, ${POINTS} random points in each zone's bounding box (µs per test)`);
for (const [name, geometry] of zones) {
  const box = bbox(geometry);
  const points: [number, number][] = Array.from({ length: POINTS }, () => [
    box[0] + Math.random() * (box[2] - box[0]),
    box[1] + Math.random() * (box[3] - box[1]),
  ]);
  const withBox = { ...geometry, bbox: box };
  let prepared = prepareArea(geometry);
  const prepareMs = perCallUs(() => (prepared = prepareArea(geometry)), 1) / 1000;
  let turfAnswers: boolean[] = [];
  let preparedAnswers: boolean[] = [];
  // Five rounds each, the best counted: the first rounds include compiling.
  let turfUs = Infinity;
  let preparedUs = Infinity;
  for (let round = 0; round < 5; round++) {
    turfUs = Math.min(
      turfUs,
      perCallUs(() => (turfAnswers = points.map((p) => booleanPointInPolygon(p, withBox))), POINTS),
    );
    preparedUs = Math.min(
      preparedUs,
      perCallUs(() => (preparedAnswers = points.map((p) => prepared.contains(p))), POINTS),
    );
  }
  const differ = turfAnswers.filter((a, i) => a !== preparedAnswers[i]).length;
  if (differ > 0) throw new Error(`${name}: the prepared area and turf differ on ${differ} points`);
  const inside = preparedAnswers.filter(Boolean).length;
  console.log(
    `  ${name.padEnd(40)} turf ${turfUs.toFixed(2).padStart(8)}  prepared ${preparedUs.toFixed(2).padStart(6)}  (×${(turfUs / preparedUs).toFixed(1)}; prepared once in ${prepareMs.toFixed(2)} ms; ${Math.round((inside / POINTS) * 100)} % inside, same answers)`,
  );
}
