import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSolution, createOsrmProvider, OsrmError, planDeliveries, type LngLat } from '../../src/routing/index.js';
import { must } from '../helpers/must.ts';

/**
 * A stand-in for OSRM's table service: durations = 10 × |i − j| seconds between coordinate
 * positions given by their longitude, distances = 100 × that in metres; a coordinate with
 * longitude 99 is unreachable (null), as OSRM reports points off the road network.
 */
let server: Server;
let base = '';
const requests: string[] = [];

function answerTable(req: IncomingMessage): { status: number; body: unknown } {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/table\/v1\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!m) return { status: 400, body: { code: 'InvalidUrl', message: 'URL string malformed' } };
  if (m[1] === 'broken') return { status: 400, body: { code: 'InvalidQuery', message: 'Query string malformed close to position 0' } };
  if (m[1] === 'slow') return { status: -1, body: null };
  if (m[1] === 'html') return { status: 502, body: '<html>bad gateway</html>' };
  const coords = must(m[2], 'm[2]')
    .split(';')
    .map((c) => c.split(',').map(Number) as [number, number]);
  const pick = (param: string | null): number[] => (param ? param.split(';').map(Number) : coords.map((_, i) => i));
  const sources = pick(url.searchParams.get('sources'));
  const destinations = pick(url.searchParams.get('destinations'));
  const cell = (i: number, j: number, scale: number): number | null => {
    const a = must(coords[i], 'coords[i]')[0];
    const b = must(coords[j], 'coords[j]')[0];
    if (a === 99 || b === 99) return i === j ? 0 : null;
    return Math.abs(a - b) * scale;
  };
  return {
    status: 200,
    body: {
      code: 'Ok',
      durations: sources.map((i) => destinations.map((j) => cell(i, j, 10))),
      distances: sources.map((i) => destinations.map((j) => cell(i, j, 1000))),
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const { status, body } = answerTable(req);
    if (status < 0) return; // never answer: exercises the timeout
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const line = (n: number): LngLat[] => Array.from({ length: n }, (_, i) => [i, 48] as LngLat);

describe('OSRM table matrix provider', () => {
  it('requests durations and distances per profile and fills flat matrices', async () => {
    requests.length = 0;
    const provider = createOsrmProvider({ baseUrl: `${base}/`, profileMap: { ecar: 'driving', bike: 'cycling' } });
    const m = await provider({ locations: line(3), profiles: ['bike', 'ecar'] });
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatch(/^\/table\/v1\/cycling\/0\.000000,48\.000000;1\.000000,48\.000000;2\.000000,48\.000000\?/);
    expect(requests[0]).toContain('annotations=duration%2Cdistance');
    expect(requests[1]).toContain('/table/v1/driving/');
    expect(Array.from(must(m.ecar, 'm.ecar').durations as Float64Array)).toEqual([0, 10, 20, 10, 0, 10, 20, 10, 0]);
    expect(Array.from(must(m.bike, 'm.bike').distances as Float64Array)).toEqual([0, 1000, 2000, 1000, 0, 1000, 2000, 1000, 0]);
  });

  it('splits large tables into blocks and reassembles the same matrix', async () => {
    requests.length = 0;
    const n = 11;
    const m = await createOsrmProvider({ baseUrl: base, maxLocationsPerRequest: 6 })({ locations: line(n), profiles: ['car'] });
    // Blocks of 3 (half the limit) → 4 source blocks × 4 destination blocks, each ≤ 6 coordinates.
    expect(requests.length).toBe(16);
    for (const r of requests) expect(must(r.split('?')[0], "r.split('?')[0]").split(';').length).toBeLessThanOrEqual(6);
    const d = must(m.car, 'm.car').durations as Float64Array;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(d[i * n + j]).toBe(10 * Math.abs(i - j));
  });

  it('turns null (unreachable) entries into Infinity', async () => {
    const locations: LngLat[] = [
      [0, 48],
      [99, 48],
      [2, 48],
    ];
    const m = await createOsrmProvider({ baseUrl: base })({ locations, profiles: ['car'] });
    const d = must(m.car, 'm.car').durations as Float64Array;
    expect(d[0 * 3 + 1]).toBe(Infinity);
    expect(d[1 * 3 + 2]).toBe(Infinity);
    expect(d[0 * 3 + 2]).toBe(20);
  });

  it('plans with OSRM matrices and reports a stop off the road network as unreachable', async () => {
    const { problem, solution } = await planDeliveries(
      {
        depot: { location: [0, 48] },
        vehicles: [{ id: 'car-1', type: 'car', capacity: 10, shift: [0, 3600] }],
        stops: [
          { id: 'a', location: [2, 48], serviceTime: 60, demand: 1, timeWindows: [] },
          { id: 'island', location: [99, 48], serviceTime: 60, demand: 1, timeWindows: [] },
          { id: 'b', location: [1, 48], serviceTime: 60, demand: 1, timeWindows: [[0, 100]] },
        ],
      },
      { matrixProvider: createOsrmProvider({ baseUrl: base }), maxIterations: 200 },
    );
    expect(solution.unassigned).toEqual([{ stopId: 'island', reason: 'unreachable' }]);
    expect(must(solution.routes[0], 'solution.routes[0]').stops.map((s) => s.stopId)).toEqual(['b', 'a']);
    expect(checkSolution(problem, solution).feasible).toBe(true);
  });

  it('reports OSRM error codes such as InvalidQuery', async () => {
    const provider = createOsrmProvider({ baseUrl: base, profileMap: { car: 'broken' } });
    const err = await provider({ locations: line(2), profiles: ['car'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OsrmError);
    expect((err as OsrmError).code).toBe('InvalidQuery');
    expect((err as OsrmError).status).toBe(400);
    expect((err as OsrmError).message).toMatch(/Query string malformed/);
  });

  it('reports a non-JSON error page as HttpError', async () => {
    const err = await createOsrmProvider({ baseUrl: base, profileMap: { car: 'html' } })({ locations: line(2), profiles: ['car'] }).catch(
      (e: unknown) => e,
    );
    expect((err as OsrmError).code).toBe('HttpError');
    expect((err as OsrmError).status).toBe(502);
  });

  it('gives up after the timeout with a Timeout error', async () => {
    const t0 = performance.now();
    const err = await createOsrmProvider({ baseUrl: base, timeoutMs: 200, profileMap: { car: 'slow' } })({
      locations: line(2),
      profiles: ['car'],
    }).catch((e: unknown) => e);
    expect((err as OsrmError).code).toBe('Timeout');
    // The server never answers: the provider must give up by itself. Loose (it was 2 s) for a loaded 2-core machine.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('reports an unreachable server as NetworkError', async () => {
    const err = await createOsrmProvider({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 })({
      locations: line(2),
      profiles: ['car'],
    }).catch((e: unknown) => e);
    expect((err as OsrmError).code).toBe('NetworkError');
  });
});
